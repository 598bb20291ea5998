package kv

import (
	"math"
	"testing"

	"github.com/swatsim/swatsim/reference"
	"github.com/swatsim/swatsim/sim/kv/timing"
)

// oneHead returns a config for one head of dimension 64 in fp16: a row (K
// or V of one token) is 128 B, a token (K+V) 256 B, a block of 16 rows
// 2048 B.
func oneHead(onchip, hbmTokens int) Config {
	c := splitConfig(1, 64, onchip, hbmTokens)
	c.HBM.BurstBytes, c.HBM.InterleaveBytes, c.HBM.Channels = 64, 256, 2
	c.Host.BurstBytes, c.Host.InterleaveBytes = 64, 64
	return c
}

// questData: keys are small noise except channel 0 of page 1 (tokens
// 16..31) = 5; every query is e_0. Quest's U is then largest for page 1.
func questData(n int) (q, k, v *reference.Tensor) {
	q, k, v = reference.NewTensor(1, n, 64), reference.NewTensor(1, n, 64), reference.NewTensor(1, n, 64)
	for j := range n {
		q.Row(0, j)[0] = 1
		for c := range 64 {
			k.Row(0, j)[c] = 0.01 * math.Sin(float64(7*j+c))
			v.Row(0, j)[c] = math.Cos(float64(3*j + c))
		}
		if j >= 16 && j < 32 {
			k.Row(0, j)[0] = 5
		}
	}
	return q, k, v
}

func TestBytesPerTierMatchHandCounts(t *testing.T) {
	type want struct {
		step            int // decode step index (t = P + step)
		onchip, hbm, hs int64
	}
	burst256 := oneHead(4, 1000)
	burst256.HBM.BurstBytes, burst256.HBM.InterleaveBytes = 256, 256
	blocks := oneHead(4, 1000)
	blocks.Layout.Gather = "block"
	sq, sk, sv := synth(t, 1, 40, 64, 1)
	qq, qk, qv := questData(80)
	cases := []struct {
		name    string
		cfg     Config
		spec    Spec
		sinks   int
		prompt  int
		q, k, v *reference.Tensor
		want    []want
	}{
		// Streaming S=2, B=10 (W=8), 4 tokens on chip, P=32. Step t: cache
		// {0,1} + {t-7..t}; on chip {t-3..t}; HBM {0,1,t-7..t-4}.
		// On chip: gather 4 tokens x 256 B = 1024, write of t 256, read of
		// the demoted t-4 256 = 1536. HBM: gather 6 tokens x 256 B (128-B
		// rows are exactly 2 bursts of 64) = 1536, write of t-4 256 = 1792.
		{"streaming 64-B bursts", oneHead(4, 1000), Spec{"streaming", 10}, 2, 32, sq, sk, sv,
			[]want{{0, 1536, 1792, 0}, {1, 1536, 1792, 0}, {7, 1536, 1792, 0}}},
		// The same with 256-B bursts (2 rows each). t=32: {0,1} share
		// burst 0 of block 0: 1 burst per K/V; {25..28} are slots 9..12 of
		// block 1 = bursts 4, 5, 6: 3 per K/V. Gather (1+3) x 2 x 256 =
		// 2048; write of 28 (slot 12): 1 burst per K/V = 512; 2560 in all.
		// t=33: {26..29} = slots 10..13 = bursts 5, 6: (1+2) x 2 x 256 +
		// 512 = 2048. t=34: {27..30} = bursts 5, 6, 7: 2560 again.
		{"streaming 256-B bursts", burst256, Spec{"streaming", 10}, 2, 32, sq, sk, sv,
			[]want{{0, 1536, 2560, 0}, {1, 1536, 2048, 0}, {2, 1536, 2560, 0}}},
		// Whole-block gathers: {0,1} pull block 0 and {25..28} block 1, 2048
		// B each per K/V = 8192; the demotion write stays 2 bursts per
		// K/V = 256: 8448.
		{"streaming block gathers", blocks, Spec{"streaming", 10}, 2, 32, sq, sk, sv,
			[]want{{0, 1536, 8448, 0}, {1, 1536, 8448, 0}}},
		// Full, 4 tokens on chip, 8 in HBM, the rest in host memory. Step
		// t: on chip {t-3..t}, HBM {t-11..t-4}, host {0..t-12}. On chip:
		// 1024 gather + 256 write + 256 demotion read = 1536. HBM: 2048
		// gather + 256 write of t-4 + 256 read of t-12 (moving to host) =
		// 2560. Host: (t-11) x 256 gather + 256 write of t-12. t=32: 5632.
		{"full over three tiers", oneHead(4, 8), Spec{"full", 40}, 4, 32, sq, sk, sv,
			[]want{{0, 1536, 2560, 5632}, {5, 1536, 2560, 5632 + 5*256}}},
		// Quest, B=32 = 2 pages, 16 tokens on chip, P=64. Step t=64: the
		// metadata of the 4 complete pages, 4 x (min+max = 256 B) = 1024
		// from HBM; page 1 wins (U = 5) and is gathered from HBM, 16 x 256
		// = 4096, plus the current page {64} on chip; 48 is demoted.
		// HBM: 1024 + 4096 + 256 (write of 48) = 5376. On chip: 256
		// (gather of 64) + 256 (write of 64) + 256 (read of 48) = 768.
		// t=65: the current page {64, 65}: on chip 512 + 512 = 1024.
		// t=79 completes page 4: its summary (256 B) is written to HBM.
		{"quest", oneHead(16, 1000), Spec{"quest", 32}, 4, 64, qq, qk, qv,
			[]want{{0, 768, 5376, 0}, {1, 1024, 5376, 0}, {15, 16*256 + 512, 5376 + 256, 0}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Policy.Sinks = tc.sinks
			s, err := MakeBuilder().WithConfig(tc.cfg).WithPrompt(tc.prompt).Build(tc.q, tc.k, tc.v)
			if err != nil {
				t.Fatal(err)
			}
			rs, err := s.Run([]Spec{tc.spec})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				got := rs[0].Steps[w.step].Bytes
				exp := [timing.NumTiers]int64{w.onchip, w.hbm, w.hs}
				if got != exp {
					t.Errorf("t=%d: bytes (onchip, hbm, host) = %v, hand count %v", tc.prompt+w.step, got, exp)
				}
			}
		})
	}
}

