package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// Columns names the columns a request reads of the records it lists:
// with it in the context (WithColumns), the statements that read pages of
// startups, a startup's phases, sponsors and missions with their members
// select those columns only, and leave the other fields of the records
// they return zero. Every column selected costs the driver a conversion
// per row, which is most of a statement's time: a startup's 115 missions
// with their members read 20 columns in 0.45–0.55 ms, 6 in 0.2 ms.
//
// Only a caller that knows, before it reads, every field it will use may
// set it: the graph's fast path, which plans a whole query first, and
// reads with loaders of its own so that no partial record reaches other
// code. A record's id, slug and the keys that link it are always read.
type Columns struct {
	Startup      StartupColumns
	Mission      MissionColumns
	Member       MemberColumns
	Organisation OrganisationColumns
	Incubator    IncubatorColumns
	// PhaseDetails reads each phase's source, comment and source name.
	PhaseDetails bool
}

// StartupColumns are optional columns of a startup.
type StartupColumns uint32

// The optional columns of a startup (its id, slug and name are always
// read).
const (
	StartupPitch StartupColumns = 1 << iota
	StartupIncubator
	StartupLink
	StartupRepository
	StartupContact
	StartupAccessibility
	StartupStatsURL
	StartupImpactURL
	StartupBudgetURL
	StartupDashlordURL
	StartupFast
	StartupVersion
	StartupHomologation
	StartupRiskAnalysis
	StartupRiskAnalysisURL
	StartupStats
	// AllStartupColumns reads every column.
	AllStartupColumns StartupColumns = 1<<iota - 1
)

// The lists a startup's row may carry (portfolio.StartupLists), from the
// lists the triggers keep (migrations/0026 and 0030): one lookup each in
// the startups' statement rather than a statement of their own. They are
// not columns of the record, and AllStartupColumns leaves them out.
const (
	// StartupPhaseList reads the phases without their details (not when
	// Columns.PhaseDetails asks for them).
	StartupPhaseList StartupColumns = 1 << (16 + iota)
	// StartupSponsorList reads the sponsors.
	StartupSponsorList
	// startupIncubatorRecord reads the incubator's id and title, set by
	// startupColumns when the incubator is read and none of its other
	// columns is asked for.
	startupIncubatorRecord
)

// IncubatorColumns are optional columns of an incubator.
type IncubatorColumns uint32

// The optional columns of an incubator (its id, slug and title are always
// read).
const (
	// IncubatorDetails are every other column: the incubators are read
	// whole, and a request that asks for none of these gets the
	// incubators of the startups it lists with them (startupColumns).
	IncubatorDetails IncubatorColumns = 1 << iota
	// AllIncubatorColumns reads every column.
	AllIncubatorColumns IncubatorColumns = 1<<iota - 1
)

// MissionColumns are optional columns of a mission.
type MissionColumns uint32

// The optional columns of a mission (its id, slug and member are always
// read).
const (
	MissionStart MissionColumns = 1 << iota
	MissionEnd
	MissionStatus
	MissionEmployer
	MissionSource
	MissionVersion
	// AllMissionColumns reads every column.
	AllMissionColumns MissionColumns = 1<<iota - 1
)

// MemberColumns are optional columns of a member.
type MemberColumns uint32

// The optional columns of a member (its id and slug are always read).
const (
	MemberFullname MemberColumns = 1 << iota
	MemberRole
	MemberDomain
	MemberGithub
	MemberLink
	MemberType
	MemberBio
	MemberVersion
	// AllMemberColumns reads every column.
	AllMemberColumns MemberColumns = 1<<iota - 1
)

// OrganisationColumns are optional columns of an organisation.
type OrganisationColumns uint32

// The optional columns of an organisation (its id and slug are always
// read).
const (
	OrganisationName OrganisationColumns = 1 << iota
	OrganisationAcronym
	OrganisationType
	OrganisationDomain
	OrganisationVersion
	// AllOrganisationColumns reads every column.
	AllOrganisationColumns OrganisationColumns = 1<<iota - 1
)

