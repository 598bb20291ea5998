package reference

import (
	"fmt"
	"math"
)

// Log2E is log2(e), the factor that turns natural logits into base-2 ones.
var Log2E = 1 / math.Ln2

// Kernel is the fixed-point datapath of one design point: an Arith bound
// to a head dimension and a softmax scale, with its constants (the score
// coefficient and the exp LUT) computed once. Its methods are the function
// units of ARITHMETIC.md.
type Kernel struct {
	A      Arith
	D      int
	Coef   int64   // c = RNE(scale * log2(e) * 2^CoefFrac)
	ExpLUT []int64 // E[k] = RNE(2^ProbFrac * 2^(-k / 2^LUTBits)), k = 0..2^LUTBits
	// QFrac, KFrac and VFrac are the fraction bits of the Q, K and V codes
	// (InFrac unless AutoScale picked per-tensor scales); O uses VFrac.
	QFrac, KFrac, VFrac int
}

// NewKernel builds the datapath for head dimension d and softmax scale
// (scale <= 0 means 1/sqrt(d)).
func NewKernel(a Arith, d int, scale float64) (*Kernel, error) {
	if a.Float {
		return nil, fmt.Errorf("arith %s: the float64 path has no fixed-point kernel", a.Name)
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if err := a.CheckHeadDim(d); err != nil {
		return nil, err
	}
	if scale <= 0 {
		scale = 1 / math.Sqrt(float64(d))
	}
	c := math.RoundToEven(scale * Log2E * math.Ldexp(1, a.CoefFrac))
	if !(c >= 1 && c < math.Ldexp(1, a.CoefBits)) { // also rejects NaN
		return nil, fmt.Errorf("scale = %g: coefficient %g does not fit coef_bits = %d with coef_frac = %d (allowed scale < %g)",
			scale, c, a.CoefBits, a.CoefFrac, math.Ldexp(1, a.CoefBits-a.CoefFrac)/Log2E)
	}
	k := &Kernel{A: a, D: d, Coef: int64(c), QFrac: a.InFrac, KFrac: a.InFrac, VFrac: a.InFrac}
	k.ExpLUT = ExpTable(a.LUTBits, a.ProbFrac)
	return k, nil
}

// ScoreShift is the right shift that takes s*c to the logit format:
// QFrac + KFrac + CoefFrac - ScoreFrac (>= 0 by Validate).
func (k *Kernel) ScoreShift() int { return k.QFrac + k.KFrac + k.A.CoefFrac - k.A.ScoreFrac }

// ScaleFor is the per-tensor fraction width AutoScale picks for data whose
// largest magnitude is maxAbs: the largest f <= InFrac with
// RNE(maxAbs * 2^f) <= 2^(InBits-1) - 1 (0 at the least).
func (a Arith) ScaleFor(maxAbs float64) int {
	if !a.AutoScale {
		return a.InFrac
	}
	lim := float64(int64(1)<<(a.InBits-1) - 1)
	f := a.InFrac
	for f > 0 && math.RoundToEven(math.Ldexp(maxAbs, f)) > lim {
		f--
	}
	return f
}

// FitScales sets QFrac, KFrac and VFrac from the data (AutoScale) or to
// InFrac.
func (k *Kernel) FitScales(q, kk, v *Tensor) {
	k.QFrac, k.KFrac, k.VFrac = k.A.ScaleFor(maxAbs(q.Data)), k.A.ScaleFor(maxAbs(kk.Data)), k.A.ScaleFor(maxAbs(v.Data))
}

func maxAbs(x []float64) float64 {
	m := 0.0
	for _, y := range x {
		m = math.Max(m, math.Abs(y))
	}
	return m
}

// ExpTable returns the exp LUT: 2^lutBits+1 entries of 2^-(k/2^lutBits) in
// UQ1.probFrac, rounded half to even.
func ExpTable(lutBits, probFrac int) []int64 {
	n := 1 << lutBits
	t := make([]int64, n+1)
	for k := range t {
		t[k] = int64(math.RoundToEven(math.Ldexp(math.Exp2(-float64(k)/float64(n)), probFrac)))
	}
	return t
}

// One is the code of 1.0 in the probability format.
func (k *Kernel) One() int64 { return int64(1) << k.A.ProbFrac }

// Dot is the exact integer dot product of two rows of input codes
// (in_bits-wide signed values, as everywhere in ARITHMETIC.md). int64
// addition is associative (wrapping included), so the vector and
// interleaved partial sums below equal a left-to-right sum.
func (k *Kernel) Dot(q, kk []int64) int64 {
	kk = kk[:len(q)]
	if !simd {
		return dotGo(q, kk)
	}
	n := len(q) &^ 7
	s := dotAVX2(q[:n], kk[:n])
	if n < len(q) {
		s += dotGo(q[n:], kk[n:])
	}
	return s
}

// dotGo is the portable dot product: four interleaved partial sums.
func dotGo(q, kk []int64) int64 {
	var s0, s1, s2, s3 int64
	kk = kk[:len(q)]
	i := 0
	for ; i+4 <= len(q); i += 4 {
		a, b := q[i:i+4:i+4], kk[i:i+4:i+4]
		s0 += a[0] * b[0]
		s1 += a[1] * b[1]
		s2 += a[2] * b[2]
		s3 += a[3] * b[3]
	}
	for ; i < len(q); i++ {
		s0 += q[i] * kk[i]
	}
	return s0 + s1 + s2 + s3
}

// Score turns a dot product into the base-2 logit t: floor(s*c / 2^shift),
// saturated to ScoreBits.
func (k *Kernel) Score(dot int64) int64 {
	return SatSigned(ShiftRound(dot*k.Coef, k.ScoreShift(), Truncate), k.A.ScoreBits)
}

// Exp2Neg is the exp unit: 2^(-x / 2^ScoreFrac) for x >= 0 in UQ1.ProbFrac.
func (k *Kernel) Exp2Neg(x int64) int64 {
	a := &k.A
	xi := x >> uint(a.ScoreFrac)
	xf := x & (int64(1)<<uint(a.ScoreFrac) - 1)
	lowBits := uint(a.ScoreFrac - a.LUTBits)
	idx := xf >> lowBits
	v := k.ExpLUT[idx]
	if a.Interp {
		r := xf & (int64(1)<<lowBits - 1)
		v -= ((v - k.ExpLUT[idx+1]) * r) >> lowBits
	}
	if xi > int64(a.ProbFrac) {
		return 0
	}
	return v >> uint(xi)
}

// RowState is one processing element's running softmax state for one query
// row: running max M (a logit code), row sum L and accumulators Acc.
type RowState struct {
	Started bool
	M       int64
	L       int64
	Acc     []int64
}

// Reset empties the state for a new row.
func (st *RowState) Reset(d int) {
	st.Started, st.M, st.L = false, 0, 0
	if cap(st.Acc) < d {
		st.Acc = make([]int64, d)
	}
	st.Acc = st.Acc[:d]
	clear(st.Acc)
}

// Update folds one key (its logit t and value row v, in_bits codes) into
// the row state: the online-softmax step of ARITHMETIC.md.
//
// The accumulator loops run without the per-element clamp: each computes
// the unclamped value (the same int64 expression as the clamped step),
// stores it and notes whether any element left the acc_bits range; only
// then is the row clamped, which leaves the elements in range unchanged.
// The result is therefore that of clamping every element (updateClamped in
// the tests is the plain form it is checked against).
func (k *Kernel) Update(st *RowState, t int64, v []int64) {
	if !st.Started {
		st.Started, st.M = true, t
		p := k.One()
		st.L = p
		for d := range st.Acc {
			st.Acc[d] = p * v[d]
		}
		return
	}
	acc, accBits := st.Acc, k.A.AccBits
	if t <= st.M {
		// The max stays: alpha = Exp2Neg(0) = One and (x*One)>>ProbFrac = x,
		// so the rescaling is the identity and is skipped.
		p := k.Exp2Neg(st.M - t)
		st.L = SatUnsigned(st.L+p, k.A.SumBits)
		if !addScaled(acc, p, v, accBits) {
			satRow(acc, accBits)
		}
		return
	}
	alpha := k.Exp2Neg(t - st.M)
	p := k.Exp2Neg(0)
	st.M = t
	pf := uint(k.A.ProbFrac)
	st.L = SatUnsigned((st.L*alpha)>>pf+p, k.A.SumBits)
	if !rescaleAdd(acc, alpha, pf, p, v, accBits) {
		satRow(acc, accBits)
	}
}

// addScaled sets acc[d] += p*v[d] (unclamped; p a probability, v codes)
// and reports whether every result fits in a signed width.
func addScaled(acc []int64, p int64, v []int64, width int) bool {
	v = v[:len(acc)]
	bias := int64(1) << uint(width-1)
	if !simd || p != int64(int32(p)) { // p <= One fits, unless ExpLUT was edited
		return addScaledGo(acc, p, v, bias)>>uint(width) == 0
	}
	n := len(acc) &^ 7
	w := addScaledAVX2(acc[:n], p, v[:n], bias)
	if n < len(acc) {
		w |= addScaledGo(acc[n:], p, v[n:], bias)
	}
	return w>>uint(width) == 0
}

// addScaledGo is the portable addScaled loop. It returns the OR of every
// result y plus bias = 2^(width-1): y lies in [-bias, bias-1] iff
// uint64(y+bias) < 2^width, and so every y does iff the OR is below 2^width.
func addScaledGo(acc []int64, p int64, v []int64, bias int64) uint64 {
	v = v[:len(acc)]
	var w0, w1 uint64
	d := 0
	for ; d+4 <= len(acc); d += 4 {
		a, x := acc[d:d+4:d+4], v[d:d+4:d+4]
		y0, y1, y2, y3 := a[0]+p*x[0], a[1]+p*x[1], a[2]+p*x[2], a[3]+p*x[3]
		a[0], a[1], a[2], a[3] = y0, y1, y2, y3
		w0 |= uint64(y0+bias) | uint64(y1+bias)
		w1 |= uint64(y2+bias) | uint64(y3+bias)
	}
	for ; d < len(acc); d++ {
		y := acc[d] + p*v[d]
		acc[d] = y
		w0 |= uint64(y + bias)
	}
	return w0 | w1
}

// rescaleAdd sets acc[d] = (acc[d]*alpha)>>pf + p*v[d] (unclamped) and
// reports whether every result fits in a signed width (as addScaled).
func rescaleAdd(acc []int64, alpha int64, pf uint, p int64, v []int64, width int) bool {
	v = v[:len(acc)]
	bias := int64(1) << uint(width-1)
	var w uint64
	for d, x := range v {
		y := (acc[d]*alpha)>>pf + p*x
		acc[d] = y
		w |= uint64(y + bias)
	}
	return w>>uint(width) == 0
}

// satRow saturates every element of acc to a signed width.
func satRow(acc []int64, width int) {
	for d, y := range acc {
		acc[d] = SatSigned(y, width)
	}
}

// Recip is the reciprocal unit: for l > 0 it returns r and n with
// r = floor(2^(SumBits-1+RecipBits) / (l << (SumBits-1-n))), n the position
// of l's leading one, so that 1/l = r * 2^-(RecipBits+n).
func (k *Kernel) Recip(l int64) (r uint64, n int) {
	sb := k.A.SumBits
	for n = sb - 1; n > 0 && l>>uint(n) == 0; n-- {
	}
	ln := uint64(l) << uint(sb-1-n)
	num := new128(sb - 1 + k.A.RecipBits)
	return div128(num, ln), n
}

// Finish is the deferred division at the row's end: o = RNE(acc * r /
// 2^(RecipBits+n)), saturated to InBits.
func (k *Kernel) Finish(st *RowState, out []int64) {
	r, n := k.Recip(st.L)
	for d, acc := range st.Acc {
		out[d] = SatSigned(MulShiftRNE(acc, r, k.A.RecipBits+n), k.A.InBits)
	}
}

type u128 struct{ hi, lo uint64 }

func new128(pow int) u128 {
	hi, lo := pow2_128(pow)
	return u128{hi, lo}
}

// div128 returns floor(num / d) for a quotient that fits in 64 bits.
func div128(num u128, d uint64) uint64 {
	var q, rem uint64
	for i := 127; i >= 0; i-- {
		bit := num.lo >> uint(i) & 1
		if i >= 64 {
			bit = num.hi >> uint(i-64) & 1
		}
		carry := rem >> 63
		rem = rem<<1 | bit
		q <<= 1
		if carry == 1 || rem >= d {
			rem -= d
			q |= 1
		}
	}
	return q
}
