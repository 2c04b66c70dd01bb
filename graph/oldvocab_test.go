package graph_test

// Older archives (issue 23): the API, serving an import of an archive that
// names its phases in the network's older vocabulary (alumni, success,
// transfer), answers as the records say. The second reading is the
// oracle's (realdata_oracle_test.go), which maps the vocabulary by its own
// rendering of the table. The archives are
// internal/betagouv/testdata/old-vocabulary, made for the tests, and those
// PORTFOLIO_OLD_SNAPSHOT names (content folders of the network's
// repository before May 2026, separated like PATH).

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/betagouv"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// oldArchive is an import of an older archive, served, with its oracle.
type oldArchive struct {
	dir  string
	env  *realEnv
	ro   *reviewOracle // the oracle's startups with their events, for the flows
	asOf day           // the records' date: the newest phase start or event date, typos after 2026-08-20 (2120-06-01 in one) left out
}

// latest is the newest date an archive's records may hold: that of the
// newest snapshot of the network's repository at hand.
var latest = mustDay("2026-08-20")

func oldArchives(t *testing.T) []*oldArchive {
	t.Helper()
	dirs := []string{filepath.Join("..", "internal", "betagouv", "testdata", "old-vocabulary", "content")}
	if v := os.Getenv("PORTFOLIO_OLD_SNAPSHOT"); v != "" {
		dirs = append(dirs, filepath.SplitList(v)...)
	}
	var out []*oldArchive
	for _, dir := range dirs {
		env, err := setupReal(dir)
		t.Cleanup(func() {
			if env.srv != nil {
				env.srv.Close()
			}
			if env.db != nil {
				env.db.Close()
			}
			os.RemoveAll(env.tmp)
		})
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		a := &oldArchive{dir: dir, env: env, ro: &reviewOracle{bySlug: map[string]*rStartup{}}}
		for _, s := range env.oracle.startups {
			r := &rStartup{oStartup: s}
			for _, e := range s.events {
				r.events = append(r.events, rEvent{name: e.name, date: e.date, comment: e.comment})
				if e.date <= latest {
					a.asOf = max(a.asOf, e.date)
				}
			}
			for _, p := range s.phases {
				if p.hasStart && p.start <= latest {
					a.asOf = max(a.asOf, p.start)
				}
			}
			a.ro.startups = append(a.ro.startups, r)
			a.ro.bySlug[s.slug] = r
		}
		out = append(out, a)
	}
	return out
}

// dates are the dates the archive is asked about: a few years before its
// records' date, each 1 January, and that date.
func (a *oldArchive) dates() []day {
	var out []day
	for y := atoi(a.asOf.String()[:4]) - 6; y <= atoi(a.asOf.String()[:4]); y++ {
		out = append(out, mustDay(fmt.Sprintf("%04d-01-01", y)))
	}
	return append(out, a.asOf)
}

func TestOlderArchives(t *testing.T) {
	for _, a := range oldArchives(t) {
		t.Run(a.dir, func(t *testing.T) {
			t.Run("phases", a.testPhases)
			t.Run("portfolio", a.testPortfolio)
			t.Run("startups", a.testStartups)
			t.Run("timeline", a.testTimeline)
			t.Run("flows", a.testFlows)
			t.Run("reimport", a.testReimport)
		})
	}
}

