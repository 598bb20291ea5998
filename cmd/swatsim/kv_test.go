package main

import (
	"encoding/json"
	"image"
	_ "image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/swatsim/swatsim/sim/kv/policy"
)

var kvSmall = []string{"--seed", "3", "--tokens", "192", "--heads", "2", "--head-dim", "16"}

// kvRun runs `swatsim kv args...` and fails unless it exits 0.
func kvRun(t *testing.T, args ...string) string {
	t.Helper()
	code, stdout, stderr := runCLI(t, append([]string{"kv"}, args...)...)
	if code != 0 {
		t.Fatalf("kv %v: exit %d: %s", args, code, stderr)
	}
	return stdout
}

func kvReadReport(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// kvNpy writes q, k, v of the given shape (random float32) and returns
// their paths.
func kvNpy(t *testing.T, dir string, shapes ...[]int) []string {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	var paths []string
	for i, name := range []string{"q", "k", "v"} {
		shape := shapes[min(i, len(shapes)-1)]
		n := 1
		for _, d := range shape {
			n *= d
		}
		data := make([]float64, n)
		for j := range data {
			data[j] = rng.NormFloat64()
		}
		paths = append(paths, mustWrite(t, filepath.Join(dir, name+".npy"), shape, data, "float32"))
	}
	return paths
}

func TestKVSingleRunReport(t *testing.T) {
	rep := filepath.Join(t.TempDir(), "r.json")
	out := kvRun(t, append([]string{"--policy", "h2o", "--budget", "48", "--prompt", "100", "--report", rep}, kvSmall...)...)
	if !strings.Contains(out, "kv h2o budget 48") || !strings.Contains(out, "rel_l2_error_mean") {
		t.Fatalf("stdout: %s", out)
	}
	m := kvReadReport(t, rep)
	for _, k := range []string{"rel_l2_error_mean", "cosine_mean", "kept_mass_mean", "topk_recall_mean", "caote_error_mean",
		"bytes_per_step", "cycles_per_step", "tokens_per_s", "config", "input", "per_step"} {
		if _, ok := m[k]; !ok {
			t.Errorf("report lacks %q", k)
		}
	}
	bytes := m["bytes_per_step"].(map[string]any)
	for _, tier := range []string{"onchip", "hbm", "host"} {
		if _, ok := bytes[tier]; !ok {
			t.Errorf("bytes_per_step lacks %q: %v", tier, bytes)
		}
	}
	if steps := m["per_step"].([]any); len(steps) != 92 {
		t.Errorf("per_step has %d entries, want 92 (t = 100..191)", len(steps))
	}
	cfg := m["config"].(map[string]any)
	if cfg["hbm"].(map[string]any)["bandwidth_gbps"].(float64) != 115 { // dataflow/default.yaml: 8 x 14.375 GB/s
		t.Errorf("config in report: %v", cfg["hbm"])
	}
	if e := m["rel_l2_error_mean"].(float64); !(e > 0 && e < 2) {
		t.Errorf("rel_l2_error_mean %v", e)
	}
}

func TestKVCompareTableAndReport(t *testing.T) {
	rep := filepath.Join(t.TempDir(), "c.json")
	out := kvRun(t, append([]string{"--compare", "--budgets", "64,96", "--steps", "20", "--report", rep}, kvSmall...)...)
	for _, p := range policy.Names {
		if !strings.Contains(out, p) {
			t.Errorf("table lacks %s:\n%s", p, out)
		}
	}
	for _, col := range []string{"rel_l2", "cosine", "kept_mass", "recall@32", "onchip_B/step", "hbm_B/step", "host_B/step", "cycles/step"} {
		if !strings.Contains(out, col) {
			t.Errorf("table lacks column %s", col)
		}
	}
	m := kvReadReport(t, rep)
	if _, ok := m["rel_l2_error_mean"]; ok {
		t.Error("a --compare report has a top-level rel_l2_error_mean; its rows hold the summaries")
	}
	if _, ok := m["config"]; !ok {
		t.Error("a --compare report lacks the config")
	}
	rows := m["rows"].([]any)
	if len(rows) != 3+2*(len(policy.Names)-3) {
		t.Fatalf("%d rows, want full, kivi and pq once + %d policies x 2 budgets", len(rows), len(policy.Names)-3)
	}
	md := kvRun(t, append([]string{"--compare", "--budgets", "64", "--steps", "4", "--policies", "streaming,quest", "--markdown"}, kvSmall...)...)
	if !strings.Contains(md, "| streaming | 64 |") || !strings.Contains(md, "| quest | 64 |") {
		t.Fatalf("markdown table:\n%s", md)
	}
}

func TestKVNpyInputsAndLayers(t *testing.T) {
	dir := t.TempDir()
	p3 := kvNpy(t, dir, []int{2, 64, 8})
	kvRun(t, "--q", p3[0], "--k", p3[1], "--v", p3[2], "--policy", "quest", "--budget", "16")
	d4 := filepath.Join(dir, "four")
	os.Mkdir(d4, 0o755)
	p4 := kvNpy(t, d4, []int{3, 2, 64, 8})
	out := kvRun(t, "--q", p4[0], "--k", p4[1], "--v", p4[2], "--layer", "2", "--policy", "tova", "--budget", "16")
	if !strings.Contains(out, "layer 2 [H=2 N=64 D=8]") {
		t.Fatalf("stdout: %s", out)
	}
}

func TestKVEnvAndConfigOverrides(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfg, []byte("kv:\n  hbm:\n    burst_bytes: 32\n"), 0o644)
	design := filepath.Join(dir, "d.yaml")
	os.WriteFile(design, []byte("memory:\n  kind: ddr4\n  channel_gbps: 12.8\n"), 0o644)
	t.Setenv("SWATSIM_KV_ONCHIP_CAPACITY_TOKENS", "0")
	rep := filepath.Join(dir, "r.json")
	kvRun(t, append([]string{"--config", cfg, "--design", design, "--set", "memory.channels=2", "--policy", "full", "--steps", "3", "--report", rep}, kvSmall...)...)
	m := kvReadReport(t, rep)
	c := m["config"].(map[string]any)
	hbm := c["hbm"].(map[string]any)
	if c["onchip"].(map[string]any)["capacity_tokens"].(float64) != 0 || hbm["channels"].(float64) != 2 ||
		hbm["bandwidth_gbps"].(float64) != 25.6 || hbm["burst_bytes"].(float64) != 32 || hbm["name"] != "dram" {
		t.Fatalf("config: %v", c)
	}
	b := m["bytes_per_step"].(map[string]any)
	if b["onchip"].(float64) != 0 || b["dram"].(float64) == 0 {
		t.Fatalf("bytes_per_step %v: with nothing on chip every byte is DRAM's", b)
	}
}

