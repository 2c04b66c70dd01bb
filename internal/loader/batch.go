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
//
// Registering is cheap (a request registers the rows of every list with
// every batch that may read them, most of which it never reads): the lists
// are kept as they come, and sorted out (fetched already, under way,
// repeated) by the wave that fetches them. The maps are made on first use.
type batch[K comparable, V any] struct {
	fetch func(ctx context.Context, keys []K) (map[K]V, error)

	mu       sync.Mutex
	cache    map[K]V     // fetched (or primed) values; a missing key is fetched with no value
	done     map[K]bool  // keys fetched or primed
	inflight map[K]*wave // keys being fetched
	pending  [][]K       // lists registered since the last wave
}

// wave is one fetch under way.
type wave struct {
	done chan struct{}
	err  error
}

func newBatch[K comparable, V any](fetch func(ctx context.Context, keys []K) (map[K]V, error)) *batch[K, V] {
	return &batch[K, V]{fetch: fetch}
}

// register announces keys the request will likely look up.
func (b *batch[K, V]) register(keys ...K) {
	if len(keys) == 0 {
		return
	}
	b.mu.Lock()
	b.pending = append(b.pending, keys)
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
	if b.done == nil {
		b.done, b.cache = map[K]bool{}, map[K]V{}
	}
	b.done[key], b.cache[key] = true, v
}

// primeAll primes every key of vs, its maps grown once for them all.
func (b *batch[K, V]) primeAll(vs map[K]V) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done == nil {
		b.done, b.cache = make(map[K]bool, len(vs)), make(map[K]V, len(vs))
	}
	for key, v := range vs {
		if !b.done[key] && b.inflight[key] == nil {
			b.done[key], b.cache[key] = true, v
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
	keys := b.wave(key)
	w := &wave{done: make(chan struct{})}
	if b.inflight == nil {
		b.inflight = map[K]*wave{}
	}
	for _, k := range keys {
		b.inflight[k] = w
	}
	b.mu.Unlock()

	vals, err := b.fetch(ctx, keys)

	b.mu.Lock()
	if b.done == nil {
		b.done, b.cache = make(map[K]bool, len(keys)), make(map[K]V, len(vals))
	}
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

// wave returns the keys of the next fetch, key first, then every key
// registered and neither fetched nor under way, each once; b.mu is held.
func (b *batch[K, V]) wave(key K) []K {
	n := 1
	for _, l := range b.pending {
		n += len(l)
	}
	keys := make([]K, 1, n)
	keys[0] = key
	seen := make(map[K]bool, n)
	seen[key] = true
	for _, l := range b.pending {
		for _, k := range l {
			if !seen[k] && !b.done[k] && b.inflight[k] == nil {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	b.pending = nil
	return keys
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
