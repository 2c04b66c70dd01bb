// Package seed generates a synthetic incubator network, for demo data and
// benchmarks, and writes it through a portfolio.Sink.
//
// At scale 1 the network has the shape of the real beta.gouv.fr network in
// August 2026: 23 incubators, 143 organisations, 36 teams, 662 startups of
// which about a third are still in incubation, 3,484 members with about
// 4,800 missions, and some 200 investment committees. Scale N multiplies
// every count by N. All names are invented, but for the fixtures' slugs
// and the names of two public bodies.
//
// A few records are fixed, the fixtures, so that the README's example
// queries answer the same way on the demo database and on an import of the
// real snapshot: their slugs are those of real records. They are written
// once, at every scale, in the first block, in place of generated records
// of the same kind and shape (so every count and share stays what it was):
//
//   - organisations dinum (Direction interministérielle du numérique, the
//     most frequent sponsor) and mtes (Ministère de la Transition
//     écologique), administrations centrales;
//   - incubators dinum and mtes, the largest and the third largest (about
//     110 and 90 startups at scale 1, as in the real network), run by those
//     organisations;
//   - startup dossierfacile, in the mtes incubator, sponsored by mtes, in
//     consolidation since 2024-10-14, its last committee on 2026-03-17
//     (its next committee due on 2026-09-17, as that committee recorded);
//   - startup acces-cible, in the dinum incubator, sponsored by dinum, in
//     construction since 2024-10-07, its last committee on 2025-10-07
//     (its next committee due on 2026-04-07, overdue from the day after);
//   - five generated members whose missions are fixed: open-ended ones on
//     dossierfacile (a public agent, a freelancer, a contractor, a
//     freelancer who came from acces-cible) and on acces-cible, so that
//     both have a team at any date from 2024-10-07 on;
//   - for a portfolio review: dossierfacile has a security homologation, a
//     risk analysis and a statistics page, its old slug locatio, and the
//     mtes incubator's follower; acces-cible has none of the three markers
//     and is followed for the DINUM (review.go).
//
// Everything else in them (pitches, histories, committees, people) is
// invented; fixtures.go lists them.
//
// The output is deterministic: the same scale gives the same records in
// the same order, byte for byte. Every record is a pure function of the
// scale and its index, drawn from its own random stream, so the generator
// streams records to the sink one at a time and keeps none: its memory does
// not grow with the scale. A member's missions are placed on startups by
// recomputing those startups' phase plans rather than by remembering them.
package seed

