package sim_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/swatsim/swatsim/sim"
)

// TestGQAReadsKVOncePerGroup checks, for windowed SWAT designs without
// global tokens, that K and V are read from memory once per K/V group
// (kv_heads x N x D x element bytes each) whatever the number of cores up
// to kv_heads, that Q and O move once per query head, and that the
// functional run is bit-exact with the reference.
func TestGQAReadsKVOncePerGroup(t *testing.T) {
	cases := []struct {
		heads, kv, cores, n, w, p, sinks int
		causal                           bool
	}{
		{8, 2, 1, 96, 16, 4, 0, true},
		{8, 2, 2, 96, 16, 4, 3, true},
		{4, 1, 1, 80, 12, 3, 2, false},
		{6, 3, 3, 70, 9, 5, 0, false},
		{4, 4, 2, 64, 8, 4, 0, true},
	}
	r := rand.New(rand.NewPCG(3, 4))
	for _, c := range cases {
		name := fmt.Sprintf("%+v", c)
		t.Run(name, func(t *testing.T) {
			d := design(t, fmt.Sprint("model.heads=", c.heads), fmt.Sprint("model.kv_heads=", c.kv), fmt.Sprint("hw.cores=", c.cores),
				fmt.Sprint("model.seq_len=", c.n), fmt.Sprint("model.window=", c.w), fmt.Sprint("hw.pes=", c.p),
				fmt.Sprint("model.causal=", c.causal), fmt.Sprint("model.sinks=", c.sinks), "model.head_dim=8", "hw.vector_width=4")
			q := randTensor(r, c.heads, c.n, 8)
			k, v := randTensor(r, c.kv, c.n, 8), randTensor(r, c.kv, c.n, 8)
			rep := checkBitExact(t, d, q, k, v).Report
			const eb = 2 // fixed16
			kvWant := int64(c.kv * c.n * 8 * eb)
			qWant := int64(c.heads * c.n * 8 * eb)
			got := rep.OffchipByStream
			if got["k"] != kvWant || got["v"] != kvWant || got["q"] != qWant || got["o"] != qWant {
				t.Errorf("bytes %v; want k = v = %d, q = o = %d", got, kvWant, qWant)
			}
		})
	}
}

// TestCoresShareTheWork checks that with ideal memory (no bandwidth
// limit) H heads on H cores take exactly the core cycles of one head on
// one core, and that cores beyond the units are reported idle.
func TestCoresShareTheWork(t *testing.T) {
	base := []string{"memory.kind=ideal", "model.seq_len=512", "model.window=64", "hw.pes=8"}
	_, one := runTiming(t, append(base, "model.heads=1")...)
	_, four := runTiming(t, append(base, "model.heads=4", "hw.cores=4")...)
	if four.CoreCycles != one.CoreCycles || four.Cores != 4 || four.Rounds != 1 || four.IdleCores != 0 {
		t.Errorf("4 heads on 4 cores: core cycles %d (1 head on 1 core: %d), cores %d rounds %d idle %d",
			four.CoreCycles, one.CoreCycles, four.Cores, four.Rounds, four.IdleCores)
	}
	_, two := runTiming(t, append(base, "model.heads=2")...)
	_, five := runTiming(t, append(base, "model.heads=5", "hw.cores=4")...)
	if five.Rounds != 2 || five.IdleCores != 3 || five.CoreCycles != two.CoreCycles {
		t.Errorf("5 heads on 4 cores: rounds %d idle %d core cycles %d (want 2, 3, and 2 heads on 1 core: %d)", five.Rounds, five.IdleCores, five.CoreCycles, two.CoreCycles)
	}
	if four.MACsPerCycle != 4*one.MACsPerCycle {
		t.Errorf("macs_per_cycle %d with 4 cores, %d with 1", four.MACsPerCycle, one.MACsPerCycle)
	}
}

