package sim

import (
	"fmt"
	"math"
	"sync/atomic"

	akita "github.com/sarchlab/akita/v3/sim"
	"github.com/sarchlab/akita/v3/tracing"

	"github.com/swatsim/swatsim/accel/core"
	"github.com/swatsim/swatsim/accel/loader"
	"github.com/swatsim/swatsim/accel/stream"
	"github.com/swatsim/swatsim/accel/writer"
	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/reference"
	"github.com/swatsim/swatsim/sim/engine"
	"github.com/swatsim/swatsim/sim/link"
)

// Inputs are the Q, K and V tensors of a functional run, [heads, seq_len,
// head_dim] (or [seq_len, head_dim] for one head).
type Inputs struct {
	Q, K, V *reference.Tensor
}

// Options control a run.
type Options struct {
	// TimingOnly runs without values (no inputs needed).
	TimingOnly bool
	// TraceBlocks caps the blocks recorded for the timeline (0: none).
	TraceBlocks int
	// Progress, if set, receives the fraction of output rows done.
	Progress *atomic.Int64
	// AllowOverfit runs a design whose resource estimate exceeds its
	// device (the report says fits = false).
	AllowOverfit bool
	// Exact runs every token event by event: no steady-state shortcut
	// (shortcut.go), which timing-only runs otherwise take where it
	// applies.
	Exact bool
}

// Result is a finished run.
type Result struct {
	Report Report
	// O is the output in float64 (functional runs), Codes its codes.
	O      *reference.Tensor
	Codes  []int64
	Kernel *reference.Kernel
	// Timeline holds the recorded block phase times.
	Timeline []dataflow.BlockTimes
	// Spans holds the recorded requests of the loaders, writer and memory.
	Spans []Span
	// Shortcut, if set, says the report was extrapolated from three shorter
	// event-by-event runs (nil: every token was run).
	Shortcut *Shortcut
}

// platform is an assembled design point.
type platform struct {
	d     *dataflow.Design
	kern  *reference.Kernel
	lay   layout
	sched *dataflow.Schedule
	eng   akita.Engine
	mem   *memorySystem
	cores []*coreSet
	trace []dataflow.BlockTimes
	spans *spanTracer
	// phaseCycles sums the cycles spent in each phase over all blocks.
	phaseCycles [dataflow.PhDone]int64
}

// coreSet is one attention core with its own loaders, FIFOs and writer.
type coreSet struct {
	loaders [3]*loader.Comp
	writer  *writer.Comp
	core    *core.Comp
	seq     *dataflow.Sequencer
}

// Run simulates the design point. Functional runs need inputs whose shape
// matches the design's model; their output equals reference.Attend with
// the same arithmetic bit for bit. A timing-only run takes the
// steady-state shortcut where it applies (unless opt.Exact): its report
// is then the one the event-by-event run gives, byte for byte.
func Run(d *dataflow.Design, in *Inputs, opt Options) (*Result, error) {
	if pl, ok := shortcutPlan(d, opt); ok {
		res, ok, err := runShortcut(d, opt, pl)
		if err != nil || ok {
			return res, err
		}
	}
	return runExact(d, in, opt)
}

