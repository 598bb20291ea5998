package policy

import "fmt"

// kivi is KIVI: every token stays and is attended; at the step whose query
// is token t, with n = t+1 and Q = G*floor(max(0, n-R)/G), tokens 0..Q-1
// are held quantised to b bits and tokens Q..t as given. Keys are
// quantised per head, per channel, per aligned group of G tokens; values
// per head, per token, per aligned group of G channels (the last group may
// be shorter), by the asymmetric min/max quantiser of quantize. Attention
// is exact float64 softmax over the reconstructed rows.
type kivi struct {
	base
	bits, size, residual int // size: G
	scale                float64
	quantised            int         // Q: tokens 0..Q-1 are quantised
	kq, vq               [][]float64 // [H][N*D]: reconstructed rows of the quantised tokens
}

func newKIVI(b base) (*kivi, error) {
	p := b.p
	switch {
	case p.KIVIBits != 2 && p.KIVIBits != 4:
		return nil, fmt.Errorf("kivi: --bits (kv.policy.kivi_bits) = %d: allowed: 2, 4", p.KIVIBits)
	case p.KIVIGroup < 1:
		return nil, fmt.Errorf("kivi: --group (kv.policy.kivi_group) = %d: must be >= 1", p.KIVIGroup)
	case p.KIVIResidual < 0 || p.KIVIResidual%p.KIVIGroup != 0:
		return nil, fmt.Errorf("kivi: --residual (kv.policy.kivi_residual) = %d: must be a multiple of --group = %d (>= 0)", p.KIVIResidual, p.KIVIGroup)
	}
	k := &kivi{base: b, bits: p.KIVIBits, size: p.KIVIGroup, residual: p.KIVIResidual, scale: scaleOf(p, b.data.K.D)}
	k.kq = make([][]float64, b.heads)
	k.vq = make([][]float64, b.heads)
	for h := range b.heads {
		k.kq[h] = make([]float64, b.data.K.N*b.data.K.D)
		k.vq[h] = make([]float64, b.data.K.N*b.data.K.D)
	}
	return k, nil
}

// Start caches the prompt; quantisation follows the query (Append).
func (k *kivi) Start(pf *Prefill) {
	k.startAll(pf.P)
	k.advance(pf.P - 1)
}

// Evict never evicts.
func (k *kivi) Evict(int, *Obs, *Cost) [][]int { return nil }

// Append adds token t and quantises the groups that left the residual.
func (k *kivi) Append(t int, c *Cost) {
	k.base.Append(t, c)
	k.advance(t)
}

// advance quantises the groups of tokens below Q(t).
func (k *kivi) advance(t int) {
	q := k.size * (max(0, t+1-k.residual) / k.size)
	for ; k.quantised < q; k.quantised += k.size {
		for h := range k.heads {
			k.quantiseGroup(h, k.quantised)
		}
	}
}

// quantiseGroup quantises head h's tokens first..first+G-1: keys per
// channel over the group's tokens, values per token over channel groups.
func (k *kivi) quantiseGroup(h, first int) {
	d, g := k.data.K.D, k.size
	kq, vq := k.kq[h], k.vq[h]
	for c := range d {
		quantize(g, k.bits,
			func(i int) float64 { return k.data.K.Row(h, first+i)[c] },
			func(i int, x float64) { kq[(first+i)*d+c] = x })
	}
	for j := first; j < first+g; j++ {
		v := k.data.V.Row(h, j)
		for c0 := 0; c0 < d; c0 += g {
			n := min(g, d-c0)
			quantize(n, k.bits,
				func(i int) float64 { return v[c0+i] },
				func(i int, x float64) { vq[j*d+c0+i] = x })
		}
	}
}

// key returns head h's key row of token j as attended.
func (k *kivi) key(h, j int) []float64 {
	if j < k.quantised {
		d := k.data.K.D
		return k.kq[h][j*d : (j+1)*d]
	}
	return k.data.K.Row(h, j)
}

// Logits writes q_t . k^_j * scale for the attended tokens of query head
// qh.
func (k *kivi) Logits(t, qh int, att []int, s []float64) {
	q, h := k.data.Q.Row(qh, t), qh/k.group
	for _, j := range att {
		s[j] = dot(q, k.key(h, j)) * k.scale
	}
}

// Value is token j's reconstructed value row for query head qh.
func (k *kivi) Value(_, qh, j int) []float64 {
	h := qh / k.group
	if j < k.quantised {
		d := k.data.V.D
		return k.vq[h][j*d : (j+1)*d]
	}
	return k.data.V.Row(h, j)
}

// ReadBits counts, per quantised token, D*b key and D*b value code bits
// and ceil(D/G) value scale/minimum pairs, per key group touched D
// scale/minimum pairs (16 bits each), and per full-precision token two
// rows of D*elemBits.
func (k *kivi) ReadBits(_, _ int, toks []int, elemBits int64) int64 {
	d, g, b := int64(k.data.K.D), int64(k.size), int64(k.bits)
	vGroups := (d + g - 1) / g
	var bits int64
	lastGroup := -1
	for _, j := range toks {
		if j >= k.quantised {
			bits += 2 * d * elemBits
			continue
		}
		bits += 2*d*b + vGroups*2*16
		if grp := j / k.size; grp != lastGroup {
			bits += d * 2 * 16
			lastGroup = grp
		}
	}
	return bits
}
