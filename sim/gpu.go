package sim

import (
	_ "embed"
	"encoding/json"
	"sync"

	"github.com/swatsim/swatsim/dataflow"
)

//go:embed gpu_anchor.json
var gpuAnchorJSON []byte

// gpuGQAAnchorJSON holds the H200 grouped-query prefill measurements
// (a copy of ../shared/gpu_gqa_anchor.json).
//
//go:embed gpu_gqa_anchor.json
var gpuGQAAnchorJSON []byte

type gqaAnchorRow struct {
	Hq, Hkv, D, W, N int
	Causal           bool    `json:"causal"`
	FlexMs           float64 `json:"flex_window_ms"`
	EnergyMJ         float64 `json:"energy_mj"`
}

// parsedOnce returns a function that parses data into a T the first time
// it is called and returns that T (or the error) every time.
func parsedOnce[T any](data []byte) func() (T, error) {
	return sync.OnceValues(func() (v T, err error) {
		err = json.Unmarshal(data, &v)
		return v, err
	})
}

// gqaAnchor is gpu_gqa_anchor.json, parsed once.
var gqaAnchor = parsedOnce[struct {
	GPU     string         `json:"gpu"`
	Prefill []gqaAnchorRow `json:"prefill"`
}](gpuGQAAnchorJSON)

// compareGQA finds the grouped-query anchor row of the design's shape.
func compareGQA(d *dataflow.Design, r *Report) *GPUComparison {
	a, err := gqaAnchor()
	if err != nil {
		return nil
	}
	m := d.Model
	for _, row := range a.Prefill {
		if row.Hq == m.Heads && row.Hkv == d.KVHeads() && row.D == m.HeadDim && row.W == m.Window && row.N == m.SeqLen && row.Causal == m.Causal {
			return newComparison(a.GPU, row.FlexMs, row.EnergyMJ, r)
		}
	}
	return nil
}

// GPUComparison sets the run beside the measured H200 FlexAttention
// sliding-window kernel of the same shape (gpu_anchor.json).
type GPUComparison struct {
	GPU       string  `json:"gpu"`
	GPUMs     float64 `json:"gpu_ms"`
	GPUEnergy float64 `json:"gpu_energy_j"`
	Speedup   float64 `json:"speedup"`      // GPU latency / accelerator latency
	EnergyGap float64 `json:"energy_ratio"` // GPU energy / accelerator energy
}

type anchorRow struct {
	H, D, W, N int
	Causal     bool    `json:"causal"`
	FlexMs     float64 `json:"flex_window_ms"`
	FlexMJ     float64 `json:"flex_energy_mj"`
}

// mhaAnchor is gpu_anchor.json, parsed once.
var mhaAnchor = parsedOnce[struct {
	GPU  string      `json:"gpu"`
	Rows []anchorRow `json:"rows"`
}](gpuAnchorJSON)

// compareGPU finds the anchor row with the design's heads (and K/V heads),
// head_dim, window, causality and seq_len, if any.
func compareGPU(d *dataflow.Design, r *Report) *GPUComparison {
	if d.KVHeads() != d.Model.Heads {
		return compareGQA(d, r)
	}
	a, err := mhaAnchor()
	if err != nil {
		return nil
	}
	m := d.Model
	for _, row := range a.Rows {
		if row.H == m.Heads && row.D == m.HeadDim && row.W == m.Window && row.N == m.SeqLen && row.Causal == m.Causal {
			return newComparison(a.GPU, row.FlexMs, row.FlexMJ, r)
		}
	}
	return nil
}

// newComparison sets a measured GPU run (ms, mJ) beside the report.
func newComparison(gpu string, ms, mJ float64, r *Report) *GPUComparison {
	g := &GPUComparison{GPU: gpu, GPUMs: ms, GPUEnergy: mJ / 1000}
	g.Speedup = ms / 1000 / r.LatencyS
	g.EnergyGap = g.GPUEnergy / r.EnergyJ
	return g
}
