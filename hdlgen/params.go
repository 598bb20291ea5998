package hdlgen

import (
	"slices"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/dataflow/resource"
)

// params is what the templates read: the design point's Verilog
// parameters (resource.Params, shared with the resource formulas) and the
// exp ROM's contents.
type params struct {
	*resource.Params
	LUT []int64 // the exp ROM, reference.Kernel.ExpLUT
}

// newParams derives the generator's numbers from a validated design point.
func newParams(d *dataflow.Design) (*params, error) {
	rp, err := resource.Derive(d)
	if err != nil {
		return nil, err
	}
	return &params{Params: rp, LUT: slices.Clone(rp.Kernel.ExpLUT)}, nil
}

// Words is the number of 32-bit words of one row of codes.
func (p *params) Words() int { return (p.RowW + 31) / 32 }
