package betagouv

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// mapFS copies a folder of testdata into an in-memory file system, under
// prefix ("" or "content").
func mapFS(t *testing.T, dir, prefix string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		m[filepath.ToSlash(filepath.Join(prefix, rel))] = &fstest.MapFile{Data: b}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestReadFS reads the same content from a folder and from file systems
// (a repository root or its content folder, with and without a cache,
// twice through one cache): every reading is the same snapshot.
func TestReadFS(t *testing.T) {
	ctx := context.Background()
	for _, dir := range []string{"testdata/current/content", "testdata/broken", "testdata/inline-sponsors", "testdata/legacy-members"} {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			want := mustRead(t, dir)
			cache := NewCache()
			for _, c := range []struct {
				name  string
				fsys  fstest.MapFS
				cache *Cache
			}{
				{"content folder", mapFS(t, dir, ""), nil},
				{"repository root", mapFS(t, dir, "content"), nil},
				{"cache, first", mapFS(t, dir, ""), cache},
				{"cache, second", mapFS(t, dir, "content"), cache},
			} {
				got, err := ReadFS(ctx, c.fsys, Options{Cache: c.cache})
				if err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s: the snapshot differs from Read's:\n got %+v\nwant %+v", c.name, got, want)
				}
				// What a reading hands out is its own: changing it
				// changes no later reading through the cache.
				for i := range got.Members {
					for j := range got.Members[i].Missions {
						got.Members[i].Missions[j].Startups = []string{"changed"}
					}
					got.Members[i].Teams = []string{"changed"}
				}
				for i := range got.Startups {
					got.Startups[i].IncubatorSlug = "changed"
				}
			}
		})
	}
}

func TestReadFSNoContent(t *testing.T) {
	_, err := ReadFS(context.Background(), fstest.MapFS{"README.md": {Data: []byte("hi")}}, Options{})
	if err == nil || !strings.Contains(err.Error(), ErrNoContent.Error()) {
		t.Fatalf("ReadFS of a folder without content: %v, want ErrNoContent", err)
	}
}

// TestCacheParsesOnce counts the files parsed through a cache: a second
// reading of the same files parses none, a changed file is parsed again,
// and Prune forgets what the last reading did not use.
func TestCacheParsesOnce(t *testing.T) {
	ctx := context.Background()
	fsys := mapFS(t, "testdata/current/content", "")
	cache := NewCache()
	if _, err := ReadFS(ctx, fsys, Options{Cache: cache}); err != nil {
		t.Fatal(err)
	}
	n := cache.Len()
	if n == 0 {
		t.Fatal("the cache holds nothing after a reading")
	}
	if _, err := ReadFS(ctx, fsys, Options{Cache: cache}); err != nil {
		t.Fatal(err)
	}
	if got := cache.Len(); got != n {
		t.Errorf("after reading the same files again the cache holds %d files, want %d", got, n)
	}
	f := fsys["_startups/binette.md"]
	fsys["_startups/binette.md"] = &fstest.MapFile{Data: append(slices.Clone(f.Data), "\nUne ligne de plus.\n"...)}
	cache.Prune()
	s, err := ReadFS(ctx, fsys, Options{Cache: cache})
	if err != nil {
		t.Fatal(err)
	}
	if got := cache.Len(); got != n+1 {
		t.Errorf("after one file changed the cache holds %d files, want %d", got, n+1)
	}
	if !strings.Contains(startup(t, s, "binette").Description, "Une ligne de plus.") {
		t.Error("the changed file was read from the cache, unchanged")
	}
	cache.Prune()
	if got := cache.Len(); got != n {
		t.Errorf("after Prune the cache holds %d files, want the %d the last reading used", got, n)
	}
}

// TestUnreadable lists the record files that yielded no record.
func TestUnreadable(t *testing.T) {
	s := mustRead(t, "testdata/broken")
	var skipped []string
	for _, p := range s.Problems {
		if p.Skipped && p.Field == "" && strings.HasSuffix(p.File, ".md") && strings.Count(p.File, "/") == 1 {
			skipped = append(skipped, strings.TrimSuffix(strings.TrimPrefix(p.File, "_startups/"), ".md"))
		}
	}
	slices.Sort(skipped)
	got := slices.Clone(s.Unreadable["startups"])
	slices.Sort(got)
	if len(got) == 0 || !reflect.DeepEqual(got, skipped) {
		t.Errorf("Unreadable startups = %v, want the files skipped whole: %v", got, skipped)
	}
	for _, st := range s.Startups {
		if slices.Contains(got, st.Slug) {
			t.Errorf("%s is both read and unreadable", st.Slug)
		}
	}
}

func TestRecordsDate(t *testing.T) {
	many := func(n int, date string) []portfolio.Mission {
		ms := make([]portfolio.Mission, n)
		for i := range ms {
			ms[i].Start = d(date)
		}
		return ms
	}
	tests := []struct {
		name  string
		s     Snapshot
		limit string
		want  string
	}{
		{"no dates", Snapshot{}, "2026-08-20", ""},
		{"the newest of phases, events and missions", Snapshot{
			Startups: []portfolio.Startup{{
				Phases: []portfolio.PhasePeriod{{Start: d("2025-01-01")}, {Start: d("2026-03-01")}},
				Events: []portfolio.StartupEvent{{Date: d("2026-05-04")}, {}},
			}},
			Members: []portfolio.Member{{Missions: many(1, "2026-04-01")}},
		}, "2026-08-20", "2026-05-04"},
		{"dates after the limit are plans", Snapshot{
			Startups: []portfolio.Startup{{Events: []portfolio.StartupEvent{{Date: d("2026-09-01")}, {Date: d("2026-07-01")}}}},
		}, "2026-08-20", "2026-07-01"},
		{"the newest thousandth is set aside", Snapshot{
			Members: []portfolio.Member{{Missions: append(many(1998, "2026-08-18"), many(2, "2026-08-31")...)}},
		}, "2026-12-06", "2026-08-18"},
		{"under a thousand dates, none is", Snapshot{
			Members: []portfolio.Member{{Missions: append(many(998, "2026-08-18"), many(1, "2026-08-31")...)}},
		}, "2026-12-06", "2026-08-31"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want portfolio.Date
			if tt.want != "" {
				want = d(tt.want)
			}
			if got := tt.s.RecordsDate(d(tt.limit)); got != want {
				t.Errorf("RecordsDate(%s) = %s, want %s", tt.limit, got, want)
			}
		})
	}
}

// TestRealRecordsDate dates the 2026-08-20 snapshot from its records, as
// the import does (RecordsDate's comment gives the figures).
func TestRealRecordsDate(t *testing.T) {
	s := mustRead(t, snapshotDir(t))
	for _, c := range []struct{ limit, want string }{
		{"2026-08-20", "2026-08-14"},
		{"2026-12-06", "2026-08-24"},
	} {
		if got := s.RecordsDate(d(c.limit)); got != d(c.want) {
			t.Errorf("RecordsDate(%s) = %s, want %s", c.limit, got, c.want)
		}
	}
}
