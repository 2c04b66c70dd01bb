package sqlite

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// SponsorsByStartup returns the sponsors of each startup, in the record's
// order, from the startups' lists (migrations/0030): one row per startup.
// An organisation sponsoring several of the startups is one record.
func (db *DB) SponsorsByStartup(ctx context.Context, ids []int64) (map[int64][]*portfolio.Organisation, error) {
	out := make(map[int64][]*portfolio.Organisation, len(ids))
	orgs := map[int64]*portfolio.Organisation{}
	var entries []sponsorEntry
	err := db.eachList(ctx, "sponsor_lists", "sponsors", ids, func(id int64, packed string) error {
		var err error
		if entries, err = unpackSponsors(packed, entries[:0]); err != nil {
			return fmt.Errorf("sponsors of startup %d: %w", id, err)
		}
		out[id] = sponsorRecords(entries, orgs)
		return nil
	})
	return out, err
}

// sponsorRecords returns the organisations of entries, in their order, one
// record per organisation across the calls that share orgs.
func sponsorRecords(entries []sponsorEntry, orgs map[int64]*portfolio.Organisation) []*portfolio.Organisation {
	list := make([]*portfolio.Organisation, len(entries))
	for i, e := range entries {
		o := orgs[e.org.ID]
		if o == nil {
			o = new(portfolio.Organisation)
			*o = e.org
			orgs[o.ID] = o
		}
		list[i] = o
	}
	return list
}

// sponsorEntry is a sponsor of a startup's list at its position.
type sponsorEntry struct {
	org portfolio.Organisation
	seq int64
}

// unpackSponsors cuts a list of sponsors (migrations/0030) into its
// entries, appended to out, in the record's order. The texts are parts of
// packed, not copies.
func unpackSponsors(packed string, out []sponsorEntry) ([]sponsorEntry, error) {
	rest := packed
	var v [8]string
	sorted := true
	for rest != "" {
		var ok bool
		for k := range v {
			if v[k], rest, ok = cutPacked(rest); !ok {
				return out, fmt.Errorf("sqlite: sponsor list cut short: %.60q", packed)
			}
		}
		id, err1 := strconv.ParseInt(v[0], 10, 64)
		seq, err2 := strconv.ParseInt(v[1], 10, 64)
		version, err3 := strconv.ParseInt(v[7], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			return out, fmt.Errorf("sqlite: sponsor list damaged: %.60q", packed)
		}
		out = append(out, sponsorEntry{seq: seq, org: portfolio.Organisation{ID: id, Slug: v[2], Name: v[3], Acronym: v[4],
			Type: v[5], DomaineMinisteriel: v[6], Version: version}})
		if n := len(out); n > 1 && out[n-2].seq > seq {
			sorted = false
		}
	}
	if !sorted {
		slices.SortStableFunc(out, func(a, b sponsorEntry) int { return cmp.Compare(a.seq, b.seq) })
	}
	return out, nil
}
