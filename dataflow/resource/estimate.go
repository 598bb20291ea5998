package resource

import (
	"fmt"
	"math"
	"sort"

	"github.com/swatsim/swatsim/dataflow"
)

// Resources are FPGA resource counts: from Yosys (hdlgen's synthesis) or
// from the design point's formulas (Estimate). The JSON keys are those of
// swatsim's reports.
type Resources struct {
	DSP    int            `json:"dsp"`    // DSP48E1 (xc7), DSP48E2 (xcup), SB_MAC16 (ice40), MULT18X18D (ecp5)
	BRAM36 float64        `json:"bram36"` // block RAM: RAMB36 equivalents (xc7, xcup), SB_RAM40_4K (ice40), DP16KD (ecp5)
	LUT    int            `json:"lut"`    // logic LUTs (LUT6 on xc7/xcup, LUT4 on ice40/ecp5)
	LUTRAM int            `json:"lutram"` // LUTs used as distributed memory or shift registers
	FF     int            `json:"ff"`     // flip-flops
	URAM   int            `json:"uram"`   // UltraRAM blocks
	Cells  map[string]int `json:"-"`      // every cell type and count (synthesis only)
}

// String is a one-line summary.
func (r Resources) String() string {
	return fmt.Sprintf("LUT %d, LUTRAM %d, FF %d, DSP %d, BRAM %g", r.LUT, r.LUTRAM, r.FF, r.DSP, r.BRAM36)
}

// CellList is the cell counts sorted by name, "NAME N" per entry.
func (r Resources) CellList() []string {
	var out []string
	for n, c := range r.Cells {
		out = append(out, fmt.Sprintf("%s %d", n, c))
	}
	sort.Strings(out)
	return out
}

// Estimate is the formula estimate of a design point's core on an AMD
// 7-series device (EstimateFor with XC7).
func Estimate(d *dataflow.Design) (Resources, error) { return EstimateFor(d, XC7) }

// EstimateFor is the formula estimate of a design point's core on the
// family: what Yosys 0.23 synth_xilinx -family <family> infers from the
// generated Verilog (hierarchical synthesis).
//
//   - DSP: exact for the generated multipliers. Each is split as Yosys's
//     mul2dsp splits it into DSP tiles (25x18 on xc7, 27x18 on xcup,
//     signed; partial slices of 17 bits, see dspTiles): per PE,
//     VECTOR_WIDTH dot multipliers (in x in), VECTOR_WIDTH lanes of acc x
//     max(recip, prob)+1 and p x v per accumulator bank (two with
//     hw.overlap), the score (dot x coefficient), the exp
//     interpolation and l x alpha.
//   - BRAM: exact: the K and V ring buffers and the pinned buffers,
//     KV_BUFFER_ROWS (PINNED_ROWS) rows of head_dim*in_bits bits each, in
//     the cheapest RAMB18/RAMB36 shapes, in RAMB36 equivalents; memories of
//     at most 64 rows go to LUTRAM (and their read register to flip-flops);
//     under hw.overlap, the controller's block-descriptor ROMs that Yosys
//     maps to block RAM (descBRAM, rom.go).
//   - LUT, FF, LUTRAM: linear formulas over structural features
//     (features.go) whose coefficients are fitted per family to Yosys runs
//     of a training set of design points and validated on a held-out set
//     (coef.json; docs/hdl.md, "Fitted resource formulas").
//
// Arch flash is estimated as a dense core (a streamed key tile, no ring
// buffer); its controller's few tile registers are left out.
func EstimateFor(d *dataflow.Design, f Family) (Resources, error) {
	if fittedErr != nil {
		return Resources{}, fittedErr
	}
	p, err := Derive(d)
	if err != nil {
		return Resources{}, err
	}
	return p.EstimateFor(f), nil
}

// Estimate is the 7-series estimate of the parameters' core.
func (p *Params) Estimate() Resources { return p.EstimateFor(XC7) }

