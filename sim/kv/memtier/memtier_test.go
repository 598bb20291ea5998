package memtier

import (
	"math"
	"testing"

	"github.com/sarchlab/akita/v3/sim"
)

// sink is a component that records the responses it receives.
type sink struct {
	*sim.TickingComponent
	port sim.Port
	got  []*TransferRsp
}

func (s *sink) Tick(now sim.VTimeInSec) bool {
	progress := false
	for m := s.port.Retrieve(now); m != nil; m = s.port.Retrieve(now) {
		s.got = append(s.got, m.(*TransferRsp))
		progress = true
	}
	return progress
}

func TestTransfersQueuePerChannel(t *testing.T) {
	engine := sim.NewSerialEngine()
	// 2 channels of 1 GB/s each (1 byte per ns), 10 ns latency.
	tier := MakeBuilder().WithEngine(engine).WithFreq(1 * sim.GHz).WithBandwidth(2e9).
		WithChannels(2).WithLatency(10e-9).Build("Tier")
	s := &sink{}
	s.TickingComponent = sim.NewTickingComponent("Sink", engine, 1*sim.GHz, s)
	s.port = sim.NewLimitNumMsgPort(s, 8, "Sink.Bottom")
	conn := sim.NewDirectConnection("Conn", engine, 1*sim.GHz)
	conn.PlugIn(s.port, 8)
	conn.PlugIn(tier.GetPortByName("Top"), 8)
	top := tier.GetPortByName("Top")
	// a: 100 B on channel 0; b: 50 B on channel 0 (queues behind a) and
	// 30 B on channel 1; c: 20 B on channel 1 only.
	for i, pc := range [][]int64{{100, 0}, {50, 30}, {0, 20}} {
		if err := s.port.Send(NewTransferReq(s.port, top, 0, pc, i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := engine.Run(); err != nil {
		t.Fatal(err)
	}
	// Accepted at 1 ns (one hop). a: 1 + 100 + 10 = 111. b: channel 0 is
	// busy until 101, so 101 + 50 = 151 (+10 = 161); channel 1 ends at 31.
	// c: channel 1 free at 31: 31 + 20 + 10 = 61.
	want := map[int]float64{0: 111, 1: 161, 2: 61}
	if len(s.got) != 3 {
		t.Fatalf("%d responses", len(s.got))
	}
	for _, r := range s.got {
		if math.Abs(float64(r.Done)*1e9-want[r.Tag]) > 1e-6 {
			t.Errorf("transfer %d done at %.3f ns, want %v", r.Tag, float64(r.Done)*1e9, want[r.Tag])
		}
	}
	if tier.Bytes != 200 || tier.Transfers != 3 || math.Abs(float64(tier.BusyTime(0))*1e9-150) > 1e-6 {
		t.Fatalf("stats: %d B, %d transfers, channel 0 busy %v", tier.Bytes, tier.Transfers, tier.BusyTime(0))
	}
}
