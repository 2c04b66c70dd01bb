package replication

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/incubateurs/portfolio/internal/sqlite"
)

// Fencing: a database file ships to a store only while it is the store's
// newest history. A primary that was replaced (its replica promoted while
// it was down) holds an older generation than the store's newest state,
// and a position the store has moved past: it must not write there again.

// FencedError says why a file may not ship to a store.
type FencedError struct {
	Store string
	// Mark is the file's generation mark (nil: it never shipped), Local
	// the position it shipped last (0: no local state).
	Mark  *sqlite.ReplicationMark
	Local Position
	// StoreNewest is the store's newest position, StoreMark the
	// generation its newest state carries (nil when unread).
	StoreNewest Position
	StoreMark   *sqlite.ReplicationMark
	// Running: found while serving, by Ship.
	Running bool
	// reason, when set, replaces the general explanation.
	reason string
}

// Error says what was found, in one sentence.
func (e *FencedError) Error() string {
	if e.reason != "" {
		return e.reason
	}
	mine := "this file"
	if e.Mark != nil {
		mine = fmt.Sprintf("this file (generation %d)", e.Mark.Generation)
	}
	theirs := ""
	if m := e.StoreMark; m != nil {
		theirs = fmt.Sprintf(": its newest state is generation %d, taken by %s on %s", m.Generation, m.Node, m.StartedAt.UTC().Format("2006-01-02 15:04 UTC"))
	}
	return fmt.Sprintf("fenced: the store %s holds position %s, past %s's last (%s)%s; another primary writes there", e.Store, e.StoreNewest, mine, e.Local, theirs)
}

// CheckFence decides whether the database at path may ship to the store,
// before anything writes to the file: nil, or a *FencedError.
//
//   - An empty store takes any file.
//   - A file that never shipped (no generation mark) may not take over a
//     store that holds a database.
//   - A file with Litestream's local state ships on while the store holds
//     nothing past its position.
//   - A file without it (just promoted) starts only from the position its
//     promotion caught up to, while the store is still there.
//
// When fenced, the store's newest state is restored into a temporary file
// beside path to name its generation.
func CheckFence(ctx context.Context, st *Store, path string, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := st.Init(ctx); err != nil {
		return err
	}
	newest, _, err := st.Newest(ctx)
	if err != nil {
		return err
	}
	var mark *sqlite.ReplicationMark
	if _, err := os.Stat(path); err == nil {
		db, err := sqlite.OpenExisting(ctx, path)
		if err != nil {
			return err
		}
		mark, err = db.ReplicationMark(ctx)
		db.Close()
		if err != nil {
			return err
		}
	}
	local, err := localPosition(path)
	if err != nil {
		return err
	}
	fe := fenceOf(st.URL, mark, local, newest)
	if fe == nil {
		if newest == 0 && local > 0 {
			// A new (or emptied) store: Litestream's local state refers to
			// files the store does not hold; without it, the first ship
			// is a snapshot of the whole file.
			log.Info("the store is empty: shipping the whole database again", "store", st.URL, "old_position", local.String())
			if err := os.RemoveAll(metaPath(path)); err != nil {
				return fmt.Errorf("reset the replication state of %s: %w", path, err)
			}
		}
		return nil
	}
	if newest > 0 && fe.reason == "" {
		fe.StoreMark, _ = StoreMark(ctx, st, filepath.Dir(path), log)
	}
	return fe
}

// fenceOf is CheckFence's decision.
func fenceOf(store string, mark *sqlite.ReplicationMark, local, newest Position) *FencedError {
	fe := &FencedError{Store: store, Mark: mark, Local: local, StoreNewest: newest}
	switch {
	case newest == 0:
		return nil
	case mark == nil:
		fe.reason = fmt.Sprintf("the store %s already holds a database (position %s), which this file never shipped to: it would replace it. Serve the store's copy (portfolio promote --db NEW.db --from %s), or give an empty store", store, newest, store)
	case local > 0 && local >= newest:
		return nil
	case local == 0 && Position(mark.FromPosition) == newest:
		return nil
	case local == 0 && mark.FromPosition == 0:
		fe.reason = fmt.Sprintf("this file (generation %d) has no replication state beside it (%s): nothing tells that it holds the store's newest position (%s). Start from the store's copy instead (portfolio promote --db NEW.db --from %s)", mark.Generation, filepath.Base(metaPath("FILE")), newest, store)
	}
	return fe
}

// StoreMark restores the store's newest state into a temporary file in dir
// and returns the generation mark it carries (nil when none).
func StoreMark(ctx context.Context, st *Store, dir string, log *slog.Logger) (*sqlite.ReplicationMark, error) {
	f, err := os.CreateTemp(dir, ".portfolio-store-*.db")
	if err != nil {
		return nil, err
	}
	tmp := f.Name()
	f.Close()
	removeCopy(tmp)
	defer removeCopy(tmp)
	if _, err := st.restoreNewest(ctx, tmp, log); err != nil {
		return nil, err
	}
	db, err := sqlite.OpenExisting(ctx, tmp)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return db.ReplicationMark(ctx)
}

// ExitFenced is the exit status of a server that refused to start, or
// stopped, because it is fenced: systemd units name it in
// RestartPreventExitStatus, so that it is not restarted over and over.
const ExitFenced = 9

// FenceAdvice is what the operator should do with a fenced file, for the
// message of serve.
func FenceAdvice(e *FencedError, path, prog string) string {
	var b strings.Builder
	if e.reason == "" {
		b.WriteString("Another node is the primary now (a replica was promoted while this one was away): this file must not write to the store again.\n")
		fmt.Fprintf(&b, "To make this machine a replica of the new primary: %s replica --from %s --db NEW.db --primary URL_OF_THE_PRIMARY\n", prog, e.Store)
		fmt.Fprintf(&b, "Keep %s aside: it may hold writes that were never acknowledged (committed here, not yet in the store when it stopped).\n", path)
	}
	return b.String()
}

// IsFenced reports whether err is a fencing refusal.
func IsFenced(err error) bool {
	var fe *FencedError
	return errors.As(err, &fe)
}

// now is the clock of marks.
func now() time.Time { return time.Now().UTC().Truncate(time.Second) }
