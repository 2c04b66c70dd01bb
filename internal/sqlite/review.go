package sqlite

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// The reads of a portfolio review: investment, quality markers, flows, the
// network's event feed, who follows whom, and the conditions and orderings
// of StartupFilter that a review asks (portfolio.ReviewConditions). Each is
// one statement over the startups a filter selects, or one batch for all
// the parents a request holds.

func nullBool(b sql.NullBool) *bool {
	if !b.Valid {
		return nil
	}
	v := b.Bool
	return &v
}

func boolArg(b *bool) any {
	if b == nil {
		return nil
	}
	if *b {
		return 1
	}
	return 0
}

func accessibilityArg(s *portfolio.Startup) any {
	if a := s.Accessibility(); a != nil {
		return string(*a)
	}
	return nil
}

// putReview writes the review fields of a startup the load holds: its
// co-incubators, old slugs and portfolio managers (the old rows are gone:
// a fresh load has none, an update cleared them).
func (l *loader) putReview(ctx context.Context, id int64, s *portfolio.Startup) error {
	for i, inc := range s.CoIncubators {
		if _, err := l.exec(ctx, "INSERT OR IGNORE INTO startup_incubators (startup_id, incubator_id, seq) SELECT ?, id, ? FROM incubators WHERE slug = ?", id, i, inc); err != nil {
			return fmt.Errorf("incubators: %w", err)
		}
	}
	for i, slug := range s.RedirectFrom {
		if slug == s.Slug {
			continue
		}
		if _, err := l.exec(ctx, "INSERT OR IGNORE INTO startup_redirects (slug, startup_id, seq) VALUES (?, ?, ?)", slug, id, i); err != nil {
			return fmt.Errorf("redirect_from: %w", err)
		}
	}
	for _, c := range []struct {
		kind    string
		members []string
	}{{"dinum", s.ContactDINUM}, {"incubator", s.ContactIncubator}} {
		for i, m := range c.members {
			if _, err := l.exec(ctx, "INSERT INTO startup_contacts (startup_id, kind, seq, member_slug) VALUES (?, ?, ?, ?)", id, c.kind, i, m); err != nil {
				return fmt.Errorf("contact_%s: %w", c.kind, err)
			}
		}
	}
	return nil
}

// ---------------------------------------------------------------- batches

// CoIncubatorsByStartup returns the incubators of each startup's
// co-incubation (besides its main incubator), in the record's order.
func (db *DB) CoIncubatorsByStartup(ctx context.Context, ids []int64) (map[int64][]*portfolio.Incubator, error) {
	q := "SELECT " + incubatorCols + `, si.startup_id FROM startup_incubators si JOIN incubators i ON i.id = si.incubator_id
		WHERE si.startup_id IN (SELECT value FROM json_each(?)) ORDER BY si.startup_id, si.seq`
	return grouped(ctx, db, q, ids, incubatorReader)
}

// FormerSlugsByStartup returns the slugs each startup had before, in the
// record's order.
func (db *DB) FormerSlugsByStartup(ctx context.Context, ids []int64) (map[int64][]string, error) {
	q := `SELECT startup_id, slug FROM startup_redirects WHERE startup_id IN (SELECT value FROM json_each(?)) ORDER BY startup_id, seq`
	out := make(map[int64][]string, len(ids))
	err := db.each(ctx, q, []any{jsonInts(ids)}, func(rows *sql.Rows) error {
		var id int64
		var slug string
		if err := rows.Scan(&id, &slug); err != nil {
			return fmt.Errorf("scan former slug: %w", err)
		}
		out[id] = append(out[id], slug)
		return nil
	})
	return out, err
}

// StartupsByFormerSlug returns the startups that had these slugs before,
// keyed by the old slug; a slug that is a startup's own is not looked up.
// When two startups had the same old slug, the first by slug answers.
func (db *DB) StartupsByFormerSlug(ctx context.Context, slugs []string) (map[string]*portfolio.Startup, error) {
	out := make(map[string]*portfolio.Startup, len(slugs))
	q := "SELECT " + startupCols + `, r.slug FROM startup_redirects r JOIN startups s ON s.id = r.startup_id` + startupJoins + `
		WHERE r.slug IN (SELECT value FROM json_each(?)) AND r.slug NOT IN (SELECT slug FROM startups) ORDER BY r.slug, s.slug DESC`
	err := db.each(ctx, q, []any{jsonList(slugs)}, func(rows *sql.Rows) error {
		var old string
		s, err := scanStartup(rows, &old)
		if err == nil {
			out[old] = s
		}
		return err
	})
	return out, err
}

