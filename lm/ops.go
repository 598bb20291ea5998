package lm

import "math"

// layerNorm writes LayerNorm(x) with weight w, bias b and eps 1e-5 into out
// (biased variance, as torch.nn.LayerNorm).
func layerNorm(x, w, b, out []float64) {
	n := float64(len(x))
	var mean float64
	for _, v := range x {
		mean += v
	}
	mean /= n
	var variance float64
	for _, v := range x {
		variance += (v - mean) * (v - mean)
	}
	variance /= n
	inv := 1 / math.Sqrt(variance+1e-5)
	for i, v := range x {
		out[i] = (v-mean)*inv*w[i] + b[i]
	}
}

// gelu is the exact (erf) GELU: x/2 (1 + erf(x/sqrt 2)).
func gelu(x float64) float64 { return 0.5 * x * (1 + math.Erf(x/math.Sqrt2)) }

// rope holds the rotary embedding's cos and sin per position and
// frequency: angle = position * base^(-i/half), i < half = head_dim/2.
type rope struct {
	half     int
	cos, sin []float64 // [context][half]
}

func newRope(headDim, context int, base float64) rope {
	r := rope{half: headDim / 2, cos: make([]float64, context*headDim/2), sin: make([]float64, context*headDim/2)}
	for i := range r.half {
		inv := math.Pow(base, -float64(i)/float64(r.half))
		for p := range context {
			r.cos[p*r.half+i], r.sin[p*r.half+i] = math.Cos(float64(p)*inv), math.Sin(float64(p)*inv)
		}
	}
	return r
}

// apply rotates one head row x (length head_dim) in place for position p:
// non-interleaved halves, [x1 cos - x2 sin, x1 sin + x2 cos].
func (r rope) apply(x []float64, p int) {
	c, s := r.cos[p*r.half:(p+1)*r.half], r.sin[p*r.half:(p+1)*r.half]
	for i := range r.half {
		x1, x2 := x[i], x[i+r.half]
		x[i] = x1*c[i] - x2*s[i]
		x[i+r.half] = x1*s[i] + x2*c[i]
	}
}

// nextByteLoss is the cross-entropy in nats of target under logits:
// logsumexp(logits) - logits[target].
func nextByteLoss(logits []float64, target byte) float64 {
	m := math.Inf(-1)
	for _, v := range logits {
		m = math.Max(m, v)
	}
	var s float64
	for _, v := range logits {
		s += math.Exp(v - m)
	}
	return m + math.Log(s) - logits[target]
}
