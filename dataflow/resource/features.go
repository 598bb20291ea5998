package resource

// A feature is one term of a fitted formula: a count of the structure the
// generated Verilog builds (bits of a datapath times units), whose
// coefficient, fitted to Yosys's counts, is the cells per unit of it.
// Adding structure to the RTL (a pipeline register per lane, a second bank
// of accumulators) means adding a feature here and re-running the
// collection (docs/hdl.md, "Fitted resource formulas").
type feature struct {
	name string
	of   func(p *Params, f Family) float64
}

// The fitted quantities.
const (
	QLUT    = "lut"
	QFF     = "ff"
	QLUTRAM = "lutram"
)

// Quantities lists the fitted quantities in their report order.
var Quantities = []string{QLUT, QFF, QLUTRAM}

// features are the terms of each fitted quantity.
var features = map[string][]feature{
	QLUT:    lutFeatures,
	QFF:     ffFeatures,
	QLUTRAM: lutramFeatures,
}

// lutFeatures are the logic LUTs' terms: per PE (times hw.pes) the
// vector_width SV lanes of each bank, on xcup the dot product's adder tree
// (xc7 chains it through the DSP48E1 cascade), and the rest of the PE (its
// row registers' input multiplexers, reciprocal, score and exp units,
// mask, the bank selection when banked); outside the PEs the SWAT core's
// K/V row path (muxes, slice registers, a pinned buffer's extra source),
// the read multiplexers of buffers stacked several block RAMs deep, the
// controller (a fixed part and one growing with its counters' and key
// indices' widths, ctrlBits: their adders and comparators), the SWAT
// core's overlapped controller and its second key path (CoIssue); and the
// arch term (the dense core's controller; its row shifters are in the
// exact part, exactParts). Each unit's parts are weighted by per-bit
// costs (laneLUTs, peLUTs, rowLUTs), and the fit gives one coefficient per
// feature: the training set has three arithmetics only, so finer features
// (one per unit) cannot be told apart.
var lutFeatures = []feature{
	{"lane", func(p *Params, f Family) float64 { return pv(p) * float64(p.Banks) * p.laneLUTs(f) }},
	{"dot_tree", func(p *Params, f Family) float64 { return pf(p) * float64(p.dotTreeLUTs(f)) }},
	{"pe", func(p *Params, _ Family) float64 { return pf(p) * (float64(p.peRowLUTs()) + p.peLUTs()) }},
	{"core_row", func(p *Params, _ Family) float64 { return p.rowLUTs() * b2f(!p.Dense) }},
	{"mem_mux", func(p *Params, _ Family) float64 { return float64(p.bramMuxLUTs()) }},
	{"ctrl", func(*Params, Family) float64 { return 1 }},
	{"ctrl_bits", func(p *Params, _ Family) float64 { return float64(p.ctrlBits()) }},
	{"dense", func(p *Params, _ Family) float64 { return b2f(p.Dense) }},
	{"overlap", func(p *Params, _ Family) float64 { return b2f(p.Banks == 2 && !p.Dense) }},
	{"core_row_coissue", func(p *Params, _ Family) float64 { return float64(p.RowW) * b2f(p.CoIssue) }},
}

// peRowLUTs is the LUTs of a PE's row registers' input multiplexers, one
// LUT per bit and rotating row register: one row register whose four
// sources (load, chain, rotate, write-back) take one LUT6 per bit under
// shared priority selects; banked (hw.overlap), two query rows (load,
// rotate) and the output row (chain, write-back), where the query rows
// only load when C = 1.
func (p *Params) peRowLUTs() int {
	if p.Banks == 2 && p.C > 1 {
		return 3 * p.RowW
	}
	return p.RowW
}

// dotTreeLUTs is the LUTs of the dot product's adder tree on the family:
// vector_width - 1 adders of the products' 2 x in_bits bits (plus carry)
// in LUTs on xcup; none on xc7, where Yosys chains the products through
// the DSP48E1s' post-adders.
func (p *Params) dotTreeLUTs(f Family) int {
	if f == XC7 {
		return 0
	}
	return (p.VW - 1) * BitsFor(p.VW-1) * (2*p.InBits + BitsFor(p.VW))
}

// denseRowLUTs is the dense core's K and V row shifters (a 2:1 multiplexer
// per bit of all but the first slice) and the K slice's selection (a 2:1
// multiplexer per slice bit between the arriving row and the shifter);
// with one slice per row (C = 1) the row is its slice: neither exists
// (hdlgen's slicer).
func (p *Params) denseRowLUTs() int {
	if p.C == 1 {
		return 0
	}
	return 2*(p.RowW-p.SliceW) + p.SliceW
}

// peLUTs is the relative LUT cost of a PE without its lanes and row
// registers: the units sized by the arithmetic (arithLUTs), the score
// unit (0.8 per product bit x shift bit) and a fixed 197 (180 when the
// row rotates plus 17 for the mask; 100 + 17 otherwise).
func (p *Params) peLUTs() float64 {
	fixed := 197.0
	if p.C == 1 {
		fixed = 117
	}
	return fixed + p.arithLUTs() + 0.8*float64(p.SPW*p.ShW) + p.bankLUTs()
}

