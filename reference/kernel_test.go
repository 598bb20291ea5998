package reference_test

import (
	"math"
	"math/big"
	"math/bits"
	"math/rand/v2"
	"testing"

	"github.com/swatsim/swatsim/reference"
)

// fixedPresets are the fixed-point presets and a few custom arithmetics
// that move the widths the exp unit and the reciprocal depend on.
func fixedPresets(t *testing.T) []reference.Arith {
	t.Helper()
	var out []reference.Arith
	for _, spec := range []string{"fixed16", "fixed12", "fixed8",
		"custom:interp=false", "custom:lut_bits=8,score_frac=8", "custom:lut_bits=12,score_frac=14,prob_frac=20,sum_bits=42,acc_bits=43",
		"custom:lut_bits=1,prob_frac=4,sum_bits=6,acc_bits=21,recip_bits=4", "custom:prob_frac=23,sum_bits=39,acc_bits=40,recip_bits=48"} {
		a, err := reference.ParseArith(spec)
		if err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		out = append(out, a)
	}
	return out
}

func mustKernel(t testing.TB, a reference.Arith, d int) *reference.Kernel {
	t.Helper()
	k, err := reference.NewKernel(a, d, 0)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestExpTableExact checks every LUT entry is 2^probFrac * 2^(-k/n)
// rounded to nearest, with exact integers: E is the rounding of
// y = 2^(probFrac - k/n) iff (E - 1/2)^n < y^n < (E + 1/2)^n, i.e.
// (2E-1)^n < 2^(probFrac*n - k + n) < (2E+1)^n (no ties: odd powers).
func TestExpTableExact(t *testing.T) {
	for _, c := range []struct{ lut, pf int }{{4, 8}, {5, 11}, {6, 15}, {1, 4}, {2, 30}, {8, 15}, {10, 20}, {12, 12}, {12, 30}} {
		tab := reference.ExpTable(c.lut, c.pf)
		n := 1 << c.lut
		if len(tab) != n+1 || tab[0] != 1<<c.pf || tab[n] != 1<<(c.pf-1) {
			t.Fatalf("lut %d pf %d: %d entries, ends %d, %d", c.lut, c.pf, len(tab), tab[0], tab[n])
		}
		step := 1
		if n > 256 {
			step = 61 // sample the big tables; still every region
		}
		N := big.NewInt(int64(n))
		for k := 0; k <= n; k += step {
			E := tab[k]
			pow := new(big.Int).Lsh(big.NewInt(1), uint(c.pf*n-k+n))
			lo := new(big.Int).Exp(big.NewInt(2*E-1), N, nil)
			hi := new(big.Int).Exp(big.NewInt(2*E+1), N, nil)
			if !(lo.Cmp(pow) < 0 && pow.Cmp(hi) < 0) {
				t.Errorf("lut %d pf %d: E[%d] = %d is not the nearest integer to 2^(%d - %d/%d)", c.lut, c.pf, k, E, c.pf, k, n)
			}
			if k > 0 && tab[k] > tab[k-1] {
				t.Errorf("lut %d pf %d: table increases at %d", c.lut, c.pf, k)
			}
		}
	}
}

// expBound is the error bound of the exp unit, in units of 2^-ProbFrac,
// derived in ARITHMETIC.md: with F = 2^ProbFrac * 2^(-xf/2^ScoreFrac) and
// xi the integer part, the unit computes floor(v / 2^xi) where v - F lies in
// [-1/2, 1/2 + c + 1) with interpolation (table rounding, the chord of a
// convex curve at most c = 2^ProbFrac (ln2/n)^2 / 8 above it, the floor of
// the interpolation step) and in [-1/2, 1/2 + F (2^(1/n) - 1)] without (the
// table entry at the left end of the step). The final floor costs < 1.
func expBound(a reference.Arith, x int64) (exact, lo, hi float64) {
	n := float64(int64(1) << a.LUTBits)
	xi := x >> a.ScoreFrac
	xf := x & (1<<a.ScoreFrac - 1)
	F := math.Ldexp(math.Exp2(-float64(xf)/math.Ldexp(1, a.ScoreFrac)), a.ProbFrac)
	s := math.Ldexp(1, -int(min(xi, 1000)))
	exact = F * s
	up := 0.5 + F*(math.Exp2(1/n)-1)
	if a.Interp {
		up = 1.5 + math.Ldexp(1, a.ProbFrac)*(math.Ln2/n)*(math.Ln2/n)/8
	}
	const slack = 1e-6
	return exact, exact - 0.5*s - 1 - slack, exact + up*s + slack
}

func TestExp2Neg(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, a := range fixedPresets(t) {
		k := mustKernel(t, a, 64)
		if got := k.Exp2Neg(0); got != k.One() || k.One() != 1<<a.ProbFrac {
			t.Fatalf("%+v: Exp2Neg(0) = %d, want One = %d", a, got, k.One())
		}
		var worst float64
		prev := k.Exp2Neg(0)
		// Every x up to past the point where the result reaches 0.
		end := int64(a.ProbFrac+2) << a.ScoreFrac
		for x := int64(0); x <= end; x++ {
			got := k.Exp2Neg(x)
			exact, lo, hi := expBound(a, x)
			if float64(got) <= lo || float64(got) > hi {
				t.Fatalf("%s lut %d interp %v: Exp2Neg(%d) = %d, exact %.4f, bound (%.4f, %.4f]", a.Name, a.LUTBits, a.Interp, x, got, exact, lo, hi)
			}
			worst = max(worst, math.Abs(float64(got)-exact))
			if got > prev {
				t.Fatalf("%s: Exp2Neg(%d) = %d > Exp2Neg(%d) = %d: not monotone", a.Name, x, got, x-1, prev)
			}
			prev = got
			if x >= int64(a.ProbFrac+1)<<a.ScoreFrac && got != 0 {
				t.Fatalf("%s: Exp2Neg(%d) = %d, want 0 beyond 2^-(ProbFrac+1)", a.Name, x, got)
			}
		}
		// Large arguments, up to the widest logit difference.
		for range 2000 {
			x := rng.Int64N(int64(1) << (a.ScoreBits - 1))
			if got := k.Exp2Neg(x); x >= end && got != 0 {
				t.Fatalf("%s: Exp2Neg(%d) = %d, want 0", a.Name, x, got)
			}
		}
		t.Logf("%s lut_bits=%d interp=%v prob_frac=%d: max |Exp2Neg - exact| = %.3f LSB", a.Name, a.LUTBits, a.Interp, a.ProbFrac, worst)
	}
}

// TestDotBits finds the widest dot product by brute force over the extreme
// codes and checks DotBits is the least signed width that holds it.
func TestDotBits(t *testing.T) {
	for _, in := range []int{4, 8, 12, 16, 24} {
		for d := 1; d <= 130; d++ {
			a := reference.Arith{InBits: in}
			mn, mx := -(int64(1) << (in - 1)), int64(1)<<(in-1)-1
			hi := big.NewInt(int64(d))
			hi.Mul(hi, big.NewInt(mn*mn)) // d * Min*Min, the largest
			lo := big.NewInt(int64(d))
			lo.Mul(lo, big.NewInt(mn*mx)) // d * Min*Max, the smallest
			w := 1
			for ; ; w++ {
				top := new(big.Int).Lsh(big.NewInt(1), uint(w-1))
				if hi.Cmp(new(big.Int).Sub(top, big.NewInt(1))) <= 0 && lo.Cmp(new(big.Int).Neg(top)) >= 0 {
					break
				}
			}
			if got := a.DotBits(d); got != w {
				t.Fatalf("in_bits %d, d %d: DotBits %d, least width %d", in, d, got, w)
			}
		}
	}
}

func TestDotAndScore(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, a := range fixedPresets(t) {
		for _, d := range []int{1, 7, 64, 128} {
			k := mustKernel(t, a, d)
			mn, mx := -(int64(1) << (a.InBits - 1)), int64(1)<<(a.InBits-1)-1
			for trial := range 300 {
				q, kk := make([]int64, d), make([]int64, d)
				want := new(big.Int)
				for i := range q {
					q[i], kk[i] = mn+rng.Int64N(mx-mn+1), mn+rng.Int64N(mx-mn+1)
					if trial == 0 {
						q[i], kk[i] = mn, mn
					}
					if trial == 1 {
						q[i], kk[i] = mn, mx
					}
					want.Add(want, new(big.Int).Mul(big.NewInt(q[i]), big.NewInt(kk[i])))
				}
				dot := k.Dot(q, kk)
				if !want.IsInt64() || dot != want.Int64() {
					t.Fatalf("Dot = %d, want %v", dot, want)
				}
				if bits.Len64(uint64(max(dot, -dot-1)))+1 > a.DotBits(d) {
					t.Fatalf("dot %d wider than DotBits %d", dot, a.DotBits(d))
				}
				// Score = floor(dot * c / 2^shift), saturated to ScoreBits,
				// for every per-tensor scale AutoScale may pick.
				k.QFrac, k.KFrac = rng.IntN(a.InFrac+1), rng.IntN(a.InFrac+1)
				prod := new(big.Int).Mul(want, big.NewInt(k.Coef))
				sc := bigRound(ratPow2(prod, k.QFrac+k.KFrac+a.CoefFrac-a.ScoreFrac), reference.Truncate)
				lim := big.NewInt(int64(1)<<(a.ScoreBits-1) - 1)
				if sc.Cmp(lim) > 0 {
					sc = lim
				} else if neg := new(big.Int).Neg(new(big.Int).Add(lim, big.NewInt(1))); sc.Cmp(neg) < 0 {
					sc = neg
				}
				if got := k.Score(dot); got != sc.Int64() {
					t.Fatalf("%s: Score(%d) with q_frac %d k_frac %d = %d, want %v", a.Name, dot, k.QFrac, k.KFrac, got, sc)
				}
			}
		}
	}
}

// TestCoef checks the score coefficient against its definition.
func TestCoef(t *testing.T) {
	for _, a := range fixedPresets(t) {
		for _, d := range []int{16, 64, 128} {
			k := mustKernel(t, a, d)
			want := math.RoundToEven(math.Ldexp(1/math.Sqrt(float64(d))/math.Ln2, a.CoefFrac))
			if float64(k.Coef) != want {
				t.Errorf("%s d=%d: Coef %d, want %v", a.Name, d, k.Coef, want)
			}
		}
	}
}

func TestRecip(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, a := range fixedPresets(t) {
		k := mustKernel(t, a, 16)
		ls := []int64{1, 2, 3, 1<<a.SumBits - 1, 1 << (a.SumBits - 1), 1<<(a.SumBits-1) + 1, 1 << a.ProbFrac, 1<<a.ProbFrac + 1}
		for range 20000 {
			ls = append(ls, 1+rng.Int64N(int64(1)<<a.SumBits-1)>>rng.IntN(a.SumBits))
		}
		for _, l := range ls {
			r, n := k.Recip(l)
			if n != bits.Len64(uint64(l))-1 {
				t.Fatalf("%s: Recip(%d) n = %d, want the leading one %d", a.Name, l, n, bits.Len64(uint64(l))-1)
			}
			want := new(big.Int).Div(new(big.Int).Lsh(big.NewInt(1), uint(a.RecipBits+n)), big.NewInt(l))
			if !want.IsUint64() || r != want.Uint64() {
				t.Fatalf("%s: Recip(%d) r = %d, want floor(2^%d / l) = %v", a.Name, l, r, a.RecipBits+n, want)
			}
			// r is RecipBits+1 bits: 2^RecipBits exactly for powers of two.
			if r < 1<<(a.RecipBits-1) || r > 1<<a.RecipBits || (r == 1<<a.RecipBits) != (l&(l-1) == 0) {
				t.Fatalf("%s: Recip(%d) r = %d out of [2^%d, 2^%d]", a.Name, l, r, a.RecipBits-1, a.RecipBits)
			}
		}
	}
}

// TestFinish checks o = sat(RNE(acc * r / 2^(RecipBits+n))) with exact
// rationals, and that it is the correctly rounded acc / l except when
// acc / l is within |acc| / 2^(RecipBits+n) (the reciprocal's truncation)
// of a rounding boundary, where it may be one code off.
func TestFinish(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, a := range fixedPresets(t) {
		const d = 8
		k := mustKernel(t, a, d)
		lim := new(big.Int).SetInt64(int64(1)<<(a.InBits-1) - 1)
		sat := func(v *big.Int) int64 {
			if v.Cmp(lim) > 0 {
				return lim.Int64()
			}
			if mn := new(big.Int).Neg(new(big.Int).Add(lim, big.NewInt(1))); v.Cmp(mn) < 0 {
				return mn.Int64()
			}
			return v.Int64()
		}
		off := 0
		for trial := range 3000 {
			l := int64(1)<<a.ProbFrac + rng.Int64N(int64(1)<<(a.SumBits-1))>>rng.IntN(a.SumBits-a.ProbFrac)
			st := reference.RowState{L: l, Started: true, Acc: make([]int64, d)}
			accLim := min(big.NewInt(l).Lsh(big.NewInt(l), uint(a.InBits)).Int64(), int64(1)<<(a.AccBits-1)-1)
			for i := range st.Acc {
				st.Acc[i] = rng.Int64N(2*accLim+1) - accLim
				if trial%7 == 0 { // exact ties of acc / l
					st.Acc[i] = (2*rng.Int64N(int64(1)<<(a.InBits-1)) - int64(1)<<(a.InBits-1) + 1) * l / 2
				}
			}
			out := make([]int64, d)
			k.Finish(&st, out)
			r, n := k.Recip(l)
			for i, acc := range st.Acc {
				prod := new(big.Int).Mul(big.NewInt(acc), new(big.Int).SetUint64(r))
				want := sat(bigRound(ratPow2(prod, a.RecipBits+n), reference.RoundHalfEven))
				if out[i] != want {
					t.Fatalf("%s: Finish(acc %d, l %d) = %d, want %d", a.Name, acc, l, out[i], want)
				}
				q := new(big.Rat).SetFrac(big.NewInt(acc), big.NewInt(l))
				exact := sat(bigRound(q, reference.RoundHalfEven))
				// The reciprocal is truncated: acc*r/2^(RecipBits+n) is
				// within tol = |acc|/2^(RecipBits+n) of acc/l.
				tol := new(big.Rat).SetFrac(new(big.Int).Abs(big.NewInt(acc)), new(big.Int).Lsh(big.NewInt(1), uint(a.RecipBits+n)))
				pre := ratPow2(prod, a.RecipBits+n)
				if new(big.Rat).Abs(new(big.Rat).Sub(pre, q)).Cmp(tol) >= 0 {
					t.Fatalf("%s: acc %d * r %d / 2^%d not within %s of acc/l", a.Name, acc, r, a.RecipBits+n, tol.FloatString(6))
				}
				if diff := out[i] - exact; diff != 0 {
					off++
					// With RecipBits >= InBits, tol < 1 code: one code at most.
					if a.RecipBits >= a.InBits && (diff > 1 || diff < -1) {
						t.Fatalf("%s: Finish(acc %d, l %d) = %d, exact rounding %d", a.Name, acc, l, out[i], exact)
					}
					// Distance from acc/l to the nearest half-integer.
					h := new(big.Rat).Add(new(big.Rat).SetInt(bigRound(q, reference.Truncate)), big.NewRat(1, 2))
					dist := new(big.Rat).Abs(new(big.Rat).Sub(q, h))
					if dist.Cmp(tol) >= 0 {
						t.Fatalf("%s: Finish(acc %d, l %d) = %d != %d though acc/l is %s from a boundary (>= %s)",
							a.Name, acc, l, out[i], exact, dist.FloatString(9), tol.FloatString(9))
					}
				}
			}
		}
		t.Logf("%s recip_bits=%d: %d of %d outputs differ from exact acc/l rounding, all within the reciprocal's error of a boundary", a.Name, a.RecipBits, off, 3000*d)
	}
}

// TestUpdate replays random key sequences through Update and checks the
// state against the online-softmax step written with math/big: floor
// shifts, saturation of l (unsigned) and acc (signed), the first-key rule.
func TestUpdate(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	arithes := fixedPresets(t)
	narrow, err := reference.ParseArith("custom:sum_bits=17,acc_bits=32,prob_frac=15")
	if err != nil {
		t.Fatal(err)
	}
	arithes = append(arithes, narrow)
	for _, a := range arithes {
		const d = 4
		k := mustKernel(t, a, d)
		for range 200 {
			var st reference.RowState
			st.Reset(d)
			var M int64
			L := new(big.Int)
			acc := make([]*big.Int, d)
			started := false
			satS := func(v *big.Int, w int) *big.Int {
				hi := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(w-1)), big.NewInt(1))
				lo := new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), uint(w-1)))
				if v.Cmp(hi) > 0 {
					return hi
				}
				if v.Cmp(lo) < 0 {
					return lo
				}
				return v
			}
			spread := int64(1) << (a.ScoreFrac + rng.IntN(6))
			for key := range 1 + rng.IntN(300) {
				tt := rng.Int64N(2*spread) - spread
				v := make([]int64, d)
				for i := range v {
					v[i] = rng.Int64N(int64(1)<<a.InBits) - int64(1)<<(a.InBits-1)
				}
				k.Update(&st, tt, v)
				if !started {
					started, M = true, tt
					L.SetInt64(k.One())
					for i := range acc {
						acc[i] = big.NewInt(k.One() * v[i])
					}
				} else {
					mNew := max(M, tt)
					alpha, p := big.NewInt(k.Exp2Neg(mNew-M)), big.NewInt(k.Exp2Neg(mNew-tt))
					M = mNew
					L.Rsh(L.Mul(L, alpha), uint(a.ProbFrac)).Add(L, p)
					if L.Cmp(new(big.Int).Lsh(big.NewInt(1), uint(a.SumBits))) >= 0 {
						L.Sub(new(big.Int).Lsh(big.NewInt(1), uint(a.SumBits)), big.NewInt(1))
					}
					for i := range acc {
						x := new(big.Int).Mul(acc[i], alpha)
						x.Rsh(x, uint(a.ProbFrac)) // big.Int Rsh is floor for negatives
						x.Add(x, new(big.Int).Mul(p, big.NewInt(v[i])))
						acc[i] = satS(x, a.AccBits)
					}
				}
				if !st.Started || st.M != M || st.L != L.Int64() {
					t.Fatalf("%s key %d: state M %d L %d, want M %d L %v", a.Name, key, st.M, st.L, M, L)
				}
				for i := range acc {
					if st.Acc[i] != acc[i].Int64() {
						t.Fatalf("%s key %d: acc[%d] = %d, want %v", a.Name, key, i, st.Acc[i], acc[i])
					}
				}
			}
		}
	}
}
