package dataflow

import "fmt"

// Energy holds the constants of the energy estimate. Every default names
// its source in ENERGY.md (sim/ENERGY.md) and can be overridden.
type Energy struct {
	MACpJ           float64 `mapstructure:"mac_pj" yaml:"mac_pj" json:"mac_pj"`                                     // one multiply-accumulate, 45 nm ASIC basis
	FPGAFactor      float64 `mapstructure:"fpga_factor" yaml:"fpga_factor" json:"fpga_factor"`                      // FPGA / ASIC dynamic energy ratio for logic
	SRAMpJPerByte   float64 `mapstructure:"sram_pj_per_byte" yaml:"sram_pj_per_byte" json:"sram_pj_per_byte"`       // on-chip buffer access
	DRAMpJPerBit    float64 `mapstructure:"dram_pj_per_bit" yaml:"dram_pj_per_bit" json:"dram_pj_per_bit"`          // off-chip access (0: by memory.kind)
	StaticW         float64 `mapstructure:"static_w" yaml:"static_w" json:"static_w"`                               // static and board power (0: by device)
	IdleMAC         float64 `mapstructure:"idle_mac_fraction" yaml:"idle_mac_fraction" json:"idle_mac_fraction"`    // energy of a clocked idle MAC slot / a busy one
	URAMpJPerByte   float64 `mapstructure:"uram_pj_per_byte" yaml:"uram_pj_per_byte" json:"uram_pj_per_byte"`       // UltraRAM buffer access
	LUTRAMpJPerByte float64 `mapstructure:"lutram_pj_per_byte" yaml:"lutram_pj_per_byte" json:"lutram_pj_per_byte"` // LUTRAM (distributed RAM) access
}

func (e Energy) validate() error {
	for _, f := range []struct {
		n string
		v float64
	}{{"energy.mac_pj", e.MACpJ}, {"energy.fpga_factor", e.FPGAFactor}, {"energy.sram_pj_per_byte", e.SRAMpJPerByte},
		{"energy.dram_pj_per_bit", e.DRAMpJPerBit}, {"energy.static_w", e.StaticW}, {"energy.uram_pj_per_byte", e.URAMpJPerByte},
		{"energy.lutram_pj_per_byte", e.LUTRAMpJPerByte}} {
		if f.v < 0 || f.v > 1e6 {
			return fmt.Errorf("%s = %g: must be in [0, 1e6]", f.n, f.v)
		}
	}
	if e.IdleMAC < 0 || e.IdleMAC > 1 {
		return fmt.Errorf("energy.idle_mac_fraction = %g: must be in [0, 1]", e.IdleMAC)
	}
	return nil
}

// DRAMpJPerBitFor is the off-chip energy per bit for the design's memory:
// the configured value, else 12.5 for hbm2 (AMD Alveo HBM subsystem incl.
// controllers and PHY), 15 for ddr4 (system-level estimate), 0 for ideal.
func (d *Design) DRAMpJPerBitFor() float64 {
	if d.Energy.DRAMpJPerBit > 0 {
		return d.Energy.DRAMpJPerBit
	}
	return map[string]float64{"hbm2": 12.5, "ddr4": 15, "ideal": 0}[d.Memory.Kind]
}
