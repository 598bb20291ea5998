package timing

import (
	"math"
	"testing"

	"github.com/sarchlab/akita/v3/sim"
)

func spread(total int64, channels int) []int64 {
	b := make([]int64, channels)
	for i := range b {
		b[i] = total / int64(channels)
	}
	return b
}

func build(t *testing.T, b Builder) *Model {
	t.Helper()
	m, err := b.Build("KV")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestComputeBoundStepIsExact(t *testing.T) {
	b := MakeBuilder().WithFreq(1 * sim.GHz).WithMACsPerCycle(100).WithTopKLanes(8).WithMergeCycles(5).WithFinishCycles(7)
	// Hand count: select = ceil(250/100) = 3 MAC cycles + ceil(20/8) = 3
	// stream cycles + log2(8) = 3 tree levels = 9; attention = ceil(1000/100)
	// + ceil(55/100) = 10 + 1 = 11 (no data to wait for); merge of 2 parts =
	// 5 + 7 = 12. Total 32 cycles.
	steps := []Step{{SelectMACs: 250, Candidates: 20, AttnMACs: [NumTiers]int64{1000, 55, 0}, Parts: 2}}
	ph, err := build(t, b).Run(steps)
	if err != nil {
		t.Fatal(err)
	}
	want := Phases{Total: 32, Select: 9, Attention: 11, Merge: 12}
	got := ph[0]
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"total", got.Total, want.Total}, {"select", got.Select, want.Select}, {"attention", got.Attention, want.Attention}, {"merge", got.Merge, want.Merge}} {
		if math.Abs(c.got-c.want) > 1e-6 {
			t.Errorf("%s: %v cycles, want %v", c.name, c.got, c.want)
		}
	}
}

func TestMemoryBoundStepsMatchBytesOverBandwidth(t *testing.T) {
	cases := []struct {
		name     string
		bw       float64
		channels int
		bytes    int64
		oneChan  bool
	}{
		// Latency (150 ns = 45 cycles), two hops and the 16-cycle division
		// are under 2% of the transfer once it exceeds ~3 MB.
		{"hbm balanced", 460e9, 32, 8 << 20, false},
		{"ddr balanced", 25.6e9, 2, 1 << 20, false},
		{"hbm one channel hot", 460e9, 32, 1 << 18, true},
	}
	for _, tc := range cases {
		f := 300 * sim.MHz
		b := MakeBuilder().WithFreq(f).WithMACsPerCycle(1<<20).
			WithTier(OffChip, TierSpec{Bandwidth: tc.bw, Latency: 150e-9, Channels: tc.channels})
		per := spread(tc.bytes, tc.channels)
		bwEff := tc.bw
		if tc.oneChan {
			per = make([]int64, tc.channels)
			per[3] = tc.bytes
			bwEff = tc.bw / float64(tc.channels)
		}
		steps := []Step{{Gather: [NumTiers][]int64{nil, per, nil}, AttnMACs: [NumTiers]int64{0, 1000, 0}, Parts: 1}}
		steps = append(steps, steps[0], steps[0])
		ph, err := build(t, b).Run(steps)
		if err != nil {
			t.Fatal(err)
		}
		want := float64(tc.bytes) / bwEff * float64(f)
		for i, p := range ph {
			if r := p.Total / want; r < 0.98 || r > 1.02 {
				t.Errorf("%s step %d: %.1f cycles, bytes/bandwidth = %.1f (ratio %.4f)", tc.name, i, p.Total, want, r)
			}
		}
	}
}

func TestPartsFoldInTierOrder(t *testing.T) {
	f := 1 * sim.GHz
	// On-chip: 1000 B at 1000 B/cycle, 0 latency = 1 cycle of data; off-chip
	// 1e6 B at 1e12 B/s (1000 cycles) + 0 latency. Attention: on-chip part
	// 2000 cycles of MACs, off-chip part 10 cycles. Off-chip data arrive at
	// 1000, on-chip part ends at 2000, so the off-chip part ends at 2010.
	b := MakeBuilder().WithFreq(f).WithMACsPerCycle(1).WithFinishCycles(0).WithMergeCycles(0).
		WithTier(OnChip, TierSpec{Bandwidth: 1000e9, Channels: 1}).
		WithTier(OffChip, TierSpec{Bandwidth: 1e12, Channels: 1})
	steps := []Step{{Gather: [NumTiers][]int64{{1000}, {1e6}, nil}, AttnMACs: [NumTiers]int64{2000, 10, 0}, Parts: 2}}
	ph, err := build(t, b).Run(steps)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(ph[0].Attention-2010) > 1e-6 {
		t.Fatalf("attention %v cycles, want 2010", ph[0].Attention)
	}
	// Small parts: the off-chip part streams with its data, so attention
	// ends when its last byte arrives: 1 cycle for the request to reach
	// the tier + 1000 (not 10 + 10).
	steps[0].AttnMACs = [NumTiers]int64{10, 10, 0}
	ph, _ = build(t, b).Run(steps)
	if math.Abs(ph[0].Attention-1001) > 1e-6 {
		t.Fatalf("attention %v cycles, want 1001", ph[0].Attention)
	}
}

func TestPreSelectAndBackground(t *testing.T) {
	f := 1 * sim.GHz
	b := MakeBuilder().WithFreq(f).WithMACsPerCycle(1).WithFinishCycles(0).
		WithTier(OffChip, TierSpec{Bandwidth: 1e9, Latency: 10e-9, Channels: 1})
	// Metadata: 100 B at 1 B/cycle + 10 cycles latency = 110 cycles; the
	// background write of 500 B occupies the channel first, so the read
	// queues behind it: ends at 500 + 100 + 10 = 610.
	steps := []Step{{PreSelect: [NumTiers][]int64{nil, {100}, nil}, Background: [NumTiers][]int64{nil, {500}, nil}}}
	ph, err := build(t, b).Run(steps)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(ph[0].PreSelect-612) > 1e-6 { // + one cycle per hop, there and back
		t.Fatalf("pre-select %v cycles, want 610 + 2 hops", ph[0].PreSelect)
	}
}

func TestValidate(t *testing.T) {
	bad := []Builder{
		MakeBuilder().WithMACsPerCycle(0),
		MakeBuilder().WithTopKLanes(0),
		MakeBuilder().WithFreq(0),
		MakeBuilder().WithTier(Host, TierSpec{Bandwidth: 0, Channels: 1}),
	}
	for i, b := range bad {
		if _, err := b.Build("KV"); err == nil {
			t.Errorf("case %d: invalid builder accepted", i)
		}
	}
	m := build(t, MakeBuilder())
	if _, err := m.Run([]Step{{Gather: [NumTiers][]int64{nil, {1, 2}, nil}}}); err == nil {
		t.Error("wrong channel count accepted")
	}
}