// ManagersByStartup returns the members who follow each startup: those of
// contact_dinum, then those of contact_incubator, each once
// (portfolio.PortfolioManagers). Usernames of no member are left out.
func (db *DB) ManagersByStartup(ctx context.Context, ids []int64) (map[int64][]*portfolio.Member, error) {
	q := "SELECT " + memberCols + `, sc.startup_id FROM startup_contacts sc JOIN members mb ON mb.slug = sc.member_slug
		WHERE sc.startup_id IN (SELECT value FROM json_each(?)) ORDER BY sc.startup_id, sc.kind, sc.seq`
	all, err := grouped(ctx, db, q, ids, memberReader)
	for id, ms := range all {
		// The rows come in the rule's order (dinum, then incubator);
		// the rule drops the repeats.
		bySlug := map[string]*portfolio.Member{}
		slugs := make([]string, len(ms))
		for i, m := range ms {
			bySlug[m.Slug], slugs[i] = m, m.Slug
		}
		order := portfolio.PortfolioManagers(slugs, nil)
		out := make([]*portfolio.Member, len(order))
		for i, slug := range order {
			out[i] = bySlug[slug]
		}
		all[id] = out
	}
	return all, err
}

// FollowedByMember returns the startups each member follows (named in
// their contact_dinum or contact_incubator), by name.
func (db *DB) FollowedByMember(ctx context.Context, ids []int64) (map[int64][]*portfolio.Startup, error) {
	q := "SELECT " + startupCols + `, x.member_id FROM (
			SELECT DISTINCT mb.id AS member_id, sc.startup_id FROM members mb JOIN startup_contacts sc ON sc.member_slug = mb.slug
			WHERE mb.id IN (SELECT value FROM json_each(?))
		) x JOIN startups s ON s.id = x.startup_id` + startupJoins + ` ORDER BY x.member_id, s.name_key, s.slug`
	return grouped(ctx, db, q, ids, startupReader)
}

// ---------------------------------------------------------------- filters and orderings

// statsPageSQL holds when startup s has a public statistics page
// (portfolio.StatsPage).
const statsPageSQL = `(s.stats_url <> '' OR (s.stats = 1 AND s.link <> ''))`

func intList(b *builder, expr string, values []int) string {
	if len(values) == 0 {
		return "0"
	}
	ids := make([]int64, len(values))
	for i, v := range values {
		ids[i] = int64(v)
	}
	return "coalesce(" + expr + " IN (SELECT value FROM json_each(" + b.arg(jsonInts(ids)) + ")), 0)"
}

// reviewStaticConds compiles the review conditions of a startup filter
// that do not depend on the date into conditions on a startup row aliased
// s.
func reviewStaticConds(b *builder, f *portfolio.ReviewConditions) []string {
	var conds []string
	flag := func(p *bool, cond string) {
		if p != nil {
			conds = append(conds, boolSQL(cond, *p))
		}
	}
	flag(f.Fast, "(s.fast_promotion IS NOT NULL OR s.fast_amount IS NOT NULL)")
	if f.FastPromotions != nil {
		conds = append(conds, intList(b, "s.fast_promotion", f.FastPromotions))
	}
	flag(f.HasStatsURL, statsPageSQL)
	flag(f.HasImpactURL, "s.impact_url <> ''")
	flag(f.HasBudgetURL, "s.budget_url <> ''")
	flag(f.HasDashlordURL, "s.dashlord_url <> ''")
	flag(f.SecurityHomologation, "s.security_homologation = 1")
	flag(f.RiskAnalysis, "s.risk_analysis = 1")
	if f.Accessibility != nil {
		var known []string
		unknown := false
		for _, x := range f.Accessibility {
			if x == nil {
				unknown = true
			} else {
				known = append(known, string(*x))
			}
		}
		c := "coalesce(" + inList(b, "s.accessibility", known) + ", 0)"
		if unknown {
			c = "(" + c + " OR s.accessibility IS NULL)"
		}
		conds = append(conds, c)
	}
	if f.PortfolioManagers != nil {
		conds = append(conds, "EXISTS (SELECT 1 FROM startup_contacts sc WHERE sc.startup_id = s.id AND "+inList(b, "sc.member_slug", f.PortfolioManagers)+")")
	}
	return conds
}

