// Package reference is swatsim's bit-exact reference: attention in float64
// (the semantic reference, matching PyTorch) and in the hardware's own
// fixed-point arithmetic, whose every step is specified in ARITHMETIC.md.
// The cycle model (accel) and the generated Verilog (hdlgen) follow the same
// arithmetic and must reproduce this package's outputs bit for bit.
package reference