// flashHandCount is the flash baseline by hand for a causal window with
// G = S = 0: block b holds rows [bP, min(bP+P, N)-1]; it visits the key
// tiles from floor(lo/T) to floor(hi/T) with lo = max(0, bP-W+1) and hi
// its last row, and sweeps them whole (the last tile cut at N). It
// returns the ideal cycles (SCHEDULE.md block formula, keys issued
// max(C, La) cycles apart) and the K bytes.
func flashHandCount(n, w, p, tile, c, ls, la, ln, lr, rowBytes int) (cycles, kBytes int64) {
	per := max(c, la)
	for r0 := 0; r0 < n; r0 += p {
		r1 := min(r0+p, n) - 1
		lo := max(0, r0-w+1)
		keys := min((r1/tile+1)*tile, n) - lo/tile*tile
		rows := int64(r1 - r0 + 1)
		cycles += rows + int64((keys-1)*per+c+ls+per) + int64(lr+c+ln-1) + rows
		kBytes += int64(keys * rowBytes)
	}
	return cycles, kBytes
}

func TestFlashHandCount(t *testing.T) {
	for _, c := range []struct{ n, w, p, tile, d, vw int }{
		{256, 32, 8, 8, 16, 16}, {300, 50, 8, 16, 16, 4}, {200, 7, 4, 32, 8, 8}, {128, 128, 16, 5, 16, 16},
	} {
		t.Run(fmt.Sprintf("%+v", c), func(t *testing.T) {
			d, rep := runTiming(t, "arch=flash", "memory.kind=ideal", fmt.Sprint("model.seq_len=", c.n), fmt.Sprint("model.window=", c.w),
				fmt.Sprint("hw.pes=", c.p), fmt.Sprint("hw.key_tile=", c.tile), fmt.Sprint("model.head_dim=", c.d), fmt.Sprint("hw.vector_width=", c.vw))
			tm := d.Timing()
			cyc, kb := flashHandCount(c.n, c.w, c.p, c.tile, tm.C, tm.Ls, tm.La, tm.Ln, tm.Lr, 2*c.d)
			stalls := rep.StallCycles["q"] + rep.StallCycles["kv"] + rep.StallCycles["o"]
			if rep.CoreCycles-stalls != cyc || rep.OffchipByStream["k"] != kb || rep.OffchipByStream["v"] != kb {
				t.Errorf("core cycles %d - stalls %d = %d, k %d v %d bytes; hand count %d cycles, %d bytes",
					rep.CoreCycles, stalls, rep.CoreCycles-stalls, rep.OffchipByStream["k"], rep.OffchipByStream["v"], cyc, kb)
			}
		})
	}
}

// TestFlashBitExact checks the flash baseline's functional output
// (every tile's masked keys skipped per PE) against the reference,
// sinks and global tokens included.
func TestFlashBitExact(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	for _, sets := range [][]string{
		{"model.seq_len=90", "model.window=10", "hw.pes=4", "hw.key_tile=6", "model.sinks=3"},
		{"model.seq_len=77", "model.window=20", "model.causal=false", "hw.pes=5", "hw.key_tile=8", "model.global_tokens=2", "model.heads=2", "model.kv_heads=1"},
	} {
		d := design(t, append(sets, "arch=flash", "model.head_dim=8", "hw.vector_width=8")...)
		m := d.Model
		checkBitExact(t, d, randTensor(r, m.Heads, m.SeqLen, 8), randTensor(r, d.KVHeads(), m.SeqLen, 8), randTensor(r, d.KVHeads(), m.SeqLen, 8))
	}
}

// TestEnergyRatioDiffersFromLatencyRatio checks that energy follows
// activity: SWAT and the flash baseline on the same budget differ in
// energy by a ratio other than their latency ratio (flash moves more
// bytes), and the breakdown adds up with static = static_w x latency.
func TestEnergyRatioDiffersFromLatencyRatio(t *testing.T) {
	base := []string{"model.seq_len=4096", "model.window=256", "device=u55c", "hw.key_tile=64"}
	_, sw := runTiming(t, base...)
	d, fl := runTiming(t, append(base, "arch=flash")...)
	lat, en := fl.LatencyS/sw.LatencyS, fl.EnergyJ/sw.EnergyJ
	if math.Abs(en-lat)/lat < 0.05 {
		t.Errorf("flash/SWAT energy ratio %.4f within 5%% of the latency ratio %.4f", en, lat)
	}
	if fl.OffchipBytes <= sw.OffchipBytes {
		t.Errorf("flash off-chip %d <= SWAT %d", fl.OffchipBytes, sw.OffchipBytes)
	}
	for _, r := range []sim.Report{sw, fl} {
		b := r.EnergyBreakdownJ
		sum := b["mac"] + b["mac_idle"] + b["bram"] + b["uram"] + b["lutram"] + b["dram"] + b["static"]
		if math.Abs(sum-r.EnergyJ) > 1e-12*r.EnergyJ || math.Abs(b["static"]-d.Energy.StaticW*r.LatencyS) > 1e-15 {
			t.Errorf("%s: breakdown %v sums to %g, energy %g", r.Arch, b, sum, r.EnergyJ)
		}
	}
}