// runExact runs every token event by event.
func runExact(d *dataflow.Design, in *Inputs, opt Options) (*Result, error) {
	p, err := assemble(d, in, opt)
	if err != nil {
		return nil, err
	}
	defer p.close()
	if err := p.simulate(); err != nil {
		return nil, err
	}
	res := &Result{Kernel: p.kern, Timeline: p.trace}
	if p.spans != nil {
		res.Spans = p.spans.spans
	}
	if res.Report, err = p.report(); err != nil {
		return nil, err
	}
	if !opt.TimingOnly {
		if res.Codes, res.O, err = p.readOutput(in); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// simulate runs the engine to the end and checks every core finished.
func (p *platform) simulate() error {
	if err := p.eng.Run(); err != nil {
		return fmt.Errorf("simulation: %v", err)
	}
	for i, c := range p.cores {
		if !c.core.Finished || !c.writer.Idle() {
			return fmt.Errorf("simulation stopped early: core %d finished %v, writer idle %v (internal error)", i, c.core.Finished, c.writer.Idle())
		}
	}
	return nil
}

func assemble(d *dataflow.Design, in *Inputs, opt Options) (*platform, error) {
	if !opt.AllowOverfit {
		if err := CheckFit(d); err != nil {
			return nil, err
		}
	}
	a, err := d.ArithSpec()
	if err != nil {
		return nil, err
	}
	kern, err := reference.NewKernel(a, d.Model.HeadDim, d.Model.Scale)
	if err != nil {
		return nil, err
	}
	p := &platform{d: d, kern: kern, lay: newLayout(d, a.InBits), sched: dataflow.NewSchedule(d)}
	if il := d.Memory.InterleaveB; d.Memory.Model == "dram" && il%p.lay.rowBytes != 0 {
		return nil, fmt.Errorf("memory.interleave_bytes = %d: with memory.model = dram it must be a multiple of a row (head_dim x %d bytes = %d): a request goes to one channel",
			il, p.lay.elemBytes, p.lay.rowBytes)
	}
	p.eng = engine.New()
	p.mem = buildMemory(p.eng, d, !opt.TimingOnly)
	if !opt.TimingOnly {
		if err = p.store(in); err != nil {
			return nil, err
		}
	}
	p.build(opt)
	return p, nil
}

// store checks the inputs, quantises them and writes their codes to memory.
func (p *platform) store(in *Inputs) error {
	if in == nil || in.Q == nil {
		return fmt.Errorf("functional run needs Q, K and V (or use timing-only mode)")
	}
	if err := reference.CheckGQA(in.Q, in.K, in.V); err != nil {
		return err
	}
	m := p.d.Model
	if in.Q.H != m.Heads || in.Q.N != m.SeqLen || in.Q.D != m.HeadDim {
		return fmt.Errorf("inputs are [%d,%d,%d] (heads, tokens, dim) but the design has model.heads = %d, model.seq_len = %d, model.head_dim = %d",
			in.Q.H, in.Q.N, in.Q.D, m.Heads, m.SeqLen, m.HeadDim)
	}
	if in.K.H != p.d.KVHeads() {
		return fmt.Errorf("K and V have %d heads but the design has model.kv_heads = %d", in.K.H, p.d.KVHeads())
	}
	p.kern.FitScales(in.Q, in.K, in.V)
	if p.kern.ScoreShift() < 0 {
		return fmt.Errorf("arith.score_frac = %d: too large for these inputs' scales (q frac %d, k frac %d)", p.kern.A.ScoreFrac, p.kern.QFrac, p.kern.KFrac)
	}
	for _, t := range []struct {
		base uint64
		c    *reference.Codes
	}{{p.lay.q, p.kern.Quantize(in.Q, p.kern.QFrac)}, {p.lay.k, p.kern.Quantize(in.K, p.kern.KFrac)}, {p.lay.v, p.kern.Quantize(in.V, p.kern.VFrac)}} {
		buf := make([]byte, len(t.c.Data)*p.lay.elemBytes)
		stream.Encode(buf, t.c.Data, p.lay.elemBytes)
		if err := p.mem.store(t.base, buf); err != nil {
			return err
		}
	}
	return nil
}

func (p *platform) build(opt Options) {
	freq := akita.Freq(p.d.ClockHz())
	conn := link.New("Accel.Conn", p.eng, freq)
	for _, port := range p.mem.ports {
		conn.PlugIn(port, 256)
	}
	for c := 0; c < p.sched.Cores; c++ {
		p.cores = append(p.cores, p.buildCoreSet(c, opt, freq, conn))
	}
	p.wire(opt)
	p.rank()
	if opt.TraceBlocks > 0 {
		p.traceUnits(opt.TraceBlocks * 4)
	}
}

// The units' names after their core's prefix.
var (
	loaderNames = [3]string{".LoaderQ", ".LoaderK", ".LoaderV"}
	writerName  = ".Writer"
	coreName    = ".Core"
)

// rank fixes the order of same-time events: the memory, then core by core
// its loaders (producers first), the core and its writer.
func (p *platform) rank() {
	e, ok := p.eng.(*engine.Serial)
	if !ok {
		return
	}
	for _, port := range p.mem.ports {
		e.Rank(port.Component())
	}
	for _, cs := range p.cores {
		e.Rank(cs.loaders[0], cs.loaders[1], cs.loaders[2], cs.core, cs.writer)
	}
}

// unitPrefix names core c's units: Accel.* with one core, Accel<c>.*
// with several.
func (p *platform) unitPrefix(c int) string {
	if p.sched.Cores == 1 {
		return "Accel"
	}
	return fmt.Sprintf("Accel%d", c)
}

// buildCoreSet builds core c: its three loaders, FIFOs, writer and core.
func (p *platform) buildCoreSet(c int, opt Options, freq akita.Freq, conn *link.Link) *coreSet {
	d, pre := p.d, p.unitPrefix(c)
	cs := &coreSet{seq: dataflow.NewSequencer(p.sched, d.Timing(), c)}
	fifos := [3]*stream.FIFO{stream.NewFIFO(d.HW.FIFORows), stream.NewFIFO(d.HW.FIFORows), stream.NewFIFO(d.HW.FIFORows)}
	plans := [3]loader.Plan{qPlan(cs.seq.Order), kvPlan(cs.seq.Order), kvPlan(cs.seq.Order)}
	bases := [3]uint64{p.lay.q, p.lay.k, p.lay.v}
	for i := range cs.loaders {
		cs.loaders[i] = loader.MakeBuilder().WithEngine(p.eng).WithFreq(freq).
			WithLayout(p.streamLayout(bases[i])).WithFunctional(!opt.TimingOnly).
			WithFIFO(fifos[i]).WithPlan(plans[i]).Build(pre + loaderNames[i])
		conn.PlugIn(cs.loaders[i].GetPortByName("Bottom"), 64)
	}
	cs.writer = writer.MakeBuilder().WithEngine(p.eng).WithFreq(freq).
		WithLayout(p.streamLayout(p.lay.o)).Build(pre + writerName)
	conn.PlugIn(cs.writer.GetPortByName("Bottom"), 64)
	b := core.MakeBuilder().WithEngine(p.eng).WithFreq(freq).WithSequencer(cs.seq).
		WithStreams(fifos[0], fifos[1], fifos[2], cs.writer)
	if !opt.TimingOnly {
		ring, pin := d.KVBufRows(), d.PinnedRows()
		if d.Arch != dataflow.ArchSWAT {
			ring, pin = 0, 0
		}
		b = b.WithDatapath(core.NewDatapath(p.kern, d.Mask(), d.HW.PEs, ring, pin))
	}
	cs.core = b.Build(pre + coreName)
	return cs
}

// wire connects the cores' callbacks: loaders wake on the core's
// progress, finished blocks are summed (and core 0's recorded for the
// timeline), progress is published.
func (p *platform) wire(opt Options) {
	total := int64(p.d.Model.Heads * p.d.Model.SeqLen)
	for c, cs := range p.cores {
		cs.core.OnWake = func(now akita.VTimeInSec) {
			for _, l := range cs.loaders {
				l.TickLater(now)
			}
			if opt.Progress != nil {
				opt.Progress.Store(p.outputRows() * 1000 / total)
			}
		}
		cs.core.Blocks = func(bt *dataflow.BlockTimes) {
			for ph := range p.phaseCycles {
				p.phaseCycles[ph] += bt.End[ph] - bt.Start[ph]
			}
			if c == 0 && len(p.trace) < opt.TraceBlocks {
				p.trace = append(p.trace, *bt)
			}
		}
		for _, l := range cs.loaders {
			l.OnArrival = cs.core.Wake
			l.TickLater(0)
		}
		cs.core.Start(0)
	}
}

// close stops the cores' datapath goroutines.
func (p *platform) close() {
	for _, cs := range p.cores {
		cs.core.Close()
	}
}

// outputRows counts the output rows that have left the cores.
func (p *platform) outputRows() int64 {
	var n int64
	for _, cs := range p.cores {
		n += cs.seq.Beats(dataflow.StreamO)
	}
	return n
}

// traceUnits attaches a span tracer (Akita tracing) to the loaders, the
// writers and the memory, recording up to limit requests each.
func (p *platform) traceUnits(limit int) {
	p.spans = newSpanTracer(p.eng, limit)
	var units []tracing.NamedHookable
	for _, cs := range p.cores {
		units = append(units, cs.writer)
		for _, l := range cs.loaders {
			units = append(units, l)
		}
	}
	for _, port := range p.mem.ports {
		if c, ok := port.Component().(tracing.NamedHookable); ok {
			units = append(units, c)
		}
	}
	for _, u := range units {
		tracing.CollectTrace(u, p.spans)
	}
}

// streamLayout is the DMA view of the tensor at base.
func (p *platform) streamLayout(base uint64) stream.Layout {
	l := stream.Layout{Base: base, SeqLen: p.d.Model.SeqLen, RowBytes: p.lay.rowBytes,
		ElemBytes: p.lay.elemBytes, BurstBytes: p.d.HW.BurstBytes, Route: p.mem.route}
	if p.d.Memory.Model == "dram" {
		l.Boundary = p.d.Memory.InterleaveB
	}
	return l
}

// readOutput reads O's codes back from memory.
func (p *platform) readOutput(in *Inputs) ([]int64, *reference.Tensor, error) {
	n := len(in.Q.Data)
	buf, err := p.mem.load(p.lay.o, uint64(n*p.lay.elemBytes))
	if err != nil {
		return nil, nil, fmt.Errorf("reading the output back: %v", err)
	}
	codes := make([]int64, n)
	stream.Decode(codes, buf, p.lay.elemBytes)
	o := &reference.Tensor{H: in.Q.H, N: in.Q.N, D: in.Q.D, Rank: in.Q.Rank, Data: make([]float64, n)}
	for i, c := range codes {
		o.Data[i] = math.Ldexp(float64(c), -p.kern.VFrac)
	}
	return codes, o, nil
}
