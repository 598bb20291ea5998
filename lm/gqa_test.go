package lm

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/swatsim/swatsim/traces"
)

// synthMeta is a small model description with the tinylm architecture.
func synthMeta(t *testing.T, heads, kvHeads int) Meta {
	ref := loadModel(t).Meta
	return Meta{Name: "synth", Layers: 2, DModel: heads * 8, Heads: heads, KVHeads: kvHeads, HeadDim: 8,
		Context: 96, Vocab: 256, Architecture: ref.Architecture}
}

// synthArrays draws random weights for every tensor of meta.
func synthArrays(meta Meta, seed uint64) map[string]*traces.Array {
	rng := rand.New(rand.NewPCG(seed, 3))
	out := map[string]*traces.Array{}
	for name, shape := range meta.Shapes() {
		n := 1
		for _, d := range shape {
			n *= d
		}
		data := make([]float64, n)
		for i := range data {
			data[i] = 0.3 * rng.NormFloat64()
		}
		out[name] = &traces.Array{Shape: slices.Clone(shape), Data: data, DType: "float64"}
	}
	return out
}

// gqaPair builds a grouped-query model (4 query heads, kvHeads K/V heads)
// and the multi-head model whose K and V projections repeat each group's
// head (repeat_kv), with every other weight shared.
func gqaPair(t *testing.T, kvHeads int) (gqa, mha *Model) {
	gm := synthMeta(t, 4, kvHeads)
	ga := synthArrays(gm, 9)
	gqa, err := FromArrays(gm, ga)
	if err != nil {
		t.Fatal(err)
	}
	mm := synthMeta(t, 4, 4)
	ma := synthArrays(mm, 10)
	for name, a := range ga {
		if name != "blocks.0.qkv.weight" && name != "blocks.1.qkv.weight" {
			ma[name] = a
		}
	}
	for l := range 2 {
		ma[fmt.Sprintf("blocks.%d.qkv.weight", l)] = repeatKV(ga[fmt.Sprintf("blocks.%d.qkv.weight", l)], 4, kvHeads, 8, gm.DModel)
	}
	if mha, err = FromArrays(mm, ma); err != nil {
		t.Fatal(err)
	}
	return gqa, mha
}

const gqaText = "def gqa(x):\n    return [y * 2 for y in x if y > 0]  # grouped heads share K and V\n"

// TestGQAEqualsRepeatedMHA: a grouped-query model (kv_heads < heads)
// computes exactly what the multi-head model computes when its K and V
// projections repeat each group's head (repeat_kv), in the forward pass
// and in decode under the policies whose choice does not depend on the
// attention scores (with score-driven policies a group shares one cache,
// so its choice is the group's, not each query head's).
func TestGQAEqualsRepeatedMHA(t *testing.T) {
	text := []byte(gqaText)
	for _, kvHeads := range []int{1, 2} {
		gqa, mha := gqaPair(t, kvHeads)
		fg, err := gqa.Forward(text, FullAttention())
		if err != nil {
			t.Fatal(err)
		}
		fm, _ := mha.Forward(text, FullAttention())
		if !slices.Equal(fg.Losses, fm.Losses) {
			t.Errorf("kv_heads %d: forward losses differ from the repeated MHA model", kvHeads)
		}
		for _, pol := range []string{"full", "streaming"} {
			dg, err := gqa.Decode(text, decodeOpts(pol, 24, 2, 0))
			if err != nil {
				t.Fatal(err)
			}
			dm, _ := mha.Decode(text, decodeOpts(pol, 24, 2, 0))
			if !slices.Equal(dg.Losses, dm.Losses) {
				t.Errorf("kv_heads %d %s: decode losses differ from the repeated MHA model", kvHeads, pol)
			}
			if pol == "full" {
				if d := maxDiff(dg.Losses, fg.Losses); d > 1e-12 {
					t.Errorf("kv_heads %d: decode differs from forward by %.3g", kvHeads, d)
				}
			}
		}
	}
}

// TestGQACountsKVHeadBytes: a group's query heads share one cached K/V
// head, so the bytes a decode step moves are those of kv_heads heads:
// the repeated MHA model moves heads/kv_heads times as many, for every
// policy (the same tokens are cached per group as per head under full
// and streaming; h2o and tova keep the same budget per cached head).
func TestGQACountsKVHeadBytes(t *testing.T) {
	text := []byte(gqaText)
	for _, kvHeads := range []int{1, 2} {
		gqa, mha := gqaPair(t, kvHeads)
		for _, pol := range []string{"full", "streaming", "h2o", "tova"} {
			dg, err := gqa.Decode(text, decodeOpts(pol, 24, 2, 0))
			if err != nil {
				t.Fatal(err)
			}
			dm, _ := mha.Decode(text, decodeOpts(pol, 24, 2, 0))
			for tier := range dg.KVBytes {
				if got, want := dg.KVBytes[tier]*4, dm.KVBytes[tier]*float64(kvHeads); got != want {
					t.Errorf("kv_heads %d %s tier %d: %g bytes per step x 4 heads != MHA's %g x %d kv heads", kvHeads, pol, tier, dg.KVBytes[tier], dm.KVBytes[tier], kvHeads)
				}
			}
			if dm.KVBytes == [len(dm.KVBytes)]float64{} {
				t.Errorf("%s: the MHA model moved no bytes; the comparison proves nothing", pol)
			}
		}
	}
}

// repeatKV turns a GQA fused projection [(H + 2 KV) D, d] into the MHA one
// [3 H D, d] whose head h's K and V rows are group h / (H/KV)'s.
func repeatKV(a *traces.Array, heads, kvHeads, hd, dm int) *traces.Array {
	rows := func(block int) []float64 { return a.Data[block*hd*dm : (block+1)*hd*dm] }
	var data []float64
	for h := range heads {
		data = append(data, rows(h)...)
	}
	group := heads / kvHeads
	for _, base := range []int{heads, heads + kvHeads} {
		for h := range heads {
			data = append(data, rows(base+h/group)...)
		}
	}
	return &traces.Array{Shape: []int{3 * heads * hd, dm}, Data: data, DType: "float64"}
}
