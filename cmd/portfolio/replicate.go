package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/replication"
	"github.com/incubateurs/portfolio/internal/server"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// Replication's commands and flags: serve --replicate-to (a primary),
// replica (a read-only copy that follows the store), follow (the replica's
// follower process), promote (a stopped replica's copy becomes the next
// primary's file). internal/replication does the work.

// exitStatus is an error that ends the program with its own status.
type exitStatus struct {
	code int
	err  error
}

func (e exitStatus) Error() string { return e.err.Error() }
func (e exitStatus) Unwrap() error { return e.err }

// storeFlags are the flags that reach a replica store.
type storeFlags struct {
	sftpKey, sftpHostKey *string
}

func addStoreFlags(fs *flagSet, e env) storeFlags {
	return storeFlags{
		sftpKey:     fs.String("sftp-key", e.get("PORTFOLIO_SFTP_KEY"), "the private key (a file) an sftp:// store logs in with (env PORTFOLIO_SFTP_KEY)"),
		sftpHostKey: fs.String("sftp-host-key", e.get("PORTFOLIO_SFTP_HOST_KEY"), "the SFTP server's public host key (a file holding a line \"ssh-ed25519 AAAA…\"), checked at each connection; without it the server is not authenticated (env PORTFOLIO_SFTP_HOST_KEY)"),
	}
}

// storeURLHelp says what a store's URL may be.
const storeURLHelp = "file:///ABSOLUTE/DIR, sftp://USER[:PASSWORD]@HOST[:PORT]/ABSOLUTE/DIR (with --sftp-key) or s3://BUCKET/PATH[?region=…&endpoint=…] (credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the AWS SDK's other sources)"

func (f storeFlags) open(raw string, log *slog.Logger) (*replication.Store, error) {
	return replication.OpenStore(raw, replication.StoreOptions{SFTPKey: *f.sftpKey, SFTPHostKey: *f.sftpHostKey, Logger: log})
}

// env returns the environment variables that hand these flags to a child.
func (f storeFlags) env(raw string) []string {
	return []string{"PORTFOLIO_REPLICA_FROM=" + raw, "PORTFOLIO_SFTP_KEY=" + *f.sftpKey, "PORTFOLIO_SFTP_HOST_KEY=" + *f.sftpHostKey}
}

// nodeName is the default name of this server: its host name.
func nodeName(e env) string {
	if n := e.get("PORTFOLIO_NODE"); n != "" {
		return n
	}
	h, err := os.Hostname()
	if err != nil {
		return "portfolio"
	}
	return h
}

// replicaFlags are replica's own flags.
type replicaFlags struct {
	from, primary        *string
	interval, stallAfter *time.Duration
	maxLag               *time.Duration
}

func addReplicaFlags(fs *flagSet, e env) replicaFlags {
	return replicaFlags{
		from:       fs.String("from", e.get("PORTFOLIO_REPLICA_FROM"), "the replica store to follow, where the primary ships (serve --replicate-to): "+storeURLHelp+" (env PORTFOLIO_REPLICA_FROM)"),
		primary:    fs.String("primary", e.get("PORTFOLIO_PRIMARY"), "the primary's base URL (http://10.0.0.1:8080): mutations sent here are forwarded to it, once, with the caller's headers; without it they are refused (READ_ONLY_REPLICA) (env PORTFOLIO_PRIMARY)"),
		interval:   fs.Duration("follow-interval", time.Second, "how often the store is asked for new positions: the replica's lag is about half of it, plus the time to apply"),
		stallAfter: fs.Duration("stall-after", 30*time.Second, "how long the copy may stay at one position while the store holds a newer one before its follower is restarted (a stalled follower, Litestream #1515), the copy reseeded from the store"),
		maxLag:     fs.Duration("max-lag", 5*time.Minute, "past this lag, /readyz answers 503 so that a proxy sends reads elsewhere (0: never)"),
	}
}

// primaryState is a primary's replication while it serves.
type primaryState struct {
	p    *replication.Primary
	mark atomic.Pointer[sqlite.ReplicationMark]
	node string
}

