package reference_test

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/swatsim/swatsim/reference"
)

// smallFormat is one 16-bit float format under test, with references that
// do not share code with the package.
type smallFormat struct {
	name      string
	fracBits  int
	emin      int
	from64    func(float64) uint16
	to64      func(uint16) float64
	from32    func(float32) uint16
	to32      func(uint16) float32
	isNaN     func(uint16) bool
	inf       uint16
	maxFinite uint16
	// ref32 converts binary32 bits with integer bit manipulation.
	ref32 func(uint32) uint16
}

var formats16 = []smallFormat{
	{"binary16", 10, -14, reference.Float16FromFloat64, reference.Float16ToFloat64,
		reference.Float16FromFloat32, reference.Float16ToFloat32, reference.Float16IsNaN,
		0x7c00, 0x7bff, refHalfFromBits32},
	{"bfloat16", 7, -126, reference.BFloat16FromFloat64, reference.BFloat16ToFloat64,
		reference.BFloat16FromFloat32, reference.BFloat16ToFloat32, reference.BFloat16IsNaN,
		0x7f80, 0x7f7f, refBFloat16FromBits32},
}

// decodeRef decodes a pattern by printing it as a hexadecimal float
// literal and parsing it with strconv (exact for these sizes).
func (f smallFormat) decodeRef(h uint16) float64 {
	sign := ""
	if h&0x8000 != 0 {
		sign = "-"
	}
	exp := int(h&0x7fff) >> f.fracBits
	frac := uint64(h) & (1<<f.fracBits - 1)
	maxExp := int(f.inf >> f.fracBits)
	// Left-align the fraction in whole hex digits.
	digits := (f.fracBits + 3) / 4
	frac <<= uint(4*digits - f.fracBits)
	var s string
	switch {
	case exp == maxExp && frac != 0:
		return math.NaN()
	case exp == maxExp:
		s = sign + "Inf"
	case exp == 0:
		s = fmt.Sprintf("%s0x0.%0*xp%d", sign, digits, frac, f.emin)
	default:
		s = fmt.Sprintf("%s0x1.%0*xp%d", sign, digits, frac, exp-1+f.emin)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		panic(err)
	}
	return v
}

// next is the value just above pattern m (m a finite magnitude pattern):
// the next pattern's value, or 2^(emax+1) above the largest finite.
func (f smallFormat) next(m uint16) float64 {
	if m == f.maxFinite {
		return math.Ldexp(1, int(f.inf>>f.fracBits)-1+f.emin) // 2^(emax+1)
	}
	return f.decodeRef(m + 1)
}

// overflow is the smallest magnitude that rounds to infinity: the midpoint
// between the largest finite value and 2^(emax+1) (a tie that goes up,
// because the largest finite pattern is odd).
func (f smallFormat) overflow() float64 {
	return (f.decodeRef(f.maxFinite) + f.next(f.maxFinite)) / 2
}

// checkNearest fails unless h is x rounded to nearest, ties to even, with
// x's sign, infinity at and beyond the overflow threshold and NaN for NaN.
func (f smallFormat) checkNearest(x float64, h uint16) error {
	if math.IsNaN(x) {
		if !f.isNaN(h) || (h&0x8000 != 0) != math.Signbit(x) {
			return fmt.Errorf("%s(%v) = %#04x: want a NaN of the same sign", f.name, x, h)
		}
		return nil
	}
	if (h&0x8000 != 0) != math.Signbit(x) {
		return fmt.Errorf("%s(%v) = %#04x: sign lost", f.name, x, h)
	}
	a, m := math.Abs(x), h&0x7fff
	if a >= f.overflow() {
		if m != f.inf {
			return fmt.Errorf("%s(%v) = %#04x: want infinity", f.name, x, h)
		}
		return nil
	}
	if m > f.maxFinite {
		return fmt.Errorf("%s(%v) = %#04x: want a finite value", f.name, x, h)
	}
	d := math.Abs(a - f.decodeRef(m))
	if up := math.Abs(f.next(m) - a); up < d || (up == d && m&1 == 1) {
		return fmt.Errorf("%s(%v) = %#04x: the next value up is nearer or an even tie", f.name, x, h)
	}
	if m > 0 {
		if dn := math.Abs(a - f.decodeRef(m-1)); dn < d || (dn == d && m&1 == 1) {
			return fmt.Errorf("%s(%v) = %#04x: the next value down is nearer or an even tie", f.name, x, h)
		}
	}
	return nil
}