// EstimateFor is the family's estimate of the parameters' core (see the
// package function EstimateFor).
func (p *Params) EstimateFor(f Family) Resources { return fitted.Estimate(p, f) }

// memDepths lists the depths of the core's buffers: the K and V rings and,
// with pinned keys, the K and V pinned buffers (SWAT only).
func (p *Params) memDepths() []int {
	if p.Dense {
		return nil
	}
	mems := []int{p.Depth, p.Depth}
	if p.HasPin() {
		mems = append(mems, p.PinDepth, p.PinDepth)
	}
	return mems
}

// bram is the block RAM of the buffers deeper than LUTRAMMaxRows.
func (p *Params) bram() float64 {
	var n float64
	for _, depth := range p.memDepths() {
		if depth > LUTRAMMaxRows {
			n += bram36(depth, p.RowW)
		}
	}
	return n
}

// smallMems are the depths of the buffers of 2 to LUTRAMMaxRows rows,
// which Yosys puts in distributed RAM.
func (p *Params) smallMems() []int {
	var out []int
	for _, depth := range p.memDepths() {
		if depth > 1 && depth <= LUTRAMMaxRows {
			out = append(out, depth)
		}
	}
	return out
}

// oneRowMems counts the buffers of one row (a pinned buffer of one global
// token or sink), which Yosys keeps in flip-flops, not in distributed RAM.
func (p *Params) oneRowMems() int {
	n := 0
	for _, depth := range p.memDepths() {
		if depth == 1 {
			n++
		}
	}
	return n
}

// memLUTRAM is the LUTs of the small buffers (7-series shapes).
func (p *Params) memLUTRAM() int {
	n := 0
	for _, depth := range p.smallMems() {
		n += lutRAM(depth, p.RowW)
	}
	return n
}

// memRegFF is the synchronous read registers of the small buffers, and
// the row and read registers of the one-row buffers.
func (p *Params) memRegFF() int { return (len(p.smallMems()) + 2*p.oneRowMems()) * p.RowW }

// LUTRAMMaxRows is the deepest buffer Yosys maps to distributed RAM.
const LUTRAMMaxRows = 64

// peDSP is the DSP count of one PE.
func (p *Params) peDSP(f Family) int {
	lane := dspTiles(f, p.AccBits, p.MBW+1) + dspTiles(f, p.InBits, p.ProbFrac+2)
	n := p.VW * (dspTiles(f, p.InBits, p.InBits) + p.Banks*lane)
	n += dspTiles(f, p.DotW, BitsFor(int(p.Coef))+1)
	if p.Interp {
		n += dspTiles(f, p.ProbFrac+2, p.Low+1)
	}
	return n + dspTiles(f, p.SumBits+1, p.ProbFrac+2)
}

// dspTiles is the number of DSPs that Yosys's mul2dsp (A at most amax =
// 25 bits on xc7, 27 on xcup; B 18; partial A 18 bits; signed only) uses
// for an a x b signed multiplier: the wider operand goes to A; an A wider
// than amax is cut into 17-bit slices (the last takes the rest), a B wider
// than 18 bits likewise.
func dspTiles(f Family, a, b int) int {
	if a < b {
		a, b = b, a
	}
	if a < 2 || b < 2 || a+b < 9 {
		return 0
	}
	return splitA(f.dspAMax(), a, b)
}

func splitA(amax, a, b int) int {
	if a <= amax {
		return splitB(b)
	}
	n := (a - amax + 16) / 17
	return n*splitB(b) + splitA(amax, a-17*n, b)
}

func splitB(b int) int {
	if b <= 18 {
		return 1
	}
	return (b-18+16)/17 + 1
}