func TestMemoryBoundStepsTakeBytesOverBandwidth(t *testing.T) {
	const h, n, d = 8, 768, 64
	q, k, v := synth(t, h, n, d, 2)
	// DDR4-class: 1 MB per step at 25.6 GB/s is 12000 cycles, so 100 ns
	// latency and the division are under 1%. HBM moves the same bytes in
	// 690 cycles: with 0 latency and no division the step is pure
	// transfer over 32 channels (what remains is channel imbalance and
	// the two 1-cycle message hops).
	for _, tc := range []struct {
		name      string
		bw        float64
		channels  int
		latencyNs float64
		finish    int
	}{{"dram", 25.6, 4, 100, 16}, {"hbm", 460, 32, 0, 0}} {
		cfg := splitConfig(h, d, 0, 1<<20) // nothing on chip: every byte from off chip
		cfg.HBM.Name, cfg.HBM.BandwidthGBps, cfg.HBM.Channels, cfg.HBM.LatencyNs = tc.name, tc.bw, tc.channels, tc.latencyNs
		cfg.Compute.FinishCycles = tc.finish
		cfg.HBM.InterleaveBytes = 64 // burst-grain interleaving: the finest balance
		cfg.Compute.MACsPerCycle = 1 << 24
		s, err := MakeBuilder().WithConfig(cfg).WithPrompt(512).WithSteps(64).Build(q, k, v)
		if err != nil {
			t.Fatal(err)
		}
		rs, err := s.Run([]Spec{{"full", n}})
		if err != nil {
			t.Fatal(err)
		}
		worst := 0.0
		for _, st := range rs[0].Steps {
			want := float64(st.Bytes[timing.OffChip]) / (tc.bw * 1e9) * cfg.ClockMHz * 1e6
			r := st.Cycles / want
			worst = math.Max(worst, math.Abs(r-1))
			if r < 0.98 || r > 1.02 {
				t.Fatalf("%s t=%d: %.1f cycles, bytes/bandwidth = %.1f (ratio %.4f)", tc.name, st.T, st.Cycles, want, r)
			}
		}
		if rs[0].Tiers[timing.OffChip] != tc.name {
			t.Fatalf("tier name %q, want %q", rs[0].Tiers[timing.OffChip], tc.name)
		}
		t.Logf("%s: worst deviation from bytes/bandwidth %.2f%%", tc.name, 100*worst)
	}
}

func TestComputeBoundStepsTakeMACsOverRate(t *testing.T) {
	const h, n, d = 2, 160, 16
	q, k, v := synth(t, h, n, d, 2)
	cfg := splitConfig(h, d, 1000, 10)
	cfg.Compute.MACsPerCycle, cfg.OnChip.BytesPerCycle = 64, 1<<20
	s, err := MakeBuilder().WithConfig(cfg).WithPrompt(100).WithSteps(10).Build(q, k, v)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := s.Run([]Spec{{"streaming", 64}})
	if err != nil {
		t.Fatal(err)
	}
	// 2 heads x 64 keys x 2D = 4096 MACs / 64 = 64 cycles, then the
	// 16-cycle division (one part: no merge).
	for _, st := range rs[0].Steps {
		if math.Abs(st.Cycles-80) > 1e-6 {
			t.Fatalf("t=%d: %v cycles, want 64 + 16", st.T, st.Cycles)
		}
	}
}

func TestCAOTESecondPassIsCountedUnlessVIsBuffered(t *testing.T) {
	const h, n, d = 2, 96, 16
	q, k, v := synth(t, h, n, d, 9)
	for _, buffered := range []bool{false, true} {
		cfg := splitConfig(h, d, 8, 1000)
		cfg.Policy.CAOTEBufferV = buffered
		s, err := MakeBuilder().WithConfig(cfg).WithPrompt(48).WithSteps(10).Build(q, k, v)
		if err != nil {
			t.Fatal(err)
		}
		rs, err := s.Run([]Spec{{"caote-h2o", 24}, {"caote-tova", 24}})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			for _, st := range r.Steps[1:] { // step P evicts nothing: the prefill shrank the cache
				// Before token t is appended the cache holds B = 24 tokens, the
				// newest 8 (t-8..t-1) on chip. caote-tova re-reads the V rows
				// (32 B: D=16, fp16) of all 24 candidates: 8 from on chip.
				pre := st.ByCategory[catPreSelect][timing.OnChip] + st.ByCategory[catPreSelect][timing.OffChip]
				if buffered != (pre == 0) {
					t.Fatalf("%s buffered=%v t=%d: second-pass bytes %d", r.Policy, buffered, st.T, pre)
				}
				if on := st.ByCategory[catPreSelect][timing.OnChip]; !buffered && r.Policy == "caote-tova" && on != 8*32*h {
					t.Fatalf("caote-tova t=%d: on-chip second pass %d B, want 8 x 32 x %d", st.T, on, h)
				}
			}
		}
	}
}