// reviewDatedConds compiles the review conditions of a startup filter
// that depend on the date (neverReviewed, nextCommitteeDue, reviewStatus,
// withoutIntrapreneur) into
// conditions on a startup row aliased s, evaluated at a.
func reviewDatedConds(b *builder, f *portfolio.ReviewConditions, a at) ([]string, error) {
	var conds []string
	if f.NeverReviewed != nil {
		conds = append(conds, boolSQL(neverReviewedSQL("s.id", a.sql()), *f.NeverReviewed))
	}
	if r := f.NextCommitteeDue; r != nil {
		if err := r.Check("nextCommitteeDue"); err != nil {
			return nil, err
		}
		c := nextDueAtSQL(a) + " IS NOT NULL"
		if r.From != nil {
			c += " AND " + nextDueAtSQL(a) + " >= " + b.date(*r.From)
		}
		if r.To != nil {
			c += " AND " + nextDueAtSQL(a) + " <= " + b.date(*r.To)
		}
		conds = append(conds, "("+c+")")
	}
	if f.ReviewStatus != nil {
		conds = append(conds, "coalesce("+inList(b, reviewStatusAtSQL(a), enumStrings(f.ReviewStatus))+", 0)")
	}
	if f.WithoutIntrapreneur != nil {
		conds = append(conds, boolSQL(withoutIntrapreneurAtSQL(a), *f.WithoutIntrapreneur))
	}
	return conds, nil
}

// reviewOrderSQL is the ordering expression of a review field, "" for
// another field.
func reviewOrderSQL(field portfolio.StartupOrderField, a at) string {
	switch field {
	case portfolio.StartupOrderFastAmount:
		return "s.fast_amount"
	case portfolio.StartupOrderNextDue:
		return nextDueAtSQL(a)
	case portfolio.StartupOrderReviewStatus:
		return reviewRankSQL(reviewStatusAtSQL(a))
	case portfolio.StartupOrderIncubatedSince:
		return earliestStartSQL("s.id")
	}
	return ""
}

// ---------------------------------------------------------------- investment

// AmountCount is a number of startups and a sum of euros under a key.
type AmountCount struct {
	Key          string // a promotion, an incubator or organisation slug; "" for none
	StartupCount int
	AmountEuros  int64
}

// InvestmentParts are the breakdowns of Investment to compute besides the
// total: the sponsors' one is most of the statement's work at 100 times
// the network (a group per sponsor).
type InvestmentParts struct {
	ByPromotion, ByIncubator, BySponsor bool
}

// AllInvestmentParts computes every breakdown.
var AllInvestmentParts = InvestmentParts{ByPromotion: true, ByIncubator: true, BySponsor: true}

// Investment is the FAST grants of the startups a filter selects.
type Investment struct {
	FastCount      int
	FastTotalEuros int64
	ByPromotion    []AmountCount // by promotion; a grant without one last
	ByIncubator    []AmountCount // most euros first, ties by title in French order
	BySponsor      []AmountCount // most euros first, ties by name in French order; a startup with two sponsors counts for both
}

