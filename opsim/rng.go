package opsim

import "math"

// rng is a small splitmix64 generator. Every simulated object draws from its
// own rng, seeded from the world seed and the object's identity, so that any
// object can be regenerated alone (the HTTP server does, page by page) and
// nothing depends on the order in which objects are generated.
type rng struct{ s uint64 }

func mix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// seedOf hashes the world seed and an object's identity into a seed.
func seedOf(seed uint64, parts ...uint64) uint64 {
	h := mix(seed + 0x9e3779b97f4a7c15)
	for _, p := range parts {
		h = mix(h ^ (p + 0x9e3779b97f4a7c15))
	}
	return h
}

func newRng(seed uint64, parts ...uint64) rng { return rng{s: seedOf(seed, parts...)} }

func (r *rng) u64() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix(r.s)
}

// intn returns a uniform int in [0, n).
func (r *rng) intn(n int) int {
	if n <= 1 {
		return 0
	}
	return int((r.u64() >> 11) % uint64(n))
}

// between returns a uniform int in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// float returns a uniform float in [0, 1). Floats drive choices only; no
// amount is ever a float.
func (r *rng) float() float64 { return float64(r.u64()>>11) / (1 << 53) }

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return p > 0 && r.float() < p }

// lognormal returns exp(N(mu, sigma)), for skewed sizes.
func (r *rng) lognormal(mu, sigma float64) float64 {
	u1 := r.float()
	if u1 < 1e-12 {
		u1 = 1e-12
	}
	z := math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*r.float())
	return math.Exp(mu + sigma*z)
}

// pick returns a uniformly chosen element.
func pick[T any](r *rng, xs []T) T { return xs[r.intn(len(xs))] }

// strHash is FNV-1a, to turn names into rng identity parts.
func strHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
