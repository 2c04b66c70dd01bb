package graph

import (
	"context"
	"strings"
	"time"

	"github.com/incubateurs/portfolio/graph/model"
	"github.com/incubateurs/portfolio/internal/live"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// maxFilterValues bounds each list of a ChangeFilter: every change is
// matched against every subscriber's filter.
const maxFilterValues = 100

// changes serves subscription { changes }: the feed's changes the filter
// selects, as the API names them, until the subscription ends.
func (r *Resolver) changes(ctx context.Context, filter *model.ChangeFilter) (<-chan *model.Change, error) {
	if r.Feed == nil {
		return nil, portfolio.Errorf(portfolio.EUnavailable, "this server does not serve subscriptions")
	}
	f, err := changeFilter(filter)
	if err != nil {
		return nil, err
	}
	in, err := r.Feed.Subscribe(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make(chan *model.Change, 1)
	go func() {
		defer close(out)
		for c := range in {
			select {
			case out <- changeModel(c):
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// changeFilter turns the API's filter into the feed's, refusing lists too
// long.
func changeFilter(in *model.ChangeFilter) (live.Filter, error) {
	var f live.Filter
	if in == nil {
		return f, nil
	}
	for field, n := range map[string]int{"kinds": len(in.Kinds), "slugs": len(in.Slugs), "operations": len(in.Operations)} {
		if n > maxFilterValues {
			return f, portfolio.FieldErrorf(field, "%s lists %d values; the most is %d", field, n, maxFilterValues)
		}
	}
	for _, k := range in.Kinds {
		f.Kinds = append(f.Kinds, kindName(k))
	}
	f.Slugs = in.Slugs
	for _, o := range in.Operations {
		f.Operations = append(f.Operations, string(o))
	}
	return f, nil
}

// kindName is the feed's name of a ChangeKind: the record's type
// (STARTUP: Startup).
func kindName(k model.ChangeKind) string {
	s := strings.ToLower(string(k))
	return strings.ToUpper(s[:1]) + s[1:]
}

// changeModel is a change as the API gives it.
func changeModel(c sqlite.Change) *model.Change {
	m := &model.Change{
		At:        c.At.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
		Kind:      model.ChangeKind(strings.ToUpper(c.Kind)),
		Operation: model.ChangeOperation(c.Operation),
	}
	if c.At.IsZero() {
		m.At = time.Now().UTC().Format("2006-01-02T15:04:05.000Z07:00")
	}
	if c.Slug != "" {
		slug := c.Slug
		m.Slug = &slug
	}
	if c.Kind != sqlite.KindDataset {
		id := portfolio.GlobalID(c.Kind, c.Slug)
		m.ID = &id
	}
	return m
}