// Investment sums the FAST grants of the startups f selects at d, in
// total, by promotion, by incubator and by sponsor, in one statement. Each
// part reads the granted startups from the startups_granted index, the
// sponsors from them (CROSS JOIN keeps that order: from the sponsors, it
// looked up every startup with a sponsor).
func (db *DB) Investment(ctx context.Context, f *portfolio.StartupFilter, d portfolio.Date, parts InvestmentParts) (*Investment, error) {
	b := &builder{}
	where, err := db.selected(ctx, b, f, d)
	if err != nil {
		return nil, err
	}
	granted := "(s.fast_promotion IS NOT NULL OR s.fast_amount IS NOT NULL) AND " + where
	q := `SELECT 'total', '', count(*), coalesce(sum(s.fast_amount), 0), x'' FROM startups s WHERE ` + granted
	if parts.ByPromotion {
		q += ` UNION ALL
		SELECT 'promotion', coalesce(CAST(s.fast_promotion AS TEXT), ''), count(*), coalesce(sum(s.fast_amount), 0), x'' FROM startups s WHERE ` + granted + ` GROUP BY s.fast_promotion`
	}
	if parts.ByIncubator {
		q += ` UNION ALL
		SELECT 'incubator', i.slug, count(*), coalesce(sum(s.fast_amount), 0), i.name_key FROM startups s JOIN incubators i ON i.id = s.incubator_id WHERE ` + granted + ` GROUP BY i.slug`
	}
	if parts.BySponsor {
		q += ` UNION ALL
		SELECT 'sponsor', o.slug, count(*), coalesce(sum(s.fast_amount), 0), o.name_key FROM startups s CROSS JOIN startup_sponsors ss ON ss.startup_id = s.id
			JOIN organisations o ON o.id = ss.organisation_id WHERE ` + granted + ` GROUP BY o.slug`
	}
	inv := &Investment{}
	nameKeys := map[string][]byte{} // "incubator:slug" or "sponsor:slug" -> name_key
	err = db.each(ctx, q, b.args, func(rows *sql.Rows) error {
		var part string
		var c AmountCount
		var key []byte
		if err := rows.Scan(&part, &c.Key, &c.StartupCount, &c.AmountEuros, &key); err != nil {
			return fmt.Errorf("scan investment: %w", err)
		}
		nameKeys[part+":"+c.Key] = key
		switch part {
		case "total":
			inv.FastCount, inv.FastTotalEuros = c.StartupCount, c.AmountEuros
		case "promotion":
			inv.ByPromotion = append(inv.ByPromotion, c)
		case "incubator":
			inv.ByIncubator = append(inv.ByIncubator, c)
		case "sponsor":
			inv.BySponsor = append(inv.BySponsor, c)
		}
		return nil
	})
	sort.Slice(inv.ByPromotion, func(i, j int) bool {
		x, y := inv.ByPromotion[i].Key, inv.ByPromotion[j].Key
		if (x == "") != (y == "") {
			return y == ""
		}
		nx, _ := strconv.Atoi(x)
		ny, _ := strconv.Atoi(y)
		return nx < ny
	})
	for part, l := range map[string][]AmountCount{"incubator": inv.ByIncubator, "sponsor": inv.BySponsor} {
		slices.SortFunc(l, func(x, y AmountCount) int {
			return cmp.Or(cmp.Compare(y.AmountEuros, x.AmountEuros),
				bytes.Compare(nameKeys[part+":"+x.Key], nameKeys[part+":"+y.Key]), strings.Compare(x.Key, y.Key))
		})
	}
	return inv, err
}

// CommitteeBudgetEuros sums the budgets recorded by the committees of the
// startups f selects (at d) held between from and to, both included.
func (db *DB) CommitteeBudgetEuros(ctx context.Context, f *portfolio.StartupFilter, d, from, to portfolio.Date) (int64, error) {
	b := &builder{}
	where, err := db.selected(ctx, b, f, d)
	if err != nil {
		return 0, err
	}
	var sum int64
	err = db.each(ctx, "SELECT coalesce(sum(c.budget_euros), 0) FROM committees c JOIN startups s ON s.id = c.startup_id WHERE c.date >= "+
		b.date(from)+" AND c.date <= "+b.date(to)+" AND "+heldSQL("c")+" AND "+where, b.args, func(rows *sql.Rows) error { return rows.Scan(&sum) })
	return sum, err
}

// ---------------------------------------------------------------- quality

// Quality counts the startups a filter selects with each quality marker.
type Quality struct {
	StartupCount             int
	WithStatsURL             int
	WithImpactURL            int
	WithBudgetURL            int
	WithDashlordURL          int
	WithSecurityHomologation int
	WithRiskAnalysis         int
	// ByAccessibility counts by status, in the order of
	// portfolio.Accessibilities, then the unknown ones.
	ByAccessibility [4]int
}

