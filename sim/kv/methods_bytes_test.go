package kv

import (
	"strings"
	"testing"

	"github.com/swatsim/swatsim/reference"
	"github.com/swatsim/swatsim/sim/kv/timing"
)

// TestMethodBytesMatchHandCounts counts the bytes of the compressing and
// retrieving methods per tier by hand. One head of dimension 64 in fp16:
// a K or V row is 128 B (1024 bits), a token 256 B.
func TestMethodBytesMatchHandCounts(t *testing.T) {
	type want struct {
		step            int
		onchip, hbm, hs int64
	}
	type tc struct {
		name   string
		spec   Spec
		heads  int
		prompt int
		set    func(c *Config)
		want   []want
	}
	cases := []tc{
		// KIVI b=2, G=8, R=16, P=40, all on chip. t=40: n=41, Q=24. Per
		// quantised token: K and V codes 2x64x2 = 256 bits, 8 value
		// groups x (scale+min) 32 bits = 256 bits: 24 x 512 = 12288; 3 key
		// groups x 64 channels x 32 bits = 6144; 17 exact tokens x 2048 =
		// 34816; 53248 bits = 6656 B, plus the write of token 40 (256 B).
		// t=47: Q=32: 16384 + 8192 + 16 x 2048 = 57344 bits = 7168 B + 256.
		{"kivi", Spec{"kivi", 1}, 1, 40, func(c *Config) {
			c.Policy.KIVIBits, c.Policy.KIVIGroup, c.Policy.KIVIResidual = 2, 8, 16
		}, []want{{0, 6912, 0, 0}, {7, 7424, 0, 0}}},
		// PQ M=16, 4 bits, R=8, P=40. t=40: 33 coded tokens x 2 x 16 x 4 =
		// 4224 bits, 8 exact x 2048 = 16384: 20608 bits = 2576 B + 256
		// write; the codebooks, read once from HBM: 2 x 16 centroids x 64
		// x 16 bits = 4096 B. t=41: 34 coded: 4352 + 16384 = 20736 bits =
		// 2592 B + 256.
		{"pq", Spec{"pq", 1}, 1, 40, func(c *Config) {
			c.Policy.PQM, c.Policy.PQBits, c.Policy.PQResidual = 16, 4, 8
		}, []want{{0, 2832, 4096, 0}, {1, 2848, 0, 0}}},
		// MoBA Bs=8, B=24 (k=3), P=40, block means in HBM. t=40: token 40
		// and 2 complete blocks: 17 x 256 = 4352 + 256 write; 5 means x
		// 128 B = 640 B from HBM (10 bursts). t=47: 8 + 16 tokens = 6144
		// + 256; 640 B of means plus the write of block 5's mean (128 B).
		{"moba", Spec{"moba", 24}, 1, 40, func(c *Config) { c.Policy.MoBABlock = 8 },
			[]want{{0, 4608, 640, 0}, {7, 6400, 768, 0}}},
		// Duo with no retrieval head: 2 streaming heads of 4 sinks + 6
		// recent, on chip: 2 x 10 x 256 = 5120 + 2 x 256 write, and never
		// a byte off chip.
		{"duo streaming heads", Spec{"duo", 10}, 2, 40, func(c *Config) { c.Policy.DuoRetrievalFrac = 0 },
			[]want{{0, 5632, 0, 0}, {5, 5632, 0, 0}}},
		// ShadowKV P=64, C=8, R=16: 6 chunks, 1 outlier, B=40: k=2, rank
		// 16. t=64: exact on chip: 8 outlier + 16 recent + 1 decode token:
		// 25 x 256 = 6400, landmarks 6 x 128 = 768, write 256; rebuilt
		// chunks: 16 values from the host, 2048 B, and 16 rows of A (16 x
		// 16 x 2 B = 512 B) from HBM.
		{"shadowkv", Spec{"shadowkv", 40}, 1, 64, func(c *Config) {
			c.Policy.ShadowKVRank, c.Policy.ShadowKVOutliers, c.Policy.ShadowKVRecent = 16, 1, 16
		}, []want{{0, 7424, 512, 2048}}},
		// The same with two identical heads: each head moves its own exact
		// rows, landmarks and values, but the rows of A are shared and read
		// once: 2 x (6400 + 768 + 256) on chip, 512 B from HBM, 2 x 2048
		// from the host.
		{"shadowkv two identical heads", Spec{"shadowkv", 40}, -2, 64, func(c *Config) {
			c.Policy.ShadowKVRank, c.Policy.ShadowKVOutliers, c.Policy.ShadowKVRecent = 16, 1, 16
		}, []want{{0, 14848, 512, 4096}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := oneHead(1000, 1000)
			cfg.OnChip.CapacityTokens = 1000
			c.set(&cfg)
			heads := c.heads
			if heads < 0 { // -n: n copies of one head
				heads = -heads
			}
			q, k, v := synth(t, heads, c.prompt+10, 64, 21)
			if c.heads < 0 {
				for _, x := range []*reference.Tensor{q, k, v} {
					for h := 1; h < heads; h++ {
						copy(x.Data[h*x.N*x.D:(h+1)*x.N*x.D], x.Data[:x.N*x.D])
					}
				}
			}
			s, err := MakeBuilder().WithConfig(cfg).WithPrompt(c.prompt).Build(q, k, v)
			if err != nil {
				t.Fatal(err)
			}
			rs, err := s.Run([]Spec{c.spec})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				st := rs[0].Steps[w.step]
				got := [3]int64{st.Bytes[timing.OnChip], st.Bytes[timing.OffChip], st.Bytes[timing.Host]}
				if got != [3]int64{w.onchip, w.hbm, w.hs} {
					t.Errorf("t=%d: bytes onchip/hbm/host = %v, hand count %v", c.prompt+w.step, got, [3]int64{w.onchip, w.hbm, w.hs})
				}
			}
		})
	}
}