// columnNames names the optional columns of each record a request may
// project, by the type that GraphQL gives the record: a field declares
// the columns it reads by these names (schema.graphqls, @columns), and
// the graph's fast path reads those of the fields it plans. A name is the
// column's in the table (a record's id, slug and the keys that link it are
// always read and have none).
var columnNames = map[string]map[string]func(*Columns){
	"Startup": {
		"pitch":                 func(c *Columns) { c.Startup |= StartupPitch },
		"incubator":             func(c *Columns) { c.Startup |= StartupIncubator },
		"link":                  func(c *Columns) { c.Startup |= StartupLink },
		"repository":            func(c *Columns) { c.Startup |= StartupRepository },
		"contact":               func(c *Columns) { c.Startup |= StartupContact },
		"accessibility_status":  func(c *Columns) { c.Startup |= StartupAccessibility },
		"stats_url":             func(c *Columns) { c.Startup |= StartupStatsURL },
		"impact_url":            func(c *Columns) { c.Startup |= StartupImpactURL },
		"budget_url":            func(c *Columns) { c.Startup |= StartupBudgetURL },
		"dashlord_url":          func(c *Columns) { c.Startup |= StartupDashlordURL },
		"fast":                  func(c *Columns) { c.Startup |= StartupFast },
		"version":               func(c *Columns) { c.Startup |= StartupVersion },
		"security_homologation": func(c *Columns) { c.Startup |= StartupHomologation },
		"risk_analysis":         func(c *Columns) { c.Startup |= StartupRiskAnalysis },
		"risk_analysis_url":     func(c *Columns) { c.Startup |= StartupRiskAnalysisURL },
		"stats":                 func(c *Columns) { c.Startup |= StartupStats },
		"phase_list":            func(c *Columns) { c.Startup |= StartupPhaseList },
		"sponsor_list":          func(c *Columns) { c.Startup |= StartupSponsorList },
	},
	"Mission": {
		"start":    func(c *Columns) { c.Mission |= MissionStart },
		"end":      func(c *Columns) { c.Mission |= MissionEnd },
		"status":   func(c *Columns) { c.Mission |= MissionStatus },
		"employer": func(c *Columns) { c.Mission |= MissionEmployer },
		"source":   func(c *Columns) { c.Mission |= MissionSource },
		"version":  func(c *Columns) { c.Mission |= MissionVersion },
	},
	"Member": {
		"fullname":    func(c *Columns) { c.Member |= MemberFullname },
		"role":        func(c *Columns) { c.Member |= MemberRole },
		"domain":      func(c *Columns) { c.Member |= MemberDomain },
		"github":      func(c *Columns) { c.Member |= MemberGithub },
		"link":        func(c *Columns) { c.Member |= MemberLink },
		"member_type": func(c *Columns) { c.Member |= MemberType },
		"bio":         func(c *Columns) { c.Member |= MemberBio },
		"version":     func(c *Columns) { c.Member |= MemberVersion },
	},
	"Organisation": {
		"name":                func(c *Columns) { c.Organisation |= OrganisationName },
		"acronym":             func(c *Columns) { c.Organisation |= OrganisationAcronym },
		"type":                func(c *Columns) { c.Organisation |= OrganisationType },
		"domaine_ministeriel": func(c *Columns) { c.Organisation |= OrganisationDomain },
		"version":             func(c *Columns) { c.Organisation |= OrganisationVersion },
	},
	"Incubator": {
		"details": func(c *Columns) { c.Incubator |= IncubatorDetails },
	},
	"PhasePeriod": {
		"source":      func(c *Columns) { c.PhaseDetails = true },
		"comment":     func(c *Columns) { c.PhaseDetails = true },
		"source_name": func(c *Columns) { c.PhaseDetails = true },
	},
}

// Projected reports whether the records of the GraphQL type typ are read
// with the columns a request names (Columns): its fields must say which
// they read (ColumnsNamed).
func Projected(typ string) bool { return columnNames[typ] != nil }

// ColumnsNamed returns the columns of the records of type typ that names
// name; a nil names is every column of the type. An unknown name is an
// error.
func ColumnsNamed(typ string, names []string) (Columns, error) {
	var c Columns
	cols := columnNames[typ]
	if names == nil {
		for _, add := range cols {
			add(&c)
		}
		return c, nil
	}
	for _, n := range names {
		add := cols[n]
		if add == nil {
			return c, fmt.Errorf("sqlite: %s has no optional column %q", typ, n)
		}
		add(&c)
	}
	return c, nil
}

