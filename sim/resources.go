package sim

import (
	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/dataflow/resource"
)

// Resources is the formula estimate of the core's FPGA resources on an AMD
// 7-series device: the formulas of package resource, which hdlgen holds
// against Yosys's synthesis of the generated Verilog.
type Resources = resource.Resources

// EstimateResources estimates the resources of a design point's core.
func EstimateResources(d *dataflow.Design) (Resources, error) { return resource.Estimate(d) }
