package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Following the source (portfolio sync, import --prune): the repository
// is the source of truth for what it holds. A record deleted there is
// deleted here, with what hangs off it; a startup renamed there (its new
// file lists the old slug in redirect_from) is renamed here, so that what
// refers to it follows. What was written through the API stays: a record
// the source deleted that the API edited, created, or hung a recorded
// committee, phase or mission on is kept and reported (Kept), and a rename
// that would have to merge the API's writes on two records is refused
// (*RenameError), the whole load with it.

// Follow says what a load that follows its source deletes and renames.
type Follow struct {
	// Full says the load writes every record of the source (the first
	// sync, a full comparison, import --prune): the records of the
	// database whose slug Present does not list are deleted.
	Full bool
	// Present lists, by kind ("startups", …), every slug the source
	// holds: the records it writes and those whose file could not be
	// read (kept as they are).
	Present map[string]map[string]bool
	// Deleted lists, when not Full, the records the source deleted since
	// the state the database holds (the files a commit removed).
	Deleted []Ref
	// Renames maps an old slug of a startup to the slug of the startup
	// of the source that lists it in redirect_from.
	Renames map[string]string
}

// Rename is a record renamed by a load that follows its source.
type Rename struct {
	Kind     string // "startups"
	From, To string
}

// String returns "startup old → new".
func (r Rename) String() string {
	return fmt.Sprintf("%s %s → %s", strings.TrimSuffix(r.Kind, "s"), r.From, r.To)
}

// Kept is a record the source deleted that a load kept, and why.
type Kept struct {
	Record Ref
	Reason string // what holds it: "edited through the API (name, pitch)", …
}

// String says what was kept and why.
func (k Kept) String() string {
	return fmt.Sprintf("%s was deleted in the source but kept: %s", k.Record, k.Reason)
}

// RenameError is the refusal of a rename whose two startups both hold
// writes of the API: merging them is for a person to decide. The load
// fails, writing nothing.
type RenameError struct {
	From, To         string
	FromHas, ToHolds string // what the API wrote on each
}

// Error says what was refused and what to do.
func (e *RenameError) Error() string {
	return fmt.Sprintf("rename of startup %s to %s refused: %s already exists here and both hold writes of the API (%s: %s; %s: %s); "+
		"nothing written: delete one of them through the API (or move its committees), then sync again",
		e.From, e.To, e.To, e.From, e.FromHas, e.To, e.ToHolds)
}

// following is what a load follows: the records to delete, found before
// the load writes.
type following struct {
	deletions []Ref // in the order they are deleted: members first, organisations last
}

// follow finds the records the source deleted, applies the renames among
// them, and returns the others for applyDeletions.
func (l *loader) follow(ctx context.Context, f *Follow) (*following, error) {
	var gone []Ref
	if f.Full {
		for _, kind := range Kinds {
			rows, err := l.tx.QueryContext(ctx, "SELECT slug FROM "+kind+" ORDER BY slug")
			if err != nil {
				return nil, fmt.Errorf("follow: %s: %w", kind, err)
			}
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					rows.Close()
					return nil, fmt.Errorf("follow: %s: %w", kind, err)
				}
				if !f.Present[kind][s] {
					gone = append(gone, Ref{kind, s})
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, fmt.Errorf("follow: %s: %w", kind, err)
			}
		}
	} else {
		for _, r := range f.Deleted {
			var n int
			if !slices.Contains(Kinds, r.Kind) {
				return nil, fmt.Errorf("follow: unknown kind %q", r.Kind)
			}
			if err := l.tx.QueryRowContext(ctx, "SELECT count(*) FROM "+r.Kind+" WHERE slug = ?", r.Slug).Scan(&n); err != nil {
				return nil, fmt.Errorf("follow: %s: %w", r, err)
			}
			if n > 0 {
				gone = append(gone, r)
			}
		}
	}
	order := map[string]int{"members": 0, "startups": 1, "teams": 2, "incubators": 3, "organisations": 4}
	sort.SliceStable(gone, func(i, j int) bool {
		if a, b := order[gone[i].Kind], order[gone[j].Kind]; a != b {
			return a < b
		}
		return gone[i].Slug < gone[j].Slug
	})
	out := &following{}
	for _, r := range gone {
		if to, ok := f.Renames[r.Slug]; ok && r.Kind == "startups" && to != r.Slug {
			done, err := l.rename(ctx, r.Slug, to)
			if err != nil {
				return nil, err
			}
			if done {
				l.res.Renamed = append(l.res.Renamed, Rename{Kind: "startups", From: r.Slug, To: to})
				continue
			}
		}
		out.deletions = append(out.deletions, r)
	}
	return out, nil
}

