package server

import (
	"log/slog"
	"net"
	"net/http"
	"time"
)

// HTTPServer returns the http.Server that serves h with the connection
// limits of l: a request (headers and body) must arrive within ReadTimeout,
// an answer be written within WriteTimeout (an export extends it page after
// page), and an idle keep-alive connection is closed after IdleTimeout. Use
// it with Listen, which caps the connections: the server tells the
// Listener what each of its connections is doing (ConnState).
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
		ConnState: func(c net.Conn, s http.ConnState) {
			if tc, ok := c.(*trackedConn); ok {
				tc.l.connState(tc, s)
			}
		},
	}
	if log != nil {
		srv.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	}
	return srv
}

// Listen listens on addr and accepts at most l.MaxConnections connections
// at once, and l.MaxConnectionsPerClient from one client address: at a
// limit it closes idle keep-alive connections, oldest first, and those
// that sent no request in time, to make room (see Listener). Serve it with
// HTTPServer's server.
func Listen(addr string, l Limits) (*Listener, error) {
	l = l.withDefaults()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return newListener(ln, l), nil
}

// positive turns a negative duration (a limit turned off) into zero, which
// http.Server reads as none.
func positive[T ~int64](d T) T {
	if d < 0 {
		return 0
	}
	return d
}
