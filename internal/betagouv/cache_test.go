package betagouv

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"testing"
	"testing/fstest"
)

// TestCacheWireCoversParsed: the cache's file form has a field for every
// field of what parsing returns. A field added to one of these types must
// be added to its wire form (cache.go), or a cache loaded from a file
// would lose it.
func TestCacheWireCoversParsed(t *testing.T) {
	for _, c := range []struct {
		parsed, wire any
		extra        int // fields of the wire form that are not the parsed type's
	}{
		{parsed{}, wireEntry{}, 1}, // Key
		{phaseRec{}, wirePhase{}, 0},
		{incubatorRec{}, wireIncubator{}, 0},
		{startupRec{}, wireStartup{}, 0},
		{orgRef{}, wireOrgRef{}, 0},
	} {
		p, w := reflect.TypeOf(c.parsed), reflect.TypeOf(c.wire)
		if p.NumField()+c.extra != w.NumField() {
			t.Errorf("%s has %d fields, its wire form %s %d: update cache.go", p, p.NumField(), w, w.NumField())
		}
	}
}

// TestCacheSaveLoad: a cache saved and loaded by the same program gives
// the same readings, found by content or by the name of the content
// (without reading the files); another version is refused.
func TestCacheSaveLoad(t *testing.T) {
	ctx := context.Background()
	for _, dir := range []string{"testdata/current/content", "testdata/broken", "testdata/inline-sponsors", "testdata/legacy-members"} {
		t.Run(dir, func(t *testing.T) {
			want := mustRead(t, dir)
			fsys := mapFS(t, dir, "")
			key := func(p string) (string, bool) { return "blob:" + p, true }
			for _, named := range []bool{false, true} {
				cache := NewCache()
				opts := Options{Cache: cache}
				if named {
					opts.ContentKey = key
				}
				if _, err := ReadFS(ctx, fsys, opts); err != nil {
					t.Fatal(err)
				}
				var b bytes.Buffer
				if err := cache.Save(&b, "v1"); err != nil {
					t.Fatal(err)
				}
				if _, err := LoadCache(bytes.NewReader(b.Bytes()), "v2"); !errors.Is(err, ErrCacheVersion) {
					t.Errorf("a cache of another version: %v, want ErrCacheVersion", err)
				}
				loaded, err := LoadCache(bytes.NewReader(b.Bytes()), "v1")
				if err != nil {
					t.Fatal(err)
				}
				if loaded.Len() != cache.Len() || loaded.Changed() {
					t.Errorf("loaded %d files (changed %v), saved %d", loaded.Len(), loaded.Changed(), cache.Len())
				}
				opts.Cache = loaded
				read := fsys
				if named { // the files are not read: their content is not theirs
					read = fstest.MapFS{}
					for p := range fsys {
						read[p] = &fstest.MapFile{Data: []byte("not read")}
					}
				}
				got, err := ReadFS(ctx, read, opts)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("named %v: the reading through a loaded cache differs:\n got %+v\nwant %+v", named, got, want)
				}
				if loaded.Changed() {
					t.Errorf("named %v: reading through the loaded cache parsed files again", named)
				}
			}
		})
	}
}