// rename gives the startup from the slug to, with its committees and what
// the API noted about both, before the load writes the startup under its
// new slug. It does nothing (false) when another startup holds the slug to
// or the API deleted one of that slug, unless both startups hold writes
// of the API: then it refuses.
func (l *loader) rename(ctx context.Context, from, to string) (bool, error) {
	var exists, tomb int
	err := l.tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM startups WHERE slug = ?),
		(SELECT count(*) FROM tombstones WHERE kind = 'startups' AND slug = ?)`, to, to).Scan(&exists, &tomb)
	if err != nil {
		return false, fmt.Errorf("rename %s: %w", from, err)
	}
	if exists > 0 {
		fromHas, err := l.apiHolds(ctx, Ref{"startups", from})
		if err != nil {
			return false, err
		}
		toHolds, err := l.apiHolds(ctx, Ref{"startups", to})
		if err != nil {
			return false, err
		}
		if fromHas != "" && toHolds != "" {
			return false, &RenameError{From: from, To: to, FromHas: fromHas, ToHolds: toHolds}
		}
		return false, nil
	}
	if tomb > 0 {
		return false, nil
	}
	prefix := func(table, kindCond string) string {
		return "UPDATE " + table + " SET slug = ? || substr(slug, length(?) + 1) WHERE " + kindCond + "substr(slug, 1, length(?) + 1) = ? || '/'"
	}
	for _, st := range []struct {
		q    string
		args []any
	}{
		{"UPDATE startups SET slug = ?, version = version + 1 WHERE slug = ?", []any{to, from}},
		{prefix("committees", ""), []any{to, from, from, from}},
		{"UPDATE api_edits SET slug = ? WHERE kind = 'startups' AND slug = ?", []any{to, from}},
		{prefix("api_edits", "kind = 'committees' AND "), []any{to, from, from, from}},
		{prefix("tombstones", "kind = 'committees' AND "), []any{to, from, from, from}},
	} {
		if _, err := l.tx.ExecContext(ctx, st.q, st.args...); err != nil {
			return false, fmt.Errorf("rename %s to %s: %w", from, to, err)
		}
	}
	return true, nil
}

// apiHolds says what the API wrote on a record that would be lost with
// it: its own edited fields (a record created through the API has them
// all), and what hangs off it written through the API. "" when nothing.
func (l *loader) apiHolds(ctx context.Context, r Ref) (string, error) {
	var parts []string
	fields, err := l.strings(ctx, "SELECT field FROM api_edits WHERE kind = ? AND slug = ? ORDER BY field", r.Kind, r.Slug)
	if err != nil {
		return "", err
	}
	if len(fields) > 0 {
		parts = append(parts, "edited through the API ("+strings.Join(fields, ", ")+")")
	}
	count := func(what, q string, args ...any) error {
		var n int
		if err := l.tx.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			return fmt.Errorf("%s: %s: %w", r, what, err)
		}
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, what))
		}
		return nil
	}
	switch r.Kind {
	case "startups":
		if err := count("committees recorded through the API",
			"SELECT count(*) FROM committees c JOIN startups s ON s.id = c.startup_id WHERE s.slug = ? AND c.source = 'RECORDED'", r.Slug); err != nil {
			return "", err
		}
		if err := count("phases recorded through the API",
			"SELECT count(*) FROM phases p JOIN startups s ON s.id = p.startup_id WHERE s.slug = ? AND p.source = 'RECORDED'", r.Slug); err != nil {
			return "", err
		}
		if err := count("missions recorded through the API on it", `SELECT count(*) FROM mission_startups ms JOIN missions m ON m.id = ms.mission_id
			JOIN startups s ON s.id = ms.startup_id WHERE s.slug = ? AND m.source = 'RECORDED'`, r.Slug); err != nil {
			return "", err
		}
	case "members":
		if err := count("missions recorded through the API",
			"SELECT count(*) FROM missions m JOIN members p ON p.id = m.member_id WHERE p.slug = ? AND m.source = 'RECORDED'", r.Slug); err != nil {
			return "", err
		}
		if err := count("committee attendances recorded through the API",
			"SELECT count(*) FROM committee_attendees a JOIN members p ON p.id = a.member_id WHERE p.slug = ?", r.Slug); err != nil {
			return "", err
		}
	}
	return strings.Join(parts, ", "), nil
}

// referrers says which records still refer to an incubator, an
// organisation or a team about to be deleted (the source dropped its own
// references when it deleted the record; those left were written through
// the API, or by a manager's token scope): "" when none.
func (l *loader) referrers(ctx context.Context, r Ref) (string, error) {
	var qs []struct{ what, q string }
	switch r.Kind {
	case "incubators":
		qs = []struct{ what, q string }{
			{"startups", "SELECT s.slug FROM startups s JOIN incubators i ON i.id = s.incubator_id WHERE i.slug = ? ORDER BY s.slug"},
			{"startups (co-incubation)", "SELECT s.slug FROM startup_incubators si JOIN startups s ON s.id = si.startup_id JOIN incubators i ON i.id = si.incubator_id WHERE i.slug = ? ORDER BY s.slug"},
			{"teams", "SELECT t.slug FROM teams t JOIN incubators i ON i.id = t.incubator_id WHERE i.slug = ? ORDER BY t.slug"},
			{"tokens scoped to it", "SELECT k.name FROM token_incubators ti JOIN tokens k ON k.id = ti.token_id JOIN incubators i ON i.id = ti.incubator_id WHERE i.slug = ? ORDER BY k.name"},
		}
	case "organisations":
		qs = []struct{ what, q string }{
			{"startups it sponsors", "SELECT s.slug FROM startup_sponsors ss JOIN startups s ON s.id = ss.startup_id JOIN organisations o ON o.id = ss.organisation_id WHERE o.slug = ? ORDER BY s.slug"},
			{"incubators it owns", "SELECT i.slug FROM incubators i JOIN organisations o ON o.id = i.owner_id WHERE o.slug = ? ORDER BY i.slug"},
			{"committees it attended (recorded through the API)", "SELECT DISTINCT c.slug FROM committee_attendees a JOIN committees c ON c.id = a.committee_id JOIN organisations o ON o.id = a.organisation_id WHERE o.slug = ? ORDER BY c.slug"},
		}
	}
	var parts []string
	for _, q := range qs {
		names, err := l.strings(ctx, q.q, r.Slug)
		if err != nil {
			return "", fmt.Errorf("%s: %w", r, err)
		}
		if len(names) > 0 {
			if len(names) > 5 {
				names = append(names[:5], fmt.Sprintf("… %d in all", len(names)))
			}
			parts = append(parts, q.what+": "+strings.Join(names, ", "))
		}
	}
	if len(parts) == 0 {
		return "", nil
	}
	return "still referred to by " + strings.Join(parts, "; "), nil
}

func (l *loader) strings(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := l.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// applyDeletions deletes, after the load wrote the source's records, the
// records the source deleted, or keeps and reports those the API wrote on
// or that something still refers to.
func (l *loader) applyDeletions(ctx context.Context, f *following) error {
	for _, r := range f.deletions {
		reason, err := l.apiHolds(ctx, r)
		if err != nil {
			return err
		}
		if reason == "" {
			if reason, err = l.referrers(ctx, r); err != nil {
				return err
			}
		}
		if reason == "" {
			if reason, err = l.deleteRecord(ctx, r); err != nil {
				return err
			}
		}
		if reason != "" {
			l.res.Kept = append(l.res.Kept, Kept{Record: r, Reason: reason})
			continue
		}
		l.res.Deleted = append(l.res.Deleted, r)
	}
	return nil
}

// deleteRecord deletes a record with what hangs off it. A reference the
// checks above did not foresee (a table added later) makes SQLite refuse:
// the record is then kept, the refusal given as the reason.
func (l *loader) deleteRecord(ctx context.Context, r Ref) (string, error) {
	var id int64
	err := l.tx.QueryRowContext(ctx, "SELECT id FROM "+r.Kind+" WHERE slug = ?", r.Slug).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("delete %s: %w", r, err)
	}
	var qs []string
	switch r.Kind {
	case "startups":
		// Its own children go with it (ON DELETE CASCADE); the links of
		// members' missions and older member lists are the members'.
		qs = []string{"DELETE FROM mission_startups WHERE startup_id = ?", "DELETE FROM member_startups WHERE startup_id = ?"}
	case "teams":
		qs = []string{"DELETE FROM member_teams WHERE team_id = ?"}
	}
	qs = append(qs, "DELETE FROM "+r.Kind+" WHERE id = ?")
	if _, err := l.tx.ExecContext(ctx, "SAVEPOINT follow_delete"); err != nil {
		return "", fmt.Errorf("delete %s: %w", r, err)
	}
	for _, q := range qs {
		if _, err := l.tx.ExecContext(ctx, q, id); err != nil {
			if !strings.Contains(err.Error(), "FOREIGN KEY constraint failed") {
				return "", fmt.Errorf("delete %s: %w", r, err)
			}
			if _, err := l.tx.ExecContext(ctx, "ROLLBACK TO follow_delete"); err != nil {
				return "", fmt.Errorf("delete %s: %w", r, err)
			}
			if _, err := l.tx.ExecContext(ctx, "RELEASE follow_delete"); err != nil {
				return "", fmt.Errorf("delete %s: %w", r, err)
			}
			return "still referred to by other records (the database refused the deletion)", nil
		}
	}
	if _, err := l.tx.ExecContext(ctx, "RELEASE follow_delete"); err != nil {
		return "", fmt.Errorf("delete %s: %w", r, err)
	}
	return "", nil
}

// PresentSlugs returns what Follow.Present lists for a source: the slugs
// of the records it writes and of those whose file it could not read, by
// kind.
func PresentSlugs(written map[string][]string, unreadable map[string][]string) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, m := range []map[string][]string{written, unreadable} {
		for k, slugs := range m {
			if out[k] == nil {
				out[k] = map[string]bool{}
			}
			for _, s := range slugs {
				out[k][s] = true
			}
		}
	}
	return out
}
