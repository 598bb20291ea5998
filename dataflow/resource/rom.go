package resource

import (
	"math"
	"slices"

	"github.com/swatsim/swatsim/dataflow"
)

// The overlapped controller (hw.overlap) holds a block-descriptor ROM: one
// word per block of a unit, the fields below, packed most significant
// first (the entries of dataflow.Schedule.UnitDescs, which hdlgen packs;
// TestDescROMMatchesEstimate in hdlgen checks the geometry against the
// generated ROM). Yosys 0.23 turns each of
// the controller's reads of it into a ROM of its own (proc_rom), drops the
// data bits that are the same in every word, and maps each ROM whose
// address is a register (a synchronous read) to block RAM when the
// cheapest cover costs less than the ROM in logic (memory_libmap, below);
// the other reads stay logic.

// descWord is one descriptor: its field values in the ROM's order (glob,
// r0, rows, preload, pinned count, ring first key, count, address, stream
// first key, count, address, keys K, offset D).
type descWord [13]int

// descWidths is the width of each descriptor field.
func (p *Params) descWidths() descWord {
	kw, aw := p.KW, p.AW
	return descWord{1, kw, p.CntW, 1, kw, kw, kw, aw, kw, kw, aw, kw, kw}
}

// descROM is the overlapped controller's descriptor words
// (dataflow.Schedule.UnitDescs, the entries hdlgen packs into its ROM);
// depth is the ring's rows. A schedule the descriptor cannot hold (which
// the generator refuses) has none.
func descROM(d *dataflow.Design, depth int) []descWord {
	descs, err := dataflow.NewSchedule(d).UnitDescs(depth)
	if err != nil {
		return nil
	}
	words := make([]descWord, len(descs))
	for i, b := range descs {
		words[i] = descWord{int(b2f(b.Glob)), b.R0, b.Rows, int(b2f(b.Preload)), b.PinN, b.RingLo, b.RingN, b.RingAddr, b.StrLo, b.StrN, b.StrAddr, b.K, b.D}
	}
	return words
}

// descGeometry is the depth of the descriptor ROM Yosys builds (every
// index of its address: 2^ceil(log2(blocks)), the words past the last
// block zero) and, per data bit of it from the least significant, the
// field the bit belongs to: Yosys drops the bits that are the same in
// every word.
func descGeometry(words []descWord, widths descWord) (size int, bits []int) {
	size = 1 << max(1, BitsFor(len(words)-1))
	for f := len(widths) - 1; f >= 0; f-- {
		for bit := range widths[f] {
			first := words[0][f] >> bit & 1
			varies := size > len(words) && first != 0
			for _, w := range words[1:] {
				if w[f]>>bit&1 != first {
					varies = true
					break
				}
			}
			if varies {
				bits = append(bits, f)
			}
		}
	}
	return size, bits
}

// The descriptor fields, by index in descWord.
const (
	fGlob = iota
	fR0
	fRows
	fPre
	fPinN
	fRingLo
	fRingN
	fRingA
	fStrLo
	fStrN
	fStrA
	fK
	fOff
)

// syncDescReads are, per descriptor read of the controller whose address
// is a register (a synchronous read Yosys can put in block RAM), the
// fields it uses: the issue engine's block A (ja), the load engine's
// block (lj: rows and preload) and the output engine's (oj: rows). The
// other reads (the next block, and in SWAT the buffers' look-ahead) take a
// combinational address and stay logic.
func (p *Params) syncDescReads() [][]int {
	ja := []int{fGlob, fR0, fRows, fPinN, fRingLo, fRingN, fRingA, fStrLo, fStrA, fK, fOff}
	if p.Dense {
		ja = []int{fGlob, fR0, fRows, fPinN, fRingLo, fRingN, fStrLo, fK, fOff}
	}
	return [][]int{ja, {fRows, fPre}, {fRows}}
}

// Yosys 0.23 memory_libmap's costs: a RAMB18 129, a RAMB36 257, 2 for the
// emulated read-port behaviour of a ROM, and a ROM bit in logic 1/64 (the
// logic cost is truncated to an integer before the comparison).
const (
	yosysRAMB18Cost = 129
	yosysRAMB36Cost = 257
	yosysROMEmuCost = 2
	yosysROMBitCost = 1.0 / 64
)

// romShape is the cheapest RAMB18/RAMB36 cover Yosys picks for a size x
// width ROM (a shape of bramShapes, the data bits in consecutive blocks of
// its width from the least significant; a ROM deeper than the shape
// stacks ceil(size / depth) of them, whose read multiplexer's cost this
// leaves out), or ok false when the ROM costs less in logic.
func romShape(size, width int) (shape int, ok bool) {
	best := math.MaxInt
	for i, s := range bramShapes {
		unit := yosysRAMB18Cost
		if s.cost == 2 {
			unit = yosysRAMB36Cost
		}
		if c := ceilDiv(size, s.depth) * ceilDiv(width, s.width) * unit; c < best {
			best, shape = c, i
		}
	}
	logic := int(float64(size*width) * yosysROMBitCost)
	return shape, best+yosysROMEmuCost < logic
}

// descBRAM is the block RAM, in RAMB36 equivalents, of the overlapped
// controller's descriptor ROMs (0 without hw.overlap): each synchronous
// read is a ROM of its own, in block RAM when cheaper than logic, and
// keeps the blocks that hold a bit it uses (Yosys removes the others; a
// read that uses no varying bit is removed with its ROM).
func (p *Params) descBRAM() float64 {
	if p.Banks < 2 || len(p.DescBits) == 0 {
		return 0
	}
	shape, ok := romShape(p.DescSize, len(p.DescBits))
	if !ok {
		return 0
	}
	s := bramShapes[shape]
	n := 0
	for _, fields := range p.syncDescReads() {
		used := map[int]bool{}
		for i, f := range p.DescBits {
			if slices.Contains(fields, f) {
				used[i/s.width] = true
			}
		}
		n += len(used) * s.cost * ceilDiv(p.DescSize, s.depth)
	}
	return float64(n) / 2
}
