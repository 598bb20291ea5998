package reference_test

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/swatsim/swatsim/reference"
)

// bigRound rounds the rational x to an integer: to nearest with ties to
// even, or toward minus infinity (the two reference.Rounding modes).
func bigRound(x *big.Rat, r reference.Rounding) *big.Int {
	num, den := x.Num(), x.Denom() // den > 0
	q, m := new(big.Int).DivMod(num, den, new(big.Int))
	// DivMod is Euclidean: m in [0, den), so q = floor(x).
	if r == reference.Truncate {
		return q
	}
	twice := new(big.Int).Lsh(m, 1)
	switch c := twice.Cmp(den); {
	case c > 0, c == 0 && q.Bit(0) == 1:
		q.Add(q, big.NewInt(1))
	}
	return q
}

// ratPow2 is v / 2^sh as a rational (sh may be negative).
func ratPow2(v *big.Int, sh int) *big.Rat {
	if sh <= 0 {
		return new(big.Rat).SetInt(new(big.Int).Lsh(v, uint(-sh)))
	}
	return new(big.Rat).SetFrac(v, new(big.Int).Lsh(big.NewInt(1), uint(sh)))
}

// edgeInt64s are the integers where shifts and rounding go wrong.
func edgeInt64s() []int64 {
	v := []int64{0, 1, -1, 2, -2, 3, -3, math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, math.MinInt64 + 1}
	for k := 1; k < 63; k++ {
		p := int64(1) << k
		v = append(v, p, -p, p+1, -p-1, p-1, -p+1, p>>1|p, -(p>>1 | p))
	}
	return v
}

func TestShiftRound(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	vals := edgeInt64s()
	for range 3000 {
		vals = append(vals, int64(rng.Uint64())>>rng.IntN(63))
	}
	for _, v := range vals {
		for sh := 0; sh <= 70; sh++ {
			for _, r := range []reference.Rounding{reference.RoundHalfEven, reference.Truncate} {
				want := bigRound(ratPow2(big.NewInt(v), sh), r)
				if got := reference.ShiftRound(v, sh, r); !want.IsInt64() || got != want.Int64() {
					t.Fatalf("ShiftRound(%d, %d, %d) = %d, want %v", v, sh, r, got, want)
				}
			}
		}
	}
	// Negative shifts multiply exactly (no rounding) while the result fits.
	for _, c := range []struct{ v, sh, want int64 }{{3, -2, 12}, {-5, -3, -40}, {1, -62, 1 << 62}, {0, -10, 0}} {
		if got := reference.ShiftRound(c.v, int(c.sh), reference.RoundHalfEven); got != c.want {
			t.Errorf("ShiftRound(%d, %d) = %d, want %d", c.v, c.sh, got, c.want)
		}
	}
	// Ties, spelled out.
	for _, c := range []struct {
		v    int64
		sh   int
		want int64
	}{{1, 1, 0}, {3, 1, 2}, {-1, 1, 0}, {-3, 1, -2}, {5, 2, 1}, {6, 2, 2}, {-6, 2, -2}, {-10, 2, -2}, {10, 2, 2}, {14, 2, 4}} {
		if got := reference.ShiftRound(c.v, c.sh, reference.RoundHalfEven); got != c.want {
			t.Errorf("ShiftRound(%d, %d, RNE) = %d, want %d", c.v, c.sh, got, c.want)
		}
	}
}

func TestMulShiftRNE(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	type tc struct {
		a  int64
		b  uint64
		sh int
	}
	var cases []tc
	edges := edgeInt64s()
	for _, a := range edges {
		for _, b := range []uint64{0, 1, 2, 3, 1 << 24, 1<<24 + 1, 1<<48 - 1, math.MaxUint64, 1 << 63} {
			for _, sh := range []int{0, 1, 2, 24, 63, 64, 65, 100, 127} {
				cases = append(cases, tc{a, b, sh})
			}
		}
	}
	for range 200000 {
		cases = append(cases, tc{int64(rng.Uint64()) >> rng.IntN(64), rng.Uint64() >> rng.IntN(64), rng.IntN(128)})
	}
	maxI := big.NewInt(math.MaxInt64)
	minI := new(big.Int).Neg(maxI)
	for _, c := range cases {
		prod := new(big.Int).Mul(big.NewInt(c.a), new(big.Int).SetUint64(c.b))
		want := bigRound(ratPow2(prod, c.sh), reference.RoundHalfEven)
		// Outside int64 the documented result saturates to +-MaxInt64.
		if want.Cmp(maxI) > 0 {
			want = maxI
		} else if want.Cmp(minI) < 0 {
			want = minI
		}
		if got := reference.MulShiftRNE(c.a, c.b, c.sh); got != want.Int64() {
			t.Fatalf("MulShiftRNE(%d, %d, %d) = %d, want %v", c.a, c.b, c.sh, got, want)
		}
	}
}

