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

// Estimate is the formula-based resource estimate of a design
// point's core on an AMD 7-series device (the xc7 target): what Yosys 0.23
// synth_xilinx infers from the generated Verilog.
//
//   - DSP: exact for the generated multipliers. Each is split as Yosys's
//     mul2dsp splits it into DSP48E1 tiles (25x18 signed; partial A slices
//     of 17 bits, B slices of 17 bits, see dspTiles): per PE, VECTOR_WIDTH
//     dot multipliers (in x in), VECTOR_WIDTH lanes of acc x max(recip,
//     prob)+1 and p x v, the score (dot x coefficient), the exp
//     interpolation and l x alpha.
//   - BRAM: the K and V ring buffers and the pinned buffers, KV_BUFFER_ROWS
//     (PINNED_ROWS) rows of head_dim*in_bits bits each, in the cheapest
//     RAMB18E1/RAMB36E1 shapes, in RAMB36 equivalents; memories of at most
//     64 rows go to LUTRAM (and their read register to flip-flops).
//   - FF: every register of the RTL, counted from the widths; the
//     accumulators of a PE are SRL16E shift registers when C >= 3.
//   - LUTRAM: LUTs used as memory: the accumulator SRLs, the in-flight V
//     FIFO (RAM32M) and small buffers.
//   - LUT: per-unit linear formulas in the datapath widths, fitted to Yosys
//     runs of 11 design points (docs/verilog.md, "Synthesis and the resource estimate"); expect +-10%.
func Estimate(d *dataflow.Design) (Resources, error) {
	p, err := Derive(d)
	if err != nil {
		return Resources{}, err
	}
	return p.Estimate(), nil
}

// Estimate is the formula estimate of the parameters' core (see the
// package function Estimate).
func (p *Params) Estimate() Resources {
	var r Resources
	r.DSP = p.P * p.peDSP()
	r.FF = p.P*p.peFF() + p.coreFF()
	r.LUT = int(math.Round(float64(p.P)*p.peLUT() + p.coreLUT()))
	r.LUTRAM = p.P*p.accSRL() + p.fifoLUTRAM()
	mems := []int{}
	if !p.Dense {
		mems = append(mems, p.Depth, p.Depth)
		if p.HasPin() {
			mems = append(mems, p.PinDepth, p.PinDepth)
		}
	}
	for _, depth := range mems {
		if depth <= 64 {
			r.LUTRAM += lutRAM(depth, p.RowW)
			r.FF += p.RowW // the synchronous read register
		} else {
			r.BRAM36 += bram36(depth, p.RowW)
		}
	}
	return r
}

// peDSP is the DSP48E1 count of one PE.
func (p *Params) peDSP() int {
	lane := dspTiles(p.AccBits, p.MBW+1) + dspTiles(p.InBits, p.ProbFrac+2)
	n := p.VW * (dspTiles(p.InBits, p.InBits) + lane)
	n += dspTiles(p.DotW, BitsFor(int(p.Coef))+1)
	if p.Interp {
		n += dspTiles(p.ProbFrac+2, p.Low+1)
	}
	return n + dspTiles(p.SumBits+1, p.ProbFrac+2)
}

// dspTiles is the number of DSP48E1 that Yosys's mul2dsp (xc7: A 25, B 18,
// partial A 18 bits, signed only) uses for an a x b signed multiplier:
// the wider operand goes to A; an A wider than 25 bits is cut into 17-bit
// slices (the last takes the rest), a B wider than 18 bits likewise.
func dspTiles(a, b int) int {
	if a < b {
		a, b = b, a
	}
	if a < 2 || b < 2 || a+b < 9 {
		return 0
	}
	return splitA(a, b)
}

func splitA(a, b int) int {
	if a <= 25 {
		return splitB(b)
	}
	n := (a - 25 + 16) / 17
	return n*splitB(b) + splitA2(a-17*n, b)
}

// splitA2 maps the last A slice, which may still be wider than 25 bits.
func splitA2(a, b int) int {
	if a <= 25 {
		return splitB(b)
	}
	return splitA(a, b)
}

func splitB(b int) int {
	if b <= 18 {
		return 1
	}
	return (b-18+16)/17 + 1
}

// peFF is the flip-flop count of one PE and its reciprocal unit.
func (p *Params) peFF() int {
	n := p.RowW + p.DotW + p.ScoreBits*(p.LatScore+1) + 1 + 2*(p.ProbFrac+1)*p.LatExp + p.SumBits
	if p.C < 3 {
		n += p.D * p.AccBits
	}
	return n + 2*p.SumBits + 1 + p.RecipBits + 1 + p.NW
}

