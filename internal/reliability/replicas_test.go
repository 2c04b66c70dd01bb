package reliability

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// replicasReport is what TestReplicas writes to its artifact.
type replicasReport struct {
	Database      string  `json:"database"`
	Writes        int     `json:"writes"`
	PlainP50ms    float64 `json:"write_plain_p50_ms"`
	PlainP99ms    float64 `json:"write_plain_p99_ms"`
	ReplP50ms     float64 `json:"write_replicated_p50_ms"`
	ReplP99ms     float64 `json:"write_replicated_p99_ms"`
	LagP50ms      float64 `json:"replica_lag_p50_ms"`
	LagP99ms      float64 `json:"replica_lag_p99_ms"`
	LagMaxms      float64 `json:"replica_lag_max_ms"`
	FollowEvery   string  `json:"follow_interval"`
	StallFoundS   float64 `json:"stall_found_after_s"`
	KillAcked     int     `json:"acked_before_kill"`
	PromoteMs     float64 `json:"promote_ms"`
	PromoteHow    string  `json:"promote_how"`
	FailoverS     float64 `json:"failover_s"`
	TotalSeconds  float64 `json:"seconds"`
	PeerQuestions int     `json:"peer_questions"`
}

// node is a running "portfolio serve" or "portfolio replica".
type node struct {
	*server
	name string
}

// startNode runs the program with args (a command and its flags, --addr
// among them) and waits for its "listening on" line.
func startNode(t *testing.T, name string, args ...string) *node {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = cleanEnv()
	ready := make(chan string, 1)
	var out strings.Builder
	var outMu sync.Mutex
	cmd.Stdout = &lineWatcher{fn: func(line string) {
		outMu.Lock()
		out.WriteString(line + "\n")
		outMu.Unlock()
		if u, ok := strings.CutPrefix(line, "listening on "); ok {
			select {
			case ready <- strings.TrimSpace(u):
			default:
			}
		}
	}}
	s := &server{cmd: cmd, stderr: &logTail{max: 256 << 10}, done: make(chan struct{})}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(s.kill)
	select {
	case u := <-ready:
		s.URL = u
	case <-s.done:
		outMu.Lock()
		defer outMu.Unlock()
		t.Fatalf("%s stopped before listening: %v\n%s\n%s", name, s.waitErr, out.String(), s.stderr.String())
	case <-time.After(time.Minute):
		t.Fatalf("%s did not listen within a minute\n%s", name, s.stderr.String())
	}
	return &node{server: s, name: name}
}

// position returns the node's dataset position ("" when none, or when
// it does not answer).
func (n *node) position(t *testing.T, c *http.Client) string {
	t.Helper()
	r, err := gql(context.Background(), c, n.URL, "", `{ dataset { position } }`, nil)
	if err != nil || r.Status != http.StatusOK || len(r.Errors) > 0 {
		return ""
	}
	var d struct{ Dataset struct{ Position *string } }
	if json.Unmarshal(r.Data, &d) != nil || d.Dataset.Position == nil {
		return ""
	}
	return *d.Dataset.Position
}

// committeeCount returns the number of committees the node holds.
func committeeCount(ctx context.Context, c *http.Client, url, token string) (int, error) {
	r, err := gql(ctx, c, url, token, `{ committees(first: 0) { totalCount } }`, nil)
	if err != nil {
		return 0, err
	}
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		return 0, fmt.Errorf("status %d %+v", r.Status, r.Errors)
	}
	var d struct{ Committees struct{ TotalCount int } }
	if err := json.Unmarshal(r.Data, &d); err != nil {
		return 0, err
	}
	return d.Committees.TotalCount, nil
}

// metric returns a series of the node's /metrics, -1 when absent.
func metric(t *testing.T, c *http.Client, url, name string) float64 {
	t.Helper()
	resp, err := c.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, name+" "); ok {
			v, _ := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			return v
		}
	}
	return -1
}

// childOf returns the pid of a child process of pid, 0 when none.
func childOf(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	if err == nil {
		if f := strings.Fields(string(b)); len(f) > 0 {
			n, _ := strconv.Atoi(f[0])
			return n
		}
	}
	// Children of other threads of the process.
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	for _, task := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pid, task.Name()))
		if err != nil {
			continue
		}
		if f := strings.Fields(string(b)); len(f) > 0 {
			n, _ := strconv.Atoi(f[0])
			return n
		}
	}
	return 0
}

