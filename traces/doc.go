// Package traces reads and writes the attention inputs and outputs that
// swatsim exchanges with the outside world as NumPy .npy files (float64,
// float32, float16 and int8/16/32, C order, little-endian, rank 1 to 4), and
// generates synthetic Q/K/V whose statistics follow those of real language
// models: an attention sink, outlier key channels, low-rank keys, heavy
// hitters and RoPE rotation, each a parameter of SynthParams.
//
// Reading never panics and never trusts the header: the declared shape is
// checked against the file size before anything is allocated. Writing is
// atomic: the data go to a temporary file in the target directory that is
// renamed into place only once complete, so a failed write leaves nothing.
package traces