// bankLUTs is the relative LUT cost of a banked PE's selections (one LUT
// per bit of a 2:1 multiplexer): the dot's query slice, the output slice,
// the running max and the row sum for the sweep and for the division;
// with a second key path (CoIssue), the PE's pick of its K and V slices
// from the slot's two keys as well.
func (p *Params) bankLUTs() float64 {
	if p.Banks < 2 {
		return 0
	}
	n := 2*p.SliceW + p.ScoreBits + 2*p.SumBits
	if p.CoIssue {
		n += 2 * p.SliceW
	}
	return float64(n)
}

// rowLUTs is the relative LUT cost of the SWAT core's K/V row path: 3.26
// per row bit (1.5 when C = 1: no slice registers), plus 0.76 per bit with
// a pinned buffer (a third source).
func (p *Params) rowLUTs() float64 {
	n := 3.26
	if p.C == 1 {
		n = 1.5
	}
	if p.HasPin() {
		n += 0.76
	}
	return n * float64(p.RowW)
}

// laneLUTs is the relative LUT cost of one SV lane: its sweep-sum adder
// and saturation (per bit), its normalisation shifter (per bit x shift
// bit) and the partial-product adders of its multiplier (35 per DSP tile
// beyond the first). (The earlier 0.6 per accumulator bit for a rotating
// ring is gone: Yosys's per-module counts show the lane the same size
// with one ring slot or several.)
func (p *Params) laneLUTs(f Family) float64 {
	return float64(p.AccBits+2) + float64(p.shiftBits()*p.NsW) + 35*float64(dspTiles(f, p.AccBits, p.MBW+1)-1)
}

// arithLUTs is the relative LUT cost of a PE's units sized by the
// arithmetic alone: the reciprocal (1.1 per bit of l x bit of its
// leading-one position, 5 per quotient bit) and the exp unit (3.2 per bit
// of p, x1.6 with interpolation; 1.15 per 64 ROM bits, two ROMs with
// interpolation).
func (p *Params) arithLUTs() float64 {
	recip := 1.1*float64(p.SumBits*p.NW) + 5*float64(p.RecipBits)
	exp, rom := 3.2*float64(p.ProbFrac+1), 1.15*p.romBits()/64
	if p.Interp {
		exp, rom = 1.6*exp, 2*rom
	}
	return recip + exp + rom
}

// ffFeatures are the flip-flops' terms: the registers the RTL declares,
// counted from the widths (peFF per PE, with the pipeline registers of
// hw.latency and the banks of hw.overlap; coreFF outside, with the second
// key path's slice registers; the read registers of memories in LUTRAM),
// the registers around the multipliers as the family keeps them
// (mul_reg: on xc7 Yosys packs most into the DSP48E1s) and the overlapped
// controller's extra state (one term); their coefficients are 1 where
// Yosys keeps every bit counted.
var ffFeatures = []feature{
	{"pe", func(p *Params, _ Family) float64 { return pf(p) * float64(p.peFF()) }},
	{"mul_reg", func(p *Params, f Family) float64 { return pf(p) * float64(p.mulRegFF(f)) }},
	{"core", func(p *Params, _ Family) float64 { return float64(p.coreFF()) }},
	{"mem_reg", func(p *Params, _ Family) float64 { return float64(p.memRegFF()) }},
	{"overlap", func(p *Params, _ Family) float64 { return b2f(p.Banks == 2) }},
}

// lutramFeatures are the LUTs used as memory: the accumulators' shift
// registers, the in-flight V FIFO and the buffers small enough for
// distributed RAM, each in 7-series LUTRAM shapes (their coefficients map
// them to the family's shapes).
var lutramFeatures = []feature{
	{"acc_srl", func(p *Params, _ Family) float64 { return pf(p) * float64(p.accSRL()) }},
	{"fifo", func(p *Params, _ Family) float64 { return float64(p.fifoLUTRAM()) }},
	{"mem", func(p *Params, _ Family) float64 { return float64(p.memLUTRAM()) }},
}

// pf is hw.pes, pv hw.pes x hw.vector_width (the SV lanes).
func pf(p *Params) float64 { return float64(p.P) }
func pv(p *Params) float64 { return float64(p.P * p.VW) }

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// shiftBits is the width of the lane's normalisation shifter input.
func (p *Params) shiftBits() int { return p.AccBits + p.MBW + 1 - (p.RecipBits + p.ProbFrac - 1) }

// romBits is the exp ROM's size in bits.
func (p *Params) romBits() float64 { return float64((1<<p.LUTBits + 1) * (p.ProbFrac + 1)) }

// exactParts are the parts of the fitted quantities that are counted
// from the RTL cell by cell rather than fitted (coefficient 1): the fit
// models what remains. LUT: the dense core's row shifters (denseRowLUTs).
var exactParts = map[string]func(p *Params, f Family) float64{
	QLUT: func(p *Params, _ Family) float64 { return float64(p.denseRowLUTs()) * b2f(p.Dense) },
}

// Exact is the part of a fitted quantity counted exactly (exactParts; 0
// for a quantity without one).
func (p *Params) Exact(q string, f Family) float64 {
	if e := exactParts[q]; e != nil {
		return e(p, f)
	}
	return 0
}

// FeatureNames lists the terms of a fitted quantity.
func FeatureNames(q string) []string {
	var out []string
	for _, f := range features[q] {
		out = append(out, f.name)
	}
	return out
}

// Features evaluates the terms of a fitted quantity on the parameters.
func (p *Params) Features(q string, f Family) []float64 {
	var out []float64
	for _, ft := range features[q] {
		out = append(out, ft.of(p, f))
	}
	return out
}
