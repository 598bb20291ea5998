package kv

import (
	"fmt"
	"math"
	"sync"

	"github.com/swatsim/swatsim/reference"
	"github.com/swatsim/swatsim/sim/kv/policy"
	"github.com/swatsim/swatsim/sim/kv/split"
	"github.com/swatsim/swatsim/sim/kv/timing"
)

// instance is one policy at one budget, stepping through decode.
type instance struct {
	decider
	spec  Spec
	model *timing.Model
	hw    *hardware

	last, cur *policy.Obs                  // the previous step's attention and this step's
	partO     [][timing.NumTiers][]float64 // per head: each part's output buffer
	head      []headMetrics
	mark      []int32 // scratch for recall: mark[j] == stamp when j is attended
	steps     []StepMetrics
	probs     bool // the policy reads the probabilities of the attended keys

	approx policy.Approximator // nil unless the policy approximates keys or values
	logits [][]float64         // per head: the approximate logits (approx only)
}

// headMetrics are one head's metrics in one step.
type headMetrics struct {
	relL2, cosine, kept, recall, caote, hwRelL2, hwArith float64
}

func newInstance(s *Simulator, spec Spec) (*instance, error) {
	p, err := policy.New(spec.Policy, s.data, s.cfg.policyParams(spec.Budget))
	if err != nil {
		return nil, err
	}
	model, err := s.cfg.timingBuilder().Build("KV")
	if err != nil {
		return nil, err
	}
	h, n := s.data.Q.H, s.data.Q.N
	in := &instance{
		decider: newDecider(s.cfg, spec.Policy, p, s.data), spec: spec, model: model,
		last: newObs(h), cur: newObs(h),
		partO: make([][timing.NumTiers][]float64, h),
		head:  make([]headMetrics, h), mark: make([]int32, n*h), probs: policy.NeedsProbs(spec.Policy),
	}
	if s.hw != nil {
		in.hw = s.hw.clone(h, s.data.Q.D)
	}
	if a, ok := p.(policy.Approximator); ok {
		in.approx = a
		in.logits = make([][]float64, h)
		for i := range in.logits {
			in.logits[i] = make([]float64, n)
		}
	}
	return in, nil
}

func newObs(h int) *policy.Obs {
	return &policy.Obs{
		Att: make([][]int, h), P: make([][]float64, h), S: make([][]float64, h),
		M: make([]float64, h), L: make([]float64, h), O: make([][]float64, h),
	}
}

// start builds the cache at prefill end and places it (no traffic).
func (in *instance) start(pf *policy.Prefill) { in.begin(pf, in.last) }

// step runs decode step t against the oracle.
func (in *instance) step(t int, or *oracle) error {
	ev := in.decide(t, in.last, in.cur.Att)
	for qh := range in.data.Q.H {
		in.head[qh].caote = in.evictionError(qh, ev)
	}
	in.cur.T = t
	in.attendAll(t, or)
	in.pol.Observe(in.cur)
	in.last, in.cur = in.cur, in.last
	return in.account(t)
}

// evictionError is CAOTE's error of the evictions of query head qh's kv
// head this step, under qh's last attention: the exact change of its
// output.
func (in *instance) evictionError(qh int, ev [][]int) float64 {
	if ev == nil {
		return 0
	}
	h := in.data.KVHead(qh)
	var e float64
	for _, j := range ev[h] {
		e += policy.CAOTEError(in.last.Prob(qh, j), in.last.O[qh], in.data.V.Row(h, j))
	}
	return e
}

// attendAll computes every head's split attention and metrics in
// parallel; the oracle's full output must already be set unless this is
// the reference instance (then it is this instance's output).
func (in *instance) attendAll(t int, or *oracle) {
	var wg sync.WaitGroup
	for h := range in.data.Q.H {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in.attend(t, h, or)
		}()
	}
	wg.Wait()
	if or.oFull == nil {
		or.oFull = in.cur.O
		for h := range in.data.Q.H {
			in.metrics(h, or)
		}
	}
}

// attend computes head h's output as one part per tier merged by
// log-sum-exp, and the probabilities of the attended tokens.
func (in *instance) attend(t, h int, or *oracle) {
	s := or.s[h]
	d := in.data.Q.D
	kvh := in.data.KVHead(h)
	v := func(j int) []float64 { return in.data.V.Row(kvh, j) }
	if in.approx != nil {
		s = in.logits[h]
		in.approx.Logits(t, h, in.cur.Att[h], s)
		v = func(j int) []float64 { return in.approx.Value(t, h, j) }
	}
	var parts [timing.NumTiers]split.Part
	for i := range parts {
		if len(in.partO[h][i]) != d {
			in.partO[h][i] = make([]float64, d)
		}
		parts[i] = split.Attend(s, in.parts[kvh][i], v, in.partO[h][i])
	}
	o := in.cur.O[h]
	if len(o) != d {
		o = make([]float64, d)
		in.cur.O[h] = o
	}
	m, l := split.Merge(parts[:], o)
	in.cur.M[h], in.cur.L[h] = m, l
	sv, p := in.cur.S[h][:0], in.cur.P[h][:0]
	for _, j := range in.cur.Att[h] {
		sv = append(sv, s[j])
	}
	if in.probs {
		for _, x := range sv {
			p = append(p, split.Prob(x, m, l))
		}
	}
	in.cur.S[h], in.cur.P[h] = sv, p
	if in.hw != nil {
		in.hw.row(t, h, kvh, in.parts[kvh])
	}
	if or.oFull != nil {
		in.metrics(h, or)
	}
}

