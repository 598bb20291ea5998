package reference

import (
	"fmt"
	"math"
	"math/bits"
)

// Rounding selects how a value loses fraction bits.
type Rounding int

const (
	// RoundHalfEven rounds to the nearest value, ties to the even one.
	RoundHalfEven Rounding = iota
	// Truncate rounds toward minus infinity (an arithmetic shift right).
	Truncate
)

// Format is a signed two's-complement fixed-point format: Bits in total,
// Frac of them below the binary point.
type Format struct {
	Bits int
	Frac int
}

// Max is the largest integer code of the format.
func (f Format) Max() int64 { return int64(1)<<(f.Bits-1) - 1 }

// Min is the smallest integer code of the format.
func (f Format) Min() int64 { return -(int64(1) << (f.Bits - 1)) }

// Validate checks that the format is representable in an int64.
func (f Format) Validate(name string) error {
	if f.Bits < 2 || f.Bits > 62 {
		return fmt.Errorf("%s bits = %d: must be in [2, 62]", name, f.Bits)
	}
	if f.Frac < 0 || f.Frac >= f.Bits {
		return fmt.Errorf("%s frac = %d: must be in [0, %d]", name, f.Frac, f.Bits-1)
	}
	return nil
}

// Quantize converts x to the format's integer code, rounding with r and
// saturating to [Min, Max]. NaN maps to 0; infinities saturate.
func (f Format) Quantize(x float64, r Rounding) int64 {
	if math.IsNaN(x) {
		return 0
	}
	y := math.Ldexp(x, f.Frac)
	switch r {
	case Truncate:
		y = math.Floor(y)
	default:
		y = math.RoundToEven(y)
	}
	if y >= float64(f.Max()) {
		return f.Max()
	}
	if y <= float64(f.Min()) {
		return f.Min()
	}
	return int64(y)
}

// ToFloat converts an integer code of the format to its real value.
func (f Format) ToFloat(v int64) float64 { return math.Ldexp(float64(v), -f.Frac) }

// SatSigned clamps v to a signed two's-complement range of the given width.
func SatSigned(v int64, width int) int64 {
	hi := int64(1)<<(width-1) - 1
	lo := -hi - 1
	return min(max(v, lo), hi)
}

// SatUnsigned clamps v to [0, 2^width - 1].
func SatUnsigned(v int64, width int) int64 {
	hi := int64(1)<<width - 1
	return min(max(v, 0), hi)
}

// ShiftRound divides v by 2^sh (sh >= 0) with the given rounding.
func ShiftRound(v int64, sh int, r Rounding) int64 {
	if sh <= 0 {
		return v << uint(-sh)
	}
	if sh >= 64 {
		// |v| <= 2^63 <= 2^(sh-1): floor is -1 or 0; the nearest is 0
		// (v = -2^63, sh = 64 is a tie between -1 and 0: 0 is even).
		if r == Truncate && v < 0 {
			return -1
		}
		return 0
	}
	q := v >> uint(sh)
	if r == Truncate {
		return q
	}
	rem := uint64(v) - uint64(q)<<uint(sh) // v mod 2^sh, in [0, 2^sh)
	half := uint64(1) << uint(sh-1)
	if rem > half || (rem == half && q&1 == 1) {
		q++
	}
	return q
}

// MulShiftRNE returns round_half_even(a*b / 2^sh) for a signed a, an
// unsigned b and 0 <= sh < 128, computed exactly in 128 bits. The result
// must fit in an int64; callers saturate it afterwards.
func MulShiftRNE(a int64, b uint64, sh int) int64 {
	neg := a < 0
	mag := uint64(a)
	if neg {
		mag = uint64(-a)
	}
	hi, lo := bits.Mul64(mag, b)
	q := shr128(hi, lo, sh)
	if sh > 0 {
		// remainder = (hi,lo) mod 2^sh, compared against 2^(sh-1)
		rhi, rlo := mask128(hi, lo, sh)
		hhi, hlo := pow2_128(sh - 1)
		c := cmp128(rhi, rlo, hhi, hlo)
		if (c > 0 || (c == 0 && q&1 == 1)) && q != math.MaxUint64 {
			q++
		}
	}
	if q > math.MaxInt64 {
		q = math.MaxInt64
	}
	if neg {
		return -int64(q)
	}
	return int64(q)
}

func shr128(hi, lo uint64, sh int) uint64 {
	switch {
	case sh == 0:
		if hi != 0 {
			return math.MaxUint64
		}
		return lo
	case sh < 64:
		if hi>>uint(sh) != 0 {
			return math.MaxUint64
		}
		return lo>>uint(sh) | hi<<uint(64-sh)
	default:
		return hi >> uint(sh-64)
	}
}

func mask128(hi, lo uint64, sh int) (uint64, uint64) {
	if sh >= 64 {
		return hi & (uint64(1)<<uint(sh-64) - 1), lo
	}
	return 0, lo & (uint64(1)<<uint(sh) - 1)
}

func pow2_128(n int) (uint64, uint64) {
	if n >= 64 {
		return uint64(1) << uint(n-64), 0
	}
	return 0, uint64(1) << uint(n)
}

func cmp128(ahi, alo, bhi, blo uint64) int {
	switch {
	case ahi != bhi:
		if ahi > bhi {
			return 1
		}
		return -1
	case alo > blo:
		return 1
	case alo < blo:
		return -1
	}
	return 0
}
