package hdlgen

import (
	"strings"
	"testing"

	"github.com/swatsim/swatsim/dataflow"
)

// TestGenerateRefusesWhatTheRTLLacks: design fields of the cycle model
// that the Verilog does not implement are errors naming the field.
func TestGenerateRefusesWhatTheRTLLacks(t *testing.T) {
	for _, c := range []struct {
		sets []string
		want string
	}{
		{[]string{"arch=flash"}, "arch = flash"},
	} {
		d, err := dataflow.Load("", append([]string{"model.seq_len=256", "model.window=32"}, c.sets...))
		if err != nil {
			t.Fatalf("%v: %v", c.sets, err)
		}
		if _, err := Generate(d); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one naming %q", c.sets, err, c.want)
		}
	}
	for _, sets := range [][]string{{"model.heads=2", "model.kv_heads=2"}, {"model.heads=4", "model.kv_heads=2"},
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