func TestKVBadInputs(t *testing.T) {
	dir := t.TempDir()
	good := kvNpy(t, filepath.Join(dir), []int{2, 64, 8})
	bad := filepath.Join(dir, "bad")
	os.Mkdir(bad, 0o755)
	mism := kvNpy(t, bad, []int{2, 64, 8}, []int{2, 60, 8})
	four := filepath.Join(dir, "four")
	os.Mkdir(four, 0o755)
	p4 := kvNpy(t, four, []int{2, 2, 64, 8})
	typo := filepath.Join(dir, "typo.yaml")
	os.WriteFile(typo, []byte("kv:\n  hbm:\n    bandwith_gbps: 1\n"), 0o644)
	npy := func(p []string) []string { return []string{"--q", p[0], "--k", p[1], "--v", p[2]} }
	cases := []struct {
		name string
		args []string
		env  []string // name, value, ...
		want string
	}{
		{"budget 0", append([]string{"--policy", "h2o", "--budget", "0"}, kvSmall...), nil, "--budget = 0: must be >= 1"},
		{"budget missing", append([]string{"--policy", "h2o"}, kvSmall...), nil, "--budget is required"},
		{"budget no tier holds", append([]string{"--policy", "h2o", "--budget", "2000000000"}, kvSmall...), nil, "but the tiers hold"},
		{"full too long for tiny tiers", append([]string{"--policy", "full"}, kvSmall...), []string{"SWATSIM_KV_ONCHIP_CAPACITY_TOKENS", "100", "SWATSIM_KV_HBM_CAPACITY_BYTES", "1000", "SWATSIM_KV_HOST_CAPACITY_BYTES", "1000"}, "policy full keeps all 192 tokens"},
		{"mismatched shapes", append(npy(mism), "--policy", "full"), nil, "shape mismatch"},
		{"unknown policy", append([]string{"--policy", "lru", "--budget", "8"}, kvSmall...), nil, "allowed: full, streaming, h2o, tova, snapkv, caote-h2o, caote-tova, quest, kivi, pq, shadowkv, moba, duo"},
		{"unknown compare policy", append([]string{"--compare", "--policies", "h2o,lru"}, kvSmall...), nil, "allowed: full, streaming"},
		{"layer out of range", append(npy(p4), "--layer", "2", "--policy", "full"), nil, "layer 2: out of range; allowed 0 to 1"},
		{"rank-4 without layer", append(npy(p4), "--policy", "full"), nil, "choose a layer with --layer 0..1"},
		{"layer on rank 3", append(npy(good), "--layer", "0", "--policy", "full"), nil, "--layer applies to rank-4"},
		{"prompt = N", append([]string{"--policy", "full", "--prompt", "192"}, kvSmall...), nil, "prompt = 192: must be in [1, 191]"},
		{"prompt 0", append([]string{"--policy", "full", "--prompt", "0"}, kvSmall...), nil, "prompt = 0: must be in [1, 191]"},
		{"prompt negative", append([]string{"--policy", "full", "--prompt", "-3"}, kvSmall...), nil, "prompt = -3"},
		{"steps too many", append([]string{"--policy", "full", "--prompt", "100", "--steps", "93"}, kvSmall...), nil, "steps = 93: must be in [0, 92]"},
		{"no input", []string{"--policy", "full"}, nil, "no input"},
		{"seed and files", append(npy(good), "--seed", "1", "--policy", "full"), nil, "not both"},
		{"partial files", []string{"--q", good[0], "--policy", "full"}, nil, "must all be given"},
		{"config typo", append([]string{"--config", typo, "--policy", "full"}, kvSmall...), nil, `unknown key "kv.hbm.bandwith_gbps"`},
		{"bad env value", append([]string{"--policy", "full"}, kvSmall...), []string{"SWATSIM_KV_HOST_CHANNELS", "0"}, "kv.host.channels = 0"},
		{"bad design value", append([]string{"--policy", "full", "--set", "memory.channels=-1"}, kvSmall...), nil, "memory.channels"},
		{"ideal memory", append([]string{"--policy", "full", "--set", "memory.kind=ideal"}, kvSmall...), nil, `memory.kind = "ideal": the decode model`},
		{"bad gather", append([]string{"--policy", "full"}, kvSmall...), []string{"SWATSIM_KV_LAYOUT_GATHER", "page"}, "allowed: burst, block"},
		{"streaming sinks", append([]string{"--policy", "streaming", "--budget", "4", "--sinks", "4"}, kvSmall...), nil, "need 0 <= sinks < budget"},
		{"quest below a page", append([]string{"--policy", "quest", "--budget", "8"}, kvSmall...), nil, "budget >= page"},
		{"bad budgets", append([]string{"--compare", "--budgets", "64,x"}, kvSmall...), nil, "--budgets"},
		{"kivi bits", append([]string{"--policy", "kivi", "--bits", "3"}, kvSmall...), nil, "--bits = 3: allowed: 2, 4"},
		{"kivi residual not a multiple of the group", append([]string{"--policy", "kivi", "--group", "32", "--residual", "48"}, kvSmall...), nil, "--residual = 48: must be a multiple of --group = 32"},
		{"kivi group 0", append([]string{"--policy", "kivi", "--group", "0"}, kvSmall...), nil, "--group = 0: must be >= 1"},
		{"pq-m not dividing D", append([]string{"--policy", "pq", "--pq-m", "5"}, kvSmall...), nil, "--pq-m = 5: must divide the head dim 16"},
		{"rank above H*D", append([]string{"--policy", "shadowkv", "--budget", "64", "--rank", "33"}, kvSmall...), nil, "--rank = 33: must be in [1, 32]"},
		{"block 0", append([]string{"--policy", "moba", "--budget", "64", "--block", "0"}, kvSmall...), nil, "--block = 0: must be >= 1"},
		{"moba budget below a block", append([]string{"--policy", "moba", "--budget", "32", "--block", "64"}, kvSmall...), nil, "need budget >= block"},
		{"retrieval-frac above 1", append([]string{"--policy", "duo", "--budget", "64", "--retrieval-frac", "1.5"}, kvSmall...), nil, "--retrieval-frac = 1.5: must be in [0, 1]"},
		{"retrieval-frac NaN", append([]string{"--policy", "duo", "--budget", "64", "--retrieval-frac", "NaN"}, kvSmall...), nil, "--retrieval-frac = NaN: must be in [0, 1]"},
		{"shadowkv budget too small", append([]string{"--policy", "shadowkv", "--budget", "40"}, kvSmall...), nil, "shadowkv: budget = 40"},
		{"elem_bytes not whole bits", append([]string{"--policy", "full"}, kvSmall...), []string{"SWATSIM_KV_ELEM_BYTES", "0.3"}, "kv.elem_bytes = 0.3: must be a whole number of bits"},
		{"kv-heads not dividing heads", append([]string{"--policy", "full", "--kv-heads", "3"}, kvSmall...), nil, "--kv-heads = 3: must divide --heads = 2"},
		{"kv-heads against npy", append(npy(good), "--policy", "full", "--kv-heads", "1"), nil, "--kv-heads = 1:"},
		{"plot without compare", append([]string{"--policy", "full", "--plot", "p.png"}, kvSmall...), nil, "--plot draws the --compare runs"},
		{"plot not png", append([]string{"--compare", "--plot", "p.svg"}, kvSmall...), nil, "must name a .png file"},
		{"plot into a missing directory", append([]string{"--compare", "--plot", "/nonexistent/dir/p.png"}, kvSmall...), nil, "--plot /nonexistent/dir/p.png: directory"},
		{"snapkv budget within its window", []string{"--seed", "1", "--tokens", "64", "--heads", "1", "--head-dim", "16", "--steps", "4", "--policy", "snapkv", "--budget", "1"}, nil, "snapkv: budget = 1 with snapkv_window = 32: need budget > window"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for i := 0; i+1 < len(tc.env); i += 2 {
				t.Setenv(tc.env[i], tc.env[i+1])
			}
			rep := filepath.Join(t.TempDir(), "r.json")
			code, _, stderr := runCLI(t, append(append([]string{"kv"}, tc.args...), "--report", rep)...)
			if code != 1 || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit 1 and %q", code, stderr, tc.want)
			}
			if _, err := os.Stat(rep); !os.IsNotExist(err) {
				t.Fatalf("a failed run left a report (%v)", err)
			}
			if left, _ := filepath.Glob(filepath.Join(filepath.Dir(rep), ".*")); len(left) > 0 {
				t.Fatalf("temporary files left: %v", left)
			}
		})
	}
}

