package cosim

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/hdlgen"
	"github.com/swatsim/swatsim/hdlgen/internal/tool"
	"github.com/swatsim/swatsim/reference"
)

// Result is the outcome of one co-simulation: the RTL's output codes
// against reference.Attend and its transfer cycles against dataflow.Sequencer.
type Result struct {
	Design      string
	Pass        bool
	Stalls      dataflow.StallPattern
	ScoreShift  int
	ModelCycles int64 // dataflow.Sequencer's cycle count: the slowest core's
	RTLCycles   int64 // the testbench's: last o transfer of any core + 1
	// CoreCycles is each core's cycle count in the model (its last o
	// transfer + 1; 0 for a core without work): its done rises then.
	CoreCycles  []int64
	OBeats      int // o beats compared
	CodeErrors  int // o codes that differ from reference.Attend
	CycleErrors int // q, kv and o transfers (per core) in a different cycle from the model
	Errors      []string
	Sim         *Simulator
	SimTime     time.Duration
	// Codes are the RTL's output codes, [H, N, D] row-major.
	Codes []int64
}

// DrainCycles is how long the testbench keeps the core running, o_ready
// high, after the last expected o beat: any beat in it is an extra beat.
const DrainCycles = 64

// maxErrors bounds the error messages a result keeps.
const maxErrors = 8

func (r *Result) errorf(format string, a ...any) {
	if len(r.Errors) < maxErrors {
		r.Errors = append(r.Errors, fmt.Sprintf(format, a...))
	}
}

// Summary is a one-line verdict: PASS or FAIL with both cycle counts.
func (r *Result) Summary() string {
	v := "PASS"
	if !r.Pass {
		v = "FAIL"
	}
	s := fmt.Sprintf("%s %s: model %d cycles, RTL %d cycles, %d o beats, stalls %d%% (seed %d)",
		v, r.Design, r.ModelCycles, r.RTLCycles, r.OBeats, r.Stalls.Percent, r.Stalls.Seed)
	if !r.Pass {
		s += fmt.Sprintf("; %d code errors, %d cycle errors", r.CodeErrors, r.CycleErrors)
	}
	return s
}

// Report is the summary followed by the first errors, one per line.
func (r *Result) Report() string {
	return strings.Join(append([]string{r.Summary()}, r.Errors...), "\n  ")
}

// Run generates the Verilog of d, builds it with Verilator (cached),
// runs it on q, k and v ([H,N,D] or [N,D] with the design's shape) under
// the stall pattern {seed, stallPercent} and compares every output code
// with reference.Attend and every q, kv and o transfer cycle with
// dataflow.Sequencer under the same pattern (IdealPorts when stallPercent is
// 0). A mismatch is a failed result, not an error; errors are for what
// kept the comparison from running.
func Run(d *dataflow.Design, q, k, v *reference.Tensor, seed uint64, stallPercent int, opts ...Option) (*Result, error) {
	c := newConfig(opts)
	if stallPercent < 0 || stallPercent > 99 {
		return nil, fmt.Errorf("hdl: stall percent %d: must be in [0, 99]", stallPercent)
	}
	r, err := hdlgen.Generate(d)
	if err != nil {
		return nil, err
	}
	return runRTL(r, d, q, k, v, seed, stallPercent, c)
}

// runRTL co-simulates the generated design r against the reference and
// the cycle model of d (r's own design, except in the planted-bug tests).
func runRTL(r *hdlgen.RTL, d *dataflow.Design, q, k, v *reference.Tensor, seed uint64, stallPercent int, c *config) (*Result, error) {
	ref, err := attend(d, q, k, v)
	if err != nil {
		return nil, err
	}
	stalls := dataflow.StallPattern{Seed: seed, Percent: stallPercent}
	res := &Result{Design: d.Name, Stalls: stalls, ScoreShift: ref.Kernel.ScoreShift()}
	if res.Sim, err = Build(c.ctx, r, c.cacheDir, c.vcd != ""); err != nil {
		return nil, err
	}
	model := runModel(d, stalls)
	for _, m := range model {
		res.CoreCycles = append(res.CoreCycles, m.total)
		res.ModelCycles = max(res.ModelCycles, m.total)
	}
	log, err := runBench(res, c, d, ref, q, k, v)
	if err != nil {
		return nil, err
	}
	compare(res, d, ref, log, model)
	return res, nil
}

