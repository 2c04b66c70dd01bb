package gitsync

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// syncedRef is the reference of the clone that names the last commit
// synced into a database: it moves once the database committed, and keeps
// that commit's objects in the clone.
const syncedRef = plumbing.ReferenceName("refs/portfolio/synced")

// normalizeURL turns a local path into an absolute one (go-git reads it as
// a local repository); other URLs stay as given.
func normalizeURL(repo string) (string, error) {
	if repo == "" {
		return "", errors.New("no repository given")
	}
	if strings.Contains(repo, "://") || isSCPLike(repo) {
		return repo, nil
	}
	abs, err := filepath.Abs(repo)
	if err != nil {
		return "", err
	}
	return abs, nil
}

// isSCPLike reports whether s is an scp-like address (git@host:path).
func isSCPLike(s string) bool {
	at, colon := strings.Index(s, "@"), strings.Index(s, ":")
	return at > 0 && colon > at && !strings.Contains(s[:colon], "/")
}

// Redact returns the repository's address without credentials
// (https://user:token@host/… → https://host/…): what the origin, the
// logs and the API show.
func Redact(repo string) string {
	u, err := url.Parse(repo)
	if err != nil || u.User == nil || u.Scheme == "" {
		return repo
	}
	u.User = nil
	return u.String()
}

// redactedError is an error whose message had the repository's
// credentials taken out; errors.Is and As still see the original.
type redactedError struct {
	err error
	msg string
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redactError takes the credentials of repo out of err's message (a
// transport's error may quote the address); nil stays nil.
func redactError(err error, repo string) error {
	if err == nil {
		return nil
	}
	u, perr := url.Parse(repo)
	if perr != nil || u.User == nil {
		return err
	}
	msg := strings.ReplaceAll(err.Error(), repo, Redact(repo))
	if pw, ok := u.User.Password(); ok && pw != "" {
		msg = strings.ReplaceAll(msg, pw, "REDACTED")
		msg = strings.ReplaceAll(msg, url.QueryEscape(pw), "REDACTED")
	}
	// net/http writes the address as user:***@host.
	if name := u.User.Username(); name != "" {
		for _, form := range []string{name + ":***@", name + ":REDACTED@", name + "@"} {
			msg = strings.ReplaceAll(msg, "//"+form, "//")
		}
	}
	if msg == err.Error() {
		return err
	}
	return &redactedError{err: err, msg: msg}
}

// openClone opens the bare clone at dir, creating it (without fetching)
// when missing, with its remote origin at repo.
func openClone(dir, repo string) (*git.Repository, error) {
	r, err := git.PlainOpen(dir)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		// A folder of something else is not made a clone.
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if e.Name() != lockFile && !strings.HasPrefix(e.Name(), cacheFile) {
				return nil, fmt.Errorf("%s is not a clone of a repository and holds other files (%s): give another folder with --clone", dir, e.Name())
			}
		}
		if r, err = git.PlainInit(dir, true); err != nil {
			return nil, fmt.Errorf("clone %s: %w", dir, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("open the clone %s: %w", dir, err)
	}
	cfg, err := r.Config()
	if err != nil {
		return nil, fmt.Errorf("clone %s: %w", dir, err)
	}
	if rc, ok := cfg.Remotes["origin"]; ok && len(rc.URLs) == 1 && rc.URLs[0] == repo {
		return r, nil
	}
	// A new clone, or one that followed another address: origin is repo.
	cfg.Remotes["origin"] = &config.RemoteConfig{Name: "origin", URLs: []string{repo},
		Fetch: []config.RefSpec{"+refs/heads/*:refs/remotes/origin/*"}}
	if err := r.SetConfig(cfg); err != nil {
		return nil, fmt.Errorf("clone %s: %w", dir, err)
	}
	return r, nil
}

// defaultBranch asks the remote which branch its HEAD names.
func defaultBranch(ctx context.Context, r *git.Repository) (string, error) {
	remote, err := r.Remote("origin")
	if err != nil {
		return "", err
	}
	refs, err := remote.ListContext(ctx, &git.ListOptions{})
	if err != nil {
		return "", err
	}
	var head plumbing.Hash
	branches := map[string]plumbing.Hash{}
	for _, ref := range refs {
		switch {
		case ref.Name() == plumbing.HEAD && ref.Type() == plumbing.SymbolicReference:
			return ref.Target().Short(), nil
		case ref.Name() == plumbing.HEAD:
			head = ref.Hash()
		case ref.Name().IsBranch():
			branches[ref.Name().Short()] = ref.Hash()
		}
	}
	// No symbolic HEAD advertised: the branch at HEAD's commit, main and
	// master first.
	for _, b := range []string{"main", "master"} {
		if h, ok := branches[b]; ok && (head.IsZero() || h == head) {
			return b, nil
		}
	}
	for b, h := range branches {
		if h == head {
			return b, nil
		}
	}
	return "", errors.New("the repository names no default branch: give one with --ref")
}

// fetch brings the branch's head into the clone and returns its commit.
func fetch(ctx context.Context, r *git.Repository, branch string) (*object.Commit, error) {
	local := plumbing.NewRemoteReferenceName("origin", branch)
	spec := config.RefSpec(fmt.Sprintf("+%s:%s", plumbing.NewBranchReferenceName(branch), local))
	err := r.FetchContext(ctx, &git.FetchOptions{RemoteName: "origin", RefSpecs: []config.RefSpec{spec}, Tags: git.NoTags, Force: true})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil, err
	}
	ref, err := r.Reference(local, true)
	if err != nil {
		return nil, fmt.Errorf("branch %s: %w", branch, err)
	}
	return r.CommitObject(ref.Hash())
}

// ancestorWalk bounds the search for the last synced commit in the
// history of the new head: commits older than it by more than this (their
// committer dates) are not walked further.
const ancestorWalk = 7 * 24 * time.Hour

// isAncestor reports whether old is head or one of its ancestors: the
// branch moved forward rather than being rewritten.
func isAncestor(old, head *object.Commit) (bool, error) {
	if old.Hash == head.Hash {
		return true, nil
	}
	limit := old.Committer.When.Add(-ancestorWalk)
	seen := map[plumbing.Hash]bool{}
	queue := []*object.Commit{head}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if seen[c.Hash] {
			continue
		}
		seen[c.Hash] = true
		if c.Hash == old.Hash {
			return true, nil
		}
		if c.Committer.When.Before(limit) {
			continue
		}
		err := c.Parents().ForEach(func(p *object.Commit) error {
			queue = append(queue, p)
			return nil
		})
		if err != nil {
			return false, err
		}
	}
	return false, nil
}
