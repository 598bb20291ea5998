// Package resource holds the FPGA resource formulas of a design point's
// attention core: Derive computes the numbers the generated Verilog is
// specialised to (widths, depths, latencies), and EstimateFor turns them
// into LUT, flip-flop, DSP, block RAM and LUTRAM counts for an AMD family
// (xc7 or xcup). DSP and block RAM are exact structural counts (block
// RAM: the K/V buffers and, under hw.overlap, the controller's
// block-descriptor ROMs by Yosys's mapping rule, rom.go); LUT, FF
// and LUTRAM are linear in structural features (features.go: the
// registers each family keeps out of its DSPs, the multiplexers and
// adders each unit builds) plus parts counted exactly, with coefficients
// fitted per family by Fit to Yosys runs of a training set
// (coef.json, written by hdlgen/synth/cmd/fitdata) and validated on a
// held-out set (Model.Errors). It is a leaf below dataflow, imported by
// the platform model (sim) and by the Verilog generator (hdlgen), so that
// the model needs no HDL tooling.
package resource
