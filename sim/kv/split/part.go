package split

import "math"

// Part is the attention of one query over one part of its keys: O is the
// part's normalised output sum_j e^(s_j-M) v_j / L, M the largest logit of
// the part and L = sum_j e^(s_j-M). N is the number of keys folded; a part
// with N = 0 is empty and is skipped by Merge.
type Part struct {
	O []float64
	M float64
	L float64
	N int
}

// Values returns the value row of token j.
type Values func(j int) []float64

// Attend computes the Part of the keys idx, whose logits are s[j] (s is
// indexed by token) and whose value rows v returns, into o (length D,
// overwritten). The arithmetic mirrors the reference float64 row: the
// maximum first, then exponentials summed and accumulated in the order of
// idx, one division at the end.
func Attend(s []float64, idx []int, v Values, o []float64) Part {
	clear(o)
	p := Part{O: o, M: math.Inf(-1), N: len(idx)}
	if len(idx) == 0 {
		return p
	}
	for _, j := range idx {
		p.M = math.Max(p.M, s[j])
	}
	d := len(o)
	k := 0
	// Four keys per pass: o[c] still adds e_j v_j[c] in key order.
	for ; k+4 <= len(idx); k += 4 {
		e0, e1, e2, e3 := math.Exp(s[idx[k]]-p.M), math.Exp(s[idx[k+1]]-p.M), math.Exp(s[idx[k+2]]-p.M), math.Exp(s[idx[k+3]]-p.M)
		p.L += e0
		p.L += e1
		p.L += e2
		p.L += e3
		r0, r1, r2, r3 := v(idx[k])[:d], v(idx[k+1])[:d], v(idx[k+2])[:d], v(idx[k+3])[:d]
		for c := range o {
			o[c] = o[c] + e0*r0[c] + e1*r1[c] + e2*r2[c] + e3*r3[c]
		}
	}
	for ; k < len(idx); k++ {
		e := math.Exp(s[idx[k]] - p.M)
		p.L += e
		r := v(idx[k])[:d]
		for c := range o {
			o[c] += e * r[c]
		}
	}
	for c := range o {
		o[c] /= p.L
	}
	return p
}

// Merge combines parts (in the given order) into out: with M = max_i m_i
// and w_i = e^(m_i-M) l_i, out = sum_i w_i o_i / sum_i w_i. It returns the
// merged (M, L = sum_i w_i). A single non-empty part is copied unchanged,
// so a partition with one part reproduces that part bit for bit.
func Merge(parts []Part, out []float64) (m, l float64) {
	m = math.Inf(-1)
	live := 0
	for _, p := range parts {
		if p.N > 0 {
			m = math.Max(m, p.M)
			live++
		}
	}
	clear(out)
	if live == 0 {
		return m, 0
	}
	if live == 1 {
		for _, p := range parts {
			if p.N > 0 {
				copy(out, p.O)
				return p.M, p.L
			}
		}
	}
	for _, p := range parts {
		if p.N == 0 {
			continue
		}
		w := math.Exp(p.M-m) * p.L
		l += w
		for d, x := range p.O {
			out[d] += w * x
		}
	}
	for d := range out {
		out[d] /= l
	}
	return m, l
}

// Prob is the probability of a key with logit s under a merged (M, L).
func Prob(s, m, l float64) float64 { return math.Exp(s-m) / l }
