package hdlgen

import (
	"fmt"

	"github.com/swatsim/swatsim/dataflow"
)

// checkSupported refuses the design fields the cycle model has but the
// generated Verilog does not implement yet, naming the field, so that no
// command emits RTL that silently disagrees with the model: the flash
// baseline, several cores, grouped K/V heads and overlapped phases.
func checkSupported(d *dataflow.Design) error {
	switch {
	case d.Arch == dataflow.ArchFlash:
		return fmt.Errorf("arch = flash: the Verilog generator implements arch swat and dense; flash is a cycle-model baseline")
	case d.HW.Cores > 1:
		return fmt.Errorf("hw.cores = %d: the Verilog generator implements one core (hw.cores = 1)", d.HW.Cores)
	case d.KVHeads() != d.Model.Heads:
		return fmt.Errorf("model.kv_heads = %d with model.heads = %d: the Verilog generator implements kv_heads = heads", d.KVHeads(), d.Model.Heads)
	case d.HW.Overlap:
		return fmt.Errorf("hw.overlap = true: the Verilog generator implements phases in sequence (hw.overlap = false)")
	}
	return nil
}
