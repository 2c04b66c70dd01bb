package portfolio

import (
	"context"
	"time"
	"unicode/utf8"
)

// MutationKeyLifetime is how long a mutation's idempotency key is kept: a
// mutation sent again within it with the same key and input gets the first
// answer; after it, the key is forgotten.
const MutationKeyLifetime = 24 * time.Hour

// MaxMutationKeyLength bounds an idempotency key, in characters.
const MaxMutationKeyLength = 200

// MutationKey is a client's idempotency key for one mutation (Relay's
// clientMutationId) with a fingerprint of the mutation's whole input: the
// same key with another input is refused.
type MutationKey struct {
	Key   string
	Input string // a hash of the input, compared as is
}

// Check refuses a key too long to keep; field names the input field.
func (k MutationKey) Check(field string) error {
	if n := utf8.RuneCountInString(k.Key); n > MaxMutationKeyLength {
		return FieldErrorf(field, "%s is %d characters long; at most %d", field, n, MaxMutationKeyLength)
	}
	return nil
}

type mutationKeyKey struct{}

// WithMutationKey returns a context whose mutation runs under key k; an
// empty key means none.
func WithMutationKey(ctx context.Context, k MutationKey) context.Context {
	if k.Key == "" {
		return ctx
	}
	return context.WithValue(ctx, mutationKeyKey{}, k)
}

// MutationKeyFrom returns the idempotency key of the mutation that runs in
// ctx, if it has one.
func MutationKeyFrom(ctx context.Context) (MutationKey, bool) {
	k, ok := ctx.Value(mutationKeyKey{}).(MutationKey)
	return k, ok
}
