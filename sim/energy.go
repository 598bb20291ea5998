package sim

import "github.com/swatsim/swatsim/dataflow"

// fillEnergy estimates energy: useful MACs x mac_pj x fpga_factor, on-chip
// bytes x sram_pj_per_byte, off-chip bits x dram_pj_per_bit, static_w x
// latency. Sources of the defaults: sim/ENERGY.md.
func fillEnergy(d *dataflow.Design, r *Report) {
	e := d.Energy
	b := map[string]float64{
		"mac":    float64(r.UsefulMACs) * e.MACpJ * e.FPGAFactor * 1e-12,
		"sram":   float64(r.OnchipBytes) * e.SRAMpJPerByte * 1e-12,
		"dram":   float64(r.OffchipBytes) * 8 * d.DRAMpJPerBitFor() * 1e-12,
		"static": e.StaticW * r.LatencyS,
	}
	r.EnergyBreakdownJ = b
	r.EnergyJ = b["mac"] + b["sram"] + b["dram"] + b["static"]
	if r.LatencyS > 0 {
		r.PowerW = r.EnergyJ / r.LatencyS
	}
}
