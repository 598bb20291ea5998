package lm

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Meta is the model description read from meta.json.
type Meta struct {
	Name         string                      `json:"name"`
	Layers       int                         `json:"layers"`
	DModel       int                         `json:"d_model"`
	Heads        int                         `json:"heads"`
	KVHeads      int                         `json:"kv_heads"` // 0: equal to Heads (multi-head attention)
	HeadDim      int                         `json:"head_dim"`
	Context      int                         `json:"context"`
	Vocab        int                         `json:"vocab"`
	RopeBase     float64                     `json:"rope_base"` // 0: 10000
	Tensors      map[string][]int            `json:"tensors"`
	Reference    map[string]ReferenceFigures `json:"reference"`
	Architecture string                      `json:"architecture"`
}

// ReferenceFigures are the PyTorch float64 figures of one text.
type ReferenceFigures struct {
	BitsPerByteF32 float64   `json:"bits_per_byte_f32"`
	BitsPerByteF64 float64   `json:"bits_per_byte_f64"`
	LossFirst16    []float64 `json:"loss_nats_f64_first16"`
	LossMean       float64   `json:"loss_nats_f64_mean"`
}

// architectureTraits are the phrases meta.json's architecture text must
// contain: the operations this package implements. A model described
// otherwise (another norm, interleaved RoPE, biases on the projections,
// another activation) is refused rather than run wrongly.
var architectureTraits = []string{
	"byte-level decoder",
	"LayerNorm(x; ln1, eps 1e-5)",
	"qkv.weight^T (no bias)",
	"RoPE on q and k: non-interleaved halves",
	"causal softmax(q k^T / sqrt(",
	"o.weight^T (no bias)",
	"fc2(GELU_erf(fc1(LayerNorm(x; ln2))))",
	"LayerNorm(x; ln) @ head.weight^T (no bias)",
}

// ReadMeta reads and validates dir/meta.json.
func ReadMeta(dir string) (*Meta, error) {
	path := filepath.Join(dir, "meta.json")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	var m Meta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &m, nil
}

// Validate checks that the model is one this package can run and names
// the first field that is not.
func (m *Meta) Validate() error {
	for _, t := range architectureTraits {
		if !strings.Contains(m.Architecture, t) {
			return fmt.Errorf("architecture: unsupported (it does not say %q); supported: %s", t, strings.Join(architectureTraits, "; "))
		}
	}
	if m.KVHeads == 0 {
		m.KVHeads = m.Heads
	}
	if m.RopeBase == 0 {
		m.RopeBase = 10000
	}
	checks := []struct {
		ok  bool
		msg string
	}{
		{m.Layers >= 1, fmt.Sprintf("layers = %d: must be >= 1", m.Layers)},
		{m.Heads >= 1, fmt.Sprintf("heads = %d: must be >= 1", m.Heads)},
		{m.KVHeads >= 1 && m.Heads%m.KVHeads == 0, fmt.Sprintf("kv_heads = %d: must be >= 1 and divide heads = %d", m.KVHeads, m.Heads)},
		{m.HeadDim >= 2 && m.HeadDim%2 == 0, fmt.Sprintf("head_dim = %d: must be even and >= 2 (RoPE rotates halves)", m.HeadDim)},
		{m.DModel == m.Heads*m.HeadDim, fmt.Sprintf("d_model = %d: must equal heads x head_dim = %d", m.DModel, m.Heads*m.HeadDim)},
		{m.Vocab == 256, fmt.Sprintf("vocab = %d: a byte-level model has 256", m.Vocab)},
		{m.Context >= 2, fmt.Sprintf("context = %d: must be >= 2", m.Context)},
		{m.RopeBase > 1, fmt.Sprintf("rope_base = %g: must be > 1", m.RopeBase)},
	}
	for _, c := range checks {
		if !c.ok {
			return fmt.Errorf("%s", c.msg)
		}
	}
	return nil
}

// KVHead is the K/V head query head h reads.
func (m *Meta) KVHead(h int) int { return h / (m.Heads / m.KVHeads) }

// QKVRows is the output width of the fused projection: query heads, then
// key heads, then value heads, head_dim each.
func (m *Meta) QKVRows() int { return (m.Heads + 2*m.KVHeads) * m.HeadDim }

// FFN is the hidden width of the MLP, from fc1's shape in the tensor list
// (4 x d_model when the list does not give it).
func (m *Meta) FFN() int {
	if s, ok := m.Tensors["blocks.0.fc1.weight"]; ok && len(s) == 2 && s[0] >= 1 {
		return s[0]
	}
	return 4 * m.DModel
}

// Shapes are the tensors the architecture needs, with their shapes.
func (m *Meta) Shapes() map[string][]int {
	d, f := m.DModel, m.FFN()
	s := map[string][]int{
		"emb.weight": {m.Vocab, d}, "ln.weight": {d}, "ln.bias": {d}, "head.weight": {m.Vocab, d},
	}
	for l := range m.Layers {
		p := fmt.Sprintf("blocks.%d.", l)
		s[p+"ln1.weight"], s[p+"ln1.bias"] = []int{d}, []int{d}
		s[p+"qkv.weight"] = []int{m.QKVRows(), d}
		s[p+"o.weight"] = []int{d, m.Heads * m.HeadDim}
		s[p+"ln2.weight"], s[p+"ln2.bias"] = []int{d}, []int{d}
		s[p+"fc1.weight"], s[p+"fc1.bias"] = []int{f, d}, []int{f}
		s[p+"fc2.weight"], s[p+"fc2.bias"] = []int{d, f}, []int{d}
	}
	return s
}