// TestDeviceFitAndMemory checks the device catalogue: the default design
// fits a U55C with the utilisation of its estimate; an oversized design
// is refused unless overfit is allowed; ddr4 changes the bandwidth.
func TestDeviceFitAndMemory(t *testing.T) {
	d, rep := runTiming(t, "device=u55c", "model.seq_len=256")
	v := d.Card()
	if !rep.Fits || rep.Device != "u55c" || rep.DeviceUse.DSP != float64(rep.Resources.DSP)/float64(v.DSP) ||
		d.Memory.Channels != 32 || d.Memory.ChannelGBps != 14.375 {
		t.Errorf("u55c: fits %v device %q dsp share %g (resources %+v), memory %+v", rep.Fits, rep.Device, rep.DeviceUse.DSP, rep.Resources, d.Memory)
	}
	big := design(t, "device=u55c", "hw.pes=512", "model.seq_len=256")
	if _, err := sim.Run(big, nil, sim.Options{TimingOnly: true}); err == nil {
		t.Errorf("512 PEs on a u55c: no fit error")
	}
	res, err := sim.Run(big, nil, sim.Options{TimingOnly: true, AllowOverfit: true})
	if err != nil || res.Report.Fits || res.Report.DeviceUse.DSP <= 1 {
		t.Errorf("allowed overfit: err %v, fits %v, dsp share %g", err, res != nil && res.Report.Fits, res.Report.DeviceUse.DSP)
	}
	mem := []string{"device=u280", "model.seq_len=2048", "hw.pes=16", "hw.vector_width=64", "arch=dense"}
	dh, hbm := runTiming(t, mem...)
	dd, ddr := runTiming(t, append(mem, "memory.kind=ddr4")...)
	if dh.Memory.Channels != 32 || dd.Memory.Channels != 2 || dd.Memory.ChannelGBps != 19.25 || ddr.Cycles <= hbm.Cycles {
		t.Errorf("u280 hbm2 %d ch, %d cycles; ddr4 %d ch x %g GB/s, %d cycles", dh.Memory.Channels, hbm.Cycles, dd.Memory.Channels, dd.Memory.ChannelGBps, ddr.Cycles)
	}
}

// TestReportSameForAnyGOMAXPROCS checks that functional runs whose cores'
// datapaths compute on their own goroutines (several heads, GQA and MQA,
// 1 to 4 cores, overlap, every arch) are bit-exact with the reference and
// give identical report and output bytes with 1, 2 and 4 CPUs.
func TestReportSameForAnyGOMAXPROCS(t *testing.T) {
	base := []string{"model.seq_len=128", "model.window=16", "hw.pes=4", "model.head_dim=16", "hw.vector_width=8"}
	for _, tc := range [][]string{
		{"model.heads=4", "model.kv_heads=2", "hw.cores=2"},
		{"model.heads=6", "model.kv_heads=1", "hw.cores=4"},
		{"model.heads=4", "model.kv_heads=4", "hw.cores=3", "hw.overlap=true"},
		{"model.heads=4", "model.kv_heads=2", "hw.cores=2", "arch=flash"},
		{"model.heads=3", "model.kv_heads=3", "hw.cores=2", "arch=dense", "model.causal=false"},
		{"model.heads=4", "model.kv_heads=2", "hw.cores=1", "model.global_tokens=2", "model.sinks=3"},
	} {
		sets := append(append([]string{}, base...), tc...)
		d := design(t, sets...)
		m := d.Model
		r := rand.New(rand.NewPCG(1, 2))
		q, k, v := randTensor(r, m.Heads, m.SeqLen, m.HeadDim), randTensor(r, d.KVHeads(), m.SeqLen, m.HeadDim), randTensor(r, d.KVHeads(), m.SeqLen, m.HeadDim)
		var outs [][]byte
		for _, procs := range []int{1, 2, 4} {
			old := runtime.GOMAXPROCS(procs)
			res := checkBitExact(t, d, q, k, v)
			runtime.GOMAXPROCS(old)
			b, _ := json.Marshal(res.Report)
			c, _ := json.Marshal(res.Codes)
			outs = append(outs, append(b, c...))
		}
		if !bytes.Equal(outs[0], outs[1]) || !bytes.Equal(outs[0], outs[2]) {
			t.Errorf("%v: GOMAXPROCS 1, 2 and 4 give different reports or outputs", tc)
		}
	}
}

