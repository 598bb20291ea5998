package reference

import "math"

// IEEE 754 binary16 (1 sign, 5 exponent, 10 fraction bits, bias 15) and
// bfloat16 (1 sign, 8 exponent, 7 fraction bits, bias 127) as bit patterns.
// Conversions to them round once, to nearest with ties to even, straight
// from float64 (no double rounding through float32); they keep the sign of
// zero, overflow to infinity and turn NaN into a quiet NaN of the same sign.
// Conversions from them are exact.

const (
	// Float16Inf is the binary16 pattern of +Inf (negate with Float16Sign).
	Float16Inf uint16 = 0x7c00
	// Float16NaN is the quiet binary16 NaN that the conversions produce.
	Float16NaN uint16 = 0x7e00
	// Float16Sign is the sign bit of a binary16 or bfloat16 pattern.
	Float16Sign uint16 = 0x8000
	// BFloat16Inf is the bfloat16 pattern of +Inf.
	BFloat16Inf uint16 = 0x7f80
	// BFloat16NaN is the quiet bfloat16 NaN that the conversions produce.
	BFloat16NaN uint16 = 0x7fc0
)

// smallFloat describes a binary interchange format of at most 16 bits.
type smallFloat struct {
	fracBits int    // stored fraction bits
	emin     int    // exponent of the smallest normal number
	emax     int    // exponent of the largest finite number
	inf, nan uint16 // +Inf and the quiet NaN
}

var (
	binary16 = smallFloat{fracBits: 10, emin: -14, emax: 15, inf: Float16Inf, nan: Float16NaN}
	bfloat16 = smallFloat{fracBits: 7, emin: -126, emax: 127, inf: BFloat16Inf, nan: BFloat16NaN}
)

// fromFloat64 rounds x to the format, to nearest with ties to even.
func (f smallFloat) fromFloat64(x float64) uint16 {
	var sign uint16
	if math.Signbit(x) {
		sign = Float16Sign
	}
	switch {
	case math.IsNaN(x):
		return sign | f.nan
	case math.IsInf(x, 0):
		return sign | f.inf
	case x == 0:
		return sign
	}
	a := math.Abs(x)
	_, e := math.Frexp(a) // a in [2^(e-1), 2^e)
	e--
	if e < f.emin {
		// Subnormal (or zero) result: an integer number of quanta
		// 2^(emin-fracBits); a carry to 2^fracBits is the smallest normal,
		// whose pattern is that same integer.
		return sign | uint16(math.RoundToEven(math.Ldexp(a, f.fracBits-f.emin)))
	}
	if e > f.emax {
		return sign | f.inf
	}
	// a * 2^(fracBits-e) is in [2^fracBits, 2^(fracBits+1)); rounding may
	// carry into the exponent, and past emax into the infinity pattern.
	r := uint32(math.RoundToEven(math.Ldexp(a, f.fracBits-e)))
	bits := uint32(e-f.emin+1)<<uint(f.fracBits) + r - 1<<uint(f.fracBits)
	if bits >= uint32(f.inf) {
		return sign | f.inf
	}
	return sign | uint16(bits)
}

// toFloat64 returns the exact value of the pattern h.
func (f smallFloat) toFloat64(h uint16) float64 {
	fracMask := uint16(1)<<uint(f.fracBits) - 1
	exp := int((h &^ Float16Sign) >> uint(f.fracBits))
	frac := h & fracMask
	var v float64
	switch {
	case exp == int(f.inf>>uint(f.fracBits)) && frac != 0:
		return math.NaN()
	case exp == int(f.inf>>uint(f.fracBits)):
		v = math.Inf(1)
	case exp == 0:
		v = math.Ldexp(float64(frac), f.emin-f.fracBits)
	default:
		v = math.Ldexp(float64(frac|(fracMask+1)), exp-1+f.emin-f.fracBits)
	}
	if h&Float16Sign != 0 {
		v = -v
	}
	return v
}

// Float16FromFloat64 rounds x to the nearest binary16 value (ties to even)
// and returns its bit pattern; |x| >= 65520 becomes an infinity.
func Float16FromFloat64(x float64) uint16 { return binary16.fromFloat64(x) }

// Float16ToFloat64 returns the exact value of the binary16 pattern h.
func Float16ToFloat64(h uint16) float64 { return binary16.toFloat64(h) }

// Float16FromFloat32 rounds x to the nearest binary16 value (ties to even).
func Float16FromFloat32(x float32) uint16 { return binary16.fromFloat64(float64(x)) }

// Float16ToFloat32 returns the exact value of the binary16 pattern h.
func Float16ToFloat32(h uint16) float32 { return float32(binary16.toFloat64(h)) }

// BFloat16FromFloat64 rounds x to the nearest bfloat16 value (ties to even)
// and returns its bit pattern.
func BFloat16FromFloat64(x float64) uint16 { return bfloat16.fromFloat64(x) }

// BFloat16ToFloat64 returns the exact value of the bfloat16 pattern h.
func BFloat16ToFloat64(h uint16) float64 { return bfloat16.toFloat64(h) }

// BFloat16FromFloat32 rounds x to the nearest bfloat16 value (ties to even).
func BFloat16FromFloat32(x float32) uint16 { return bfloat16.fromFloat64(float64(x)) }

// BFloat16ToFloat32 returns the exact value of the bfloat16 pattern h: its
// bits are the upper half of a binary32 (a NaN keeps its payload).
func BFloat16ToFloat32(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// Float16IsNaN reports whether the binary16 pattern h is a NaN.
func Float16IsNaN(h uint16) bool { return h&0x7c00 == 0x7c00 && h&0x03ff != 0 }

// BFloat16IsNaN reports whether the bfloat16 pattern h is a NaN.
func BFloat16IsNaN(h uint16) bool { return h&0x7f80 == 0x7f80 && h&0x007f != 0 }