// Quality counts the quality markers of the startups f selects at d in one
// statement.
func (db *DB) Quality(ctx context.Context, f *portfolio.StartupFilter, d portfolio.Date) (*Quality, error) {
	b := &builder{}
	where, err := db.selected(ctx, b, f, d)
	if err != nil {
		return nil, err
	}
	q := `SELECT count(*), coalesce(sum(` + statsPageSQL + `), 0), coalesce(sum(s.impact_url <> ''), 0), coalesce(sum(s.budget_url <> ''), 0),
		coalesce(sum(s.dashlord_url <> ''), 0), coalesce(sum(s.security_homologation = 1), 0), coalesce(sum(s.risk_analysis = 1), 0),
		coalesce(sum(s.accessibility = 'NOT_COMPLIANT'), 0), coalesce(sum(s.accessibility = 'PARTIALLY_COMPLIANT'), 0),
		coalesce(sum(s.accessibility = 'FULLY_COMPLIANT'), 0), coalesce(sum(s.accessibility IS NULL), 0)
		FROM startups s WHERE ` + where
	out := &Quality{}
	err = db.each(ctx, q, b.args, func(rows *sql.Rows) error {
		return rows.Scan(&out.StartupCount, &out.WithStatsURL, &out.WithImpactURL, &out.WithBudgetURL, &out.WithDashlordURL,
			&out.WithSecurityHomologation, &out.WithRiskAnalysis, &out.ByAccessibility[0], &out.ByAccessibility[1], &out.ByAccessibility[2], &out.ByAccessibility[3])
	})
	return out, err
}

// ---------------------------------------------------------------- flows

// FlowPeriod is what happened to the startups a filter selects in one
// period.
type FlowPeriod struct {
	portfolio.Period
	Entered            []Count // by phase, in the network's order: phase periods that started in the period
	Exited             []Count // by phase: phase periods that ended, the next phase having started in the period
	ProductLaunches    int
	NationalImpacts    int
	FastGrants         int // fast events
	Committees         int
	CommitteeDecisions []Count // by decision, in the order of portfolio.Decisions
}

// FlowParts are the parts of the flows to count: each is a scan of its
// table over the periods (at 100 times the network, each of the phases'
// two is a quarter of the statement's time).
type FlowParts struct {
	Entered    bool // FlowPeriod.Entered
	Exited     bool // FlowPeriod.Exited
	Events     bool // ProductLaunches, NationalImpacts, FastGrants
	Committees bool // Committees, CommitteeDecisions
}

// AllFlowParts counts every part of the flows.
var AllFlowParts = FlowParts{Entered: true, Exited: true, Events: true, Committees: true}

