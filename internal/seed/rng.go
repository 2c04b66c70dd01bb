package seed

import (
	"math/bits"
	"math/rand/v2"
)

// seedBase is the fixed seed of every random stream of the generator.
const seedBase uint64 = 0x5eed_b0a7_2026_0820

// The random streams. Each record draws from its own stream, seeded from the
// stream and the record's index, so that any record can be recomputed alone.
const (
	streamPlan uint64 = iota + 1
	streamStartup
	streamMember
	streamOrganisation
	streamIncubator
	streamReviewStartup // the fields of a portfolio review, drawn apart so the others stay as they were
	streamReviewMember
)

// rng is a small allocation-free wrapper around a PCG source. It draws only
// integers, so the output is the same on every platform (no floating point).
type rng struct{ p rand.PCG }

// newRNG returns the random stream of record i in stream.
func newRNG(stream uint64, i int) rng {
	var r rng
	r.p.Seed(splitmix(seedBase^stream*0x9e3779b97f4a7c15), splitmix(uint64(i)+stream<<56))
	return r
}

// splitmix scrambles x so that neighbouring indexes seed unrelated streams.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// intn returns a number in [0, n); n must be positive.
func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.p.Uint64(), uint64(n))
	return int(hi)
}

// between returns a number in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// chance reports true with probability perMille/1000.
func (r *rng) chance(perMille int) bool { return r.intn(1000) < perMille }

// pick returns an index drawn from the weights table.
func (r *rng) pick(t *table) int { return t.index(r.intn(t.total)) }

// table is a cumulative table of integer weights.
type table struct {
	cum   []int
	total int
}

// newTable returns the cumulative table of weights.
func newTable(weights ...int) *table {
	t := &table{cum: make([]int, len(weights))}
	for i, w := range weights {
		t.total += w
		t.cum[i] = t.total
	}
	return t
}

// index returns the index whose weight range holds x, in [0, total).
func (t *table) index(x int) int {
	lo, hi := 0, len(t.cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if t.cum[mid] > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// perm is an affine bijection of [0, n): k -> (a·k + b) mod n.
type perm struct{ n, a int }

// newPerm returns a bijection of [0, n) that scatters neighbouring indexes.
func newPerm(n int) perm {
	a := n*5/8 + 1
	for gcd(a, n) != 1 {
		a++
	}
	return perm{n: n, a: a}
}

// at returns the image of k, shifted by the cycle so that successive blocks
// of n indexes are not laid out alike.
func (p perm) at(k, cycle int) int {
	return int((uint64(k)*uint64(p.a) + uint64(cycle)*7919) % uint64(p.n))
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
