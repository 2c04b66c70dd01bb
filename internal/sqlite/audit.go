package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// AuditEntry is one write, as the audit log keeps it.
type AuditEntry struct {
	ID         int64
	At         string // RFC 3339 UTC
	TokenName  string
	Role       portfolio.Role
	Mutation   string
	ObjectType string
	ObjectSlug string
	Before     string // JSON, "" for a creation
	After      string // JSON, "" for a deletion
}

// AuditFilter selects audit entries; empty fields select everything.
type AuditFilter struct {
	Mutations   []string
	ObjectTypes []string
	ObjectSlug  string
	TokenNames  []string
	From, To    portfolio.Date // on or after, on or before (UTC days)
}

// AuditLog returns a page of the audit log, latest first. Admins only.
func (db *DB) AuditLog(ctx context.Context, f AuditFilter, w portfolio.Window) (*Page[*AuditEntry], error) {
	if !portfolio.IdentityFrom(ctx).CanRead(portfolio.RoleAdmin) {
		return nil, portfolio.Errorf(portfolio.EForbidden, "the audit log is for admins")
	}
	b := &builder{}
	var conds []string
	if f.Mutations != nil {
		conds = append(conds, inList(b, "mutation", f.Mutations))
	}
	if f.ObjectTypes != nil {
		conds = append(conds, inList(b, "object_type", f.ObjectTypes))
	}
	if f.TokenNames != nil {
		conds = append(conds, inList(b, "token_name", f.TokenNames))
	}
	if f.ObjectSlug != "" {
		conds = append(conds, "object_slug = "+b.arg(f.ObjectSlug))
	}
	if !f.From.IsZero() {
		conds = append(conds, "at >= "+b.arg(f.From.String()))
	}
	if !f.To.IsZero() {
		conds = append(conds, "at < "+b.arg(f.To.AddDays(1).String()))
	}
	where := "1"
	if len(conds) > 0 {
		where = strings.Join(conds, " AND ")
	}
	nargs := len(b.args)
	q := `SELECT id, at, token_name, role, mutation, object_type, object_slug, coalesce(before, ''), coalesce(after, ''), count(*) OVER ()
		FROM audit_log WHERE ` + where + " ORDER BY id DESC LIMIT " + b.arg(w.Limit) + " OFFSET " + b.arg(w.Offset)
	p := &Page[*AuditEntry]{}
	err := db.each(ctx, q, b.args, func(rows *sql.Rows) error {
		e := &AuditEntry{}
		if err := rows.Scan(&e.ID, &e.At, &e.TokenName, &e.Role, &e.Mutation, &e.ObjectType, &e.ObjectSlug, &e.Before, &e.After, &p.Total); err != nil {
			return fmt.Errorf("scan audit: %w", err)
		}
		p.Items = append(p.Items, e)
		return nil
	})
	if err == nil && len(p.Items) == 0 {
		err = db.each(ctx, "SELECT count(*) FROM audit_log WHERE "+where, b.args[:nargs], func(rows *sql.Rows) error { return rows.Scan(&p.Total) })
	}
	return p, err
}

// IDString returns the entry's number as the API shows it.
func (e *AuditEntry) IDString() string { return strconv.FormatInt(e.ID, 10) }

// OptBefore returns the object before the write, or nil for a creation.
func (e *AuditEntry) OptBefore() *string {
	if e.Before == "" {
		return nil
	}
	return &e.Before
}

// OptAfter returns the object after the write, or nil for a deletion.
func (e *AuditEntry) OptAfter() *string {
	if e.After == "" {
		return nil
	}
	return &e.After
}
