package sim

import (
	"math"

	"github.com/swatsim/swatsim/dataflow"
)

// tally is what a run's report is computed from besides the design: the
// integer counters of every core's units and of the memory, and the
// bandwidth memory's busy time. The report is a function of the design
// and the tally alone, so the steady-state shortcut (shortcut.go) can
// extrapolate a tally and report it exactly as a full run would.
type tally struct {
	cores  []coreTally
	phases [dataflow.PhDone]int64 // cycles spent in each phase, all blocks
	// chanBytes are the bytes each channel of the bandwidth memory moved
	// (nil for the ideal memory and the DRAM model).
	chanBytes []int64
	// memBusy is the bandwidth memory's activity in seconds: its requests
	// end off the clock grid, so it is the one counter that is not whole
	// cycles.
	memBusy float64
	// chain is the bandwidth memory's longest back-to-back busy stretch
	// on one channel, in cycles (a max, not extrapolated: shortcut.go).
	chain    float64
	memName  string // the bandwidth memory's unit name ("" when none)
	chanBps  float64
	coreName []string
}

// coreTally counts one core's units. Every field is a whole number of
// cycles, bytes or requests.
type coreTally struct {
	writerDone  int64 // cycle the last write completed (rounded up)
	seqCycle    int64 // the sequencer's final cycle
	macCycles   int64
	stall       [3]int64 // per stream: q, kv, o
	loaderBytes [3]int64
	loaderReqs  [3]int64
	loaderBusy  [3]int64
	writerBytes int64
	writerReqs  int64
	writerBusy  int64
}

// counters lists every integer counter of the tally, in a fixed order.
func (t *tally) counters() []*int64 {
	var cs []*int64
	for i := range t.cores {
		c := &t.cores[i]
		cs = append(cs, &c.writerDone, &c.seqCycle, &c.macCycles, &c.writerBytes, &c.writerReqs, &c.writerBusy)
		for s := range c.stall {
			cs = append(cs, &c.stall[s], &c.loaderBytes[s], &c.loaderReqs[s], &c.loaderBusy[s])
		}
	}
	for i := range t.phases {
		cs = append(cs, &t.phases[i])
	}
	for i := range t.chanBytes {
		cs = append(cs, &t.chanBytes[i])
	}
	return cs
}

// clone is a deep copy.
func (t *tally) clone() *tally {
	c := *t
	c.cores = append([]coreTally(nil), t.cores...)
	c.chanBytes = append([]int64(nil), t.chanBytes...)
	return &c
}

// tally reads the counters of a finished run.
func (p *platform) tally() *tally {
	hz := p.d.ClockHz()
	t := &tally{phases: p.phaseCycles}
	cycles := func(s float64) int64 { return int64(math.Round(s * hz)) }
	for _, cs := range p.cores {
		c := coreTally{
			writerDone:  int64(math.Ceil(float64(cs.writer.LastDone)*hz - 1e-6)),
			seqCycle:    cs.seq.Cycle(),
			macCycles:   cs.seq.MACCycles,
			writerBytes: int64(cs.writer.BytesWritten),
			writerReqs:  int64(cs.writer.Requests),
			writerBusy:  cycles(float64(cs.writer.Activity.Busy(p.eng.CurrentTime()))),
		}
		for s := range c.stall {
			c.stall[s] = cs.seq.Stall[s]
			l := cs.loaders[s]
			c.loaderBytes[s], c.loaderReqs[s] = int64(l.BytesRead), int64(l.Requests)
			c.loaderBusy[s] = cycles(float64(l.Activity.Busy(p.eng.CurrentTime())))
		}
		t.cores = append(t.cores, c)
		t.coreName = append(t.coreName, p.unitPrefix(len(t.coreName)))
	}
	if bw := p.mem.bw; bw != nil {
		t.memName, t.chanBps = bw.Name(), bw.ChannelBytesPerS()
		t.memBusy = float64(bw.Activity.Busy(p.eng.CurrentTime()))
		t.chain = float64(bw.LongestChain()) * hz
		for _, b := range bw.ChannelBytes() {
			t.chanBytes = append(t.chanBytes, int64(b))
		}
	}
	return t
}
