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
	forOverlapPoints(t, rand.New(rand.NewPCG(7, 8)), 300, "", func(sets []string, d *dataflow.Design, p *params) {
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
				geo, err := dataflow.DescribeBlock(&a, p.Depth)
				if err != nil {
					t.Fatalf("%v: %v", sets, err)
				}
				geo.D = want
				if got != geo {
					t.Fatalf("%v: core %d block %d: ROM %+v, model %+v", sets, c, i, got, geo)
				}
			}
		}
	})
}

// forOverlapPoints calls f with n valid overlapped design points drawn by
// randomOverlapPoint from r (with arch forced when arch != "") and their
// generator parameters.
func forOverlapPoints(t *testing.T, r *rand.Rand, n int, arch string, f func([]string, *dataflow.Design, *params)) {
	t.Helper()
	for checked := 0; checked < n; {
		sets := randomOverlapPoint(r)
		if arch != "" {
			sets = append(sets, "arch="+arch)
		}
		d, err := dataflow.Load("", sets)
		if err != nil {
			continue
		}
		checked++
		p, err := newParams(d)
		if err != nil {
			t.Fatalf("%v: %v", sets, err)
		}
		f(sets, d, p)
	}
}

// randomOverlapPoint draws a small overlapped design point.
func randomOverlapPoint(r *rand.Rand) []string {
	n := 1 + r.IntN(40)
	heads := 1 + r.IntN(4)
	kv := []int{0, 1, heads}[r.IntN(3)]
	return []string{"hw.overlap=true", fmt.Sprint("arch=", []string{"swat", "swat", "dense", "flash"}[r.IntN(4)]),
		fmt.Sprint("hw.key_tile=", r.IntN(n+3)),
		fmt.Sprint("model.seq_len=", n), fmt.Sprint("model.window=", 1+r.IntN(n)),
		fmt.Sprint("model.causal=", r.IntN(3) > 0), fmt.Sprint("model.global_tokens=", r.IntN(3)),
		fmt.Sprint("model.sinks=", r.IntN(3)), fmt.Sprint("model.heads=", heads),
		fmt.Sprint("model.kv_heads=", kv), fmt.Sprint("hw.cores=", 1+r.IntN(3)),
		fmt.Sprint("hw.pes=", 1+r.IntN(6)), "model.head_dim=4", "hw.vector_width=2"}
}

// TestFlashDescKeys: the overlapped flash controller's key at sweep
// position x (str_lo + x for x < str_n, then s2_lo + x - str_n) is the
// model's x-th swept key, for every block of seeded random flash points.
func TestFlashDescKeys(t *testing.T) {
	twoRuns := 0
	forOverlapPoints(t, rand.New(rand.NewPCG(9, 10)), 200, "flash", func(sets []string, d *dataflow.Design, p *params) {
		o := dataflow.NewSchedule(d).CoreOrder(0)
		for i := range p.Descs {
			blk, desc := o.Block(i), p.Descs[i]
			var want []int
			for _, sg := range blk.Segs {
				for k := sg.Lo; k <= sg.Hi; k++ {
					want = append(want, k)
				}
			}
			if len(blk.Segs) == 2 {
				twoRuns++
			}
			if desc.K != len(want) {
				t.Fatalf("%v: block %d: K %d, model sweeps %d keys", sets, i, desc.K, len(want))
			}
			for x, k := range want {
				got := desc.StrLo + x
				if x >= desc.StrN {
					got = desc.S2Lo + x - desc.StrN
				}
				if got != k {
					t.Fatalf("%v: block %d position %d: key %d, model %d (%+v)", sets, i, x, got, k, blk.Segs)
				}
			}
		}
	})
	if twoRuns == 0 {
		t.Fatal("no block with two runs: the points do not test s2_lo")
	}
}
