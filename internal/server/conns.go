package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Listener is a TCP listener that bounds its open connections, in all
// (Limits.MaxConnections) and per client address
// (Limits.MaxConnectionsPerClient), and makes room at a limit by closing
// connections that carry no request, instead of letting a new client wait
// behind them. It learns what each connection is doing from the
// http.Server that serves it (HTTPServer sets its ConnState), and from the
// bytes read on it.
//
// At a limit, a connection is reclaimed (closed) when it is
//   - idle: between two requests of a keep-alive connection, with no byte
//     of a next request read; the oldest idle first. Closing one is what
//     the idle timeout does anyway, and HTTP/1.1 clients reopen.
//   - unfinished, once idle ones are gone: still without a complete
//     request header a grace (unfinishedGrace) after it opened, or after
//     the first byte of its next request for a keep-alive one; the oldest
//     first. A client sends its header as soon as it connects; sending
//     nothing, or a header byte by byte, is how an attacker holds a place
//     (the header timeout would close it only after 10 s).
//
// Never reclaimed: a connection whose request header has been read
// (http.StateActive: its handler runs or its answer is being written,
// which the read and write timeouts bound), a hijacked one, and one within
// its grace. The server's word that a connection is idle is not enough: a
// byte of a next request may already be read. So Read marks the connection
// before the server sees the byte, under the lock under which victims are
// chosen: from the first byte the server reads, a request has its grace,
// and once its header is complete it is never cut. (A request still on the
// network when its idle connection is closed is the race every HTTP/1.1
// server has at its idle timeout; RFC 9112 §9.3.1 lets clients retry it.
// So is a pipelined request the server has buffered while answering the
// one before.)
//
// Past MaxConnectionsPerClient, once that client's own idle or unfinished
// connections are reclaimed, a new connection from it is answered 429 with
// Retry-After and closed, without being served. Past MaxConnections, when
// nothing can be reclaimed, the new connection waits (and the ones behind
// it wait in the kernel's queue) until a connection closes, goes idle or
// passes its grace.
type Listener struct {
	net.Listener
	max, perClient int
	grace          time.Duration // see unfinishedGrace
	refusal        []byte        // the 429 sent to a client past its limit
	lingering      chan struct{} // bounds the refusals being sent at once
	done           chan struct{} // closed by Close
	closeOnce      sync.Once

	mu      sync.Mutex
	conns   map[*trackedConn]struct{}
	clients map[string]int // open connections by client (clientOf)
	seq     uint64         // counts admissions and idle transitions, for their order
	changed chan struct{}  // closed when a connection closes or goes idle; nil while no one waits

	reclaimedIdle, reclaimedUnfinished, refused atomic.Int64

	// note, when set (by tests), is told of each event: "admit", "wait",
	// "read" (the first byte of a request), "idle", "reclaim", "refuse",
	// with the connection's remote address.
	note func(event string, remote net.Addr)
}

// unfinishedGrace is how long a connection may be open, or into a next
// request, without a complete request header before it can be reclaimed
// at a limit. A client sends its request right behind the handshake's last
// packet, so its first bytes arrive with it whatever the round trip; 500 ms
// leaves room for a lost packet sent again (Linux waits 200 ms or more),
// and only matters when the server is full.
const unfinishedGrace = 500 * time.Millisecond

// maxLingering bounds the refused connections being answered at once;
// past it, one is closed without an answer.
const maxLingering = 32

// newListener wraps ln with the connection limits of l (defaults applied).
func newListener(ln net.Listener, l Limits) *Listener {
	return &Listener{
		Listener:  ln,
		max:       l.MaxConnections,
		perClient: l.MaxConnectionsPerClient,
		grace:     unfinishedGrace,
		refusal:   refusalResponse(l.MaxConnectionsPerClient),
		lingering: make(chan struct{}, maxLingering),
		done:      make(chan struct{}),
		conns:     map[*trackedConn]struct{}{},
		clients:   map[string]int{},
	}
}

