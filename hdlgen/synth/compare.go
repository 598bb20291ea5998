package synth

import (
	"fmt"
	"strings"

	"github.com/swatsim/swatsim/dataflow/resource"
	"github.com/swatsim/swatsim/hdlgen"
)

// units says what the resource rows count on each target.
var units = map[hdlgen.Target]string{
	hdlgen.XC7:   "LUT6, BRAM in RAMB36E1 equivalents",
	hdlgen.XCUP:  "LUT6, DSP = DSP48E2, BRAM in RAMB36E2 equivalents",
	hdlgen.ICE40: "LUT4, DSP = SB_MAC16, BRAM = SB_RAM40_4K (4 Kb)",
	hdlgen.ECP5:  "LUT4, DSP = MULT18X18D, BRAM = DP16KD (18 Kb)",
}

// Family is the resource formulas' family for a synthesis target: xcup
// for UltraScale+, xc7 for 7-series and for the Lattice targets (which
// have no fitted formulas of their own).
func Family(t hdlgen.Target) resource.Family {
	if t == hdlgen.XCUP {
		return resource.XCUP
	}
	return resource.XC7
}

// FormatComparison prints a synthesis report beside the estimate (of the
// target's Family).
func FormatComparison(rep *Report, est resource.Resources) string {
	var b strings.Builder
	mode := "flat"
	if !rep.Flat {
		mode = "hierarchical"
	}
	fmt.Fprintf(&b, "%-8s %12s %12s %8s\n", "", "yosys "+string(rep.Target), "estimate", "ratio")
	y := rep.Resources
	row := func(name string, got, want float64) {
		ratio := "-"
		if want > 0 {
			ratio = fmt.Sprintf("%.2f", got/want)
		}
		fmt.Fprintf(&b, "%-8s %12g %12g %8s\n", name, got, want, ratio)
	}
	row("LUT", float64(y.LUT), float64(est.LUT))
	row("LUTRAM", float64(y.LUTRAM), float64(est.LUTRAM))
	row("FF", float64(y.FF), float64(est.FF))
	row("DSP", float64(y.DSP), float64(est.DSP))
	row("BRAM", y.BRAM36, est.BRAM36)
	fmt.Fprintf(&b, "(%s synthesis; %s; the estimate is the %s formulas', fitted to hierarchical synthesis)\n", mode, units[rep.Target], Family(rep.Target))
	if rep.Flat && rep.Target.Xilinx() {
		b.WriteString("(a flat netlist maps shift registers to flip-flops: its FF and LUTRAM can differ from the estimate by half; --mode hier compares like with like)\n")
	}
	return b.String()
}
