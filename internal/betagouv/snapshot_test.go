package betagouv

import (
	"context"
	"errors"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// recordingSink records the calls it receives as "kind slug".
type recordingSink struct {
	calls  []string
	failOn string // a call that fails
}

var errSink = errors.New("sink failure")

func (r *recordingSink) record(call string) error {
	r.calls = append(r.calls, call)
	if call == r.failOn {
		return errSink
	}
	return nil
}

func (r *recordingSink) PutPhaseDefinition(_ context.Context, p *portfolio.PhaseDefinition) error {
	return r.record("phase " + p.Phase.Slug())
}

func (r *recordingSink) PutOrganisation(_ context.Context, o *portfolio.Organisation) error {
	return r.record("organisation " + o.Slug)
}

func (r *recordingSink) PutIncubator(_ context.Context, i *portfolio.Incubator) error {
	return r.record("incubator " + i.Slug)
}

func (r *recordingSink) PutTeam(_ context.Context, t *portfolio.Team) error {
	return r.record("team " + t.Slug)
}

func (r *recordingSink) PutStartup(_ context.Context, s *portfolio.Startup) error {
	return r.record("startup " + s.Slug)
}

func (r *recordingSink) PutMember(_ context.Context, m *portfolio.Member) error {
	return r.record("member " + m.Slug)
}

func TestWriteTo(t *testing.T) {
	s := mustRead(t, "testdata/current")
	all := []string{
		"phase construction", "phase investigation",
		"organisation agence-des-jardins", "organisation dnum-potagers",
		"incubator serre", "incubator verger",
		"team fantome", "team serre-animation",
		"startup arrosoir", "startup binette",
		"member ana.jardin", "member bruno.compost", "member chloe.graine",
	}
	tests := []struct {
		name   string
		failOn string
		calls  []string
	}{
		{"all in dependency order", "", all},
		{"stops at the first error", "startup arrosoir", all[:9]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := &recordingSink{failOn: tt.failOn}
			err := s.WriteTo(context.Background(), sink)
			equal(t, "calls", sink.calls, tt.calls)
			switch {
			case tt.failOn == "" && err != nil:
				t.Errorf("WriteTo: %v", err)
			case tt.failOn != "" && !errors.Is(err, errSink):
				t.Errorf("WriteTo error %v, want one wrapping %v", err, errSink)
			case tt.failOn != "" && err.Error() != `betagouv: write startup "arrosoir": sink failure`:
				t.Errorf("WriteTo error %q", err)
			}
		})
	}
}

func TestWriteToHandsRecords(t *testing.T) {
	s := mustRead(t, "testdata/current")
	var got *portfolio.Startup
	sink := &funcSink{startup: func(st *portfolio.Startup) { got = st }}
	if err := s.WriteTo(context.Background(), sink); err != nil {
		t.Fatal(err)
	}
	if got == nil || got != &s.Startups[len(s.Startups)-1] {
		t.Errorf("PutStartup did not receive the snapshot's records")
	}
}

func TestWriteToCancelled(t *testing.T) {
	s := mustRead(t, "testdata/current")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sink := &recordingSink{}
	if err := s.WriteTo(ctx, sink); !errors.Is(err, context.Canceled) {
		t.Errorf("WriteTo with a cancelled context: %v", err)
	}
	if len(sink.calls) != 0 {
		t.Errorf("calls after cancel: %v", sink.calls)
	}
}

// funcSink passes startups to a function and accepts everything else.
type funcSink struct {
	startup func(*portfolio.Startup)
}

func (f *funcSink) PutPhaseDefinition(context.Context, *portfolio.PhaseDefinition) error { return nil }
func (f *funcSink) PutOrganisation(context.Context, *portfolio.Organisation) error       { return nil }
func (f *funcSink) PutIncubator(context.Context, *portfolio.Incubator) error             { return nil }
func (f *funcSink) PutTeam(context.Context, *portfolio.Team) error                       { return nil }
func (f *funcSink) PutMember(context.Context, *portfolio.Member) error                   { return nil }
func (f *funcSink) PutStartup(_ context.Context, s *portfolio.Startup) error {
	f.startup(s)
	return nil
}
