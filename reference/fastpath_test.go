package reference

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// The tests here hold each fast path of the kernel (the vector loops, the
// clamp-free accumulator loops, RowMask) to the plain form of the same
// step, on random inputs that include the extreme codes and arithmetics
// whose accumulators saturate after a few keys. Each runs with the vector
// loops on (where the CPU has them) and off.

// dotPlain is the dot product summed left to right.
func dotPlain(q, kk []int64) int64 {
	var s int64
	for i, x := range q {
		s += x * kk[i]
	}
	return s
}

// updateClamped is the online-softmax step of ARITHMETIC.md written
// plainly: every accumulator clamped as it is computed.
func updateClamped(k *Kernel, st *RowState, t int64, v []int64) {
	a := k.A
	if !st.Started {
		st.Started, st.M, st.L = true, t, k.One()
		for d := range st.Acc {
			st.Acc[d] = k.One() * v[d]
		}
		return
	}
	alpha := k.Exp2Neg(max(t, st.M) - st.M)
	p := k.Exp2Neg(max(t, st.M) - t)
	st.M = max(t, st.M)
	pf := uint(a.ProbFrac)
	st.L = SatUnsigned((st.L*alpha)>>pf+p, a.SumBits)
	for d, x := range v {
		st.Acc[d] = SatSigned((st.Acc[d]*alpha)>>pf+p*x, a.AccBits)
	}
}

// forEachPath runs f with the vector loops off and, where the CPU has
// them, on.
func forEachPath(t *testing.T, f func(t *testing.T)) {
	saved := simd
	defer func() { simd = saved }()
	for _, on := range []bool{false, true} {
		if on && !saved {
			t.Log("no AVX2 on this CPU: only the portable loops are checked")
			continue
		}
		simd = on
		t.Run(fmt.Sprintf("simd=%v", on), f)
	}
}

// fastPathAriths are arithmetics from the widest codes to the narrowest
// accumulators Validate allows (acc_bits = prob_frac + 1 + in_bits), where
// a few keys of extreme values saturate.
var fastPathAriths = []string{
	"fixed16", "fixed12", "fixed8",
	"custom:acc_bits=32",
	"custom:in_bits=24,in_frac=20,coef_bits=9,coef_frac=8,score_frac=8,acc_bits=40",
	"custom:in_bits=24,in_frac=20,coef_bits=9,coef_frac=8,score_frac=8,acc_bits=48",
	"custom:in_bits=4,in_frac=2,prob_frac=28,sum_bits=34,acc_bits=33",
	"custom:prob_frac=4,lut_bits=1,sum_bits=6,acc_bits=21",
}

// randCodes fills x with in-bits codes: uniform, or (by kind) all the
// most negative code, all the largest, or alternating extremes.
func randCodes(rng *rand.Rand, x []int64, inBits int) {
	lo, hi := -(int64(1) << (inBits - 1)), int64(1)<<(inBits-1)-1
	kind := rng.IntN(6)
	for i := range x {
		switch kind {
		case 0:
			x[i] = lo
		case 1:
			x[i] = hi
		case 2:
			x[i] = []int64{lo, hi}[i%2]
		default:
			x[i] = lo + rng.Int64N(hi-lo+1)
		}
	}
}

var fastPathDims = []int{1, 3, 4, 5, 7, 8, 9, 13, 16, 31, 64, 67, 128}

// fastPathKernels returns the kernels of an arithmetic for every
// fastPathDims head dimension.
func fastPathKernels(t *testing.T, spec string) (Arith, []*Kernel) {
	t.Helper()
	a, err := ParseArith(spec)
	if err != nil {
		t.Fatal(err)
	}
	var ks []*Kernel
	for _, d := range fastPathDims {
		k, err := NewKernel(a, d, 0)
		if err != nil {
			t.Fatal(err)
		}
		ks = append(ks, k)
	}
	return a, ks
}

func TestDotFastPath(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(91, 92))
		for _, spec := range fastPathAriths {
			a, kernels := fastPathKernels(t, spec)
			for _, k := range kernels {
				d := k.D
				q, kk := make([]int64, d), make([]int64, d+3) // kk may be longer
				for range 200 {
					randCodes(rng, q, a.InBits)
					randCodes(rng, kk, a.InBits)
					if got, want := k.Dot(q, kk), dotPlain(q, kk); got != want {
						t.Fatalf("%s d=%d: Dot = %d, plain sum %d (q %v, k %v)", spec, d, got, want, q, kk[:d])
					}
				}
			}
		}
	})
}

