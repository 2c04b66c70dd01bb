// Package replication ships the database to a replica store and keeps
// read-only copies current from it, on Litestream
// (github.com/benbjohnson/litestream, used as a library): the primary
// (serve --replicate-to) copies each committed transaction of its WAL to
// the store as an LTX file and acknowledges a mutation once its change is
// there (Primary.Ship); a replica (portfolio replica) restores the store's
// newest state, then a follower process applies each new LTX file to the
// copy it serves (Follow, supervised by Supervisor, which restarts a
// follower that stops advancing); promote catches a stopped replica's copy
// up and gives it the next generation, and a primary whose generation the
// store has left behind is fenced (CheckFence).
//
// Positions are Litestream's transaction ids (TXID): the store's newest,
// the one a primary shipped last, the one a replica applied.
package replication

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path"
	"strings"
	"time"

	"github.com/benbjohnson/litestream"
	"github.com/benbjohnson/litestream/file"
	"github.com/benbjohnson/litestream/s3"
	"github.com/benbjohnson/litestream/sftp"
	"github.com/superfly/ltx"
)

// StoreOptions are what a store needs beyond its URL.
type StoreOptions struct {
	// SFTPKey is the path of the private key an sftp:// store logs in with
	// (the URL may carry a password instead).
	SFTPKey string
	// SFTPHostKey is the path of the SFTP server's public host key (a
	// line "ssh-ed25519 AAAA…", as in /etc/ssh/ssh_host_ed25519_key.pub);
	// without it the server is not authenticated.
	SFTPHostKey string
	// Logger receives the store client's messages.
	Logger *slog.Logger
}

// Store is a replica store: where the primary ships the database and where
// replicas read it (a directory, an SFTP server, an S3 bucket).
type Store struct {
	// URL is the store's address without credentials, for messages and
	// the generation mark.
	URL    string
	Client litestream.ReplicaClient
}

// OpenStore returns the store at rawURL: file:///ABSOLUTE/PATH (a
// directory, made if needed), sftp://USER[:PASSWORD]@HOST[:PORT]/ABSOLUTE/PATH,
// or s3://BUCKET/PATH (query parameters endpoint, region, forcePathStyle
// as Litestream reads them; credentials from AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY, or the AWS SDK's usual sources).
func OpenStore(rawURL string, o StoreOptions) (*Store, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("store %q: %w", redact(rawURL), err)
	}
	st := &Store{URL: redact(rawURL)}
	switch u.Scheme {
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("store %s: a file:// store is a local directory: file:///absolute/path", st.URL)
		}
		if u.Path == "" || !path.IsAbs(u.Path) {
			return nil, fmt.Errorf("store %s: want an absolute path (file:///var/lib/portfolio/store)", st.URL)
		}
		c := file.NewReplicaClient(path.Clean(u.Path))
		c.SetLogger(o.Logger)
		st.Client = c
	case "sftp":
		if u.User == nil || u.User.Username() == "" || u.Host == "" {
			return nil, fmt.Errorf("store %s: want sftp://USER@HOST[:PORT]/ABSOLUTE/PATH", st.URL)
		}
		if u.Path == "" || !path.IsAbs(u.Path) {
			return nil, fmt.Errorf("store %s: want an absolute path on the server (sftp://user@host/srv/portfolio-store)", st.URL)
		}
		c := sftp.NewReplicaClient()
		c.SetLogger(o.Logger)
		c.Host, c.User, c.Path = u.Host, u.User.Username(), path.Clean(u.Path)
		c.Password, _ = u.User.Password()
		c.KeyPath = o.SFTPKey
		if c.Password == "" && c.KeyPath == "" {
			return nil, fmt.Errorf("store %s: give the private key to log in with (--sftp-key), or a password in the URL", st.URL)
		}
		if o.SFTPHostKey != "" {
			b, err := os.ReadFile(o.SFTPHostKey)
			if err != nil {
				return nil, fmt.Errorf("store %s: host key: %w", st.URL, err)
			}
			c.HostKey = strings.TrimSpace(string(b))
		}
		st.Client = c
	case "s3":
		if u.Host == "" {
			return nil, fmt.Errorf("store %s: want s3://BUCKET/PATH", st.URL)
		}
		c, err := litestream.NewReplicaClientFromURL(rawURL)
		if err != nil {
			return nil, fmt.Errorf("store %s: %w", st.URL, err)
		}
		if _, ok := c.(*s3.ReplicaClient); !ok {
			return nil, fmt.Errorf("store %s: not an S3 client (%T)", st.URL, c)
		}
		c.SetLogger(o.Logger)
		st.Client = c
	case "":
		return nil, fmt.Errorf("store %q: want a URL: file:///PATH, sftp://USER@HOST/PATH or s3://BUCKET/PATH", redact(rawURL))
	default:
		return nil, fmt.Errorf("store %s: unknown scheme %q: want file, sftp or s3", st.URL, u.Scheme)
	}
	return st, nil
}

