package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const lmModel = "../../../shared/models/tinylm-s"

// lmShortText writes the first n bytes of a held-out text to a file.
func lmShortText(t *testing.T, name string, n int) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(lmModel, name+".bin"))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), fmt.Sprintf("%s_%d.bin", name, n))
	if err := os.WriteFile(p, b[:n], 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestLMFixedPointIsBitExactWithRef: the attention output the model
// computed in fixed point at every layer equals, bit for bit, `swatsim ref`
// with the same arithmetic and mask on the Q, K and V the model produced
// (dumped with --dump-qkv).
func TestLMFixedPointIsBitExactWithRef(t *testing.T) {
	text := lmShortText(t, "text1", 301)
	cases := []struct {
		arith   string
		lmArgs  []string
		refMask []string
	}{
		{"fixed16", nil, []string{"--causal", "--dense"}},
		{"fixed8", nil, []string{"--causal", "--dense"}},
		{"fixed12", []string{"--window", "40", "--sinks", "4"}, []string{"--causal", "--window", "40", "--sinks", "4"}},
		{"custom:in_bits=10,in_frac=6", []string{"--policy", "streaming", "--budget", "33", "--sinks", "1"}, []string{"--causal", "--window", "32", "--sinks", "1"}},
	}
	for _, tc := range cases {
		dir := t.TempDir()
		args := append([]string{"lm", "--model", lmModel, "--text", text, "--arith", tc.arith, "--dump-qkv", dir}, tc.lmArgs...)
		if code, _, stderr := runCLI(t, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		for l := range 4 {
			in := func(x string) string { return filepath.Join(dir, fmt.Sprintf("layer%d_%s.npy", l, x)) }
			out := filepath.Join(dir, fmt.Sprintf("ref%d.npy", l))
			refArgs := append([]string{"ref", "--q", in("q"), "--k", in("k"), "--v", in("v"), "--arith", tc.arith, "--out", out}, tc.refMask...)
			if code, _, stderr := runCLI(t, refArgs...); code != 0 {
				t.Fatalf("%v: exit %d: %s", refArgs, code, stderr)
			}
			got, want := mustReadTensor(t, in("o")), mustReadTensor(t, out)
			if !slices.Equal(got.Shape(), want.Shape()) || !slices.Equal(got.Data, want.Data) {
				n := 0
				for i := range got.Data {
					if got.Data[i] != want.Data[i] {
						n++
					}
				}
				t.Errorf("%s %v layer %d: %d of %d outputs differ from swatsim ref", tc.arith, tc.lmArgs, l, n, len(got.Data))
			}
		}
	}
}

// TestLMReport checks the report's keys and their relations.
func TestLMReport(t *testing.T) {
	text := lmShortText(t, "text0", 129)
	rep := filepath.Join(t.TempDir(), "r.json")
	code, stdout, stderr := runCLI(t, "lm", "--model", lmModel, "--text", text, "--policy", "h2o", "--budget", "16", "--report", rep)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "bits/byte") {
		t.Errorf("stdout: %s", stdout)
	}
	b, err := os.ReadFile(rep)
	if err != nil {
		t.Fatal(err)
	}
	var r map[string]any
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"bits_per_byte", "loss_nats_mean", "bits_per_byte_full", "delta_bits_per_byte", "kv_bytes_per_step", "layers", "policy", "budget", "arith"} {
		if _, ok := r[k]; !ok {
			t.Errorf("report has no %q", k)
		}
	}
	bpb, full, delta := r["bits_per_byte"].(float64), r["bits_per_byte_full"].(float64), r["delta_bits_per_byte"].(float64)
	if delta != bpb-full || r["policy"] != "h2o" || r["budget"] != 16.0 || r["layers"] != 4.0 || r["arith"] != "float64" {
		t.Errorf("report %v", r)
	}
	tiers := r["kv_bytes_per_step"].(map[string]any)
	// Budget 16: every layer reads at most 16 tokens and writes the new one,
	// each 4 heads x K+V x 64 dims x 2 B; everything fits on chip.
	if on := tiers["onchip"].(float64); on <= 4*16*4*2*64*2/2 || on > 4*(16+1)*4*2*64*2 || tiers["hbm"] != 0.0 {
		t.Errorf("on-chip bytes per step %v", on)
	}
}