import (
	"context"
	"errors"
	"fmt"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// Options tune Generate.
type Options struct {
	// Scale multiplies every count of the network; it must be at least 1.
	Scale int
	// Progress, when not nil, is called every so often with the number of
	// startups and members written so far and the number planned.
	Progress func(done, total int)
}

// Counts says how many records Generate wrote. Phases, Missions,
// Committees and Events count the parts of startups and members (the eight
// phase definitions are not counted).
type Counts struct {
	Organisations, Incubators, Teams, Startups, Members, Missions, Phases, Committees, Events int
}

// RefDate is the fixed "today" of the synthetic network, so output never
// depends on the clock: phases start on or before it, and active startups
// have missions running past it.
var RefDate = portfolio.MustDate("2026-09-01")

// progressEvery is how many startups and members go between two calls of
// Options.Progress (and two checks of the context).
const progressEvery = 1024

// Generate writes the synthetic network at opts.Scale to sink, in the
// sink's dependency order: phase definitions, organisations, incubators,
// teams, startups (with phases, events, committees and sponsors), then
// members (with missions). It stops at the first error of the sink or when
// ctx is done, and returns what it wrote so far.
func Generate(ctx context.Context, sink portfolio.Sink, opts Options) (Counts, error) {
	var c Counts
	scale := opts.Scale
	if scale < 1 {
		return c, fmt.Errorf("seed: scale %d: %w", scale, errBadScale)
	}
	if err := ctx.Err(); err != nil {
		return c, fmt.Errorf("seed: %w", err)
	}

	for k, ph := range portfolio.NetworkPhases { // UNKNOWN is no phase of the network
		d := &portfolio.PhaseDefinition{Phase: ph, Label: ph.Label(), Order: k + 1, ShortDescription: phaseDescriptions[k]}
		if err := sink.PutPhaseDefinition(ctx, d); err != nil {
			return c, fmt.Errorf("seed: phase definition %s: %w", ph.Slug(), err)
		}
	}
	for o := range scale * orgsPerBlock {
		if err := sink.PutOrganisation(ctx, organisationRecord(o)); err != nil {
			return c, fmt.Errorf("seed: organisation %s: %w", orgSlug(o), err)
		}
		c.Organisations++
	}
	for k := range scale * incubatorsPerBlock {
		if err := sink.PutIncubator(ctx, incubatorRecord(k)); err != nil {
			return c, fmt.Errorf("seed: incubator %s: %w", incubatorSlug(k), err)
		}
		c.Incubators++
	}
	for t := range scale * teamsPerBlock {
		inc, kind := teamOf(t)
		team := &portfolio.Team{
			Slug:          teamSlug(inc, kind),
			Name:          teamKinds[kind].name,
			Mission:       teamKinds[kind].mission,
			IncubatorSlug: incubatorSlug(inc),
		}
		if err := sink.PutTeam(ctx, team); err != nil {
			return c, fmt.Errorf("seed: team %s: %w", team.Slug, err)
		}
		c.Teams++
	}

	nStartups, nMembers := scale*startupsPerBlock, scale*membersPerBlock
	total, done := nStartups+nMembers, 0
	step := func() error {
		done++
		if done%progressEvery != 0 && done != total {
			return nil
		}
		if opts.Progress != nil {
			opts.Progress(done, total)
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("seed: interrupted after %d of %d records: %w", done, total, err)
		}
		return nil
	}
	for i := range nStartups {
		p := planOf(scale, i)
		s := startupRecord(scale, &p)
		if err := sink.PutStartup(ctx, s); err != nil {
			return c, fmt.Errorf("seed: startup %s: %w", s.Slug, err)
		}
		c.Startups++
		c.Phases += len(s.Phases)
		c.Committees += len(s.Committees)
		c.Events += len(s.Events)
		if err := step(); err != nil {
			return c, err
		}
	}
	for j := range nMembers {
		m := memberRecord(scale, j)
		if err := sink.PutMember(ctx, m); err != nil {
			return c, fmt.Errorf("seed: member %s: %w", m.Slug, err)
		}
		c.Members++
		c.Missions += len(m.Missions)
		if err := step(); err != nil {
			return c, err
		}
	}
	return c, nil
}

var errBadScale = errors.New("scale must be at least 1")

// organisationRecord builds organisation o.
func organisationRecord(o int) *portfolio.Organisation {
	name, typ, domaine := orgName(o)
	if domaine == "" { // a local body: any ministry's network
		r := newRNG(streamOrganisation, o)
		domaine = domainesMinisteriels[r.pick(domaineTable)]
	}
	abbr := acronym(name)
	if f := orgFixtureAt(o); f != nil {
		abbr = f.acronym
	}
	return &portfolio.Organisation{
		Slug:               orgSlug(o),
		Name:               name,
		Acronym:            abbr,
		Type:               typ,
		DomaineMinisteriel: domaine,
	}
}

var domaineTable = newTable(domaineWeights...)

// incubatorRecord builds incubator k.
func incubatorRecord(k int) *portfolio.Incubator {
	slug, title := incubatorName(k)
	r := newRNG(streamIncubator, k)
	place := places[r.intn(len(places))]
	if block := k / incubatorsPerBlock; block > 0 {
		place = places[(block-1)%len(places)]
	}
	return &portfolio.Incubator{
		Slug:             slug,
		Title:            title,
		OwnerSlug:        orgSlug(incubatorOwner(k)),
		ShortDescription: "L'incubateur accompagne des équipes qui construisent des services publics numériques.",
		Description: "## " + title + "\n\nL'incubateur réunit intrapreneurs, designers et développeurs " +
			"autour des problèmes des usagers. Il finance, outille et suit les startups de son portefeuille " +
			"jusqu'à leur pérennisation.\n",
		Contact: "contact@" + slug + ".example.org",
		Website: "https://" + slug + ".example.org",
		Github:  "https://git.example.org/" + slug,
		Address: fmt.Sprintf("%d rue des Tilleuls, %05d %s", 1+r.intn(120), 10000+r.intn(85000)/10*10, place),
	}
}
