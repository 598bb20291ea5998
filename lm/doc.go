// Package lm runs a small trained byte-level transformer language model
// (the tinylm family: pre-LayerNorm blocks, RoPE attention, GELU MLP) in
// float64, as a full-sequence forward pass and as incremental decode with a
// KV cache per layer. In decode, each layer's cache is managed by a
// sim/kv/policy object and attention runs either in float64 or through the
// reference fixed-point kernel (a hardware arithmetic preset), so the
// accelerator's KV policies and arithmetic are judged by what the model
// then predicts: the next-byte loss in bits per byte.
package lm