// Add adds the columns of o to c.
func (c *Columns) Add(o Columns) {
	c.Startup |= o.Startup
	c.Mission |= o.Mission
	c.Member |= o.Member
	c.Organisation |= o.Organisation
	c.Incubator |= o.Incubator
	c.PhaseDetails = c.PhaseDetails || o.PhaseDetails
}

// allColumns reads everything: the requests without Columns.
var allColumns = &Columns{Startup: AllStartupColumns, Mission: AllMissionColumns, Member: AllMemberColumns,
	Organisation: AllOrganisationColumns, Incubator: AllIncubatorColumns, PhaseDetails: true}

type columnsKey struct{}

// WithColumns returns ctx whose reads select the columns c names only.
func WithColumns(ctx context.Context, c *Columns) context.Context {
	return context.WithValue(ctx, columnsKey{}, c)
}

func columnsFrom(ctx context.Context) *Columns {
	if c, ok := ctx.Value(columnsKey{}).(*Columns); ok && c != nil {
		return c
	}
	return allColumns
}

// column is a column of a record: its SQL, the bit that asks for it (0:
// always read) and where it is scanned in S, the scanning state of a row.
// A text column (text set) is read packed with the other text columns of
// the row: the driver allocates every value it reads (a string and its
// interface), so the text columns of a row come as one value,
// "length:text" for each, cut here into strings that share it. A column
// read from another table names the join that brings it (join): joined,
// its row is found once for every column it gives, where a subquery in
// the select list is run again for each use of its value (twice for a
// packed column: its length, then its text).
type column[S any] struct {
	bit  uint32
	sql  string
	dest func(*S) any
	text func(*S) *string
	join string
}

// selection is the columns a mask selects of a table, their SQL cached per
// mask; packed is where a row's packed text columns are scanned.
type selection[S any] struct {
	cols   []column[S]
	packed func(*S) *string
	cache  sync.Map // mask → selectSQL
}

// selectSQL is the SQL of the columns of a mask: the select list, and the
// joins its columns need, to follow the table's own FROM item.
type selectSQL struct{ list, joins string }

// selected returns the columns mask asks for: the others, then the text
// ones.
func (s *selection[S]) selected(mask uint32) (other, text []column[S]) {
	for _, c := range s.cols {
		if c.bit == 0 || mask&c.bit != 0 {
			if c.text != nil {
				text = append(text, c)
			} else {
				other = append(other, c)
			}
		}
	}
	return other, text
}

// sql returns the select list of the columns mask asks for.
func (s *selection[S]) sql(mask uint32) string { return s.query(mask).list }

// joins returns the joins the columns mask asks for need, each once, to
// follow the FROM item of the table (" LEFT JOIN …"), or "".
func (s *selection[S]) joins(mask uint32) string { return s.query(mask).joins }

func (s *selection[S]) query(mask uint32) selectSQL {
	if v, ok := s.cache.Load(mask); ok {
		return v.(selectSQL)
	}
	other, text := s.selected(mask)
	var parts, joins []string
	for _, c := range append(other, text...) {
		if c.join != "" && !slices.Contains(joins, c.join) {
			joins = append(joins, c.join)
		}
	}
	for _, c := range other {
		parts = append(parts, c.sql)
	}
	if len(text) > 0 {
		// One concat() call builds the row's value in one allocation,
		// where a chain of || grows a new string at each step (a third
		// less time for a startup's missions). concat() reads NULL as an
		// empty string and octet_length(NULL) is NULL: a NULL column
		// packs as ":", of length 0 (unpack).
		var packed []string
		for _, c := range text {
			packed = append(packed, "octet_length("+c.sql+"), ':', "+c.sql)
		}
		parts = append(parts, "concat("+strings.Join(packed, ", ")+")")
	}
	q := selectSQL{list: strings.Join(parts, ", ")}
	for _, j := range joins {
		q.joins += " " + j
	}
	s.cache.Store(mask, q)
	return q
}

// dest returns the scan destinations of the columns mask asks for, into
// st, and the function that cuts the packed text columns once a row is
// scanned.
func (s *selection[S]) dest(mask uint32, st *S, extra ...any) ([]any, func() error) {
	other, text := s.selected(mask)
	var out []any
	for _, c := range other {
		out = append(out, c.dest(st))
	}
	if len(text) == 0 {
		return append(out, extra...), func() error { return nil }
	}
	packed := s.packed(st)
	dests := make([]*string, len(text))
	for i, c := range text {
		dests[i] = c.text(st)
	}
	return append(append(out, packed), extra...), func() error { return unpack(*packed, dests) }
}

