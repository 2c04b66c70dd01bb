package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// hang bounds every wait of these tests: it only stops a test that would
// hang; no assertion depends on it.
const hang = 20 * time.Second

// connEvent is an event of a Listener: what happened, to which connection
// (its remote address, which is the client's local one).
type connEvent struct{ what, conn string }

// tracked serves h through a Listener with the limits l and the grace
// given, and returns its address, the listener and its events.
func tracked(t *testing.T, h http.Handler, l Limits, grace time.Duration) (string, *Listener, *events) {
	t.Helper()
	ln, err := Listen("127.0.0.1:0", l)
	if err != nil {
		t.Fatal(err)
	}
	ev := &events{ch: make(chan connEvent, 1<<14)}
	ln.grace = grace
	ln.note = func(what string, remote net.Addr) { ev.ch <- connEvent{what, remote.String()} }
	srv := HTTPServer(h, l, nil)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), ln, ev
}

// events are a Listener's events, in order.
type events struct{ ch chan connEvent }

// wait waits for the event what on conn (any connection when conn is nil)
// and returns the connection it happened to.
func (e *events) wait(t *testing.T, what string, conn net.Conn) string {
	t.Helper()
	timeout := time.After(hang)
	for {
		select {
		case ev := <-e.ch:
			if ev.what == what && (conn == nil || ev.conn == conn.LocalAddr().String()) {
				return ev.conn
			}
		case <-timeout:
			t.Fatalf("no %q event within %s", what, hang)
		}
	}
}

