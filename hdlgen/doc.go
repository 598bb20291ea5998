// Package hdlgen generates the synthesizable Verilog of a design point's
// attention core, co-simulates it under Verilator against the bit-exact
// reference (package reference) and the cycle model (package dataflow),
// and synthesizes it with Yosys (and, on an iCE40, places and routes it
// with nextpnr-ice40).
//
// One dataflow.Design drives all of it. Generate emits one module per
// hardware unit (exp ROM and unit, score unit, dot slice, SV/normalisation
// lane, reciprocal, processing element, mask, K/V buffers, controller and
// the core) from the parameters of package dataflow/resource, a C++
// testbench and build scripts; Cosim runs the testbench on a stimulus and
// compares every output code with reference.Attend, every transfer cycle
// and the done flag with dataflow.Sequencer, and watches a 64-cycle drain for
// extra beats; Synth runs Yosys and parses its statistics; PlaceRoute runs
// Yosys, nextpnr-ice40 and icepack. The resource formulas live in package
// dataflow/resource, which the platform model imports without this package.
// Every external tool runs in a process group of its own under a context,
// so cancelling it stops the tool and everything it started. docs/hdl.md
// describes the flow, the checks and the measured results.
package hdlgen