// Flows counts, for each period, the phase periods of the startups f
// selects (at d) that started and ended in it, their launch, national
// impact and fast events, and their committees by decision, in one
// statement whatever the number of periods; only the parts asked for are
// counted (the others stay zero), none without a statement.
func (db *DB) Flows(ctx context.Context, f *portfolio.StartupFilter, d portfolio.Date, periods []portfolio.Period, parts FlowParts) ([]FlowPeriod, error) {
	out := make([]FlowPeriod, len(periods))
	if len(periods) == 0 || parts == (FlowParts{}) {
		return out, nil
	}
	for i, p := range periods {
		out[i].Period = p
	}
	if !sqlRules(ctx) && (parts.Entered || parts.Exited || parts.Committees) {
		// The phases' and committees' parts in memory (sweeps.go); the
		// events in SQL.
		sel, err := db.selectionAt(ctx, f, d)
		if err != nil {
			return nil, err
		}
		sel.flowsInMemory(out, periods, parts)
		parts.Entered, parts.Exited, parts.Committees = false, false, false
		if !parts.Events {
			return out, nil
		}
	}
	var pj strings.Builder
	pj.WriteByte('[')
	for i, p := range periods {
		if i > 0 {
			pj.WriteByte(',')
		}
		fmt.Fprintf(&pj, `["%s","%s"]`, p.Start, p.End)
	}
	pj.WriteByte(']')
	b := &builder{}
	where, err := db.selected(ctx, b, f, d)
	if err != nil {
		return nil, err
	}
	per := b.arg(pj.String())
	var selects []string
	if parts.Entered {
		selects = append(selects, `SELECT per.i, 'entered', p.phase, count(*) FROM per JOIN phases p ON `+phaseEntersSQL("p", "per.s", "per.e")+joinStartups(where, "p.startup_id")+`
			WHERE `+where+` GROUP BY per.i, p.phase`)
	}
	if parts.Exited {
		selects = append(selects, `SELECT per.i, 'exited', p.phase, count(*) FROM per JOIN phases p ON `+phaseExitsSQL("p", "per.s", "per.e")+joinStartups(where, "p.startup_id")+`
			WHERE `+where+` GROUP BY per.i, p.phase`)
	}
	if parts.Events {
		selects = append(selects, `SELECT per.i, 'event', e.name, count(*) FROM per JOIN events e ON e.date >= per.s AND e.date <= per.e`+joinStartups(where, "e.startup_id")+`
			WHERE e.name IN ('product_launch', 'national_impact', 'fast') AND `+where+` GROUP BY per.i, e.name`)
	}
	if parts.Committees {
		selects = append(selects, `SELECT per.i, 'committee', c.decision, count(*) FROM per JOIN committees c ON c.date >= per.s AND c.date <= per.e`+joinStartups(where, "c.startup_id")+`
			WHERE `+heldSQL("c")+` AND `+where+` GROUP BY per.i, c.decision`)
	}
	// MATERIALIZED: flattened, the periods' bounds were read from the
	// JSON again for every row they were compared with (at 100 times the
	// network, 242 ms for the events alone, 9.7 ms materialized).
	q := `WITH per(i, s, e) AS MATERIALIZED (SELECT key, json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(` + per + `))
		` + strings.Join(selects, "\n\t\tUNION ALL\n\t\t")
	err = db.each(ctx, q, b.args, func(rows *sql.Rows) error {
		var i, n int
		var part, key string
		if err := rows.Scan(&i, &part, &key, &n); err != nil {
			return fmt.Errorf("scan flows: %w", err)
		}
		if i < 0 || i >= len(out) {
			return fmt.Errorf("flows: period %d of %d", i, len(out))
		}
		fp := &out[i]
		switch part {
		case "entered":
			fp.Entered = append(fp.Entered, Count{key, n})
		case "exited":
			fp.Exited = append(fp.Exited, Count{key, n})
		case "event":
			switch key {
			case "product_launch":
				fp.ProductLaunches = n
			case "national_impact":
				fp.NationalImpacts = n
			case "fast":
				fp.FastGrants = n
			}
		case "committee":
			fp.Committees += n
			fp.CommitteeDecisions = append(fp.CommitteeDecisions, Count{key, n})
		}
		return nil
	})
	for i := range out {
		sortByPhase(out[i].Entered)
		sortByPhase(out[i].Exited)
		sortByDecision(out[i].CommitteeDecisions)
	}
	return out, err
}

// ---------------------------------------------------------------- the event feed

// EventFilter selects events of the network's feed; conditions given
// together must all hold, a list matches any of its values (an empty list
// matches nothing).
type EventFilter struct {
	Kinds      []string // event names; "committee" selects committees
	Incubators []string // the startup's incubator (slugs)
	Startups   []string // startup slugs
	From, To   *portfolio.Date
}

// EventOrder is one key of an ordering of the feed: DATE or STARTUP.
type EventOrder struct {
	Field     string
	Direction portfolio.OrderDirection
}

// The fields the feed can be ordered by.
const (
	EventOrderDate    = "DATE"
	EventOrderStartup = "STARTUP"
)

// feedSQL is every event of every startup: the events of the records but
// for committee ones, and the committees held (those recorded through the
// API included, those deleted through it left out; a planned or cancelled
// committee is no event of the startup's life). tie orders events of one
// startup and day.
var feedSQL = `SELECT e.startup_id, e.name, e.date, e.comment, NULL AS committee_id, printf('e%06d', e.seq) AS tie FROM events e WHERE e.name <> 'committee'
	UNION ALL
	SELECT c.startup_id, 'committee', c.date, '', c.id, 'c' || c.slug FROM committees c WHERE ` + heldSQL("c")

