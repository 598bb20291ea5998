package resource

import (
	"fmt"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/reference"
)

// Params holds every number the generated Verilog is specialised to: the
// design point's fields under their Verilog names and the widths derived
// from them. The resource formulas and hdlgen's templates read it.
type Params struct {
	Design *dataflow.Design
	Arith  reference.Arith
	Dense  bool              // arch dense, or flash (its resources are estimated as dense's)
	Kernel *reference.Kernel // the arithmetic's kernel: score coefficient and exp ROM

	// Model and schedule.
	N, D, W, HalfW, G, S, Pin, Heads int
	Causal                           bool
	NGlobal, NWin, WStart            int

	// Hardware.
	P, VW, C           int
	LatScore, LatExp   int
	LatAcc, LatNorm    int   // hw.latency.acc, hw.latency.norm: lane stages
	LatRecip           int   // hw.latency.recip: reciprocal start cycles
	Ls, Lr             int   // as dataflow.Timing
	Period             int   // key issue spacing, dataflow.Timing.Period: max(C, LatAcc)
	Tail, NormCyc      int   // sweep tail and norm phase, dataflow.Timing.Tail and NormCycles
	AccSlots           int   // accumulator ring slots outside the lane pipeline: Period - LatAcc + 1
	Banks              int   // accumulator banks per PE: 2 with hw.overlap (two query rows, softmax states and lane sets), else 1
	CoIssue            bool  // hw.overlap: some block's successor co-issues in its slots, so the core has a second key path (hdlgen builds it from this)
	DescSize           int   // hw.overlap: the descriptor ROM's depth as Yosys builds it (rom.go)
	DescBits           []int // hw.overlap: the field of each of its data bits (those that differ between words), least significant first
	Depth, PinDepth    int
	WStartAddr         int // WStart mod Depth
	FifoDepth, FifoPtr int // in-flight key FIFO between issue and SV

	// Arithmetic (reference.Arith's fields).
	InBits, InFrac, CoefBits, CoefFrac, ScoreBits, ScoreFrac int
	LUTBits, ProbFrac, SumBits, AccBits, RecipBits           int
	Interp                                                   bool
	Coef                                                     int64 // the score coefficient

	// Derived widths.
	DotW   int // dot accumulator: 2*IB + clog2(D)
	SPW    int // score product: DotW + CB
	ShW    int // cfg_score_shift
	ShMax  int // largest score shift AutoScale can ask for
	Low    int // score fraction bits below the LUT index
	XiW    int // integer bits of an exp argument
	MBW    int // lane multiplier B operand: max(RB, PF) + 1
	PVW    int // the lane's p x v product: the bits it can set, IB + PF + 2, at most the sum's AccBits + 2
	NW     int // leading-one position of l
	NsW    int // normalisation shift beyond RB + PF: n - PF
	KW     int // key and row indices
	AW     int // ring address
	PAW    int // pinned address
	CntW   int // beat counter
	TmrW   int // phase timer
	HeadW  int // head counter
	CoolW  int // key issue spacing counter
	SliceW int // bits of one slice of a row: VW*IB
	RowW   int // bits of one row: D*IB
}

// Derive validates a design point and derives its Verilog parameters.
func Derive(d *dataflow.Design) (*Params, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	a, err := d.ArithSpec()
	if err != nil {
		return nil, err
	}
	k, err := reference.NewKernel(a, d.Model.HeadDim, d.Model.Scale)
	if err != nil {
		return nil, err
	}
	p := &Params{Design: d, Arith: a, Kernel: k, Dense: d.Arch != dataflow.ArchSWAT}
	p.setModel(d)
	p.setHW(d)
	p.setArith(a, k)
	p.setWidths()
	if d.HW.Overlap {
		p.setDescROM(d)
	}
	return p, p.check()
}

func (p *Params) setModel(d *dataflow.Design) {
	m := d.Model
	p.N, p.D, p.W, p.HalfW = m.SeqLen, m.HeadDim, m.Window, m.Window/2
	p.G, p.S, p.Heads, p.Causal = m.GlobalTokens, m.Sinks, m.Heads, m.Causal
	p.Pin = max(p.G, p.S)
	s := dataflow.NewSchedule(d)
	p.NGlobal, p.NWin = s.NGlobal, s.NWin
	p.WStart = p.Pin
	if p.G < p.N {
		lo, _ := d.Mask().WindowRange(p.G)
		p.WStart = max(lo, p.Pin)
	}
}

