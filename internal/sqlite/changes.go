package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// The change feed (migrations/0024): each write notes, in its own
// transaction, the records it created, updated or deleted (table changes);
// readers (the subscriptions' feed, the response cache) read the rows past
// the last one they saw. A replica's copy holds the primary's rows, so a
// replica announces exactly what the primary wrote, in the same order,
// without a channel of its own to the primary: what the store carries is
// what a replica announces. A load (import, sync) notes its top-level
// records, then one Dataset row: it rewrites what hangs off records
// (phases, missions, events) without telling which changed.

// The operations of a change.
const (
	OpCreated = "CREATED"
	OpUpdated = "UPDATED"
	OpDeleted = "DELETED"
)

// KindDataset is the kind of the change a load (import, sync) notes once
// it has written its records, and of the change a reader announces when
// it missed rows (a gap): anything may have changed.
const KindDataset = "Dataset"

// keptChanges is how many of the newest rows of changes every write keeps.
const keptChanges = 10_000

// Change is one row of the change feed.
type Change struct {
	// Seq is the row's position in the feed: increasing, never reused.
	Seq int64
	// At is when the write that noted it committed (its transaction's time).
	At time.Time
	// Kind is the record's type as the API names it (Startup, Member,
	// Mission, Committee, Incubator, Organisation, Team), or KindDataset.
	Kind string
	// Slug is the record's slug; for a Dataset change, what wrote it
	// ("import", "sync", or "" for a reader's gap).
	Slug string
	// Operation is OpCreated, OpUpdated or OpDeleted.
	Operation string
}

// kindOfTable gives the kind of the change a load notes for a record of
// each top-level table.
var kindOfTable = map[string]string{
	"startups": "Startup", "members": "Member", "organisations": "Organisation",
	"incubators": "Incubator", "teams": "Team", "committees": "Committee", "missions": "Mission",
}

// changeLog collects the changes of one transaction, one per record: a
// record created then updated is CREATED, updated then deleted DELETED,
// created then deleted nothing.
//
// Past keptChanges records (a first import, a seed), it keeps none: a
// reader would find a gap anyway; the Dataset change says it all.
type changeLog struct {
	rows     []Change
	index    map[[2]string]int
	overflow bool
}

func (c *changeLog) add(kind, slug, op string) {
	if c == nil {
		return
	}
	if kind == KindDataset {
		c.rows = append(c.rows, Change{Kind: kind, Slug: slug, Operation: op})
		return
	}
	if c.overflow {
		return
	}
	if len(c.index) >= keptChanges {
		c.overflow = true
		c.rows, c.index = nil, nil
		return
	}
	if c.index == nil {
		c.index = map[[2]string]int{}
	}
	k := [2]string{kind, slug}
	i, ok := c.index[k]
	if !ok {
		c.index[k] = len(c.rows)
		c.rows = append(c.rows, Change{Kind: kind, Slug: slug, Operation: op})
		return
	}
	prev := c.rows[i].Operation
	switch {
	case prev == OpCreated && op == OpDeleted:
		c.rows[i].Operation = "" // never existed outside the transaction
	case prev == OpCreated:
	case prev == OpDeleted && op == OpCreated:
		c.rows[i].Operation = OpUpdated
	case prev == "":
		c.rows[i].Operation = op
	default:
		c.rows[i].Operation = op
	}
}

