package loader

import (
	"context"
	"sync"
)

// family is a set of batches over the same keys, one per parameter (a date,
// a page window, a filter): every key seen so far is registered with each
// batch of the family, including batches made later.
type family[P comparable, K comparable, V any] struct {
	fetch func(ctx context.Context, p P, keys []K) (map[K]V, error)

	mu      sync.Mutex
	seen    []K
	seenSet map[K]bool
	batches map[P]*batch[K, V]
}

func newFamily[P comparable, K comparable, V any](fetch func(ctx context.Context, p P, keys []K) (map[K]V, error)) *family[P, K, V] {
	return &family[P, K, V]{fetch: fetch, seenSet: map[K]bool{}, batches: map[P]*batch[K, V]{}}
}

// see registers keys with every batch, present and future.
func (f *family[P, K, V]) see(keys ...K) {
	f.mu.Lock()
	var fresh []K
	for _, k := range keys {
		if !f.seenSet[k] {
			f.seenSet[k] = true
			fresh = append(fresh, k)
		}
	}
	if len(fresh) == 0 {
		f.mu.Unlock()
		return
	}
	f.seen = append(f.seen, fresh...)
	bs := make([]*batch[K, V], 0, len(f.batches))
	for _, b := range f.batches {
		bs = append(bs, b)
	}
	f.mu.Unlock()
	for _, b := range bs {
		b.register(fresh...)
	}
}

// get returns the batch of parameter p.
func (f *family[P, K, V]) get(p P) *batch[K, V] {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.batches[p]
	if !ok {
		b = newBatch(func(ctx context.Context, keys []K) (map[K]V, error) { return f.fetch(ctx, p, keys) })
		b.register(f.seen...)
		f.batches[p] = b
	}
	return b
}

// load returns the value of key under parameter p.
func (f *family[P, K, V]) load(ctx context.Context, p P, key K) (V, error) {
	f.see(key)
	return f.get(p).load(ctx, key)
}

// peek returns the value of key under parameter p when a batch has
// already fetched it, without fetching anything.
func (f *family[P, K, V]) peek(p P, key K) (V, bool) {
	f.mu.Lock()
	b := f.batches[p]
	f.mu.Unlock()
	var zero V
	if b == nil {
		return zero, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.done[key] {
		return zero, false
	}
	return b.cache[key], true
}
