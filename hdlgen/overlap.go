package hdlgen

import (
	"fmt"
	"slices"
	"strings"

	"github.com/swatsim/swatsim/dataflow"
)

// unitDescs is the overlapped controller's descriptor ROM
// (dataflow.Schedule.UnitDescs), refused when the last block of a unit
// would overlap the next unit's first, which the controller does not do.
func unitDescs(d *dataflow.Design, depth int) ([]dataflow.BlockDesc, error) {
	descs, err := dataflow.NewSchedule(d).UnitDescs(depth)
	if err != nil {
		return nil, fmt.Errorf("hdl: hw.overlap: %w", err)
	}
	if last := descs[len(descs)-1]; last.D < last.K {
		return nil, fmt.Errorf("hdl: hw.overlap: the last block of a unit overlaps the next unit's first; the generator does not support this design point")
	}
	return descs, nil
}

// descField is one field of a packed descriptor.
type descField struct {
	name  string
	width func(p *params) int
	value func(d *dataflow.BlockDesc) int
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
	{"glob", func(*params) int { return 1 }, func(d *dataflow.BlockDesc) int { return b2i(d.Glob) }},
	{"r0", kw, func(d *dataflow.BlockDesc) int { return d.R0 }},
	{"rows", func(p *params) int { return p.CntW }, func(d *dataflow.BlockDesc) int { return d.Rows }},
	{"pre", func(*params) int { return 1 }, func(d *dataflow.BlockDesc) int { return b2i(d.Preload) }},
	{"pin_n", kw, func(d *dataflow.BlockDesc) int { return d.PinN }},
	{"ring_lo", kw, func(d *dataflow.BlockDesc) int { return d.RingLo }},
	{"ring_n", kw, func(d *dataflow.BlockDesc) int { return d.RingN }},
	{"ring_a", aw, func(d *dataflow.BlockDesc) int { return d.RingAddr }},
	{"str_lo", kw, func(d *dataflow.BlockDesc) int { return d.StrLo }},
	{"str_n", kw, func(d *dataflow.BlockDesc) int { return d.StrN }},
	{"str_a", aw, func(d *dataflow.BlockDesc) int { return d.StrAddr }},
	{"k", kw, func(d *dataflow.BlockDesc) int { return d.K }},
	{"off", kw, func(d *dataflow.BlockDesc) int { return d.D }},
}

// s2Field is the flash descriptor's field after baseFields: the first key
// of the second stream run.
var s2Field = descField{"s2_lo", kw, func(d *dataflow.BlockDesc) int { return d.S2Lo }}

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

// bankTpl is what the PE's lanes-and-ring template sees: the parameters,
// the suffix B of the ring's signal names ("" in the one-bank PE, "0" and
// "1" for the banks of the overlapped PE) and the signal the lanes' output
// drives.
type bankTpl struct {
	tpl
	B, Out string
}

func withBank(t tpl, b, out string) bankTpl { return bankTpl{t, b, out} }
