package split

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/swatsim/swatsim/reference"
)

func randQKV(seed uint64, h, n, d int) (q, k, v *reference.Tensor) {
	rng := rand.New(rand.NewPCG(seed, 7))
	mk := func(s float64) *reference.Tensor {
		t := reference.NewTensor(h, n, d)
		for i := range t.Data {
			t.Data[i] = s * rng.NormFloat64()
		}
		return t
	}
	return mk(1.5), mk(1.5), mk(1)
}

// logits returns s_j = q_i.k_j / sqrt(D) for j <= i, computed as the
// reference float64 row computes them.
func logits(q, k *reference.Tensor, h, i int) []float64 {
	scale := 1 / math.Sqrt(float64(q.D))
	s := make([]float64, i+1)
	qi := q.Row(h, i)
	for j := range s {
		var dot float64
		for d, x := range k.Row(h, j) {
			dot += qi[d] * x
		}
		s[j] = dot * scale
	}
	return s
}

// randomPartition assigns each of the keys 0..i to one of np parts at
// random; each part keeps ascending order.
func randomPartition(rng *rand.Rand, i, np int) [][]int {
	parts := make([][]int, np)
	for j := 0; j <= i; j++ {
		p := rng.IntN(np)
		parts[p] = append(parts[p], j)
	}
	return parts
}

func TestMergeOfRandomPartitionsEqualsDense(t *testing.T) {
	const h, n, d = 2, 96, 16
	q, k, v := randQKV(1, h, n, d)
	dense, err := reference.Attend(q, k, v, reference.Options{Mask: reference.Mask{Causal: true, Dense: true}, Arith: reference.Arith{Float: true}})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(2, 3))
	for _, np := range []int{1, 2, 3, 5, 17} {
		for trial := 0; trial < 40; trial++ {
			hh, i := rng.IntN(h), rng.IntN(n)
			s := logits(q, k, hh, i)
			var ps []Part
			for _, idx := range randomPartition(rng, i, np) {
				ps = append(ps, Attend(s, idx, func(j int) []float64 { return v.Row(hh, j) }, make([]float64, d)))
			}
			got := make([]float64, d)
			Merge(ps, got)
			want := dense.O.Row(hh, i)
			for x := range got {
				if diff := math.Abs(got[x] - want[x]); diff > 1e-12 {
					t.Fatalf("parts=%d head %d row %d col %d: merged %v, dense %v (diff %g > 1e-12)", np, hh, i, x, got[x], want[x], diff)
				}
			}
		}
	}
}

func TestSinglePartIsTheReferenceRowBitForBit(t *testing.T) {
	const h, n, d = 2, 40, 8
	q, k, v := randQKV(3, h, n, d)
	mask := reference.Mask{Causal: true, Window: 9, Sinks: 3}
	res, err := reference.Attend(q, k, v, reference.Options{Mask: mask, Arith: reference.Arith{Float: true}})
	if err != nil {
		t.Fatal(err)
	}
	mask.N = n
	for hh := 0; hh < h; hh++ {
		for i := 0; i < n; i++ {
			s := logits(q, k, hh, i)
			p := Attend(s, mask.Keys(i, nil), func(j int) []float64 { return v.Row(hh, j) }, make([]float64, d))
			got := make([]float64, d)
			Merge([]Part{{}, p, {}}, got)
			if !slices.Equal(got, res.O.Row(hh, i)) {
				t.Fatalf("head %d row %d: single part %v != reference %v", hh, i, got, res.O.Row(hh, i))
			}
		}
	}
}

func TestMergeReturnsTheGlobalLogSumExp(t *testing.T) {
	s := []float64{0.5, -1, 3, 2}
	v := func(j int) []float64 { return []float64{float64(j)} }
	a := Attend(s, []int{0, 2}, v, make([]float64, 1))
	b := Attend(s, []int{1, 3}, v, make([]float64, 1))
	m, l := Merge([]Part{a, b}, make([]float64, 1))
	want := 0.0
	for _, x := range s {
		want += math.Exp(x - 3)
	}
	if m != 3 || math.Abs(l-want) > 1e-15 {
		t.Fatalf("merged (m, l) = (%v, %v), want (3, %v)", m, l, want)
	}
	var mass float64
	for _, x := range s {
		mass += Prob(x, m, l)
	}
	if math.Abs(mass-1) > 1e-15 {
		t.Fatalf("probabilities sum to %v", mass)
	}
}

// fixedSetup quantizes q, k, v for a fixed-point preset as reference.Attend
// does and returns the kernel, the codes and the reference hardware rows.
func fixedSetup(t *testing.T, preset string, q, k, v *reference.Tensor) (*reference.Kernel, [3]*reference.Codes, *reference.Result) {
	t.Helper()
	a, err := reference.Preset(preset)
	if err != nil {
		t.Fatal(err)
	}
	res, err := reference.Attend(q, k, v, reference.Options{Mask: reference.Mask{Causal: true, Dense: true}, Arith: a})
	if err != nil {
		t.Fatal(err)
	}
	kern := res.Kernel
	return kern, [3]*reference.Codes{kern.Quantize(q, kern.QFrac), kern.Quantize(k, kern.KFrac), kern.Quantize(v, kern.VFrac)}, res
}