// attend is the hardware path of the reference on the design's shape.
func attend(d *dataflow.Design, q, k, v *reference.Tensor) (*reference.Result, error) {
	m := d.Model
	if q.H != m.Heads || q.N != m.SeqLen || q.D != m.HeadDim {
		return nil, fmt.Errorf("hdl: q has shape %v; the design point wants [%d %d %d] (model.heads, seq_len, head_dim)",
			q.Shape(), m.Heads, m.SeqLen, m.HeadDim)
	}
	if k.H != d.KVHeads() {
		return nil, fmt.Errorf("hdl: k has shape %v; the design point wants %d K/V heads (model.kv_heads)", k.Shape(), d.KVHeads())
	}
	a, err := d.ArithSpec()
	if err != nil {
		return nil, err
	}
	return reference.Attend(q, k, v, reference.Options{Mask: d.Mask(), Scale: m.Scale, Arith: a})
}

// runBench writes the stimulus, runs the simulator and reads its log.
func runBench(res *Result, c *config, d *dataflow.Design, ref *reference.Result, q, k, v *reference.Tensor) (*benchLog, error) {
	dir := c.workDir
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "swatsim-cosim-"); err != nil {
			return nil, fmt.Errorf("hdl: %w", err)
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("hdl: %w", err)
	}
	stim, out := filepath.Join(dir, "stim.txt"), filepath.Join(dir, "out.txt")
	if err := writeStimulus(stim, d, ref.Kernel, q, k, v); err != nil {
		return nil, err
	}
	args := []string{stim, out, "--seed", strconv.FormatUint(res.Stalls.Seed, 10),
		"--stall", strconv.Itoa(res.Stalls.Percent), "--max-cycles", strconv.FormatInt(2*res.ModelCycles+1000, 10),
		"--drain", strconv.Itoa(DrainCycles),
		"+verilator+rand+reset+2", fmt.Sprintf("+verilator+seed+%d", 1+res.Stalls.Seed%1000003)}
	if c.vcd != "" {
		args = append(args, "--vcd", c.vcd, "--vcd-from", strconv.FormatInt(c.vcdFrom, 10))
		if c.vcdTo >= 0 {
			args = append(args, "--vcd-to", strconv.FormatInt(c.vcdTo, 10))
		}
	}
	start := time.Now()
	if b, err := tool.Run(c.ctx, dir, res.Sim.Path, args...); err != nil {
		return nil, fmt.Errorf("hdl: simulation failed: %v\n%s", err, tool.Tail(b, 20))
	}
	res.SimTime = time.Since(start)
	return readBenchLog(out, d.Model.HeadDim, d.HW.Cores)
}

// WriteStimulus writes the testbench's input file for q, k and v (the
// design's shape): their codes with the scales AutoScale picks, as
// reference.Attend quantises them.
func WriteStimulus(path string, d *dataflow.Design, q, k, v *reference.Tensor) error {
	if err := reference.CheckGQA(q, k, v); err != nil {
		return err
	}
	a, err := d.ArithSpec()
	if err != nil {
		return err
	}
	kern, err := reference.NewKernel(a, d.Model.HeadDim, d.Model.Scale)
	if err != nil {
		return err
	}
	kern.FitScales(q, k, v)
	return writeStimulus(path, d, kern, q, k, v)
}

// writeStimulus writes the testbench's input: the score shift and, per
// core, its q rows, its k/v rows and its number of o beats, in the core's
// stream order (dataflow.Order.QRows and KVRows).
func writeStimulus(path string, d *dataflow.Design, kern *reference.Kernel, q, k, v *reference.Tensor) error {
	qc, kc, vc := kern.Quantize(q, kern.QFrac), kern.Quantize(k, kern.KFrac), kern.Quantize(v, kern.VFrac)
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("hdl: %w", err)
	}
	w := bufio.NewWriter(f)
	s := dataflow.NewSchedule(d)
	fmt.Fprintf(w, "swatsim-stim 2\nshift %d\ncores %d\n", kern.ScoreShift(), s.Cores)
	for c := 0; c < s.Cores; c++ {
		o := s.CoreOrder(c)
		var qr [][]int64
		o.QRows(func(h, r int) { qr = append(qr, qc.Row(h, r)) })
		fmt.Fprintf(w, "core %d\nq %d\n", c, len(qr))
		for _, r := range qr {
			writeRow(w, r)
		}
		var kv [][2][]int64
		o.KVRows(func(h, key int) { kv = append(kv, [2][]int64{kc.Row(h, key), vc.Row(h, key)}) })
		fmt.Fprintf(w, "kv %d\n", len(kv))
		for _, r := range kv {
			writeRow(w, r[0])
			writeRow(w, r[1])
		}
		fmt.Fprintf(w, "o %d\n", len(qr))
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("hdl: %w", err)
	}
	return f.Close()
}

