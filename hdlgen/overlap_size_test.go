package hdlgen

import (
	"testing"

	"github.com/swatsim/swatsim/dataflow"
)

// TestDescROMSize pins the descriptor-ROM sizes docs/rtl-scaleout.md
// quotes: one entry per block of a unit (blocks per head x heads per
// unit), DescW bits each.
func TestDescROMSize(t *testing.T) {
	for _, c := range []struct {
		sets          []string
		entries, bits int
	}{
		{[]string{"hw.overlap=true"}, 256, 139},
		{[]string{"hw.overlap=true", "model.seq_len=16384", "model.heads=8", "model.kv_heads=2"}, 4096, 155},
	} {
		d, err := dataflow.Load("", c.sets)
		if err != nil {
			t.Fatal(err)
		}
		p, err := newParams(d)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Descs) != c.entries || p.DescW() != c.bits {
			t.Errorf("%v: %d entries of %d bits, docs say %d of %d", c.sets, len(p.Descs), p.DescW(), c.entries, c.bits)
		}
	}
}
