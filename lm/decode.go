package lm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"gonum.org/v1/gonum/mat"

	"github.com/swatsim/swatsim/reference"
	"github.com/swatsim/swatsim/sim/kv"
	"github.com/swatsim/swatsim/sim/kv/policy"
	"github.com/swatsim/swatsim/sim/kv/split"
	"github.com/swatsim/swatsim/sim/kv/timing"
)

// DecodeOptions configure incremental decode.
type DecodeOptions struct {
	Policy string    // a policy.Names entry
	Budget int       // keys attended per decode query, its own included (>= 1)
	KV     kv.Config // the policies' hyperparameters and the memory hierarchy
	Prompt int       // the first Prompt inputs attend densely; the policy starts at their end
	Arith  reference.Arith
	// Fracs are the fixed-point Q, K and V fraction bits per layer (fixed
	// point only): static scales, as an accelerator is configured.
	Fracs [][3]int

	// futureSeed > 0 fills the rows not computed yet with random values
	// (tests: a policy reading ahead then changes the result).
	futureSeed uint64
}

// Decode is the result of incremental decode.
type Decode struct {
	Losses []float64  // nats per predicted byte
	QKV    []LayerQKV // per layer: the Q, K, V the model produced and its attention output
	// AttnRelL2 is, per layer, the mean over decode steps and heads of
	// ||o - o_dense|| / ||o_dense||: the attention's own error against
	// float64 dense causal attention over the same Q, K and V rows.
	AttnRelL2 []float64
	// KVBytes is the mean per decode step of the bytes each tier moved,
	// summed over layers (tiers in timing's order).
	KVBytes [timing.NumTiers]float64
	Steps   int // decode steps (inputs after the prompt)
}

// Decode runs the text through the model one byte at a time: every layer
// computes the new token's Q, K and V row, its policy decides the cache,
// and the query attends to the tokens the policy returns. Inputs are the
// text's bytes (teacher forcing); caches and activations are the model's
// own (closed loop).
func (m *Model) Decode(text []byte, opt DecodeOptions) (*Decode, error) {
	if err := m.CheckText(text); err != nil {
		return nil, err
	}
	n := len(text) - 1
	if opt.Prompt < 0 || opt.Prompt >= n {
		return nil, fmt.Errorf("prompt = %d: must be in [0, %d] (inputs %d; at least one decode step)", opt.Prompt, n-1, n)
	}
	if err := policy.CheckPrompt(opt.Policy, opt.Prompt); err != nil {
		return nil, err
	}
	if !opt.Arith.Float && len(opt.Fracs) != m.Meta.Layers {
		return nil, fmt.Errorf("arith %s: %d layers of fraction bits for %d layers", opt.Arith.Name, len(opt.Fracs), m.Meta.Layers)
	}
	d := &decoder{m: m, opt: opt, n: n, scale: 1 / math.Sqrt(float64(m.Meta.HeadDim))}
	for l := range m.Meta.Layers {
		ld, err := d.newLayer(l)
		if err != nil {
			return nil, err
		}
		d.layers = append(d.layers, ld)
	}
	return d.run(text), nil
}

// approximator is sim/kv/policy's Approximator (kivi, pq, shadowkv): the
// driver takes the query's logits over the attended tokens (indexed by
// token) and the value rows from the policy. Both read only rows <= t.
type approximator = policy.Approximator

// checkApprox refuses a fixed-point arithmetic with a policy that computes
// its own approximate logits and values (in float64).
func checkApprox(p policy.Policy, a reference.Arith) error {
	if _, ok := p.(approximator); ok && !a.Float {
		return fmt.Errorf("arith %s with policy %s: the policy computes its own approximate logits and values in float64; use arith float64", a.Name, p.Name())
	}
	return nil
}

// decoder is one decode run.
type decoder struct {
	m      *Model
	opt    DecodeOptions
	n      int
	scale  float64
	layers []*layerDecoder
	all    []int // 0..t
}

// layerDecoder is one layer's cache, policy and attention state.
type layerDecoder struct {
	qkv        LayerQKV
	step       *kv.Stepper
	last, cur  *policy.Obs
	kern       *reference.Kernel
	qc, kc, vc *reference.Codes
	heads      []headScratch
	approx     approximator // nil unless the policy attends to approximate keys or values
	relSum     float64
	relN       int
}

// headScratch is one head's reusable buffers.
type headScratch struct {
	s, full []float64
	approx  []float64 // the policy's logits (approximating policies only)
	rel     float64
}

