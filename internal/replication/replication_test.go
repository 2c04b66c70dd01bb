package replication

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/litestream"
	"github.com/superfly/ltx"

	"github.com/incubateurs/portfolio/internal/sqlite"
)

// The follower runs in a process of its own (see follow.go): the tests
// start this test binary again as one, told so by these variables.
const (
	envFollower = "REPLICATION_TEST_FOLLOWER" // the store's URL
	envCopy     = "REPLICATION_TEST_COPY"
	envStock    = "REPLICATION_TEST_STOCK" // 1: Litestream's follower alone, without invalidatingClient
	envReseed   = "REPLICATION_TEST_RESEED"
)

func TestMain(m *testing.M) {
	if store := os.Getenv(envFollower); store != "" {
		os.Exit(runTestFollower(store, os.Getenv(envCopy), os.Getenv(envStock) == "1", os.Getenv(envReseed) == "1"))
	}
	os.Exit(m.Run())
}

// runTestFollower follows until killed.
func runTestFollower(store, path string, stock, reseed bool) int {
	st, err := OpenStore(store, StoreOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if !stock {
		err = Follow(ctx, FollowOptions{Store: st, Path: path, Interval: 20 * time.Millisecond, Reseed: reseed, Logger: log})
	} else {
		// Litestream's follow mode as it comes: restore, rollback mode,
		// follow.
		if err = restoreCopy(ctx, st, path, log); err == nil {
			opt := litestream.NewRestoreOptions()
			opt.OutputPath, opt.Follow, opt.FollowInterval = path, true, 20*time.Millisecond
			err = litestream.NewReplicaWithClient(nil, st.Client).Restore(ctx, opt)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// startFollower starts a follower process on path, killed when the test
// ends.
func startFollower(t *testing.T, store, path string, stock bool, reseed ...bool) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envFollower+"="+store, envCopy+"="+path)
	if stock {
		cmd.Env = append(cmd.Env, envStock+"=1")
	}
	if len(reseed) > 0 && reseed[0] {
		cmd.Env = append(cmd.Env, envReseed+"=1")
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

// copyAt returns the position of the copy at path, 0 while it is missing.
func copyAt(path string) Position {
	if _, err := os.Stat(path); err != nil {
		return 0
	}
	p, _ := Applied(path)
	return p
}

// waitFor polls cond until it holds, failing the test after d.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// testPrimary is a WAL database shipped to a directory store.
type testPrimary struct {
	path  string
	store string
	db    *sql.DB
	p     *Primary
}

// newTestPrimary makes a database of 2,000 rows of 200 bytes (many pages,
// so that a change to one row leaves page 1 alone) and starts shipping it.
func newTestPrimary(t *testing.T, dir string) *testPrimary {
	t.Helper()
	tp := &testPrimary{path: filepath.Join(dir, "primary.db"), store: "file://" + filepath.Join(dir, "store")}
	db, err := sql.Open("sqlite", "file:"+tp.path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=wal_autocheckpoint(0)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	tp.db = db
	if _, err := db.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	tx, _ := db.Begin()
	for i := range 2000 {
		tx.Exec("INSERT INTO t VALUES (?, ?)", i, strings.Repeat("x", 200))
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	tp.start(t)
	return tp
}

func (tp *testPrimary) start(t *testing.T) {
	t.Helper()
	st, err := OpenStore(tp.store, StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := CheckFence(ctx, st, tp.path, nil); err != nil {
		t.Fatal(err)
	}
	// A portfolio database: migrated, with its generation mark.
	pdb, err := sqlite.OpenWith(ctx, tp.path, sqlite.Options{NoAutoCheckpoint: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = EnsureMark(ctx, pdb, st, "node-a")
	pdb.Close()
	if err != nil {
		t.Fatal(err)
	}
	if tp.p, err = StartPrimary(ctx, PrimaryOptions{Store: st, Path: tp.path, ShipEvery: time.Hour}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tp.p.Close(context.Background()) })
}

// set writes row id and ships it.
func (tp *testPrimary) set(t *testing.T, id int, v string) Position {
	t.Helper()
	if _, err := tp.db.Exec("UPDATE t SET v = ? WHERE id = ?", v, id); err != nil {
		t.Fatal(err)
	}
	if err := tp.p.Ship(context.Background()); err != nil {
		t.Fatal(err)
	}
	return tp.p.Status().Position
}

// TestFollowerReadersSeeChanges keeps one reader connection warm on a
// replica's copy while the primary changes a row far from page 1: the
// reader must see each change once its position is applied. Litestream's
// follower alone leaves it on its cached pages (the stock case, which
// documents why invalidatingClient exists: if it starts to pass, Litestream
// bumps the change counter itself).
func TestFollowerReadersSeeChanges(t *testing.T) {
	for _, stock := range []bool{false, true} {
		t.Run(map[bool]string{false: "with invalidation", true: "litestream alone"}[stock], func(t *testing.T) {
			dir := t.TempDir()
			tp := newTestPrimary(t, dir)
			copyPath := filepath.Join(dir, "copy.db")
			startFollower(t, tp.store, copyPath, stock)
			waitFor(t, 30*time.Second, "the copy", func() bool { return copyAt(copyPath) > 0 })
			rdb, err := sqlite.OpenFollowed(context.Background(), copyPath)
			if err != nil {
				t.Fatal(err)
			}
			defer rdb.Close()
			// One connection, warm: the test reads through the replica DB's
			// own pool with a raw connection of the same settings.
			conn, err := sql.Open("sqlite", "file:"+copyPath+"?mode=ro&_pragma=busy_timeout(10000)&_pragma=query_only(1)")
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetMaxOpenConns(1)
			conn.SetMaxIdleConns(1)
			read := func() string {
				var v string
				if err := conn.QueryRow("SELECT v FROM t WHERE id = 1500").Scan(&v); err != nil {
					t.Fatal(err)
				}
				return v
			}
			read() // cache the page
			stale := 0
			for i := range 5 {
				want := fmt.Sprintf("change %d", i)
				pos := tp.set(t, 1500, want)
				waitFor(t, 30*time.Second, "position "+pos.String(), func() bool { return copyAt(copyPath) >= pos })
				if got := read(); got != want {
					stale++
				}
			}
			switch {
			case !stock && stale > 0:
				t.Errorf("the warm reader missed %d of 5 changes", stale)
			case stock && stale == 0:
				t.Log("Litestream's follower alone invalidated the reader's cache: invalidatingClient may no longer be needed")
			}
		})
	}
}

// TestReseedReadersSeeChanges: a follower stopped, the primary writing on,
// a new follower reseeding the copy in place (what the supervisor does to a
// stalled one): a reader kept warm all along sees the state reseeded.
func TestReseedReadersSeeChanges(t *testing.T) {
	dir := t.TempDir()
	tp := newTestPrimary(t, dir)
	copyPath := filepath.Join(dir, "copy.db")
	f := startFollower(t, tp.store, copyPath, false)
	pos := tp.set(t, 1500, "applied once")
	waitFor(t, 30*time.Second, "position "+pos.String(), func() bool { return copyAt(copyPath) >= pos })
	conn, err := sql.Open("sqlite", "file:"+copyPath+"?mode=ro&_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	conn.SetMaxIdleConns(1)
	read := func() string {
		var v string
		if err := conn.QueryRow("SELECT v FROM t WHERE id = 1500").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if got := read(); got != "applied once" {
		t.Fatalf("before: %q", got)
	}
	f.Process.Kill()
	f.Wait()
	pos = tp.set(t, 1500, "reseeded")
	startFollower(t, tp.store, copyPath, false, true)
	waitFor(t, 30*time.Second, "the reseed at "+pos.String(), func() bool { return copyAt(copyPath) >= pos })
	if got := read(); got != "reseeded" {
		t.Errorf("the warm reader after the reseed reads %q, want %q", got, "reseeded")
	}
}

// TestPromoteAndFence: a replica's copy, stopped behind the store, is
// promoted; the new primary ships on; the old primary's file is then
// fenced, and a second promotion of a copy left behind refuses to start.
func TestPromoteAndFence(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	tp := newTestPrimary(t, dir)
	st, _ := OpenStore(tp.store, StoreOptions{})
	mark := func(path string) *sqlite.ReplicationMark {
		db, err := sqlite.OpenExisting(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		m, err := db.ReplicationMark(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	copyPath := filepath.Join(dir, "copy.db")
	f := startFollower(t, tp.store, copyPath, false)
	first := tp.set(t, 1, "before the replica stopped")
	waitFor(t, 30*time.Second, "the copy at "+first.String(), func() bool { return copyAt(copyPath) >= first })
	f.Process.Kill()
	f.Wait()
	last := tp.set(t, 2, "acknowledged while the replica was stopped")
	tp.p.Close(ctx) // the primary is lost (its file stays)

	res, err := Promote(ctx, PromoteOptions{Store: st, Path: copyPath, Node: "node-b", CatchUp: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if res.From != last || res.Generation != 2 || !strings.HasPrefix(res.How, "followed") {
		t.Errorf("promote: %+v, want from %s, generation 2, followed", res, last)
	}
	if m := mark(tp.path); m == nil || m.Generation != 1 || m.Node != "node-a" {
		t.Errorf("the old primary's mark: %+v", m)
	}
	if m := mark(copyPath); m == nil || m.Generation != 2 || m.FromPosition != uint64(last) || m.Node != "node-b" {
		t.Errorf("mark after promote: %+v", m)
	}
	db, err := sql.Open("sqlite", copyPath)
	if err != nil {
		t.Fatal(err)
	}
	var v string
	db.QueryRow("SELECT v FROM t WHERE id = 2").Scan(&v)
	db.Close()
	if v != "acknowledged while the replica was stopped" {
		t.Errorf("the promoted copy has %q for the last acknowledged write", v)
	}
	// The new primary starts from there.
	if err := CheckFence(ctx, st, copyPath, nil); err != nil {
		t.Fatalf("the promoted copy may not start: %v", err)
	}
	np, err := StartPrimary(ctx, PrimaryOptions{Store: st, Path: copyPath, ShipEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer np.Close(ctx)
	if got := np.Status().Position; got <= last {
		t.Errorf("the new primary shipped up to %s, want past %s", got, last)
	}
	// The old primary comes back: fenced, the store's generation named.
	err = CheckFence(ctx, st, tp.path, nil)
	var fe *FencedError
	if !errors.As(err, &fe) || fe.Local != last || fe.StoreNewest <= last || fe.StoreMark == nil || fe.StoreMark.Node != "node-b" {
		t.Fatalf("the old primary: %v (%+v), want fenced, naming node-b", err, fe)
	}
	t.Log(err)
	// Started without the check, it is fenced at its first ship, before it
	// uploads anything.
	newest, _, _ := st.Newest(ctx)
	_, err = StartPrimary(ctx, PrimaryOptions{Store: st, Path: tp.path, ShipEvery: time.Hour})
	if !errors.As(err, &fe) || !fe.Running {
		t.Errorf("the old primary started without the check: %v, want fenced at its first ship", err)
	}
	if after, _, _ := st.Newest(ctx); after != newest {
		t.Errorf("the fenced primary shipped: the store went from %s to %s", newest, after)
	}
}

func TestFenceOf(t *testing.T) {
	m := func(gen int64, from uint64) *sqlite.ReplicationMark {
		return &sqlite.ReplicationMark{Generation: gen, FromPosition: from}
	}
	tests := []struct {
		name          string
		mark          *sqlite.ReplicationMark
		local, newest Position
		fenced        bool
	}{
		{"empty store, new file", nil, 0, 0, false},
		{"empty store, a file that shipped elsewhere", m(3, 0), 40, 0, false},
		{"a store in use, a file that never shipped", nil, 0, 12, true},
		{"restart, nothing shipped since", m(1, 0), 12, 12, false},
		{"restart, unshipped commits", m(1, 0), 13, 12, false},
		{"replaced while away", m(1, 0), 12, 15, true},
		{"just promoted", m(2, 12), 0, 12, false},
		{"promoted, the store moved on", m(2, 12), 0, 13, true},
		{"local state lost", m(1, 0), 0, 12, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fenceOf("file:///s", tt.mark, tt.local, tt.newest)
			if (got != nil) != tt.fenced {
				t.Errorf("fenced = %v (%v), want %v", got != nil, got, tt.fenced)
			}
		})
	}
}

func TestStallWatch(t *testing.T) {
	t0 := time.Unix(1000, 0)
	type step struct {
		at              time.Duration
		applied, newest Position
		stalled         bool
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"current", []step{{0, 5, 5, false}, {time.Minute, 5, 5, false}}},
		{"advancing", []step{{0, 5, 8, false}, {20 * time.Second, 6, 9, false}, {40 * time.Second, 7, 10, false}, {60 * time.Second, 8, 11, false}}},
		{"stuck while the store moves", []step{{0, 5, 8, false}, {20 * time.Second, 5, 9, false}, {30 * time.Second, 5, 9, true}}},
		{"caught up just in time", []step{{0, 5, 8, false}, {29 * time.Second, 8, 8, false}, {40 * time.Second, 8, 9, false}, {60 * time.Second, 8, 9, false}, {70 * time.Second, 8, 9, true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := stallWatch{after: 30 * time.Second}
			for i, s := range tt.steps {
				if got := w.observe(t0.Add(s.at), s.applied, s.newest); got != s.stalled {
					t.Errorf("step %d (%s, copy %d, store %d): stalled = %v, want %v", i, s.at, s.applied, s.newest, got, s.stalled)
				}
			}
		})
	}
}

func TestOpenStore(t *testing.T) {
	key := filepath.Join(t.TempDir(), "id")
	os.WriteFile(key, []byte("x"), 0o600)
	tests := []struct {
		url, shown, err string
		o               StoreOptions
	}{
		{url: "file:///var/lib/store", shown: "file:///var/lib/store"},
		{url: "file://relative/store", err: "a local directory"},
		{url: "file:relative", err: "absolute path"},
		{url: "sftp://backup:s3cret@host:2222/srv/store", shown: "sftp://backup:xxxxx@host:2222/srv/store"},
		{url: "sftp://backup@host/srv/store", err: "--sftp-key"},
		{url: "sftp://backup@host/srv/store", o: StoreOptions{SFTPKey: key}, shown: "sftp://backup@host/srv/store"},
		{url: "sftp://host/srv/store", err: "USER@HOST"},
		{url: "s3://bucket/portfolio?region=eu-west-3", shown: "s3://bucket/portfolio?region=eu-west-3"},
		{url: "/var/lib/store", err: "want a URL"},
		{url: "gs://bucket/x", err: "unknown scheme"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			st, err := OpenStore(tt.url, tt.o)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Errorf("the error shows the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if st.URL != tt.shown {
				t.Errorf("URL = %q, want %q", st.URL, tt.shown)
			}
		})
	}
}

// countingClient counts the listings of each level.
type countingClient struct {
	litestream.ReplicaClient
	lists map[int]int
}

func (c *countingClient) LTXFiles(ctx context.Context, level int, seek ltx.TXID, useMetadata bool) (ltx.FileIterator, error) {
	c.lists[level]++
	return c.ReplicaClient.LTXFiles(ctx, level, seek, useMetadata)
}

// The follower's client lists level 0 at each poll, the levels above it at
// most every upperListingAge, and again after a file it named was gone.
func TestFollowerListings(t *testing.T) {
	st, err := OpenStore("file://"+t.TempDir(), StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cc := &countingClient{ReplicaClient: st.Client, lists: map[int]int{}}
	clock := time.Unix(1000, 0)
	c := &invalidatingClient{ReplicaClient: cc, now: func() time.Time { return clock }}
	ctx := context.Background()
	list := func() {
		for level := range litestream.SnapshotLevel + 1 {
			itr, err := c.LTXFiles(ctx, level, 0, false)
			if err != nil {
				t.Fatal(err)
			}
			itr.Close()
		}
	}
	want := func(l0, upper, snapshots int) {
		t.Helper()
		if cc.lists[0] != l0 || cc.lists[4] != upper || cc.lists[litestream.SnapshotLevel] != snapshots {
			t.Errorf("listings: level 0 %d, level 4 %d, snapshots %d; want %d, %d, %d", cc.lists[0], cc.lists[4], cc.lists[litestream.SnapshotLevel], l0, upper, snapshots)
		}
	}
	list()
	list()
	want(2, 1, 2)
	clock = clock.Add(upperListingAge)
	list()
	want(3, 2, 3)
	if _, err := c.OpenLTXFile(ctx, 4, 1, 2, 0, 0); err == nil {
		t.Fatal("opened a file the store does not hold")
	}
	list()
	want(4, 3, 4)
}