// TestKVReportNullsNonFinite: a run whose CAOTE error is infinite (budget
// 1 evicts the token that held all of the previous query's attention)
// writes null for it and says why, instead of failing on JSON encoding.
func TestKVReportNullsNonFinite(t *testing.T) {
	rep := filepath.Join(t.TempDir(), "r.json")
	kvRun(t, "--seed", "1", "--tokens", "64", "--heads", "1", "--head-dim", "16", "--steps", "4", "--policy", "h2o", "--budget", "1", "--report", rep)
	m := kvReadReport(t, rep)
	if v, ok := m["caote_error_mean"]; !ok || v != nil {
		t.Fatalf("caote_error_mean = %v (present %v), want null", v, ok)
	}
	found := false
	for _, w := range m["warnings"].([]any) {
		found = found || strings.Contains(w.(string), "caote_error_mean is +Inf, written as null")
	}
	if !found {
		t.Fatalf("no warning explains the null: %v", m["warnings"])
	}
	if e, ok := m["rel_l2_error_mean"].(float64); !ok || !(e > 0) {
		t.Fatalf("rel_l2_error_mean = %v, want a finite positive number", m["rel_l2_error_mean"])
	}
}

// TestKVTinyLM runs the real trace briefly when ../shared is present.
func TestKVTinyLM(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "traces")
	if _, err := os.Stat(filepath.Join(dir, "tinylm_q.npy")); err != nil {
		t.Skip("tinylm trace not present:", err)
	}
	f := func(x string) string { return filepath.Join(dir, "tinylm_"+x+".npy") }
	rep := filepath.Join(t.TempDir(), "t.json")
	kvRun(t, "--q", f("q"), "--k", f("k"), "--v", f("v"), "--layer", "1", "--prompt", "2048", "--steps", "4",
		"--policy", "quest", "--budget", "256", "--report", rep)
	m := kvReadReport(t, rep)
	in := m["input"].(map[string]any)
	if in["tokens"].(float64) != 4096 || in["heads"].(float64) != 8 || in["head_dim"].(float64) != 64 {
		t.Fatalf("input %v", in)
	}
	if e := m["rel_l2_error_mean"].(float64); !(e > 0 && e < 1) {
		t.Fatalf("quest 256 on layer 4: rel error %v", e)
	}
	code, _, stderr := runCLI(t, "kv", "--q", f("q"), "--k", f("k"), "--v", f("v"), "--layer", "2", "--policy", "full")
	if code != 1 || !strings.Contains(stderr, "layer 2: out of range") {
		t.Fatalf("layer 2: exit %d %s", code, stderr)
	}
}

