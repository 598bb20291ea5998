package sim

import (
	"errors"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/swatsim/swatsim/accel/loader"
	"github.com/swatsim/swatsim/accel/stream"
	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/reference"
)

// Shortcut says how a timing-only report was obtained by the steady-state
// shortcut: the design was run event by event at the sequence lengths
// Lengths (a whole number of Periods apart), every counter grew by the
// same amount per period from run to run, and the report is that growth extrapolated
// Steps periods past the first run (docs/speed.md).
type Shortcut struct {
	Lengths []int `json:"lengths"`
	Period  int   `json:"period"`
	Steps   int   `json:"steps"`
}

// shortRuns are the event-by-event runs the shortcut compares, in periods
// past the first. Three runs would show a second difference; the fourth,
// further out, catches a transient that settles late and a steady state
// whose true period is a few times the step (the random-design test found
// both with runs 0, 1, 2 and 3 periods out).
var shortRuns = [...]int{0, 1, 3, 7}

// plan is the shortcut's choice of lengths for a design point.
type plan struct {
	n1, period, steps int
}

// shortcutPlan returns the lengths the shortcut would run for a design
// point and whether it applies: timing only, no timeline, the bandwidth
// memory (the DRAM model keeps bank and refresh state, and Akita's ideal
// controller runs on its own 1 GHz clock: the random-design test found
// runs of it whose counters looked linear over three lengths and were
// not), a windowed SWAT or flash design (the dense baseline sweeps
// every key, so its cost is not linear in the length), and a sequence
// long enough that the short runs cost less than one full run.
func shortcutPlan(d *dataflow.Design, opt Options) (plan, bool) {
	m := d.Mask()
	if !opt.TimingOnly || opt.Exact || opt.TraceBlocks > 0 || d.Memory.Model == "dram" || d.Memory.Kind == "ideal" || d.Arch == dataflow.ArchDense || m.Dense {
		return plan{}, false
	}
	s := period(d)
	left, right := m.Window-1, 0
	if !m.Causal {
		left, right = m.Window/2, m.Window/2
	}
	warm := m.Pinned() + left + right + d.HW.FIFORows + s + d.HW.PEs
	n := m.N
	n1 := warm + ((n-warm)%s+s)%s // the least length >= warm that is n mod s
	pl := plan{n1: n1, period: s, steps: (n - n1) / s}
	if pl.cost() >= n {
		return plan{}, false
	}
	return pl, true
}

// period is the shortcut's step in tokens: a multiple of the block rows,
// of the rows per burst and per loader request, of the flash key tile, and of
// the rows after which the channel interleave and every tensor's base
// address (sim/layout.go) repeat, so a run one period longer maps every
// request of the steady state onto the same channel.
func period(d *dataflow.Design) int {
	a, _ := d.ArithSpec()
	rowBytes := stream.ElemBytes(a.InBits) * d.Model.HeadDim
	burst := stream.Layout{RowBytes: rowBytes, BurstBytes: d.HW.BurstBytes}
	s := lcm(d.HW.PEs, lcm(burst.RowsPerBurst(), loader.RowsPerRequest(burst, d.HW.FIFORows)))
	if d.Arch == dataflow.ArchFlash {
		s = lcm(s, d.KeyTile())
	}
	span := lcm(d.Memory.Channels*d.Memory.InterleaveB, max(4096, d.Memory.InterleaveB))
	return lcm(s, span/gcd(span, rowBytes))
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func lcm(a, b int) int { return a / gcd(a, b) * b }

// runShortcut runs the plan's lengths event by event and
// extrapolates their tallies; ok = false when the counters do not grow
// linearly (then the caller runs every token).
func runShortcut(d *dataflow.Design, opt Options, pl plan) (*Result, bool, error) {
	if !opt.AllowOverfit {
		if err := CheckFit(d); err != nil {
			return nil, false, err
		}
	}
	ts, err := shortTallies(d, pl, opt.Progress)
	if err != nil {
		return nil, false, err
	}
	return finishShortcut(d, pl, ts)
}

// shortTallies runs the plan's lengths event by event, up to GOMAXPROCS
// of them side by side (each run is independent and deterministic, so the
// tallies do not depend on how many run at once).
func shortTallies(d *dataflow.Design, pl plan, progress *atomic.Int64) ([]*tally, error) {
	ts := make([]*tally, len(shortRuns))
	errs := make([]error, len(shortRuns))
	var done atomic.Int64
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	var wg sync.WaitGroup
	for i := range ts {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			ts[i], errs[i] = shortTally(d, pl.length(i))
			n := done.Add(1)
			if progress != nil {
				progress.Store(1000 * n / int64(len(ts)))
			}
		}()
	}
	wg.Wait()
	return ts, errors.Join(errs...)
}