// write inserts the rows collected into changes, at the time at (RFC 3339
// UTC), and deletes the rows older than the newest keptChanges.
func (c *changeLog) write(ctx context.Context, tx *sql.Tx, at string) error {
	if c == nil {
		return nil
	}
	if c.overflow && !slices.ContainsFunc(c.rows, func(r Change) bool { return r.Kind == KindDataset }) {
		c.add(KindDataset, "", OpUpdated)
	}
	rows := make([][3]string, 0, len(c.rows))
	for _, r := range c.rows {
		if r.Operation != "" {
			rows = append(rows, [3]string{r.Kind, r.Slug, r.Operation})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	// One statement for them all, in their order (a load notes thousands).
	b, err := json.Marshal(rows)
	if err != nil {
		return fmt.Errorf("change feed: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO changes (at, kind, slug, operation)
		SELECT ?, value ->> 0, value ->> 1, value ->> 2 FROM json_each(?) ORDER BY key`, at, string(b)); err != nil {
		return fmt.Errorf("change feed: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM changes WHERE seq <= (SELECT max(seq) FROM changes) - ?", keptChanges); err != nil {
		return fmt.Errorf("change feed: %w", err)
	}
	return nil
}

// opOf is the operation of an audited write: no before, a creation; no
// after, a deletion.
func opOf(before, after any) string {
	switch {
	case isNil(before):
		return OpCreated
	case isNil(after):
		return OpDeleted
	}
	return OpUpdated
}

// ChangePosition returns the newest position of the feed (0 when it holds
// no row, or when the database predates it).
func (db *DB) ChangePosition(ctx context.Context) (int64, error) {
	if ok, err := db.hasChanges(ctx); err != nil || !ok {
		return 0, err
	}
	var n int64
	if err := db.read.QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) FROM changes").Scan(&n); err != nil {
		return 0, fmt.Errorf("change position: %w", db.note(err))
	}
	return n, nil
}

// ChangesSince returns the changes after position after, oldest first, at
// most limit of them, and the position of the last one (the feed's newest
// position when there is none). gap is true when
// rows after after are gone (pruned: the reader fell more than 10,000
// changes behind) or when the feed is behind after (the file was replaced
// by an older state, a reseed or a restore): the reader missed changes,
// and should treat everything as changed.
func (db *DB) ChangesSince(ctx context.Context, after int64, limit int) (changes []Change, newest int64, gap bool, err error) {
	if ok, err := db.hasChanges(ctx); err != nil || !ok {
		return nil, 0, after > 0, err
	}
	// Rows are deleted only from the oldest (keptChanges), and a rolled
	// back write gives its numbers back: the rows past after are numbered
	// after+1, after+2… unless some were deleted (a gap).
	rows, err := db.read.QueryContext(ctx, "SELECT seq, at, kind, slug, operation FROM changes WHERE seq > ? ORDER BY seq LIMIT ?", after, limit)
	if err != nil {
		return nil, 0, false, fmt.Errorf("changes: %w", db.note(err))
	}
	defer rows.Close()
	for rows.Next() {
		var c Change
		var at string
		if err := rows.Scan(&c.Seq, &at, &c.Kind, &c.Slug, &c.Operation); err != nil {
			return nil, 0, false, fmt.Errorf("changes: %w", err)
		}
		c.At, _ = time.Parse(time.RFC3339Nano, at)
		changes = append(changes, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, false, fmt.Errorf("changes: %w", db.note(err))
	}
	if len(changes) > 0 {
		newest = changes[len(changes)-1].Seq
		return changes, newest, changes[0].Seq > after+1, nil
	}
	// Nothing past after: up to date, or the feed is behind it (the file
	// was replaced by an older state).
	if err := db.read.QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) FROM changes").Scan(&newest); err != nil {
		return nil, 0, false, fmt.Errorf("changes: %w", db.note(err))
	}
	return nil, newest, newest < after, nil
}

// hasChanges reports whether the database has the table changes (a
// replica's copy of an older primary has not).
func (db *DB) hasChanges(ctx context.Context) (bool, error) {
	if db.changesTable.Load() {
		return true, nil
	}
	var n int
	if err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'changes'").Scan(&n); err != nil {
		return false, fmt.Errorf("changes: %w", db.note(err))
	}
	if n > 0 {
		db.changesTable.Store(true)
	}
	return n > 0, nil
}

// OnChange sets fn to be called after each commit of this process, and
// each NoteChange (a replica's follower applied a position): how the
// change feed learns, without polling, that there may be new rows. fn
// must not block.
func (db *DB) OnChange(fn func()) {
	db.onChange.Store(&fn)
}

// ---------------------------------------------------------------- what a request read

// The response cache keeps an answer until a change touches what it read.
// Every read statement of a request (DB.each) notes the kinds of records
// whose tables it names; a statement naming a table that holds no record
// (the audit log, the origin, tokens…) or a read that does not go through
// each (Dataset, SyncState) makes the answer volatile: any write drops it.

// kindBits numbers the kinds of records, for masks.
var kindBits = map[string]uint32{
	"Startup": 1 << 0, "Committee": 1 << 1, "Member": 1 << 2, "Mission": 1 << 3,
	"Incubator": 1 << 4, "Organisation": 1 << 5, "Team": 1 << 6,
}

// allKinds is the mask of every kind.
const allKinds = 1<<7 - 1

// tableKinds classifies every table of the schema: the kinds of record it
// holds (a change of one of those kinds is what changes it; several are
// separated by spaces), or "" for the tables that hold none. TestEveryTableClassified checks that every table of the
// schema is listed: a table added by a migration must be.
var tableKinds = map[string]string{
	"startups": "Startup", "phases": "Startup", "phase_lists": "Startup", "events": "Startup", "startup_contacts": "Startup",
	"startup_incubators": "Startup", "startup_redirects": "Startup", "startup_sponsors": "Startup", "startup_tags": "Startup",
	"committees": "Committee", "committee_attendees": "Committee",
	"members": "Member", "member_competences": "Member", "member_startups": "Member", "member_teams": "Member",
	"missions": "Mission", "mission_startups": "Mission",
	"mission_lists": "Mission Member",       // a startup's missions with their members' names (migrations/0028)
	"sponsor_lists": "Startup Organisation", // a startup's sponsors with their names (migrations/0030)
	"incubators":    "Incubator", "organisations": "Organisation", "teams": "Team",
	// Written by loads only (a Dataset change), or bookkeeping.
	"phase_definitions": "", "api_edits": "", "audit_log": "", "mutation_keys": "", "name_keys": "", "origin": "",
	"replication": "", "sync_state": "", "tokens": "", "token_incubators": "", "tombstones": "", "changes": "",
	"schema_migrations": "", "load_seen": "", "sqlite_sequence": "", "sqlite_master": "", "sqlite_schema": "",
	"_litestream_seq": "", "_litestream_lock": "", // Litestream's, on a replicated primary
}

// KindMask returns the mask of a change's kind, every kind for
// KindDataset or a kind it does not know.
func KindMask(kind string) uint32 {
	if b, ok := kindBits[kind]; ok {
		return b
	}
	return allKinds
}

// readsOf is what a statement reads: a mask of kinds, and whether it
// names a table holding no record. Parsed once per statement text.
type readSet struct {
	mask     uint32
	volatile bool
}

var readsCache sync.Map // statement text -> readSet

// readsOfStatement finds the tables a statement names: every identifier
// outside string literals that is a table's name (a column named as a
// table only makes the answer drop more often).
func readsOfStatement(q string) readSet {
	if v, ok := readsCache.Load(q); ok {
		return v.(readSet)
	}
	var rs readSet
	note := func(name string) {
		kind, ok := tableKinds[strings.ToLower(name)]
		switch {
		case !ok:
		case kind == "":
			rs.volatile = true
		default:
			for _, k := range strings.Fields(kind) {
				rs.mask |= kindBits[k]
			}
		}
	}
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == '\'':
			j := i + 1
			for j < len(q) {
				if q[j] == '\'' {
					if j+1 < len(q) && q[j+1] == '\'' {
						j += 2
						continue
					}
					break
				}
				j++
			}
			i = j + 1
		case c == '"' || c == '`' || c == '[':
			end := byte('"')
			switch c {
			case '`':
				end = '`'
			case '[':
				end = ']'
			}
			j := strings.IndexByte(q[i+1:], end)
			if j < 0 {
				i = len(q)
				continue
			}
			note(q[i+1 : i+1+j])
			i += j + 2
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i + 1
			for j < len(q) && (q[j] == '_' || q[j] >= 'a' && q[j] <= 'z' || q[j] >= 'A' && q[j] <= 'Z' || q[j] >= '0' && q[j] <= '9') {
				j++
			}
			note(q[i:j])
			i = j
		default:
			i++
		}
	}
	if len(q) < 64<<10 {
		readsCache.Store(q, rs)
	}
	return rs
}

// noteReads notes in the request's Stats what statement q reads.
func noteReads(ctx context.Context, q string) {
	if s := StatsFrom(ctx); s != nil {
		rs := readsOfStatement(q)
		s.readMu.Lock()
		s.readMask |= rs.mask
		s.volatile = s.volatile || rs.volatile
		s.readMu.Unlock()
	}
}

// noteMask notes in the request's Stats that it read the kinds of mask
// (through a cache of this package, which ran no statement).
func noteMask(ctx context.Context, mask uint32) {
	if s := StatsFrom(ctx); s != nil {
		s.readMu.Lock()
		s.readMask |= mask
		s.readMu.Unlock()
	}
}

// noteVolatile marks the request's answer as reading what no change
// describes.
func noteVolatile(ctx context.Context) {
	if s := StatsFrom(ctx); s != nil {
		s.readMu.Lock()
		s.volatile = true
		s.readMu.Unlock()
	}
}

// Reads returns what the request's statements read: the mask of the kinds
// of records (KindMask), and whether they read anything no change
// describes (volatile: the answer must be dropped at any write).
func (s *Stats) Reads() (mask uint32, volatile bool) {
	s.readMu.Lock()
	defer s.readMu.Unlock()
	return s.readMask, s.volatile
}

// StartupSlugExists reports whether a startup has slug as its current
// slug (not only as a former one). It notes nothing in the request's
// Stats.
func (db *DB) StartupSlugExists(ctx context.Context, slug string) (bool, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM startups WHERE slug = ?", slug).Scan(&n); err != nil {
		return false, fmt.Errorf("startup %s: %w", slug, db.note(err))
	}
	return n > 0, nil
}
