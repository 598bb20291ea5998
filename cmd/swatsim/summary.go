package main

import (
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/sim"
)

// printSummary writes the human summary of a run.
func printSummary(w io.Writer, d *dataflow.Design, res *sim.Result, wall time.Duration) {
	r := res.Report
	m := d.Model
	fmt.Fprintf(w, "design      %s: arch %s, arith %s, %d heads x %d tokens x dim %d, window %d %s, G=%d S=%d\n",
		d.Name, d.Arch, d.Arith, m.Heads, m.SeqLen, m.HeadDim, m.Window, causalName(m.Causal), m.GlobalTokens, m.Sinks)
	fmt.Fprintf(w, "hardware    %d core(s) x %d PEs x %d lanes (%d MAC/cycle) at %.0f MHz, memory %s/%s %d ch x %.3f GB/s, device %s\n",
		d.HW.Cores, d.HW.PEs, d.HW.VectorWidth, r.MACsPerCycle, d.HW.ClockMHz, d.Memory.Kind, d.Memory.Model, d.Memory.Channels, d.Memory.ChannelGBps, d.Device)
	if r.Rounds > 1 || r.IdleCores > 0 {
		fmt.Fprintf(w, "cores       %d work units (kv groups or parts of them) in %d round(s); %d core(s) idle in the last round\n",
			r.Rounds*r.Cores-r.IdleCores, r.Rounds, r.IdleCores)
	}
	fmt.Fprintf(w, "cycles      %d (core %d)  latency %.6g s\n", r.Cycles, r.CoreCycles, r.LatencyS)
	fmt.Fprintf(w, "utilization MAC %.2f%% overall, %.2f%% of sweep slots\n", 100*r.MACUtilization, 100*r.SweepUtilization)
	fmt.Fprintf(w, "traffic     off-chip %d B (q %d, k %d, v %d, o %d), on-chip buffers %d B, memory busy %.1f%%\n",
		r.OffchipBytes, r.OffchipByStream["q"], r.OffchipByStream["k"], r.OffchipByStream["v"], r.OffchipByStream["o"], r.OnchipBytes, 100*r.MemoryBusy)
	b := r.EnergyBreakdownJ
	fmt.Fprintf(w, "energy      %.6g J (mac %.3g + idle slots %.3g, sram %.3g, dram %.3g, static %.3g), %.3g W\n", r.EnergyJ,
		b["mac"], b["mac_idle"], b["sram"], b["dram"], b["static"], r.PowerW)
	fmt.Fprintf(w, "resources   ~%d DSP48E1, ~%g BRAM36, ~%d URAM, ~%d LUT (+%d LUTRAM), ~%d FF (formula estimate, see `swatsim synth`)\n", r.Resources.DSP, r.Resources.BRAM36, r.Resources.URAM, r.Resources.LUT, r.Resources.LUTRAM, r.Resources.FF)
	if v := d.Card(); v.Limited() {
		u := r.DeviceUse
		fmt.Fprintf(w, "device      %s: fits %v; LUT %.1f%%, FF %.1f%%, DSP %.1f%%, BRAM36 %.1f%%, URAM %.1f%%\n", d.Device, r.Fits,
			100*u.LUT, 100*u.FF, 100*u.DSP, 100*u.BRAM36, 100*u.URAM)
	}
	if g := r.GPU; g != nil {
		fmt.Fprintf(w, "vs GPU      %s FlexAttention %.4g ms: %.3gx latency, %.3gx energy\n", g.GPU, g.GPUMs, g.Speedup, g.EnergyGap)
	}
	fmt.Fprintf(w, "simulated   in %.3g s wall (%.3g M cycles/s)\n", wall.Seconds(), float64(r.Cycles)/wall.Seconds()/1e6)
}

func causalName(c bool) string {
	if c {
		return "causal"
	}
	return "bidirectional"
}

// showProgress draws a progress bar on a terminal once a run has taken
// more than two seconds; the returned function stops it.
func showProgress(w io.Writer, permille *atomic.Int64) func() {
	f, ok := w.(*os.File)
	if !ok {
		return func() {}
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return func() {}
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		start := time.Now()
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		drawn := false
		for {
			select {
			case <-stop:
				if drawn {
					fmt.Fprint(w, "\r\033[K")
				}
				return
			case <-t.C:
				if time.Since(start) > 2*time.Second {
					pm := permille.Load()
					bar := int(pm / 25)
					fmt.Fprintf(w, "\r[%-40s] %5.1f%%  %4.0fs", repeat('#', bar), float64(pm)/10, time.Since(start).Seconds())
					drawn = true
				}
			}
		}
	}()
	return func() { close(stop); <-done }
}

func repeat(c byte, n int) string {
	b := make([]byte, max(0, min(n, 40)))
	for i := range b {
		b[i] = c
	}
	return string(b)
}
