package reliability

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"
)

// crashCycle is what one cycle of TestCrash saw.
type crashCycle struct {
	Cycle      int    `json:"cycle"`
	KillAfter  int    `json:"kill_after_ms"`
	Acked      int    `json:"writes_acknowledged"`
	Found      int    `json:"writes_found"`
	Unacked    int    `json:"writes_in_flight"`  // sent, answer lost with the process
	Committed  int    `json:"committed_unacked"` // in flight, yet committed
	Reads      int    `json:"reads"`
	CheckOK    bool   `json:"check_ok"`
	CheckError string `json:"check_error,omitempty"`
}

// crashReport is what TestCrash writes to its artifact.
type crashReport struct {
	Seed         uint64       `json:"seed"`
	Cycles       int          `json:"cycles"`
	Survived     int          `json:"cycles_survived"`
	WritesAcked  int          `json:"writes_acknowledged"`
	WritesFound  int          `json:"writes_found"`
	WritesLost   int          `json:"writes_lost"`
	InFlight     int          `json:"writes_in_flight_at_kill"`
	InFlightKept int          `json:"writes_in_flight_committed"`
	Seconds      float64      `json:"seconds"`
	PerCycle     []crashCycle `json:"per_cycle"`
}

// TestCrash kills the server with SIGKILL in the middle of write load,
// PORTFOLIO_CRASH_CYCLES times (default 20) on the same database, and
// checks after each kill that "portfolio check" passes and that every
// write acknowledged before the kill is in the database. The moments of
// the kills come from PORTFOLIO_CRASH_SEED (default 1).
func TestCrash(t *testing.T) {
	requireSuite(t, "Crash")
	cycles := envInt(t, "PORTFOLIO_CRASH_CYCLES", 20)
	seed := uint64(1)
	if v := os.Getenv("PORTFOLIO_CRASH_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("PORTFOLIO_CRASH_SEED=%q: %v", v, err)
		}
		seed = n
	}
	const writers = 3
	start := time.Now()
	binary(t)
	path, source := newDatabase(t, false)
	f := newFixture(t, path, source)
	rng := rand.New(rand.NewPCG(seed, 7))
	client := newClient(writers + 1)
	prefix := "reliability crash "
	rep := crashReport{Seed: seed, Cycles: cycles}
	acked := map[string]string{} // slug → comment of every acknowledged write of every cycle
	ackedComments := map[string]bool{}

	for c := range cycles {
		killAfter := time.Duration(100+rng.IntN(700)) * time.Millisecond
		cyc := crashCycle{Cycle: c + 1, KillAfter: int(killAfter.Milliseconds())}
		s := startServer(t, path)
		ctx, cancel := context.WithCancel(context.Background())
		var mu sync.Mutex
		sent := map[string]bool{} // comments of the writes sent this cycle
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				targets, token := f.Others, f.Admin
				if w == 1 {
					targets, token = f.Own, f.Manager
				}
				for n := 0; n < 100_000 && ctx.Err() == nil; n++ {
					comment := fmt.Sprintf("%sc%d w%d #%d", prefix, c+1, w, n)
					target := writeTarget{Slug: targets[(c*1000+n*7+w*13)%len(targets)], Token: token}
					mu.Lock()
					sent[comment] = true
					mu.Unlock()
					_, slug, err := recordCommittee(ctx, client, s.URL, target, pastDay((c*997+n*writers+w)%5000), comment)
					if err == nil && slug != "" {
						mu.Lock()
						acked[slug] = comment
						ackedComments[comment] = true
						cyc.Acked++
						mu.Unlock()
					}
				}
			})
		}
		wg.Go(func() {
			for n := 0; n < 100_000 && ctx.Err() == nil; n++ {
				r, err := gql(ctx, client, s.URL, f.Viewer, `{ committees(orderBy: [{field: DATE, direction: DESC}], first: 20) { totalCount nodes { slug } } }`, nil)
				if err == nil && r.Status == http.StatusOK {
					mu.Lock()
					cyc.Reads++
					mu.Unlock()
				}
			}
		})
		time.Sleep(killAfter)
		_ = s.cmd.Process.Kill() // SIGKILL
		cancel()                 // no new request after the kill
		s.kill()                 // waits for the process
		wg.Wait()
		client.CloseIdleConnections()

		if err := checkDB(path); err != nil {
			cyc.CheckError = err.Error()
			t.Errorf("cycle %d: after SIGKILL at %s: %v", c+1, killAfter, err)
		} else {
			cyc.CheckOK = true
		}
		found, err := committeeComments(path, prefix)
		if err != nil {
			t.Fatalf("cycle %d: %v", c+1, err)
		}
		lost := 0
		for slug, comment := range acked {
			if found[slug] != comment {
				lost++
				t.Errorf("cycle %d: acknowledged write %s (%q) is not in the database after the kill", c+1, slug, comment)
			}
		}
		byComment := map[string]bool{}
		for _, comment := range found {
			byComment[comment] = true
		}
		for slug, comment := range acked {
			if found[slug] == comment && commentCycle(comment, prefix) == c+1 {
				cyc.Found++
			}
		}
		for comment := range sent {
			if !ackedComments[comment] {
				cyc.Unacked++
				if byComment[comment] {
					cyc.Committed++
				}
			}
		}
		if lost == 0 && cyc.CheckOK {
			rep.Survived++
		}
		rep.WritesLost = lost // cumulative: every acknowledged write so far is checked each cycle
		rep.InFlight += cyc.Unacked
		rep.InFlightKept += cyc.Committed
		rep.PerCycle = append(rep.PerCycle, cyc)
		t.Logf("cycle %2d: SIGKILL after %3d ms: %3d writes acknowledged, %3d found; %d in flight (%d of them committed); %d reads; check ok: %v",
			cyc.Cycle, cyc.KillAfter, cyc.Acked, cyc.Found, cyc.Unacked, cyc.Committed, cyc.Reads, cyc.CheckOK)
	}
	rep.WritesAcked = len(acked)
	rep.WritesFound = len(acked) - rep.WritesLost
	rep.Seconds = time.Since(start).Seconds()
	t.Logf("crash (%s, seed %d): %d of %d cycles survived; %d writes acknowledged, %d found, %d lost; %d writes in flight at the kills, %d of them committed; %.1fs",
		f.Source, seed, rep.Survived, rep.Cycles, rep.WritesAcked, rep.WritesFound, rep.WritesLost, rep.InFlight, rep.InFlightKept, rep.Seconds)
	writeArtifact(t, "reliability-crash.json", rep)
	if rep.WritesAcked == 0 {
		t.Error("no write was acknowledged: the cycles tested nothing")
	}
}

// commentCycle returns the cycle a crash write's comment names.
func commentCycle(comment, prefix string) int {
	var c int
	fmt.Sscanf(comment[len(prefix):], "c%d", &c)
	return c
}
