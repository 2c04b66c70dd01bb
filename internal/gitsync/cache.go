package gitsync

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/incubateurs/portfolio/internal/betagouv"
)

// The files of a commit parsed by a sync are kept in the clone's folder
// (parsed.gob), so that the next sync, in another run of the program (a
// sync from cron), parses only the files that changed: with the real
// network's 4,358 files that is most of a sync's time. Only the same
// program reads it back (cacheVersion): a new build parses everything
// once.

const cacheFile = "parsed.gob"

// lockFile is the clone's lock, taken while a sync runs.
const lockFile = "portfolio-sync.lock"

// programIdentity identifies the running build of the program: a hash of
// its executable's path, size and modification time ("" when unknown). A
// new build may read the records otherwise (the reader's rules change), so
// its first sync compares the whole tree, and it parses the files again.
func programIdentity() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "%s %d %d", exe, fi.Size(), fi.ModTime().UnixNano()))
	return hex.EncodeToString(sum[:8])
}

// loadCache reads the clone's parse cache once, when the Syncer's is
// still empty; a missing, stale or unreadable file is ignored.
func (s *Syncer) loadCache() {
	if s.loaded || s.version == "" {
		return
	}
	s.loaded = true
	if s.parse.Len() > 0 {
		return
	}
	f, err := os.Open(filepath.Join(s.opts.Dir, cacheFile))
	if err != nil {
		return
	}
	defer f.Close()
	if c, err := betagouv.LoadCache(f, s.version); err == nil {
		s.parse = c
	}
}

// saveCache writes the parse cache to the clone's folder when it changed
// (a new file, then renamed over the old one). Failing to is not a
// failure of the sync: the next one parses more.
func (s *Syncer) saveCache() {
	if s.version == "" || !s.parse.Changed() {
		return
	}
	tmp, err := os.CreateTemp(s.opts.Dir, cacheFile+".*")
	if err != nil {
		return
	}
	err = s.parse.Save(tmp, s.version)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(s.opts.Dir, cacheFile))
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
}
