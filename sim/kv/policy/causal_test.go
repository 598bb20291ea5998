package policy

import (
	"math"
	"slices"
	"testing"

	"github.com/swatsim/swatsim/reference"
)

// naivePrefill computes the prompt statistics from rows < p only.
func naivePrefill(d Data, p, w int) *Prefill {
	pf := &Prefill{P: p, W: w}
	for qh := range d.Q.H {
		col, win := make([]float64, p), make([]float64, p)
		var last, lastO []float64
		for i := range p {
			keys := upTo(i + 1)
			a, o := softmaxOut(d, qh, i, keys)
			for j, x := range a {
				col[j] += x
				if i >= p-w {
					win[j] += x
				}
			}
			last, lastO = a, o
		}
		pf.ColSum, pf.Window = append(pf.ColSum, col), append(pf.Window, win)
		pf.Last, pf.LastO = append(pf.Last, append(last, make([]float64, p-len(last))...)), append(pf.LastO, lastO)
	}
	return pf
}

func upTo(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// softmaxOut is query head qh's exact attention of row i over keys.
func softmaxOut(d Data, qh, i int, keys []int) (a, o []float64) {
	h := d.KVHead(qh)
	a = make([]float64, len(keys))
	m := math.Inf(-1)
	for r, j := range keys {
		a[r] = dot(d.Q.Row(qh, i), d.K.Row(h, j)) / math.Sqrt(float64(d.Q.D))
		m = math.Max(m, a[r])
	}
	var l float64
	for r := range a {
		a[r] = math.Exp(a[r] - m)
		l += a[r]
	}
	o = make([]float64, d.V.D)
	for r, j := range keys {
		a[r] /= l
		for c, x := range d.V.Row(h, j) {
			o[c] += a[r] * x
		}
	}
	return a, o
}

// trace is what a driver saw of a policy: attended sets, and the logits
// and values of an Approximator, per step.
type trace struct {
	atts   [][][]int
	logits [][][]float64
}

// drive runs a policy step by step as a closed loop would: before step t,
// fill(t) makes row t of Q, K and V available.
func drive(t *testing.T, name string, d Data, p Params, prompt, steps int, fill func(int)) trace {
	t.Helper()
	pol, err := New(name, d, p)
	if err != nil {
		t.Fatal(err)
	}
	pol.Start(naivePrefill(d, prompt, p.SnapWindow))
	var tr trace
	last := &Obs{T: prompt - 1, Att: make([][]int, d.Q.H), P: make([][]float64, d.Q.H), O: make([][]float64, d.Q.H)}
	for qh := range d.Q.H {
		last.Att[qh] = upTo(prompt)
		last.P[qh], last.O[qh] = softmaxOut(d, qh, prompt-1, last.Att[qh])
	}
	var c Cost
	for tt := prompt; tt < prompt+steps; tt++ {
		fill(tt)
		c.Reset(d.K.H)
		pol.Evict(tt, last, &c)
		pol.Append(tt, &c)
		obs := &Obs{T: tt, Att: make([][]int, d.Q.H), P: make([][]float64, d.Q.H), O: make([][]float64, d.Q.H)}
		var att [][]int
		for h := range d.K.H {
			att = append(att, slices.Clone(pol.Attended(tt, h, &c)))
		}
		var lg [][]float64
		for qh := range d.Q.H {
			obs.Att[qh] = att[d.KVHead(qh)]
			obs.P[qh], obs.O[qh] = softmaxOut(d, qh, tt, obs.Att[qh])
			if a, ok := pol.(Approximator); ok {
				s := make([]float64, d.Q.N)
				a.Logits(tt, qh, obs.Att[qh], s)
				for _, j := range obs.Att[qh] {
					lg = append(lg, []float64{s[j]})
					lg = append(lg, slices.Clone(a.Value(tt, qh, j)))
				}
			}
		}
		pol.Observe(obs)
		tr.atts, tr.logits = append(tr.atts, att), append(tr.logits, lg)
		last = obs
	}
	return tr
}

// TestPoliciesReadOnlyRowsUpToT: every policy, driven with tensors whose
// rows after the current step are NaN (filled one row per step, as the
// closed-loop model fills them), decides and computes exactly as with the
// whole tensors: no policy peeks ahead.
func TestPoliciesReadOnlyRowsUpToT(t *testing.T) {
	const h, kv, n, dim, prompt, steps = 4, 2, 96, 16, 48, 40
	full := randData(21, h, n, dim)
	full.K, full.V = firstHeads(full.K, kv), firstHeads(full.V, kv) // GQA: 2 query heads per kv head
	p := DefaultParams(24)
	p.SnapWindow, p.QuestPage, p.MoBABlock = 8, 8, 8
	p.KIVIGroup, p.KIVIResidual, p.PQResidual, p.PQBits = 8, 8, 8, 4
	p.ShadowRecent, p.ShadowOutliers, p.ShadowRank = 8, 1, 8
	for _, name := range Names {
		partial := Data{Q: nanAfter(full.Q, prompt), K: nanAfter(full.K, prompt), V: nanAfter(full.V, prompt)}
		fill := func(tt int) {
			for _, pair := range [][2]*reference.Tensor{{partial.Q, full.Q}, {partial.K, full.K}, {partial.V, full.V}} {
				for hh := range pair[0].H {
					copy(pair[0].Row(hh, tt), pair[1].Row(hh, tt))
				}
			}
		}
		want := drive(t, name, full, p, prompt, steps, func(int) {})
		got := drive(t, name, partial, p, prompt, steps, fill)
		for s := range steps {
			for hh := range kv {
				if !slices.Equal(got.atts[s][hh], want.atts[s][hh]) {
					t.Fatalf("%s t=%d kv head %d: attends %v with future rows unknown, %v with them", name, prompt+s, hh, got.atts[s][hh], want.atts[s][hh])
				}
			}
			for i := range want.logits[s] {
				if !slices.Equal(got.logits[s][i], want.logits[s][i]) {
					t.Fatalf("%s t=%d: logits/values differ with future rows unknown: %v vs %v", name, prompt+s, got.logits[s][i], want.logits[s][i])
				}
			}
		}
	}
}

// nanAfter copies x with rows >= from set to NaN.
func nanAfter(x *reference.Tensor, from int) *reference.Tensor {
	y := reference.NewTensor(x.H, x.N, x.D)
	copy(y.Data, x.Data)
	for h := range x.H {
		for j := from; j < x.N; j++ {
			for c := range x.D {
				y.Row(h, j)[c] = math.NaN()
			}
		}
	}
	return y
}

// firstHeads is a copy of x's first n heads.
func firstHeads(x *reference.Tensor, n int) *reference.Tensor {
	y := reference.NewTensor(n, x.N, x.D)
	copy(y.Data, x.Data[:len(y.Data)])
	return y
}
