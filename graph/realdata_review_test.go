package graph_test

// Real-data tests of a portfolio review's questions: the API, serving an
// import of the real snapshot, against a second reading of the same files
// (the review's fields read here from the YAML, with rules written here
// from DESIGN.md, never through internal/betagouv or internal/portfolio).

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/incubateurs/portfolio/internal/betagouv"
)

// ---------------------------------------------------------------- the second reading

type yReview struct {
	Incubator           string `yaml:"incubator"`
	Link                string `yaml:"link"`
	StatsURL            string `yaml:"stats_url"`
	Stats               *bool  `yaml:"stats"`
	ImpactURL           string `yaml:"impact_url"`
	BudgetURL           string `yaml:"budget_url"`
	DashlordURL         string `yaml:"dashlord_url"`
	MonServiceSecurise  *bool  `yaml:"mon_service_securise"`
	AnalyseRisques      *bool  `yaml:"analyse_risques"`
	AnalyseRisquesURL   string `yaml:"analyse_risques_url"`
	AccessibilityStatus string `yaml:"accessibility_status"`
	ContactDINUM        any    `yaml:"contact_dinum"`
	ContactIncubator    any    `yaml:"contact_incubator"`
	Incubators          []string
	RedirectFrom        []string `yaml:"redirect_from"`
	Fast                *struct {
		Promotion int   `yaml:"promotion"`
		Montant   int64 `yaml:"montant"`
	} `yaml:"fast"`
	Events []struct {
		Name    string `yaml:"name"`
		Date    string `yaml:"date"`
		Comment any    `yaml:"comment"`
	} `yaml:"events"`
	Phases []struct {
		Comment any `yaml:"comment"`
	} `yaml:"phases"`
}

// rEvent is an event of the records.
type rEvent struct {
	name    string
	date    day
	comment string
}

// rStartup is what a review reads of a startup, beside the oracle's.
type rStartup struct {
	*oStartup
	statsPage, impact, budget, dashlord string
	homologation, risk                  *bool
	riskURL                             string
	accessibility                       string // enum, "" when unknown
	accessibilityText                   string
	managers                            []string // contact_dinum then contact_incubator, each once
	dinumContact, incubatorContact      bool     // the fields are there
	incubators                          []string // main first, then co-incubation, each once
	former                              []string
	fast                                bool
	promotion                           int
	amount                              int64
	events                              []rEvent // committees included
	phaseComments                       []string // by phase, in the record's order
	fastDisagreements                   []string // "file: event amount / map amount"
}

type reviewOracle struct {
	startups []*rStartup // by slug
	bySlug   map[string]*rStartup
	bios     int // members with a biography
}

var (
	reviewOnce sync.Once
	reviewO    *reviewOracle
	reviewErr  error
)

// reviewData returns the environment and the review's second reading.
func reviewData(t *testing.T) (*realEnv, *reviewOracle) {
	t.Helper()
	env := realData(t)
	reviewOnce.Do(func() { reviewO, reviewErr = readReviewOracle(os.Getenv("PORTFOLIO_SNAPSHOT"), env.oracle) })
	if reviewErr != nil {
		t.Fatalf("review oracle: %v", reviewErr)
	}
	return env, reviewO
}

