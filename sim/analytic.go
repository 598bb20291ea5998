package sim

import (
	"github.com/swatsim/swatsim/accel/stream"
	"github.com/swatsim/swatsim/dataflow"
)

// ModeAnalytic is the report mode of Analytic.
const ModeAnalytic = "analytic"

// Analytic is the closed-form report of a design point with ideal stream
// ports (SCHEDULE.md): every beat transfers when the core wants it, so
// cycles = dataflow.IdealCycles (the slowest core; with hw.overlap, the
// cores' sequencers run on ideal ports), and the off-chip bytes
// are the stream contents (each Q and O row once, every streamed K/V row).
// The event-by-event run takes these cycles plus the stalls it records
// (TestAnalyticMatchesEvents); Analytic serves for baselines too long to
// simulate beat by beat (a dense or flash layer of 64K tokens streams
// ~10^9 K/V rows).
func Analytic(d *dataflow.Design) (Report, error) {
	s := dataflow.NewSchedule(d)
	a, _ := d.ArithSpec()
	rowBytes := int64(stream.ElemBytes(a.InBits) * d.Model.HeadDim)
	t := d.Timing()
	r := Report{Design: d.Name, Arch: d.Arch, Mode: ModeAnalytic, ClockMHz: d.HW.ClockMHz}
	var streamed, macCycles int64
	var phases [dataflow.PhDone]int64
	for c := 0; c < s.Cores; c++ {
		o := s.CoreOrder(c)
		var cyc, mac int64
		var ph [dataflow.PhDone]int64
		for i := 0; i < o.Len(); i++ {
			blk := o.Block(i)
			cyc += t.BlockCycles(&blk)
			streamed += int64(blk.Streamed())
			mac += int64(blk.Keys() * t.C)
			rows := int64(blk.Rows())
			ph[dataflow.PhPreload] += int64(blk.Preload)
			ph[dataflow.PhLoadQ] += rows
			ph[dataflow.PhSweep] += t.SweepCycles(blk.Keys())
			ph[dataflow.PhNorm] += int64(t.NormCycles())
			ph[dataflow.PhOut] += rows
		}
		if s.Overlap { // no closed form: the core's sequencer on ideal ports
			cyc, mac, ph = overlapIdeal(s, t, c)
		}
		r.CoreCycles = max(r.CoreCycles, cyc)
		macCycles += mac
		for i := range phases {
			phases[i] += ph[i]
		}
	}
	r.Cycles = r.CoreCycles
	fillRates(d, &r, macCycles)
	qo := int64(d.Model.Heads*d.Model.SeqLen) * rowBytes
	r.OffchipByStream = map[string]int64{"q": qo, "k": streamed * rowBytes, "v": streamed * rowBytes, "o": qo}
	r.OffchipBytes = 2*qo + 2*streamed*rowBytes
	on := CountOnchip(s, rowBytes)
	r.OnchipBytes = on.Total()
	r.PhaseCycles = map[string]int64{}
	for ph, c := range phases {
		r.PhaseCycles[dataflow.Phase(ph).String()] = c
	}
	r.StallCycles = map[string]int64{"q": 0, "kv": 0, "o": 0}
	err := fillDesign(d, s, &r, on)
	return r, err
}

// MaxEventRows is the most K/V rows a baseline streams for BaselineReport to
// simulate it event by event; beyond it BaselineReport reports Analytic.
const MaxEventRows = 20_000_000

// BaselineReport is the timing report of a baseline design point: the
// event-by-event timing-only run when it streams at most MaxEventRows
// K/V rows, otherwise the analytic report (its mode says which).
func BaselineReport(d *dataflow.Design) (Report, error) {
	an, err := Analytic(d)
	if err != nil {
		return Report{}, err
	}
	a, _ := d.ArithSpec()
	if an.OffchipByStream["k"]/int64(stream.ElemBytes(a.InBits)*d.Model.HeadDim) > MaxEventRows {
		return an, nil
	}
	res, err := Run(d, nil, Options{TimingOnly: true, AllowOverfit: true})
	if err != nil {
		return Report{}, err
	}
	return res.Report, nil
}

// overlapIdeal runs core c's overlapped sequencer on ideal ports and
// returns its cycles, MAC cycles and phase cycles.
func overlapIdeal(s *dataflow.Schedule, t dataflow.Timing, c int) (int64, int64, [dataflow.PhDone]int64) {
	seq := dataflow.NewSequencer(s, t, c)
	sum := &phaseSum{}
	seq.Obs = sum
	seq.Run(dataflow.IdealPorts{}, -1)
	return seq.Cycle(), seq.MACCycles, sum.cycles
}

// phaseSum is a sequencer observer that sums the blocks' phase cycles.
type phaseSum struct{ cycles [dataflow.PhDone]int64 }

func (*phaseSum) Beat(*dataflow.Block, dataflow.Stream, int64, int64) {}
func (*phaseSum) Keys(*dataflow.Block, dataflow.Segment, int, int)    {}
func (*phaseSum) Norm(*dataflow.Block)                                {}
func (p *phaseSum) BlockDone(bt *dataflow.BlockTimes) {
	for ph := range p.cycles {
		p.cycles[ph] += bt.End[ph] - bt.Start[ph]
	}
}
