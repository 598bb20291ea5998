package resource

import "fmt"

// Family is the AMD device family whose resource formulas an estimate
// uses: what Yosys 0.23 synth_xilinx -family <family> infers from the
// generated Verilog.
type Family string

// The families with fitted formulas.
const (
	XC7  Family = "xc7"  // 7-series: DSP48E1, RAMB36E1
	XCUP Family = "xcup" // UltraScale+: DSP48E2, RAMB36E2, URAM288
)

// Families lists the families with fitted formulas.
var Families = []Family{XC7, XCUP}

// ParseFamily checks a family name.
func ParseFamily(s string) (Family, error) {
	for _, f := range Families {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("family %q: must be one of xc7, xcup", s)
}

// dspAMax is the widest A operand of the family's DSP multiplier as
// Yosys's mul2dsp maps it (DSP48E1 25x18, DSP48E2 27x18).
func (f Family) dspAMax() int {
	if f == XCUP {
		return 27
	}
	return 25
}