// unpack cuts p, "length:text" for each of dests (no length: a NULL,
// empty), into dests.
func unpack(p string, dests []*string) error {
	for _, d := range dests {
		v, rest, ok := cutPacked(p)
		if !ok {
			return fmt.Errorf("sqlite: packed columns cut short: %.40q", p)
		}
		*d, p = v, rest
	}
	return nil
}

// cutPacked cuts the first value of a packed text, "length:value…", the
// length in bytes and empty for an empty value; ok is false when the text
// does not start with one.
func cutPacked(p string) (value, rest string, ok bool) {
	n, i := 0, 0
	for ; i < len(p) && p[i] != ':'; i++ {
		c := p[i]
		if c < '0' || c > '9' || n > len(p) {
			return "", p, false
		}
		n = n*10 + int(c-'0')
	}
	if i == len(p) || n > len(p)-i-1 {
		return "", p, false
	}
	return p[i+1 : i+1+n], p[i+1+n:], true
}

// startupScan is the state a startup row is scanned into.
type startupScan struct {
	s                         portfolio.Startup
	packed                    string
	phaseList, sponsorList    string
	incubator                 string                            // "id:title"
	orgs                      map[int64]*portfolio.Organisation // the sponsors read by the statement, one record each
	incubators                map[int64]*portfolio.Incubator    // the incubators read by the statement
	promo, amount             sql.NullInt64
	homologation, risk, stats sql.NullBool
}

func startupCol(bit StartupColumns, sql string, dest func(*startupScan) any) column[startupScan] {
	return column[startupScan]{bit: uint32(bit), sql: sql, dest: dest}
}

func startupText(bit StartupColumns, sql string, text func(*startupScan) *string) column[startupScan] {
	return column[startupScan]{bit: uint32(bit), sql: sql, text: text}
}

// The joins of the columns a startup's row reads from other tables, each
// to one row at most (by a key): their aliases are the startups'
// statements' own.
const (
	joinIncubator   = "LEFT JOIN incubators s_inc ON s_inc.id = s.incubator_id"
	joinPhaseList   = "LEFT JOIN phase_lists s_pl ON s_pl.startup_id = s.id"
	joinSponsorList = "LEFT JOIN sponsor_lists s_sl ON s_sl.startup_id = s.id"
)

// startupJoined is the text column sql of the table that join brings.
func startupJoined(bit StartupColumns, join, sql string, text func(*startupScan) *string) column[startupScan] {
	return column[startupScan]{bit: uint32(bit), sql: sql, text: text, join: join}
}

// startupSelection are the columns of list answers: the long description is
// read apart, by DescriptionsByStartup, only when asked for.
var startupSelection = &selection[startupScan]{packed: func(x *startupScan) *string { return &x.packed }, cols: []column[startupScan]{
	startupCol(0, "s.id", func(x *startupScan) any { return &x.s.ID }),
	startupText(0, "s.slug", func(x *startupScan) *string { return &x.s.Slug }),
	startupText(0, "s.name", func(x *startupScan) *string { return &x.s.Name }),
	startupText(StartupPitch, "s.pitch", func(x *startupScan) *string { return &x.s.Pitch }),
	startupJoined(StartupIncubator, joinIncubator, "s_inc.slug", func(x *startupScan) *string { return &x.s.IncubatorSlug }),
	startupText(StartupLink, "s.link", func(x *startupScan) *string { return &x.s.Link }),
	startupText(StartupRepository, "s.repository", func(x *startupScan) *string { return &x.s.Repository }),
	startupText(StartupContact, "s.contact", func(x *startupScan) *string { return &x.s.Contact }),
	startupText(StartupAccessibility, "s.accessibility_status", func(x *startupScan) *string { return &x.s.AccessibilityStatus }),
	startupText(StartupStatsURL, "s.stats_url", func(x *startupScan) *string { return &x.s.StatsURL }),
	startupText(StartupImpactURL, "s.impact_url", func(x *startupScan) *string { return &x.s.ImpactURL }),
	startupText(StartupBudgetURL, "s.budget_url", func(x *startupScan) *string { return &x.s.BudgetURL }),
	startupText(StartupDashlordURL, "s.dashlord_url", func(x *startupScan) *string { return &x.s.DashlordURL }),
	startupCol(StartupFast, "s.fast_promotion", func(x *startupScan) any { return &x.promo }),
	startupCol(StartupFast, "s.fast_amount", func(x *startupScan) any { return &x.amount }),
	startupCol(StartupVersion, "s.version", func(x *startupScan) any { return &x.s.Version }),
	startupCol(StartupHomologation, "s.security_homologation", func(x *startupScan) any { return &x.homologation }),
	startupCol(StartupRiskAnalysis, "s.risk_analysis", func(x *startupScan) any { return &x.risk }),
	startupText(StartupRiskAnalysisURL, "s.risk_analysis_url", func(x *startupScan) *string { return &x.s.RiskAnalysisURL }),
	startupCol(StartupStats, "s.stats", func(x *startupScan) any { return &x.stats }),
	startupJoined(StartupPhaseList, joinPhaseList, "s_pl.phases", func(x *startupScan) *string { return &x.phaseList }),
	startupJoined(StartupSponsorList, joinSponsorList, "s_sl.sponsors", func(x *startupScan) *string { return &x.sponsorList }),
	startupJoined(startupIncubatorRecord, joinIncubator, "s_inc.id || ':' || s_inc.title", func(x *startupScan) *string { return &x.incubator }),
}}

