package kv

import (
	"slices"
	"testing"

	"github.com/swatsim/swatsim/reference"
	"github.com/swatsim/swatsim/traces"
)

// synth returns a small synthetic trace with a sink, heavy hitters and
// RoPE (traces.DefaultSynthParams resized).
func synth(t testing.TB, h, n, d int, seed uint64) (q, k, v *reference.Tensor) {
	t.Helper()
	p := traces.DefaultSynthParams()
	p.Seed, p.Heads, p.Tokens, p.HeadDim = seed, h, n, d
	p.OutlierChannels, p.KeyRank = min(p.OutlierChannels, d), min(p.KeyRank, d)
	q, k, v, err := traces.Generate(p)
	if err != nil {
		t.Fatal(err)
	}
	return q, k, v
}

// splitConfig places few tokens on chip and few in HBM, so that every
// step's attention has three parts.
func splitConfig(heads, d, onchip, hbm int) Config {
	c := DefaultConfig()
	c.OnChip.CapacityTokens = onchip
	c.HBM.CapacityBytes = int64(hbm) * c.tokenBytes(heads, d)
	return c
}

// captured are the outputs of every spec at every step: [spec][step][head].
type captured struct {
	results []*Result
	outs    [][][][]float64
	atts    [][][][]int
}

// capture runs specs and copies every instance's output and attended set
// after each step.
func capture(t testing.TB, s *Simulator, specs []Spec) captured {
	t.Helper()
	c := captured{outs: make([][][][]float64, len(specs)), atts: make([][][][]int, len(specs))}
	res, err := s.run(specs, func(_ int, ref *instance, insts []*instance) {
		for i := range specs {
			in := insts[i]
			if in == nil {
				in = ref
			}
			var o [][]float64
			var a [][]int
			for h := range in.last.O {
				o = append(o, slices.Clone(in.last.O[h]))
				a = append(a, slices.Clone(in.last.Att[h]))
			}
			c.outs[i] = append(c.outs[i], o)
			c.atts[i] = append(c.atts[i], a)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	c.results = res
	return c
}

func floatAttend(t testing.TB, q, k, v *reference.Tensor, m reference.Mask) *reference.Tensor {
	t.Helper()
	r, err := reference.Attend(q, k, v, reference.Options{Mask: m, Arith: reference.Arith{Float: true}})
	if err != nil {
		t.Fatal(err)
	}
	return r.O
}
