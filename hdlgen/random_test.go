package hdlgen

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestCosimRandomPoints co-simulates design points drawn at random (seeded,
// so CI always runs the same ones) beside the hand-picked matrix: shapes,
// masks and arithmetic nobody chose, each with 30% stalls.
func TestCosimRandomPoints(t *testing.T) {
	needTool(t, "verilator")
	r := rand.New(rand.NewPCG(2026, 11))
	for i := 0; i < 3; i++ {
		d := []int{4, 8, 12}[r.IntN(3)]
		n := 8 + r.IntN(40)
		causal := r.IntN(2) == 0
		w := r.IntN(n)
		if causal {
			w++
		}
		pt := point{name: fmt.Sprint("random", i), sets: []string{
			"arch=" + []string{"swat", "swat", "dense"}[r.IntN(3)], "arith=" + []string{"fixed16", "fixed12", "fixed8"}[r.IntN(3)],
			fmt.Sprint("model.seq_len=", n), fmt.Sprint("model.window=", w), fmt.Sprint("model.causal=", causal),
			fmt.Sprint("model.global_tokens=", r.IntN(3)), fmt.Sprint("model.sinks=", r.IntN(4)),
			fmt.Sprint("model.head_dim=", d), fmt.Sprint("hw.pes=", 1+r.IntN(5)),
			fmt.Sprint("hw.vector_width=", []int{1, 2, d}[r.IntN(3)]),
			fmt.Sprint("hw.latency.score=", 1+r.IntN(2)), fmt.Sprint("hw.latency.exp=", 1+r.IntN(2)),
		}}
		t.Run(pt.name, func(t *testing.T) {
			des := pt.design(t)
			q, k, v := RandomInputs(des, uint64(i), 1.5)
			res, err := Cosim(des, q, k, v, 7, 30)
			if err != nil {
				t.Fatal(err)
			}
			t.Log(pt.sets, res.Summary())
			if !res.Pass {
				t.Errorf("%v: %s", pt.sets, res.Report())
			}
		})
	}
}