// fencedError turns a fencing refusal into serve's error: the advice on
// stderr, exit status 9 (replication.ExitFenced).
func fencedError(e env, err error, path string, stderr io.Writer) error {
	var fe *replication.FencedError
	if errors.As(err, &fe) {
		fmt.Fprint(stderr, replication.FenceAdvice(fe, path, e.prog))
	}
	return exitStatus{code: replication.ExitFenced, err: fmt.Errorf("serve: %w", err)}
}

// checkPrimary checks, before the database is opened for writing, that it
// may ship to the store at raw.
func checkPrimary(ctx context.Context, e env, raw, path string, sf storeFlags, log *slog.Logger, stderr io.Writer) (*replication.Store, error) {
	st, err := sf.open(raw, log)
	if err != nil {
		return nil, usageError{"--replicate-to: " + err.Error()}
	}
	if err := replication.CheckFence(ctx, st, path, log); err != nil {
		if replication.IsFenced(err) {
			return nil, fencedError(e, err, path, stderr)
		}
		return nil, fmt.Errorf("serve: --replicate-to: %w", err)
	}
	return st, nil
}

// startPrimary gives the database its mark and starts shipping it.
func startPrimary(ctx context.Context, db *sqlite.DB, st *replication.Store, path, node string, onFenced func(error), log *slog.Logger, stdout io.Writer) (*primaryState, error) {
	mark, err := replication.EnsureMark(ctx, db, st, node)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	p, err := replication.StartPrimary(ctx, replication.PrimaryOptions{Store: st, Path: path, ShipEvery: time.Second, OnFenced: onFenced, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	ps := &primaryState{p: p, node: node}
	ps.mark.Store(mark)
	fmt.Fprintf(stdout, "replicating to %s: generation %d, position %s (shipped in %s); a mutation is answered once it is there\n",
		st.URL, mark.Generation, p.Status().Position, time.Since(start).Round(time.Millisecond))
	return ps, nil
}

// replication returns what the server needs of the primary.
func (ps *primaryState) replication() *server.Replication {
	return &server.Replication{
		Node: func() portfolio.Node {
			st := ps.p.Status()
			n := portfolio.Node{Name: ps.node, Role: portfolio.NodePrimary, AppliedAt: st.ShippedAt}
			if st.Position > 0 {
				n.Position = st.Position.String()
			}
			if m := ps.mark.Load(); m != nil {
				n.Generation = m.Generation
			}
			return n
		},
		Ship: ps.p.Ship,
		Status: func() server.ReplicationStatus {
			st := ps.p.Status()
			return server.ReplicationStatus{Role: portfolio.NodePrimary, Store: st.Store, Position: uint64(st.Position), PositionText: st.Position.String(),
				PositionAt: st.ShippedAt, Ships: st.Ships, ShipFailures: st.Failures, LastShip: st.LastShip, Fenced: st.Fenced}
		},
	}
}

// loneNode is the server's description without replication.
func loneNode(name string) *server.Replication {
	return &server.Replication{Node: func() portfolio.Node { return portfolio.Node{Name: name, Role: portfolio.NodePrimary} }}
}

// replicaState is a replica's copy, follower and server side.
type replicaState struct {
	sup     *replication.Supervisor
	db      atomic.Pointer[sqlite.DB]
	mark    atomic.Pointer[sqlite.ReplicationMark]
	node    string
	primary string
	maxLag  time.Duration
	stop    context.CancelFunc
	wg      sync.WaitGroup
}

// startReplica starts the follower (this program's "follow", supervised),
// waits for the copy, and opens it.
func startReplica(ctx context.Context, e env, rf replicaFlags, sf storeFlags, path, node string, log *slog.Logger, stdout, stderr io.Writer) (*replicaState, *sqlite.DB, error) {
	if *rf.from == "" {
		return nil, nil, usageError{"replica: give the store to follow (--from URL): " + storeURLHelp}
	}
	if *rf.primary != "" {
		u, err := url.Parse(*rf.primary)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, nil, usageError{fmt.Sprintf("--primary %q: want the primary's base URL, http://HOST:PORT", *rf.primary)}
		}
	}
	if *rf.interval <= 0 || *rf.stallAfter <= 0 || *rf.maxLag < 0 {
		return nil, nil, usageError{"--follow-interval and --stall-after must be positive, --max-lag at least 0"}
	}
	st, err := sf.open(*rf.from, log)
	if err != nil {
		return nil, nil, usageError{"--from: " + err.Error()}
	}
	self, err := os.Executable()
	if err != nil {
		return nil, nil, fmt.Errorf("replica: find this program to run its follower: %w", err)
	}
	rs := &replicaState{node: node, primary: *rf.primary, maxLag: *rf.maxLag}
	rs.sup = replication.NewSupervisor(replication.SupervisorOptions{
		Store: st, Path: path, Interval: *rf.interval, StallAfter: *rf.stallAfter, Logger: log,
		Command: func(reseed bool) *exec.Cmd {
			args := []string{"follow", "--db", path, "--interval", rf.interval.String()}
			if reseed {
				args = append(args, "--reseed")
			}
			cmd := exec.Command(self, args...)
			cmd.Env = append(os.Environ(), sf.env(*rf.from)...)
			cmd.Stdout, cmd.Stderr = stderr, stderr
			return cmd
		},
		OnApplied: rs.applied,
	})
	sctx, stop := context.WithCancel(context.Background())
	rs.stop = stop
	rs.wg.Go(func() { rs.sup.Run(sctx) })
	fmt.Fprintf(stdout, "following %s into %s…\n", st.URL, path)
	start := time.Now()
	select {
	case <-rs.sup.Ready():
	case <-ctx.Done():
		rs.close()
		return nil, nil, ctx.Err()
	}
	db, err := sqlite.OpenFollowed(ctx, path)
	if err == nil {
		err = db.Ready(ctx)
		if err != nil {
			db.Close()
			err = fmt.Errorf("%w: replicas run the primary's version of portfolio (stop them, upgrade the primary, then them)", err)
		}
	}
	if err != nil {
		rs.close()
		return nil, nil, fmt.Errorf("replica: %w", err)
	}
	rs.db.Store(db)
	rs.applied(0)
	stat := rs.sup.Status()
	fmt.Fprintf(stdout, "replica of %s at position %s (ready in %s)", st.URL, stat.Applied, time.Since(start).Round(time.Millisecond))
	if rs.primary != "" {
		fmt.Fprintf(stdout, "; mutations are forwarded to %s\n", rs.primary)
	} else {
		fmt.Fprintln(stdout, "; mutations are refused (no --primary)")
	}
	return rs, db, nil
}

// serveReplica starts the replica's follower, waits for its copy, and
// serves it with serve.
func serveReplica(ctx context.Context, e env, path, node string, rf replicaFlags, sf storeFlags, log *slog.Logger, stdout, stderr io.Writer,
	serve func(*sqlite.DB, *server.Replication) error) error {
	rs, db, err := startReplica(ctx, e, rf, sf, path, node, log, stdout, stderr)
	if err != nil {
		return err
	}
	defer rs.close()
	defer db.Close()
	return serve(db, rs.replication())
}

// applied is called with each position the follower applied: caches drop
// what they hold, and the generation is read again. A change feed
// (subscriptions) would start from here.
func (rs *replicaState) applied(replication.Position) {
	db := rs.db.Load()
	if db == nil {
		return
	}
	db.NoteChange()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if m, err := db.ReplicationMark(ctx); err == nil && m != nil {
		rs.mark.Store(m)
	}
}

// close stops the follower.
func (rs *replicaState) close() {
	rs.stop()
	rs.wg.Wait()
}

// replication returns what the server needs of the replica.
func (rs *replicaState) replication() *server.Replication {
	return &server.Replication{
		Primary: rs.primary,
		Node: func() portfolio.Node {
			st := rs.sup.Status()
			n := portfolio.Node{Name: rs.node, Role: portfolio.NodeReplica, Position: st.Applied.String(), AppliedAt: st.AppliedAt}
			if m := rs.mark.Load(); m != nil {
				n.Generation = m.Generation
			}
			return n
		},
		PrimaryNode: func() string {
			if m := rs.mark.Load(); m != nil {
				return m.Node
			}
			return ""
		},
		Status: func() server.ReplicationStatus {
			st := rs.sup.Status()
			out := server.ReplicationStatus{Role: portfolio.NodeReplica, Store: st.Store, Position: uint64(st.Applied), PositionText: st.Applied.String(),
				PositionAt: st.AppliedAt, StoreNewest: uint64(st.StoreNewest), Lag: st.Lag, Stalled: st.Stalled, Stalls: st.Stalls, Restarts: st.Restarts}
			switch {
			case st.Stalled:
				out.NotReady = fmt.Sprintf("the follower stalled at position %s while the store is at %s: restarting it", st.Applied, st.StoreNewest)
			case rs.maxLag > 0 && st.Lag > rs.maxLag:
				out.NotReady = fmt.Sprintf("the copy lags %s behind the store (--max-lag %s)", st.Lag.Round(time.Second), rs.maxLag)
			}
			return out
		},
	}
}

// cmdFollow runs a replica's follower: it restores the store's newest
// state into --db when missing, then applies each new position. portfolio
// replica runs it as a child process and restarts it when it stalls.
func cmdFollow(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	fs := newFlags("follow", "follow --from URL --db FILE [--interval D] [--reseed]", e, stdout, stderr)
	from := fs.String("from", e.get("PORTFOLIO_REPLICA_FROM"), "the replica store to follow: "+storeURLHelp+" (env PORTFOLIO_REPLICA_FROM)")
	dbPath := fs.String("db", e.get("PORTFOLIO_DB"), "the copy: restored from the store when missing, then kept current; its follower's position is in FILE-txid (env PORTFOLIO_DB)")
	interval := fs.Duration("interval", time.Second, "how often the store is asked for new positions")
	reseed := fs.Bool("reseed", false, "first restore the store's newest state into the copy, in place (how replica restarts a stalled follower)")
	sf := addStoreFlags(fs, e)
	if err := fs.parse(args); err != nil {
		return err
	}
	if *from == "" || *dbPath == "" || fs.NArg() > 0 {
		return usageError{"follow: give --from URL and --db FILE, and nothing else"}
	}
	log := slog.New(slog.NewTextHandler(stderr, nil)).With("follower", os.Getpid())
	// Litestream logs through slog's default logger: its warnings and
	// errors only (it says INFO at every position applied). This process
	// does nothing else.
	slog.SetDefault(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})).With("follower", os.Getpid()))
	st, err := sf.open(*from, log)
	if err != nil {
		return usageError{"--from: " + err.Error()}
	}
	return replication.Follow(ctx, replication.FollowOptions{Store: st, Path: *dbPath, Interval: *interval, Reseed: *reseed, Logger: log})
}

