package bwmem

import (
	"math"
	"testing"

	"github.com/sarchlab/akita/v3/sim"
)

// TestOccupyHandCounts checks channel booking against hand counts: two
// 1 GB/s channels interleaved every 4 KiB.
func TestOccupyHandCounts(t *testing.T) {
	c := MakeBuilder().WithEngine(sim.NewSerialEngine()).WithChannels(2, 1e9).WithInterleave(4096).Build("Mem")
	steps := []struct {
		now        float64
		addr, size uint64
		done       float64
	}{
		{0, 0, 8192, 4.096e-6},           // 4 KiB on each channel in parallel
		{0, 0, 4096, 8.192e-6},           // channel 0 again: queued behind the first
		{1e-6, 4096 + 100, 50, 4.146e-6}, // channel 1: 50 B after its first 4 KiB
		{20e-6, 4000, 200, 20.104e-6},    // 96 B on channel 0, 104 B on channel 1, both idle
	}
	for i, s := range steps {
		got := float64(c.occupy(sim.VTimeInSec(s.now), s.addr, s.size))
		if math.Abs(got-s.done) > 1e-15 {
			t.Errorf("step %d: done at %.6g s, want %.6g", i, got, s.done)
		}
	}
	if busy := c.Busy()[0] + c.Busy()[1]; math.Abs(busy-(8192+4096+50+200)/1e9) > 1e-15 {
		t.Errorf("busy %.6g s, want %.6g", busy, (8192+4096+50+200)/1e9)
	}
}
