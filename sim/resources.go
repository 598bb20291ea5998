package sim

import (
	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/hdlgen"
)

// Resources is the formula estimate of the core's FPGA resources on an AMD
// 7-series device: the same formulas hdlgen holds against Yosys's
// synthesis of the generated Verilog (DSP and BRAM exact on its
// calibration designs, LUT fitted within about 5%).
type Resources struct {
	DSP    int     `json:"dsp"`
	BRAM36 float64 `json:"bram36"`
	LUT    int     `json:"lut"`
	LUTRAM int     `json:"lutram"`
	FF     int     `json:"ff"`
}

// EstimateResources estimates the resources of a design point's core.
func EstimateResources(d *dataflow.Design) (Resources, error) {
	r, err := hdlgen.EstimateResources(d)
	if err != nil {
		return Resources{}, err
	}
	return Resources{DSP: r.DSP, BRAM36: r.BRAM, LUT: r.LUT, LUTRAM: r.LUTRAM, FF: r.FF}, nil
}