// newLayer builds layer l's tensors (rows not computed yet hold zeros, or
// random values in tests), its stepper and, for fixed point, its kernel.
func (d *decoder) newLayer(l int) (*layerDecoder, error) {
	mt := d.m.Meta
	mk := func(heads int) *reference.Tensor {
		t := reference.NewTensor(heads, d.n, mt.HeadDim)
		if d.opt.futureSeed > 0 {
			rng := rand.New(rand.NewPCG(d.opt.futureSeed, uint64(l)))
			for i := range t.Data {
				t.Data[i] = 4 * rng.NormFloat64()
			}
		}
		return t
	}
	ld := &layerDecoder{qkv: LayerQKV{Q: mk(mt.Heads), K: mk(mt.KVHeads), V: mk(mt.KVHeads), O: reference.NewTensor(mt.Heads, d.n, mt.HeadDim)}, heads: make([]headScratch, mt.Heads)}
	var err error
	ld.step, err = kv.NewStepper(d.opt.KV, d.opt.Policy, d.opt.Budget, policy.Data{Q: ld.qkv.Q, K: ld.qkv.K, V: ld.qkv.V})
	if err != nil {
		return nil, err
	}
	ld.last, ld.cur = newObs(mt.Heads), newObs(mt.Heads)
	ld.approx, _ = ld.step.Policy().(approximator)
	for h := range ld.heads {
		ld.heads[h] = headScratch{s: make([]float64, d.n), full: make([]float64, mt.HeadDim), approx: make([]float64, d.n)}
	}
	if d.opt.Arith.Float {
		return ld, nil
	}
	if err := checkApprox(ld.step.Policy(), d.opt.Arith); err != nil {
		return nil, err
	}
	if ld.kern, err = reference.NewKernel(d.opt.Arith, mt.HeadDim, d.scale); err != nil {
		return nil, fmt.Errorf("arith %s: %w", d.opt.Arith.Name, err)
	}
	ld.kern.QFrac, ld.kern.KFrac, ld.kern.VFrac = d.opt.Fracs[l][0], d.opt.Fracs[l][1], d.opt.Fracs[l][2]
	codes := func(heads int) *reference.Codes {
		return &reference.Codes{H: heads, N: d.n, D: mt.HeadDim, Data: make([]int64, heads*d.n*mt.HeadDim)}
	}
	ld.qc, ld.kc, ld.vc = codes(mt.Heads), codes(mt.KVHeads), codes(mt.KVHeads)
	return ld, nil
}

func newObs(h int) *policy.Obs {
	return &policy.Obs{Att: make([][]int, h), P: make([][]float64, h), S: make([][]float64, h),
		M: make([]float64, h), L: make([]float64, h), O: make([][]float64, h)}
}

// run decodes every input byte and collects the result.
func (d *decoder) run(text []byte) *Decode {
	mt := d.m.Meta
	out := &Decode{Losses: make([]float64, d.n), Steps: d.n - d.opt.Prompt}
	x := make([]float64, mt.DModel)
	for t := range d.n {
		copy(x, d.m.Emb.RawRowView(int(text[t])))
		d.all = append(d.all, t)
		for l, ld := range d.layers {
			d.attentionStep(l, ld, t, x)
			d.m.mlpStep(l, x)
			if t >= d.opt.Prompt {
				b := ld.step.Bytes()
				for i := range b {
					out.KVBytes[i] += float64(b[i])
				}
			}
		}
		out.Losses[t] = d.m.lossStep(x, text[t+1])
	}
	for i := range out.KVBytes {
		out.KVBytes[i] /= float64(out.Steps)
	}
	for _, ld := range d.layers {
		out.QKV = append(out.QKV, ld.qkv)
		out.AttnRelL2 = append(out.AttnRelL2, ld.relSum/float64(max(ld.relN, 1)))
	}
	return out
}

// attentionStep adds layer l's attention of token t to the residual x.
func (d *decoder) attentionStep(l int, ld *layerDecoder, t int, x []float64) {
	m, b := d.m, &d.m.Blocks[l]
	mt := m.Meta
	h := make([]float64, mt.DModel)
	layerNorm(x, b.LN1W, b.LN1B, h)
	row := make([]float64, mt.QKVRows())
	mat.NewVecDense(len(row), row).MulVec(b.QKV, mat.NewVecDense(len(h), h))
	m.fillRow(ld.qkv, row, t)
	ld.quantizeRow(t)
	att := ld.policyStep(d, t)
	var wg sync.WaitGroup
	for hd := range mt.Heads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ld.attendHead(d, t, hd, att[hd])
		}()
	}
	wg.Wait()
	a := make([]float64, mt.Heads*mt.HeadDim)
	for hd := range mt.Heads {
		copy(a[hd*mt.HeadDim:], ld.qkv.O.Row(hd, t))
		if t >= d.opt.Prompt {
			ld.relSum += ld.heads[hd].rel
			ld.relN++
		}
	}
	if t >= d.opt.Prompt {
		ld.step.Observe(ld.cur)
		ld.last, ld.cur = ld.cur, ld.last
	}
	y := make([]float64, mt.DModel)
	mat.NewVecDense(len(y), y).MulVec(b.O, mat.NewVecDense(len(a), a))
	for i, v := range y {
		x[i] += v
	}
}

// policyStep returns the tokens each head attends to at step t: all of
// 0..t during the prompt, then the policy's choice.
func (ld *layerDecoder) policyStep(d *decoder, t int) [][]int {
	if t < d.opt.Prompt {
		att := make([][]int, len(ld.heads))
		for h := range att {
			att[h] = d.all
		}
		return att
	}
	if t == d.opt.Prompt {
		ld.last = ld.step.Start(t, d.scale)
	}
	return ld.step.Step(t, ld.last)
}

