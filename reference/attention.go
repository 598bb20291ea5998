package reference

import (
	"fmt"
	"math"
	"runtime"
	"sync"
)

// Options selects the attention computed by Attend.
type Options struct {
	Mask  Mask    // N is taken from the inputs
	Scale float64 // softmax scale; <= 0 means 1/sqrt(D)
	Arith Arith   // float64 or a fixed-point arithmetic
}

// Result is the output of Attend: O in float64 and, for a fixed-point
// arithmetic, the integer output codes.
type Result struct {
	O         *Tensor
	Codes     []int64    // O's codes (InBits wide, VFrac fraction bits); nil for float64
	Kernel    *Kernel    // the fixed-point datapath used; nil for float64
	Saturated Saturation // fixed point: input elements clipped to the code range
}

// Saturation counts the input elements that a fixed-point datapath clipped
// to its largest or smallest code (their magnitude exceeds the format even
// at the smallest fraction width).
type Saturation struct {
	Q int `json:"q"`
	K int `json:"k"`
	V int `json:"v"`
}

// Total is the number of clipped elements.
func (s Saturation) Total() int { return s.Q + s.K + s.V }

// Attend computes masked softmax attention of q, k and v ([N,D] or
// [H,N,D]; k and v may have fewer heads than q, a divisor of them:
// query head h then uses K/V head h / (q heads / k heads)) with the given
// options. Heads and rows run in parallel; the result does not depend on
// the parallelism.
func Attend(q, k, v *Tensor, opt Options) (*Result, error) {
	if err := CheckGQA(q, k, v); err != nil {
		return nil, err
	}
	if math.IsNaN(opt.Scale) || math.IsInf(opt.Scale, 0) {
		return nil, fmt.Errorf("scale = %v: must be finite (<= 0 selects 1/sqrt(head_dim))", opt.Scale)
	}
	m := opt.Mask
	m.N = q.N
	if err := m.Validate(); err != nil {
		return nil, err
	}
	o := NewTensor(0, q.N, q.D)
	o.H, o.Rank = q.H, q.Rank
	o.Data = make([]float64, len(q.Data))
	res := &Result{O: o}
	if opt.Arith.Float {
		return res, attendFloat(q, k, v, o, m, opt.Scale)
	}
	kern, err := NewKernel(opt.Arith, q.D, opt.Scale)
	if err != nil {
		return nil, err
	}
	kern.FitScales(q, k, v)
	qc, kc, vc := kern.Quantize(q, kern.QFrac), kern.Quantize(k, kern.KFrac), kern.Quantize(v, kern.VFrac)
	res.Saturated = Saturation{Q: kern.Saturated(q, kern.QFrac), K: kern.Saturated(k, kern.KFrac), V: kern.Saturated(v, kern.VFrac)}
	res.Codes = make([]int64, len(q.Data))
	forTiles(q.H, q.N, tileRows, func() func(h, i0, i1 int) {
		var s tileScratch
		return func(h, i0, i1 int) { kern.tile(&s, qc, kc, vc, m, h, i0, i1, res.Codes) }
	})
	res.Kernel = kern
	in := Format{Bits: opt.Arith.InBits, Frac: kern.VFrac}
	for i, c := range res.Codes {
		o.Data[i] = in.ToFloat(c)
	}
	return res, nil
}

// Quantize converts a tensor to InBits-wide codes with frac fraction bits
// (round half to even, saturating).
func (k *Kernel) Quantize(t *Tensor, frac int) *Codes {
	c := &Codes{H: t.H, N: t.N, D: t.D, Data: make([]int64, len(t.Data))}
	f := Format{Bits: k.A.InBits, Frac: frac}
	for i, x := range t.Data {
		c.Data[i] = f.Quantize(x, RoundHalfEven)
	}
	return c
}

// Saturated counts the elements of t that Quantize(t, frac) clips.
func (k *Kernel) Saturated(t *Tensor, frac int) int {
	f := Format{Bits: k.A.InBits, Frac: frac}
	lo, hi := float64(f.Min()), float64(f.Max())
	n := 0
	for _, x := range t.Data {
		if y := math.RoundToEven(math.Ldexp(x, frac)); y > hi || y < lo {
			n++
		}
	}
	return n
}

// Codes is a row-major [H, N, D] array of fixed-point codes.
type Codes struct {
	H, N, D int
	Data    []int64
}

// Row returns row i of head h.
func (c *Codes) Row(h, i int) []int64 {
	o := (h*c.N + i) * c.D
	return c.Data[o : o+c.D]
}