// TestFloat16Exhaustive decodes all 65,536 patterns of each format against
// strconv and requires every non-NaN pattern to round-trip through float64
// and float32, NaN to stay NaN and the positive patterns to be increasing.
func TestFloat16Exhaustive(t *testing.T) {
	for _, f := range formats16 {
		t.Run(f.name, func(t *testing.T) {
			nans, bad := 0, 0
			prev := math.Inf(-1)
			for i := 0; i < 1<<16; i++ {
				h := uint16(i)
				want := f.decodeRef(h)
				got := f.to64(h)
				if math.IsNaN(want) {
					nans++
					if !math.IsNaN(got) || !math.IsNaN(float64(f.to32(h))) || !f.isNaN(h) {
						t.Errorf("%#04x: decodes to %v, want NaN", h, got)
					}
					if back := f.from64(got); !f.isNaN(back) {
						t.Errorf("%#04x: NaN re-encodes as %#04x", h, back)
					}
					continue
				}
				if f.isNaN(h) {
					t.Errorf("%#04x: IsNaN true for %v", h, want)
				}
				if got != want || math.Signbit(got) != math.Signbit(want) {
					bad++
					if bad < 5 {
						t.Errorf("%#04x: decodes to %v, want %v", h, got, want)
					}
				}
				if g32 := f.to32(h); float64(g32) != want || math.Signbit(float64(g32)) != math.Signbit(want) {
					t.Errorf("%#04x: float32 decode %v, want %v", h, g32, want)
				}
				if back := f.from64(want); back != h {
					t.Errorf("%#04x: round trip through float64 gives %#04x", h, back)
				}
				if back := f.from32(float32(want)); back != h {
					t.Errorf("%#04x: round trip through float32 gives %#04x", h, back)
				}
				if h <= f.inf {
					if !(want > prev) && h != 0 {
						t.Errorf("%#04x: %v not above the previous pattern's %v", h, want, prev)
					}
					prev = want
				}
			}
			wantNaNs := 2 * (1<<f.fracBits - 1)
			if nans != wantNaNs {
				t.Errorf("%d NaN patterns, want %d", nans, wantNaNs)
			}
		})
	}
}