// coreFF counts the registers outside the PEs: K/V slice registers, token
// pipeline, FIFO pointers and the controller.
func (p *Params) coreFF() int {
	n := 2*(p.C-1)*p.SliceW + 2*p.C + p.Ls - 1 + 3*p.FifoPtr
	n += 3 + p.CntW + p.TmrW + 3*p.KW + 3 + p.CoolW + p.HeadW
	if !p.Dense {
		n += 2*p.AW + p.KW
	}
	return n
}

// accSRL is the LUTs of one PE's accumulators when they are shift
// registers.
func (p *Params) accSRL() int {
	if p.C < 3 {
		return 0
	}
	return p.VW * p.AccBits * ((p.C + 31) / 32)
}

// fifoLUTRAM is the in-flight V and mask FIFO in RAM32M (4 LUTs for 6 bits
// of 32 rows).
func (p *Params) fifoLUTRAM() int { return lutRAM(p.FifoDepth, p.RowW+p.P) }

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
	best := math.MaxInt
	for _, s := range []struct{ depth, width, cost int }{ // cost in RAMB18
		{16384, 1, 1}, {8192, 2, 1}, {4096, 4, 1}, {2048, 9, 1}, {1024, 18, 1}, {512, 36, 1},
		{32768, 1, 2}, {16384, 2, 2}, {8192, 4, 2}, {4096, 9, 2}, {2048, 18, 2}, {1024, 36, 2}, {512, 72, 2},
	} {
		best = min(best, ceilDiv(depth, s.depth)*ceilDiv(width, s.width)*s.cost)
	}
	return float64(best) / 2
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// LUT formulas: coefficients fitted to Yosys 0.23 synth_xilinx runs.
const (
	lutLaneUW     = 1.0  // per bit of the lane's sweep sum (add, saturation)
	lutLaneShift  = 1.0  // per bit x shift bit of the normalisation shifter
	lutLaneMulAdd = 35.0 // per DSP tile beyond the first (partial-product adders)
	lutPERow      = 2.16 // per bit of the row register (q in, o out, rotation)
	lutPEAcc      = 0.6  // per bit of a slice of accumulators (SRL inputs)
	lutPEFixed    = 180.0
	lutPERow1     = 1.0 // per bit of the row register when C = 1
	lutPEFixed1   = 100.0
	lutRecip      = 1.1  // per bit of l x bit of its leading-one position
	lutRecipQ     = 5.0  // per quotient bit
	lutScore      = 0.8  // per product bit x shift bit
	lutExp        = 3.2  // per bit of p; x1.6 with interpolation
	lutROM        = 1.15 // per 64 ROM bits
	lutCoreRow    = 3.26 // per bit of a row: K/V row muxes and slice registers
	lutCoreRow1   = 1.5  // per bit of a row when C = 1 (no slice registers)
	lutCorePin    = 0.76 // per bit of a row, with a pinned buffer (a third source)
	lutCtrl       = 250.0
	lutMaskPE     = 17.0 // per PE
)

// peLUT is the logic LUTs of one PE with its units.
func (p *Params) peLUT() float64 {
	uw, hw := p.AccBits+2, p.AccBits+p.MBW+1-(p.RecipBits+p.ProbFrac-1)
	lane := lutLaneUW*float64(uw) + lutLaneShift*float64(hw*p.NsW) + lutLaneMulAdd*float64(dspTiles(p.AccBits, p.MBW+1)-1)
	pe := lutPERow*float64(p.RowW) + lutPEAcc*float64(p.VW*p.AccBits) + lutPEFixed
	if p.C == 1 { // no rotation: the row and the accumulators load whole
		pe = lutPERow1*float64(p.RowW) + lutPEFixed1
	}
	recip := lutRecip*float64(p.SumBits*p.NW) + lutRecipQ*float64(p.RecipBits)
	score := lutScore * float64(p.SPW*p.ShW)
	rom := lutROM*float64((1<<p.LUTBits+1)*(p.ProbFrac+1))/64 + 5
	exp := lutExp*float64(p.ProbFrac+1) + rom
	if p.Interp {
		exp = 1.6*lutExp*float64(p.ProbFrac+1) + 2*rom
	}
	return float64(p.VW)*lane + pe + recip + score + exp + lutMaskPE
}

// coreLUT is the logic LUTs outside the PEs.
func (p *Params) coreLUT() float64 {
	row := lutCoreRow
	if p.C == 1 {
		row = lutCoreRow1
	}
	if p.HasPin() {
		row += lutCorePin
	}
	return row*float64(p.RowW) + lutCtrl
}
