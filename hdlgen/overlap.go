package hdlgen

import (
	"fmt"
	"slices"
	"strings"

	"github.com/swatsim/swatsim/dataflow"
)

// blockDesc is one entry of the overlapped controller's block-descriptor
// ROM: a block of a unit's order (dataflow.Order.Block) with its sweep
// split into pinned keys 0..PinN-1, ring keys RingLo.. (RingN of them,
// the first at ring address RingAddr) and stream keys StrLo.. (StrN, the
// first written at StrAddr), and the offset D of the next block's sweep
// in its own (dataflow.Schedule.Offset; K: no overlap). A flash block may
// sweep a second stream run, from key S2Lo, after its StrN keys from
// StrLo (its pinned tiles, then its window tiles).
type blockDesc struct {
	Glob          bool
	R0, Rows      int
	Preload       bool
	PinN          int
	RingLo, RingN int
	RingAddr      int
	StrLo, StrN   int
	StrAddr       int
	S2Lo          int
	K, D          int
}

// unitDescs derives the descriptor ROM of the overlapped schedule: the
// blocks of one unit in a core's order (every unit has the same sequence:
// its first block takes no inherited positions, since the last block of a
// unit never overlaps the next unit's first), with the offsets the model
// computes.
func unitDescs(d *dataflow.Design, depth int) ([]blockDesc, error) {
	s := dataflow.NewSchedule(d)
	o := s.CoreOrder(0)
	per := s.Blocks() * s.Units()[0].NHeads
	blks := make([]dataflow.Block, per+1)
	for i := 0; i < per; i++ {
		blks[i] = o.Block(i)
	}
	blks[per] = blks[0] // the next unit's first block: the same geometry
	descs := make([]blockDesc, per)
	inherited := 0
	for i := 0; i < per; i++ {
		a, b := &blks[i], &blks[i+1]
		desc, err := describe(a, depth)
		if err != nil {
			return nil, err
		}
		desc.D = s.Offset(a, b, inherited)
		if i == per-1 && desc.D < desc.K {
			return nil, fmt.Errorf("hdl: hw.overlap: the last block of a unit overlaps the next unit's first; the generator does not support this design point")
		}
		inherited = 0
		if desc.D < desc.K {
			inherited = desc.K - desc.D
		}
		descs[i] = desc
	}
	return descs, nil
}

// describe cuts a block's sweep into the pinned, ring and stream runs.
func describe(b *dataflow.Block, depth int) (blockDesc, error) {
	d := blockDesc{Glob: b.Global, R0: b.R0, Rows: b.Rows(), Preload: b.Preload > 0, K: b.Keys()}
	order := 0
	for _, sg := range b.Segs {
		rank := int(sg.Src) + 1 // pinned 1, ring 2, stream 3: ascending, once each
		if sg.Src == dataflow.SrcStream && d.StrN > 0 && d.S2Lo == 0 {
			d.S2Lo = sg.Lo // flash: the window tiles after the pinned ones
			continue
		}
		if rank <= order {
			return d, fmt.Errorf("hdl: hw.overlap: block rows %d..%d sweeps %v: not pinned, ring, stream in order", b.R0, b.R1, b.Segs)
		}
		order = rank
		switch sg.Src {
		case dataflow.SrcPinned:
			if sg.Lo != 0 {
				return d, fmt.Errorf("hdl: hw.overlap: pinned keys from %d", sg.Lo)
			}
			d.PinN = sg.Len()
		case dataflow.SrcRing:
			d.RingLo, d.RingN, d.RingAddr = sg.Lo, sg.Len(), sg.Lo%depth
		default:
			d.StrLo, d.StrN, d.StrAddr = sg.Lo, sg.Len(), sg.Lo%depth
		}
	}
	return d, nil
}

// descField is one field of a packed descriptor.
type descField struct {
	name  string
	width func(p *params) int
	value func(d *blockDesc) int
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// baseFields is the descriptor layout of arch swat and dense, most
// significant field first.
var baseFields = []descField{
	{"glob", func(*params) int { return 1 }, func(d *blockDesc) int { return b2i(d.Glob) }},
	{"r0", kw, func(d *blockDesc) int { return d.R0 }},
	{"rows", func(p *params) int { return p.CntW }, func(d *blockDesc) int { return d.Rows }},
	{"pre", func(*params) int { return 1 }, func(d *blockDesc) int { return b2i(d.Preload) }},
	{"pin_n", kw, func(d *blockDesc) int { return d.PinN }},
	{"ring_lo", kw, func(d *blockDesc) int { return d.RingLo }},
	{"ring_n", kw, func(d *blockDesc) int { return d.RingN }},
	{"ring_a", aw, func(d *blockDesc) int { return d.RingAddr }},
	{"str_lo", kw, func(d *blockDesc) int { return d.StrLo }},
	{"str_n", kw, func(d *blockDesc) int { return d.StrN }},
	{"str_a", aw, func(d *blockDesc) int { return d.StrAddr }},
	{"k", kw, func(d *blockDesc) int { return d.K }},
	{"off", kw, func(d *blockDesc) int { return d.D }},
}

// s2Field is the flash descriptor's field after baseFields: the first key
// of the second stream run.
var s2Field = descField{"s2_lo", kw, func(d *blockDesc) int { return d.S2Lo }}

// descFields is the design's descriptor layout.
func (p *params) descFields() []descField {
	if p.Flash {
		return append(slices.Clip(baseFields), s2Field)
	}
	return baseFields
}

func kw(p *params) int { return p.KW }
func aw(p *params) int { return p.AW }

// DescW is the width of a packed descriptor.
func (p *params) DescW() int {
	w := 0
	for _, f := range p.descFields() {
		w += f.width(p)
	}
	return w
}

// DescROM is the case items of the descriptor ROM, one per block of a
// unit.
func (p *params) DescROM() string {
	var b strings.Builder
	for j, d := range p.Descs {
		fmt.Fprintf(&b, "      %d: desc = {", j)
		for i, f := range p.descFields() {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%d'd%d", f.width(p), f.value(&d))
		}
		b.WriteString("};\n")
	}
	return b.String()
}

// DescUnpack declares the fields named in used of the descriptor wire
// <pre>_d as wires <pre>_<field>; the other bits are marked unused.
func (p *params) DescUnpack(pre string, used ...string) string {
	var b strings.Builder
	var rest []string
	hi := p.DescW() - 1
	for _, f := range p.descFields() {
		w := f.width(p)
		if slices.Contains(used, f.name) {
			fmt.Fprintf(&b, "  wire [%d:0] %s_%s = %s_desc[%d:%d];\n", w-1, pre, f.name, pre, hi, hi-w+1)
		} else {
			rest = append(rest, fmt.Sprintf("%s_desc[%d:%d]", pre, hi, hi-w+1))
		}
		hi -= w
	}
	if len(rest) > 0 {
		fmt.Fprintf(&b, "  wire unused_%s = ^{%s};  // fields this engine does not read\n", pre, strings.Join(rest, ", "))
	}
	return b.String()
}

// CoIssue reports whether some block's successor inherits positions (D <
// K): only then does the core have the second key path.
func (p *params) CoIssue() bool {
	for _, d := range p.Descs {
		if d.D < d.K {
			return true
		}
	}
	return false
}

// bankTpl is what the PE's lanes-and-ring template sees: the parameters,
// the suffix B of the ring's signal names ("" in the one-bank PE, "0" and
// "1" for the banks of the overlapped PE) and the signal the lanes' output
// drives.
type bankTpl struct {
	tpl
	B, Out string
}

func withBank(t tpl, b, out string) bankTpl { return bankTpl{t, b, out} }
