// Package hdlgen generates the synthesizable Verilog of a design point's
// attention core, its Verilator C++ testbench and its build scripts
// (Makefile and Yosys scripts).
//
// One dataflow.Design drives it. Generate emits one module per hardware
// unit (exp ROM and unit, score unit, dot slice, SV/normalisation lane,
// reciprocal, processing element, mask, K/V buffers, controller and the
// core) from the parameters of package dataflow/resource, which also holds
// the resource formulas the platform model imports without this package.
// Running the generated design is the job of the subpackages: hdlgen/cosim
// builds it with Verilator and compares it with the bit-exact reference
// and the cycle model; hdlgen/synth synthesizes it with Yosys and places
// and routes it with nextpnr-ice40. docs/hdl.md describes the flow, the
// checks and the measured results.
package hdlgen
