package hdlgen

import (
	"fmt"
	"slices"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/dataflow/resource"
)

// params is what the templates read: the design point's Verilog
// parameters (resource.Params, shared with the resource formulas), the exp
// ROM's contents and the scale-out of dataflow.Schedule (cores, units).
type params struct {
	*resource.Params
	flashParams
	LUT []int64 // the exp ROM, reference.Kernel.ExpLUT
	// Cores is hw.cores: the swat_core instances of the top.
	Cores int
	// UnitHeads is the number of query heads per unit (Schedule.Units):
	// a core runs block b of each of them before block b+1.
	UnitHeads int
	// CoreUnits is, per core, the number of units it runs (unit u runs on
	// core u mod cores; 0: the core is idle).
	CoreUnits []int
	// UnitW and HsW are the widths of the unit and head-in-unit counters.
	UnitW, HsW int
	// Overlap is hw.overlap: the banked PEs and the overlapped controller.
	Overlap bool
	// Descs is the overlapped controller's block-descriptor ROM: the blocks
	// of one unit (every unit repeats them).
	Descs []dataflow.BlockDesc
	// JW is the width of a descriptor index, BW of a core's block counts.
	JW, BW int
}

// newParams derives the generator's numbers from a validated design point.
func newParams(d *dataflow.Design) (*params, error) {
	rp, err := resource.Derive(d)
	if err != nil {
		return nil, err
	}
	p := &params{Params: rp, flashParams: newFlashParams(d), LUT: slices.Clone(rp.Kernel.ExpLUT)}
	s := dataflow.NewSchedule(d)
	p.Cores = s.Cores
	us := s.Units()
	p.UnitHeads = us[0].NHeads
	p.CoreUnits = make([]int, s.Cores)
	for u := range us {
		p.CoreUnits[u%s.Cores]++
	}
	p.UnitW = max(1, resource.BitsFor(p.MaxUnits()-1))
	p.HsW = max(1, resource.BitsFor(p.UnitHeads-1))
	if p.Overlap = d.HW.Overlap; p.Overlap {
		if p.Descs, err = unitDescs(d, p.Depth); err != nil {
			return nil, err
		}
		p.JW = max(1, resource.BitsFor(len(p.Descs)-1))
		p.BW = resource.BitsFor(p.MaxUnits()*len(p.Descs)+2) + 1
	}
	return p, nil
}

// Words is the number of 32-bit words of one row of codes.
func (p *params) Words() int { return (p.RowW + 31) / 32 }

// MaxUnits is the most units a core runs.
func (p *params) MaxUnits() int { return slices.Max(p.CoreUnits) }

// MultiCore reports whether the top is swat_top (several cores).
func (p *params) MultiCore() bool { return p.Cores > 1 }

// UnitParam reports whether swat_core and swat_ctrl take the UNITS
// parameter: when a core runs several units or the cores differ.
func (p *params) UnitParam() bool { return p.MaxUnits() > 1 || p.MultiCore() }

// IdleCore reports whether some core runs no unit at all (it is done from
// reset on).
func (p *params) IdleCore() bool { return slices.Min(p.CoreUnits) == 0 }

// corePort is the port-name prefix of one core at the top.
type corePort struct {
	Index  int
	Prefix string // "" for the single core, "cN_" at swat_top
	Units  int
}

// CorePorts lists the cores with their port prefixes at the top.
func (p *params) CorePorts() []corePort {
	var cs []corePort
	for c, n := range p.CoreUnits {
		pre := ""
		if p.MultiCore() {
			pre = fmt.Sprintf("c%d_", c)
		}
		cs = append(cs, corePort{c, pre, n})
	}
	return cs
}
