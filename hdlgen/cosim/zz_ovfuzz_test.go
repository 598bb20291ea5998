package cosim

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/swatsim/swatsim/dataflow"
)

func TestZZOverlapFuzz(t *testing.T) {
	r := rand.New(rand.NewPCG(99, 1))
	for i, done := 0, 0; done < 16; i++ {
		n := 1 + r.IntN(40)
		heads := 1 + r.IntN(4)
		kv := []int{0, 1, heads}[r.IntN(3)]
		d := []int{2, 4, 8}[r.IntN(3)]
		sets := []string{"hw.overlap=true", fmt.Sprint("arch=", []string{"swat", "swat", "swat", "dense"}[r.IntN(4)]),
			fmt.Sprint("model.seq_len=", n), fmt.Sprint("model.window=", 1+r.IntN(n)),
			fmt.Sprint("model.causal=", r.IntN(3) > 0), fmt.Sprint("model.global_tokens=", []int{0, 0, 0, 1, 2}[r.IntN(5)]),
			fmt.Sprint("model.sinks=", []int{0, 0, 0, 1, 2}[r.IntN(5)]), fmt.Sprint("model.heads=", heads),
			fmt.Sprint("model.kv_heads=", kv), fmt.Sprint("hw.cores=", 1+r.IntN(3)),
			fmt.Sprint("hw.pes=", 1+r.IntN(6)), fmt.Sprint("model.head_dim=", d), fmt.Sprint("hw.vector_width=", []int{1, 2, d}[r.IntN(3)]),
			"arith=fixed8", fmt.Sprint("hw.latency.score=", 1+r.IntN(2)), fmt.Sprint("hw.latency.exp=", 1+r.IntN(2))}
		if _, err := dataflow.Load("", sets); err != nil {
			continue
		}
		done++
		pt := point{fmt.Sprint("ovf", i), sets, 1.5}
		des := pt.design(t)
		q, k, v := RandomInputs(des, uint64(i), 1.5)
		res, err := Run(des, q, k, v, uint64(i), 30)
		if err != nil {
			t.Fatal(err)
		}
		t.Log(sets, res.Summary())
		if !res.Pass {
			t.Errorf("%v: %s", sets, res.Report())
		}
	}
}