func TestMergeUnitExactIdentities(t *testing.T) {
	const h, n, d = 2, 64, 16
	q, k, v := randQKV(5, h, n, d)
	for _, preset := range []string{"fixed16", "fixed12", "fixed8"} {
		kern, c, res := fixedSetup(t, preset, q, k, v)
		u, err := NewMergeUnit(kern)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(9, 9))
		for trial := 0; trial < 60; trial++ {
			hh, i := rng.IntN(h), rng.IntN(n)
			qi := c[0].Row(hh, i)
			want := res.Codes[(hh*n+i)*d : (hh*n+i+1)*d]
			all := make([]int, i+1)
			for j := range all {
				all[j] = j
			}
			cases := []struct {
				name  string
				parts [][]int
			}{
				{"one part", [][]int{all}},
				{"empty parts around one", [][]int{nil, all, nil}},
			}
			// A prefix part followed by single-key parts, in key order.
			cut := rng.IntN(i + 1)
			pre := [][]int{all[:cut+1]}
			for _, j := range all[cut+1:] {
				pre = append(pre, []int{j})
			}
			cases = append(cases, struct {
				name  string
				parts [][]int
			}{"prefix then single keys", pre})
			for _, tc := range cases {
				var states []*reference.RowState
				for _, idx := range tc.parts {
					st := &reference.RowState{}
					u.PartState(qi, c[1], c[2], hh, idx, st)
					states = append(states, st)
				}
				got := make([]int64, d)
				if err := u.Merge(states, got); err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, want) {
					t.Fatalf("%s %s head %d row %d: merged %v, reference row %v", preset, tc.name, hh, i, got, want)
				}
			}
		}
	}
}

func TestMergeUnitFoldIsCommutativeAndAddsEqualMaxima(t *testing.T) {
	const h, n, d = 1, 48, 8
	q, k, v := randQKV(11, h, n, d)
	kern, c, _ := fixedSetup(t, "fixed16", q, k, v)
	u, _ := NewMergeUnit(kern)
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 100; trial++ {
		i := 1 + rng.IntN(n-1)
		parts := randomPartition(rng, i, 2)
		if len(parts[0]) == 0 || len(parts[1]) == 0 {
			continue
		}
		qi := c[0].Row(0, i)
		var a, b, a2, b2 reference.RowState
		u.PartState(qi, c[1], c[2], 0, parts[0], &a)
		u.PartState(qi, c[1], c[2], 0, parts[1], &b)
		u.PartState(qi, c[1], c[2], 0, parts[0], &a2)
		u.PartState(qi, c[1], c[2], 0, parts[1], &b2)
		u.Fold(&a, &b)
		u.Fold(&b2, &a2)
		if a.M != b2.M || a.L != b2.L || !slices.Equal(a.Acc, b2.Acc) {
			t.Fatalf("fold not commutative: %+v vs %+v", a, b2)
		}
	}
	// Equal maxima: alpha = beta = Exp2Neg(0) = 1.0, so the merge adds.
	a := reference.RowState{Started: true, M: 77, L: 1 << 20, Acc: []int64{5, -7, 1 << 30}}
	b := reference.RowState{Started: true, M: 77, L: 3 << 18, Acc: []int64{-5, 9, 3}}
	u.Fold(&a, &b)
	if a.L != 1<<20+3<<18 || !slices.Equal(a.Acc, []int64{0, 2, 1<<30 + 3}) {
		t.Fatalf("equal maxima: got L=%d Acc=%v", a.L, a.Acc)
	}
}

func TestMergeUnitArbitraryPartitionsStayCloseToFloat(t *testing.T) {
	// Not an identity but a measured bound: over random partitions into
	// 1-6 parts, each merged output element is within the streaming row's
	// own error plus 4 output LSBs of float64 (worst excess seen: 1 LSB for
	// fixed16 and fixed8, 3 for fixed12, over 400 rows of N=512, D=64).
	const h, n, d = 2, 160, 32
	q, k, v := randQKV(13, h, n, d)
	dense, _ := reference.Attend(q, k, v, reference.Options{Mask: reference.Mask{Causal: true, Dense: true}, Arith: reference.Arith{Float: true}})
	for _, preset := range []string{"fixed16", "fixed12", "fixed8"} {
		kern, c, res := fixedSetup(t, preset, q, k, v)
		u, _ := NewMergeUnit(kern)
		lsb := math.Ldexp(1, -kern.VFrac)
		rng := rand.New(rand.NewPCG(4, 4))
		for trial := 0; trial < 80; trial++ {
			hh, i := rng.IntN(h), rng.IntN(n)
			var states []*reference.RowState
			for _, idx := range randomPartition(rng, i, 1+rng.IntN(6)) {
				st := &reference.RowState{}
				u.PartState(c[0].Row(hh, i), c[1], c[2], hh, idx, st)
				states = append(states, st)
			}
			got := make([]int64, d)
			if err := u.Merge(states, got); err != nil {
				t.Fatal(err)
			}
			o := (hh*n + i) * d
			for x := range got {
				ref := math.Abs(float64(res.Codes[o+x])*lsb - dense.O.Data[o+x])
				mrg := math.Abs(float64(got[x])*lsb - dense.O.Data[o+x])
				if mrg > ref+4*lsb {
					t.Fatalf("%s head %d row %d col %d: merged error %.2f LSB vs streaming error %.2f LSB", preset, hh, i, x, mrg/lsb, ref/lsb)
				}
			}
		}
	}
}

func TestMergeUnitErrors(t *testing.T) {
	if _, err := NewMergeUnit(nil); err == nil {
		t.Fatal("nil kernel accepted")
	}
	q, k, v := randQKV(1, 1, 4, 4)
	kern, _, _ := fixedSetup(t, "fixed16", q, k, v)
	u, _ := NewMergeUnit(kern)
	if err := u.Merge([]*reference.RowState{{}}, make([]int64, 4)); err == nil {
		t.Fatal("merge of empty parts accepted")
	}
}