// startupCols are every column of a startup (startupSelection), and
// startupJoins the joins they need, to follow "startups s".
var (
	startupCols  = startupSelection.sql(uint32(AllStartupColumns))
	startupJoins = startupSelection.joins(uint32(AllStartupColumns))
)

// startupReader returns the reader of startup rows of every column, then
// extra.
func startupReader(extra ...any) func(*sql.Rows) (*portfolio.Startup, error) {
	return startupReaderOf(AllStartupColumns, extra...)
}

// startupColumns returns the startup columns ctx asks for (WithColumns), as
// a select list, the joins it needs (to follow "startups s") and its
// reader.
func startupColumns(ctx context.Context) (string, string, func(extra ...any) func(*sql.Rows) (*portfolio.Startup, error)) {
	c := columnsFrom(ctx)
	mask := c.Startup
	if c.PhaseDetails {
		mask &^= StartupPhaseList // the list holds no details
	}
	if mask&StartupIncubator != 0 && c.Incubator == 0 {
		mask |= startupIncubatorRecord
	}
	return startupSelection.sql(uint32(mask)), startupSelection.joins(uint32(mask)), func(extra ...any) func(*sql.Rows) (*portfolio.Startup, error) {
		return startupReaderOf(mask, extra...)
	}
}

func startupReaderOf(mask StartupColumns, extra ...any) func(*sql.Rows) (*portfolio.Startup, error) {
	var x startupScan
	dest, cut := startupSelection.dest(uint32(mask), &x, extra...)
	if lists := mask & (StartupPhaseList | StartupSponsorList | startupIncubatorRecord); lists != 0 {
		cut = x.cutLists(cut, lists)
	}
	return rowReaderCut("startup", &x.s, dest, cut, func(out *portfolio.Startup) {
		out.SecurityHomologation, out.RiskAnalysis, out.Stats = nullBool(x.homologation), nullBool(x.risk), nullBool(x.stats)
		if x.promo.Valid || x.amount.Valid {
			out.Fast = &portfolio.Fast{Promotion: int(x.promo.Int64), AmountEuros: x.amount.Int64}
		}
	})
}

// missionRow is the state a row of a startup's missions with their members
// is scanned into (MissionsByStartup).
type missionRow struct {
	packed     string
	mi         portfolio.Mission
	mb         portfolio.Member
	start, end string
	startup    int64
}

// memberShift places the member's columns above the mission's in the mask
// of missionSelection.
const memberShift = 16

func missionCol(bit MissionColumns, sql string, dest func(*missionRow) any) column[missionRow] {
	return column[missionRow]{bit: uint32(bit), sql: sql, dest: dest}
}

func missionText(bit MissionColumns, sql string, text func(*missionRow) *string) column[missionRow] {
	return column[missionRow]{bit: uint32(bit), sql: sql, text: text}
}

func missionMemberText(bit MemberColumns, sql string, text func(*missionRow) *string) column[missionRow] {
	return column[missionRow]{bit: uint32(bit) << memberShift, sql: sql, text: text}
}

func missionMemberCol(bit MemberColumns, sql string, dest func(*missionRow) any) column[missionRow] {
	return column[missionRow]{bit: uint32(bit) << memberShift, sql: sql, dest: dest}
}

