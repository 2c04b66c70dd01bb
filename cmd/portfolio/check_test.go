package main

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckCommand(t *testing.T) {
	tests := []struct {
		name     string
		broken   []string // raw statements, foreign keys not enforced
		extra    []string
		wantCode int
		wantOut  []string
	}{
		{name: "clean", wantOut: []string{"ok\n"}},
		{
			name:     "startup of a missing incubator",
			broken:   []string{`INSERT INTO startups (slug, name, incubator_id) VALUES ('orpheline', 'Orpheline', 9999)`},
			wantCode: 1,
			wantOut:  []string{"foreign key: startups (incubator_id) → incubators (id): 1 row has no parent row"},
		},
		{
			name: "mission of a missing member, and an old schema",
			broken: []string{
				`INSERT INTO missions (slug, member_id, seq, start) VALUES ('fantome/1', 9999, 1, '2024-01-01')`,
				`DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)`,
			},
			wantCode: 1,
			wantOut:  []string{"foreign key: missions (member_id) → members (id)", "schema version "},
		},
		{
			name:     "a spoiled phase list",
			broken:   []string{`UPDATE phase_lists SET phases = '0,investigation,2020-01-01,' WHERE startup_id = (SELECT min(startup_id) FROM phase_lists)`},
			wantCode: 1,
			wantOut:  []string{"derived lists: phase_lists differs from the phases for 1 startup(s) (", "portfolio check --repair-lists"},
		},
		{
			name:    "a spoiled phase list, repaired",
			broken:  []string{`UPDATE phase_lists SET phases = '0,investigation,2020-01-01,' WHERE startup_id = (SELECT min(startup_id) FROM phase_lists)`},
			extra:   []string{"--repair-lists"},
			wantOut: []string{"rewrote phase_lists from the phases (1 startup(s) differed)\nok\n"},
		},
		{
			name:     "repair leaves other problems alone",
			broken:   []string{`INSERT INTO startups (slug, name, incubator_id) VALUES ('orpheline', 'Orpheline', 9999)`},
			extra:    []string{"--repair-lists"},
			wantCode: 1,
			wantOut:  []string{"foreign key: startups (incubator_id) → incubators (id): 1 row has no parent row"},
		},
		{name: "extra argument", extra: []string{"now"}, wantCode: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := fixtureDB(t)
			if len(tt.broken) > 0 {
				raw, err := sql.Open("sqlite", path)
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range tt.broken {
					if _, err := raw.Exec(s); err != nil {
						t.Fatalf("%s: %v", s, err)
					}
				}
				raw.Close()
			}
			stdout, err := runCmd(t, append([]string{"check", "--db", path}, tt.extra...)...)
			code := 0
			if err != nil {
				code = exitCode(err)
			}
			if code != tt.wantCode {
				t.Errorf("exit %d (%v), want %d\n%s", code, err, tt.wantCode, stdout)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(stdout, w) {
					t.Errorf("output lacks %q:\n%s", w, stdout)
				}
			}
			if code == 1 && !strings.Contains(err.Error(), "problem") {
				t.Errorf("error %q does not count the problems", err)
			}
		})
	}
}

func TestCheckMissingDatabase(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.db")
	stdout, _, err := portfolioCmd(map[string]string{"PORTFOLIO_DB": missing}, "check")
	if err == nil || exitCode(err) != 1 {
		t.Fatalf("check of a missing database: %v\n%s", err, stdout)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("check created the database")
	}
}
