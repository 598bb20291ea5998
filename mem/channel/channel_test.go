package channel

import (
	"math"
	"testing"

	"github.com/sarchlab/akita/v3/sim"
)

// TestBookHandCounts checks queueing against hand counts on two 1 GB/s
// channels.
func TestBookHandCounts(t *testing.T) {
	s := NewSet(2, 1e9)
	steps := []struct {
		now   float64
		ch    int
		bytes uint64
		done  float64
	}{
		{0, 0, 4096, 4.096e-6},           // idle channel
		{0, 0, 4096, 8.192e-6},           // queued behind the first
		{1e-6, 1, 50, 1.05e-6},           // the other channel is idle
		{20e-6, 0, 1000, 21e-6},          // channel 0 idle again
		{20.5e-6, 0, 0, 21e-6},           // nothing to move: ends when the channel frees
		{30e-6, 1, 1 << 20, 1.078576e-3}, // 1 MiB
	}
	for i, st := range steps {
		got := float64(s.Book(sim.VTimeInSec(st.now), st.ch, st.bytes))
		if math.Abs(got-st.done) > 1e-15 {
			t.Errorf("step %d: done %.9g s, want %.9g", i, got, st.done)
		}
	}
	if b := float64(s.Busy(0)); math.Abs(b-9192e-9) > 1e-18 {
		t.Errorf("busy(0) = %g, want %g", b, 9192e-9)
	}
	if b := float64(s.Busy(1)); math.Abs(b-float64(50+1<<20)/1e9) > 1e-18 {
		t.Errorf("busy(1) = %g", b)
	}
	if s.Len() != 2 {
		t.Errorf("Len = %d", s.Len())
	}
}

// TestBookInfiniteBandwidth: an ideal channel takes no time.
func TestBookInfiniteBandwidth(t *testing.T) {
	s := NewSet(1, math.Inf(1))
	if got := s.Book(5e-9, 0, 1<<30); got != 5e-9 {
		t.Errorf("done %g, want 5e-9", float64(got))
	}
	if s.Busy(0) != 0 {
		t.Errorf("busy %g", float64(s.Busy(0)))
	}
}
