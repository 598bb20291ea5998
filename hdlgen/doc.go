// Package hdlgen generates the synthesizable Verilog of a design point's
// attention core, co-simulates it under Verilator against the bit-exact
// reference (package reference) and the cycle model (package dataflow), and
// synthesizes it with Yosys for resource counts.
//
// One dataflow.Design drives all three: Generate emits one module per
// hardware unit (exp ROM and unit, score unit, dot slice, SV/normalisation
// lane, reciprocal, processing element, mask, K/V buffers, controller and
// the core), a C++ testbench and build scripts; Cosim runs the testbench on
// a stimulus and compares every output code with reference.Attend and every
// transfer cycle with dataflow.Sequencer; Synth runs Yosys and parses its
// statistics; EstimateResources gives the formula-based estimate that the
// platform model uses. README.md ("Verilog, co-simulation and synthesis") describes the boundary and the results.
package hdlgen