// Row computes output row i of head h into out (a [H,N,D] code array):
// keys in ascending order, online softmax, division at the end. kc and v
// may have fewer heads than q (grouped-query attention).
func (k *Kernel) Row(q, kc, v *Codes, m Mask, h, i int, out []int64) {
	var s rowScratch
	k.row(&s, q, kc, v, m, h, i, out)
}

// rowScratch is one worker's reusable key list and row state.
type rowScratch struct {
	keys []int
	st   RowState
}

func (k *Kernel) row(s *rowScratch, q, kc, v *Codes, m Mask, h, i int, out []int64) {
	s.st.Reset(k.D)
	s.keys = m.Keys(i, s.keys)
	qi := q.Row(h, i)
	kvh := h / (q.H / kc.H)
	for _, j := range s.keys {
		k.Update(&s.st, k.Score(k.Dot(qi, kc.Row(kvh, j))), v.Row(kvh, j))
	}
	o := (h*q.N + i) * q.D
	k.Finish(&s.st, out[o:o+q.D])
}

// tileRows is the number of query rows Attend folds together, key by key.
const tileRows = 8

// tileScratch is one worker's reusable row states and masks for a tile.
type tileScratch struct {
	st   [tileRows]RowState
	mask [tileRows]RowMask
}

// tile computes output rows i0..i1-1 (at most tileRows) of head h into out
// key by key: each key that some row of the tile attends to, in ascending
// order, goes to every row that attends to it. Each row so folds exactly
// its keys (Mask.Keys) in ascending order, as row does, while the key's K
// and V rows stay in the CPU's cache for the whole tile.
func (k *Kernel) tile(s *tileScratch, q, kc, v *Codes, m Mask, h, i0, i1 int, out []int64) {
	n, kvh := i1-i0, h/(q.H/kc.H)
	pinned, lo, hi := 0, m.N, -1
	for r := range n {
		s.mask[r] = m.Row(i0 + r)
		s.st[r].Reset(k.D)
		pinned, lo, hi = max(pinned, s.mask[r].Pinned), min(lo, s.mask[r].Lo), max(hi, s.mask[r].Hi)
	}
	// The tile's keys: [0, pinned) and [lo, hi], skipping the gap between.
	for j := 0; j < max(pinned, hi+1); j++ {
		if j == pinned && j < lo {
			j = lo
			if j > hi {
				break
			}
		}
		kj, vj := kc.Row(kvh, j), v.Row(kvh, j)
		for r := range n {
			if s.mask[r].Allows(j) {
				k.Update(&s.st[r], k.Score(k.Dot(q.Row(h, i0+r), kj)), vj)
			}
		}
	}
	for r := range n {
		o := (h*q.N + i0 + r) * q.D
		k.Finish(&s.st[r], out[o:o+q.D])
	}
}

// floatScratch is one worker's reusable key list and score buffer.
type floatScratch struct {
	keys []int
	s    []float64
}

// attendFloat computes the float64 path into o. A row whose direct
// evaluation leaves the float64 range is recomputed overflow-safely
// (floatRowSafe); if its logits themselves exceed the range, the error
// names the first such row.
func attendFloat(q, k, v, o *Tensor, m Mask, scale float64) error {
	var mu sync.Mutex
	bad := -1
	forRows(q.H, q.N, func() func(h, i int) {
		var s floatScratch
		return func(h, i int) {
			if floatRow(&s, q, k, v, o, m, scale, h, i) || floatRowSafe(&s, q, k, v, o, m, scale, h, i) {
				return
			}
			mu.Lock()
			if r := h*q.N + i; bad < 0 || r < bad {
				bad = r
			}
			mu.Unlock()
		}
	})
	if bad < 0 {
		return nil
	}
	h, i := bad/q.N, bad%q.N
	return fmt.Errorf("float64 attention overflows at head %d, row %d: the logits q.k*scale exceed the float64 range (max |q| = %g, max |k| = %g); rescale the inputs",
		h, i, maxAbs(q.Row(h, i)), maxAbs(k.Data[h*k.N*k.D:(h+1)*k.N*k.D]))
}

// floatRow computes output row i of head h directly and reports whether
// every value stayed finite.
func floatRow(sc *floatScratch, q, k, v, o *Tensor, m Mask, scale float64, h, i int) bool {
	if scale <= 0 {
		scale = 1 / math.Sqrt(float64(q.D))
	}
	sc.keys = m.Keys(i, sc.keys)
	keys := sc.keys
	if cap(sc.s) < len(keys) {
		sc.s = make([]float64, len(keys))
	}
	s := sc.s[:len(keys)]
	qi := q.Row(h, i)
	kvh := h / GroupSize(q, k)
	mx := math.Inf(-1)
	for n, j := range keys {
		var dot float64
		for d, x := range k.Row(kvh, j) {
			dot += qi[d] * x
		}
		s[n] = dot * scale
		mx = math.Max(mx, s[n])
	}
	sum := expShifted(s, mx)
	oi := o.Row(h, i)
	for n, j := range keys {
		for d, x := range v.Row(kvh, j) {
			oi[d] += s[n] * x
		}
	}
	for d := range oi {
		oi[d] /= sum
	}
	return allFinite(oi)
}

