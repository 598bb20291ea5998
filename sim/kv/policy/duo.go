package policy

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// duo is DuoAttention: heads are split into retrieval heads, which keep
// the full cache, and streaming heads, which keep S sinks and the last
// B-S tokens (a SWAT window ring). The round(frac*H) retrieval heads are
// those with the largest calibration error: per head, the mean relative
// L2 error of streaming attention against full attention over the
// prompt's last DuoCalibQueries queries (ties: the lower head index).
type duo struct {
	base
	retrieval []bool
	calib     []float64 // per head: the calibration error
}

func newDuo(b base) (*duo, error) {
	p := b.p
	switch {
	case !(p.DuoRetrievalFrac >= 0 && p.DuoRetrievalFrac <= 1):
		return nil, fmt.Errorf("duo: --retrieval-frac (kv.policy.duo_retrieval_frac) = %g: must be in [0, 1]", p.DuoRetrievalFrac)
	case p.Sinks < 0 || p.Budget <= p.Sinks:
		return nil, fmt.Errorf("duo: budget = %d with sinks = %d: need 0 <= sinks < budget (the streaming heads' window = budget - sinks >= 1)", p.Budget, p.Sinks)
	case p.DuoCalibQueries < 1:
		return nil, fmt.Errorf("duo: kv.policy.duo_calib_queries = %d: must be >= 1", p.DuoCalibQueries)
	}
	return &duo{base: b, retrieval: make([]bool, b.heads)}, nil
}

// Start calibrates the heads on the prompt and keeps the streaming heads'
// sinks and window.
func (d *duo) Start(pf *Prefill) {
	d.startAll(pf.P)
	d.calib = make([]float64, d.heads)
	for h := range d.heads {
		d.calib[h] = d.calibrate(h, pf.P)
	}
	idx := make([]int, d.heads)
	for h := range idx {
		idx[h] = h
	}
	sort.SliceStable(idx, func(a, b int) bool { return d.calib[idx[a]] > d.calib[idx[b]] })
	for _, h := range idx[:int(math.Round(d.p.DuoRetrievalFrac*float64(d.heads)))] {
		d.retrieval[h] = true
	}
	d.Evict(pf.P, nil, nil)
}

// calibrate is kv head h's relative error of streaming attention over
// the last prompt queries, averaged over them and summed over the group's
// query heads.
func (d *duo) calibrate(h, p int) float64 {
	first := max(0, p-d.p.DuoCalibQueries)
	lo, hi := d.queries(h)
	var e float64
	for qh := lo; qh < hi; qh++ {
		for i := first; i < p; i++ {
			full := d.attend(qh, i, 0, i+1)
			win := d.attend(qh, i, d.p.Sinks, d.p.Budget-d.p.Sinks)
			e += relL2(win, full)
		}
	}
	return e / float64(p-first)
}

// attend is query head qh's float64 attention of query i over the sinks
// tokens 0..sinks-1 and the last window tokens up to i.
func (d *duo) attend(qh, i, sinks, window int) []float64 {
	q, h := d.data.Q.Row(qh, i), qh/d.group
	scale := scaleOf(d.p, d.data.K.D)
	var keys []int
	for j := 0; j <= i; j++ {
		if j < sinks || j > i-window {
			keys = append(keys, j)
		}
	}
	s := make([]float64, len(keys))
	m := math.Inf(-1)
	for r, j := range keys {
		s[r] = dot(q, d.data.K.Row(h, j)) * scale
		m = math.Max(m, s[r])
	}
	o := make([]float64, d.data.V.D)
	var l float64
	for r, j := range keys {
		e := math.Exp(s[r] - m)
		l += e
		for c, x := range d.data.V.Row(h, j) {
			o[c] += e * x
		}
	}
	for c := range o {
		o[c] /= l
	}
	return o
}

// relL2 is ||a-b|| / ||b|| (||a-b|| when b = 0).
func relL2(a, b []float64) float64 {
	var num, den float64
	for i := range a {
		num += (a[i] - b[i]) * (a[i] - b[i])
		den += b[i] * b[i]
	}
	if den == 0 {
		return math.Sqrt(num)
	}
	return math.Sqrt(num / den)
}

// Evict drops the streaming heads' oldest non-sink tokens.
func (d *duo) Evict(int, *Obs, *Cost) [][]int {
	return d.slideWindow(func(h int) bool { return !d.retrieval[h] })
}

// Retrieval reports whether head h is a retrieval head.
func (d *duo) Retrieval(h int) bool { return d.retrieval[h] }

// Describe lists the retrieval heads and every head's calibration error.
func (d *duo) Describe() string {
	var r, e []string
	for h, ok := range d.retrieval {
		if ok {
			r = append(r, fmt.Sprint(h))
		}
		e = append(e, fmt.Sprintf("%.4g", d.calib[h]))
	}
	return fmt.Sprintf("duo: retrieval kv heads [%s] of %d (the others stream: %d sinks + %d recent); calibration error per kv head [%s]",
		strings.Join(r, " "), d.heads, d.p.Sinks, d.p.Budget-d.p.Sinks, strings.Join(e, " "))
}