// TestUpdateFastPath replays random key sequences through Update and the
// plainly clamped step side by side and compares the whole state after
// every key. The logits move by random steps, so that the max stays for
// runs of keys and jumps now and then (the rescaling branch); with the
// narrow accumulators the test also demands that saturation happened.
func TestUpdateFastPath(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(93, 94))
		for _, spec := range fastPathAriths {
			a, kernels := fastPathKernels(t, spec)
			saturated := 0
			for _, k := range kernels {
				d := k.D
				var fast, plain RowState
				v := make([]int64, d)
				for seq := range 30 {
					fast.Reset(d)
					plain.Reset(d)
					var logit int64
					for key := range 1 + rng.IntN(200) {
						logit += rng.Int64N(int64(3)<<a.ScoreFrac) - int64(2)<<a.ScoreFrac
						if rng.IntN(20) == 0 {
							logit += rng.Int64N(int64(8) << a.ScoreFrac)
						}
						randCodes(rng, v, a.InBits)
						k.Update(&fast, logit, v)
						before := append([]int64(nil), plain.Acc...)
						updateClamped(k, &plain, logit, v)
						saturated += countSaturated(a, plain.Acc, before)
						if fast.M != plain.M || fast.L != plain.L || fast.Started != plain.Started {
							t.Fatalf("%s d=%d seq %d key %d: M %d L %d, plain M %d L %d", spec, d, seq, key, fast.M, fast.L, plain.M, plain.L)
						}
						for i := range v {
							if fast.Acc[i] != plain.Acc[i] {
								t.Fatalf("%s d=%d seq %d key %d: acc[%d] = %d, plain %d", spec, d, seq, key, i, fast.Acc[i], plain.Acc[i])
							}
						}
					}
				}
			}
			if a.AccBits <= a.ProbFrac+1+a.InBits && saturated == 0 {
				t.Errorf("%s: no accumulator saturated; the test does not reach the clamp", spec)
			}
			t.Logf("%s: %d accumulator elements saturated", spec, saturated)
		}
	})
}

// countSaturated counts the accumulators at a bound of the acc_bits range
// that were not there before the step.
func countSaturated(a Arith, acc, before []int64) int {
	hi := int64(1)<<(a.AccBits-1) - 1
	n := 0
	for i, x := range acc {
		if (x == hi || x == -hi-1) && x != before[i] {
			n++
		}
	}
	return n
}

// TestRowMaskAgreesWithAllowed compares RowMask.Allows with Mask.Allowed
// on every (row, key) of masks that cover causal and bidirectional
// windows, global tokens, sinks (fewer and more than the window) and
// dense masks.
func TestRowMaskAgreesWithAllowed(t *testing.T) {
	var masks []Mask
	for _, causal := range []bool{false, true} {
		for _, dense := range []bool{false, true} {
			for _, w := range []int{0, 1, 2, 3, 5, 8, 40} {
				for _, g := range []int{0, 1, 3} {
					for _, s := range []int{0, 1, 4, 9} {
						masks = append(masks, Mask{N: 23, Window: w, Causal: causal, Global: g, Sinks: s, Dense: dense})
					}
				}
			}
		}
	}
	for _, m := range masks {
		if m.Validate() != nil {
			continue
		}
		for i := range m.N {
			r := m.Row(i)
			for j := range m.N {
				if got, want := r.Allows(j), m.Allowed(i, j); got != want {
					t.Fatalf("%+v row %d key %d: RowMask %+v allows %v, Allowed %v", m, i, j, r, got, want)
				}
			}
		}
	}
}

// TestTilesMatchRows compares Attend, which folds tiles of rows key by
// key, with Kernel.Row (one row, its keys from Mask.Keys) on every row, for
// masks with global tokens, sinks, both window kinds and dense, sequence
// lengths that leave a partial tile, and grouped K/V heads.
func TestTilesMatchRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(95, 96))
	for _, m := range []Mask{
		{Window: 5, Causal: true},
		{Window: 6, Global: 2, Sinks: 3},
		{Window: 3, Causal: true, Global: 1, Sinks: 12},
		{Window: 0, Sinks: 2},
		{Dense: true, Causal: true, Sinks: 1},
		{Dense: true, Global: 3},
		{Window: 40, Causal: true, Global: 9},
	} {
		for _, n := range []int{1, 7, 8, 9, 37} {
			if mm := (Mask{N: n, Global: m.Global, Sinks: m.Sinks}); mm.Validate() != nil {
				continue // more global tokens or sinks than rows
			}
			q, k, v := NewTensor(4, n, 12), NewTensor(2, n, 12), NewTensor(2, n, 12)
			for _, x := range []*Tensor{q, k, v} {
				for i := range x.Data {
					x.Data[i] = rng.NormFloat64()
				}
			}
			a, _ := Preset("fixed16")
			res, err := Attend(q, k, v, Options{Mask: m, Arith: a})
			if err != nil {
				t.Fatal(err)
			}
			kern, mm := res.Kernel, m
			mm.N = n
			qc, kc, vc := kern.Quantize(q, kern.QFrac), kern.Quantize(k, kern.KFrac), kern.Quantize(v, kern.VFrac)
			want := make([]int64, len(res.Codes))
			for h := range q.H {
				for i := range n {
					kern.Row(qc, kc, vc, mm, h, i, want)
				}
			}
			if !slices.Equal(res.Codes, want) {
				t.Fatalf("%+v n=%d: Attend's tiles differ from Kernel.Row", m, n)
			}
		}
	}
}
