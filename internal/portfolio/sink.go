package portfolio

import "context"

// Sink receives records to store. Importers and the synthetic generator
// write through it, in dependency order: phase definitions, organisations,
// incubators, teams, startups (with their phases, events and committees),
// then members (with their missions). References are slugs; a store resolves
// them and drops references to records it does not hold.
type Sink interface {
	PutPhaseDefinition(ctx context.Context, p *PhaseDefinition) error
	PutOrganisation(ctx context.Context, o *Organisation) error
	PutIncubator(ctx context.Context, i *Incubator) error
	PutTeam(ctx context.Context, t *Team) error
	PutStartup(ctx context.Context, s *Startup) error
	PutMember(ctx context.Context, m *Member) error
}