func writeRow(w *bufio.Writer, r []int64) {
	for i, x := range r {
		if i > 0 {
			w.WriteByte(' ')
		}
		w.WriteString(strconv.FormatInt(x, 10))
	}
	w.WriteByte('\n')
}

// coreLog is what the testbench wrote about one core: transfer cycles per
// stream, the o codes and when its done rose and fell.
type coreLog struct {
	cycles   [3][]int64 // by dataflow.Stream
	codes    []int64
	doneAt   int64 // the first cycle done was high (-1: never)
	doneFell int64 // the first cycle done was low again after that (-1: never)
}

// benchLog is what the testbench wrote: per core its log, the top's done
// (several cores) and the cycle count.
type benchLog struct {
	cores   []coreLog
	total   int64
	stalled int64 // the cycle the testbench gave up waiting for o beats (0: it did not)
	all     coreLog
}

func readBenchLog(path string, d, cores int) (*benchLog, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("hdl: simulation output: %w", err)
	}
	defer f.Close()
	l := &benchLog{total: -1, cores: make([]coreLog, max(1, cores)), all: coreLog{doneAt: -1, doneFell: -1}}
	for i := range l.cores {
		l.cores[i].doneAt, l.cores[i].doneFell = -1, -1
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		if err := l.parse(strings.Fields(sc.Text()), d); err != nil {
			return nil, fmt.Errorf("hdl: simulation output %s: %w", path, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("hdl: simulation output: %w", err)
	}
	if l.total < 0 {
		return nil, fmt.Errorf("hdl: simulation output %s: no cycle count", path)
	}
	return l, nil
}

// parse reads one line: "cycles N", "stalled C", "done-all C",
// "done-all-fell C", or a core's "q I C", "kv I C", "done I C",
// "done-fell I C", "o I C codes...".
func (l *benchLog) parse(f []string, d int) error {
	if len(f) < 2 {
		return fmt.Errorf("short line %q", strings.Join(f, " "))
	}
	n, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return err
	}
	switch f[0] {
	case "cycles":
		l.total = n
		return nil
	case "stalled":
		l.stalled = n
		return nil
	case "done-all":
		l.all.doneAt = n
		return nil
	case "done-all-fell":
		l.all.doneFell = n
		return nil
	}
	if n < 0 || n >= int64(len(l.cores)) || len(f) < 3 {
		return fmt.Errorf("line %q: no core %s", strings.Join(f, " "), f[1])
	}
	cl := &l.cores[n]
	c, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil {
		return err
	}
	switch f[0] {
	case "q":
		cl.cycles[dataflow.StreamQ] = append(cl.cycles[dataflow.StreamQ], c)
	case "kv":
		cl.cycles[dataflow.StreamKV] = append(cl.cycles[dataflow.StreamKV], c)
	case "done":
		cl.doneAt = c
	case "done-fell":
		cl.doneFell = c
	case "o":
		if len(f) != 3+d {
			return fmt.Errorf("o beat with %d codes, want %d", len(f)-3, d)
		}
		cl.cycles[dataflow.StreamO] = append(cl.cycles[dataflow.StreamO], c)
		for _, s := range f[3:] {
			x, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return err
			}
			cl.codes = append(cl.codes, x)
		}
	default:
		return fmt.Errorf("unknown line %q", f[0])
	}
	return nil
}

// compare fills the verdict of res from the log, the reference and the
// model's per-core transfer cycles.
func compare(res *Result, d *dataflow.Design, ref *reference.Result, log *benchLog, model []coreModel) {
	res.RTLCycles = log.total
	res.Codes = make([]int64, len(ref.Codes))
	res.OBeats = 0
	for _, cl := range log.cores {
		res.OBeats += len(cl.cycles[dataflow.StreamO])
	}
	if log.stalled > 0 {
		res.CycleErrors++
		res.errorf("the RTL hung: %d of %d o beats after %d cycles", res.OBeats, len(ref.Codes)/d.Model.HeadDim, log.stalled)
	}
	multi := len(model) > 1
	for c, m := range model {
		cl := log.cores[c]
		compareCodes(res, d, ref, c, multi, cl.codes, m.rows)
		for s := dataflow.StreamQ; s <= dataflow.StreamO; s++ {
			compareCycles(res, corePrefix(c, multi), s, cl.cycles[s], m.cycles[s])
		}
		compareDone(res, log, corePrefix(c, multi), cl, m.total)
	}
	if res.RTLCycles != res.ModelCycles {
		res.CycleErrors++
		res.errorf("cycle count: RTL %d, model %d", res.RTLCycles, res.ModelCycles)
	}
	if multi {
		compareDone(res, log, "top: ", log.all, res.ModelCycles)
	}
	res.Pass = res.CodeErrors == 0 && res.CycleErrors == 0
}