// testPhases: every phase entry of the files is a phase period of the API,
// with its phase, start and the record's word.
func (a *oldArchive) testPhases(t *testing.T) {
	var out struct {
		Startups struct {
			Nodes []struct {
				Slug   string
				Phases []struct {
					Phase, SourceName string
					Start             *string
				}
			}
		}
	}
	a.env.query(t, `{ startups(first: 1000) { nodes { slug phases { phase start sourceName } } } }`, nil, &out)
	var dd diffs
	dd.int("startups", len(a.env.oracle.startups), len(out.Startups.Nodes))
	entries, periods := 0, 0
	for _, n := range out.Startups.Nodes {
		s := a.env.oracle.bySlug[n.Slug]
		if s == nil {
			dd.add("%s: not in the files", n.Slug)
			continue
		}
		// The API lists phases by start, those without one first.
		ps := slices.Clone(s.phases)
		sort.SliceStable(ps, func(i, j int) bool {
			return !ps[i].hasStart && ps[j].hasStart || ps[i].hasStart && ps[j].hasStart && ps[i].start < ps[j].start
		})
		var want, got []string
		for _, p := range ps {
			start := "-"
			if p.hasStart {
				start = p.start.String()
			}
			want = append(want, p.phase+"@"+start+"/"+p.word)
		}
		for _, p := range n.Phases {
			start := "-"
			if p.Start != nil {
				start = *p.Start
			}
			got = append(got, p.Phase+"@"+start+"/"+p.SourceName)
		}
		if !slices.Equal(want, got) {
			dd.add("%s phases:\n\twant %v\n\t got %v", n.Slug, want, got)
		}
		entries += len(s.phases)
		periods += len(n.Phases)
	}
	dd.int("phase periods (the phase entries of the files)", entries, periods)
	dd.report(t, "phases")
	t.Logf("%d startups, %d phase periods", len(out.Startups.Nodes), periods)
}

// oldFilters are the filters the aggregates are compared under.
var oldFilters = []sf{
	{},
	{Active: ptr(true)},
	{Not: &sf{Active: ptr(true)}},
	{Phases: []string{"UNKNOWN"}},
	{Phases: []string{"CONSOLIDATION", "TRANSFERRED", "ABANDONED", "INVESTIGATION_ABANDONED"}},
	{CommitteeOverdue: ptr(true)},
}

func (a *oldArchive) testPortfolio(t *testing.T) {
	for _, d := range a.dates() {
		periods := periodsFor(d)
		q := `query($f: StartupFilter, $d: Date) { portfolio(filter: $f, asOf: $d) { ` + portfolioFields + decisionFields(periods) + ` } }`
		for _, f := range oldFilters {
			t.Run(d.String()+" "+f.String(), func(t *testing.T) {
				var out struct{ Portfolio apiPortfolio }
				a.env.query(t, q, map[string]any{"f": f.gql(), "d": d.String()}, &out)
				want := a.env.oracle.portfolioAt(f, d, periods)
				// Older records name a sponsor in owner:, which the
				// oracle does not read: sponsors are not this test's.
				want.BySponsor, out.Portfolio.BySponsor = nil, nil
				var dd diffs
				comparePortfolio(&dd, d, want, out.Portfolio, periods)
				dd.report(t, fmt.Sprintf("portfolio(asOf: %s, filter: %s)", d, f))
			})
		}
	}
}

// testStartups: each startup's phase, active, committeeOverdue and
// nextCommitteeDue at each date.
func (a *oldArchive) testStartups(t *testing.T) {
	const q = `query($d: Date) { startups(asOf: $d, first: 1000) { nodes { slug phase active committeeOverdue nextCommitteeDue } } }`
	for _, d := range a.dates() {
		var out struct {
			Startups struct {
				Nodes []struct {
					Slug             string
					Phase            *string
					Active           bool
					CommitteeOverdue bool
					NextCommitteeDue *string
				}
			}
		}
		a.env.query(t, q, map[string]any{"d": d.String()}, &out)
		var dd diffs
		for _, n := range out.Startups.Nodes {
			s := a.ro.bySlug[n.Slug]
			got := ""
			if n.Phase != nil {
				got = *n.Phase
			}
			if w := s.phaseAt(d); w != got {
				dd.add("%s phase: want %q, got %q (phases %v)", s.slug, w, got, s.phases)
			}
			if w := s.activeAt(d); w != n.Active {
				dd.add("%s active: want %v, got %v", s.slug, w, n.Active)
			}
			if w := s.overdueAt(d); w != n.CommitteeOverdue {
				dd.add("%s committeeOverdue: want %v, got %v", s.slug, w, n.CommitteeOverdue)
			}
			want := ""
			if due, ok := s.nextDue(d); ok {
				want = due.String()
			}
			gotDue := ""
			if n.NextCommitteeDue != nil {
				gotDue = *n.NextCommitteeDue
			}
			if want != gotDue {
				dd.add("%s nextCommitteeDue: want %q, got %q", s.slug, want, gotDue)
			}
		}
		dd.int("startups", len(a.ro.startups), len(out.Startups.Nodes))
		dd.report(t, "startups(asOf: "+d.String()+")")
	}
}

