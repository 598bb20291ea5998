package lm

import (
	"math"
	"testing"

	"github.com/swatsim/swatsim/reference"
	"github.com/swatsim/swatsim/sim/kv"
)

func float64Arith() reference.Arith { return reference.Arith{Name: "float64", Float: true} }

func decodeOpts(pol string, budget, sinks, prompt int) DecodeOptions {
	cfg := kv.DefaultConfig()
	cfg.Policy.Sinks = sinks
	return DecodeOptions{Policy: pol, Budget: budget, KV: cfg, Prompt: prompt, Arith: float64Arith()}
}

func maxDiff(a, b []float64) float64 {
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

// TestDecodeEqualsForward: policy full in decode is the full-sequence
// forward pass (matrix products against matrix-vector products: 1e-12),
// and streaming with budget B and S sinks is the forward pass with the
// mask "causal and (i-j < B-S or j < S)" at every layer.
func TestDecodeEqualsForward(t *testing.T) {
	m := loadModel(t)
	text := readText(t, "text1")[:201]
	cases := []struct {
		policy                string
		budget, sinks, prompt int
		mask                  reference.Mask
	}{
		{"full", 1 << 20, 4, 0, reference.Mask{Causal: true, Dense: true}},
		{"full", 1 << 20, 4, 37, reference.Mask{Causal: true, Dense: true}},
		{"streaming", 32, 4, 0, reference.Mask{Causal: true, Window: 28, Sinks: 4}},
		{"streaming", 50, 0, 0, reference.Mask{Causal: true, Window: 50}},
		{"streaming", 32, 4, 20, reference.Mask{Causal: true, Window: 28, Sinks: 4}}, // the prompt fits the window
	}
	for _, tc := range cases {
		want, err := m.Forward(text, Attention{Mask: tc.mask, Arith: float64Arith()})
		if err != nil {
			t.Fatal(err)
		}
		got, err := m.Decode(text, decodeOpts(tc.policy, tc.budget, tc.sinks, tc.prompt))
		if err != nil {
			t.Fatal(err)
		}
		if d := maxDiff(got.Losses, want.Losses); d > 1e-12 {
			t.Errorf("%s B=%d S=%d P=%d: losses differ from the masked forward pass by %.3g", tc.policy, tc.budget, tc.sinks, tc.prompt, d)
		}
		for l := range want.QKV {
			if d := maxDiff(got.QKV[l].O.Data, want.QKV[l].O.Data); d > 1e-12 {
				t.Errorf("%s B=%d layer %d: attention output differs by %.3g", tc.policy, tc.budget, l, d)
			}
		}
	}
}