// refusalResponse is the whole HTTP answer to a connection past its
// client's limit: a 429 in the JSON shape of the server's other refusals.
func refusalResponse(perClient int) []byte {
	body, _ := json.Marshal(map[string]any{"errors": []any{map[string]any{
		"message":    fmt.Sprintf("too many connections from your address (at most %d at once): reuse them, or retry in a second", perClient),
		"extensions": map[string]any{"code": "UNAVAILABLE"},
	}}})
	body = append(body, '\n')
	return fmt.Appendf(nil, "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n"+
		"Retry-After: 1\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
}

// ConnStats are a Listener's counts, for /metrics.
type ConnStats struct {
	Open                int   // connections open now
	ReclaimedIdle       int64 // idle keep-alive connections closed to make room
	ReclaimedUnfinished int64 // connections closed to make room that had sent no complete request header within the grace
	Refused             int64 // connections refused because their client had too many open
}

// Stats returns the listener's counts.
func (l *Listener) Stats() ConnStats {
	l.mu.Lock()
	open := len(l.conns)
	l.mu.Unlock()
	return ConnStats{Open: open, ReclaimedIdle: l.reclaimedIdle.Load(), ReclaimedUnfinished: l.reclaimedUnfinished.Load(), Refused: l.refused.Load()}
}

// Accept waits for a connection the limits admit.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		raw, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		c, err := l.admit(raw)
		if err != nil || c != nil {
			return c, err
		}
	}
}