// Init connects to the store (an SFTP session, an S3 client).
func (s *Store) Init(ctx context.Context) error {
	if err := s.Client.Init(ctx); err != nil {
		return fmt.Errorf("store %s: %w", s.URL, err)
	}
	return nil
}

// redact returns the URL without its password.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Position is a position in a store: the id of a transaction Litestream
// shipped (0: none).
type Position = ltx.TXID

// Newest returns the newest position the store holds, over every level of
// its LTX files, and when the file holding it was written; 0 for an empty
// store.
func (s *Store) Newest(ctx context.Context) (Position, time.Time, error) {
	var pos Position
	var at time.Time
	for level := 0; level <= litestream.SnapshotLevel; level++ {
		info, err := s.last(ctx, level, 0)
		if err != nil {
			return 0, time.Time{}, err
		}
		if info != nil && info.MaxTXID > pos {
			pos, at = info.MaxTXID, info.CreatedAt
		}
	}
	return pos, at, nil
}

// NewestL0 returns the newest position among the store's level-0 files,
// where each shipped transaction lands first (and the newest stays after
// compaction): what a primary checks before it ships.
func (s *Store) NewestL0(ctx context.Context) (Position, error) {
	info, err := s.last(ctx, 0, 0)
	if err != nil || info == nil {
		return 0, err
	}
	return info.MaxTXID, nil
}

// NewestL0At is NewestL0 with when its file was written.
func (s *Store) NewestL0At(ctx context.Context) (Position, time.Time, error) {
	info, err := s.last(ctx, 0, 0)
	if err != nil || info == nil {
		return 0, time.Time{}, err
	}
	return info.MaxTXID, info.CreatedAt, nil
}

// NextAfter returns the level-0 file that follows pos, nil when there is
// none: when it was written is how old the oldest change a copy at pos
// lacks is.
func (s *Store) NextAfter(ctx context.Context, pos Position) (*ltx.FileInfo, error) {
	itr, err := s.Client.LTXFiles(ctx, 0, pos+1, false)
	if err != nil {
		return nil, fmt.Errorf("store %s: list level 0: %w", s.URL, err)
	}
	defer itr.Close()
	for itr.Next() {
		if it := itr.Item(); it.MaxTXID > pos {
			return it, nil
		}
	}
	if err := itr.Err(); err != nil {
		return nil, fmt.Errorf("store %s: list level 0: %w", s.URL, err)
	}
	return nil, nil
}

// last returns the file of a level with the highest MaxTXID, nil when the
// level is empty.
func (s *Store) last(ctx context.Context, level int, seek Position) (*ltx.FileInfo, error) {
	itr, err := s.Client.LTXFiles(ctx, level, seek, false)
	if err != nil {
		return nil, fmt.Errorf("store %s: list level %d: %w", s.URL, level, err)
	}
	defer itr.Close()
	var best *ltx.FileInfo
	for itr.Next() {
		if it := itr.Item(); best == nil || it.MaxTXID > best.MaxTXID {
			best = it
		}
	}
	if err := itr.Err(); err != nil {
		return nil, fmt.Errorf("store %s: list level %d: %w", s.URL, level, err)
	}
	return best, nil
}

// ErrEmptyStore is returned when a store holds no database yet.
var ErrEmptyStore = errors.New("the store holds no database yet")

// restoreNewest writes the store's newest state to the new file out (in
// rollback-journal mode, see rollbackMode) and returns its position.
func (s *Store) restoreNewest(ctx context.Context, out string, log *slog.Logger) (Position, error) {
	infos, err := litestream.CalcRestorePlan(ctx, s.Client, 0, time.Time{}, log)
	if errors.Is(err, litestream.ErrNoSnapshots) || errors.Is(err, litestream.ErrTxNotAvailable) {
		return 0, ErrEmptyStore
	}
	if err != nil {
		return 0, fmt.Errorf("store %s: plan a restore: %w", s.URL, err)
	}
	target := infos[len(infos)-1].MaxTXID
	r := litestream.NewReplicaWithClient(nil, s.Client)
	opt := litestream.NewRestoreOptions()
	opt.OutputPath = out
	opt.TXID = target
	if err := r.Restore(ctx, opt); err != nil {
		return 0, fmt.Errorf("store %s: restore position %s: %w", s.URL, target, err)
	}
	if err := rollbackMode(out); err != nil {
		return 0, err
	}
	return target, nil
}