// TestKVGQA: a GQA trace from gen --kv-heads runs as .npy inputs and as a
// synthetic trace, and reports its kv heads.
func TestKVGQA(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := runCLI(t, "gen", "--out-dir", dir, "--heads", "4", "--kv-heads", "2", "--tokens", "96", "--head-dim", "16")
	if code != 0 {
		t.Fatalf("gen: %s", stderr)
	}
	rep := filepath.Join(dir, "r.json")
	out := kvRun(t, "--q", filepath.Join(dir, "q.npy"), "--k", filepath.Join(dir, "k.npy"), "--v", filepath.Join(dir, "v.npy"),
		"--policy", "quest", "--budget", "32", "--report", rep)
	if !strings.Contains(out, "[H=4 Hkv=2 N=96 D=16]") {
		t.Fatalf("stdout: %s", out)
	}
	if in := kvReadReport(t, rep)["input"].(map[string]any); in["kv_heads"].(float64) != 2 || in["heads"].(float64) != 4 {
		t.Fatalf("input %v", in)
	}
	out = kvRun(t, "--seed", "4", "--heads", "4", "--kv-heads", "1", "--tokens", "96", "--head-dim", "16", "--policy", "snapkv", "--budget", "40")
	if !strings.Contains(out, "Hkv=1") {
		t.Fatalf("stdout: %s", out)
	}
}

