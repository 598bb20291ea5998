package hdlgen

import (
	"testing"

	"github.com/swatsim/swatsim/dataflow"
)

// TestGenerateEveryDesignField: every arch and scale-out field of the
// cycle model has Verilog (the flash baseline and hw.overlap included).
func TestGenerateEveryDesignField(t *testing.T) {
	for _, sets := range [][]string{{"arch=flash"}, {"arch=flash", "hw.key_tile=7", "model.sinks=3"},
		{"arch=flash", "hw.overlap=true", "model.global_tokens=2", "hw.key_tile=5"},
		{"arch=flash", "hw.cores=2", "model.heads=4", "model.kv_heads=2", "hw.key_tile=1"},
		{"model.heads=2", "model.kv_heads=2"}, {"model.heads=4", "model.kv_heads=2"},
		{"hw.cores=3", "model.heads=4", "model.kv_heads=2"}, {"hw.cores=2", "model.heads=1"},
		{"hw.overlap=true"}, {"hw.overlap=true", "arch=dense"}} {
		d, err := dataflow.Load("", append([]string{"model.seq_len=256", "model.window=32"}, sets...))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Generate(d); err != nil {
			t.Errorf("%v: %v", sets, err)
		}
	}
}