// peFF is the flip-flop count of one PE and its reciprocal unit, register
// by register as the generated swat_pe declares them (hdlgen/rtl_pe.go,
// rtl_arith.go): the row registers (one row, or two query rows and the
// output row when banked), the dot, the score stages (the product
// register with hw.latency.score >= 2, then the logit registers), the
// running max and its flag per bank, the exp stages (argument and choice
// with hw.latency.exp >= 2, then alpha and p), the row sum per bank and
// its product register (hw.latency.acc >= 2), the norm write-back delay,
// the lanes (laneFF), the accumulator slots kept in flip-flops and the
// reciprocal unit (its extra step register with hw.latency.recip = 2).
func (p *Params) peFF() int {
	b := p.Banks
	n := p.RowW + p.DotW
	if b == 2 {
		n += 2 * p.RowW
	}
	t0, a0 := min(p.LatScore-1, 1), min(p.LatExp-1, 1)
	n += p.ScoreBits*(p.LatScore-t0) + b*(p.ScoreBits+1)
	n += 2 * (p.ProbFrac + 1) * (p.LatExp - a0)
	if p.LatExp >= 2 {
		n += p.ScoreBits + 3
	}
	n += b * p.SumBits
	if p.LatAcc >= 2 {
		n += b // l_fin and, banked, l_bank
	}
	if p.LatNorm >= 2 {
		n += p.LatNorm - 1
	}
	n += b * p.VW * (p.laneFF() + p.accSlotFF())
	n += 2*p.SumBits + 1 + p.RecipBits + 1 + p.NW + b - 1
	if p.LatRecip == 2 {
		n += p.NW + 1
	}
	return n
}

// laneFF is the pipeline registers of one SV lane after those of its
// multipliers (mulRegFF), which every family keeps in flip-flops: the
// sum's stages after the first (hw.latency.acc - 3 of UW bits) and the
// norm's (hw.latency.norm - 2 of the rounded quotient and its round bit).
func (p *Params) laneFF() int {
	pw, uw := p.lanePW(), p.AccBits+2
	hw := pw - (p.RecipBits + p.ProbFrac - 1)
	n := 0
	if p.LatAcc >= 4 {
		n += (p.LatAcc - 3) * uw
	}
	if p.LatNorm >= 3 {
		n += (p.LatNorm - 2) * (hw + 1)
	}
	return n
}

// lanePW is the width of a lane's acc x mb product.
func (p *Params) lanePW() int { return p.AccBits + p.MBW + 1 }

// mulRegFF is one PE's registers around its multipliers as the family
// keeps them in flip-flops: the score product (hw.latency.score >= 2),
// the row sum's l x alpha (hw.latency.acc >= 2) and per lane and bank
// the lane's product registers and first sum (laneMulRegFF). On xc7
// Yosys packs such a register into the DSP48E1 that drives it (productFF);
// on xcup it keeps every bit the product can set.
func (p *Params) mulRegFF(f Family) int {
	n := p.Banks * p.VW * p.laneMulRegFF(f)
	if p.LatScore >= 2 {
		// dot x {0, COEF}: a constant of BitsFor(COEF) bits.
		cb := BitsFor(int(p.Coef)) + 1
		n += productFF(f, p.DotW, cb, p.DotW+cb)
	}
	if p.LatAcc >= 2 {
		// la = l x alpha, unsigned; la >> PROB_FRAC drops the low bits.
		n += max(0, productFF(f, p.SumBits+1, p.ProbFrac+2, p.SumBits+p.ProbFrac+1)-p.ProbFrac)
	}
	return n
}

// laneMulRegFF is one lane's registers that Yosys can pack into its
// DSPs: with hw.latency.acc >= 2 the p x v product (pv_q, at the IB + PF
// + 2 bits it can set; the DSP's M register on xc7) and either the whole
// acc x mb product (prod_q, when hw.latency.norm >= 2 reads it too; the
// last tile's P register) or its slice a1 (norm = 1; the C register);
// with acc >= 3 the first sum u1 (the P register after the post-adder).
// With acc = 1 and norm >= 2 the norm's product register pn shares the
// product with the sweep's adder, so no family packs it.
func (p *Params) laneMulRegFF(f Family) int {
	pw, uw, pvw := p.lanePW(), p.AccBits+2, p.PVW
	if p.LatAcc == 1 {
		if p.LatNorm >= 2 {
			return pw
		}
		return 0
	}
	if f == XC7 {
		return p.laneMulRegXC7(pw, uw)
	}
	n := pvw + uw
	if p.LatNorm >= 2 {
		n = pvw + pw
	}
	if p.LatAcc >= 3 {
		n += uw
	}
	return n
}

