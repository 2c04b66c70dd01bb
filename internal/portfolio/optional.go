package portfolio

// Optional text: where a record gives no value, these return nil rather
// than a pointer to "", so that a nullable field answers null. They point
// into the record (no copy), and take no context, so that GraphQL resolves
// them inline like plain fields. Dates, enums and other values that answer
// null themselves when zero (Date.MarshalGQL, Phase.MarshalGQL, …) need
// none.

// opt returns s, or nil when *s is empty.
func opt(s *string) *string {
	if *s == "" {
		return nil
	}
	return s
}

// NodeID returns the organisation's global id.
func (o *Organisation) NodeID() string { return GlobalID("Organisation", o.Slug) }

// OptAcronym returns the acronym, or nil.
func (o *Organisation) OptAcronym() *string { return opt(&o.Acronym) }

// OptType returns the kind of body, or nil.
func (o *Organisation) OptType() *string { return opt(&o.Type) }

// OptMinisterialDomain returns the ministerial domain, or nil.
func (o *Organisation) OptMinisterialDomain() *string { return opt(&o.DomaineMinisteriel) }

// NodeID returns the incubator's global id.
func (i *Incubator) NodeID() string { return GlobalID("Incubator", i.Slug) }

// OptContact returns the contact e-mail, or nil.
func (i *Incubator) OptContact() *string { return opt(&i.Contact) }

// OptWebsite returns the web site, or nil.
func (i *Incubator) OptWebsite() *string { return opt(&i.Website) }

// OptGithub returns the GitHub organisation, or nil.
func (i *Incubator) OptGithub() *string { return opt(&i.Github) }

// OptAddress returns the postal address, or nil.
func (i *Incubator) OptAddress() *string { return opt(&i.Address) }

// OptComment returns the event's comment, or nil.
func (e *StartupEvent) OptComment() *string { return opt(&e.Comment) }

// NodeID returns the committee's global id.
func (c *Committee) NodeID() string { return GlobalID("Committee", c.Slug) }

// OptComment returns the committee's comment, or nil.
func (c *Committee) OptComment() *string { return opt(&c.Comment) }

// NodeID returns the startup's global id.
func (s *Startup) NodeID() string { return GlobalID("Startup", s.Slug) }

// OptContact returns the team's contact e-mail, or nil.
func (s *Startup) OptContact() *string { return opt(&s.Contact) }

// OptLink returns the service's address, or nil.
func (s *Startup) OptLink() *string { return opt(&s.Link) }

// OptRepository returns the source code repository, or nil.
func (s *Startup) OptRepository() *string { return opt(&s.Repository) }

// OptAccessibilityStatus returns the accessibility status, or nil.
func (s *Startup) OptAccessibilityStatus() *string { return opt(&s.AccessibilityStatus) }

// OptStatsURL returns the public statistics page as the network computes
// it (StatsPage), or nil.
func (s *Startup) OptStatsURL() *string {
	if s.StatsURL != "" {
		return &s.StatsURL
	}
	if p := StatsPage(s.StatsURL, s.Link, s.Stats); p != "" {
		return &p
	}
	return nil
}

// OptImpactURL returns the impact page, or nil.
func (s *Startup) OptImpactURL() *string { return opt(&s.ImpactURL) }

// OptBudgetURL returns the budget page, or nil.
func (s *Startup) OptBudgetURL() *string { return opt(&s.BudgetURL) }

// OptDashlordURL returns the DashLord page, or nil.
func (s *Startup) OptDashlordURL() *string { return opt(&s.DashlordURL) }

// OptRiskAnalysisURL returns the risk analysis, or nil.
func (s *Startup) OptRiskAnalysisURL() *string { return opt(&s.RiskAnalysisURL) }

// NodeID returns the mission's global id.
func (m *Mission) NodeID() string { return GlobalID("Mission", m.Slug) }

// OptEmployer returns the employer, or nil.
func (m *Mission) OptEmployer() *string { return opt(&m.Employer) }

// NodeID returns the member's global id.
func (m *Member) NodeID() string { return GlobalID("Member", m.Slug) }

// OptGithub returns the GitHub login, or nil.
func (m *Member) OptGithub() *string { return opt(&m.Github) }

// OptLink returns the personal page, or nil.
func (m *Member) OptLink() *string { return opt(&m.Link) }

// OptMemberType returns the kind of member, or nil.
func (m *Member) OptMemberType() *string { return opt(&m.MemberType) }

// NodeID returns the team's global id.
func (t *Team) NodeID() string { return GlobalID("Team", t.Slug) }

// Slug returns the beta.gouv.fr slug of the phase.
func (d *PhaseDefinition) Slug() string { return d.Phase.Slug() }

// Active reports whether a startup in this phase is in incubation.
func (d *PhaseDefinition) Active() bool { return d.Phase.Active() }
