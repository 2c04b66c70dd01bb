package reliability

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// cpuTicks returns the server's user and system CPU time, in clock ticks
// (1/100 s).
func (s *server) cpuTicks() int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.Pid()))
	if err != nil {
		return 0
	}
	// The fields after the command's closing parenthesis: utime and
	// stime are the 12th and 13th.
	f := strings.Fields(string(b)[strings.LastIndexByte(string(b), ')')+2:])
	var u, sy int
	fmt.Sscan(f[11], &u)
	fmt.Sscan(f[12], &sy)
	return u + sy
}

// maxHostileShare is the share of one core one hostile client of the
// load suite may take, alone against the server with its default limits.
const maxHostileShare = 0.25

// TestHostileShare runs each kind of the load suite's hostile clients
// alone against the server for PORTFOLIO_SHARE_SECONDS (default 5) and
// measures the CPU the server spends on it. Without the pacing of refused
// requests, one client sending parse bombs in a loop took a whole core
// (2.8 ms of CPU per refusal) and one sending lists that multiply 63-70%
// of one; each must now stay under maxHostileShare of one core.
func TestHostileShare(t *testing.T) {
	requireSuite(t, "HostileShare")
	binary(t)
	path, source := newDatabase(t, true)
	f := newFixture(t, path, source)
	s := startServer(t, path)
	d := time.Duration(envInt(t, "PORTFOLIO_SHARE_SECONDS", 5)) * time.Second
	for kind := range 8 {
		stats := newLoadStats()
		before := s.cpuTicks()
		start := time.Now()
		hostileClient(context.Background(), s, f, kind, start.Add(d), stats)
		el := time.Since(start)
		share := float64(s.cpuTicks()-before) / 100 / el.Seconds()
		t.Logf("hostile client %d alone: the server's CPU %.0f%% of one core for %.1f s; outcomes %v", kind, 100*share, el.Seconds(), stats.hostile)
		if share > maxHostileShare {
			t.Errorf("hostile client %d took %.0f%% of one core, want under %.0f%%", kind, 100*share, 100*maxHostileShare)
		}
	}
}