func TestSat(t *testing.T) {
	for _, c := range []struct {
		v          int64
		w          int
		sgn, unsgn int64
	}{
		{0, 8, 0, 0},
		{127, 8, 127, 127},
		{128, 8, 127, 128},
		{-128, 8, -128, 0},
		{-129, 8, -128, 0},
		{255, 8, 127, 255},
		{256, 8, 127, 255},
		{1, 1, 0, 1},
		{-1, 1, -1, 0},
		{math.MaxInt64, 63, 1<<62 - 1, math.MaxInt64},
		{math.MinInt64, 63, -1 << 62, 0},
		{math.MaxInt64, 64, math.MaxInt64, math.MaxInt64},
		{math.MinInt64, 64, math.MinInt64, 0},
		{1 << 40, 40, 1<<39 - 1, 1<<40 - 1},
		{-(1 << 39), 40, -(1 << 39), 0},
	} {
		if c.w <= 64 {
			if got := reference.SatSigned(c.v, c.w); got != c.sgn {
				t.Errorf("SatSigned(%d, %d) = %d, want %d", c.v, c.w, got, c.sgn)
			}
		}
		if c.w < 64 {
			if got := reference.SatUnsigned(c.v, c.w); got != c.unsgn {
				t.Errorf("SatUnsigned(%d, %d) = %d, want %d", c.v, c.w, got, c.unsgn)
			}
		}
	}
}

func TestQuantize(t *testing.T) {
	q8 := reference.Format{Bits: 8, Frac: 2} // codes -128..127, step 0.25
	for _, c := range []struct {
		x     float64
		r     reference.Rounding
		want  int64
		about string
	}{
		{0.125, reference.RoundHalfEven, 0, "tie to even 0"},
		{0.375, reference.RoundHalfEven, 2, "tie to even 2"},
		{0.625, reference.RoundHalfEven, 2, "tie to even 2"},
		{-0.125, reference.RoundHalfEven, 0, "negative tie to 0"},
		{-0.375, reference.RoundHalfEven, -2, "negative tie to -2"},
		{0.1251, reference.RoundHalfEven, 1, "just above a tie"},
		{31.75, reference.RoundHalfEven, 127, "largest code"},
		{31.875, reference.RoundHalfEven, 127, "tie above the largest code saturates"},
		{-32, reference.RoundHalfEven, -128, "smallest code"},
		{-32.125, reference.RoundHalfEven, -128, "tie below the smallest code saturates"},
		{1e300, reference.RoundHalfEven, 127, "saturates"},
		{math.Inf(1), reference.RoundHalfEven, 127, "+Inf saturates"},
		{math.Inf(-1), reference.Truncate, -128, "-Inf saturates"},
		{math.NaN(), reference.RoundHalfEven, 0, "NaN is 0"},
		{-0.01, reference.Truncate, -1, "truncate is floor"},
		{0.24, reference.Truncate, 0, "truncate is floor"},
		{-32.1, reference.Truncate, -128, "floor then saturate"},
		{5e-324, reference.RoundHalfEven, 0, "denormal"},
	} {
		if got := q8.Quantize(c.x, c.r); got != c.want {
			t.Errorf("Quantize(%v, %d) = %d, want %d (%s)", c.x, c.r, got, c.want, c.about)
		}
	}
	if err := (reference.Format{Bits: 63, Frac: 0}).Validate("x"); err == nil {
		t.Error("63-bit format accepted")
	}
	if err := (reference.Format{Bits: 8, Frac: 8}).Validate("x"); err == nil {
		t.Error("frac = bits accepted")
	}
}

// FuzzQuantize checks Format.Quantize against exact rational rounding
// (saturated), the ToFloat round trip and monotonicity, for any valid
// format and both rounding modes.
func FuzzQuantize(f *testing.F) {
	f.Add(0.125, 0.375, uint8(8), uint8(2), false)
	f.Add(31.875, -32.125, uint8(8), uint8(2), true)
	f.Add(1e300, math.Inf(-1), uint8(62), uint8(61), false)
	f.Add(-0.0, 5e-324, uint8(2), uint8(0), false)
	f.Add(math.NaN(), 3.0, uint8(16), uint8(12), false)
	f.Add(2.5, 3.5, uint8(60), uint8(0), false)
	f.Fuzz(func(t *testing.T, x, y float64, bitsIn, fracIn uint8, trunc bool) {
		fm := reference.Format{Bits: 2 + int(bitsIn)%61}
		fm.Frac = int(fracIn) % fm.Bits
		if err := fm.Validate("fuzz"); err != nil {
			t.Fatal(err)
		}
		r := reference.RoundHalfEven
		if trunc {
			r = reference.Truncate
		}
		c := fm.Quantize(x, r)
		if c < fm.Min() || c > fm.Max() {
			t.Fatalf("Quantize(%v) = %d outside [%d, %d]", x, c, fm.Min(), fm.Max())
		}
		var want int64
		switch {
		case math.IsNaN(x):
			want = 0
		case math.IsInf(x, 1):
			want = fm.Max()
		case math.IsInf(x, -1):
			want = fm.Min()
		default:
			xr := new(big.Rat).SetFloat64(x)
			xr.Mul(xr, new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), uint(fm.Frac))))
			w := bigRound(xr, r)
			switch {
			case w.Cmp(big.NewInt(fm.Max())) > 0:
				want = fm.Max()
			case w.Cmp(big.NewInt(fm.Min())) < 0:
				want = fm.Min()
			default:
				want = w.Int64()
			}
		}
		if c != want {
			t.Fatalf("Format%+v.Quantize(%v, %d) = %d, want %d", fm, x, r, c, want)
		}
		// Codes below 2^53 are exact float64s and come back unchanged.
		if c > -(1<<53) && c < 1<<53 {
			if back := fm.Quantize(fm.ToFloat(c), r); back != c {
				t.Fatalf("Quantize(ToFloat(%d)) = %d", c, back)
			}
		}
		if !math.IsNaN(x) && !math.IsNaN(y) && x <= y {
			if cy := fm.Quantize(y, r); c > cy {
				t.Fatalf("not monotone: Quantize(%v) = %d > Quantize(%v) = %d", x, c, y, cy)
			}
		}
	})
}
