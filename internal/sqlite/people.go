package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// Writes of members: createMember and updateMember, with the rules of the
// other writes (one transaction, an audit entry, versions, manager scopes,
// idempotency keys) and those of re-imports (edits.go: the fields written
// here are kept by later imports).

// member reads a member with their skills inside the transaction, or
// fails with NOT_FOUND naming field.
func (w *wtx) member(field, slug string) (*portfolio.Member, error) {
	m, err := readOne(w, "SELECT "+memberCols+" FROM members mb WHERE mb.slug = ?", slug, scanMember)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, notFound(field, "member", slug)
	}
	rows, err := w.tx.QueryContext(w.ctx, "SELECT label FROM member_competences WHERE member_id = ? ORDER BY seq", m.ID)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", w.mutation, err)
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("%s: %w", w.mutation, err)
		}
		m.Competences = append(m.Competences, c)
	}
	return m, rows.Err()
}

func (l *loader) readMember(ctx context.Context) func(string) (*portfolio.Member, error) {
	return func(slug string) (*portfolio.Member, error) { return l.w(ctx).member("slug", slug) }
}

// writeMemberFields writes the columns and skills of member m.
func (w *wtx) writeMemberFields(m *portfolio.Member) error {
	if _, err := w.exec(`UPDATE members SET fullname = ?, name_key = ?, search_text = ?, role = ?, domain = ?, github = ?, link = ?, member_type = ?, bio = ?
		WHERE id = ?`, m.Fullname, nameKey(m.Fullname), portfolio.Fold(m.Fullname), m.Role, string(m.Domain), m.Github, m.Link, m.MemberType, m.Bio, m.ID); err != nil {
		return err
	}
	if _, err := w.exec("DELETE FROM member_competences WHERE member_id = ?", m.ID); err != nil {
		return err
	}
	for i, c := range m.Competences {
		if _, err := w.exec("INSERT INTO member_competences (member_id, seq, label) VALUES (?, ?, ?)", m.ID, i, c); err != nil {
			return err
		}
	}
	return nil
}

// rightsOver reports whether the caller may change the record of the
// member with this id: an admin always; a manager when one of the member's
// missions that confer rights (missions.confers_rights: from the records,
// written by an admin, the first one of createMember, or written by a
// manager that already had rights over the person) is, at any time, on a
// startup of its incubators. A mission a manager attached to a person it had
// no rights over confers none: a manager's own writes never widen its scope.
func (w *wtx) rightsOver(memberID int64) (bool, error) {
	if w.id.Role == portfolio.RoleAdmin {
		return true, nil
	}
	if w.id.Role != portfolio.RoleManager || len(w.id.Incubators) == 0 {
		return false, nil
	}
	var ok bool
	err := w.tx.QueryRowContext(w.ctx, `SELECT EXISTS (SELECT 1 FROM missions mi JOIN mission_startups ms ON ms.mission_id = mi.id
		JOIN startups s ON s.id = ms.startup_id JOIN incubators i ON i.id = s.incubator_id
		WHERE mi.member_id = ? AND mi.confers_rights = 1 AND i.slug IN (SELECT value FROM json_each(?)))`,
		memberID, jsonList(w.id.Incubators)).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("%s: rights over member %d: %w", w.mutation, memberID, err)
	}
	return ok, nil
}

// canWriteMember checks that the caller may change member m (rightsOver),
// and otherwise says why: no mission on a startup of its incubators, or
// only missions a manager attached without having rights over the person.
func (w *wtx) canWriteMember(m *portfolio.Member) error {
	ok, err := w.rightsOver(m.ID)
	if err != nil || ok {
		return err
	}
	// The missions that link the member to the caller's incubators but
	// confer nothing, with who wrote their startups.
	rows, err := w.tx.QueryContext(w.ctx, `SELECT DISTINCT mi.slug, coalesce(e.token_name, ''), coalesce(e.mutation, ''), mi.seq
		FROM missions mi JOIN mission_startups ms ON ms.mission_id = mi.id
		JOIN startups s ON s.id = ms.startup_id JOIN incubators i ON i.id = s.incubator_id
		LEFT JOIN api_edits e ON e.kind = 'missions' AND e.slug = mi.slug AND e.field = 'startups'
		WHERE mi.member_id = ? AND mi.confers_rights = 0 AND i.slug IN (SELECT value FROM json_each(?))
		ORDER BY mi.seq`, m.ID, jsonList(w.id.Incubators))
	if err != nil {
		return fmt.Errorf("%s: %w", w.mutation, err)
	}
	defer rows.Close()
	var slugs, writers []string
	for rows.Next() {
		var slug, token, mutation string
		var seq int
		if err := rows.Scan(&slug, &token, &mutation, &seq); err != nil {
			return fmt.Errorf("%s: %w", w.mutation, err)
		}
		who := "a manager"
		switch {
		case token != "" && token == w.id.TokenName:
			who = "your token (" + token + ")"
		case token != "":
			who = "manager token " + token
		}
		if mutation != "" && mutation != "migration" {
			who += " with " + mutation
		}
		slugs, writers = append(slugs, slug), append(writers, slug+" was written by "+who)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", w.mutation, err)
	}
	if len(slugs) == 0 {
		return portfolio.Errorf(portfolio.EForbidden, "your token may change the members linked to its incubators by a mission from the records, "+
			"one written by an admin, or their creation (createMember), and %s has none", m.Slug)
	}
	return &portfolio.Error{Code: portfolio.EForbidden,
		Message: fmt.Sprintf("your token may not change %s: the missions that link them to your incubators were attached by a manager "+
			"who had no rights over them (%s), and a manager's own writes never widen its scope. "+
			"Rights over a person come from a mission in the records, one written by an admin, or their creation (createMember): ask an admin",
			m.Slug, strings.Join(writers, "; ")),
		Extensions: map[string]any{"missions": slugs}}
}

