package dataflow

import (
	"strings"
	"testing"
)

// TestDesignTiming checks how the hw.latency.* keys become the cycle
// model's latencies, against values worked out by hand (fixed16:
// recip_bits 24; the default head_dim 64).
func TestDesignTiming(t *testing.T) {
	for _, c := range []struct {
		sets                  string
		want                  Timing
		period, tail, normCyc int
	}{
		// defaults: score 2 + exp 2, acc 2, norm 3, recip 2; C = 64/16
		{"", Timing{C: 4, Ls: 4, La: 2, Ln: 3, Lr: 27}, 4, 12, 33},
		{"hw.latency.score=1 hw.latency.acc=1 hw.latency.norm=1 hw.latency.recip=1",
			Timing{C: 4, Ls: 3, La: 1, Ln: 1, Lr: 26}, 4, 11, 30},
		// C = 1 < La = 3: keys every 3 cycles, the ring has 3 slots
		{"hw.vector_width=64 hw.latency.acc=3", Timing{C: 1, Ls: 4, La: 3, Ln: 3, Lr: 27}, 3, 8, 30},
		{"hw.vector_width=32 hw.latency.acc=8 hw.latency.norm=8 hw.latency.exp=5",
			Timing{C: 2, Ls: 7, La: 8, Ln: 8, Lr: 27}, 8, 17, 36},
	} {
		var sets []string
		if c.sets != "" {
			sets = strings.Fields(c.sets)
		}
		d, err := Load("", sets)
		if err != nil {
			t.Fatalf("%q: %v", c.sets, err)
		}
		tm := d.Timing()
		if tm != c.want || tm.Period() != c.period || tm.Tail() != c.tail || tm.NormCycles() != c.normCyc {
			t.Errorf("%q: %+v period %d tail %d norm %d, want %+v %d %d %d", c.sets, tm, tm.Period(), tm.Tail(), tm.NormCycles(),
				c.want, c.period, c.tail, c.normCyc)
		}
	}
}
