package hdlgen

import (
	"fmt"

	"github.com/swatsim/swatsim/dataflow"
)

// checkSupported refuses the design fields the cycle model has but the
// generated Verilog does not implement yet, naming the field, so that no
// command emits RTL that silently disagrees with the model: the flash
// baseline and overlapped phases. Several cores (swat_top) and grouped
// K/V heads (units of heads sharing the ring) are implemented.
func checkSupported(d *dataflow.Design) error {
	switch {
	case d.Arch == dataflow.ArchFlash:
		return fmt.Errorf("arch = flash: the Verilog generator implements arch swat and dense; flash is a cycle-model baseline")
	case d.HW.Overlap:
		return fmt.Errorf("hw.overlap = true: the Verilog generator implements phases in sequence (hw.overlap = false)")
	}
	return nil
}
