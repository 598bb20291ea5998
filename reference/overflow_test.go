package reference

import (
	"math"
	"strings"
	"testing"
)

// filled returns an [1,n,d] tensor with every element f(row, col).
func filled(n, d int, f func(i, c int) float64) *Tensor {
	t := NewTensor(1, n, d)
	for i := range n {
		for c := range d {
			t.Data[i*d+c] = f(i, c)
		}
	}
	return t
}

// TestAttendFloatOverflow checks the overflow-safe float64 path against
// closed forms, and the refusal of logits beyond the float64 range.
func TestAttendFloatOverflow(t *testing.T) {
	const n, d = 8, 16
	f64, _ := Preset("float64")
	dense := Mask{Dense: true, Causal: true}
	ones := func(x float64) func(i, c int) float64 { return func(int, int) float64 { return x } }
	// Equal keys give equal logits, so row i is the mean of v rows 0..i.
	rowMean := func(v func(i, c int) float64, i, c int) float64 {
		var s float64
		for j := 0; j <= i; j++ {
			s += v(j, c) / float64(i+1)
		}
		return s
	}
	huge := func(i, c int) float64 { return math.MaxFloat64 / float64(1+(i+c)%3) }
	cases := []struct {
		name    string
		q, k, v func(i, c int) float64
		scale   float64
		wantErr string
	}{
		{"values near MaxFloat64 (direct sum overflows)", ones(1), ones(1), huge, 0, ""},
		{"products overflow, logits fit (scaled dot)", ones(1e154), ones(1e154), func(i, c int) float64 { return float64(i - c) }, 1e-10, ""},
		{"logits beyond float64", ones(1e200), ones(1e200), ones(1), 0, "float64 attention overflows at head 0, row 0"},
	}
	for _, c := range cases {
		q, k, v := filled(n, d, c.q), filled(n, d, c.k), filled(n, d, c.v)
		res, err := Attend(q, k, v, Options{Mask: dense, Scale: c.scale, Arith: f64})
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: error %v; want %q", c.name, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		for i := range n {
			for col := range d {
				got, want := res.O.Data[i*d+col], rowMean(c.v, i, col)
				if math.IsInf(got, 0) || math.IsNaN(got) || math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
					t.Fatalf("%s: O[%d,%d] = %g; want %g", c.name, i, col, got, want)
				}
			}
		}
	}
}

func TestAttendRefusesNonFinite(t *testing.T) {
	f64, _ := Preset("float64")
	q, k, v := filled(4, 4, func(int, int) float64 { return 1 }), filled(4, 4, func(int, int) float64 { return 1 }), filled(4, 4, func(int, int) float64 { return 1 })
	k.Data[5] = math.NaN()
	_, err := Attend(q, k, v, Options{Mask: Mask{Dense: true}, Arith: f64})
	if err == nil || !strings.Contains(err.Error(), "k: element 5 (head 0, row 1, col 1) is NaN") {
		t.Errorf("error %v; want k[0,1,1] = NaN named", err)
	}
}

// TestSaturationCounted: fixed16 codes hold |x| < 32768 at 0 fraction bits,
// so larger inputs are clipped, and counted.
func TestSaturationCounted(t *testing.T) {
	a, _ := Preset("fixed16")
	q := filled(4, 4, func(i, c int) float64 { return 1 })
	k := filled(4, 4, func(i, c int) float64 { return 1 })
	v := filled(4, 4, func(i, c int) float64 { return 1 })
	v.Data[0], v.Data[1], v.Data[2] = 1e6, -1e6, 40000 // 40000 > 32767 too
	k.Data[3] = 32767                                  // fits at frac 0: not clipped
	res, err := Attend(q, k, v, Options{Mask: Mask{Dense: true}, Arith: a})
	if err != nil {
		t.Fatal(err)
	}
	if want := (Saturation{Q: 0, K: 0, V: 3}); res.Saturated != want {
		t.Errorf("Saturated = %+v; want %+v", res.Saturated, want)
	}
}
