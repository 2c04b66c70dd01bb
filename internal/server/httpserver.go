package server

import (
	"log/slog"
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"
)

// HTTPServer returns the http.Server that serves h with the connection
// limits of l: a request (headers and body) must arrive within ReadTimeout,
// an answer be written within WriteTimeout (an export extends it page after
// page), and an idle keep-alive connection is closed after IdleTimeout. Use
// it with Listen, which caps the connections.
func HTTPServer(h http.Handler, l Limits, log *slog.Logger) *http.Server {
	l = l.withDefaults()
	header := 10 * time.Second
	if l.ReadTimeout > 0 {
		header = min(header, l.ReadTimeout)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: header,
		ReadTimeout:       positive(l.ReadTimeout),
		WriteTimeout:      positive(l.WriteTimeout),
		IdleTimeout:       positive(l.IdleTimeout),
		MaxHeaderBytes:    64 << 10,
	}
	if log != nil {
		srv.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	}
	return srv
}

// Listen listens on addr and accepts at most l.MaxConnections connections
// at once: past that, new connections wait in the kernel's queue until one
// closes.
func Listen(addr string, l Limits) (net.Listener, error) {
	l = l.withDefaults()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if l.MaxConnections > 0 {
		ln = netutil.LimitListener(ln, l.MaxConnections)
	}
	return ln, nil
}

// positive turns a negative duration (a limit turned off) into zero, which
// http.Server reads as none.
func positive[T ~int64](d T) T {
	if d < 0 {
		return 0
	}
	return d
}
