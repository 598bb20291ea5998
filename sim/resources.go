package sim

import "github.com/swatsim/swatsim/dataflow"

// Resources is a formula estimate of the FPGA resources of a design point.
type Resources struct {
	DSP    int `json:"dsp"`
	BRAM36 int `json:"bram36"`
	LUT    int `json:"lut"`
	FF     int `json:"ff"`
}

// EstimateResources estimates the resources of a design point.
func EstimateResources(d *dataflow.Design) Resources {
	p, vw := d.HW.PEs, d.HW.VectorWidth
	return Resources{DSP: 3*p*vw + 2*p}
}
