package policy

import "math"

// quantize replaces x by its b-bit asymmetric min/max reconstruction:
// s = (max-min)/(2^b-1), code = clamp(round-half-even((x-min)/s), 0,
// 2^b-1), x^ = code*s + min (x^ = min when s = 0). get and set address
// the group's elements by index.
func quantize(n, bits int, get func(i int) float64, set func(i int, x float64)) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range n {
		lo, hi = math.Min(lo, get(i)), math.Max(hi, get(i))
	}
	levels := float64(int(1)<<bits - 1)
	s := (hi - lo) / levels
	for i := range n {
		if s == 0 {
			set(i, lo)
			continue
		}
		code := math.Min(math.Max(math.RoundToEven((get(i)-lo)/s), 0), levels)
		set(i, code*s+lo)
	}
}

// dot is q . k summed in channel order.
func dot(q, k []float64) float64 {
	var s float64
	for c, x := range q {
		s += x * k[c]
	}
	return s
}

// scaleOf is the softmax scale: p.Scale, or 1/sqrt(d) when 0.
func scaleOf(p Params, d int) float64 {
	if p.Scale != 0 {
		return p.Scale
	}
	return 1 / math.Sqrt(float64(d))
}