// waitUntil polls cond every 20 ms until it holds; the deadline only stops
// a hang.
func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			t.Fatalf("waited %s for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

// pct returns the p-th percentile of ds, in milliseconds.
func pct(ds []time.Duration, p float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(p / 100 * float64(len(s)-1))
	return float64(s[i].Microseconds()) / 1000
}

// writeSeries records n committees one after the other on url, and returns
// each write's latency and the time its answer arrived.
func writeSeries(t *testing.T, c *http.Client, url string, f *fixture, n int, prefix string) (lat []time.Duration, acked []time.Time) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		target := writeTarget{Slug: f.Others[(i*7)%len(f.Others)], Token: f.Admin}
		start := time.Now()
		_, slug, err := recordCommittee(ctx, c, url, target, pastDay(i%3000), fmt.Sprintf("%s #%d", prefix, i))
		if err != nil || slug == "" {
			t.Fatalf("write %d on %s: %v", i, url, err)
		}
		now := time.Now()
		lat, acked = append(lat, now.Sub(start)), append(acked, now)
	}
	return lat, acked
}

// TestReplicas runs one primary and two replicas on this machine, on
// 127.0.0.1, .2 and .3, with a directory as the replica store, and shows:
// every acknowledged write readable on both replicas within 5 s; a replica
// answering the peer harness's questions as the primary does; a mutation
// sent to a replica forwarded once and applied once; a stalled follower
// found and restarted; the primary killed (SIGKILL) right after acknowledged
// writes, a replica promoted with every acknowledged write, new writes
// taken, and the old primary fenced when it comes back.
func TestReplicas(t *testing.T) {
	requireSuite(t, "Replicas")
	start := time.Now()
	binary(t)
	path, source := newDatabase(t, false)
	f := newFixture(t, path, source)
	dir := t.TempDir()
	store := "file://" + filepath.Join(dir, "store")
	c := newClient(8)
	ctx := context.Background()
	rep := replicasReport{Database: source, Writes: 200, FollowEvery: "1s (the default)"}

	// What a write costs without replication: the same database, copied.
	plain := filepath.Join(dir, "plain.db")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(plain, b, 0o600); err != nil {
		t.Fatal(err)
	}
	ps := startNode(t, "plain", "serve", "--db", plain, "--addr", "127.0.0.1:0")
	plainLat, _ := writeSeries(t, c, ps.URL, f, 200, "reliability replicas plain")
	if err := ps.stop(); err != nil {
		t.Fatal(err)
	}
	rep.PlainP50ms, rep.PlainP99ms = pct(plainLat, 50), pct(plainLat, 99)

	primary := startNode(t, "primary", "serve", "--db", path, "--addr", "127.0.0.1:0", "--replicate-to", store, "--node", "primary")
	r1 := startNode(t, "replica-1", "replica", "--db", filepath.Join(dir, "r1.db"), "--from", store, "--addr", "127.0.0.2:0",
		"--primary", primary.URL, "--node", "replica-1", "--stall-after", "3s")
	r2 := startNode(t, "replica-2", "replica", "--db", filepath.Join(dir, "r2.db"), "--from", store, "--addr", "127.0.0.3:0",
		"--node", "replica-2")
	for _, n := range []*node{r1, r2} {
		if !strings.HasPrefix(n.URL, "http://127.0.0.") {
			t.Fatalf("%s listens on %s", n.name, n.URL)
		}
	}

	// 1. Each acknowledged write, readable on both replicas: pollers read
	// the committees' count on each replica while the writes go on.
	base, err := committeeCount(ctx, c, primary.URL, f.Viewer)
	if err != nil {
		t.Fatal(err)
	}
	const writes = 200
	seen := [2][]time.Time{make([]time.Time, writes), make([]time.Time, writes)}
	stop := make(chan struct{})
	var pollers sync.WaitGroup
	for k, n := range []*node{r1, r2} {
		pollers.Go(func() {
			next := 0
			for next < writes {
				cnt, err := committeeCount(ctx, c, n.URL, f.Viewer)
				now := time.Now()
				for err == nil && next < writes && cnt >= base+next+1 {
					seen[k][next] = now
					next++
				}
				select {
				case <-stop:
					return
				case <-time.After(10 * time.Millisecond):
				}
			}
		})
	}
	replLat, acked := writeSeries(t, c, primary.URL, f, writes, "reliability replicas")
	waitUntil(t, 30*time.Second, "the writes on both replicas", func() bool {
		return !seen[0][writes-1].IsZero() && !seen[1][writes-1].IsZero()
	})
	close(stop)
	pollers.Wait()
	var lags []time.Duration
	for k := range 2 {
		for i := range writes {
			lag := max(seen[k][i].Sub(acked[i]), 0)
			if lag > 5*time.Second {
				t.Errorf("write %d was readable on replica-%d %s after its answer, want within 5 s", i, k+1, lag)
			}
			lags = append(lags, lag)
		}
	}
	rep.ReplP50ms, rep.ReplP99ms = pct(replLat, 50), pct(replLat, 99)
	rep.LagP50ms, rep.LagP99ms, rep.LagMaxms = pct(lags, 50), pct(lags, 99), pct(lags, 100)
	t.Logf("replicas: a write takes %.1f ms p50, %.1f ms p99 with replication (%.1f / %.1f without): shipping adds %.1f ms p50, %.1f ms p99",
		rep.ReplP50ms, rep.ReplP99ms, rep.PlainP50ms, rep.PlainP99ms, rep.ReplP50ms-rep.PlainP50ms, rep.ReplP99ms-rep.PlainP99ms)
	t.Logf("replicas: each of %d writes readable on both replicas %.0f ms p50, %.0f ms p99, %.0f ms at most after its answer (follow every 1 s)",
		writes, rep.LagP50ms, rep.LagP99ms, rep.LagMaxms)

	// dataset says which node answered, as of which position; /readyz and
	// /metrics show it.
	pos := primary.position(t, c)
	waitUntil(t, 30*time.Second, "replica-1 at the primary's position", func() bool { return r1.position(t, c) == pos })
	var ds struct {
		Dataset struct {
			Node, Role, Position string
			Generation           int
		}
	}
	mustQuery(t, c, r1.URL, "", `{ dataset { node role position generation } }`, nil, &ds)
	if ds.Dataset.Node != "replica-1" || ds.Dataset.Role != "REPLICA" || ds.Dataset.Position != pos || ds.Dataset.Generation != 1 {
		t.Errorf("dataset on replica-1: %+v, want replica-1, REPLICA, %s, generation 1", ds.Dataset, pos)
	}
	if lag := metric(t, c, r1.URL, "portfolio_replica_lag_seconds"); lag < 0 {
		t.Errorf("replica-1's /metrics has no portfolio_replica_lag_seconds")
	}
	if resp, err := c.Get(r1.URL + "/readyz"); err != nil {
		t.Fatal(err)
	} else {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "replica of "+store+" at position "+pos) {
			t.Errorf("replica-1's /readyz: %d %s", resp.StatusCode, b)
		}
	}

	// 2. The peer harness's questions (bench/queries, the project's
	// wording of ../shared/bench-peers/queries), answered by replica-1 as
	// by the primary.
	qdir := filepath.Join(build.root, "bench", "queries")
	for _, q := range []string{"q1", "q2", "q3"} {
		doc, err := os.ReadFile(filepath.Join(qdir, q+".graphql"))
		if err != nil {
			t.Fatal(err)
		}
		var vars map[string]any
		if v, err := os.ReadFile(filepath.Join(qdir, q+".variables.json")); err == nil {
			json.Unmarshal(v, &vars)
		}
		var answers [2]string
		for i, n := range []*node{primary, r1} {
			r, err := gql(ctx, c, n.URL, f.Viewer, string(doc), vars)
			if err != nil || r.Status != http.StatusOK || len(r.Errors) > 0 {
				t.Fatalf("%s on %s: %v %+v", q, n.name, err, r)
			}
			answers[i] = string(r.Data)
		}
		if answers[0] != answers[1] || len(answers[1]) < 100 {
			t.Errorf("%s: replica-1 answered %d bytes, the primary %d, not the same", q, len(answers[1]), len(answers[0]))
		}
		rep.PeerQuestions++
	}

	// 3. A mutation sent to a replica: forwarded once with the caller's
	// token and key, applied once; sent again with the same key, answered
	// the same, applied once still. Without --primary: refused.
	fwd := func() (*reply, string) {
		r, err := gql(ctx, c, r1.URL, f.Admin, `mutation($in: RecordCommitteeInput!) { recordCommittee(input: $in) { committee { slug comment } } }`,
			map[string]any{"in": map[string]any{"startup": f.Others[0], "date": pastDay(4000), "decision": "CONTINUE", "comment": "reliability replicas forwarded",
				"anotherOnSameDay": true, "clientMutationId": "replicas-forwarded-1"}})
		if err != nil || r.Status != http.StatusOK || len(r.Errors) > 0 {
			t.Fatalf("a mutation through replica-1: %v %+v", err, r)
		}
		return r, r.Header.Get("X-Portfolio-Forwarded")
	}
	a1, via1 := fwd()
	a2, via2 := fwd()
	if via1 != "primary" || via2 != "primary" || string(a1.Data) != string(a2.Data) {
		t.Errorf("forwarded twice with one key: %s (%s), then %s (%s)", a1.Data, via1, a2.Data, via2)
	}
	waitUntil(t, 30*time.Second, "the forwarded write on replica-2", func() bool {
		var d struct{ Committees struct{ TotalCount int } }
		mustQuery(t, c, r2.URL, f.Viewer, `query($s: String!, $d: Date!) { committees(first: 0, filter: {startups: [$s], from: $d, to: $d}) { totalCount } }`,
			map[string]any{"s": f.Others[0], "d": pastDay(4000)}, &d)
		return d.Committees.TotalCount == 1
	})
	refused, err := gql(ctx, c, r2.URL, f.Admin, recordMutation, map[string]any{"in": map[string]any{
		"startup": f.Others[0], "date": pastDay(4001), "decision": "CONTINUE", "comment": "refused"}})
	if err != nil || refused.firstCode() != "READ_ONLY_REPLICA" || !strings.Contains(string(refused.Body), "primary") {
		t.Errorf("a mutation on replica-2 (no --primary): %v %s", err, refused.Body)
	}

	// 4. A stalled follower: replica-1's, stopped (SIGSTOP) while the
	// primary writes on. Found after --stall-after (3 s), killed, restarted,
	// the copy reseeded: replica-1 catches up.
	follower := childOf(r1.Pid())
	if follower == 0 {
		t.Fatal("replica-1 has no follower process")
	}
	if err := syscall.Kill(follower, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	stalledAt := time.Now()
	writeSeries(t, c, primary.URL, f, 5, "reliability replicas while stalled")
	waitUntil(t, 60*time.Second, "the stall found", func() bool {
		return metric(t, c, r1.URL, "portfolio_replica_stalls_total") >= 1
	})
	rep.StallFoundS = time.Since(stalledAt).Seconds()
	pos = primary.position(t, c)
	waitUntil(t, 60*time.Second, "replica-1 caught up after its follower's restart", func() bool { return r1.position(t, c) == pos })
	if err := syscall.Kill(follower, 0); err == nil {
		t.Errorf("the stalled follower (pid %d) still runs", follower)
	}
	if !strings.Contains(r1.stderr.String(), "follower stalled") {
		t.Errorf("replica-1 did not log the stall")
	}
	t.Logf("replicas: a follower stopped with SIGSTOP was found stalled %.1f s later (--stall-after 3s), restarted, and caught up", rep.StallFoundS)

	// 5. Failover. Writers record committees; the primary is killed right
	// after acknowledged writes; replica-1 is stopped and promoted.
	wctx, cancel := context.WithCancel(ctx)
	var mu sync.Mutex
	ackedComments := []string{}
	var writers sync.WaitGroup
	for w := range 3 {
		writers.Go(func() {
			for n := 0; wctx.Err() == nil; n++ {
				comment := fmt.Sprintf("reliability replicas failover w%d #%d", w, n)
				_, slug, err := recordCommittee(wctx, c, primary.URL, writeTarget{Slug: f.Others[(w*31+n*7)%len(f.Others)], Token: f.Admin}, pastDay(n%3000), comment)
				if err == nil && slug != "" {
					mu.Lock()
					ackedComments = append(ackedComments, comment)
					mu.Unlock()
				}
			}
		})
	}
	waitUntil(t, 30*time.Second, "acknowledged writes", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(ackedComments) >= 30
	})
	failover := time.Now()
	_ = primary.cmd.Process.Kill() // SIGKILL, writes in flight
	cancel()
	primary.kill()
	writers.Wait()
	rep.KillAcked = len(ackedComments)
	if err := r1.stop(); err != nil {
		t.Fatalf("stop replica-1: %v", err)
	}
	promoteStart := time.Now()
	out := cli(t, "promote", "--db", filepath.Join(dir, "r1.db"), "--from", store, "--node", "replica-1")
	rep.PromoteMs = float64(time.Since(promoteStart).Microseconds()) / 1000
	if i := strings.Index(out, "("); i >= 0 {
		rep.PromoteHow = strings.SplitN(out[i+1:], ")", 2)[0]
	}
	if !strings.Contains(out, "generation 2") {
		t.Errorf("promote said: %s", out)
	}
	db, err := openReadOnly(filepath.Join(dir, "r1.db"))
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, cm := range column(t, db, `SELECT comment FROM committees WHERE comment LIKE 'reliability replicas failover %'`) {
		have[cm] = true
	}
	db.Close()
	lost := 0
	for _, cm := range ackedComments {
		if !have[cm] {
			lost++
		}
	}
	if lost > 0 {
		t.Errorf("%d of %d acknowledged writes are missing from the promoted copy", lost, len(ackedComments))
	}
	np := startNode(t, "new primary", "serve", "--db", filepath.Join(dir, "r1.db"), "--addr", "127.0.0.2:0", "--replicate-to", store, "--node", "replica-1")
	rep.FailoverS = time.Since(failover).Seconds()
	if _, slug, err := recordCommittee(ctx, c, np.URL, writeTarget{Slug: f.Others[1], Token: f.Admin}, pastDay(4002), "reliability replicas after failover"); err != nil || slug == "" {
		t.Fatalf("a write on the new primary: %v", err)
	}
	// replica-2 follows the new primary through the store.
	pos = np.position(t, c)
	waitUntil(t, 30*time.Second, "replica-2 following the new primary", func() bool { return r2.position(t, c) >= pos })
	mustQuery(t, c, r2.URL, "", `{ dataset { node role position generation } }`, nil, &ds)
	if ds.Dataset.Generation != 2 {
		t.Errorf("replica-2 after the failover: %+v, want generation 2", ds.Dataset)
	}
	t.Logf("replicas: SIGKILL of the primary after %d acknowledged writes, all in the promoted copy; promote took %.0f ms (%s); new primary writing %.1f s after the kill",
		rep.KillAcked, rep.PromoteMs, rep.PromoteHow, rep.FailoverS)

	// The old primary comes back: fenced.
	octx, ocancel := context.WithTimeout(ctx, time.Minute) // a server that was not fenced would serve on
	defer ocancel()
	cmd := exec.CommandContext(octx, binary(t), "serve", "--db", path, "--addr", "127.0.0.1:0", "--replicate-to", store, "--node", "primary")
	cmd.Env = cleanEnv()
	outb, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 9 || !strings.Contains(string(outb), "fenced") || !strings.Contains(string(outb), "generation 2") {
		t.Errorf("the old primary restarted: %v\n%s", err, outb)
	} else {
		t.Logf("replicas: the old primary, restarted, exits 9: %s", lastLine(string(outb)))
	}

	rep.TotalSeconds = time.Since(start).Seconds()
	writeArtifact(t, "reliability-replicas.json", rep)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// sshd is an OpenSSH server run by a test on 127.0.0.1, in a temporary
