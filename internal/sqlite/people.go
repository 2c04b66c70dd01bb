package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strconv"

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
	if _, err := w.exec(`UPDATE members SET fullname = ?, search_text = ?, role = ?, domain = ?, github = ?, link = ?, member_type = ?, bio = ?
		WHERE id = ?`, m.Fullname, portfolio.Fold(m.Fullname), m.Role, string(m.Domain), m.Github, m.Link, m.MemberType, m.Bio, m.ID); err != nil {
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

// canWriteMember checks that the caller may change member m: an admin
// any; a manager a member with a mission, at any time, on a startup of
// its incubators.
func (w *wtx) canWriteMember(m *portfolio.Member) error {
	if w.id.Role == portfolio.RoleAdmin {
		return nil
	}
	rows, err := w.tx.QueryContext(w.ctx, `SELECT DISTINCT coalesce(i.slug, '') FROM missions mi JOIN mission_startups ms ON ms.mission_id = mi.id
		JOIN startups s ON s.id = ms.startup_id LEFT JOIN incubators i ON i.id = s.incubator_id WHERE mi.member_id = ?`, m.ID)
	if err != nil {
		return fmt.Errorf("%s: %w", w.mutation, err)
	}
	defer rows.Close()
	for rows.Next() {
		var inc string
		if err := rows.Scan(&inc); err != nil {
			return fmt.Errorf("%s: %w", w.mutation, err)
		}
		if inc != "" && w.id.CanWriteIncubator(inc) {
			return nil
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", w.mutation, err)
	}
	return portfolio.Errorf(portfolio.EForbidden, "your token may write the members who have a mission on a startup of its incubators, and %s has none", m.Slug)
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
		res, err := w.exec("INSERT INTO members (slug, fullname) VALUES (?, ?)", m.Slug, m.Fullname)
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
			res, err := w.exec(`INSERT INTO missions (slug, member_id, seq, start, "end", status, employer, source, version) VALUES (?, ?, ?, ?, ?, ?, ?, 'RECORDED', 1)`,
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