// cmdPromote makes a stopped replica's copy the next primary's file.
func cmdPromote(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	fs := newFlags("promote", "promote --db FILE --from URL [--node NAME]", e, stdout, stderr)
	dbPath := fs.String("db", e.get("PORTFOLIO_DB"), "the stopped replica's copy (restored whole from the store when missing) (env PORTFOLIO_DB)")
	from := fs.String("from", e.get("PORTFOLIO_REPLICA_FROM"), "the replica store: "+storeURLHelp+" (env PORTFOLIO_REPLICA_FROM)")
	node := fs.String("node", nodeName(e), "the new primary's name, in its generation mark (env PORTFOLIO_NODE; default: the host name)")
	catchUp := fs.Duration("catch-up", time.Minute, "how long following may take to reach the store's newest position before the copy is restored whole instead")
	sf := addStoreFlags(fs, e)
	if err := fs.parse(args); err != nil {
		return err
	}
	if *from == "" || *dbPath == "" || fs.NArg() > 0 {
		return usageError{"promote: give --db FILE and --from URL, and nothing else"}
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := sf.open(*from, log)
	if err != nil {
		return usageError{"--from: " + err.Error()}
	}
	res, err := replication.Promote(ctx, replication.PromoteOptions{Store: st, Path: *dbPath, Node: *node, CatchUp: *catchUp, Logger: log})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "promoted %s: generation %d, from the store's position %s (%s), in %s\n", *dbPath, res.Generation, res.From, res.How, res.Took.Round(time.Millisecond))
	fmt.Fprintf(stdout, "Serve it as the primary (before anything else writes to the store):\n  %s\n",
		e.cmdline("serve --db "+shellQuote(*dbPath)+" --replicate-to "+shellQuote(st.URL)+" --node "+shellQuote(*node)))
	if strings.Contains(st.URL, "xxxxx") {
		fmt.Fprintln(stdout, "(with the store's password in place of xxxxx)")
	}
	return nil
}
