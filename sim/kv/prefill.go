package kv

import (
	"math"
	"sync"

	"github.com/swatsim/swatsim/reference"
	"github.com/swatsim/swatsim/sim/kv/policy"
)

// computePrefill returns the prompt statistics the policies need: the
// dense causal attention of prompt queries, summed over all of them
// (colSum), over the last window of them (window > 0), and the last
// query's probabilities and output.
func computePrefill(q, k, v *reference.Tensor, p int, scale float64, colSum bool, window int) *policy.Prefill {
	pf := &policy.Prefill{P: p, W: min(window, p), Last: make([][]float64, q.H), LastO: make([][]float64, q.H)}
	if colSum {
		pf.ColSum = make([][]float64, q.H)
	}
	if window > 0 {
		pf.Window = make([][]float64, q.H)
	}
	first := p - max(pf.W, 1)
	if colSum {
		first = 0
	}
	var wg sync.WaitGroup
	for h := range q.H {
		wg.Add(1)
		go func() {
			defer wg.Done()
			prefillHead(q, k, v, pf, h, first, scale)
		}()
	}
	wg.Wait()
	return pf
}

// prefillHead accumulates head h's statistics over prompt rows first..P-1.
func prefillHead(q, k, v *reference.Tensor, pf *policy.Prefill, h, first int, scale float64) {
	p := pf.P
	if pf.ColSum != nil {
		pf.ColSum[h] = make([]float64, p)
	}
	if pf.Window != nil {
		pf.Window[h] = make([]float64, p)
	}
	s := make([]float64, p)
	for i := first; i < p; i++ {
		logitsInto(q.Row(h, i), k, h/(q.H/k.H), i+1, scale, s)
		m := math.Inf(-1)
		for _, x := range s[:i+1] {
			m = math.Max(m, x)
		}
		var l float64
		for j := range i + 1 {
			s[j] = math.Exp(s[j] - m)
			l += s[j]
		}
		for j := range i + 1 {
			a := s[j] / l
			if pf.ColSum != nil {
				pf.ColSum[h][j] += a
			}
			if pf.Window != nil && i >= p-pf.W {
				pf.Window[h][j] += a
			}
			s[j] = a
		}
	}
	pf.Last[h] = append([]float64(nil), s[:p]...)
	o := make([]float64, q.D)
	for j, a := range s[:p] {
		for d, x := range v.Row(h/(q.H/k.H), j) {
			o[d] += a * x
		}
	}
	pf.LastO[h] = o
}

// logitsInto writes s_j = (q . k_j) * scale for j < n of head h. Each dot
// product is summed in channel order, as the reference float64 row sums
// it, so the logits are bit-identical to the reference's; four keys are
// processed per pass for instruction-level parallelism.
func logitsInto(qi []float64, k *reference.Tensor, h, n int, scale float64, s []float64) {
	d := k.D
	qi = qi[:d]
	rows := k.Data[h*k.N*d : (h*k.N+n)*d]
	j := 0
	for ; j+4 <= n; j += 4 {
		r0 := rows[j*d : j*d+d]
		r1 := rows[(j+1)*d : (j+1)*d+d]
		r2 := rows[(j+2)*d : (j+2)*d+d]
		r3 := rows[(j+3)*d : (j+3)*d+d]
		var a0, a1, a2, a3 float64
		for c, x := range qi {
			a0 += x * r0[c]
			a1 += x * r1[c]
			a2 += x * r2[c]
			a3 += x * r3[c]
		}
		s[j], s[j+1], s[j+2], s[j+3] = a0*scale, a1*scale, a2*scale, a3*scale
	}
	for ; j < n; j++ {
		row := rows[j*d : j*d+d]
		var dot float64
		for c, x := range qi {
			dot += x * row[c]
		}
		s[j] = dot * scale
	}
}