// laneMulRegXC7 is laneMulRegFF on xc7 (hw.latency.acc >= 2): pv_q is
// the p x v DSP's M register (or, without a post-adder, its P register);
// the sweep's sum a1 + pv_q is that DSP's post-adder, with a1 in its C
// register and u1 in its P register, when the sum fits the DSP48E1's 48
// bits; a wider sum stays in LUTs with a1 and u1 in flip-flops.
func (p *Params) laneMulRegXC7(pw, uw int) int {
	n := 0
	if p.LatNorm >= 2 {
		n = productFF(XC7, p.AccBits, p.MBW+1, pw)
	} else if uw > dspPBits {
		n = uw // a1
	}
	if p.LatAcc >= 3 && uw > dspPBits {
		n += uw // u1
	}
	return n
}

// dspPBits is the width of the DSP48E1's post-adder and P register.
const dspPBits = 48

// productFF is the flip-flops of a register that takes an a x b product
// of the given width and nothing else: on xc7 the product's DSP tiles
// hold it in the last tile's P register except the 17 low bits each
// earlier tile of an A split gives (dspTiles); on xcup all of it.
func productFF(f Family, a, b, width int) int {
	if f == XC7 {
		return min(width, 17*max(0, dspTiles(f, a, b)-1))
	}
	return width
}

// accSlotFF is one lane's accumulator slots when they are flip-flops
// (fewer than three; longer rings are shift registers, accSRL).
func (p *Params) accSlotFF() int {
	if p.AccSlots >= 3 {
		return 0
	}
	return p.AccSlots * p.AccBits
}

// coreFF counts the registers outside the PEs: K/V slice registers, token
// pipeline (C + Ls + Period - 1 bits), FIFO pointers and the controller.
func (p *Params) coreFF() int {
	slices := 2 * (p.C - 1) * p.SliceW // the K and V slice registers
	if p.CoIssue {
		slices *= 2 // the second key path's
	}
	n := slices + p.C + p.Ls + p.Period - 1 + 3*p.FifoPtr
	return n + 6 + p.ctrlBits() + p.geometryFF()
}

// NeedR1 reports whether the controller reads the block's last row r1
// (beyond its window's last key hi): a causal dense block's last key, and
// a causal pinned segment's end when it can end before the pinned keys do.
func (p *Params) NeedR1() bool {
	return p.Causal && ((p.Dense && !p.isFlash()) || (p.Pin > 1 && (!p.Dense || p.isFlash())))
}

// isFlash reports arch flash (Dense covers it too: its core is a dense
// one with tiles).
func (p *Params) isFlash() bool { return p.Design.Arch == dataflow.ArchFlash }

// A GeoField is one of the controller's registered block geometry values
// (its register has a copy for the next block): the block's rows, its
// last row r1, the window's first key lo or last key hi.
type GeoField struct {
	Name string // rows, r1, lo or hi
	Bits int
}

// Geometry lists the registered block geometry of the controller (not
// the overlapped one), in the order hdlgen concatenates the registers:
// the block's rows, r1 where read (NeedR1), the window's first key (SWAT)
// and its last key (SWAT and flash).
func (p *Params) Geometry() []GeoField {
	g := []GeoField{{"rows", p.CntW}}
	if p.NeedR1() {
		g = append(g, GeoField{"r1", p.KW})
	}
	if !p.Dense {
		g = append(g, GeoField{"lo", p.KW})
	}
	if !p.Dense || p.isFlash() {
		g = append(g, GeoField{"hi", p.KW})
	}
	return g
}