// dial opens a connection to addr from the loopback address from ("" for
// any).
func dial(t *testing.T, addr, from string) net.Conn {
	t.Helper()
	d := net.Dialer{}
	if from != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(from)}
	}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		if from != "" {
			t.Skipf("cannot dial from %s: %v", from, err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// getOn sends GET path on c and reads the answer, within hang.
func getOn(c net.Conn, path string) (*http.Response, error) {
	if _, err := fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path); err != nil {
		return nil, err
	}
	return readAnswer(c)
}

// readAnswer reads one whole answer from c, within hang.
func readAnswer(c net.Conn) (*http.Response, error) {
	c.SetReadDeadline(time.Now().Add(hang))
	defer c.SetReadDeadline(time.Time{})
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return nil, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp, err
}

// mustGet is getOn that must answer 200.
func mustGet(t *testing.T, c net.Conn, path string) {
	t.Helper()
	resp, err := getOn(c, path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", path, resp.StatusCode)
	}
}

// gate is a handler for /block that holds each request until released,
// and answers the other paths at once.
type gate struct {
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func newGate() *gate {
	return &gate{entered: make(chan struct{}, 64), release: make(chan struct{})}
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/block" {
		g.entered <- struct{}{}
		<-g.release
	}
	io.WriteString(w, "ok")
}

// open lets every held request go, once.
func (g *gate) open() { g.once.Do(func() { close(g.release) }) }

// TestWhatIsReclaimed puts one connection in each state at a limit of one
// connection, and checks whether a new client takes its place at once (it
// is reclaimed) or waits (it is kept): idle keep-alive connections and
// unfinished ones past the grace are reclaimed; connections being
// answered, and ones that began a request within the grace, never are.
// A kept connection is then finished and must get its whole answer.
func TestWhatIsReclaimed(t *testing.T) {
	cases := []struct {
		name  string
		grace time.Duration
		// hold puts the connection in its state; finish, for a kept one,
		// completes what it was doing.
		hold      func(t *testing.T, c net.Conn, ev *events, g *gate)
		finish    func(t *testing.T, c net.Conn, g *gate)
		reclaimed string // "idle", "unfinished", or "" for kept
	}{
		{
			name: "idle keep-alive", grace: time.Hour, reclaimed: "idle",
			hold: func(t *testing.T, c net.Conn, ev *events, g *gate) { mustGet(t, c, "/healthz"); ev.wait(t, "idle", c) },
		},
		{
			name: "silent, past the grace", grace: 0, reclaimed: "unfinished",
			hold: func(t *testing.T, c net.Conn, ev *events, g *gate) {},
		},
		{
			name: "half a request line, past the grace", grace: 0, reclaimed: "unfinished",
			hold: func(t *testing.T, c net.Conn, ev *events, g *gate) { io.WriteString(c, "GET /heal") },
		},
		{
			name: "silent, within the grace", grace: time.Hour,
			hold:   func(t *testing.T, c net.Conn, ev *events, g *gate) {},
			finish: func(t *testing.T, c net.Conn, g *gate) { mustGet(t, c, "/healthz") },
		},
		{
			name: "half a request line, within the grace", grace: time.Hour,
			hold: func(t *testing.T, c net.Conn, ev *events, g *gate) {
				io.WriteString(c, "GET /heal")
				ev.wait(t, "read", c)
			},
			finish: func(t *testing.T, c net.Conn, g *gate) {
				io.WriteString(c, "thz HTTP/1.1\r\nHost: x\r\n\r\n")
				if resp, err := readAnswer(c); err != nil || resp.StatusCode != 200 {
					t.Fatalf("the finished request: %v", err)
				}
			},
		},
		{
			// The server still says idle: only the byte read tells.
			name: "keep-alive, next request begun within the grace", grace: time.Hour,
			hold: func(t *testing.T, c net.Conn, ev *events, g *gate) {
				mustGet(t, c, "/healthz")
				ev.wait(t, "idle", c)
				io.WriteString(c, "GET /heal")
				ev.wait(t, "read", c)
			},
			finish: func(t *testing.T, c net.Conn, g *gate) {
				io.WriteString(c, "thz HTTP/1.1\r\nHost: x\r\n\r\n")
				if resp, err := readAnswer(c); err != nil || resp.StatusCode != 200 {
					t.Fatalf("the finished request: %v", err)
				}
			},
		},
		{
			name: "being answered", grace: 0,
			hold: func(t *testing.T, c net.Conn, ev *events, g *gate) {
				io.WriteString(c, "GET /block HTTP/1.1\r\nHost: x\r\n\r\n")
				<-g.entered
			},
			finish: func(t *testing.T, c net.Conn, g *gate) {
				g.open()
				if resp, err := readAnswer(c); err != nil || resp.StatusCode != 200 {
					t.Fatalf("the held request: %v", err)
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := newGate()
			defer g.open()
			addr, ln, ev := tracked(t, g, Limits{MaxConnections: 1, MaxConnectionsPerClient: -1, IdleTimeout: time.Hour, ReadTimeout: time.Hour}, tc.grace)
			held := dial(t, addr, "")
			ev.wait(t, "admit", held)
			tc.hold(t, held, ev, g)

			late := dial(t, addr, "")
			answered := make(chan error, 1)
			go func() {
				resp, err := getOn(late, "/healthz")
				if err == nil && resp.StatusCode != 200 {
					err = fmt.Errorf("status %d", resp.StatusCode)
				}
				answered <- err
			}()
			if tc.reclaimed != "" {
				if got := ev.wait(t, "reclaim", nil); got != held.LocalAddr().String() {
					t.Fatalf("reclaimed %s, want the held connection %s", got, held.LocalAddr())
				}
				if err := <-answered; err != nil {
					t.Fatalf("the new client: %v", err)
				}
				if !closedWithin(held, hang) {
					t.Error("the reclaimed connection is still open")
				}
				s := ln.Stats()
				if got := map[string]int64{"idle": s.ReclaimedIdle, "unfinished": s.ReclaimedUnfinished}; got[tc.reclaimed] != 1 || s.ReclaimedIdle+s.ReclaimedUnfinished != 1 {
					t.Errorf("stats %+v, want one %s reclaimed", s, tc.reclaimed)
				}
				return
			}
			ev.wait(t, "wait", late) // the new one waits for room
			tc.finish(t, held, g)    // the held one was not cut
			if err := <-answered; err != nil {
				t.Fatalf("the new client, once the held one was done: %v", err)
			}
			if s := ln.Stats(); s.ReclaimedUnfinished != 0 {
				t.Errorf("stats %+v: an unfinished connection was reclaimed within its grace", s)
			}
		})
	}
}

// TestOldestIdleFirst checks that at the limit the idle connections are
// closed in the order they went idle, and that one in use again keeps its
// place.
func TestOldestIdleFirst(t *testing.T) {
	addr, ln, ev := tracked(t, newGate(), Limits{MaxConnections: 3, MaxConnectionsPerClient: -1, IdleTimeout: time.Hour}, time.Hour)
	var conns []net.Conn
	for range 3 {
		c := dial(t, addr, "")
		mustGet(t, c, "/healthz")
		ev.wait(t, "idle", c)
		conns = append(conns, c)
	}
	a, b, c := conns[0], conns[1], conns[2]
	mustGet(t, a, "/healthz") // a is now the most recently idle
	ev.wait(t, "idle", a)
	for i, want := range []net.Conn{b, c} {
		d := dial(t, addr, "")
		mustGet(t, d, "/healthz")
		if got := ev.wait(t, "reclaim", nil); got != want.LocalAddr().String() {
			t.Fatalf("reclaim %d closed %s, want %s (oldest idle first)", i+1, got, want.LocalAddr())
		}
		if !closedWithin(want, hang) {
			t.Errorf("reclaim %d: the connection is still open", i+1)
		}
	}
	mustGet(t, a, "/healthz") // a was kept
	if s := ln.Stats(); s.Open != 3 || s.ReclaimedIdle != 2 {
		t.Errorf("stats %+v, want 3 open and 2 idle reclaimed", s)
	}
}

// TestIdleBeforeUnfinished checks that an idle connection is reclaimed
// before an older one that sent nothing, and that one next.
func TestIdleBeforeUnfinished(t *testing.T) {
	g := newGate()
	defer g.open()
	addr, ln, ev := tracked(t, g, Limits{MaxConnections: 2, MaxConnectionsPerClient: -1, IdleTimeout: time.Hour, ReadTimeout: time.Hour}, 0)
	silent := dial(t, addr, "")
	ev.wait(t, "admit", silent)
	idle := dial(t, addr, "")
	mustGet(t, idle, "/healthz")
	ev.wait(t, "idle", idle)
	var late []net.Conn
	for i, want := range []net.Conn{idle, silent} {
		c := dial(t, addr, "")
		io.WriteString(c, "GET /block HTTP/1.1\r\nHost: x\r\n\r\n") // held, so that it does not go idle
		if got := ev.wait(t, "reclaim", nil); got != want.LocalAddr().String() {
			t.Fatalf("reclaim %d closed %s, want %s", i+1, got, want.LocalAddr())
		}
		<-g.entered
		late = append(late, c)
	}
	g.open()
	for i, c := range late {
		if resp, err := readAnswer(c); err != nil || resp.StatusCode != 200 {
			t.Fatalf("new client %d: %v", i+1, err)
		}
	}
	if s := ln.Stats(); s.ReclaimedIdle != 1 || s.ReclaimedUnfinished != 1 {
		t.Errorf("stats %+v, want one idle and one unfinished reclaimed", s)
	}
}

// TestPerClientLimit checks that past its limit a client's idle connection
// is reclaimed for its new one, that with none idle the new one is
// answered 429 with Retry-After and closed, and that another client is
// not held back.
func TestPerClientLimit(t *testing.T) {
	g := newGate()
	defer g.open()
	addr, ln, ev := tracked(t, g, Limits{MaxConnections: 10, MaxConnectionsPerClient: 2, IdleTimeout: time.Hour, ReadTimeout: time.Hour}, time.Hour)

	// Two idle connections: the third takes the place of the first.
	first, second := dial(t, addr, "127.0.0.1"), dial(t, addr, "127.0.0.1")
	for _, c := range []net.Conn{first, second} {
		mustGet(t, c, "/healthz")
		ev.wait(t, "idle", c)
	}
	third := dial(t, addr, "127.0.0.1")
	mustGet(t, third, "/healthz")
	if got := ev.wait(t, "reclaim", nil); got != first.LocalAddr().String() {
		t.Fatalf("reclaimed %s, want the client's oldest idle connection %s", got, first.LocalAddr())
	}

	// Both busy: a third is refused.
	for _, c := range []net.Conn{second, third} {
		io.WriteString(c, "GET /block HTTP/1.1\r\nHost: x\r\n\r\n")
		<-g.entered
	}
	refused := dial(t, addr, "127.0.0.1")
	resp, err := getOn(refused, "/healthz")
	if err != nil {
		t.Fatalf("the refused connection: %v, want a 429", err)
	}
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" {
		t.Errorf("the refused connection: status %d, Retry-After %q; want 429 and 1", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if !closedWithin(refused, hang) {
		t.Error("the refused connection is still open")
	}

	// Another client is served meanwhile.
	other := dial(t, addr, "127.0.0.2")
	mustGet(t, other, "/healthz")

	g.open()
	for _, c := range []net.Conn{second, third} {
		if resp, err := readAnswer(c); err != nil || resp.StatusCode != 200 {
			t.Fatalf("a held request: %v", err)
		}
	}
	if s := ln.Stats(); s.Refused != 1 || s.ReclaimedIdle != 1 || s.Open != 3 {
		t.Errorf("stats %+v, want 1 refused, 1 idle reclaimed, 3 open", s)
	}
}

// TestNewClientWhileIdleHoldTheLimit fills the limit with idle keep-alive
// connections and checks that a new client is answered, one idle
// connection making room for it.
func TestNewClientWhileIdleHoldTheLimit(t *testing.T) {
	const limit = 200
	addr, ln, ev := tracked(t, newGate(), Limits{MaxConnections: limit, MaxConnectionsPerClient: -1, IdleTimeout: time.Hour}, unfinishedGrace)
	var idle []net.Conn
	for range limit {
		c := dial(t, addr, "")
		mustGet(t, c, "/healthz")
		ev.wait(t, "idle", c)
		idle = append(idle, c)
	}
	client := &http.Client{Timeout: hang}
	start := time.Now()
	resp, err := client.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("a new client with %d idle connections held: %v", limit, err)
	}
	resp.Body.Close()
	t.Logf("a new client was answered in %s with %d idle connections held", time.Since(start).Round(time.Microsecond), limit)
	if resp.StatusCode != 200 {
		t.Errorf("status %d", resp.StatusCode)
	}
	if s := ln.Stats(); s.ReclaimedIdle != 1 {
		t.Errorf("stats %+v, want one idle connection reclaimed", s)
	}
	if !closedWithin(idle[0], hang) {
		t.Error("the oldest idle connection is still open")
	}
}

// TestClientOf checks how connections are grouped by client.
func TestClientOf(t *testing.T) {
	for _, tc := range []struct{ addr, want string }{
		{"192.0.2.7:5555", "192.0.2.7"},
		{"[::ffff:192.0.2.7]:5555", "192.0.2.7"},
		{"[2001:db8:1:2:aaaa::1]:443", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:bbbb::9]:443", "2001:db8:1:2::/64"},
		{"[fe80::1%eth0]:80", "fe80::/64"},
	} {
		a, err := net.ResolveTCPAddr("tcp", tc.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := clientOf(a); got != tc.want {
			t.Errorf("clientOf(%s) = %s, want %s", tc.addr, got, tc.want)
		}
	}
}

// TestConnectionMetrics checks the connection series of /metrics.
func TestConnectionMetrics(t *testing.T) {
	ln, err := Listen("127.0.0.1:0", Limits{MaxConnections: 10, MaxConnectionsPerClient: 1})
	if err != nil {
		t.Fatal(err)
	}
	h := New(Config{DB: seededDB(t), PublicRead: true, Listener: ln})
	srv := HTTPServer(h, Limits{}, nil)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	ln.refused.Add(2)
	ln.reclaimedIdle.Add(3)
	ln.reclaimedUnfinished.Add(4)
	resp, err := (&http.Client{Timeout: hang}).Get("http://" + ln.Addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		"portfolio_connections_open 1",
		`portfolio_connections_reclaimed_total{reason="idle"} 3`,
		`portfolio_connections_reclaimed_total{reason="unfinished"} 4`,
		"portfolio_connections_refused_total 2",
	} {
		if !strings.Contains(string(text), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