// TestAnalyticMatchesEvents checks the closed-form report against the
// event-by-event run on random design points (ideal memory, 120 ns
// latency; every arch, GQA, several cores, overlap): the off-chip bytes by stream,
// the on-chip bytes and the useful MACs are equal; with one core the event
// run's core cycles are the analytic cycles plus exactly its recorded
// stall cycles, with several never fewer.
func TestAnalyticMatchesEvents(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for i := 0; i < 25; i++ {
		n := 16 + r.IntN(200)
		h := 1 + r.IntN(4)
		kvs := []int{1, h}
		sets := []string{"memory.kind=ideal", fmt.Sprint("model.seq_len=", n), fmt.Sprint("model.window=", 1+r.IntN(n)),
			fmt.Sprint("model.heads=", h), fmt.Sprint("model.kv_heads=", kvs[r.IntN(2)]), fmt.Sprint("hw.cores=", 1+r.IntN(3)),
			fmt.Sprint("hw.pes=", 1+r.IntN(9)), fmt.Sprint("model.sinks=", r.IntN(4)), fmt.Sprint("model.global_tokens=", r.IntN(3)),
			"arch=" + []string{"swat", "dense", "flash"}[r.IntN(3)], fmt.Sprint("hw.key_tile=", r.IntN(9)),
			fmt.Sprint("hw.overlap=", r.IntN(3) == 0)}
		t.Run(fmt.Sprint(sets), func(t *testing.T) {
			d, ev := runTiming(t, sets...)
			an, err := sim.Analytic(d)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(an.OffchipByStream) != fmt.Sprint(ev.OffchipByStream) || an.UsefulMACs != ev.UsefulMACs || an.OnchipBytes != ev.OnchipBytes {
				t.Errorf("bytes %v / %v, onchip %d / %d", an.OffchipByStream, ev.OffchipByStream, an.OnchipBytes, ev.OnchipBytes)
			}
			if d.HW.Cores == 1 {
				stalls := ev.StallCycles["q"] + ev.StallCycles["kv"] + ev.StallCycles["o"]
				if ev.CoreCycles != an.Cycles+stalls {
					t.Errorf("event core cycles %d != analytic %d + stalls %d", ev.CoreCycles, an.Cycles, stalls)
				}
			} else if ev.CoreCycles < an.Cycles {
				t.Errorf("event core cycles %d < analytic %d", ev.CoreCycles, an.Cycles)
			}
		})
	}
}

