// Package tool runs the external HDL tools (Verilator, Yosys,
// nextpnr-ice40, icepack) for packages hdlgen/cosim and hdlgen/synth:
// Look finds a tool or names the Debian package to install, Run executes
// it in a process group of its own under a context, so that cancelling
// the context stops the tool and everything it started, and Tail keeps the
// end of its output for an error message.
package tool