// names reads a field that holds one username or a list of them.
func names(v any) []string {
	var out []string
	add := func(x any) {
		if s := strings.TrimSpace(fmt.Sprint(x)); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	switch x := v.(type) {
	case nil:
	case []any:
		for _, it := range x {
			add(it)
		}
	default:
		add(x)
	}
	return out
}

func text(v any) string {
	if v == nil {
		return ""
	}
	return strings.TrimSpace(fmt.Sprint(v))
}

var montantRE = regexp.MustCompile(`Montant de ([0-9][^€]*)€`)

func readReviewOracle(dir string, o *oracle) (*reviewOracle, error) {
	ro := &reviewOracle{bySlug: map[string]*rStartup{}}
	incubators := map[string]bool{}
	for _, slug := range o.incubators {
		incubators[slug] = true
	}
	members := map[string]bool{}
	for _, m := range o.members {
		members[m.slug] = true
	}
	sts, err := records(filepath.Join(dir, "_startups"))
	if err != nil {
		return nil, err
	}
	for _, s := range o.startups {
		fm, err := frontMatter(sts[s.slug])
		if err != nil {
			return nil, err
		}
		var y yReview
		if err := yaml.Unmarshal(fm, &y); err != nil {
			return nil, fmt.Errorf("%s: %w", s.slug, err)
		}
		r := &rStartup{oStartup: s, impact: strings.TrimSpace(y.ImpactURL), budget: strings.TrimSpace(y.BudgetURL),
			dashlord: strings.TrimSpace(y.DashlordURL), homologation: y.MonServiceSecurise, risk: y.AnalyseRisques,
			riskURL: strings.TrimSpace(y.AnalyseRisquesURL), accessibilityText: strings.TrimSpace(y.AccessibilityStatus)}
		// The statistics page: stats_url, else the link (without its
		// query) and /stats when stats: true.
		link := strings.TrimSpace(y.Link)
		switch {
		case strings.TrimSpace(y.StatsURL) != "":
			r.statsPage = strings.TrimSpace(y.StatsURL)
		case y.Stats != nil && *y.Stats && link != "":
			if i := strings.IndexAny(link, "?#"); i >= 0 {
				link = link[:i]
			}
			r.statsPage = strings.TrimSuffix(link, "/") + "/stats"
		}
		switch strings.Join(strings.Fields(strings.ToLower(y.AccessibilityStatus)), " ") {
		case "non conforme":
			r.accessibility = "NOT_COMPLIANT"
		case "partiellement conforme":
			r.accessibility = "PARTIALLY_COMPLIANT"
		case "totalement conforme":
			r.accessibility = "FULLY_COMPLIANT"
		}
		r.dinumContact, r.incubatorContact = len(names(y.ContactDINUM)) > 0, len(names(y.ContactIncubator)) > 0
		for _, m := range append(names(y.ContactDINUM), names(y.ContactIncubator)...) {
			if m = lastSegment(m); members[m] && !slices.Contains(r.managers, m) {
				r.managers = append(r.managers, m)
			}
		}
		if s.incubator != "" && incubators[s.incubator] {
			r.incubators = append(r.incubators, s.incubator)
		}
		for _, i := range y.Incubators {
			if i = lastSegment(i); incubators[i] && !slices.Contains(r.incubators, i) {
				r.incubators = append(r.incubators, i)
			}
		}
		for _, old := range y.RedirectFrom {
			old = strings.TrimSuffix(lastSegment(old), ".html")
			if old != "" && old != s.slug && !slices.Contains(r.former, old) {
				r.former = append(r.former, old)
			}
		}
		if y.Fast != nil {
			r.fast, r.promotion, r.amount = true, y.Fast.Promotion, y.Fast.Montant
		}
		for i, ev := range y.Events {
			d, err := parseDay(ev.Date)
			if err != nil {
				return nil, fmt.Errorf("%s: event %d: %w", s.slug, i, err)
			}
			c := text(ev.Comment)
			r.events = append(r.events, rEvent{name: ev.Name, date: d, comment: c})
			if ev.Name != "fast" || y.Fast == nil {
				continue
			}
			if m := montantRE.FindStringSubmatch(c); m != nil {
				var digits strings.Builder
				for _, ch := range m[1] {
					if ch >= '0' && ch <= '9' {
						digits.WriteRune(ch)
					}
				}
				if n, _ := strconv.ParseInt(digits.String(), 10, 64); n != y.Fast.Montant {
					r.fastDisagreements = append(r.fastDisagreements, fmt.Sprintf("_startups/%s.md: %d € / %d €", s.slug, n, y.Fast.Montant))
				}
			}
		}
		for _, p := range y.Phases {
			r.phaseComments = append(r.phaseComments, text(p.Comment))
		}
		ro.startups = append(ro.startups, r)
		ro.bySlug[s.slug] = r
	}
	// Biographies: the body after the front matter.
	ms, err := records(filepath.Join(dir, "_authors"))
	if err != nil {
		return nil, err
	}
	for _, path := range ms {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		if parts := strings.SplitN(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n---", 2); len(parts) == 2 {
			if _, body, ok := strings.Cut(parts[1], "\n"); ok && strings.TrimSpace(body) != "" {
				ro.bios++
			}
		}
	}
	return ro, nil
}

// ---------------------------------------------------------------- the rules, again

// nextDue is when the next committee is due at d: 183 days after the last
// committee by d (the records carry no nextCommitteeDue); ok is false when
// the startup is not in incubation at d, or had no committee by then (none
// is due: it is not late, it has none on record).
func (s *rStartup) nextDue(d day) (day, bool) {
	if !s.activeAt(d) {
		return 0, false
	}
	if last, ok := s.lastCommitteeAt(d); ok {
		return last + 183, true
	}
	return 0, false
}

// nextStarts gives, for each phase with a start, when the next one starts:
// the earliest later start, or a start the same day listed later.
func (s *rStartup) nextStarts() map[int]day {
	out := map[int]day{}
	for i, p := range s.phases {
		if !p.hasStart {
			continue
		}
		for j, q := range s.phases {
			if j == i || !q.hasStart {
				continue
			}
			if q.start > p.start || (q.start == p.start && j > i) {
				if n, ok := out[i]; !ok || q.start < n {
					out[i] = q.start
				}
			}
		}
	}
	return out
}

type oFlow struct {
	start, end               day
	entered, exited          map[string]int
	launches, impacts, fasts int
	committees               int
}

// flows cuts [from, to] into periods of step months and counts what
// happened to the startups f selects at asOf.
func (ro *reviewOracle) flows(f sf, asOf, from, to day, months int) []oFlow {
	var out []oFlow
	for k := 0; ; k++ {
		start := from.addMonths(k * months)
		if start > to {
			break
		}
		end := from.addMonths((k+1)*months) - 1
		if end > to {
			end = to
		}
		out = append(out, oFlow{start: start, end: end, entered: map[string]int{}, exited: map[string]int{}})
	}
	in := func(d day) int {
		for i := range out {
			if out[i].start <= d && d <= out[i].end {
				return i
			}
		}
		return -1
	}
	for _, s := range ro.startups {
		if !f.match(s.oStartup, asOf) {
			continue
		}
		next := s.nextStarts()
		for i, p := range s.phases {
			if !p.hasStart {
				continue
			}
			if k := in(p.start); k >= 0 {
				out[k].entered[p.phase]++
			}
			if n, ok := next[i]; ok {
				if k := in(n); k >= 0 {
					out[k].exited[p.phase]++
				}
			}
		}
		for _, e := range s.events {
			k := in(e.date)
			if k < 0 {
				continue
			}
			switch e.name {
			case "product_launch":
				out[k].launches++
			case "national_impact":
				out[k].impacts++
			case "fast":
				out[k].fasts++
			case "committee":
				out[k].committees++
			}
		}
	}
	return out
}

// ---------------------------------------------------------------- known facts

// TestRealDataReviewOracle checks the second reading against what the issue
// counted in the snapshot, so that a broken reading cannot make the
// comparisons pass vacuously.
func TestRealDataReviewOracle(t *testing.T) {
	_, ro := reviewData(t)
	var dd diffs
	var fast, fastTotal, fastEventStartups, fastEvents, homologation, homologationYes, risk, riskYes, riskURL, stats, access, dinum, inc, comments, coInc, former int
	kinds := map[string]int{}
	access3 := map[string]int{}
	var disagreements []string
	promotions := map[int]bool{}
	for _, s := range ro.startups {
		if s.fast {
			fast++
			fastTotal += int(s.amount)
			promotions[s.promotion] = true
		}
		n := 0
		for _, e := range s.events {
			kinds[e.name]++
			if e.name == "fast" {
				n++
			}
		}
		fastEvents += n
		if n > 0 {
			fastEventStartups++
		}
		if s.homologation != nil {
			homologation++
			if *s.homologation {
				homologationYes++
			}
		}
		if s.risk != nil {
			risk++
			if *s.risk {
				riskYes++
			}
		}
		if s.riskURL != "" {
			riskURL++
		}
		if s.statsPage != "" {
			stats++
		}
		if s.accessibilityText != "" {
			access++
			access3[s.accessibility]++
		}
		if s.dinumContact {
			dinum++
		}
		if s.incubatorContact {
			inc++
		}
		for _, c := range s.phaseComments {
			if c != "" {
				comments++
			}
		}
		if len(s.incubators) > 1 {
			coInc++
		}
		if len(s.former) > 0 {
			former++
		}
		disagreements = append(disagreements, s.fastDisagreements...)
	}
	dd.int("startups with a fast map", 46, fast)
	dd.int("FAST total", 8_627_000, fastTotal)
	dd.int("promotions", 6, len(promotions))
	dd.int("fast events", 38, fastEvents)
	dd.int("startups with fast events", 37, fastEventStartups)
	dd.int("mon_service_securise", 169, homologation)
	dd.int("mon_service_securise: true", 71, homologationYes)
	dd.int("analyse_risques", 174, risk)
	dd.int("analyse_risques: true", 67, riskYes)
	dd.int("analyse_risques_url", 12, riskURL)
	dd.int("accessibility_status", 265, access)
	dd.counts("accessibility", map[string]int{"NOT_COMPLIANT": 174, "PARTIALLY_COMPLIANT": 89, "FULLY_COMPLIANT": 2}, access3)
	dd.int("contact_dinum", 34, dinum)
	dd.int("contact_incubator", 19, inc)
	dd.int("phase comments", 18, comments)
	dd.int("co-incubated startups", 2, coInc)
	dd.int("startups with redirect_from", 51, former)
	dd.int("member biographies", 1466, ro.bios)
	dd.counts("events by kind", map[string]int{"committee": 215, "product_launch": 145, "other": 68, "end": 57, "fast": 38, "national_impact": 37, "eig": 2}, kinds)
	sort.Strings(disagreements)
	if want := []string{"_startups/homologation.md: 370000 € / 141000 €", "_startups/territoires-en-transitions.md: 150000 € / 300000 €"}; !slices.Equal(disagreements, want) {
		dd.add("fast disagreements: want %v, got %v", want, disagreements)
	}
	if stats < 211 {
		dd.add("statistics pages: %d, want at least the 211 stats_url", stats)
	}
	dd.report(t, "review oracle")
}

// ---------------------------------------------------------------- investment and quality

var reviewFilters = []sf{
	{},
	{Incubators: []string{"dinum"}},
	{Incubators: []string{"mtes", "ademe"}},
	{Active: ptr(true)},
	{Sponsors: []string{"dinum"}},
	{Not: &sf{Active: ptr(true)}},
}

func TestRealDataInvestment(t *testing.T) {
	env, ro := reviewData(t)
	const q = `query($f: StartupFilter, $d: Date) { portfolio(filter: $f, asOf: $d) { investment {
		fastCount fastTotalEuros byPromotion { promotion startupCount amountEuros }
		byIncubator { incubator { slug } startupCount amountEuros } bySponsor { organisation { slug } startupCount amountEuros }
		committeeBudgetEuros(from: "2000-01-01", to: "2030-12-31") } } }`
	type amount struct {
		StartupCount int `json:"startupCount"`
		AmountEuros  int `json:"amountEuros"`
	}
	for _, date := range []string{"2024-03-15", "2026-08-20"} {
		d := mustDay(date)
		for _, f := range reviewFilters {
			t.Run(date+" "+f.String(), func(t *testing.T) {
				var out struct {
					Portfolio struct {
						Investment struct {
							FastCount      int `json:"fastCount"`
							FastTotalEuros int `json:"fastTotalEuros"`
							ByPromotion    []struct {
								Promotion *int `json:"promotion"`
								amount
							} `json:"byPromotion"`
							ByIncubator []struct {
								Incubator struct{ Slug string } `json:"incubator"`
								amount
							} `json:"byIncubator"`
							BySponsor []struct {
								Organisation struct{ Slug string } `json:"organisation"`
								amount
							} `json:"bySponsor"`
							CommitteeBudgetEuros *int `json:"committeeBudgetEuros"`
						} `json:"investment"`
					} `json:"portfolio"`
				}
				env.query(t, q, map[string]any{"f": f.gql(), "d": date}, &out)
				inv := out.Portfolio.Investment
				count, total := 0, 0
				byPromo, byPromoN, byInc, byIncN, bySp, bySpN := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
				for _, s := range ro.startups {
					if !s.fast || !f.match(s.oStartup, d) {
						continue
					}
					count++
					total += int(s.amount)
					p := strconv.Itoa(s.promotion)
					byPromo[p] += int(s.amount)
					byPromoN[p]++
					if s.incubator != "" {
						byInc[s.incubator] += int(s.amount)
						byIncN[s.incubator]++
					}
					for _, sp := range s.sponsors {
						bySp[sp] += int(s.amount)
						bySpN[sp]++
					}
				}
				var dd diffs
				dd.int("fastCount", count, inv.FastCount)
				dd.int("fastTotalEuros", total, inv.FastTotalEuros)
				gp, gpN, gi, giN, gs, gsN := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
				last := -1
				for _, x := range inv.ByPromotion {
					if x.Promotion == nil {
						dd.add("byPromotion: a null promotion")
						continue
					}
					if *x.Promotion <= last {
						dd.add("byPromotion: %d after %d", *x.Promotion, last)
					}
					last = *x.Promotion
					k := strconv.Itoa(*x.Promotion)
					gp[k], gpN[k] = x.AmountEuros, x.StartupCount
				}
				for _, x := range inv.ByIncubator {
					gi[x.Incubator.Slug], giN[x.Incubator.Slug] = x.AmountEuros, x.StartupCount
				}
				for _, x := range inv.BySponsor {
					gs[x.Organisation.Slug], gsN[x.Organisation.Slug] = x.AmountEuros, x.StartupCount
				}
				dd.counts("byPromotion euros", byPromo, gp)
				dd.counts("byPromotion startups", byPromoN, gpN)
				dd.counts("byIncubator euros", byInc, gi)
				dd.counts("byIncubator startups", byIncN, giN)
				dd.counts("bySponsor euros", bySp, gs)
				dd.counts("bySponsor startups", bySpN, gsN)
				// The records carry no committee budget.
				if inv.CommitteeBudgetEuros == nil || *inv.CommitteeBudgetEuros != 0 {
					dd.add("committeeBudgetEuros: want 0, got %v", inv.CommitteeBudgetEuros)
				}
				dd.report(t, "investment")
			})
		}
	}
}

func TestRealDataQuality(t *testing.T) {
	env, ro := reviewData(t)
	const q = `query($f: StartupFilter, $d: Date) { portfolio(filter: $f, asOf: $d) { quality { startupCount withStatsUrl withImpactUrl
		withBudgetUrl withDashlordUrl withSecurityHomologation withRiskAnalysis byAccessibility { accessibility count } } } }`
	for _, f := range reviewFilters {
		t.Run(f.String(), func(t *testing.T) {
			d := mustDay("2026-08-20")
			var out struct {
				Portfolio struct {
					Quality struct {
						StartupCount, WithStatsURL, WithImpactURL, WithBudgetURL, WithDashlordURL, WithSecurityHomologation, WithRiskAnalysis int
						ByAccessibility                                                                                                       []struct {
							Accessibility *string
							Count         int
						}
					}
				}
			}
			env.query(t, q, map[string]any{"f": f.gql(), "d": "2026-08-20"}, &out)
			want := map[string]int{}
			access := map[string]int{}
			for _, s := range ro.startups {
				if !f.match(s.oStartup, d) {
					continue
				}
				want["startupCount"]++
				for k, has := range map[string]bool{"withStatsUrl": s.statsPage != "", "withImpactUrl": s.impact != "", "withBudgetUrl": s.budget != "",
					"withDashlordUrl": s.dashlord != "", "withSecurityHomologation": s.homologation != nil && *s.homologation,
					"withRiskAnalysis": s.risk != nil && *s.risk} {
					if has {
						want[k]++
					}
				}
				access[s.accessibility]++
			}
			gq := out.Portfolio.Quality
			got := map[string]int{"startupCount": gq.StartupCount, "withStatsUrl": gq.WithStatsURL, "withImpactUrl": gq.WithImpactURL,
				"withBudgetUrl": gq.WithBudgetURL, "withDashlordUrl": gq.WithDashlordURL, "withSecurityHomologation": gq.WithSecurityHomologation,
				"withRiskAnalysis": gq.WithRiskAnalysis}
			gotAccess := map[string]int{}
			for _, a := range gq.ByAccessibility {
				k := ""
				if a.Accessibility != nil {
					k = *a.Accessibility
				}
				gotAccess[k] = a.Count
			}
			var dd diffs
			dd.counts("quality", want, got)
			dd.counts("byAccessibility", access, gotAccess)
			if len(gq.ByAccessibility) != 4 {
				dd.add("byAccessibility: %d counts, want 4", len(gq.ByAccessibility))
			}
			dd.report(t, "quality")
		})
	}
}

// ---------------------------------------------------------------- startups, one by one

func TestRealDataStartupReview(t *testing.T) {
	env, ro := reviewData(t)
	var out struct {
		Startups struct {
			Nodes []struct {
				Slug                 string
				StatsURL             *string
				ImpactURL            *string
				SecurityHomologation *bool
				RiskAnalysis         *bool
				RiskAnalysisURL      *string
				Accessibility        *string
				AccessibilityStatus  *string
				PortfolioManagers    []struct{ Slug string }
				Incubators           []struct{ Slug string }
				FormerSlugs          []string
				Fast                 *struct{ Promotion, AmountEuros int }
				Phases               []struct{ Comment *string }
				D1                   *string
				D2                   *string
			}
		}
	}
	env.query(t, `{ startups(first: 1000, orderBy: [{field: SLUG}]) { nodes { slug statsUrl impactUrl securityHomologation riskAnalysis riskAnalysisUrl
		accessibility accessibilityStatus portfolioManagers { slug } incubators { slug } formerSlugs fast { promotion amountEuros } phases { comment }
		d1: nextCommitteeDue(asOf: "2024-03-15") d2: nextCommitteeDue(asOf: "2026-08-20") } } }`, nil, &out)
	var dd diffs
	dd.int("startups", len(ro.startups), len(out.Startups.Nodes))
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	boolText := func(p *bool) string {
		if p == nil {
			return "null"
		}
		return strconv.FormatBool(*p)
	}
	for _, n := range out.Startups.Nodes {
		s := ro.bySlug[n.Slug]
		if s == nil {
			dd.add("%s: not in the files", n.Slug)
			continue
		}
		cmp := func(field, want, got string) {
			if want != got {
				dd.add("%s: %s: want %q, got %q", n.Slug, field, want, got)
			}
		}
		cmp("statsUrl", s.statsPage, str(n.StatsURL))
		cmp("impactUrl", s.impact, str(n.ImpactURL))
		cmp("securityHomologation", boolText(s.homologation), boolText(n.SecurityHomologation))
		cmp("riskAnalysis", boolText(s.risk), boolText(n.RiskAnalysis))
		cmp("riskAnalysisUrl", s.riskURL, str(n.RiskAnalysisURL))
		cmp("accessibility", s.accessibility, str(n.Accessibility))
		cmp("accessibilityStatus", s.accessibilityText, str(n.AccessibilityStatus))
		var managers, incs []string
		for _, m := range n.PortfolioManagers {
			managers = append(managers, m.Slug)
		}
		for _, i := range n.Incubators {
			incs = append(incs, i.Slug)
		}
		cmp("portfolioManagers", strings.Join(s.managers, ","), strings.Join(managers, ","))
		cmp("incubators", strings.Join(s.incubators, ","), strings.Join(incs, ","))
		cmp("formerSlugs", strings.Join(s.former, ","), strings.Join(n.FormerSlugs, ","))
		fast := ""
		if s.fast {
			fast = fmt.Sprintf("%d/%d", s.promotion, s.amount)
		}
		gotFast := ""
		if n.Fast != nil {
			gotFast = fmt.Sprintf("%d/%d", n.Fast.Promotion, n.Fast.AmountEuros)
		}
		cmp("fast", fast, gotFast)
		var wantComments, gotComments []string
		for _, c := range s.phaseComments {
			if c != "" {
				wantComments = append(wantComments, c)
			}
		}
		for _, p := range n.Phases {
			if c := str(p.Comment); c != "" {
				gotComments = append(gotComments, c)
			}
		}
		sort.Strings(wantComments)
		sort.Strings(gotComments)
		cmp("phase comments", strings.Join(wantComments, " | "), strings.Join(gotComments, " | "))
		for _, c := range []struct {
			date string
			got  *string
		}{{"2024-03-15", n.D1}, {"2026-08-20", n.D2}} {
			want := ""
			if due, ok := s.nextDue(mustDay(c.date)); ok {
				want = due.String()
			}
			cmp("nextCommitteeDue at "+c.date, want, str(c.got))
		}
	}
	dd.report(t, "startups' review fields")
}

// TestRealDataFollowedStartups compares Member.followedStartups with the
// contact fields read from the files.
func TestRealDataFollowedStartups(t *testing.T) {
	env, ro := reviewData(t)
	want := map[string][]string{}
	for _, s := range ro.startups {
		for _, m := range s.managers {
			want[m] = append(want[m], s.slug)
		}
	}
	var slugs []string
	for m := range want {
		slugs = append(slugs, m)
	}
	sort.Strings(slugs)
	var out struct {
		Members struct {
			Nodes []struct {
				Slug             string
				FollowedStartups []struct{ Slug string }
			}
		}
	}
	env.query(t, `query($s: [String!]) { members(first: 1000, filter: {slugs: $s}) { nodes { slug followedStartups { slug } } } }`, map[string]any{"s": slugs}, &out)
	var dd diffs
	dd.int("followers", len(want), len(out.Members.Nodes))
	for _, n := range out.Members.Nodes {
		var got []string
		for _, s := range n.FollowedStartups {
			got = append(got, s.Slug)
		}
		w := want[n.Slug]
		sort.Strings(w)
		sort.Strings(got)
		if !slices.Equal(w, got) {
			dd.add("%s follows %v, want %v", n.Slug, got, w)
		}
	}
	if len(want["julie.guyot"]) < 11 {
		dd.add("julie.guyot follows %d startups, want at least 11", len(want["julie.guyot"]))
	}
	dd.report(t, "followedStartups")
}

// TestRealDataFormerSlugs looks every old slug up.
func TestRealDataFormerSlugs(t *testing.T) {
	env, ro := reviewData(t)
	var dd diffs
	n := 0
	first := map[string]string{} // old slug → the first startup by slug that had it
	for _, s := range ro.startups {
		for _, old := range s.former {
			if _, ok := first[old]; !ok {
				first[old] = s.slug
			}
		}
	}
	for _, s := range ro.startups {
		for _, old := range s.former {
			want := first[old]
			if ro.bySlug[old] != nil {
				want = old // a startup's own slug wins
			}
			var out struct{ Startup *struct{ Slug string } }
			env.query(t, `query($s: String!) { startup(slug: $s) { slug } }`, map[string]any{"s": old}, &out)
			switch {
			case out.Startup == nil:
				dd.add("startup(slug: %q): null, want %s", old, want)
			case out.Startup.Slug != want:
				dd.add("startup(slug: %q): %s, want %s", old, out.Startup.Slug, want)
			}
			n++
		}
	}
	if n < 51 {
		dd.add("only %d old slugs", n)
	}
	dd.report(t, "startup(slug:) by old slugs")
}

// ---------------------------------------------------------------- filters

func TestRealDataReviewFilters(t *testing.T) {
	env, ro := reviewData(t)
	is := func(b *bool) bool { return b != nil && *b }
	cases := []struct {
		name   string
		filter map[string]any
		match  func(s *rStartup, d day) bool
	}{
		{"fast", map[string]any{"fast": true}, func(s *rStartup, _ day) bool { return s.fast }},
		{"no fast", map[string]any{"fast": false}, func(s *rStartup, _ day) bool { return !s.fast }},
		{"promotions 13 and 17", map[string]any{"fastPromotions": []int{13, 17}}, func(s *rStartup, _ day) bool {
			return s.fast && (s.promotion == 13 || s.promotion == 17)
		}},
		{"statistics page", map[string]any{"hasStatsUrl": true}, func(s *rStartup, _ day) bool { return s.statsPage != "" }},
		{"no budget page", map[string]any{"hasBudgetUrl": false}, func(s *rStartup, _ day) bool { return s.budget == "" }},
		{"no DashLord", map[string]any{"hasDashlordUrl": false, "active": true}, func(s *rStartup, d day) bool { return s.dashlord == "" && s.activeAt(d) }},
		{"lacks a homologation, active", map[string]any{"securityHomologation": false, "active": true}, func(s *rStartup, d day) bool {
			return !is(s.homologation) && s.activeAt(d)
		}},
		{"risk analysis", map[string]any{"riskAnalysis": true}, func(s *rStartup, _ day) bool { return is(s.risk) }},
		{"not compliant or unknown", map[string]any{"accessibility": []any{"NOT_COMPLIANT", nil}}, func(s *rStartup, _ day) bool {
			return s.accessibility == "" || s.accessibility == "NOT_COMPLIANT"
		}},
		{"followed by julie.guyot", map[string]any{"portfolioManagers": []string{"julie.guyot"}}, func(s *rStartup, _ day) bool {
			return slices.Contains(s.managers, "julie.guyot")
		}},
		{"never reviewed, active", map[string]any{"neverReviewed": true, "active": true}, func(s *rStartup, d day) bool {
			_, reviewed := s.lastCommitteeAt(d)
			return !reviewed && s.activeAt(d)
		}},
		{"reviewed", map[string]any{"neverReviewed": false}, func(s *rStartup, d day) bool {
			_, reviewed := s.lastCommitteeAt(d)
			return reviewed
		}},
		{"due in the next quarter", map[string]any{"nextCommitteeDue": map[string]any{"from": "2026-08-21", "to": "2026-11-20"}}, func(s *rStartup, d day) bool {
			due, ok := s.nextDue(d)
			return ok && due >= mustDay("2026-08-21") && due <= mustDay("2026-11-20")
		}},
	}
	const q = `query($f: StartupFilter, $d: Date) { startups(filter: $f, asOf: $d, first: 1000) { totalCount nodes { slug } } }`
	for _, date := range []string{"2024-03-15", "2026-08-20"} {
		d := mustDay(date)
		for _, c := range cases {
			t.Run(date+" "+c.name, func(t *testing.T) {
				var out struct {
					Startups struct {
						TotalCount int
						Nodes      []struct{ Slug string }
					}
				}
				env.query(t, q, map[string]any{"f": c.filter, "d": date}, &out)
				want, got := map[string]bool{}, map[string]bool{}
				for _, s := range ro.startups {
					if c.match(s, d) {
						want[s.slug] = true
					}
				}
				for _, n := range out.Startups.Nodes {
					got[n.Slug] = true
				}
				var dd diffs
				dd.int("totalCount", len(want), out.Startups.TotalCount)
				dd.sets("startups", want, got)
				if len(want) == 0 && date == "2026-08-20" {
					dd.add("no startup matches: the comparison is vacuous")
				}
				dd.report(t, c.name)
			})
		}
	}
}

// ---------------------------------------------------------------- flows

func TestRealDataFlows(t *testing.T) {
	env, ro := reviewData(t)
	cases := []struct {
		from, to, every string
		months          int
		f               sf
	}{
		{"2014-01-01", "2026-08-20", "YEAR", 12, sf{}},
		{"2018-01-01", "2026-08-20", "YEAR", 12, sf{}},
		{"2021-01-01", "2026-08-20", "QUARTER", 3, sf{Incubators: []string{"dinum"}}},
		{"2024-01-01", "2026-08-20", "MONTH", 1, sf{Sponsors: []string{"dinum"}}},
		{"2022-01-01", "2026-06-30", "YEAR", 12, sf{Active: ptr(true)}},
	}
	const q = `query($f: StartupFilter, $from: Date!, $to: Date, $every: Every!) { portfolio(filter: $f, asOf: "2026-08-20") {
		flows(from: $from, to: $to, every: $every) { start end entered { phase count } exited { phase count } productLaunches
			nationalImpacts fastGrants committees committeeDecisions { decision count } } } }`
	type pc struct {
		Phase string
		Count int
	}
	for _, c := range cases {
		t.Run(c.every+" "+c.from+".."+c.to+" "+c.f.String(), func(t *testing.T) {
			var out struct {
				Portfolio struct {
					Flows []struct {
						Start, End                                   string
						Entered, Exited                              []pc
						ProductLaunches, NationalImpacts, FastGrants int
						Committees                                   int
						CommitteeDecisions                           []struct{ Count int }
					}
				}
			}
			env.query(t, q, map[string]any{"f": c.f.gql(), "from": c.from, "to": c.to, "every": c.every}, &out)
			want := ro.flows(c.f, mustDay("2026-08-20"), mustDay(c.from), mustDay(c.to), c.months)
			got := out.Portfolio.Flows
			var dd diffs
			dd.int("periods", len(want), len(got))
			for i := 0; i < len(want) && i < len(got); i++ {
				w, g := want[i], got[i]
				key := w.start.String()
				if g.Start != w.start.String() || g.End != w.end.String() {
					dd.add("period %d: want %s..%s, got %s..%s", i, w.start, w.end, g.Start, g.End)
				}
				toMap := func(l []pc) map[string]int {
					m := map[string]int{}
					for _, x := range l {
						m[x.Phase] += x.Count
					}
					return m
				}
				dd.counts(key+" entered", w.entered, toMap(g.Entered))
				dd.counts(key+" exited", w.exited, toMap(g.Exited))
				dd.int(key+" productLaunches", w.launches, g.ProductLaunches)
				dd.int(key+" nationalImpacts", w.impacts, g.NationalImpacts)
				dd.int(key+" fastGrants", w.fasts, g.FastGrants)
				dd.int(key+" committees", w.committees, g.Committees)
				sum := 0
				for _, x := range g.CommitteeDecisions {
					sum += x.Count
				}
				dd.int(key+" committees by decision, in all", g.Committees, sum)
			}
			dd.report(t, "flows")
		})
	}
}

// TestRealDataFlowsAgreeWithTimeline checks DESIGN.md's identity on the API
// alone: phase by phase, a period's entries minus its exits equal the
// timeline's count at its end minus its count the day before its start.
func TestRealDataFlowsAgreeWithTimeline(t *testing.T) {
	env, _ := reviewData(t)
	for _, c := range []struct {
		from, before, to, every string
		f                       sf
	}{
		{"2015-01-01", "2014-12-31", "2025-12-31", "YEAR", sf{}},
		{"2020-01-01", "2019-12-31", "2026-07-31", "MONTH", sf{}},
		{"2021-01-01", "2020-12-31", "2026-06-30", "QUARTER", sf{Incubators: []string{"dinum", "anct"}}},
	} {
		t.Run(c.every+" "+c.f.String(), func(t *testing.T) {
			var out struct {
				Portfolio struct {
					Flows []struct {
						Start, End      string
						Entered, Exited []struct {
							Phase string
							Count int
						}
					}
					Timeline []struct {
						Date    string
						ByPhase []struct {
							Phase string
							Count int
						}
					}
				}
			}
			env.query(t, `query($f: StartupFilter, $from: Date!, $before: Date!, $to: Date!, $every: Every!) { portfolio(filter: $f, asOf: "2026-08-20") {
				flows(from: $from, to: $to, every: $every) { start end entered { phase count } exited { phase count } }
				timeline(from: $before, to: $to, every: $every) { date byPhase { phase count } } } }`,
				map[string]any{"f": c.f.gql(), "from": c.from, "before": c.before, "to": c.to, "every": c.every}, &out)
			p := out.Portfolio
			if len(p.Timeline) != len(p.Flows)+1 {
				t.Fatalf("%d timeline points for %d periods", len(p.Timeline), len(p.Flows))
			}
			var dd diffs
			moved := 0
			for i, f := range p.Flows {
				before, after := p.Timeline[i], p.Timeline[i+1]
				if before.Date != (mustDay(f.Start)-1).String() || after.Date != f.End {
					dd.add("period %s..%s between points %s and %s", f.Start, f.End, before.Date, after.Date)
					continue
				}
				stock := map[string]int{}
				for _, x := range after.ByPhase {
					stock[x.Phase] += x.Count
				}
				for _, x := range before.ByPhase {
					stock[x.Phase] -= x.Count
				}
				flow := map[string]int{}
				for _, x := range f.Entered {
					flow[x.Phase] += x.Count
					moved += x.Count
				}
				for _, x := range f.Exited {
					flow[x.Phase] -= x.Count
				}
				for k, v := range stock {
					if v == 0 {
						delete(stock, k)
					}
				}
				for k, v := range flow {
					if v == 0 {
						delete(flow, k)
					}
				}
				dd.counts(f.Start+" stock change vs entries − exits", stock, flow)
			}
			if moved == 0 {
				dd.add("no entries: the check is vacuous")
			}
			dd.report(t, "flows and timeline")
		})
	}
}

// ---------------------------------------------------------------- the event feed

func TestRealDataEvents(t *testing.T) {
	env, ro := reviewData(t)
	var out struct {
		Events struct {
			TotalCount int
			Nodes      []struct {
				Name      string
				Date      string
				Comment   *string
				Startup   struct{ Slug string }
				Committee *struct{ Slug string }
			}
		}
	}
	env.query(t, `{ events(first: 1000) { totalCount nodes { name date comment startup { slug } committee { slug } } } }`, nil, &out)
	var dd diffs
	dd.int("totalCount", 562, out.Events.TotalCount)
	want, got := map[string]int{}, map[string]int{}
	for _, s := range ro.startups {
		for _, e := range s.events {
			want[s.slug+" "+e.name+" "+e.date.String()]++
		}
	}
	last := "9999-12-31"
	for _, n := range out.Events.Nodes {
		got[n.Startup.Slug+" "+n.Name+" "+n.Date]++
		if n.Date > last {
			dd.add("%s %s on %s after %s: not newest first", n.Startup.Slug, n.Name, n.Date, last)
		}
		last = n.Date
		if (n.Name == "committee") != (n.Committee != nil) || (n.Committee != nil && n.Comment != nil) {
			dd.add("%s %s on %s: committee %v, comment %v", n.Startup.Slug, n.Name, n.Date, n.Committee, n.Comment)
		}
	}
	dd.counts("events", want, got)

	// Kinds, incubators and a period.
	kinds := map[string]int{}
	inPeriod, dinum := 0, 0
	for _, s := range ro.startups {
		for _, e := range s.events {
			kinds[e.name]++
			if e.date >= mustDay("2025-01-01") && e.date <= mustDay("2025-12-31") && (e.name == "product_launch" || e.name == "committee") {
				inPeriod++
			}
			if s.incubator == "dinum" {
				dinum++
			}
		}
	}
	for kind, n := range kinds {
		var k struct{ Events struct{ TotalCount int } }
		env.query(t, `query($k: [String!]) { events(filter: {kinds: $k}) { totalCount } }`, map[string]any{"k": []string{kind}}, &k)
		dd.int("kind "+kind, n, k.Events.TotalCount)
	}
	var p struct{ A, B struct{ TotalCount int } }
	env.query(t, `{ a: events(filter: {kinds: ["product_launch", "committee"], from: "2025-01-01", to: "2025-12-31"}) { totalCount }
		b: events(filter: {incubators: ["dinum"]}) { totalCount } }`, nil, &p)
	dd.int("launches and committees of 2025", inPeriod, p.A.TotalCount)
	dd.int("events of dinum's startups", dinum, p.B.TotalCount)
	dd.report(t, "events")
}

// TestRealDataFastDisagreements compares the importer's report of fast
// events that disagree with the fast map with the second reading's.
func TestRealDataFastDisagreements(t *testing.T) {
	_, ro := reviewData(t)
	snap, err := betagouv.Read(context.Background(), os.Getenv("PORTFOLIO_SNAPSHOT"), betagouv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	re := regexp.MustCompile(`the fast event states (\d+) €, the fast map (\d+) €`)
	for _, p := range snap.Problems {
		if m := re.FindStringSubmatch(p.Reason); m != nil {
			got = append(got, fmt.Sprintf("%s: %s € / %s €", p.File, m[1], m[2]))
		}
	}
	var want []string
	for _, s := range ro.startups {
		want = append(want, s.fastDisagreements...)
	}
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) || len(want) != 2 {
		t.Errorf("the importer reports %v; the files say %v", got, want)
	}
}

// TestRealDataReviewStatuses compares Portfolio.reviewStatuses and
// withoutIntrapreneurCount with the second reading of the files, at the
// snapshot's date and today, for the network and two incubators, and logs
// the figures (issue 18: late and none recorded apart).
func TestRealDataReviewStatuses(t *testing.T) {
	env := realData(t)
	o := env.oracle
	today := time.Now().In(paris(t)).Format(time.DateOnly)
	for _, ds := range []string{"2026-08-20", today} {
		for _, f := range []sf{{}, {Incubators: []string{"dinum"}}, {Incubators: []string{"mtes", "sgmas"}}} {
			t.Run(ds+" "+f.String(), func(t *testing.T) {
				var out struct {
					Portfolio struct {
						ReviewStatuses []struct {
							Status string
							Count  int
						}
						WithoutIntrapreneurCount int
						ByPhase                  []struct {
							Phase string
							Count int
						}
					}
				}
				env.query(t, `query($f: StartupFilter, $d: Date) { portfolio(filter: $f, asOf: $d) {
					reviewStatuses { status count } withoutIntrapreneurCount byPhase { phase count } } }`,
					map[string]any{"f": f.gql(), "d": ds}, &out)
				d := mustDay(ds)
				want := map[string]int{}
				without, active := 0, 0
				for _, s := range o.matching(f, d) {
					if st := s.reviewStatusAt(d); st != "" {
						want[st]++
						active++
					}
					if s.withoutIntrapreneurAt(d) {
						without++
					}
				}
				var dd diffs
				got := map[string]int{}
				var order []string
				for _, c := range out.Portfolio.ReviewStatuses {
					got[c.Status] = c.Count
					order = append(order, c.Status)
				}
				if strings.Join(order, ",") != "OVERDUE,NONE_RECORDED,DUE_SOON,UP_TO_DATE" {
					dd.add("reviewStatuses in the order %v", order)
				}
				for _, st := range []string{"OVERDUE", "NONE_RECORDED", "DUE_SOON", "UP_TO_DATE"} {
					dd.int("reviewStatuses "+st, want[st], got[st])
				}
				dd.int("withoutIntrapreneurCount", without, out.Portfolio.WithoutIntrapreneurCount)
				inIncubation := 0
				for _, c := range out.Portfolio.ByPhase {
					if activePhase[c.Phase] {
						inIncubation += c.Count
					}
				}
				dd.int("the statuses add up to the startups in incubation", inIncubation, active)
				if ds == "2026-08-20" && len(f.Incubators) == 0 && (want["OVERDUE"] != 47 || want["NONE_RECORDED"] != 161) {
					// The issue counted them in the files: a broken second
					// reading must not pass vacuously.
					dd.add("the files say 47 late and 161 with no committee on record at 2026-08-20; the second reading says %d and %d",
						want["OVERDUE"], want["NONE_RECORDED"])
				}
				dd.report(t, fmt.Sprintf("portfolio(asOf: %s, filter: %s)", ds, f))
				t.Logf("at %s, %s: %d in incubation: %d overdue (en retard), %d none recorded (sans comité enregistré), %d due soon, %d up to date; %d without an intrapreneur",
					ds, f, active, got["OVERDUE"], got["NONE_RECORDED"], got["DUE_SOON"], got["UP_TO_DATE"], out.Portfolio.WithoutIntrapreneurCount)
			})
		}
	}
}

func paris(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
