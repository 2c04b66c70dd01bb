// Package loader batches the reads of one GraphQL request. Each loader
// keeps the keys the request has seen (the rows of every list it resolved)
// and, on the first lookup, fetches the values of all those keys at once:
// the number of SQL statements depends on the shape of the query, never on
// the number of rows, and no loader waits on a timer to gather keys.
package loader

import (
	"context"
	"sync"
)

// batch loads values by key for the keys registered so far, in one fetch
// per wave of lookups. No lock is held while fetching, so fetches may
// register keys with other batches.
type batch[K comparable, V any] struct {
	fetch func(ctx context.Context, keys []K) (map[K]V, error)

	mu       sync.Mutex
	cache    map[K]V
	done     map[K]bool
	inflight map[K]*wave
	pending  []K
	queued   map[K]bool
}

// wave is one fetch under way.
type wave struct {
	done chan struct{}
	err  error
}

func newBatch[K comparable, V any](fetch func(ctx context.Context, keys []K) (map[K]V, error)) *batch[K, V] {
	return &batch[K, V]{fetch: fetch, cache: map[K]V{}, done: map[K]bool{}, inflight: map[K]*wave{}, queued: map[K]bool{}}
}

// register announces keys the request will likely look up.
func (b *batch[K, V]) register(keys ...K) {
	b.mu.Lock()
	for _, k := range keys {
		if !b.done[k] && !b.queued[k] && b.inflight[k] == nil {
			b.queued[k] = true
			b.pending = append(b.pending, k)
		}
	}
	b.mu.Unlock()
}

// prime stores the value of a key read along with something else, so that
// looking it up costs no statement.
func (b *batch[K, V]) prime(key K, v V) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done[key] || b.inflight[key] != nil {
		return
	}
	b.done[key], b.cache[key] = true, v
	if b.queued[key] {
		delete(b.queued, key)
		for i, k := range b.pending {
			if k == key {
				b.pending = append(b.pending[:i], b.pending[i+1:]...)
				break
			}
		}
	}
}

// load returns the value of key, fetching it together with every key
// registered and not yet fetched. A missing key gives the zero value.
func (b *batch[K, V]) load(ctx context.Context, key K) (V, error) {
	b.mu.Lock()
	if b.done[key] {
		v := b.cache[key]
		b.mu.Unlock()
		return v, nil
	}
	if w := b.inflight[key]; w != nil {
		b.mu.Unlock()
		return b.wait(ctx, w, key)
	}
	if !b.queued[key] {
		b.pending = append(b.pending, key)
	}
	keys := b.pending
	b.pending, b.queued = nil, map[K]bool{}
	w := &wave{done: make(chan struct{})}
	for _, k := range keys {
		b.inflight[k] = w
	}
	b.mu.Unlock()

	vals, err := b.fetch(ctx, keys)

	b.mu.Lock()
	for _, k := range keys {
		delete(b.inflight, k)
		if err == nil {
			b.done[k] = true
			if v, ok := vals[k]; ok {
				b.cache[k] = v
			}
		}
	}
	w.err = err
	v := b.cache[key]
	b.mu.Unlock()
	close(w.done)
	return v, err
}

func (b *batch[K, V]) wait(ctx context.Context, w *wave, key K) (V, error) {
	var zero V
	select {
	case <-w.done:
	case <-ctx.Done():
		return zero, ctx.Err()
	}
	if w.err != nil {
		return zero, w.err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cache[key], nil
}