// CreateMember creates a member and, when first is not nil, their first
// mission. An admin may create anyone; a manager only with a first
// mission on startups of its incubators.
func (db *DB) CreateMember(ctx context.Context, m *portfolio.Member, first *portfolio.Mission) (*portfolio.Member, error) {
	var out *portfolio.Member
	err := db.mutate(ctx, "createMember", portfolio.RoleManager, &out, func(w *wtx) error {
		if err := m.ValidateEdit(); err != nil {
			return err
		}
		if first == nil && w.id.Role != portfolio.RoleAdmin {
			return portfolio.FieldErrorf("mission", "a manager creates a member with a first mission on a startup of its incubators (mission)")
		}
		var ids []int64
		if first != nil {
			if err := first.Validate(); err != nil {
				var e *portfolio.Error
				if errors.As(err, &e) && e.Field != "" {
					e.Field = "mission." + e.Field
				}
				return err
			}
			var err error
			if ids, err = w.canWriteMission(first.Startups); err != nil {
				return err
			}
		}
		if id, err := w.exists("members", m.Slug); err != nil {
			return err
		} else if id != 0 {
			return &portfolio.Error{Code: portfolio.EConflict, Field: "slug", Message: fmt.Sprintf("a member %q already exists: change it with updateMember", m.Slug)}
		}
		res, err := w.exec("INSERT INTO members (slug, fullname, name_key) VALUES (?, ?, ?)", m.Slug, m.Fullname, nameKey(m.Fullname))
		if err != nil {
			return err
		}
		if m.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if err := w.writeMemberFields(m); err != nil {
			return err
		}
		m.Version, m.Missions = 1, nil
		if first != nil {
			ms := *first
			ms.MemberSlug, ms.Slug, ms.Source, ms.Version = m.Slug, m.Slug+"/"+strconv.Itoa(recordedSeqBase+1), portfolio.SourceRecorded, 1
			// The first mission of a person created here confers rights
			// over them: the person belongs to its startups' incubators.
			res, err := w.exec(`INSERT INTO missions (slug, member_id, seq, start, "end", status, employer, source, version, confers_rights)
				VALUES (?, ?, ?, ?, ?, ?, ?, 'RECORDED', 1, 1)`,
				ms.Slug, m.ID, recordedSeqBase, ms.Start.String(), nullDate(ms.End), string(ms.Status), ms.Employer)
			if err != nil {
				return err
			}
			if ms.ID, err = res.LastInsertId(); err != nil {
				return err
			}
			if err := w.writeMissionStartups(&ms, ids); err != nil {
				return err
			}
			if err := w.edited("missions", ms.Slug, nil, &ms); err != nil {
				return err
			}
			if err := w.audit("Mission", ms.Slug, nil, &ms); err != nil {
				return err
			}
		}
		out = m
		if err := w.edited("members", m.Slug, nil, m); err != nil {
			return err
		}
		return w.audit("Member", m.Slug, nil, m)
	})
	return out, err
}

// UpdateMember applies patch to the member with this slug if their version
// is still version. Imports keep the fields the patch changed.
func (db *DB) UpdateMember(ctx context.Context, slug string, version int64, patch func(*portfolio.Member) error) (*portfolio.Member, error) {
	var out *portfolio.Member
	err := db.mutate(ctx, "updateMember", portfolio.RoleManager, &out, func(w *wtx) error {
		m, err := w.member("id", slug)
		if err != nil {
			return err
		}
		if err := w.canWriteMember(m); err != nil {
			return err
		}
		if m.Version != version {
			return conflict("member", slug, m.Version, version)
		}
		before := *m
		before.Competences = append([]string(nil), m.Competences...)
		if err := patch(m); err != nil {
			return err
		}
		if err := m.ValidateEdit(); err != nil {
			return err
		}
		if err := w.writeMemberFields(m); err != nil {
			return err
		}
		res, err := w.exec("UPDATE members SET version = version + 1 WHERE id = ? AND version = ?", m.ID, version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return conflict("member", slug, -1, version)
		}
		m.Version++
		out = m
		if err := w.edited("members", slug, &before, m); err != nil {
			return err
		}
		return w.audit("Member", slug, before, m)
	})
	return out, err
}