// folder: its host key, the client's key, its configuration.
type sshd struct {
	dir, port, user string
}

// startSSHD starts Debian's openssh-server (.ci/run installs it) on a
// free loopback port, with key logins for the current user and the
// internal SFTP server; it skips the test when there is none.
func startSSHD(t *testing.T) *sshd {
	t.Helper()
	bin := "/usr/sbin/sshd"
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("the SFTP store needs Debian's openssh-server (%s: %v): apt-get install -y openssh-server", bin, err)
	}
	keygen, err := exec.LookPath("ssh-keygen")
	if err != nil {
		t.Skipf("the SFTP store needs ssh-keygen (openssh-client): %v", err)
	}
	// sshd insists on its privilege separation folder, even for a test.
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		t.Skipf("sshd needs /run/sshd, which this user cannot make: %v", err)
	}
	u := os.Getenv("USER")
	if out, err := exec.Command("id", "-un").Output(); err == nil {
		u = strings.TrimSpace(string(out))
	}
	s := &sshd{dir: t.TempDir(), user: u}
	for _, k := range []string{"host_key", "client_key"} {
		if out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(s.dir, k)).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v\n%s", err, out)
		}
	}
	pub, err := os.ReadFile(filepath.Join(s.dir, "client_key.pub"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.dir, "authorized_keys"), pub, 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, s.port, _ = net.SplitHostPort(ln.Addr().String())
	ln.Close()
	conf := fmt.Sprintf(`Port %s
ListenAddress 127.0.0.1
HostKey %s
PidFile %s
AuthorizedKeysFile %s
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
Subsystem sftp internal-sftp
LogLevel ERROR
`, s.port, filepath.Join(s.dir, "host_key"), filepath.Join(s.dir, "sshd.pid"), filepath.Join(s.dir, "authorized_keys"))
	cfg := filepath.Join(s.dir, "sshd_config")
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-D", "-e", "-f", cfg)
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start sshd: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	waitUntil(t, 30*time.Second, "sshd on port "+s.port, func() bool {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+s.port, time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return s
}

// TestReplicasSFTP ships to an SFTP store (OpenSSH's, on 127.0.0.1, key
// login, host key checked) and follows it from a replica: each write
// readable on the replica within 5 s.
func TestReplicasSFTP(t *testing.T) {
	requireSuite(t, "Replicas")
	s := startSSHD(t)
	binary(t)
	path, source := newDatabase(t, false)
	f := newFixture(t, path, source)
	dir := t.TempDir()
	store := fmt.Sprintf("sftp://%s@127.0.0.1:%s%s", s.user, s.port, filepath.Join(dir, "store"))
	keys := []string{"--sftp-key", filepath.Join(s.dir, "client_key"), "--sftp-host-key", filepath.Join(s.dir, "host_key.pub")}
	c := newClient(4)
	ctx := context.Background()
	primary := startNode(t, "primary", append([]string{"serve", "--db", path, "--addr", "127.0.0.1:0", "--replicate-to", store, "--node", "primary"}, keys...)...)
	replica := startNode(t, "replica", append([]string{"replica", "--db", filepath.Join(dir, "r.db"), "--from", store, "--addr", "127.0.0.2:0", "--node", "replica"}, keys...)...)
	base, err := committeeCount(ctx, c, primary.URL, f.Viewer)
	if err != nil {
		t.Fatal(err)
	}
	const writes = 20
	lat, acked := writeSeries(t, c, primary.URL, f, writes, "reliability replicas sftp")
	var lags []time.Duration
	for i := range writes {
		waitUntil(t, 30*time.Second, fmt.Sprintf("write %d on the replica", i), func() bool {
			n, err := committeeCount(ctx, c, replica.URL, f.Viewer)
			return err == nil && n >= base+i+1
		})
		lags = append(lags, time.Since(acked[i]))
		if lags[i] > 5*time.Second {
			t.Errorf("write %d was readable on the replica %s after its answer, want within 5 s", i, lags[i])
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "store", "ltx", "0")); err != nil {
		t.Errorf("the store's folder on the SFTP server: %v", err)
	}
	t.Logf("replicas: over SFTP (OpenSSH on 127.0.0.1), a write takes %.1f ms p50, %.1f ms p99; each of %d readable on the replica within %.0f ms of its answer",
		pct(lat, 50), pct(lat, 99), writes, pct(lags, 100))
}