// metrics compares head h's output and attended set with the oracle.
func (in *instance) metrics(h int, or *oracle) {
	hm := &in.head[h]
	hm.relL2, hm.cosine = compare(in.cur.O[h], or.oFull[h])
	if in.hw != nil {
		hm.hwRelL2, _ = compare(in.hw.out[h], or.oFull[h])
		hm.hwArith, _ = compare(in.hw.out[h], in.cur.O[h])
	}
	stamp := int32(or.t + 1)
	mark := in.mark[h*len(in.mark)/in.data.Q.H:]
	hm.kept = 0
	for _, j := range in.cur.Att[h] {
		hm.kept += or.pFull[h][j]
		mark[j] = stamp
	}
	hit := 0
	for _, j := range or.top[h] {
		if mark[j] == stamp {
			hit++
		}
	}
	hm.recall = float64(hit) / float64(len(or.top[h]))
}

// compare returns ||a-b|| / ||b|| and the cosine of a and b.
func compare(a, b []float64) (rel, cos float64) {
	var num, den, dot, na float64
	for i := range a {
		num += (a[i] - b[i]) * (a[i] - b[i])
		den += b[i] * b[i]
		dot += a[i] * b[i]
		na += a[i] * a[i]
	}
	if den == 0 {
		return math.Sqrt(num), 1
	}
	if na == 0 {
		return math.Sqrt(num / den), 0
	}
	return math.Sqrt(num / den), dot / math.Sqrt(na*den)
}

// account turns the step's traffic and work into a timing step, runs it
// and records the step's metrics.
func (in *instance) account(t int) error {
	var ts timing.Step
	cats := [numCats]*[timing.NumTiers][]int64{&ts.Background, &ts.PreSelect, &ts.Gather}
	for c := range cats {
		for i := range timing.NumTiers {
			cats[c][i] = in.mem.traffic[c][i].PerChannel
		}
	}
	d := int64(in.data.Q.D)
	for qh := range in.data.Q.H {
		n := 0
		for i, p := range in.parts[in.data.KVHead(qh)] {
			ts.AttnMACs[i] += int64(len(p)) * 2 * d
			if len(p) > 0 {
				n++
			}
		}
		ts.Parts = max(ts.Parts, n)
	}
	ts.SelectMACs, ts.Candidates = in.cost.SelectMACs, in.cost.Candidates
	ph, err := in.model.Step(ts)
	if err != nil {
		return fmt.Errorf("%s budget %d step %d: %w", in.spec.Policy, in.spec.Budget, t, err)
	}
	in.record(t, ph)
	return nil
}

// record stores the step's metrics, averaged over heads.
func (in *instance) record(t int, ph timing.Phases) {
	sm := StepMetrics{T: t, Phases: ph, Cycles: ph.Total}
	for _, hm := range in.head {
		sm.RelL2 += hm.relL2
		sm.Cosine += hm.cosine
		sm.KeptMass += hm.kept
		sm.Recall += hm.recall
		sm.CAOTEError += hm.caote
		sm.HWRelL2 += hm.hwRelL2
		sm.HWArith += hm.hwArith
	}
	n := float64(len(in.head))
	sm.RelL2 /= n
	sm.Cosine /= n
	sm.KeptMass /= n
	sm.Recall /= n
	sm.CAOTEError /= n
	sm.HWRelL2 /= n
	sm.HWArith /= n
	sm.Bytes, sm.Useful, sm.ByCategory = in.mem.stepBytes()
	for h := range in.data.Q.H {
		sm.Attended += len(in.last.Att[h])
	}
	in.steps = append(in.steps, sm)
}

// hardware is the optional fixed-point path: per-tier part states from
// the reference kernel, merged by the hardware merge unit.
type hardware struct {
	kern       *reference.Kernel
	unit       split.MergeUnit
	qc, kc, vc *reference.Codes
	in         reference.Format
	out        [][]float64 // per head: the merged output as reals
}

func newHardware(arith reference.Arith, q, k, v *reference.Tensor, scale float64) (*hardware, error) {
	kern, err := reference.NewKernel(arith, q.D, scale)
	if err != nil {
		return nil, err
	}
	kern.FitScales(q, k, v)
	u, err := split.NewMergeUnit(kern)
	if err != nil {
		return nil, err
	}
	return &hardware{
		kern: kern, unit: u,
		qc: kern.Quantize(q, kern.QFrac), kc: kern.Quantize(k, kern.KFrac), vc: kern.Quantize(v, kern.VFrac),
		in: reference.Format{Bits: arith.InBits, Frac: kern.VFrac},
	}, nil
}

// clone gives an instance its own output buffers.
func (hw *hardware) clone(heads, d int) *hardware {
	c := *hw
	c.out = make([][]float64, heads)
	for h := range c.out {
		c.out[h] = make([]float64, d)
	}
	return &c
}

// row computes query head h's fixed-point output of step t from its kv
// head kvh's parts into hw.out[h] (as reals); metrics compares it with the
// oracle.
func (hw *hardware) row(t, h, kvh int, parts [timing.NumTiers][]int) {
	var states [timing.NumTiers]reference.RowState
	ptrs := make([]*reference.RowState, 0, timing.NumTiers)
	for i, p := range parts {
		hw.unit.PartState(hw.qc.Row(h, t), hw.kc, hw.vc, kvh, p, &states[i])
		ptrs = append(ptrs, &states[i])
	}
	codes := make([]int64, hw.kc.D)
	if err := hw.unit.Merge(ptrs, codes); err != nil {
		panic(err) // every step attends to at least its own token
	}
	for d, c := range codes {
		hw.out[h][d] = hw.in.ToFloat(c)
	}
}