func (a *oldArchive) testTimeline(t *testing.T) {
	from := a.dates()[0]
	const q = `query($f: StartupFilter, $from: Date!, $to: Date, $asOf: Date) { portfolio(filter: $f, asOf: $asOf) {
		timeline(from: $from, to: $to, every: MONTH) { date startupCount byPhase { phase count } } } }`
	for _, f := range []sf{{}, {Active: ptr(true)}, {Phases: []string{"UNKNOWN", "ABANDONED"}}} {
		t.Run(f.String(), func(t *testing.T) {
			var out struct {
				Portfolio struct {
					Timeline []struct {
						Date         string
						StartupCount int
						ByPhase      []struct {
							Phase string
							Count int
						}
					}
				}
			}
			a.env.query(t, q, map[string]any{"f": f.gql(), "from": from.String(), "to": a.asOf.String(), "asOf": a.asOf.String()}, &out)
			var dd diffs
			k := 0
			for d := from; d <= a.asOf; d = d.addMonths(1) {
				if k >= len(out.Portfolio.Timeline) {
					dd.add("%s: no point", d)
					break
				}
				p := out.Portfolio.Timeline[k]
				k++
				fg := a.env.oracle.portfolioAt(f, d, nil)
				got := map[string]int{}
				for _, c := range p.ByPhase {
					got[c.Phase] += c.Count
				}
				started := 0
				for _, n := range fg.ByPhase {
					started += n
				}
				dd.int(d.String()+" startupCount", started, p.StartupCount)
				dd.counts(d.String()+" byPhase", fg.ByPhase, got)
			}
			dd.report(t, "timeline "+f.String())
		})
	}
}

func (a *oldArchive) testFlows(t *testing.T) {
	from := mustDay(a.dates()[0].String()[:4] + "-01-01").addMonths(-12 * 4)
	const q = `query($f: StartupFilter, $from: Date!, $to: Date, $asOf: Date) { portfolio(filter: $f, asOf: $asOf) {
		flows(from: $from, to: $to, every: YEAR) { start end entered { phase count } exited { phase count }
			productLaunches nationalImpacts committees } } }`
	for _, f := range []sf{{}, {Active: ptr(false)}} {
		t.Run(f.String(), func(t *testing.T) {
			var out struct {
				Portfolio struct {
					Flows []struct {
						Start, End      string
						Entered, Exited []struct {
							Phase string
							Count int
						}
						ProductLaunches, NationalImpacts, Committees int
					}
				}
			}
			a.env.query(t, q, map[string]any{"f": f.gql(), "from": from.String(), "to": a.asOf.String(), "asOf": a.asOf.String()}, &out)
			want := a.ro.flows(f, a.asOf, from, a.asOf, 12)
			var dd diffs
			dd.int("periods", len(want), len(out.Portfolio.Flows))
			for i := 0; i < len(want) && i < len(out.Portfolio.Flows); i++ {
				w, g := want[i], out.Portfolio.Flows[i]
				key := w.start.String()
				toMap := func(l []struct {
					Phase string
					Count int
				}) map[string]int {
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
				dd.int(key+" committees", w.committees, g.Committees)
			}
			dd.report(t, "flows "+f.String())
		})
	}
}

// testReimport: a second import of the same files changes nothing.
func (a *oldArchive) testReimport(t *testing.T) {
	ctx := context.Background()
	snap, err := betagouv.Read(ctx, a.dir, betagouv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := a.env.db.Load(ctx, sqlite.LoadOptions{}, func(s portfolio.Sink) error { return snap.WriteTo(ctx, s) })
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range sqlite.Kinds {
		if res.Created[k]+res.Updated[k] != 0 {
			t.Errorf("%s: %d created, %d updated by a second import", k, res.Created[k], res.Updated[k])
		}
	}
	if len(res.Disagreements)+len(res.Skipped) != 0 || strings.Join(mapKeys(res.Absent), "") != "" {
		t.Errorf("a second import: %+v", res)
	}
}

func mapKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
