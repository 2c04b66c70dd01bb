package graph

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// ref turns a reference given as a slug or a global id of type typ into a
// slug.
func ref(typ, field, s string) (string, error) {
	if t, slug, err := portfolio.ParseGlobalID(s); err == nil && t == typ {
		return slug, nil
	}
	if s == "" {
		return "", portfolio.FieldErrorf(field, "%s is required", field)
	}
	return s, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func budget(b *int) *int64 {
	if b == nil {
		return nil
	}
	v := int64(*b)
	return &v
}

// Auth is the @auth directive: a caller whose role is below requires gets
// null and a FORBIDDEN error for the field, and the rest of the answer.
func Auth(ctx context.Context, obj any, next graphql.Resolver, requires portfolio.Role) (any, error) {
	id := portfolio.IdentityFrom(ctx)
	if !id.CanRead(requires) {
		if _, input := obj.(map[string]any); input {
			// A filter on a protected value would tell the value itself.
			name := ""
			if p := graphql.GetPath(ctx); len(p) > 0 {
				if n, ok := p[len(p)-1].(ast.PathName); ok {
					name = string(n) + " "
				}
			}
			return nil, &portfolio.Error{Code: portfolio.EForbidden, Field: strings.TrimSpace(name),
				Message: fmt.Sprintf("the filter %sneeds a %s token (you are %s): it selects by a protected value", name, requires, id.Role)}
		}
		return nil, portfolio.Errorf(portfolio.EForbidden, "this field needs a %s token (you are %s)", requires, id.Role)
	}
	return next(ctx)
}

// keyedRef is the start of a mutation of one record: its idempotency key
// taken (keyed), then the slug of the record of type typ that the
// argument field names (ref).
func keyedRef(ctx context.Context, clientMutationID *string, input any, typ, field, id string) (context.Context, string, error) {
	ctx, err := keyed(ctx, clientMutationID, input)
	if err != nil {
		return nil, "", err
	}
	slug, err := ref(typ, field, id)
	return ctx, slug, err
}

// keyed returns ctx carrying the mutation's idempotency key: the input's
// clientMutationId (none when nil or empty) with a SHA-256 of the whole
// input, so that the same key with another input can be refused.
func keyed(ctx context.Context, clientMutationID *string, input any) (context.Context, error) {
	if clientMutationID == nil || *clientMutationID == "" {
		return ctx, nil
	}
	b, err := json.Marshal(input)
	if err != nil {
		return ctx, fmt.Errorf("clientMutationId: %w", err)
	}
	sum := sha256.Sum256(b)
	return portfolio.WithMutationKey(ctx, portfolio.MutationKey{Key: *clientMutationID, Input: hex.EncodeToString(sum[:])}), nil
}
