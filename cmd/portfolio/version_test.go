package main

import (
	"context"
	"errors"
	"io"
	"net"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionText(t *testing.T) {
	vcs := func(kv ...string) []debug.BuildSetting {
		var out []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			out = append(out, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return out
	}
	const rev = "461c8a2d1e2f3a4b5c6d7e8f90a1b2c3d4e5f607"
	for _, c := range []struct {
		name string
		set  string
		bi   *debug.BuildInfo
		want string
	}{
		{"a clean checkout", "", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"},
			Settings: vcs("vcs", "git", "vcs.revision", rev, "vcs.time", "2026-12-06T05:17:03Z", "vcs.modified", "false")},
			"(devel), commit " + rev + " of 2026-12-06 05:17 UTC, built with go1.26.8"},
		{"uncommitted changes", "", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.3.0"},
			Settings: vcs("vcs.revision", rev, "vcs.time", "2026-12-06T05:17:03Z", "vcs.modified", "true")},
			"v0.3.0, commit " + rev + " of 2026-12-06 05:17 UTC, with uncommitted changes, built with go1.26.8"},
		{"-buildvcs=false", "", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			"(devel), commit unknown (built without version control information: go run, -buildvcs=false, a git worktree, or outside a git checkout), built with go1.26.8"},
		{"set at build time", "v1.4.0", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: vcs("vcs.revision", rev)},
			"v1.4.0, commit " + rev + ", built with go1.26.8"},
		{"no build information", "", nil,
			"(devel), commit unknown (built without version control information: go run, -buildvcs=false, a git worktree, or outside a git checkout)"},
	} {
		if got := versionText(c.set, c.bi, c.bi != nil); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
	out, _, err := runAs("portfolio", "version")
	if err != nil || !strings.HasPrefix(out, "portfolio ") || !strings.Contains(out, "commit ") {
		t.Errorf("portfolio version: %q, %v", out, err)
	}
}

// TestServeOnABusyPort starts serve on an address another program holds:
// it fails, naming the address and the flag that changes it.
func TestServeOnABusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	err = run(context.Background(), []string{"portfolio", "serve", "--db", filepath.Join(t.TempDir(), "p.db"), "--addr", addr},
		func(string) string { return "" }, io.Discard, io.Discard)
	if err == nil {
		t.Fatal("serve listened on a busy port")
	}
	msg := err.Error()
	for _, want := range []string{"address already in use", "another program listens on " + addr, "--addr 127.0.0.1:", "--addr 127.0.0.1:0"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
	if strings.Contains(msg, "--addr "+addr+" ") {
		t.Errorf("error %q suggests the busy address %s", msg, port)
	}
	if got := busyPortHint(errors.New("listen tcp: lookup nowhere: no such host"), "nowhere:80"); got != "" {
		t.Errorf("a hint for another failure: %q", got)
	}
}