// corePrefix names core c in error messages when there are several.
func corePrefix(c int, multi bool) string {
	if !multi {
		return ""
	}
	return fmt.Sprintf("core %d: ", c)
}

// compareCodes compares core c's o codes with the reference rows its o
// beats carry (rows: head and row of each beat) and files them into
// res.Codes ([H, N, D]).
func compareCodes(res *Result, d *dataflow.Design, ref *reference.Result, c int, multi bool, got []int64, rows [][2]int) {
	dd, n := d.Model.HeadDim, d.Model.SeqLen
	for b, hr := range rows {
		at := (hr[0]*n + hr[1]) * dd
		if (b+1)*dd > len(got) {
			res.CodeErrors += (len(rows) - b) * dd
			res.errorf("%so: %d codes, want %d", corePrefix(c, multi), len(got), len(rows)*dd)
			return
		}
		copy(res.Codes[at:at+dd], got[b*dd:(b+1)*dd])
		for e := 0; e < dd; e++ {
			if g, w := got[b*dd+e], ref.Codes[at+e]; g != w {
				res.CodeErrors++
				res.errorf("%so code (beat %d: head %d, row %d, element %d): RTL %d, reference %d",
					corePrefix(c, multi), b, hr[0], hr[1], e, g, w)
			}
		}
	}
}

// compareDone holds a done flag to the model's end: done is low while the
// model runs, first high in cycle want (the clock edge that ends the
// model's last cycle raises it; 0 for a core without work) and stays high
// through the drain.
func compareDone(res *Result, log *benchLog, who string, cl coreLog, want int64) {
	if log.stalled > 0 {
		return // the hang is already the error
	}
	switch {
	case cl.doneAt < 0:
		res.CycleErrors++
		res.errorf("%sdone never rose (model's run ends with cycle %d)", who, want-1)
	case cl.doneAt != want:
		res.CycleErrors++
		res.errorf("%sdone rose in cycle %d, want %d (right after the model's last cycle %d)", who, cl.doneAt, want, want-1)
	}
	if cl.doneFell >= 0 {
		res.CycleErrors++
		res.errorf("%sdone fell again in cycle %d", who, cl.doneFell)
	}
}

func compareCycles(res *Result, who string, s dataflow.Stream, got, want []int64) {
	if len(got) != len(want) {
		res.CycleErrors++
		res.errorf("%s%s: %d transfers, model %d", who, s, len(got), len(want))
	}
	for n := 0; n < min(len(got), len(want)); n++ {
		if got[n] != want[n] {
			res.CycleErrors++
			res.errorf("%s%s beat %d: RTL cycle %d, model cycle %d", who, s, n, got[n], want[n])
		}
	}
}

// recorder wraps the model's ports and records each beat's transfer cycle.
type recorder struct {
	inner  dataflow.Ports
	cycles [3][]int64
}

// Transfer implements dataflow.Ports.
func (r *recorder) Transfer(s dataflow.Stream, n, t int64) (int64, bool) {
	c, ok := r.inner.Transfer(s, n, t)
	if ok {
		for int64(len(r.cycles[s])) <= n {
			r.cycles[s] = append(r.cycles[s], -1)
		}
		r.cycles[s][n] = c
	}
	return c, ok
}

// coreModel is the model's account of one core: every beat's transfer
// cycle per stream, the (head, row) of each o beat and its cycle count.
type coreModel struct {
	cycles [3][]int64
	rows   [][2]int
	total  int64
}

// runModel runs one dataflow.Sequencer per core under the core's stall
// pattern (StallPattern.Core; IdealPorts without stalls).
func runModel(d *dataflow.Design, st dataflow.StallPattern) []coreModel {
	s := dataflow.NewSchedule(d)
	out := make([]coreModel, s.Cores)
	for c := range out {
		rec := &recorder{inner: dataflow.IdealPorts{}}
		if st.Percent > 0 {
			rec.inner = st.Core(c)
		}
		e := dataflow.NewSequencer(s, d.Timing(), c)
		e.Run(rec, -1)
		e.Order.QRows(func(h, r int) { out[c].rows = append(out[c].rows, [2]int{h, r}) })
		out[c].cycles, out[c].total = rec.cycles, e.Cycle()
	}
	return out
}
