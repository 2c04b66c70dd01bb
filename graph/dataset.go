package graph

import (
	"time"

	"github.com/incubateurs/portfolio/graph/model"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// datasetBases maps the bases of the records' date to the schema's values.
var datasetBases = map[string]model.RecordsDateBasis{
	sqlite.BasisCommit:    model.RecordsDateBasisCommitDate,
	sqlite.BasisRecords:   model.RecordsDateBasisNewestRecord,
	sqlite.BasisStated:    model.RecordsDateBasisStated,
	sqlite.BasisSeed:      model.RecordsDateBasisSeedToday,
	sqlite.BasisImportDay: model.RecordsDateBasisLoadDay,
	sqlite.BasisToday:     model.RecordsDateBasisToday,
}

// datasetModel writes the database's dataset, as the node answering holds
// it, as the schema has it.
func datasetModel(d *sqlite.Dataset, n portfolio.Node) *model.Dataset {
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	at := func(t time.Time, layout string) *string {
		if t.IsZero() {
			return nil
		}
		return opt(t.Format(layout))
	}
	utc := func(t time.Time) *string { return at(t.UTC(), time.RFC3339) }
	basis, ok := datasetBases[d.RecordsBasis]
	if !ok {
		basis = model.RecordsDateBasisLoadDay
	}
	m := &model.Dataset{
		Kind: model.DatasetKind(d.Kind), Source: opt(d.Source), Ref: opt(d.Ref), Commit: opt(d.Commit),
		CommittedAt: at(d.CommittedAt, time.RFC3339), ImportedAt: utc(d.WrittenAt), Method: opt(d.Method),
		RecordsAsOf: d.RecordsAsOf, RecordsAsOfBasis: basis,
	}
	m.Node, m.Role = n.Name, n.Role
	if m.Role == "" {
		m.Role = portfolio.NodePrimary
	}
	if n.Position != "" {
		m.Position, m.AppliedAt = opt(n.Position), utc(n.AppliedAt)
	}
	if n.Generation > 0 {
		g := int(n.Generation)
		m.Generation = &g
	}
	if d.Sync != nil {
		m.CheckedAt = utc(d.Sync.CheckedAt)
		m.LastSyncError = opt(d.Sync.Error)
		if d.Sync.Error != "" {
			m.LastSyncErrorAt = utc(d.Sync.FailedAt)
		}
	}
	return m
}