// Events returns a page of the network's events that f selects, newest
// first unless order says otherwise (ties by startup slug, then their
// order in the record).
func (db *DB) Events(ctx context.Context, f *EventFilter, order []EventOrder, w portfolio.Window) (*Page[*portfolio.StartupEvent], error) {
	b := &builder{}
	conds := []string{"1"}
	if f != nil {
		if f.From != nil && f.To != nil && *f.To < *f.From {
			return nil, portfolio.FieldErrorf("filter", "filter: to (%s) is before from (%s)", *f.To, *f.From)
		}
		if f.Kinds != nil {
			conds = append(conds, inList(b, "x.name", f.Kinds))
		}
		if f.Incubators != nil {
			conds = append(conds, "coalesce(s.incubator_id IN (SELECT id FROM incubators WHERE "+inList(b, "slug", f.Incubators)+"), 0)")
		}
		if f.Startups != nil {
			conds = append(conds, inList(b, "s.slug", f.Startups))
		}
		if f.From != nil {
			conds = append(conds, "x.date >= "+b.date(*f.From))
		}
		if f.To != nil {
			conds = append(conds, "x.date <= "+b.date(*f.To))
		}
	}
	var keys []string
	for _, o := range order {
		switch o.Field {
		case EventOrderDate:
			keys = append(keys, "x.date"+direction(o.Direction))
		case EventOrderStartup:
			keys = append(keys, "s.slug"+direction(o.Direction))
		}
	}
	if len(keys) == 0 {
		keys = append(keys, "x.date DESC NULLS LAST")
	}
	keys = append(keys, "s.slug ASC", "x.tie ASC")
	from := " FROM (" + feedSQL + ") x JOIN startups s ON s.id = x.startup_id LEFT JOIN committees c ON c.id = x.committee_id WHERE " + strings.Join(conds, " AND ")
	nargs := len(b.args)
	// A committee comes whole, by a join: one statement for the page.
	q := `SELECT s.slug, x.name, coalesce(x.date, ''), x.comment, c.id, c.slug, c.date, c.decision, coalesce(c.next_phase, ''), c.budget_euros,
		coalesce(c.next_committee_due, ''), c.comment, c.source, c.version,
		c.state, c.ask_team_profile, c.ask_envelope_euros, c.ask_months, c.hypotheses, c.success_criteria, c.document_url, count(*) OVER ()` + from +
		" ORDER BY " + strings.Join(keys, ", ") + " LIMIT " + b.arg(w.Limit) + " OFFSET " + b.arg(w.Offset)
	p := &Page[*portfolio.StartupEvent]{}
	err := db.each(ctx, q, b.args, func(rows *sql.Rows) error {
		e := &portfolio.StartupEvent{}
		var day string
		var cid, budget, version sql.NullInt64
		var cslug, cdate, decision, next, due, comment, source sql.NullString
		var content committeeContent
		dest := append([]any{&e.StartupSlug, &e.Name, &day, &e.Comment, &cid, &cslug, &cdate, &decision, &next, &budget,
			&due, &comment, &source, &version}, content.dest()...)
		if err := rows.Scan(append(dest, &p.Total)...); err != nil {
			return fmt.Errorf("scan event: %w", err)
		}
		e.Date = parseDate(day)
		if cid.Valid {
			c := &portfolio.Committee{ID: cid.Int64, Slug: cslug.String, StartupSlug: e.StartupSlug, Date: parseDate(cdate.String),
				Decision: portfolio.Decision(decision.String), NextPhase: portfolio.Phase(next.String), NextCommitteeDue: parseDate(due.String),
				Comment: comment.String, Source: portfolio.Source(source.String), Version: version.Int64}
			if budget.Valid {
				c.BudgetEuros = &budget.Int64
			}
			content.fill(c)
			e.Committee = c
		}
		p.Items = append(p.Items, e)
		return nil
	})
	if err == nil && len(p.Items) == 0 {
		err = db.each(ctx, "SELECT count(*)"+from, b.args[:nargs], func(rows *sql.Rows) error { return rows.Scan(&p.Total) })
	}
	return p, err
}