// TestKVComparePlot draws the accuracy-traffic plane to a PNG.
func TestKVComparePlot(t *testing.T) {
	dir := t.TempDir()
	png := filepath.Join(dir, "p.png")
	kvRun(t, append([]string{"--compare", "--budgets", "64,96", "--steps", "6", "--policies", "full,h2o,quest,kivi,moba", "--plot", png}, kvSmall...)...)
	f, err := os.Open(png)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, format, err := image.DecodeConfig(f)
	if err != nil || format != "png" || cfg.Width < 500 || cfg.Height < 300 {
		t.Fatalf("%s %+v: %v", format, cfg, err)
	}
}

// pinnedTable is a command of docs/kv.md and the table printed under it.
type pinnedTable struct {
	args []string
	rows [][]string
}

// docsPinned reads every "<!-- pinned -->" command of docs/kv.md (an
// indented `swatsim ...` line) and the Markdown table that follows it;
// the "<!-- pinned: full -->" ones (full-length runs) only when
// SWATSIM_KV_PIN_FULL=1.
func docsPinned(t *testing.T, path string) []pinnedTable {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	var out []pinnedTable
	for i := 0; i < len(lines); i++ {
		marker := strings.TrimSpace(lines[i])
		if marker != "<!-- pinned -->" && marker != "<!-- pinned: full -->" {
			continue
		}
		if marker == "<!-- pinned: full -->" && os.Getenv("SWATSIM_KV_PIN_FULL") != "1" {
			continue // the full-length tables take tens of minutes: SWATSIM_KV_PIN_FULL=1
		}
		fields := strings.Fields(lines[i+1])
		if len(fields) < 2 || fields[0] != "swatsim" {
			t.Fatalf("%s:%d: a pinned marker must be followed by a swatsim command, got %q", path, i+2, lines[i+1])
		}
		pt := pinnedTable{args: fields[1:]}
		j := i + 2
		for j < len(lines) && !strings.HasPrefix(lines[j], "|") {
			j++
		}
		for ; j < len(lines) && strings.HasPrefix(lines[j], "|"); j++ {
			pt.rows = append(pt.rows, tableCells(lines[j]))
		}
		out = append(out, pt)
		i = j
	}
	return out
}