// quantizeRow converts row t of Q, K and V to the kernel's codes.
func (ld *layerDecoder) quantizeRow(t int) {
	if ld.kern == nil {
		return
	}
	a := ld.kern.A
	for _, p := range []struct {
		x    *reference.Tensor
		c    *reference.Codes
		frac int
	}{{ld.qkv.Q, ld.qc, ld.kern.QFrac}, {ld.qkv.K, ld.kc, ld.kern.KFrac}, {ld.qkv.V, ld.vc, ld.kern.VFrac}} {
		f := reference.Format{Bits: a.InBits, Frac: p.frac}
		for h := range p.x.H {
			c := p.c.Row(h, t)
			for i, v := range p.x.Row(h, t) {
				c[i] = f.Quantize(v, reference.RoundHalfEven)
			}
		}
	}
}

// attendHead computes head h's output of step t over the keys att into
// O's row t, the dense float64 reference over 0..t, and the observation
// the policy reads.
func (ld *layerDecoder) attendHead(d *decoder, t, h int, att []int) {
	hs, g := &ld.heads[h], d.m.Meta.KVHead(h)
	kv.Logits(ld.qkv.Q.Row(h, t), ld.qkv.K, g, t+1, d.scale, hs.s)
	v := func(j int) []float64 { return ld.qkv.V.Row(g, j) }
	dense := split.Attend(hs.s, d.all, v, hs.full)
	o := ld.qkv.O.Row(h, t)
	part := split.Part{O: o, M: dense.M, L: dense.L, N: dense.N}
	logits := hs.s
	switch {
	case ld.approx != nil && t >= d.opt.Prompt: // the policy's own logits and values (after the prompt)
		logits = hs.approx
		ld.approx.Logits(t, h, att, logits)
		part = split.Attend(logits, att, func(j int) []float64 { return ld.approx.Value(t, h, j) }, o)
	case len(att) == t+1: // every key 0..t: the dense output itself
		copy(o, hs.full)
	default:
		part = split.Attend(hs.s, att, v, o)
	}
	if ld.kern != nil {
		ld.hardwareRow(t, h, g, att, o)
	}
	e, _ := reference.Compare(o, hs.full) // equal lengths
	hs.rel = e.RelL2
	ld.observe(t, h, att, logits, part)
}

// hardwareRow computes head h's output (K/V head g) of step t over att with the
// reference fixed-point kernel: keys in ascending order, online softmax,
// the deferred division (Kernel.Row's datapath on the attended keys).
func (ld *layerDecoder) hardwareRow(t, h, g int, att []int, o []float64) {
	k := ld.kern
	var st reference.RowState
	st.Reset(k.D)
	qi := ld.qc.Row(h, t)
	for _, j := range att {
		k.Update(&st, k.Score(k.Dot(qi, ld.kc.Row(g, j))), ld.vc.Row(g, j))
	}
	codes := make([]int64, k.D)
	k.Finish(&st, codes)
	f := reference.Format{Bits: k.A.InBits, Frac: k.VFrac}
	for c, x := range codes {
		o[c] = f.ToFloat(x)
	}
}

// observe fills the observation of head h: the attended tokens, their
// float64 logits (indexed by token) and probabilities, and the output.
func (ld *layerDecoder) observe(t, h int, att []int, logits []float64, part split.Part) {
	cur := ld.cur
	cur.T = t
	cur.Att[h] = append(cur.Att[h][:0], att...)
	sv, p := cur.S[h][:0], cur.P[h][:0]
	for _, j := range att {
		sv = append(sv, logits[j])
		p = append(p, split.Prob(logits[j], part.M, part.L))
	}
	cur.S[h], cur.P[h], cur.M[h], cur.L[h] = sv, p, part.M, part.L
	cur.O[h] = append(cur.O[h][:0], part.O...)
}

// mlpStep adds layer l's MLP of one token to x.
func (m *Model) mlpStep(l int, x []float64) {
	b := &m.Blocks[l]
	h := make([]float64, len(x))
	layerNorm(x, b.LN2W, b.LN2B, h)
	f := make([]float64, len(b.FC1B))
	mat.NewVecDense(len(f), f).MulVec(b.FC1, mat.NewVecDense(len(h), h))
	for j, v := range f {
		f[j] = gelu(v + b.FC1B[j])
	}
	y := make([]float64, len(x))
	mat.NewVecDense(len(y), y).MulVec(b.FC2, mat.NewVecDense(len(f), f))
	for j, v := range y {
		x[j] += v + b.FC2B[j]
	}
}

// lossStep is the next-byte loss of one token's final hidden state.
func (m *Model) lossStep(x []float64, target byte) float64 {
	h := make([]float64, len(x))
	layerNorm(x, m.LNW, m.LNB, h)
	logits := make([]float64, m.Meta.Vocab)
	mat.NewVecDense(len(logits), logits).MulVec(m.Head, mat.NewVecDense(len(h), h))
	return nextByteLoss(logits, target)
}

// policyData is a layer's tensors as the policies see them.
func policyData(t *reference.Tensor) policy.Data { return policy.Data{Q: t, K: t, V: t} }