// missionSelection are the columns of a startup's missions with their
// members: the mission's, then the member's, then the startup.
var missionSelection = &selection[missionRow]{packed: func(x *missionRow) *string { return &x.packed }, cols: []column[missionRow]{
	missionCol(0, "mi.id", func(x *missionRow) any { return &x.mi.ID }),
	missionText(0, "mi.slug", func(x *missionRow) *string { return &x.mi.Slug }),
	missionText(MissionStart, "mi.start", func(x *missionRow) *string { return &x.start }),
	missionText(MissionEnd, `mi."end"`, func(x *missionRow) *string { return &x.end }),
	missionText(MissionStatus, "mi.status", func(x *missionRow) *string { return (*string)(&x.mi.Status) }),
	missionText(MissionEmployer, "mi.employer", func(x *missionRow) *string { return &x.mi.Employer }),
	missionText(MissionSource, "mi.source", func(x *missionRow) *string { return (*string)(&x.mi.Source) }),
	missionCol(MissionVersion, "mi.version", func(x *missionRow) any { return &x.mi.Version }),
	missionCol(0, "mb.id", func(x *missionRow) any { return &x.mb.ID }),
	missionText(0, "mb.slug", func(x *missionRow) *string { return &x.mb.Slug }),
	missionMemberText(MemberFullname, "mb.fullname", func(x *missionRow) *string { return &x.mb.Fullname }),
	missionMemberText(MemberRole, "mb.role", func(x *missionRow) *string { return &x.mb.Role }),
	missionMemberText(MemberDomain, "mb.domain", func(x *missionRow) *string { return (*string)(&x.mb.Domain) }),
	missionMemberText(MemberGithub, "mb.github", func(x *missionRow) *string { return &x.mb.Github }),
	missionMemberText(MemberLink, "mb.link", func(x *missionRow) *string { return &x.mb.Link }),
	missionMemberText(MemberType, "mb.member_type", func(x *missionRow) *string { return &x.mb.MemberType }),
	missionMemberText(MemberBio, "mb.bio", func(x *missionRow) *string { return &x.mb.Bio }),
	missionMemberCol(MemberVersion, "mb.version", func(x *missionRow) any { return &x.mb.Version }),
	missionCol(0, "ms.startup_id", func(x *missionRow) any { return &x.startup }),
}}

// cutLists returns cut followed by the cutting of the lists (lists) a row
// carries into the startup's Listed.
func (x *startupScan) cutLists(cut func() error, lists StartupColumns) func() error {
	var entries []sponsorEntry
	return func() error {
		if err := cut(); err != nil {
			return err
		}
		l := &portfolio.StartupLists{}
		if lists&StartupPhaseList != 0 {
			ps, err := unpackPhases(x.phaseList)
			if err != nil {
				return fmt.Errorf("phases of startup %d: %w", x.s.ID, err)
			}
			slices.SortStableFunc(ps, func(a, b portfolio.PhasePeriod) int { return cmp.Compare(a.Start, b.Start) })
			l.Phases, l.PhasesRead = ps, true
		}
		if lists&StartupSponsorList != 0 {
			var err error
			if entries, err = unpackSponsors(x.sponsorList, entries[:0]); err != nil {
				return fmt.Errorf("sponsors of startup %d: %w", x.s.ID, err)
			}
			if x.orgs == nil {
				x.orgs = map[int64]*portfolio.Organisation{}
			}
			l.Sponsors, l.SponsorsRead = sponsorRecords(entries, x.orgs), true
		}
		if lists&startupIncubatorRecord != 0 {
			l.IncubatorRead = true
			if x.incubator != "" {
				id, title, _ := strings.Cut(x.incubator, ":")
				n, err := strconv.ParseInt(id, 10, 64)
				if err != nil {
					return fmt.Errorf("incubator of startup %d: %q", x.s.ID, x.incubator)
				}
				if x.incubators == nil {
					x.incubators = map[int64]*portfolio.Incubator{}
				}
				if l.Incubator = x.incubators[n]; l.Incubator == nil {
					l.Incubator = &portfolio.Incubator{ID: n, Slug: x.s.IncubatorSlug, Title: title}
					x.incubators[n] = l.Incubator
				}
			}
		}
		x.s.Listed = l
		return nil
	}
}