func (p *Params) setHW(d *dataflow.Design) {
	t := d.Timing()
	p.P, p.VW, p.C = d.HW.PEs, d.HW.VectorWidth, t.C
	p.LatScore, p.LatExp = d.HW.Latency.Score, d.HW.Latency.Exp
	p.LatAcc, p.LatNorm, p.LatRecip = d.HW.Latency.Acc, d.HW.Latency.Norm, d.HW.Latency.Recip
	p.Ls, p.Lr = p.LatScore+p.LatExp, t.Lr
	p.Period, p.Tail, p.NormCyc = t.Period(), t.Tail(), t.NormCycles()
	p.AccSlots = p.Period - p.LatAcc + 1
	p.Banks = 1
	if d.HW.Overlap {
		p.Banks = 2
	}
	p.Depth, p.PinDepth = 1, 1
	if !p.Dense {
		p.Depth = d.KVBufRows()
		p.PinDepth = max(1, d.PinnedRows())
	}
	p.WStartAddr = p.WStart % p.Depth
	// Key k's V row is written at issue I and read at I+C+Ls; key k+F is
	// written no earlier than I+F*C.
	f := 1 + (p.Ls+p.C-1)/p.C
	p.FifoDepth, p.FifoPtr = 1, 0
	for p.FifoDepth < f {
		p.FifoDepth *= 2
		p.FifoPtr++
	}
}

func (p *Params) setArith(a reference.Arith, k *reference.Kernel) {
	p.InBits, p.InFrac, p.CoefBits, p.CoefFrac = a.InBits, a.InFrac, a.CoefBits, a.CoefFrac
	p.ScoreBits, p.ScoreFrac, p.LUTBits, p.ProbFrac = a.ScoreBits, a.ScoreFrac, a.LUTBits, a.ProbFrac
	p.SumBits, p.AccBits, p.RecipBits, p.Interp = a.SumBits, a.AccBits, a.RecipBits, a.Interp
	p.Coef = k.Coef
}

func (p *Params) setWidths() {
	p.DotW = 2*p.InBits + BitsFor(p.D-1)
	p.SPW = max(p.DotW+p.CoefBits, p.ScoreBits+1)
	p.ShMax = 2*p.InFrac + p.CoefFrac - p.ScoreFrac
	p.ShW = max(1, BitsFor(p.ShMax))
	p.Low = p.ScoreFrac - p.LUTBits
	p.XiW = p.ScoreBits - p.ScoreFrac
	p.MBW = max(p.RecipBits, p.ProbFrac) + 1
	p.PVW = min(p.InBits+p.ProbFrac+2, p.AccBits+2)
	p.NW = max(1, BitsFor(p.SumBits-1))
	p.NsW = max(1, BitsFor(p.SumBits-1-p.ProbFrac))
	p.AW = max(1, BitsFor(p.Depth-1))
	p.PAW = max(1, BitsFor(p.PinDepth-1))
	p.KW = max(BitsFor(p.N+p.W+2*p.P+p.Pin+2)+1, p.AW+2, p.PAW+1)
	p.CntW = max(1, BitsFor(max(p.P, p.Pin)))
	p.TmrW = BitsFor(max(p.Tail, p.NormCyc))
	p.HeadW = max(1, BitsFor(p.Heads-1))
	p.CoolW = max(1, BitsFor(p.Period-1))
	p.SliceW = p.VW * p.InBits
	p.RowW = p.D * p.InBits
}

// check rejects design points the generator does not support.
func (p *Params) check() error {
	if p.Low < 0 {
		return fmt.Errorf("hdl: arith score_frac = %d < lut_bits = %d", p.ScoreFrac, p.LUTBits)
	}
	if p.Interp && p.Low == 0 {
		// Interpolation with no bits below the index is the plain LUT.
		p.Interp = false
	}
	if w := p.AccBits + p.MBW + 1; p.SPW > 128 || w > 128 {
		return fmt.Errorf("hdl: datapath wider than 128 bits (score %d, lane %d): reduce in_bits, head_dim or acc_bits", p.SPW, w)
	}
	return nil
}

// setDescROM derives the overlapped controller's descriptor ROM: its
// geometry and whether some block lets its successor issue in its own
// slots (D < K), the condition under which hdlgen's overlapped core builds
// its second key path (TestCoIssueMatchesRTL in hdlgen/synth and
// TestDescROMMatchesRTL in hdlgen check both against the generator).
func (p *Params) setDescROM(d *dataflow.Design) {
	words := descROM(d, p.Depth)
	if len(words) == 0 {
		return
	}
	p.DescSize, p.DescBits = descGeometry(words, p.descWidths())
	for _, w := range words {
		if w[fOff] < w[fK] {
			p.CoIssue = true
		}
	}
}

// BitsFor is the number of bits an unsigned value v >= 0 needs (0 for 0);
// ceil(log2(n)) is BitsFor(n-1).
func BitsFor(v int) int {
	b := 0
	for v>>b != 0 {
		b++
	}
	return b
}

// Words is the number of 32-bit words of one row of codes.

// HasPin reports whether the core has a pinned buffer.
func (p *Params) HasPin() bool { return !p.Dense && p.Pin > 0 }
