package server

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// serveOn starts h with the connection limits l on a free port.
func serveOn(t *testing.T, h http.Handler, l Limits) string {
	t.Helper()
	ln, err := Listen("127.0.0.1:0", l)
	if err != nil {
		t.Fatal(err)
	}
	srv := HTTPServer(h, l, nil)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// closedWithin reports whether the server closes c within d: a read gets
// EOF (or a reset) rather than the deadline.
func closedWithin(c net.Conn, d time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

// TestSlowBodyIsCut checks that a client sending a body and stalling is cut
// after the read timeout, not held open forever.
func TestSlowBodyIsCut(t *testing.T) {
	addr := serveOn(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) }),
		Limits{ReadTimeout: 300 * time.Millisecond, IdleTimeout: time.Hour})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1048566\r\n\r\n")
	c.Write(bytes.Repeat([]byte(" "), 64<<10))
	if !closedWithin(c, 20*time.Second) {
		t.Error("a stalled body was still open 20 s after a 300 ms read timeout")
	}
}

// TestIdleConnectionIsClosed checks that an idle keep-alive connection is
// closed after the idle timeout.
func TestIdleConnectionIsClosed(t *testing.T) {
	addr := serveOn(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }),
		Limits{IdleTimeout: 300 * time.Millisecond})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if !closedWithin(c, 20*time.Second) {
		t.Error("an idle keep-alive connection was still open 20 s after a 300 ms idle timeout")
	}
}

// blockingBody is a request body that tells when it is first read, and
// delivers its bytes once released.
type blockingBody struct {
	r       io.Reader
	reading chan struct{}
	once    sync.Once
	release chan struct{}
}

func (b *blockingBody) Read(p []byte) (int, error) {
	b.once.Do(func() { close(b.reading) })
	<-b.release
	return b.r.Read(p)
}

// TestBodyMemoryIsShared checks that the bodies being read at once share a
// bound: while one large body is being read, another that would pass the
// bound is turned away at once (503), and is taken once the first is done.
func TestBodyMemoryIsShared(t *testing.T) {
	h := guardHTTP(Limits{MaxBodyBytes: 600 << 10, MaxBodyMemory: 1 << 20, MaxConcurrent: 4, QueueWait: time.Second},
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	body := `{"query":"{ __typename }"` + strings.Repeat(" ", 550<<10) + `}`
	slow := &blockingBody{r: strings.NewReader(body), reading: make(chan struct{}), release: make(chan struct{})}
	first := httptest.NewRequest(http.MethodPost, "/graphql", slow)
	first.ContentLength = int64(len(body))
	first.Header.Set("Content-Type", "application/json")
	done := make(chan int)
	go func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, first)
		done <- rec.Code
	}()
	<-slow.reading // the first request holds its share while its body is read
	second := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	second.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, second)
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("a second 550 KB body was read while another was (status %d), want 503", rec.Code)
	}
	close(slow.release)
	if code := <-done; code != 200 {
		t.Fatalf("the first request: %d", code)
	}
	second = httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	second.Header.Set("Content-Type", "application/json")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, second)
	if rec.Code != 200 {
		t.Errorf("after the first body was read: %d, want 200", rec.Code)
	}
}
