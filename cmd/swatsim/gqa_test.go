package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/swatsim/swatsim/reference"
)

// gqaGolden are the PyTorch grouped- and multi-query cases of
// ../shared/golden/gqa with their ref and sim flags.
var gqaGolden = []struct {
	name    string
	refArgs []string
	simSets []string
	hq, hkv int
}{
	{"gqa_h8k2_n256_d32_w64_causal", []string{"--window", "64", "--causal"},
		[]string{"model.window=64", "model.causal=true", "hw.pes=8", "hw.vector_width=8"}, 8, 2},
	{"mqa_h4k1_n512_d64_w128_bidir_g2", []string{"--window", "128", "--global", "2"},
		[]string{"model.window=128", "model.causal=false", "model.global_tokens=2"}, 4, 1},
}

func gqaPath(name, which string) string {
	return filepath.Join("..", "..", "..", "shared", "golden", "gqa", name+"_"+which+".npy")
}

// TestRefGQAGolden: swatsim ref with [Hkv,N,D] K/V matches PyTorch's O
// within 1e-9 in float64.
func TestRefGQAGolden(t *testing.T) {
	for _, c := range gqaGolden {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "o.npy")
			args := append([]string{"ref", "--q", gqaPath(c.name, "q"), "--k", gqaPath(c.name, "k"), "--v", gqaPath(c.name, "v"), "--out", out}, c.refArgs...)
			if code, _, stderr := runCLI(t, args...); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			got, want := mustReadTensor(t, out), mustReadTensor(t, gqaPath(c.name, "o"))
			if !slices.Equal(got.Shape(), want.Shape()) || got.H != c.hq {
				t.Fatalf("shape %v, want %v", got.Shape(), want.Shape())
			}
			if e, _ := reference.Compare(got.Data, want.Data); e.MaxAbs > 1e-9 {
				t.Errorf("max-abs %g against the golden O, want <= 1e-9", e.MaxAbs)
			}
		})
	}
}

// TestSimGQAGoldenBitExact: functional swatsim sim on the GQA cases (one
// and several cores) writes the same O as swatsim ref --arith fixed16,
// bit for bit, and reads Q once (fixed16: 2 bytes a code).
func TestSimGQAGoldenBitExact(t *testing.T) {
	for _, c := range gqaGolden {
		for _, cores := range []string{"1", "2"} {
			t.Run(c.name+"/cores="+cores, func(t *testing.T) {
				dir := t.TempDir()
				simOut, refOut, rep := filepath.Join(dir, "sim.npy"), filepath.Join(dir, "ref.npy"), filepath.Join(dir, "r.json")
				in := []string{"--q", gqaPath(c.name, "q"), "--k", gqaPath(c.name, "k"), "--v", gqaPath(c.name, "v")}
				args := append(append([]string{"sim", "--out", simOut, "--report", rep, "--set", "hw.cores=" + cores}, in...), setFlags(c.simSets)...)
				code, stdout, stderr := runCLI(t, args...)
				if code != 0 || !strings.Contains(stdout, "bit-exact") {
					t.Fatalf("sim exit %d: %s %s", code, stdout, stderr)
				}
				if code, _, stderr := runCLI(t, append(append([]string{"ref", "--arith", "fixed16", "--out", refOut}, in...), c.refArgs...)...); code != 0 {
					t.Fatalf("ref exit %d: %s", code, stderr)
				}
				a, b := mustReadTensor(t, simOut), mustReadTensor(t, refOut)
				if !slices.Equal(a.Data, b.Data) || !slices.Equal(a.Shape(), b.Shape()) {
					t.Errorf("sim and ref outputs differ")
				}
				var r struct {
					Bytes map[string]int64 `json:"offchip_bytes_by_stream"`
				}
				raw, _ := os.ReadFile(rep)
				if err := json.Unmarshal(raw, &r); err != nil || r.Bytes["q"] != int64(len(a.Data)*2) {
					t.Errorf("report q bytes %d, want %d (%v)", r.Bytes["q"], len(a.Data)*2, err)
				}
			})
		}
	}
}

func setFlags(sets []string) []string {
	var out []string
	for _, s := range sets {
		out = append(out, "--set", s)
	}
	return out
}
