// Package cosim co-simulates the Verilog of package hdlgen: it builds the
// generated core and its testbench with Verilator (Build, cached by the
// hash of the sources and flags; Lint for --lint-only), writes a stimulus
// (Inputs, RandomInputs, WriteStimulus) and, in Run, compares every output
// code with reference.Attend, every q, kv and o transfer cycle and the
// done flag with dataflow.Sequencer under the same stall pattern, and
// watches a DrainCycles drain for extra beats. A mismatch is a failed
// Result, not an error. Every tool runs in a process group of its own
// under a context (WithContext), so cancelling it stops the tool and
// everything it started.
package cosim