// TestFloat16Midpoints rounds every midpoint between adjacent values
// (including zero/subnormal, subnormal/normal and the overflow threshold),
// and the float64 just below and above it, in both signs.
func TestFloat16Midpoints(t *testing.T) {
	for _, f := range formats16 {
		t.Run(f.name, func(t *testing.T) {
			fails := 0
			for m := uint16(0); m <= f.maxFinite; m++ {
				lo, hi := f.decodeRef(m), f.next(m)
				mid := (lo + hi) / 2 // exact: at most fracBits+2 significant bits
				even, up := m, m+1   // m+1 is the infinity pattern above the largest finite
				if m&1 == 1 {
					even = m + 1
				}
				cases := []struct {
					x    float64
					want uint16
				}{
					{mid, even},
					{math.Nextafter(mid, 0), m},
					{math.Nextafter(mid, math.Inf(1)), up},
				}
				for _, c := range cases {
					for _, s := range []float64{1, -1} {
						want := c.want | map[bool]uint16{true: 0x8000}[s < 0]
						if got := f.from64(s * c.x); got != want {
							if fails++; fails < 10 {
								t.Errorf("from64(%v) = %#04x, want %#04x", s*c.x, got, want)
							}
						}
						// The midpoint itself is a float32; its float32
						// neighbours round the same way as the float64 ones.
						x32 := float32(s * mid)
						if float64(x32) != s*mid {
							t.Fatalf("midpoint %v not a float32", s*mid)
						}
						if c.x < mid {
							x32 = math.Nextafter32(x32, 0)
						} else if c.x > mid {
							x32 = math.Nextafter32(x32, float32(math.Inf(int(s))))
						}
						if got := f.from32(x32); got != want {
							if fails++; fails < 10 {
								t.Errorf("from32(%v) = %#04x, want %#04x", x32, got, want)
							}
						}
					}
				}
			}
			// Named boundaries.
			for _, c := range []struct {
				x    float64
				want uint16
			}{
				{f.overflow(), f.inf},
				{-f.overflow(), 0x8000 | f.inf},
				{math.Nextafter(f.overflow(), 0), f.maxFinite},
				{math.MaxFloat64, f.inf},
				{math.Inf(-1), 0x8000 | f.inf},
				{math.Copysign(0, -1), 0x8000},
				{0, 0},
				{math.SmallestNonzeroFloat64, 0},
				{-math.SmallestNonzeroFloat64, 0x8000},
				{math.Ldexp(1, f.emin-f.fracBits-1), 0}, // half the smallest subnormal: tie to 0
				{math.Ldexp(3, f.emin-f.fracBits-1), 2}, // 1.5 subnormal quanta: tie to 2
				{math.Ldexp(1, f.emin), 1 << f.fracBits},
				{math.Ldexp(1, f.emin) - math.Ldexp(1, f.emin-f.fracBits-1), 1 << f.fracBits}, // tie to even: the smallest normal
			} {
				if got := f.from64(c.x); got != c.want {
					t.Errorf("from64(%v) = %#04x, want %#04x", c.x, got, c.want)
				}
			}
			if f.name == "binary16" && f.overflow() != 65520 {
				t.Errorf("binary16 overflow threshold %v, want 65520", f.overflow())
			}
			if h := f.from64(math.NaN()); !f.isNaN(h) {
				t.Errorf("NaN encodes as %#04x", h)
			}
		})
	}
}

// refBFloat16FromBits32 is the usual binary32 -> bfloat16 conversion by
// integer arithmetic: add 0x7fff plus the lowest kept bit, keep the top half.
func refBFloat16FromBits32(u uint32) uint16 {
	if u&0x7fffffff > 0x7f800000 {
		return uint16(u>>16) | 0x0040 // quiet the NaN
	}
	return uint16((u + 0x7fff + (u>>16)&1) >> 16)
}

// refHalfFromBits32 converts binary32 bits to binary16 with integers only:
// value = m * 2^e, rounded to a multiple of the binary16 quantum there.
func refHalfFromBits32(u uint32) uint16 {
	sign := uint16(u>>16) & 0x8000
	exp, man := int(u>>23&0xff), uint64(u&0x7fffff)
	if exp == 0xff {
		if man != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	}
	e := exp - 150
	if exp == 0 {
		e = -149
	} else {
		man |= 1 << 23
	}
	if man == 0 {
		return sign
	}
	top := bits.Len64(man) - 1 + e // value in [2^top, 2^(top+1))
	q := max(top, -14) - 10        // binary16 quantum exponent
	var r uint64
	if sh := q - e; sh <= 0 {
		r = man << uint(-sh)
	} else if sh < 64 {
		r = man >> uint(sh)
		rem, half := man&(1<<uint(sh)-1), uint64(1)<<uint(sh-1)
		if rem > half || (rem == half && r&1 == 1) {
			r++
		}
	}
	var p uint64
	if q == -24 {
		p = r // subnormal quanta; 1024 is the smallest normal's pattern
	} else {
		p = uint64(q+25)<<10 + r - 1024
	}
	if p >= 0x7c00 {
		return sign | 0x7c00
	}
	return sign | uint16(p)
}

