package reference_test

import (
	"fmt"
	"math"

	"github.com/swatsim/swatsim/reference"
)

// Two keys, one query: the float64 path is softmax(q.k * scale) v.
func ExampleAttend() {
	q := &reference.Tensor{H: 1, N: 2, D: 2, Rank: 2, Data: []float64{1, 0, 0, 1}}
	k := &reference.Tensor{H: 1, N: 2, D: 2, Rank: 2, Data: []float64{1, 0, 0, 1}}
	v := &reference.Tensor{H: 1, N: 2, D: 2, Rank: 2, Data: []float64{1, 2, 3, 4}}
	f64, _ := reference.Preset("float64")
	res, err := reference.Attend(q, k, v, reference.Options{Arith: f64, Mask: reference.Mask{Window: 2, Causal: true}})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.6f\n", res.O.Data)
	// Output: [1.000000 2.000000 2.339523 3.339523]
}

// The hardware path returns integer codes with VFrac fraction bits; the
// same inputs through fixed16.
func ExampleAttend_fixed16() {
	q := &reference.Tensor{H: 1, N: 2, D: 2, Rank: 2, Data: []float64{1, 0, 0, 1}}
	k := &reference.Tensor{H: 1, N: 2, D: 2, Rank: 2, Data: []float64{1, 0, 0, 1}}
	v := &reference.Tensor{H: 1, N: 2, D: 2, Rank: 2, Data: []float64{1, 2, 3, 4}}
	fx, _ := reference.Preset("fixed16")
	res, err := reference.Attend(q, k, v, reference.Options{Arith: fx, Mask: reference.Mask{Window: 2, Causal: true}})
	if err != nil {
		panic(err)
	}
	fmt.Println("v_frac", res.Kernel.VFrac, "codes", res.Codes)
	fmt.Printf("%.6f\n", res.O.Data)
	// Output:
	// v_frac 12 codes [4096 8192 9583 13679]
	// [1.000000 2.000000 2.339600 3.339600]
}

// A causal window of 3 with one sink token: the keys row 6 folds, in order.
func ExampleMask_Keys() {
	m := reference.Mask{N: 8, Window: 3, Causal: true, Sinks: 1}
	fmt.Println(m.Keys(6, nil), m.Count(6), m.Allowed(6, 0), m.Allowed(6, 3))
	// Output: [0 4 5 6] 4 true false
}

// Custom widths start from fixed16; an impossible one names its field.
func ExampleParseArith() {
	a, err := reference.ParseArith("custom:lut_bits=8,score_frac=10")
	fmt.Println(a.Name, a.LUTBits, a.ScoreFrac, err)
	_, err = reference.ParseArith("custom:acc_bits=20")
	fmt.Println(err)
	// Output:
	// custom 8 10 <nil>
	// arith.acc_bits = 20: must be in [prob_frac + 1 + in_bits, 63 - prob_frac] = [32, 48]
}

// The exp unit of fixed16: 2^(-x/2^12) in UQ1.15 (One = 32768).
func ExampleKernel_Exp2Neg() {
	fx, _ := reference.Preset("fixed16")
	k, _ := reference.NewKernel(fx, 64, 0)
	fmt.Println(k.Exp2Neg(0), k.Exp2Neg(4096), k.Exp2Neg(2048), k.Exp2Neg(16*4096))
	// Output: 32768 16384 23170 0
}

// binary16 rounds to nearest even and overflows to infinity at 65520.
func ExampleFloat16FromFloat64() {
	for _, x := range []float64{1, 65504, 65519, 65520, 1.0 / 3, math.Copysign(0, -1)} {
		h := reference.Float16FromFloat64(x)
		fmt.Printf("%v -> %#04x -> %v\n", x, h, reference.Float16ToFloat64(h))
	}
	// Output:
	// 1 -> 0x3c00 -> 1
	// 65504 -> 0x7bff -> 65504
	// 65519 -> 0x7bff -> 65504
	// 65520 -> 0x7c00 -> +Inf
	// 0.3333333333333333 -> 0x3555 -> 0.333251953125
	// -0 -> 0x8000 -> -0
}

// bfloat16 keeps float32's exponent range with 8 significant bits.
func ExampleBFloat16FromFloat64() {
	h := reference.BFloat16FromFloat64(3.14159)
	fmt.Printf("%#04x %v\n", h, reference.BFloat16ToFloat64(h))
	// Output: 0x4049 3.140625
}
