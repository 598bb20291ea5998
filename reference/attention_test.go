package reference_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/swatsim/swatsim/reference"
)

func randTensor(rng *rand.Rand, h, n, d int, sd float64) *reference.Tensor {
	t := reference.NewTensor(h, n, d)
	for i := range t.Data {
		t.Data[i] = rng.NormFloat64() * sd
	}
	return t
}

func mustArith(t testing.TB, spec string) reference.Arith {
	t.Helper()
	a, err := reference.ParseArith(spec)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func mustAttend(t testing.TB, q, k, v *reference.Tensor, opt reference.Options) *reference.Result {
	t.Helper()
	res, err := reference.Attend(q, k, v, opt)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// sameResult fails unless the outputs are identical bit for bit.
func sameResult(t *testing.T, what string, a, b *reference.Result) {
	t.Helper()
	for i := range a.O.Data {
		if math.Float64bits(a.O.Data[i]) != math.Float64bits(b.O.Data[i]) {
			t.Fatalf("%s: element %d: %v != %v", what, i, a.O.Data[i], b.O.Data[i])
		}
	}
	if !slices.Equal(a.Codes, b.Codes) || len(a.O.Data) != len(b.O.Data) {
		t.Fatalf("%s: codes differ", what)
	}
}

// TestWindowBeyondNIsDense: a window that covers every key (W >= 2N) gives
// the dense result bit for bit on both paths.
func TestWindowBeyondNIsDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, spec := range []string{"float64", "fixed16"} {
		a := mustArith(t, spec)
		for _, n := range []int{1, 2, 7, 40} {
			q, k, v := randTensor(rng, 0, n, 8, 1.5), randTensor(rng, 0, n, 8, 1.5), randTensor(rng, 0, n, 8, 1)
			for _, causal := range []bool{false, true} {
				for _, gs := range [][2]int{{0, 0}, {1, 0}, {0, 2}} {
					g, s := min(gs[0], n), min(gs[1], n)
					dense := mustAttend(t, q, k, v, reference.Options{Arith: a, Mask: reference.Mask{Dense: true, Causal: causal, Global: g, Sinks: s}})
					for _, w := range []int{2 * n, 2*n + 1, 100 * n} {
						got := mustAttend(t, q, k, v, reference.Options{Arith: a, Mask: reference.Mask{Window: w, Causal: causal, Global: g, Sinks: s}})
						sameResult(t, fmt.Sprintf("%s n=%d w=%d causal=%v g=%d s=%d", spec, n, w, causal, g, s), got, dense)
					}
				}
			}
		}
	}
}

// scaleForRef is AutoScale's choice written from its definition: the
// largest f in [0, InFrac] with RNE(maxAbs * 2^f) <= 2^(InBits-1) - 1, or 0.
func scaleForRef(a reference.Arith, maxAbs float64) int {
	best := 0
	for f := 0; f <= a.InFrac; f++ {
		if math.RoundToEven(maxAbs*math.Exp2(float64(f))) <= math.Exp2(float64(a.InBits-1))-1 {
			best = f
		}
	}
	return best
}

func TestScaleFor(t *testing.T) {
	a := mustArith(t, "fixed16")
	for _, c := range []struct {
		x    float64
		want int
	}{
		{0, 12}, {1, 12}, {7.99, 12}, {32767.0 / 4096, 12}, {32767.4 / 4096, 12}, {32767.5 / 4096, 11},
		{8, 11}, {145.3, 7}, {255.99, 7}, {256, 6}, {32767, 0}, {1e9, 0},
	} {
		if got, ref := a.ScaleFor(c.x), scaleForRef(a, c.x); got != c.want || ref != c.want {
			t.Errorf("ScaleFor(%v) = %d (definition %d), want %d", c.x, got, ref, c.want)
		}
	}
	if got := mustArith(t, "custom:auto_scale=false").ScaleFor(1000); got != 12 {
		t.Errorf("without AutoScale ScaleFor = %d, want InFrac", got)
	}
}

// TestWindowZeroReturnsV: a bidirectional window of 0 attends to the row
// itself only, so O = V: exactly in float64, and exactly the quantised V
// (codes and values) in fixed point.
func TestWindowZeroReturnsV(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	for _, spec := range []string{"float64", "fixed16", "fixed12", "fixed8", "custom:auto_scale=false"} {
		a := mustArith(t, spec)
		for _, sd := range []float64{0.3, 3, 140} {
			q, k, v := randTensor(rng, 2, 33, 16, 2), randTensor(rng, 2, 33, 16, 2), randTensor(rng, 2, 33, 16, sd)
			res := mustAttend(t, q, k, v, reference.Options{Arith: a, Mask: reference.Mask{Window: 0}})
			if a.Float {
				for i := range v.Data {
					if res.O.Data[i] != v.Data[i] {
						t.Fatalf("float64: O[%d] = %v, V = %v", i, res.O.Data[i], v.Data[i])
					}
				}
				continue
			}
			f := scaleForRef(a, slicesMaxAbs(v.Data))
			if !a.AutoScale {
				f = a.InFrac
			}
			if res.Kernel.VFrac != f {
				t.Fatalf("%s: VFrac %d, want %d", spec, res.Kernel.VFrac, f)
			}
			in := reference.Format{Bits: a.InBits, Frac: f}
			for i, x := range v.Data {
				c := in.Quantize(x, reference.RoundHalfEven)
				if res.Codes[i] != c || res.O.Data[i] != math.Ldexp(float64(c), -f) {
					t.Fatalf("%s sd=%v: O[%d] = %d (%v), quantised V %d", spec, sd, i, res.Codes[i], res.O.Data[i], c)
				}
			}
		}
	}
}

func slicesMaxAbs(x []float64) float64 {
	m := 0.0
	for _, y := range x {
		m = math.Max(m, math.Abs(y))
	}
	return m
}

// denseMaskedFloat is softmax attention over an explicit N x N mask built
// from the manifest formula: the float64 semantics written independently.
func denseMaskedFloat(q, k, v *reference.Tensor, allowed func(i, j int) bool) []float64 {
	scale := 1 / math.Sqrt(float64(q.D))
	out := make([]float64, len(q.Data))
	for h := 0; h < q.H; h++ {
		for i := 0; i < q.N; i++ {
			s := make([]float64, q.N)
			mx := math.Inf(-1)
			for j := range s {
				s[j] = math.Inf(-1)
				if allowed(i, j) {
					s[j] = 0
					for d := 0; d < q.D; d++ {
						s[j] += q.Row(h, i)[d] * k.Row(h, j)[d]
					}
					s[j] *= scale
					mx = math.Max(mx, s[j])
				}
			}
			var z float64
			for j := range s {
				s[j] = math.Exp(s[j] - mx)
				z += s[j]
			}
			o := out[(h*q.N+i)*q.D : (h*q.N+i+1)*q.D]
			for j := range s {
				for d := range o {
					o[d] += s[j] / z * v.Row(h, j)[d]
				}
			}
		}
	}
	return out
}

// kernelByBruteForce runs the fixed-point units over the keys that the
// manifest formula allows, in ascending order, without Mask.Keys.
func kernelByBruteForce(t *testing.T, a reference.Arith, q, k, v *reference.Tensor, allowed func(i, j int) bool, kernRef *reference.Kernel) []int64 {
	kern := mustKernel(t, a, q.D)
	kern.QFrac, kern.KFrac, kern.VFrac = kernRef.QFrac, kernRef.KFrac, kernRef.VFrac
	qc, kc, vc := kern.Quantize(q, kern.QFrac), kern.Quantize(k, kern.KFrac), kern.Quantize(v, kern.VFrac)
	out := make([]int64, len(q.Data))
	for h := 0; h < q.H; h++ {
		for i := 0; i < q.N; i++ {
			var st reference.RowState
			st.Reset(q.D)
			for j := 0; j < q.N; j++ {
				if allowed(i, j) {
					kern.Update(&st, kern.Score(kern.Dot(qc.Row(h, i), kc.Row(h, j))), vc.Row(h, j))
				}
			}
			kern.Finish(&st, out[(h*q.N+i)*q.D:(h*q.N+i+1)*q.D])
		}
	}
	return out
}

// TestGlobalAndSinksFollowManifest compares Attend with global tokens and
// sinks against dense masked softmax (float64, to 1e-12) and against the
// fixed-point units folded over the manifest's keys (bit for bit).
func TestGlobalAndSinksFollowManifest(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	f64, fx := mustArith(t, "float64"), mustArith(t, "fixed16")
	for _, c := range []struct {
		n, w, g, s int
		causal     bool
	}{{40, 6, 2, 0, false}, {40, 6, 0, 3, false}, {40, 6, 2, 3, true}, {40, 5, 0, 7, true}, {40, 0, 0, 9, false}, {40, 1, 3, 0, true}, {17, 4, 17, 0, true}} {
		q, k, v := randTensor(rng, 2, c.n, 8, 1.2), randTensor(rng, 2, c.n, 8, 1.2), randTensor(rng, 2, c.n, 8, 1)
		m := reference.Mask{Window: c.w, Causal: c.causal, Global: c.g, Sinks: c.s}
		allowed := func(i, j int) bool { return manifestAllowed(i, j, c.w, c.causal, c.g, c.s, false) }
		res := mustAttend(t, q, k, v, reference.Options{Arith: f64, Mask: m})
		want := denseMaskedFloat(q, k, v, allowed)
		for i := range want {
			if math.Abs(res.O.Data[i]-want[i]) > 1e-12*(1+math.Abs(want[i])) {
				t.Fatalf("%+v: float64 O[%d] = %v, dense masked %v", c, i, res.O.Data[i], want[i])
			}
		}
		resFx := mustAttend(t, q, k, v, reference.Options{Arith: fx, Mask: m})
		if got := kernelByBruteForce(t, fx, q, k, v, allowed, resFx.Kernel); !slices.Equal(got, resFx.Codes) {
			t.Fatalf("%+v: fixed16 codes differ from the units folded over the manifest's keys", c)
		}
	}
}

// TestHeadsEqualPerHead: an [H,N,D] call equals H separate [N,D] calls bit
// for bit. With AutoScale the scales are per tensor (shared by the heads),
// so the fixed-point comparison either turns AutoScale off or plants the
// same largest magnitude in every head.
func TestHeadsEqualPerHead(t *testing.T) {
	rng := rand.New(rand.NewPCG(27, 28))
	const h, n, d = 3, 50, 16
	for _, spec := range []string{"float64", "fixed16", "custom:auto_scale=false", "fixed8"} {
		a := mustArith(t, spec)
		q, k, v := randTensor(rng, h, n, d, 1), randTensor(rng, h, n, d, 1), randTensor(rng, h, n, d, 1)
		for _, x := range []*reference.Tensor{q, k, v} {
			for hh := 0; hh < h; hh++ {
				x.Row(hh, hh)[0] = 6.5 // the largest magnitude, in every head
			}
		}
		opt := reference.Options{Arith: a, Mask: reference.Mask{Window: 9, Causal: true, Sinks: 2}}
		all := mustAttend(t, q, k, v, opt)
		if all.O.Rank != 3 || all.O.H != h {
			t.Fatalf("output shape %v", all.O.Shape())
		}
		for hh := 0; hh < h; hh++ {
			one := mustAttend(t, q.Head(hh), k.Head(hh), v.Head(hh), opt)
			for i, x := range one.O.Data {
				if y := all.O.Data[hh*n*d+i]; math.Float64bits(x) != math.Float64bits(y) {
					t.Fatalf("%s head %d element %d: %v alone, %v in [H,N,D]", spec, hh, i, x, y)
				}
				if one.Codes != nil && one.Codes[i] != all.Codes[hh*n*d+i] {
					t.Fatalf("%s head %d element %d: codes differ", spec, hh, i)
				}
			}
		}
	}
}

// TestDeterministicAcrossProcs: the result does not depend on the number
// of workers or on the run.
func TestDeterministicAcrossProcs(t *testing.T) {
	rng := rand.New(rand.NewPCG(29, 30))
	q, k, v := randTensor(rng, 3, 301, 32, 1), randTensor(rng, 3, 301, 32, 1), randTensor(rng, 3, 301, 32, 1)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, spec := range []string{"fixed16", "float64"} {
		opt := reference.Options{Arith: mustArith(t, spec), Mask: reference.Mask{Window: 64, Causal: true, Global: 1}}
		var first *reference.Result
		for _, p := range []int{1, 2, 8, 1, 8} {
			runtime.GOMAXPROCS(p)
			res := mustAttend(t, q, k, v, opt)
			if first == nil {
				first = res
				continue
			}
			sameResult(t, fmt.Sprintf("%s GOMAXPROCS=%d", spec, p), res, first)
		}
	}
}

// TestAttendErrors: bad inputs give an error that names what was wrong;
// Attend never panics.
func TestAttendErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	good := func() (*reference.Tensor, *reference.Tensor, *reference.Tensor) {
		return randTensor(rng, 0, 8, 4, 1), randTensor(rng, 0, 8, 4, 1), randTensor(rng, 0, 8, 4, 1)
	}
	fx, f64 := mustArith(t, "fixed16"), mustArith(t, "float64")
	bad := fx
	bad.AccBits = 10
	tooBig := reference.NewTensor(0, 1, 1<<15)
	cases := []struct {
		name string
		mod  func(q, k, v **reference.Tensor, o *reference.Options)
		want string
	}{
		{"NaN in q", func(q, k, v **reference.Tensor, o *reference.Options) { (*q).Data[5] = math.NaN() }, "q: element 5"},
		{"Inf in k", func(q, k, v **reference.Tensor, o *reference.Options) { (*k).Data[0] = math.Inf(1) }, "k: element 0"},
		{"-Inf in v", func(q, k, v **reference.Tensor, o *reference.Options) { (*v).Data[31] = math.Inf(-1) }, "v: element 31"},
		{"token mismatch", func(q, k, v **reference.Tensor, o *reference.Options) { *k = reference.NewTensor(0, 7, 4) }, "shape mismatch"},
		{"head mismatch", func(q, k, v **reference.Tensor, o *reference.Options) { *v = reference.NewTensor(2, 8, 4) }, "shape mismatch"},
		{"D mismatch", func(q, k, v **reference.Tensor, o *reference.Options) { *v = reference.NewTensor(0, 8, 5) }, "head dim mismatch"},
		{"nil k", func(q, k, v **reference.Tensor, o *reference.Options) { *k = nil }, "k: empty"},
		{"short data", func(q, k, v **reference.Tensor, o *reference.Options) { (*q).Data = (*q).Data[:30] }, "q: 30 elements"},
		{"negative window", func(q, k, v **reference.Tensor, o *reference.Options) { o.Mask.Window = -1 }, "window = -1"},
		{"causal window 0", func(q, k, v **reference.Tensor, o *reference.Options) { o.Mask = reference.Mask{Causal: true} }, "window = 0"},
		{"too many globals", func(q, k, v **reference.Tensor, o *reference.Options) { o.Mask.Global = 9 }, "global_tokens = 9"},
		{"too many sinks", func(q, k, v **reference.Tensor, o *reference.Options) { o.Mask.Sinks = 9 }, "sinks = 9"},
		{"impossible acc_bits", func(q, k, v **reference.Tensor, o *reference.Options) { o.Arith = bad }, "arith.acc_bits = 10"},
		{"zero Arith", func(q, k, v **reference.Tensor, o *reference.Options) { o.Arith = reference.Arith{} }, "arith.in_bits = 0"},
		{"NaN scale fixed", func(q, k, v **reference.Tensor, o *reference.Options) { o.Scale = math.NaN() }, "scale = NaN"},
		{"Inf scale float", func(q, k, v **reference.Tensor, o *reference.Options) { o.Scale, o.Arith = math.Inf(1), f64 }, "scale = +Inf"},
		{"scale beyond coef_bits", func(q, k, v **reference.Tensor, o *reference.Options) { o.Scale = 3 }, "scale = 3"},
		{"head dim beyond 63-bit score", func(q, k, v **reference.Tensor, o *reference.Options) { *q, *k, *v = tooBig, tooBig, tooBig }, "head_dim = 32768"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q, k, v := good()
			opt := reference.Options{Arith: fx, Mask: reference.Mask{Window: 3}}
			c.mod(&q, &k, &v, &opt)
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("Attend panicked: %v", r)
					}
				}()
				_, err = reference.Attend(q, k, v, opt)
			}()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
	// Impossible custom widths are refused by ParseArith, naming the field.
	for spec, field := range map[string]string{
		"custom:acc_bits=20":               "arith.acc_bits",
		"custom:sum_bits=70":               "arith.sum_bits",
		"custom:score_frac=30":             "arith.score_frac",
		"custom:lut_bits=13,score_frac=13": "arith.lut_bits",
		"custom:in_bits=3":                 "arith.in_bits",
		"custom:in_frac=15":                "arith.in_frac",
		"custom:coef_frac=25":              "arith.coef_frac",
		"custom:prob_frac=31":              "arith.prob_frac",
		"custom:recip_bits=49":             "arith.recip_bits",
		"custom:interp=maybe":              "arith.interp",
		"custom:lut_bits=x":                "arith.lut_bits",
		"custom:widget=3":                  "arith.widget",
		"custom:lut_bits":                  "lut_bits",
		"fixed99":                          "fixed99",
		"custom:score_bits=7,score_frac=":  "arith.score_frac",
	} {
		if _, err := reference.ParseArith(spec); err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("ParseArith(%q) = %v, want an error naming %s", spec, err, field)
		}
	}
}
