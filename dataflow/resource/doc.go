// Package resource holds the FPGA resource formulas of a design point's
// attention core: Derive computes the numbers the generated Verilog is
// specialised to (widths, depths, latencies), and Estimate turns them into
// LUT, flip-flop, DSP, block RAM and LUTRAM counts. It is a leaf below
// dataflow, imported by the platform model (sim) and by the Verilog
// generator (hdlgen), so that the model needs no HDL tooling.
package resource
