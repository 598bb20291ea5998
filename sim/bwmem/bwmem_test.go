package bwmem

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/sarchlab/akita/v3/mem/mem"
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

// TestSameCycleAddressOrder: requests that arrive in one cycle are
// ordered by address, then size, then sender, whatever their arrival
// order.
func TestSameCycleAddressOrder(t *testing.T) {
	e := sim.NewSerialEngine()
	c := MakeBuilder().WithEngine(e).Build("Mem")
	a := sim.NewLimitNumMsgPort(c, 4, "A")
	b := sim.NewLimitNumMsgPort(c, 4, "B")
	read := func(src sim.Port, addr, size uint64) sim.Msg {
		return mem.ReadReqBuilder{}.WithSrc(src).WithDst(c.topPort).WithAddress(addr).WithByteSize(size).Build()
	}
	msgs := []sim.Msg{read(b, 8192, 64), read(a, 4096, 128), read(b, 4096, 64), read(a, 4096, 64), read(a, 0, 4096)}
	want := []sim.Msg{msgs[4], msgs[3], msgs[2], msgs[1], msgs[0]}
	slices.SortStableFunc(msgs, compareRequests)
	if !slices.Equal(msgs, want) {
		t.Errorf("order %v, want %v", describe(msgs), describe(want))
	}
}

func describe(ms []sim.Msg) []string {
	var out []string
	for _, m := range ms {
		addr, size := request(m)
		out = append(out, fmt.Sprintf("%s:%d+%d", m.Meta().Src.Name(), addr, size))
	}
	return out
}

// TestLongestChain: transfers queued back to back on a channel form one
// chain; a transfer that finds its channel idle starts a new one.
func TestLongestChain(t *testing.T) {
	c := MakeBuilder().WithEngine(sim.NewSerialEngine()).WithChannels(2, 1e9).WithInterleave(4096).Build("Mem")
	c.occupy(0, 0, 4096)       // channel 0 busy [0, 4.096 us]
	c.occupy(1e-6, 0, 4096)    // queued: chain [0, 8.192 us]
	c.occupy(2e-6, 4096, 1000) // channel 1: [2, 3 us]
	c.occupy(20e-6, 0, 1000)   // channel 0 idle again: a new chain of 1 us
	if got := float64(c.LongestChain()); math.Abs(got-8.192e-6) > 1e-15 {
		t.Errorf("longest chain %.6g s, want 8.192e-6", got)
	}
	if got := c.ChannelBytes(); got[0] != 9192 || got[1] != 1000 {
		t.Errorf("channel bytes %v, want [9192 1000]", got)
	}
}
