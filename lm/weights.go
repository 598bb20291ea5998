package lm

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"gonum.org/v1/gonum/mat"

	"github.com/swatsim/swatsim/traces"
)

// Block is one transformer layer's weights (nn.Linear layout [out, in]).
type Block struct {
	LN1W, LN1B []float64
	QKV        *mat.Dense // [(heads + 2 kv_heads) head_dim, d_model]
	O          *mat.Dense // [d_model, heads head_dim]
	LN2W, LN2B []float64
	FC1        *mat.Dense // [ffn, d_model]
	FC1B       []float64
	FC2        *mat.Dense // [d_model, ffn]
	FC2B       []float64
}

// Model is a loaded model: its description and its weights in float64.
type Model struct {
	Meta   Meta
	Emb    *mat.Dense // [vocab, d_model]
	Blocks []Block
	LNW    []float64
	LNB    []float64
	Head   *mat.Dense // [vocab, d_model]
	rope   rope
}

// Load reads meta.json and every weight tensor of a model folder. A
// missing tensor or one whose shape differs from the architecture's is an
// error naming the tensor and both shapes.
func Load(dir string) (*Model, error) {
	meta, err := ReadMeta(dir)
	if err != nil {
		return nil, err
	}
	arrays, err := readTensors(dir, meta.Shapes())
	if err != nil {
		return nil, err
	}
	return assemble(*meta, arrays), nil
}

// readTensors reads each named tensor from dir/<name>.npy and checks its
// shape, in sorted name order (so the first error is deterministic).
func readTensors(dir string, shapes map[string][]int) (map[string][]float64, error) {
	names := make([]string, 0, len(shapes))
	for n := range shapes {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make(map[string][]float64, len(names))
	for _, n := range names {
		path := filepath.Join(dir, n+".npy")
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("model tensor %s: missing (want shape %v in %s)", n, shapes[n], path)
		}
		a, err := traces.ReadArray(path)
		if err != nil {
			return nil, fmt.Errorf("model tensor %s: %w", n, err)
		}
		if !slices.Equal(a.Shape, shapes[n]) {
			return nil, fmt.Errorf("model tensor %s: shape %v in %s, want %v", n, a.Shape, path, shapes[n])
		}
		out[n] = a.Data
	}
	return out, nil
}

// FromArrays builds a model from a description and its tensors (by
// state-dict key), checking every shape as Load does.
func FromArrays(meta Meta, arrays map[string]*traces.Array) (*Model, error) {
	if err := meta.Validate(); err != nil {
		return nil, err
	}
	data := make(map[string][]float64)
	for n, want := range meta.Shapes() {
		a, ok := arrays[n]
		if !ok {
			return nil, fmt.Errorf("model tensor %s: missing (want shape %v)", n, want)
		}
		if !slices.Equal(a.Shape, want) {
			return nil, fmt.Errorf("model tensor %s: shape %v, want %v", n, a.Shape, want)
		}
		data[n] = a.Data
	}
	return assemble(meta, data), nil
}

func assemble(meta Meta, t map[string][]float64) *Model {
	sh := meta.Shapes()
	dense := func(n string) *mat.Dense { return mat.NewDense(sh[n][0], sh[n][1], t[n]) }
	m := &Model{Meta: meta, Emb: dense("emb.weight"), LNW: t["ln.weight"], LNB: t["ln.bias"], Head: dense("head.weight")}
	for l := range meta.Layers {
		p := fmt.Sprintf("blocks.%d.", l)
		m.Blocks = append(m.Blocks, Block{
			LN1W: t[p+"ln1.weight"], LN1B: t[p+"ln1.bias"], QKV: dense(p + "qkv.weight"), O: dense(p + "o.weight"),
			LN2W: t[p+"ln2.weight"], LN2B: t[p+"ln2.bias"],
			FC1: dense(p + "fc1.weight"), FC1B: t[p+"fc1.bias"], FC2: dense(p + "fc2.weight"), FC2B: t[p+"fc2.bias"],
		})
	}
	m.rope = newRope(meta.HeadDim, meta.Context, meta.RopeBase)
	return m
}
