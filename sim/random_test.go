package sim_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/swatsim/swatsim/dataflow"
)

// TestRandomDesignPoints draws design points the other tests never name —
// tiny and ragged shapes, windows wider than the sequence, every row
// global, sinks past the window, both archs, every preset, every memory —
// and checks each is bit-exact with the reference, that timing-only gives
// the same cycles, and that the core's cycles are the closed form plus the
// stalls it recorded.
func TestRandomDesignPoints(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for i := 0; i < 60; i++ {
		dims := []int{4, 8, 16}
		d := dims[r.IntN(len(dims))]
		vws := []int{1, 2, d}
		n := 1 + r.IntN(90)
		causal := r.IntN(2) == 0
		w := r.IntN(2 * n)
		if causal {
			w++
		}
		sets := []string{
			fmt.Sprint("model.seq_len=", n), fmt.Sprint("model.head_dim=", d), fmt.Sprint("model.heads=", 1+r.IntN(2)),
			fmt.Sprint("model.window=", w), fmt.Sprint("model.causal=", causal),
			fmt.Sprint("model.global_tokens=", r.IntN(min(n, 4)+1)), fmt.Sprint("model.sinks=", r.IntN(min(n, 6)+1)),
			fmt.Sprint("hw.pes=", 1+r.IntN(7)), fmt.Sprint("hw.vector_width=", vws[r.IntN(3)]),
			fmt.Sprint("hw.latency.score=", 1+r.IntN(2)), fmt.Sprint("hw.latency.exp=", 1+r.IntN(3)),
			fmt.Sprint("hw.latency.acc=", 1+r.IntN(4)), fmt.Sprint("hw.latency.norm=", 1+r.IntN(3)), fmt.Sprint("hw.latency.recip=", 1+r.IntN(2)),
			fmt.Sprint("hw.stream_fifo_rows=", 2+r.IntN(40)), fmt.Sprint("hw.burst_bytes=", 64<<r.IntN(6)),
			"arch=" + []string{"swat", "dense"}[r.IntN(2)], "arith=" + []string{"fixed16", "fixed12", "fixed8"}[r.IntN(3)],
			"memory.kind=" + []string{"hbm2", "ddr4", "ideal"}[r.IntN(3)], fmt.Sprint("memory.channels=", 1+r.IntN(4)),
		}
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			des := design(t, sets...)
			m := des.Model
			q, k, v := randTensor(r, m.Heads, m.SeqLen, m.HeadDim), randTensor(r, m.Heads, m.SeqLen, m.HeadDim), randTensor(r, m.Heads, m.SeqLen, m.HeadDim)
			res := checkBitExact(t, des, q, k, v)
			to := run(t, des)
			rep := res.Report
			stalls := rep.StallCycles["q"] + rep.StallCycles["kv"] + rep.StallCycles["o"]
			ideal := dataflow.IdealCycles(dataflow.NewSchedule(des), des.Timing())
			if to.Cycles != rep.Cycles || rep.CoreCycles != ideal+stalls {
				t.Errorf("%v: functional %d / timing-only %d cycles; core %d != closed form %d + stalls %d",
					sets, rep.Cycles, to.Cycles, rep.CoreCycles, ideal, stalls)
			}
		})
	}
}
