package sim

import "github.com/swatsim/swatsim/dataflow"

// fillEnergy estimates energy from activity (sim/ENERGY.md):
//
//   - mac: every clocked MAC slot of the PE arrays (2 x pes x vector_width
//     per core per cycle) charged mac_pj x fpga_factor, a useful MAC in
//     full and an idle slot (a PE masked out, or the array waiting) at
//     idle_mac_fraction;
//   - sram: the on-chip buffers' bytes read and written, each at the
//     energy of the memory it sits in (BRAM, UltraRAM or LUTRAM, as the
//     resource estimate places it), split into bram, uram and lutram;
//   - dram: off-chip bytes x 8 x dram_pj_per_bit;
//   - static: the device's static power (energy.static_w) x latency.
func fillEnergy(d *dataflow.Design, r *Report, on Onchip) {
	e := d.Energy
	pj := e.MACpJ * e.FPGAFactor * 1e-12
	slots := float64(r.Cycles) * float64(r.MACsPerCycle)
	idle := max(0, slots-float64(r.UsefulMACs))
	mem := map[string]float64{"bram": 0, "uram": 0, "lutram": 0}
	ring := bufferKind(d, d.KVBufRows())
	pin := bufferKind(d, d.PinnedRows())
	fifo := "bram"
	if d.HW.FIFORows <= lutramMaxRows {
		fifo = "lutram"
	}
	mem[ring] += float64(on.RingRead + on.RingWrite)
	mem[pin] += float64(on.PinnedRead + on.PinnedWrite)
	mem[fifo] += float64(on.FIFO)
	b := map[string]float64{
		"mac":      float64(r.UsefulMACs) * pj,
		"mac_idle": idle * pj * e.IdleMAC,
		"bram":     mem["bram"] * e.SRAMpJPerByte * 1e-12,
		"uram":     mem["uram"] * e.URAMpJPerByte * 1e-12,
		"lutram":   mem["lutram"] * e.LUTRAMpJPerByte * 1e-12,
		"dram":     float64(r.OffchipBytes) * 8 * d.DRAMpJPerBitFor() * 1e-12,
		"static":   e.StaticW * r.LatencyS,
	}
	b["sram"] = b["bram"] + b["uram"] + b["lutram"]
	r.EnergyBreakdownJ = b
	r.EnergyJ = b["mac"] + b["mac_idle"] + b["sram"] + b["dram"] + b["static"]
	if r.LatencyS > 0 {
		r.PowerW = r.EnergyJ / r.LatencyS
	}
}

// bufferKind is the memory a K/V buffer of the given depth sits in, as
// the resource estimate places it.
func bufferKind(d *dataflow.Design, depth int) string {
	switch {
	case depth <= lutramMaxRows:
		return "lutram"
	case d.HW.BufferMem == "uram":
		return "uram"
	}
	return "bram"
}