// TestFloat16FromFloat32 compares the float32 conversions with the integer
// references on every upper half of a binary32 combined with the lower
// halves that decide rounding (ties, just off ties, extremes) and random ones.
func TestFloat16FromFloat32(t *testing.T) {
	lows := []uint32{0, 1, 0x0fff, 0x1000, 0x1001, 0x2000, 0x3000, 0x7fff, 0x8000, 0x8001, 0xc000, 0xefff, 0xf000, 0xffff}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, f := range formats16 {
		t.Run(f.name, func(t *testing.T) {
			fails := 0
			for hi := uint32(0); hi < 1<<16; hi++ {
				for k := 0; k < len(lows)+3; k++ {
					lo := rng.Uint32() & 0xffff
					if k < len(lows) {
						lo = lows[k]
					}
					u := hi<<16 | lo
					x := math.Float32frombits(u)
					want, got, got64 := f.ref32(u), f.from32(x), f.from64(float64(x))
					if f.isNaN(want) {
						if !f.isNaN(got) || got&0x8000 != want&0x8000 {
							t.Errorf("%#08x: got %#04x, want a NaN", u, got)
						}
						continue
					}
					if got != want || got64 != want {
						if fails++; fails < 10 {
							t.Errorf("%#08x (%v): from32 %#04x, from64 %#04x, reference %#04x", u, x, got, got64, want)
						}
					}
				}
			}
		})
	}
}

// TestFloat16Random checks the nearest-even property on random float64s
// spread over every binade that matters (and far beyond).
func TestFloat16Random(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, f := range formats16 {
		for i := 0; i < 200000; i++ {
			x := math.Ldexp(1+rng.Float64(), rng.IntN(2*-f.emin+40)+f.emin-f.fracBits-20)
			if rng.IntN(2) == 0 {
				x = -x
			}
			if err := f.checkNearest(x, f.from64(x)); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func fuzzSmallFloat(t *testing.T, f smallFormat, xb, yb uint64) {
	x, y := math.Float64frombits(xb), math.Float64frombits(yb)
	hx, hy := f.from64(x), f.from64(y)
	if err := f.checkNearest(x, hx); err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(x) {
		if back := f.from64(f.to64(hx)); back != hx {
			t.Fatalf("%s(%v) = %#04x does not round-trip: %#04x", f.name, x, hx, back)
		}
		if !math.IsNaN(y) && x <= y && f.to64(hx) > f.to64(hy) {
			t.Fatalf("%s not monotone: %v <= %v but %#04x > %#04x", f.name, x, y, hx, hy)
		}
	}
	x32 := float32(x)
	u := math.Float32bits(x32)
	if got, want := f.from32(x32), f.ref32(u); got != want && !(f.isNaN(got) && f.isNaN(want)) {
		t.Fatalf("%s from32(%v) = %#04x, integer reference %#04x", f.name, x32, got, want)
	}
}

func fuzzSeeds(f *testing.F) {
	for _, x := range []float64{0, math.Copysign(0, -1), 1, -1, 65504, 65519.99, 65520, 65536, 6.1e-5, 5.96e-8, 2.98e-8,
		1e-300, math.Inf(1), math.NaN(), 3.3895313892515355e38, 1.0000001} {
		f.Add(math.Float64bits(x), math.Float64bits(x*1.0001))
	}
}

// FuzzFloat16 checks binary16 rounding (nearest, ties to even, sign,
// overflow, NaN), round trip, monotonicity and the float32 path.
func FuzzFloat16(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, xb, yb uint64) { fuzzSmallFloat(t, formats16[0], xb, yb) })
}

// FuzzBFloat16 checks the same properties for bfloat16, whose float32 path
// must equal the add-0x7fff-and-truncate bit trick.
func FuzzBFloat16(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, xb, yb uint64) { fuzzSmallFloat(t, formats16[1], xb, yb) })
}