// shortTally runs the design at sequence length n event by event.
func shortTally(d *dataflow.Design, n int) (*tally, error) {
	short := *d
	short.Model.SeqLen = n
	p, err := assemble(&short, nil, Options{TimingOnly: true, AllowOverfit: true})
	if err != nil {
		return nil, err
	}
	defer p.close()
	if err := p.simulate(); err != nil {
		return nil, err
	}
	return p.tally(), nil
}

// cost is the tokens the short runs simulate together.
func (pl plan) cost() int {
	c := 0
	for i := range shortRuns {
		c += pl.length(i)
	}
	return c
}

// length is the sequence length of the plan's i-th run.
func (pl plan) length(i int) int { return pl.n1 + shortRuns[i]*pl.period }

// finishShortcut extrapolates the runs' tallies to the design's
// length and reports them; ok = false when they do not grow linearly.
func finishShortcut(d *dataflow.Design, pl plan, ts []*tally) (*Result, bool, error) {
	t, ok := extrapolate(ts, pl.steps, d)
	if !ok {
		return nil, false, nil
	}
	a, err := d.ArithSpec()
	if err != nil {
		return nil, false, err
	}
	kern, err := reference.NewKernel(a, d.Model.HeadDim, d.Model.Scale)
	if err != nil {
		return nil, false, err
	}
	sc := &Shortcut{Period: pl.period, Steps: pl.steps}
	for i := range ts {
		sc.Lengths = append(sc.Lengths, pl.length(i))
	}
	res := &Result{Kernel: kern, Shortcut: sc}
	lay := newLayout(d, a.InBits)
	res.Report, err = reportOf(d, dataflow.NewSchedule(d), t, false, int64(lay.rowBytes))
	return res, err == nil, err
}

// extrapolate returns the tally steps periods past ts[0] when every
// counter of every run i lies on the line through the first two runs
// (shortRuns[i] periods of growth past ts[0]). The memory's busy time, the
// one counter off the clock grid, must lie on its line within a millionth
// of a cycle, and its extrapolated cycle count must not fall within a
// thousandth of a cycle of a rounding boundary. And no memory channel may
// stay busy without a break for a quarter of a period's cycles: a
// transfer ends off the clock grid, so a chain of transfers carries a
// fraction of a cycle forward, and one that spans periods could let that
// fraction drift from period to period.
func extrapolate(ts []*tally, steps int, d *dataflow.Design) (*tally, bool) {
	cs := make([][]*int64, len(ts))
	for i, t := range ts {
		if cs[i] = t.counters(); len(cs[i]) != len(cs[0]) {
			return nil, false
		}
	}
	out := ts[0].clone()
	co := out.counters()
	for j := range co {
		g := *cs[1][j] - *cs[0][j]
		for i := 2; i < len(cs); i++ {
			if *cs[i][j]-*cs[0][j] != int64(shortRuns[i])*g {
				return nil, false
			}
		}
		*co[j] += int64(steps) * g
	}
	var periodCycles int64
	for i := range ts[0].cores {
		periodCycles = max(periodCycles, ts[1].cores[i].seqCycle-ts[0].cores[i].seqCycle)
	}
	for _, t := range ts {
		if 4*t.chain >= float64(periodCycles) {
			return nil, false
		}
	}
	hz := d.ClockHz()
	g := ts[1].memBusy - ts[0].memBusy
	for i := 2; i < len(ts); i++ {
		if math.Abs(ts[i].memBusy-ts[0].memBusy-float64(shortRuns[i])*g)*hz > 1e-6 {
			return nil, false
		}
	}
	out.memBusy = ts[0].memBusy + float64(steps)*g
	if x := out.memBusy * hz; math.Abs(x-math.Floor(x)-0.5) < 1e-3 {
		return nil, false
	}
	return out, true
}
