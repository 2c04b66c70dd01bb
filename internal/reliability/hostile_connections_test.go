package reliability

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The connection attack of issue 20: 512 keep-alive connections that each
// sent one GET /healthz and then idled locked every new client out for up
// to the idle timeout (60 s), since the server's connection limit never
// closed an idle connection to make room. TestHostileConnections holds
// thousands of such connections against the real binary, from many
// loopback addresses (so that the per-client limit does not hide the
// global one) and from one, and checks that new clients are answered
// within a second meanwhile.

// loopbackDialer dials from the loopback address from (any address of
// 127.0.0.0/8 is this host's on Linux): to the server, another client.
func loopbackDialer(from string) *net.Dialer {
	return &net.Dialer{Timeout: 10 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
}

// loopbackClient is newClient(conns) whose connections come from the
// loopback address from: a client of its own, which the server's limit of
// connections per client address counts apart from the others.
func loopbackClient(from string, conns int) *http.Client {
	c := newClient(conns)
	c.Transport.(*http.Transport).DialContext = loopbackDialer(from).DialContext
	return c
}

// raiseFileLimit makes sure this process may open n more files: Go raises
// the soft RLIMIT_NOFILE to the hard one at start (since 1.19, for every
// Go program, the server too), so this only checks, and raises it where
// that did not happen.
func raiseFileLimit(t *testing.T, n uint64) {
	t.Helper()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatalf("getrlimit: %v", err)
	}
	if lim.Cur >= n {
		return
	}
	if lim.Max < n {
		t.Fatalf("this process may open %d files (hard limit), the attack needs %d: raise it (ulimit -Hn)", lim.Max, n)
	}
	lim.Cur = n
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatalf("setrlimit: %v", err)
	}
}

// openFiles returns the soft limit of open files of a process, from
// /proc/PID/limits, or "" where there is no /proc.
func openFiles(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", pid))
	if err != nil {
		return ""
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "Max open files"); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				return f[0]
			}
		}
	}
	return ""
}

// connectionMetrics returns the portfolio_connections_* lines of the
// server's /metrics, or "" (the binary of before has none).
func connectionMetrics(url string) string {
	r, err := send(&http.Client{Timeout: 5 * time.Second}, must(http.NewRequest(http.MethodGet, url+"/metrics", nil)))
	if err != nil {
		return ""
	}
	var lines []string
	for line := range strings.SplitSeq(string(r.Body), "\n") {
		if strings.HasPrefix(line, "portfolio_connections_") {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "; ")
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestHostileConnections holds 2,000 connections that sent one request
// and idle, that sent nothing, or that sent half a request line, from 16
// loopback addresses and from one, and checks that three new clients are
// each answered within a second meanwhile, and that the server's peak RSS
// stays under 200 MiB.
func TestHostileConnections(t *testing.T) {
	requireSuite(t, "Hostile")
	binary(t)
	path, source := newDatabase(t, false) // connections do not depend on the data
	const conns = 2000
	raiseFileLimit(t, conns+1024)
	kinds := []struct{ name, send string }{
		{"idle after GET /healthz", "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"silent", ""},
		{"half a request line", "GET /heal"},
	}
	for _, kind := range kinds {
		for _, sources := range []int{16, 1} {
			from := "one address"
			if sources > 1 {
				from = fmt.Sprintf("%d addresses", sources)
			}
			t.Run(fmt.Sprintf("%s, %d connections from %s", kind.name, conns, from), func(t *testing.T) {
				s := startServer(t, path)
				addr := strings.TrimPrefix(s.URL, "http://")
				if sources == 16 {
					t.Logf("against %s; the server may open %s files", source, openFiles(s.Pid()))
				}

				// The attack: every connection opened (the kernel
				// completes the handshake even when the server does not
				// accept), each sends its bytes, none reads.
				var mu sync.Mutex
				var held []net.Conn
				failed := 0
				next := make(chan int)
				var wg sync.WaitGroup
				for range 32 {
					wg.Go(func() {
						for i := range next {
							from := fmt.Sprintf("127.0.0.%d", 2+i%sources)
							c, err := loopbackDialer(from).Dial("tcp", addr)
							if err == nil && kind.send != "" {
								_, err = io.WriteString(c, kind.send)
							}
							mu.Lock()
							if c != nil {
								held = append(held, c)
							}
							if err != nil {
								failed++
							}
							mu.Unlock()
						}
					})
				}
				cpuBefore := cpuSeconds(s.Pid())
				start := time.Now()
				for i := range conns {
					next <- i
				}
				close(next)
				wg.Wait()
				opened := time.Since(start)
				defer func() {
					for _, c := range held {
						c.Close()
					}
				}()
				// The attacker holds them; the probes come a second later
				// (a real attacker holds them for minutes).
				time.Sleep(time.Second)

				// Three new clients, one after the other, each on a
				// connection of its own from 127.0.0.1.
				var times []string
				for i := range 3 {
					c := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
					ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
					r, err := gql(ctx, c, s.URL, "", `{ startups(first: 1) { totalCount } }`, nil)
					cancel()
					switch {
					case err != nil:
						times = append(times, "no answer in 3 s")
						t.Errorf("probe %d: %v", i+1, err)
					case r.Status != 200 || len(r.Errors) > 0:
						times = append(times, fmt.Sprintf("status %d", r.Status))
						t.Errorf("probe %d: status %d %.200s", i+1, r.Status, r.Body)
					default:
						times = append(times, r.Elapsed.Round(100*time.Microsecond).String())
						if r.Elapsed > time.Second {
							t.Errorf("probe %d answered in %s, want under 1 s", i+1, r.Elapsed.Round(time.Millisecond))
						}
					}
				}
				rss := s.peakRSS()
				cpu := cpuSeconds(s.Pid()) - cpuBefore
				t.Logf("%d connections opened in %s (%d failed); probes: %s; server peak RSS %.0f MiB, %.2f s of CPU for the attack and the probes; %s",
					len(held), opened.Round(time.Millisecond), failed, strings.Join(times, ", "), float64(rss)/1024, cpu, connectionMetrics(s.URL))
				if rss > 200<<10 {
					t.Errorf("server peak RSS %.0f MiB, want under 200", float64(rss)/1024)
				}
			})
		}
	}
}