// TestFractionalElementBytes: a 4-bit (elem_bytes 0.5) and a 2-bit (0.25)
// cache move exactly 1/4 and 1/8 of the fp16 bytes on chip, and a row that
// is not a whole number of bytes is refused.
func TestFractionalElementBytes(t *testing.T) {
	q, k, v := synth(t, 2, 60, 16, 3)
	bytesAt := func(eb float64) float64 {
		cfg := oneHead(1000, 1000)
		cfg.ElemBytes = eb
		s, err := MakeBuilder().WithConfig(cfg).WithPrompt(40).Build(q, k, v)
		if err != nil {
			t.Fatal(err)
		}
		rs, err := s.Run([]Spec{{"full", 60}})
		if err != nil {
			t.Fatal(err)
		}
		return rs[0].BytesPerStep(timing.OnChip)
	}
	// Step t reads t+1 tokens and writes one: 2 heads x 2 rows x 16 x elem
	// bytes per token; t = 40..59, mean 50.5 + 1 tokens.
	for _, eb := range []float64{2, 0.5, 0.25} {
		if got, want := bytesAt(eb), 51.5*2*2*16*eb; got != want {
			t.Errorf("elem_bytes %g: %g B/step on chip, want %g", eb, got, want)
		}
	}
	cfg := oneHead(1000, 1000)
	cfg.ElemBytes = 0.375 // 3 bits x 16 = 48 bits: whole; x 15 would not be
	q15, k15, v15 := reference.NewTensor(1, 40, 15), reference.NewTensor(1, 40, 15), reference.NewTensor(1, 40, 15)
	if _, err := MakeBuilder().WithConfig(cfg).WithPrompt(20).Build(q15, k15, v15); err == nil || !strings.Contains(err.Error(), "kv.elem_bytes = 0.375 with head dim 15") {
		t.Fatalf("a 45-bit row: %v", err)
	}
}