// expShifted replaces each logit x by exp(x - mx) and returns their sum.
func expShifted(s []float64, mx float64) float64 {
	var sum float64
	for n := range s {
		s[n] = math.Exp(s[n] - mx)
		sum += s[n]
	}
	return sum
}

func allFinite(x []float64) bool {
	for _, y := range x {
		if math.IsNaN(y) || math.IsInf(y, 0) {
			return false
		}
	}
	return true
}

// floatRowSafe is floatRow without intermediate overflow: each dot product
// is taken over the rows divided by their largest magnitudes and scaled
// back once, and the output is a convex combination of the value rows
// (weights normalised before accumulating), so it stays within their
// range. It reports false when a logit itself exceeds the float64 range.
func floatRowSafe(sc *floatScratch, q, k, v, o *Tensor, m Mask, scale float64, h, i int) bool {
	if scale <= 0 {
		scale = 1 / math.Sqrt(float64(q.D))
	}
	keys := m.Keys(i, sc.keys)
	s := sc.s[:len(keys)]
	qi := q.Row(h, i)
	sq := maxAbs(qi)
	mx := math.Inf(-1)
	for n, j := range keys {
		kj := k.Row(h, j)
		sk := maxAbs(kj)
		var dot float64
		if sq > 0 && sk > 0 {
			for d, x := range kj {
				dot += (qi[d] / sq) * (x / sk)
			}
		}
		s[n] = dot * scale * sq * sk
		if math.IsInf(s[n], 0) || math.IsNaN(s[n]) {
			return false
		}
		mx = math.Max(mx, s[n])
	}
	sum := expShifted(s, mx)
	oi := o.Row(h, i)
	clear(oi)
	for n, j := range keys {
		p := s[n] / sum
		for d, x := range v.Row(h, j) {
			oi[d] += p * x
		}
	}
	return allFinite(oi)
}

// forRows runs a row function over every (head, row) pair on all CPUs;
// each worker gets its own from newWorker (for its scratch state).
func forRows(heads, n int, newWorker func() func(h, i int)) {
	forTiles(heads, n, 1, func() func(h, i0, i1 int) {
		f := newWorker()
		return func(h, i0, _ int) { f(h, i0) }
	})
}

// forTiles runs a tile function over every head's rows, in tiles of up to
// size consecutive rows [i0, i1), on all CPUs; each worker gets its own
// from newWorker (for its scratch state).
func forTiles(heads, n, size int, newWorker func() func(h, i0, i1 int)) {
	workers := runtime.GOMAXPROCS(0)
	perHead := (n + size - 1) / size
	total := heads * perHead
	var wg sync.WaitGroup
	chunk := (total + workers - 1) / workers
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min(total, (w+1)*chunk)
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := newWorker()
			for t := lo; t < hi; t++ {
				i0 := t % perHead * size
				f(t/perHead, i0, min(n, i0+size))
			}
		}()
	}
	wg.Wait()
}

// Errors are the error metrics of an output against the float64 reference.
type Errors struct {
	MaxAbs float64 `json:"max_abs"`
	RelL2  float64 `json:"rel_l2"`
	Cosine float64 `json:"cosine"`
}

// Compare measures got against want (same length).
func Compare(got, want []float64) (Errors, error) {
	if len(got) != len(want) {
		return Errors{}, fmt.Errorf("compare: %d values against %d", len(got), len(want))
	}
	var e Errors
	var num, den, dot, ng, nw float64
	for i := range got {
		d := got[i] - want[i]
		e.MaxAbs = math.Max(e.MaxAbs, math.Abs(d))
		num += d * d
		den += want[i] * want[i]
		dot += got[i] * want[i]
		ng += got[i] * got[i]
		nw += want[i] * want[i]
	}
	e.RelL2 = math.Sqrt(num / den)
	e.Cosine = dot / math.Sqrt(ng*nw)
	if den == 0 {
		e.RelL2 = math.Sqrt(num)
	}
	if ng == 0 || nw == 0 {
		e.Cosine = 0
		if ng == nw {
			e.Cosine = 1
		}
	}
	return e, nil
}