// geometryFF is the flip-flops of Geometry's registers and their next
// block's copies (none in the overlapped controller).
func (p *Params) geometryFF() int {
	if p.Design.HW.Overlap {
		return 0
	}
	n := 0
	for _, f := range p.Geometry() {
		n += f.Bits
	}
	return 2 * n
}

// ctrlBits is the width of the controller's counters and key registers:
// the beat counter, phase timer, three key indices, the issue spacing and
// head counters and, in the SWAT core, the ring addresses and the next
// ring key.
func (p *Params) ctrlBits() int {
	n := p.CntW + p.TmrW + 3*p.KW + p.CoolW + p.HeadW
	if !p.Dense {
		n += 2*p.AW + p.KW
	}
	return n
}

// accSRL is the LUTs of one PE's accumulators when they are shift
// registers (three slots or more), per bank.
func (p *Params) accSRL() int {
	if p.AccSlots < 3 {
		return 0
	}
	return p.Banks * p.VW * p.AccBits * ((p.AccSlots + 31) / 32)
}

// fifoLUTRAM is the in-flight V and mask FIFO in RAM32M (4 LUTs for 6 bits
// of 32 rows): a V row and a mask bit per PE, under hw.overlap also a
// selection bit per PE and the bank, and the second key path's V row.
func (p *Params) fifoLUTRAM() int {
	w := p.RowW + p.P
	if p.Banks == 2 {
		w += p.P + 1
	}
	if p.CoIssue {
		w += p.RowW
	}
	return lutRAM(p.FifoDepth, w)
}

// lutRAM is the LUTs of a depth x width simple dual-port distributed RAM.
func lutRAM(depth, width int) int {
	if depth <= 32 {
		return 4 * ceilDiv(width, 6)
	}
	return 4 * ceilDiv(width, 3) * ceilDiv(depth, 64)
}

// bram36 is the cheapest RAMB18E1/RAMB36E1 cover of a depth x width
// simple dual-port memory, in RAMB36 equivalents.
func bram36(depth, width int) float64 {
	cost, _ := bramCover(depth, width)
	return float64(cost) / 2
}

// bramShapes are the simple dual-port shapes of a RAMB18E1 (cost 1, in
// RAMB18s) and a RAMB36E1 (cost 2).
var bramShapes = []struct{ depth, width, cost int }{
	{16384, 1, 1}, {8192, 2, 1}, {4096, 4, 1}, {2048, 9, 1}, {1024, 18, 1}, {512, 36, 1},
	{32768, 1, 2}, {16384, 2, 2}, {8192, 4, 2}, {4096, 9, 2}, {2048, 18, 2}, {1024, 36, 2}, {512, 72, 2},
}

// bramCover is the cheapest RAMB18E1/RAMB36E1 cover of a depth x width
// simple dual-port memory: its cost in RAMB18s and how many blocks deep
// it stacks (whose read data a multiplexer selects).
func bramCover(depth, width int) (cost, deep int) {
	cost = math.MaxInt
	for _, s := range bramShapes {
		if c := ceilDiv(depth, s.depth) * ceilDiv(width, s.width) * s.cost; c < cost {
			cost, deep = c, ceilDiv(depth, s.depth)
		}
	}
	return cost, deep
}

// bramMuxLUTs is the LUTs of the read multiplexers of the buffers in block
// RAM that stack more than one block deep: per row bit a deep:1
// multiplexer, one LUT6 per four inputs (MUXF7/F8 join them).
func (p *Params) bramMuxLUTs() int {
	n := 0
	for _, depth := range p.memDepths() {
		if depth <= LUTRAMMaxRows {
			continue
		}
		if _, deep := bramCover(depth, p.RowW); deep > 1 {
			n += p.RowW * ceilDiv(deep, 4)
		}
	}
	return n
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