// TestOverlapReachesTarget is the overlap target: 64 PEs x 64
// lanes, N = 16,384, W = 512, D = 128, causal: with hw.overlap the MAC
// utilisation is >= 0.95 (77.6% without), with the same off-chip bytes.
func TestOverlapReachesTarget(t *testing.T) {
	base := []string{"model.seq_len=16384", "model.window=512", "model.head_dim=128", "hw.pes=64", "hw.vector_width=64"}
	_, plain := runTiming(t, base...)
	_, ov := runTiming(t, append(base, "hw.overlap=true")...)
	if ov.MACUtilization < 0.95 || plain.MACUtilization > 0.78 || ov.OffchipBytes != plain.OffchipBytes {
		t.Errorf("mac_utilization %.4f with overlap, %.4f without; bytes %d / %d", ov.MACUtilization, plain.MACUtilization, ov.OffchipBytes, plain.OffchipBytes)
	}
	doc, err := os.ReadFile("../docs/scaleout.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		name string
		rep  sim.Report
	}{{"plain", plain}, {"overlapped", ov}} {
		row := fmt.Sprintf("| %s | %s | %.2f%% | %.2f%% |\n", r.name, thousands(r.rep.Cycles), 100*r.rep.MACUtilization, 100*r.rep.SweepUtilization)
		if !strings.Contains(string(doc), row) {
			t.Errorf("docs/scaleout.md lacks the row %q", row)
		}
	}
}

// thousands formats n with comma separators.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// TestOverlapRandomBitExact draws design points with hw.overlap (every
// mask feature, GQA, several cores) and checks that the functional run is
// bit-exact with the reference, that timing-only gives the same cycles,
// and that overlap never takes more core cycles than the plain schedule
// with ideal memory.
func TestOverlapRandomBitExact(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	for i := 0; i < 30; i++ {
		n := 8 + r.IntN(120)
		causal := r.IntN(2) == 0
		w := r.IntN(n)
		if causal {
			w++
		}
		h := 1 + r.IntN(4)
		kv := []int{1, h}[r.IntN(2)]
		sets := []string{"hw.overlap=true", fmt.Sprint("model.seq_len=", n), fmt.Sprint("model.window=", w), fmt.Sprint("model.causal=", causal),
			fmt.Sprint("model.heads=", h), fmt.Sprint("model.kv_heads=", kv), fmt.Sprint("hw.cores=", 1+r.IntN(2)),
			fmt.Sprint("model.global_tokens=", r.IntN(3)), fmt.Sprint("model.sinks=", r.IntN(4)), fmt.Sprint("hw.pes=", 1+r.IntN(8)),
			"model.head_dim=8", fmt.Sprint("hw.vector_width=", []int{1, 4, 8}[r.IntN(3)]), fmt.Sprint("hw.stream_fifo_rows=", 2+r.IntN(30)),
			"memory.kind=" + []string{"hbm2", "ideal"}[r.IntN(2)]}
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			d := design(t, sets...)
			rep := checkBitExact(t, d, randTensor(r, h, n, 8), randTensor(r, kv, n, 8), randTensor(r, kv, n, 8)).Report
			_, to := runTiming(t, sets...)
			if to.Cycles != rep.Cycles {
				t.Errorf("%v: functional %d cycles, timing-only %d", sets, rep.Cycles, to.Cycles)
			}
			ideal := append(append([]string(nil), sets...), "memory.kind=ideal")
			_, ov := runTiming(t, ideal...)
			_, plain := runTiming(t, append(ideal, "hw.overlap=false")...)
			if ov.CoreCycles > plain.CoreCycles {
				t.Errorf("%v: overlap %d core cycles > plain %d", sets, ov.CoreCycles, plain.CoreCycles)
			}
		})
	}
}

// TestDRAMRequestsStayInOneChannel is a regression test: with the
// cycle-level DRAM model a request goes to the channel of its first byte,
// so loaders and the writer must not cross an interleave granule (they
// did, and outputs came back wrong); the functional run is bit-exact.
func TestDRAMRequestsStayInOneChannel(t *testing.T) {
	d := design(t, "memory.model=dram", "model.seq_len=96", "model.window=24", "memory.channels=2", "memory.interleave_bytes=1024")
	r := rand.New(rand.NewPCG(5, 5))
	checkBitExact(t, d, randTensor(r, 1, 96, 64), randTensor(r, 1, 96, 64), randTensor(r, 1, 96, 64))
	bad := design(t, "memory.model=dram", "model.seq_len=96", "memory.interleave_bytes=1000")
	if _, err := sim.Run(bad, nil, sim.Options{TimingOnly: true}); err == nil || !strings.Contains(err.Error(), "memory.interleave_bytes = 1000") {
		t.Errorf("interleave 1000 with 128-byte rows: %v", err)
	}
}
