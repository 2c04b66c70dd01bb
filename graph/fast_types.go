package graph

import (
	"context"

	"github.com/incubateurs/portfolio/graph/model"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// fastTypes are the types and fields the fast path answers (fast.go), each
// as the generated executor answers it: the same model method or resolver,
// the same writing. A field missing here sends its question to gqlgen's
// executor.
var fastTypes map[string]map[string]*fastSpec

func init() {
	viewer := portfolio.RoleViewer
	fastTypes = map[string]map[string]*fastSpec{
		"Query": {
			"startups": root("StartupConnection", (*executionContext).field_Query_startups_args, func(x *fastExec, ctx context.Context, a map[string]any) (*model.StartupConnection, error) {
				return x.r.query.Startups(ctx, a["filter"].(*portfolio.StartupFilter), a["orderBy"].([]*portfolio.StartupOrder),
					a["asOf"].(*portfolio.Date), a["first"].(*int), a["after"].(*string), a["last"].(*int), a["before"].(*string))
			}, nonNull),
			"startup": root("Startup", (*executionContext).field_Query_startup_args, func(x *fastExec, ctx context.Context, a map[string]any) (*portfolio.Startup, error) {
				return x.r.query.Startup(ctx, a["slug"].(string))
			}, optObject),
			"incubators": root("IncubatorConnection", (*executionContext).field_Query_incubators_args, func(x *fastExec, ctx context.Context, a map[string]any) (*model.IncubatorConnection, error) {
				return x.r.query.Incubators(ctx, a["first"].(*int), a["after"].(*string), a["last"].(*int), a["before"].(*string))
			}, nonNull),
			"incubator": root("Incubator", (*executionContext).field_Query_incubator_args, func(x *fastExec, ctx context.Context, a map[string]any) (*portfolio.Incubator, error) {
				return x.r.query.Incubator(ctx, a["slug"].(string))
			}, optObject),
			"organisation": root("Organisation", (*executionContext).field_Query_organisation_args, func(x *fastExec, ctx context.Context, a map[string]any) (*portfolio.Organisation, error) {
				return x.r.query.Organisation(ctx, a["slug"].(string))
			}, optObject),
			"member": root("Member", (*executionContext).field_Query_member_args, func(x *fastExec, ctx context.Context, a map[string]any) (*portfolio.Member, error) {
				return x.r.query.Member(ctx, a["slug"].(string))
			}, optObject),
		},
		"StartupConnection": connectionSpecs("StartupEdge", "Startup", func(c *model.StartupConnection) ([]*portfolio.Startup, []*model.StartupEdge, *model.PageInfo, int) {
			return c.Nodes, c.Edges, c.PageInfo, c.TotalCount
		}),
		"IncubatorConnection": connectionSpecs("IncubatorEdge", "Incubator", func(c *model.IncubatorConnection) ([]*portfolio.Incubator, []*model.IncubatorEdge, *model.PageInfo, int) {
			return c.Nodes, c.Edges, c.PageInfo, c.TotalCount
		}),
		"MissionConnection": connectionSpecs("MissionEdge", "Mission", func(c *model.MissionConnection) ([]*portfolio.Mission, []*model.MissionEdge, *model.PageInfo, int) {
			return c.Nodes, c.Edges, c.PageInfo, c.TotalCount
		}),
		"StartupEdge":   edgeSpecs("Startup", func(e *model.StartupEdge) (string, *portfolio.Startup) { return e.Cursor, e.Node }),
		"IncubatorEdge": edgeSpecs("Incubator", func(e *model.IncubatorEdge) (string, *portfolio.Incubator) { return e.Cursor, e.Node }),
		"MissionEdge":   edgeSpecs("Mission", func(e *model.MissionEdge) (string, *portfolio.Mission) { return e.Cursor, e.Node }),
		"PageInfo": {
			"hasNextPage":     scalar(func(x *fastExec, p *model.PageInfo) { x.bool(p.HasNextPage) }),
			"hasPreviousPage": scalar(func(x *fastExec, p *model.PageInfo) { x.bool(p.HasPreviousPage) }),
			"startCursor":     scalar(func(x *fastExec, p *model.PageInfo) { x.optStr(p.StartCursor) }),
			"endCursor":       scalar(func(x *fastExec, p *model.PageInfo) { x.optStr(p.EndCursor) }),
		},
		"Startup": {
			"id":                   scalar(func(x *fastExec, s *portfolio.Startup) { x.str(s.NodeID()) }),
			"slug":                 scalar(func(x *fastExec, s *portfolio.Startup) { x.str(s.Slug) }),
			"name":                 scalar(func(x *fastExec, s *portfolio.Startup) { x.str(s.Name) }),
			"pitch":                scalar(func(x *fastExec, s *portfolio.Startup) { x.str(s.Pitch) }),
			"contact":              protected(viewer, func(x *fastExec, s *portfolio.Startup) { x.optStr(s.OptContact()) }),
			"version":              scalar(func(x *fastExec, s *portfolio.Startup) { x.int(s.Version) }),
			"link":                 scalar(func(x *fastExec, s *portfolio.Startup) { x.optStr(s.OptLink()) }),
			"repository":           scalar(func(x *fastExec, s *portfolio.Startup) { x.optStr(s.OptRepository()) }),
			"accessibilityStatus":  scalar(func(x *fastExec, s *portfolio.Startup) { x.optStr(s.OptAccessibilityStatus()) }),
			"statsUrl":             scalar(func(x *fastExec, s *portfolio.Startup) { x.optStr(s.OptStatsURL()) }),
			"impactUrl":            scalar(func(x *fastExec, s *portfolio.Startup) { x.optStr(s.OptImpactURL()) }),
			"budgetUrl":            scalar(func(x *fastExec, s *portfolio.Startup) { x.optStr(s.OptBudgetURL()) }),
			"dashlordUrl":          scalar(func(x *fastExec, s *portfolio.Startup) { x.optStr(s.OptDashlordURL()) }),
			"riskAnalysisUrl":      scalar(func(x *fastExec, s *portfolio.Startup) { x.optStr(s.OptRiskAnalysisURL()) }),
			"securityHomologation": scalar(func(x *fastExec, s *portfolio.Startup) { x.optBool(s.SecurityHomologation) }),
			"riskAnalysis":         scalar(func(x *fastExec, s *portfolio.Startup) { x.optBool(s.RiskAnalysis) }),
			"accessibility": scalar(func(x *fastExec, s *portfolio.Startup) {
				if a := s.Accessibility(); a != nil {
					x.enum(string(*a))
				} else {
					x.null()
				}
			}),
			"description": resolved("", nil, func(x *fastExec, ctx context.Context, s *portfolio.Startup, _ map[string]any) (string, error) {
				return x.r.startup.Description(ctx, s)
			}, writeString),
			"incubator": resolved("Incubator", nil, func(x *fastExec, ctx context.Context, s *portfolio.Startup, _ map[string]any) (*portfolio.Incubator, error) {
				return x.r.startup.Incubator(ctx, s)
			}, optObject),
			"sponsors": resolved("Organisation", nil, func(x *fastExec, ctx context.Context, s *portfolio.Startup, _ map[string]any) ([]*portfolio.Organisation, error) {
				return x.r.startup.Sponsors(ctx, s)
			}, objects),
			"phases": resolved("PhasePeriod", nil, func(x *fastExec, ctx context.Context, s *portfolio.Startup, _ map[string]any) ([]*model.PhasePeriod, error) {
				return x.r.startup.Phases(ctx, s)
			}, func(x *fastExec, _ context.Context, f *fastField, ps []*model.PhasePeriod) {
				x.b = append(x.b, '[')
				for i, p := range ps {
					if i > 0 {
						x.b = append(x.b, ',')
					}
					x.b = p.AppendJSON(x.b, f.phase)
				}
				x.b = append(x.b, ']')
			}),
			"currentPhase": resolved("PhasePeriod", (*executionContext).field_Startup_currentPhase_args, func(x *fastExec, ctx context.Context, s *portfolio.Startup, a map[string]any) (*model.PhasePeriod, error) {
				return x.r.startup.CurrentPhase(ctx, s, a["asOf"].(*portfolio.Date))
			}, func(x *fastExec, _ context.Context, f *fastField, p *model.PhasePeriod) {
				if p == nil {
					x.null()
					return
				}
				x.b = p.AppendJSON(x.b, f.phase)
			}),
			"phase": resolved("", (*executionContext).field_Startup_phase_args, func(x *fastExec, ctx context.Context, s *portfolio.Startup, a map[string]any) (*portfolio.Phase, error) {
				return x.r.startup.Phase(ctx, s, a["asOf"].(*portfolio.Date))
			}, writeOptPhase),
			"active": resolved("", (*executionContext).field_Startup_active_args, func(x *fastExec, ctx context.Context, s *portfolio.Startup, a map[string]any) (bool, error) {
				return x.r.startup.Active(ctx, s, a["asOf"].(*portfolio.Date))
			}, writeBool),
			"committeeOverdue": resolved("", (*executionContext).field_Startup_committeeOverdue_args, func(x *fastExec, ctx context.Context, s *portfolio.Startup, a map[string]any) (bool, error) {
				return x.r.startup.CommitteeOverdue(ctx, s, a["asOf"].(*portfolio.Date))
			}, writeBool),
			"reviewStatus": resolved("", (*executionContext).field_Startup_reviewStatus_args, func(x *fastExec, ctx context.Context, s *portfolio.Startup, a map[string]any) (*portfolio.ReviewStatus, error) {
				return x.r.startup.ReviewStatus(ctx, s, a["asOf"].(*portfolio.Date))
			}, func(x *fastExec, _ context.Context, _ *fastField, st *portfolio.ReviewStatus) {
				if st == nil {
					x.null()
					return
				}
				x.enum(string(*st))
			}),
			"incubatedSince": resolved("", nil, func(x *fastExec, ctx context.Context, s *portfolio.Startup, _ map[string]any) (*portfolio.Date, error) {
				return x.r.startup.IncubatedSince(ctx, s)
			}, func(x *fastExec, _ context.Context, _ *fastField, d *portfolio.Date) {
				if d == nil {
					x.null()
					return
				}
				x.date(*d)
			}),
			"teamSize": resolved("", (*executionContext).field_Startup_teamSize_args, func(x *fastExec, ctx context.Context, s *portfolio.Startup, a map[string]any) (int, error) {
				return x.r.startup.TeamSize(ctx, s, a["asOf"].(*portfolio.Date))
			}, func(x *fastExec, _ context.Context, _ *fastField, n int) { x.int(int64(n)) }),
			"committees": resolved("Committee", nil, func(x *fastExec, ctx context.Context, s *portfolio.Startup, _ map[string]any) ([]*portfolio.Committee, error) {
				return x.r.startup.Committees(ctx, s)
			}, objects),
			"missions": resolved("MissionConnection", (*executionContext).field_Startup_missions_args, func(x *fastExec, ctx context.Context, s *portfolio.Startup, a map[string]any) (*model.MissionConnection, error) {
				return x.r.startup.Missions(ctx, s, a["first"].(*int), a["after"].(*string), a["last"].(*int), a["before"].(*string))
			}, nonNull),
		},
		"Incubator": {
			"id":               scalar(func(x *fastExec, i *portfolio.Incubator) { x.str(i.NodeID()) }),
			"slug":             scalar(func(x *fastExec, i *portfolio.Incubator) { x.str(i.Slug) }),
			"title":            scalar(func(x *fastExec, i *portfolio.Incubator) { x.str(i.Title) }),
			"shortDescription": scalar(func(x *fastExec, i *portfolio.Incubator) { x.str(i.ShortDescription) }),
			"description":      scalar(func(x *fastExec, i *portfolio.Incubator) { x.str(i.Description) }),
			"contact":          protected(viewer, func(x *fastExec, i *portfolio.Incubator) { x.optStr(i.OptContact()) }),
			"version":          scalar(func(x *fastExec, i *portfolio.Incubator) { x.int(i.Version) }),
			"website":          scalar(func(x *fastExec, i *portfolio.Incubator) { x.optStr(i.OptWebsite()) }),
			"github":           scalar(func(x *fastExec, i *portfolio.Incubator) { x.optStr(i.OptGithub()) }),
			"address":          scalar(func(x *fastExec, i *portfolio.Incubator) { x.optStr(i.OptAddress()) }),
			"owner": resolved("Organisation", nil, func(x *fastExec, ctx context.Context, i *portfolio.Incubator, _ map[string]any) (*portfolio.Organisation, error) {
				return x.r.incubator.Owner(ctx, i)
			}, optObject),
			"startups": resolved("StartupConnection", (*executionContext).field_Incubator_startups_args, func(x *fastExec, ctx context.Context, i *portfolio.Incubator, a map[string]any) (*model.StartupConnection, error) {
				return x.r.incubator.Startups(ctx, i, a["filter"].(*portfolio.StartupFilter), a["orderBy"].([]*portfolio.StartupOrder),
					a["asOf"].(*portfolio.Date), a["first"].(*int), a["after"].(*string), a["last"].(*int), a["before"].(*string))
			}, nonNull),
		},
		"Organisation": {
			"id":                scalar(func(x *fastExec, o *portfolio.Organisation) { x.str(o.NodeID()) }),
			"slug":              scalar(func(x *fastExec, o *portfolio.Organisation) { x.str(o.Slug) }),
			"name":              scalar(func(x *fastExec, o *portfolio.Organisation) { x.str(o.Name) }),
			"acronym":           scalar(func(x *fastExec, o *portfolio.Organisation) { x.optStr(o.OptAcronym()) }),
			"type":              scalar(func(x *fastExec, o *portfolio.Organisation) { x.optStr(o.OptType()) }),
			"ministerialDomain": scalar(func(x *fastExec, o *portfolio.Organisation) { x.optStr(o.OptMinisterialDomain()) }),
			"version":           scalar(func(x *fastExec, o *portfolio.Organisation) { x.int(o.Version) }),
			"sponsoredStartups": resolved("StartupConnection", (*executionContext).field_Organisation_sponsoredStartups_args, func(x *fastExec, ctx context.Context, o *portfolio.Organisation, a map[string]any) (*model.StartupConnection, error) {
				return x.r.organisation.SponsoredStartups(ctx, o, a["filter"].(*portfolio.StartupFilter), a["orderBy"].([]*portfolio.StartupOrder),
					a["asOf"].(*portfolio.Date), a["first"].(*int), a["after"].(*string), a["last"].(*int), a["before"].(*string))
			}, nonNull),
		},
		"Committee": {
			"id":               scalar(func(x *fastExec, c *portfolio.Committee) { x.str(c.NodeID()) }),
			"slug":             scalar(func(x *fastExec, c *portfolio.Committee) { x.str(c.Slug) }),
			"date":             scalar(func(x *fastExec, c *portfolio.Committee) { x.date(c.Date) }),
			"decision":         scalar(func(x *fastExec, c *portfolio.Committee) { x.enum(string(c.Decision)) }),
			"nextPhase":        scalar(func(x *fastExec, c *portfolio.Committee) { x.enum(string(c.NextPhase)) }),
			"nextCommitteeDue": scalar(func(x *fastExec, c *portfolio.Committee) { x.date(c.NextCommitteeDue) }),
			"nextDue":          scalar(func(x *fastExec, c *portfolio.Committee) { x.date(c.NextDue()) }),
			"source":           scalar(func(x *fastExec, c *portfolio.Committee) { x.enum(string(c.Source)) }),
			"version":          scalar(func(x *fastExec, c *portfolio.Committee) { x.int(c.Version) }),
			"comment":          protected(viewer, func(x *fastExec, c *portfolio.Committee) { x.optStr(c.OptComment()) }),
			"budgetEuros": protected(viewer, func(x *fastExec, c *portfolio.Committee) {
				if c.BudgetEuros == nil {
					x.null()
				} else {
					x.int(*c.BudgetEuros)
				}
			}),
			"phase": resolved("", nil, func(x *fastExec, ctx context.Context, c *portfolio.Committee, _ map[string]any) (*portfolio.Phase, error) {
				return x.r.committee.Phase(ctx, c)
			}, writeOptPhase),
		},
		"Mission": {
			"id":       scalar(func(x *fastExec, m *portfolio.Mission) { x.str(m.NodeID()) }),
			"slug":     scalar(func(x *fastExec, m *portfolio.Mission) { x.str(m.Slug) }),
			"start":    scalar(func(x *fastExec, m *portfolio.Mission) { x.date(m.Start) }),
			"end":      scalar(func(x *fastExec, m *portfolio.Mission) { x.date(m.End) }),
			"version":  scalar(func(x *fastExec, m *portfolio.Mission) { x.int(m.Version) }),
			"source":   scalar(func(x *fastExec, m *portfolio.Mission) { x.enum(string(m.Source)) }),
			"status":   protected(viewer, func(x *fastExec, m *portfolio.Mission) { x.enum(string(m.Status)) }),
			"employer": protected(viewer, func(x *fastExec, m *portfolio.Mission) { x.optStr(m.OptEmployer()) }),
			"member": resolved("Member", nil, func(x *fastExec, ctx context.Context, m *portfolio.Mission, _ map[string]any) (*portfolio.Member, error) {
				return x.r.mission.Member(ctx, m)
			}, nonNull),
		},
		"Member": {
			"id":         scalar(func(x *fastExec, m *portfolio.Member) { x.str(m.NodeID()) }),
			"slug":       scalar(func(x *fastExec, m *portfolio.Member) { x.str(m.Slug) }),
			"fullname":   scalar(func(x *fastExec, m *portfolio.Member) { x.str(m.Fullname) }),
			"role":       scalar(func(x *fastExec, m *portfolio.Member) { x.str(m.Role) }),
			"domain":     scalar(func(x *fastExec, m *portfolio.Member) { x.enum(string(m.Domain)) }),
			"github":     scalar(func(x *fastExec, m *portfolio.Member) { x.optStr(m.OptGithub()) }),
			"link":       scalar(func(x *fastExec, m *portfolio.Member) { x.optStr(m.OptLink()) }),
			"memberType": scalar(func(x *fastExec, m *portfolio.Member) { x.optStr(m.OptMemberType()) }),
			"bio":        scalar(func(x *fastExec, m *portfolio.Member) { x.str(m.Bio) }),
			"version":    scalar(func(x *fastExec, m *portfolio.Member) { x.int(m.Version) }),
		},
		// A PhasePeriod writes itself (model.PhasePeriod.AppendJSON): its
		// fields are planned for their names only.
		"PhasePeriod": {
			"phase": phaseField, "label": phaseField, "start": phaseField, "end": phaseField,
			"durationDays": phaseField, "source": phaseField, "comment": phaseField,
		},
	}
}

// phaseField marks a field of PhasePeriod as known; PhasePeriod.AppendJSON
// writes it.
var phaseField = &fastSpec{}

// root makes the spec of a field of Query: resolve reads it, write writes
// it.
func root[V any](typ string, args func(*executionContext, context.Context, map[string]any) (map[string]any, error),
	resolve func(x *fastExec, ctx context.Context, args map[string]any) (V, error),
	write func(x *fastExec, ctx context.Context, f *fastField, v V)) *fastSpec {
	return resolved(typ, args, func(x *fastExec, ctx context.Context, _ *struct{}, args map[string]any) (V, error) {
		return resolve(x, ctx, args)
	}, write)
}

// objects writes a list of objects.
func objects[T any](x *fastExec, ctx context.Context, f *fastField, v []T) { list(x, ctx, f.sub, v) }

func writeString(x *fastExec, _ context.Context, _ *fastField, s string) { x.str(s) }

func writeBool(x *fastExec, _ context.Context, _ *fastField, v bool) { x.bool(v) }

func writeOptPhase(x *fastExec, _ context.Context, _ *fastField, p *portfolio.Phase) {
	if p == nil {
		x.null()
		return
	}
	x.enum(string(*p))
}

// optObject writes a nullable object.
func optObject[T any](x *fastExec, ctx context.Context, f *fastField, v *T) {
	if v == nil {
		x.null()
		return
	}
	x.object(ctx, f.sub, v)
}

// nonNull writes an object the schema says is never null; a nil one
// declines (gqlgen reports it and nulls the parent).
func nonNull[T any](x *fastExec, ctx context.Context, f *fastField, v *T) {
	if v == nil {
		decline()
	}
	x.object(ctx, f.sub, v)
}

// connectionSpecs are the fields of a connection type C whose edges are E
// and nodes N: parts returns them with the page and the total count.
func connectionSpecs[C, N, E any](edge, node string, parts func(C) ([]N, []E, *model.PageInfo, int)) map[string]*fastSpec {
	return map[string]*fastSpec{
		"nodes": child(node, func(x *fastExec, ctx context.Context, f *fastField, c C) {
			nodes, _, _, _ := parts(c)
			list(x, ctx, f.sub, nodes)
		}),
		"edges": child(edge, func(x *fastExec, ctx context.Context, f *fastField, c C) {
			_, edges, _, _ := parts(c)
			list(x, ctx, f.sub, edges)
		}),
		"pageInfo": child("PageInfo", func(x *fastExec, ctx context.Context, f *fastField, c C) {
			_, _, p, _ := parts(c)
			nonNull(x, ctx, f, p)
		}),
		"totalCount": scalar(func(x *fastExec, c C) {
			_, _, _, n := parts(c)
			x.int(int64(n))
		}),
	}
}

// edgeSpecs are the fields of an edge type E to a node N.
func edgeSpecs[E, N any](node string, parts func(E) (string, *N)) map[string]*fastSpec {
	return map[string]*fastSpec{
		"cursor": scalar(func(x *fastExec, e E) {
			c, _ := parts(e)
			x.str(c)
		}),
		"node": child(node, func(x *fastExec, ctx context.Context, f *fastField, e E) {
			_, n := parts(e)
			nonNull(x, ctx, f, n)
		}),
	}
}

// fastColumns says which columns of the store each field of the projected
// types reads (sqlite.Columns): the fast path reads only the columns of
// the fields its plan holds. A field of these types missing here reads
// every column of its type (planColumns), so that a field added to the
// fast path without its columns is answered right, only slower.
var fastColumns = map[string]func(c *sqlite.Columns){
	"Startup.id": none, "Startup.slug": none, "Startup.name": none, "Startup.__typename": none,
	"Startup.pitch":               func(c *sqlite.Columns) { c.Startup |= sqlite.StartupPitch },
	"Startup.contact":             func(c *sqlite.Columns) { c.Startup |= sqlite.StartupContact },
	"Startup.version":             func(c *sqlite.Columns) { c.Startup |= sqlite.StartupVersion },
	"Startup.link":                func(c *sqlite.Columns) { c.Startup |= sqlite.StartupLink },
	"Startup.repository":          func(c *sqlite.Columns) { c.Startup |= sqlite.StartupRepository },
	"Startup.accessibilityStatus": func(c *sqlite.Columns) { c.Startup |= sqlite.StartupAccessibility },
	"Startup.accessibility":       func(c *sqlite.Columns) { c.Startup |= sqlite.StartupAccessibility },
	"Startup.statsUrl": func(c *sqlite.Columns) {
		c.Startup |= sqlite.StartupStatsURL | sqlite.StartupLink | sqlite.StartupStats
	},
	"Startup.impactUrl":            func(c *sqlite.Columns) { c.Startup |= sqlite.StartupImpactURL },
	"Startup.budgetUrl":            func(c *sqlite.Columns) { c.Startup |= sqlite.StartupBudgetURL },
	"Startup.dashlordUrl":          func(c *sqlite.Columns) { c.Startup |= sqlite.StartupDashlordURL },
	"Startup.riskAnalysisUrl":      func(c *sqlite.Columns) { c.Startup |= sqlite.StartupRiskAnalysisURL },
	"Startup.securityHomologation": func(c *sqlite.Columns) { c.Startup |= sqlite.StartupHomologation },
	"Startup.riskAnalysis":         func(c *sqlite.Columns) { c.Startup |= sqlite.StartupRiskAnalysis },
	"Startup.incubator":            func(c *sqlite.Columns) { c.Startup |= sqlite.StartupIncubator },
	// Read by the startup's id.
	"Startup.description": none, "Startup.sponsors": none, "Startup.phases": none, "Startup.currentPhase": none,
	"Startup.phase": none, "Startup.active": none, "Startup.committeeOverdue": none, "Startup.teamSize": none,
	"Startup.reviewStatus": none, "Startup.incubatedSince": none,
	"Startup.committees": none, "Startup.missions": none,

	"Mission.id": none, "Mission.slug": none, "Mission.__typename": none, "Mission.member": none,
	"Mission.start":    func(c *sqlite.Columns) { c.Mission |= sqlite.MissionStart },
	"Mission.end":      func(c *sqlite.Columns) { c.Mission |= sqlite.MissionEnd },
	"Mission.status":   func(c *sqlite.Columns) { c.Mission |= sqlite.MissionStatus },
	"Mission.employer": func(c *sqlite.Columns) { c.Mission |= sqlite.MissionEmployer },
	"Mission.source":   func(c *sqlite.Columns) { c.Mission |= sqlite.MissionSource },
	"Mission.version":  func(c *sqlite.Columns) { c.Mission |= sqlite.MissionVersion },

	"Member.id": none, "Member.slug": none, "Member.__typename": none,
	"Member.fullname":   func(c *sqlite.Columns) { c.Member |= sqlite.MemberFullname },
	"Member.role":       func(c *sqlite.Columns) { c.Member |= sqlite.MemberRole },
	"Member.domain":     func(c *sqlite.Columns) { c.Member |= sqlite.MemberDomain },
	"Member.github":     func(c *sqlite.Columns) { c.Member |= sqlite.MemberGithub },
	"Member.link":       func(c *sqlite.Columns) { c.Member |= sqlite.MemberLink },
	"Member.memberType": func(c *sqlite.Columns) { c.Member |= sqlite.MemberType },
	"Member.bio":        func(c *sqlite.Columns) { c.Member |= sqlite.MemberBio },
	"Member.version":    func(c *sqlite.Columns) { c.Member |= sqlite.MemberVersion },

	"Organisation.id": none, "Organisation.slug": none, "Organisation.__typename": none, "Organisation.sponsoredStartups": none,
	"Organisation.name":              func(c *sqlite.Columns) { c.Organisation |= sqlite.OrganisationName },
	"Organisation.acronym":           func(c *sqlite.Columns) { c.Organisation |= sqlite.OrganisationAcronym },
	"Organisation.type":              func(c *sqlite.Columns) { c.Organisation |= sqlite.OrganisationType },
	"Organisation.ministerialDomain": func(c *sqlite.Columns) { c.Organisation |= sqlite.OrganisationDomain },
	"Organisation.version":           func(c *sqlite.Columns) { c.Organisation |= sqlite.OrganisationVersion },

	"PhasePeriod.phase": none, "PhasePeriod.label": none, "PhasePeriod.start": none, "PhasePeriod.end": none,
	"PhasePeriod.durationDays": none, "PhasePeriod.__typename": none,
	"PhasePeriod.source":     func(c *sqlite.Columns) { c.PhaseDetails = true },
	"PhasePeriod.comment":    func(c *sqlite.Columns) { c.PhaseDetails = true },
	"PhasePeriod.sourceName": func(c *sqlite.Columns) { c.PhaseDetails = true },
}

// none is a field that reads no optional column.
func none(*sqlite.Columns) {}

// planColumns adds the columns field name of type typ reads to c.
func planColumns(c *sqlite.Columns, typ, name string) {
	if f, ok := fastColumns[typ+"."+name]; ok {
		f(c)
		return
	}
	switch typ {
	case "Startup":
		c.Startup = sqlite.AllStartupColumns
	case "Mission":
		c.Mission = sqlite.AllMissionColumns
	case "Member":
		c.Member = sqlite.AllMemberColumns
	case "Organisation":
		c.Organisation = sqlite.AllOrganisationColumns
	case "PhasePeriod":
		c.PhaseDetails = true
	}
}