// TestLMBadInput: each bad input is a clear error and a non-zero exit,
// with no report written.
func TestLMBadInput(t *testing.T) {
	text := lmShortText(t, "text0", 65)
	tmp := t.TempDir()
	one := filepath.Join(tmp, "one.bin")
	os.WriteFile(one, []byte("x"), 0o644)
	long := filepath.Join(tmp, "long.bin")
	os.WriteFile(long, make([]byte, 2050), 0o644)
	badModel := filepath.Join(tmp, "model")
	os.Mkdir(badModel, 0o755)
	meta, _ := os.ReadFile(filepath.Join(lmModel, "meta.json"))
	os.WriteFile(filepath.Join(badModel, "meta.json"), []byte(strings.Replace(string(meta), "LayerNorm", "RMSNorm", -1)), 0o644)
	base := []string{"lm", "--model", lmModel, "--text", text}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"lm", "--model", lmModel, "--text", one}, "need at least 2"},
		{[]string{"lm", "--model", lmModel, "--text", long}, "at most 2049"},
		{append(base, "--policy", "lru", "--budget", "8"), `--policy "lru": unknown policy; allowed: full, streaming`},
		{append(base, "--policy", "h2o", "--budget", "0"), "--budget = 0: must be >= 1"},
		{append(base, "--policy", "h2o"), "--budget is required"},
		{append(base, "--window", "0"), "--window = 0: must be >= 1"},
		{append(base, "--window", "8", "--policy", "h2o"), "drop --policy"},
		{append(base, "--arith", "fixed7"), "unknown preset"},
		{append(base, "--prompt", "64"), "prompt = 64: must be in [0, 63]"},
		{append(base, "--policy", "streaming", "--budget", "4", "--sinks", "4"), "sinks < budget"},
		{append(base, "--compare", "--budgets", "8,x"), "--budgets"},
		{append(base, "--compare", "--policies", "full", "--dump-qkv", tmp), "drop --compare"},
		{[]string{"lm", "--model", badModel, "--text", text}, "architecture: unsupported"},
		{[]string{"lm", "--model", filepath.Join(tmp, "nope"), "--text", text}, "meta.json"},
		{[]string{"lm", "--text", text}, "--model DIR and --text FILE are required"},
	}
	for _, tc := range cases {
		rep := filepath.Join(tmp, "r.json")
		code, _, stderr := runCLI(t, append(tc.args, "--report", rep)...)
		if code != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 1 and %q", tc.args, code, stderr, tc.want)
		}
		if _, err := os.Stat(rep); err == nil {
			t.Errorf("%v: a report was written", tc.args)
			os.Remove(rep)
		}
	}
}

// TestLMDocTablesArePinned regenerates the short-text tables of
// docs/lm.md (text0's first 257 bytes, the documented commands) and
// requires them verbatim in the document.
func TestLMDocTablesArePinned(t *testing.T) {
	doc, err := os.ReadFile("../../docs/lm.md")
	if err != nil {
		t.Fatal(err)
	}
	text := lmShortText(t, "text0", 257)
	for _, args := range [][]string{
		{"--compare", "--prompt", "32", "--budgets", "64,128", "--windows", "32", "--markdown"},
		{"--compare", "--policies", "full", "--ariths", "float64,fixed16,fixed12,fixed8", "--markdown"},
	} {
		code, stdout, stderr := runCLI(t, append([]string{"lm", "--model", lmModel, "--text", text}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		table := stdout[strings.Index(stdout, "| policy"):]
		if !strings.Contains(string(doc), table) {
			t.Errorf("docs/lm.md does not hold the table of %v:\n%s", args, table)
		}
	}
}