func tableCells(line string) []string {
	var cells []string
	for _, c := range strings.Split(strings.Trim(line, "|"), "|") {
		cells = append(cells, strings.TrimSpace(c))
	}
	return cells
}

// cellsMatch compares a printed cell with a recomputed one: equal text,
// or numbers within one unit of the last printed digit.
func cellsMatch(doc, got string) bool {
	if doc == got {
		return true
	}
	a, errA := strconv.ParseFloat(doc, 64)
	b, errB := strconv.ParseFloat(got, 64)
	if errA != nil || errB != nil {
		return false
	}
	ulp := 1.0
	if i := strings.IndexByte(doc, '.'); i >= 0 {
		ulp = math.Pow(10, -float64(len(doc)-i-1))
	}
	return math.Abs(a-b) <= ulp*1.0000001
}

// TestKVDocsTablesArePinned re-runs every pinned command of docs/kv.md
// (the tinylm tables) and requires each cell to match to its printed
// precision, so that a table that drifts from the code fails.
func TestKVDocsTablesArePinned(t *testing.T) {
	if testing.Short() {
		t.Skip("re-runs the docs' tinylm tables (minutes)")
	}
	root := filepath.Join("..", "..")
	if _, err := os.Stat(filepath.Join(root, "..", "shared", "traces", "tinylm_q.npy")); err != nil {
		t.Skip("tinylm trace not present:", err)
	}
	pinned := docsPinned(t, filepath.Join(root, "docs", "kv.md"))
	if len(pinned) < 2 {
		t.Fatalf("docs/kv.md pins %d tables, want the two tinylm layers", len(pinned))
	}
	t.Chdir(root) // the commands name ../shared relative to the repository root
	for _, pt := range pinned {
		code, stdout, stderr := runCLI(t, pt.args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", pt.args, code, stderr)
		}
		var got [][]string
		for _, l := range strings.Split(stdout, "\n") {
			if strings.HasPrefix(l, "|") {
				got = append(got, tableCells(l))
			}
		}
		if len(got) != len(pt.rows) {
			t.Fatalf("%v: %d table lines, docs have %d", pt.args, len(got), len(pt.rows))
		}
		for r := range got {
			for c := range got[r] {
				if c >= len(pt.rows[r]) || !cellsMatch(pt.rows[r][c], got[r][c]) {
					t.Errorf("%v: row %v column %d: docs %q, now %q", pt.args[:8], got[r][:2], c, pt.rows[r], got[r])
					break
				}
			}
		}
	}
}

// TestKVDuoReportsItsHeads: duo prints and reports its retrieval heads.
func TestKVDuoReportsItsHeads(t *testing.T) {
	rep := filepath.Join(t.TempDir(), "r.json")
	out := kvRun(t, append([]string{"--policy", "duo", "--budget", "64", "--steps", "4", "--report", rep}, kvSmall...)...)
	if !strings.Contains(out, "duo: retrieval kv heads [") {
		t.Fatalf("stdout: %s", out)
	}
	notes, _ := kvReadReport(t, rep)["notes"].([]any)
	if len(notes) != 1 || !strings.Contains(notes[0].(string), "of 2") {
		t.Fatalf("notes %v", notes)
	}
}
