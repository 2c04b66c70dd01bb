package model

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// A PhasePeriod writes itself. Every field of the GraphQL type is a value
// the Go value holds (no argument, no database read, no access rule), and
// a startup page asks for hundreds of them: gqlgen would run each field of
// each phase through its executor (a field context, closures, a marshaler
// and a goroutine's share of the work per value, about 40 allocations a
// phase), where this writes the fields its selection asks for in one pass.
// The selection is gqlgen's own (graphql.CollectFields: fragments,
// @skip/@include and aliases as the executor reads them), so the JSON is
// the same, key for key; TestPhasePeriodSelections holds it to that.
//
// Binding: gqlgen sees MarshalGQLContext and UnmarshalGQLContext and
// hands the value to this writer instead of to its object executor.

var phasePeriodTypes = []string{"PhasePeriod"}

// MarshalGQLContext writes the fields the selection of ctx's field asks
// for.
func (p *PhasePeriod) MarshalGQLContext(ctx context.Context, w io.Writer) error {
	sel := selectionOf(ctx)
	fields := graphql.CollectFields(graphql.GetOperationContext(ctx), sel, phasePeriodTypes)
	if buf, ok := w.(*bytes.Buffer); ok { // an answer is made in one: write there
		buf.Write(p.AppendJSON(buf.AvailableBuffer(), fields))
		return nil
	}
	_, err := w.Write(p.AppendJSON(nil, fields))
	return err
}

// AppendJSON appends the object of the fields asked for.
func (p *PhasePeriod) AppendJSON(b []byte, fields []graphql.CollectedField) []byte {
	b = append(b, '{')
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendKey(b, f.Alias)
		switch f.Name {
		case "__typename":
			b = append(b, `"PhasePeriod"`...)
		case "phase":
			b = AppendEnum(b, string(p.Phase))
		case "label":
			b = AppendString(b, p.Label())
		case "start":
			b = p.Start.AppendJSON(b)
		case "end":
			b = p.End.AppendJSON(b)
		case "durationDays":
			b = strconv.AppendInt(b, int64(p.DurationDays), 10)
		case "source":
			b = AppendEnum(b, string(p.Source))
		case "comment":
			if p.Comment == "" {
				b = append(b, "null"...)
			} else {
				b = AppendString(b, p.Comment)
			}
		case "sourceName":
			b = AppendString(b, p.Name())
		default:
			b = append(b, "null"...) // validation lets no other field through
		}
	}
	return append(b, '}')
}

// UnmarshalGQLContext refuses: a PhasePeriod is never an input.
func (p *PhasePeriod) UnmarshalGQLContext(context.Context, any) error {
	return errors.New("PhasePeriod is an output type")
}

// AnswerBytes is about the size of the phase period in an answer, all its
// fields asked for: the server's answer budget counts it when the period
// is resolved, since its fields are not resolved one by one.
// A nil period (currentPhase before the first phase) is a null.
func (p *PhasePeriod) AnswerBytes() int64 {
	if p == nil {
		return 4
	}
	return 200 + int64(len(p.Comment)+len(p.SourceName))
}

// selectionOf returns the selection set of the field being written: the
// field of ctx, or for an element of a list, the list's field.
func selectionOf(ctx context.Context) []ast.Selection {
	for fc := graphql.GetFieldContext(ctx); fc != nil; fc = fc.Parent {
		if fc.Field.Field != nil {
			return fc.Field.Selections
		}
	}
	return nil
}

// AppendKey appends "name": for a response key (a GraphQL name: nothing to
// escape).
func AppendKey(b []byte, name string) []byte {
	b = append(b, '"')
	b = append(b, name...)
	return append(b, '"', ':')
}

// AppendEnum appends an enum value (a GraphQL name), or null for "".
func AppendEnum(b []byte, v string) []byte {
	if v == "" {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = append(b, v...)
	return append(b, '"')
}

// AppendString appends s as a JSON string, escaped as gqlgen escapes its
// strings (control characters, quotes and backslashes; UTF-8 as is).
func AppendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '\\' && c != '"' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '\t':
			b = append(b, `\t`...)
		case '\r':
			b = append(b, `\r`...)
		case '\n':
			b = append(b, `\n`...)
		case '\\':
			b = append(b, `\\`...)
		case '"':
			b = append(b, `\"`...)
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
