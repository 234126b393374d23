package httpapi

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Fault is one kind of misbehaviour the server injects in place of an
// answer.
type Fault uint8

// The fault kinds, in the order their probabilities are laid end to end
// on [0, 1) when a request's draw is placed.
const (
	FaultNone     Fault = iota // the real answer
	Fault5xx                   // 500, 502 or 503 with a JSON error body
	Fault429                   // 429 Too Many Requests with Retry-After: 1
	FaultTimeout               // no answer until the client gives up or Options.TimeoutStall passes
	FaultReset                 // the connection is reset (TCP RST), nothing written
	FaultTruncate              // the full headers, a correct Content-Length, part of the body, then close
)

const numFaults = FaultTruncate + 1

var faultNames = [numFaults]string{"none", "5xx", "429", "timeout", "reset", "truncate"}

// String returns the fault's name as ParseFaults spells it ("5xx",
// "timeout", …), or "none".
func (f Fault) String() string {
	if f < numFaults {
		return faultNames[f]
	}
	return "fault(" + strconv.Itoa(int(f)) + ")"
}

// Faults holds the probability of each fault kind per request. The zero
// value injects nothing.
type Faults struct {
	ServerError     float64 // "5xx"
	TooManyRequests float64 // "429"
	Timeout         float64 // "timeout"
	Reset           float64 // "reset"
	Truncate        float64 // "truncate"
}

// probs returns the probabilities indexed by Fault.
func (f Faults) probs() [numFaults]float64 {
	return [numFaults]float64{0, f.ServerError, f.TooManyRequests, f.Timeout, f.Reset, f.Truncate}
}

// Validate reports a probability outside [0, 1] or a sum above 1.
func (f Faults) Validate() error {
	sum := 0.0
	p := f.probs()
	for k := Fault5xx; k < numFaults; k++ {
		if p[k] < 0 || p[k] > 1 || math.IsNaN(p[k]) {
			return fmt.Errorf("httpapi: fault %s probability %v outside [0, 1]", k, p[k])
		}
		sum += p[k]
	}
	if sum > 1+1e-9 {
		return fmt.Errorf("httpapi: fault probabilities sum to %v, more than 1", sum)
	}
	return nil
}

// Enabled reports whether any fault has a non-zero probability.
func (f Faults) Enabled() bool { return f != Faults{} }

// String returns the spec ParseFaults reads back, kinds with probability 0
// left out: "5xx=0.2,429=0.1".
func (f Faults) String() string {
	var parts []string
	p := f.probs()
	for k := Fault5xx; k < numFaults; k++ {
		if p[k] != 0 {
			parts = append(parts, k.String()+"="+strconv.FormatFloat(p[k], 'g', -1, 64))
		}
	}
	return strings.Join(parts, ",")
}

// ParseFaults parses a fault spec such as
// "5xx=0.2,429=0.1,timeout=0.05,reset=0.05,truncate=0.05" (ParseSpec), the
// probabilities summing to at most 1.
func ParseFaults(spec string) (Faults, error) {
	p, err := ParseSpec(spec, "5xx", "429", "timeout", "reset", "truncate")
	if err != nil {
		return Faults{}, fmt.Errorf("httpapi: %w", err)
	}
	f := Faults{ServerError: p["5xx"], TooManyRequests: p["429"], Timeout: p["timeout"], Reset: p["reset"], Truncate: p["truncate"]}
	if err := f.Validate(); err != nil {
		return Faults{}, fmt.Errorf("httpapi: fault spec %q: %w", spec, err)
	}
	return f, nil
}

// ParseSpec parses comma-separated kind=probability pairs, each of kinds
// at most once, each probability in [0, 1]; spaces around items are
// ignored and an empty spec is none. The simulator's HTTP faults and its
// drop faults (opsim.ParseDropFaults) are written this way.
func ParseSpec(spec string, kinds ...string) (map[string]float64, error) {
	out := map[string]float64{}
	for item := range strings.SplitSeq(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		key, val, ok := strings.Cut(item, "=")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if !ok {
			return nil, fmt.Errorf("fault spec %q: item %q is not kind=probability", spec, item)
		}
		if !slices.Contains(kinds, key) {
			return nil, fmt.Errorf("fault spec %q: unknown fault %q (want %s)", spec, key, strings.Join(kinds, ", "))
		}
		if _, twice := out[key]; twice {
			return nil, fmt.Errorf("fault spec %q: %s given twice", spec, key)
		}
		p, err := strconv.ParseFloat(val, 64)
		if err != nil || p < 0 || p > 1 || math.IsNaN(p) {
			return nil, fmt.Errorf("fault spec %q: %s=%s is no probability in [0, 1]", spec, key, val)
		}
		out[key] = p
	}
	return out, nil
}

// decide places a request's draw: the fault it meets, and a second hash
// for choices within the fault (which 5xx, where to cut).
//
// The draw is a hash of the seed, the request's method and URL, and n,
// the number of earlier requests for that URL: a client retrying a page
// meets a new draw, and the same client behaviour meets the same faults
// from run to run, whatever the timing.
func (f Faults) decide(seed uint64, key string, n uint64) (Fault, uint64) {
	h := uint64(14695981039346656037) // FNV-1a
	for i := 0; i < len(key); i++ {
		h ^= uint64(key[i])
		h *= 1099511628211
	}
	d := mix(seed ^ mix(h^mix(n+0x9e3779b97f4a7c15)))
	u := float64(d>>11) / (1 << 53)
	p := f.probs()
	acc := 0.0
	for k := Fault5xx; k < numFaults; k++ {
		acc += p[k]
		if u < acc {
			return k, mix(d ^ 0x5851f42d4c957f2d)
		}
	}
	return FaultNone, 0
}

// mix is the splitmix64 finaliser.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