// Close stops the listener; a connection waiting for room is closed.
func (l *Listener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// phase is what a tracked connection is doing, as the http.Server says.
type phase int

const (
	phaseNew      phase = iota // accepted, no request yet
	phaseActive                // a request's header was read: it is being answered
	phaseIdle                  // between two requests
	phaseHijacked              // taken over by a handler
)

// trackedConn is a connection a Listener handed out.
type trackedConn struct {
	net.Conn
	l      *Listener
	client string

	// Guarded by l.mu.
	phase   phase
	reading bool      // a byte of a request was read while new or idle
	since   time.Time // when it was admitted, or (idle and reading) began its next request
	order   uint64    // when it was admitted or last went idle, in l.seq
	gone    bool      // closed, or reclaimed; no longer counted
}

// Read marks a new or idle connection as reading a request before the
// server sees the bytes: from then on it is no longer idle, and has its
// grace.
func (c *trackedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && !c.l.reading(c) {
		return 0, net.ErrClosed // reclaimed while these bytes arrived: the connection is closed
	}
	return n, err
}

// Close closes the connection and frees its place.
func (c *trackedConn) Close() error {
	c.l.release(c)
	return c.Conn.Close()
}

// reading records that a byte of a request was read on c; it returns false
// when c was reclaimed.
func (l *Listener) reading(c *trackedConn) bool {
	l.mu.Lock()
	if c.gone {
		l.mu.Unlock()
		return false
	}
	first := c.phase != phaseActive && c.phase != phaseHijacked && !c.reading
	if first {
		c.reading = true
		if c.phase == phaseIdle { // a new connection's grace runs from its opening
			c.since = time.Now()
		}
	}
	l.mu.Unlock()
	if first {
		l.tell("read", c.Conn)
	}
	return true
}

// connState is the http.Server's ConnState hook: it follows c.
func (l *Listener) connState(c *trackedConn, s http.ConnState) {
	switch s {
	case http.StateActive:
		l.mu.Lock()
		c.phase, c.reading = phaseActive, false
		l.mu.Unlock()
	case http.StateIdle:
		l.mu.Lock()
		l.seq++
		c.phase, c.reading, c.order = phaseIdle, false, l.seq
		l.wake()
		l.mu.Unlock()
		l.tell("idle", c.Conn)
	case http.StateHijacked:
		l.mu.Lock()
		c.phase = phaseHijacked
		l.mu.Unlock()
	case http.StateClosed:
		l.release(c)
	}
}

// release frees c's place, once.
func (l *Listener) release(c *trackedConn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.forget(c)
}

// forget stops counting c, once, and wakes a waiting Accept. l.mu is held.
func (l *Listener) forget(c *trackedConn) {
	if c.gone {
		return
	}
	c.gone = true
	delete(l.conns, c)
	if l.clients[c.client]--; l.clients[c.client] <= 0 {
		delete(l.clients, c.client)
	}
	l.wake()
}

// wake tells a waiting Accept that something changed. l.mu is held.
func (l *Listener) wake() {
	if l.changed != nil {
		close(l.changed)
		l.changed = nil
	}
}

// admit counts raw in, making room or waiting for it; it returns nil (and
// no error) when raw was refused.
func (l *Listener) admit(raw net.Conn) (*trackedConn, error) {
	client := clientOf(raw.RemoteAddr())
	ofClient := func(c *trackedConn) bool { return c.client == client }
	l.mu.Lock()
	for {
		now := time.Now()
		var victim *trackedConn
		var idle bool
		var retry time.Time
		switch {
		case l.perClient > 0 && l.clients[client] >= l.perClient:
			if victim, idle, _ = l.reclaimable(ofClient, now); victim == nil {
				l.mu.Unlock()
				l.refuse(raw)
				return nil, nil
			}
		case l.max <= 0 || len(l.conns) < l.max:
			l.seq++
			c := &trackedConn{Conn: raw, l: l, client: client, since: now, order: l.seq}
			l.conns[c] = struct{}{}
			l.clients[client]++
			l.mu.Unlock()
			l.tell("admit", raw)
			return c, nil
		default:
			victim, idle, retry = l.reclaimable(nil, now)
		}
		if victim != nil {
			l.forget(victim)
			l.mu.Unlock()
			if idle {
				l.reclaimedIdle.Add(1)
			} else {
				l.reclaimedUnfinished.Add(1)
			}
			victim.Conn.Close()
			l.tell("reclaim", victim.Conn)
			l.mu.Lock()
			continue
		}
		// Full of connections being answered, or still in their grace:
		// wait for one to close or go idle, or for the grace to pass.
		if l.changed == nil {
			l.changed = make(chan struct{})
		}
		changed := l.changed
		l.mu.Unlock()
		l.tell("wait", raw)
		var timer *time.Timer
		var timeout <-chan time.Time
		if !retry.IsZero() {
			timer = time.NewTimer(retry.Sub(now))
			timeout = timer.C
		}
		select {
		case <-changed:
		case <-timeout:
		case <-l.done:
			raw.Close()
			return nil, net.ErrClosed
		}
		if timer != nil {
			timer.Stop()
		}
		l.mu.Lock()
	}
}

// reclaimable returns the connection to close to make room, among those
// that match (nil: all): the oldest idle one (idle is then true), else the
// oldest unfinished one past its grace; else nil, and when the first
// unfinished one will be past its grace (zero if none). It reads every
// connection: at most the limit, a few hundred, and only when the server
// is full. l.mu is held.
func (l *Listener) reclaimable(match func(*trackedConn) bool, now time.Time) (victim *trackedConn, idle bool, retry time.Time) {
	var oldestIdle, unfinished *trackedConn
	for c := range l.conns {
		if match != nil && !match(c) {
			continue
		}
		switch {
		case c.phase == phaseIdle && !c.reading:
			if oldestIdle == nil || c.order < oldestIdle.order {
				oldestIdle = c
			}
		case c.phase == phaseNew || c.phase == phaseIdle: // no complete request header yet
			if ready := c.since.Add(l.grace); ready.After(now) {
				if retry.IsZero() || ready.Before(retry) {
					retry = ready
				}
			} else if unfinished == nil || c.since.Before(unfinished.since) || c.since.Equal(unfinished.since) && c.order < unfinished.order {
				unfinished = c
			}
		}
	}
	switch {
	case oldestIdle != nil:
		return oldestIdle, true, time.Time{}
	case unfinished != nil:
		return unfinished, false, time.Time{}
	}
	return nil, false, retry
}

// refuse answers a connection past its client's limit with a 429 and
// closes it. The answer is written before the request is read (HTTP/1.1
// allows it); the connection is then half-closed and what the client sent
// is read for up to a second, so that closing it does not reset the
// answer away. At most maxLingering are answered at once; others are
// closed at once.
func (l *Listener) refuse(raw net.Conn) {
	l.refused.Add(1)
	l.tell("refuse", raw)
	select {
	case l.lingering <- struct{}{}:
	default:
		raw.Close()
		return
	}
	go func() {
		defer func() { <-l.lingering }()
		defer raw.Close()
		raw.SetDeadline(time.Now().Add(time.Second))
		if _, err := raw.Write(l.refusal); err != nil {
			return
		}
		if cw, ok := raw.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		}
		io.Copy(io.Discard, io.LimitReader(raw, 64<<10))
	}()
}

// tell passes an event to the test hook.
func (l *Listener) tell(event string, c net.Conn) {
	if l.note != nil {
		l.note(event, c.RemoteAddr())
	}
}

// clientOf returns the client a connection counts for: its IPv4 address,
// or the /64 of its IPv6 address (the smallest block a site is given; one
// host can use any address of its /64). Proxies are not looked through:
// behind a reverse proxy every connection is the proxy's (see
// docs/reliability.md, "Connections").
func clientOf(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	ip := tcp.AddrPort().Addr().Unmap().WithZone("")
	if ip.Is6() {
		p, err := ip.Prefix(64)
		if err == nil {
			return p.String()
		}
	}
	return ip.String()
}
