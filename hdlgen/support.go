package hdlgen

import (
	"fmt"

	"github.com/swatsim/swatsim/dataflow"
)

// checkSupported refuses the design fields the cycle model has but the
// generated Verilog does not implement yet, naming the field, so that no
// command emits RTL that silently disagrees with the model: the flash
// baseline. Several cores (swat_top), grouped K/V heads (units of heads
// sharing the ring) and overlapped phases (banked PEs) are implemented.
func checkSupported(d *dataflow.Design) error {
	switch {
	case d.Arch == dataflow.ArchFlash && d.HW.Overlap:
		return fmt.Errorf("arch = flash with hw.overlap = true: not yet")
	}
	return nil
}
