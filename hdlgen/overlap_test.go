package hdlgen

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/swatsim/swatsim/dataflow"
)

// TestDescROMRepeatsPerUnit: the descriptor ROM (one unit's blocks) read
// cyclically gives, for every block of every core's order, the block's
// geometry and the offset D that the model's overlapped sequencer uses
// (Schedule.Offset over the whole order, with the inherited positions
// carried from block to block), on seeded random design points.
func TestDescROMRepeatsPerUnit(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	checked := 0
	for i := 0; checked < 300; i++ {
		sets := randomOverlapPoint(r)
		d, err := dataflow.Load("", sets)
		if err != nil {
			continue
		}
		checked++
		p, err := newParams(d)
		if err != nil {
			t.Fatalf("%v: %v", sets, err)
		}
		s := dataflow.NewSchedule(d)
		for c := 0; c < s.Cores; c++ {
			o := s.CoreOrder(c)
			inherited := 0
			for i := 0; i < o.Len(); i++ {
				a := o.Block(i)
				want := a.Keys()
				if i+1 < o.Len() {
					b := o.Block(i + 1)
					want = s.Offset(&a, &b, inherited)
				}
				inherited = 0
				if want < a.Keys() {
					inherited = a.Keys() - want
				}
				got := p.Descs[i%len(p.Descs)]
				geo, err := describe(&a, p.Depth)
				if err != nil {
					t.Fatalf("%v: %v", sets, err)
				}
				geo.D = want
				if got != geo {
					t.Fatalf("%v: core %d block %d: ROM %+v, model %+v", sets, c, i, got, geo)
				}
			}
		}
	}
}

// randomOverlapPoint draws a small overlapped design point.
func randomOverlapPoint(r *rand.Rand) []string {
	n := 1 + r.IntN(40)
	heads := 1 + r.IntN(4)
	kv := []int{0, 1, heads}[r.IntN(3)]
	return []string{"hw.overlap=true", fmt.Sprint("arch=", []string{"swat", "swat", "dense"}[r.IntN(3)]),
		fmt.Sprint("model.seq_len=", n), fmt.Sprint("model.window=", 1+r.IntN(n)),
		fmt.Sprint("model.causal=", r.IntN(3) > 0), fmt.Sprint("model.global_tokens=", r.IntN(3)),
		fmt.Sprint("model.sinks=", r.IntN(3)), fmt.Sprint("model.heads=", heads),
		fmt.Sprint("model.kv_heads=", kv), fmt.Sprint("hw.cores=", 1+r.IntN(3)),
		fmt.Sprint("hw.pes=", 1+r.IntN(6)), "model.head_dim=4", "hw.vector_width=2"}
}
