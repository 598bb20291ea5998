package main

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/swatsim/swatsim/reference"
	"github.com/swatsim/swatsim/traces"
)

func TestRefGolden(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
	}{
		{"n64_d16_w8_causal", []string{"--window", "8", "--causal"}},
		{"n256_d64_w32_bidir_g2", []string{"--window", "32", "--global", "2"}},
		{"n1024_d64_w128_bidir_outliers", []string{"--window", "128"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "o.npy")
			args := append([]string{"ref", "--q", goldenPath(c.name, "q"), "--k", goldenPath(c.name, "k"),
				"--v", goldenPath(c.name, "v"), "--out", out}, c.args...)
			code, stdout, stderr := runCLI(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if !strings.Contains(stdout, "wrote "+out) || strings.Contains(stdout, "vs float64") {
				t.Errorf("stdout %q", stdout)
			}
			got, want := mustReadTensor(t, out), mustReadTensor(t, goldenPath(c.name, "o"))
			if !slices.Equal(got.Shape(), want.Shape()) {
				t.Fatalf("shape %v, want %v", got.Shape(), want.Shape())
			}
			e, _ := reference.Compare(got.Data, want.Data)
			if e.MaxAbs > 1e-9 {
				t.Errorf("max-abs %g against the golden O, want <= 1e-9", e.MaxAbs)
			}
		})
	}
}

// TestRefFixedBitExact: the fixed-point output is reference.Attend's bit
// for bit, and the printed errors are those against float64.
func TestRefFixedBitExact(t *testing.T) {
	const name = "n64_d16_w8_causal"
	q, k, v := mustReadTensor(t, goldenPath(name, "q")), mustReadTensor(t, goldenPath(name, "k")), mustReadTensor(t, goldenPath(name, "v"))
	mask := reference.Mask{Window: 8, Causal: true}
	f64, _ := reference.Preset("float64")
	ref, err := reference.Attend(q, k, v, reference.Options{Mask: mask, Arith: f64})
	if err != nil {
		t.Fatal(err)
	}
	for _, spec := range []string{"fixed16", "fixed12", "fixed8", "custom:lut_bits=8,interp=false,prob_frac=14"} {
		t.Run(spec, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "o.npy")
			code, stdout, stderr := runCLI(t, "ref", "--q", goldenPath(name, "q"), "--k", goldenPath(name, "k"), "--v", goldenPath(name, "v"),
				"--window", "8", "--causal", "--arith", spec, "--out", out)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			a, _ := reference.ParseArith(spec)
			want, err := reference.Attend(q, k, v, reference.Options{Mask: mask, Arith: a})
			if err != nil {
				t.Fatal(err)
			}
			got := mustReadTensor(t, out)
			for i := range got.Data {
				if math.Float64bits(got.Data[i]) != math.Float64bits(want.O.Data[i]) {
					t.Fatalf("element %d: %v, reference.Attend gives %v", i, got.Data[i], want.O.Data[i])
				}
			}
			e, _ := reference.Compare(want.O.Data, ref.O.Data)
			kern := want.Kernel
			for _, w := range []string{
				"arith " + a.Name,
				"fracs: q=" + strconv.Itoa(kern.QFrac) + " k=" + strconv.Itoa(kern.KFrac) + " v=" + strconv.Itoa(kern.VFrac),
				"vs float64: max_abs=" + strconv.FormatFloat(e.MaxAbs, 'g', 6, 64),
				"rel_l2=" + strconv.FormatFloat(e.RelL2, 'g', 6, 64),
				"cosine=" + strconv.FormatFloat(e.Cosine, 'f', 12, 64),
			} {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout %q lacks %q", stdout, w)
				}
			}
			t.Logf("%s", strings.TrimSpace(stdout))
		})
	}
}

// TestRefHeadsDenseSinks runs [H,N,D] float16 inputs with --dense,
// --sinks and --scale against reference.Attend.
func TestRefHeadsDenseSinks(t *testing.T) {
	dir := t.TempDir()
	p := traces.DefaultSynthParams()
	p.Heads, p.Tokens, p.HeadDim = 3, 50, 16
	q, k, v, err := traces.Generate(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct {
		name string
		t    *reference.Tensor
	}{{"q", q}, {"k", k}, {"v", v}} {
		mustWrite(t, filepath.Join(dir, x.name+".npy"), x.t.Shape(), x.t.Data, "float16")
	}
	q16, k16, v16 := mustReadTensor(t, filepath.Join(dir, "q.npy")), mustReadTensor(t, filepath.Join(dir, "k.npy")), mustReadTensor(t, filepath.Join(dir, "v.npy"))
	for _, c := range []struct {
		args  []string
		mask  reference.Mask
		scale float64
		arith string
	}{
		{[]string{"--dense", "--causal"}, reference.Mask{Dense: true, Causal: true}, 0, "float64"},
		{[]string{"--dense"}, reference.Mask{Dense: true}, 0.3, "fixed16"},
		{[]string{"--window", "6", "--causal", "--sinks", "2"}, reference.Mask{Window: 6, Causal: true, Sinks: 2}, 0.1, "fixed12"},
		{[]string{"--window", "0", "--global", "1"}, reference.Mask{Window: 0, Global: 1}, 0, "float64"},
	} {
		out := filepath.Join(dir, "o.npy")
		args := append([]string{"ref", "--q", filepath.Join(dir, "q.npy"), "--k", filepath.Join(dir, "k.npy"), "--v", filepath.Join(dir, "v.npy"),
			"--arith", c.arith, "--out", out}, c.args...)
		if c.scale > 0 {
			args = append(args, "--scale", strconv.FormatFloat(c.scale, 'g', -1, 64))
		}
		code, _, stderr := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, stderr)
		}
		a, _ := reference.ParseArith(c.arith)
		want, err := reference.Attend(q16, k16, v16, reference.Options{Mask: c.mask, Scale: c.scale, Arith: a})
		if err != nil {
			t.Fatal(err)
		}
		got := mustReadTensor(t, out)
		if !slices.Equal(got.Shape(), []int{3, 50, 16}) || got.Rank != 3 {
			t.Fatalf("%v: shape %v", c.args, got.Shape())
		}
		if !slices.Equal(got.Data, want.O.Data) {
			t.Errorf("%v %s: output differs from reference.Attend", c.args, c.arith)
		}
	}
}

func TestRefLayer(t *testing.T) {
	dir := t.TempDir()
	p := traces.DefaultSynthParams()
	p.Heads, p.Tokens, p.HeadDim, p.KeyRank = 2, 20, 8, 4
	var data [3][]float64
	for l := 0; l < 2; l++ {
		p.Seed = uint64(l + 10)
		q, k, v, err := traces.Generate(p)
		if err != nil {
			t.Fatal(err)
		}
		data[0], data[1], data[2] = append(data[0], q.Data...), append(data[1], k.Data...), append(data[2], v.Data...)
	}
	var paths []string
	for i, n := range []string{"q", "k", "v"} {
		paths = append(paths, mustWrite(t, filepath.Join(dir, n+".npy"), []int{2, 2, 20, 8}, data[i], "float32"))
	}
	out := filepath.Join(dir, "o.npy")
	base := []string{"ref", "--q", paths[0], "--k", paths[1], "--v", paths[2], "--window", "4", "--causal", "--out", out}
	code, _, stderr := runCLI(t, append(base, "--layer", "1")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var tt [3]*reference.Tensor
	for i, path := range paths {
		a, _ := traces.ReadArray(path)
		tt[i], _ = a.Layer(1)
	}
	f64, _ := reference.Preset("float64")
	want, _ := reference.Attend(tt[0], tt[1], tt[2], reference.Options{Mask: reference.Mask{Window: 4, Causal: true}, Arith: f64})
	if got := mustReadTensor(t, out); !slices.Equal(got.Data, want.O.Data) || !slices.Equal(got.Shape(), []int{2, 20, 8}) {
		t.Error("--layer 1 output differs from reference.Attend on layer 1")
	}
	os.Remove(out)
	for _, c := range []struct {
		extra []string
		want  string
	}{
		{nil, "select a layer with --layer, in [0, 1]"},
		{[]string{"--layer", "2"}, "layer 2: out of range; allowed 0 to 1"},
		{[]string{"--layer", "-3"}, "--layer = -3: must be >= 0"},
	} {
		code, _, stderr := runCLI(t, append(base, c.extra...)...)
		if code != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 1 and %q", c.extra, code, stderr, c.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%v: output written despite the error", c.extra)
		}
	}
}

func TestRefErrors(t *testing.T) {
	dir := t.TempDir()
	const g = "n64_d16_w8_causal"
	gq, gk, gv := goldenPath(g, "q"), goldenPath(g, "k"), goldenPath(g, "v")
	q := mustReadTensor(t, gq)
	bad := func(name string, mod func(x []float64) []float64, shape ...int) string {
		x := mod(slices.Clone(q.Data))
		return mustWrite(t, filepath.Join(dir, name), shape, x, "float64")
	}
	nanQ := bad("nan.npy", func(x []float64) []float64 { x[17] = math.NaN(); return x }, 64, 16)
	infV := bad("inf.npy", func(x []float64) []float64 { x[3] = math.Inf(1); return x }, 64, 16)
	shortK := bad("short.npy", func(x []float64) []float64 { return x[:32*16] }, 32, 16)
	narrowV := bad("narrow.npy", func(x []float64) []float64 { return x[:64*8] }, 64, 8)
	vec := bad("vec.npy", func(x []float64) []float64 { return x }, 64*16)
	garbage := filepath.Join(dir, "garbage.npy")
	os.WriteFile(garbage, []byte("this is not a numpy file at all"), 0o644)
	raw, _ := os.ReadFile(gq)
	truncated := filepath.Join(dir, "trunc.npy")
	os.WriteFile(truncated, raw[:len(raw)-5], 0o644)

	outDir := filepath.Join(dir, "out")
	os.Mkdir(outDir, 0o755)
	out := filepath.Join(outDir, "o.npy")
	qkv := []string{"--q", gq, "--k", gk, "--v", gv}
	with := func(extra ...string) []string {
		return append(append([]string{"ref"}, qkv...), extra...)
	}
	swap := func(flag, path string, extra ...string) []string {
		a := with(extra...)
		a[slices.Index(a, flag)+1] = path
		return a
	}
	for _, c := range []struct {
		name string
		args []string
		want []string
	}{
		{"no-flags", []string{"ref"}, []string{"--q is required"}},
		{"no-k", []string{"ref", "--q", gq, "--v", gv, "--window", "8", "--out", out}, []string{"--k is required"}},
		{"no-v", []string{"ref", "--q", gq, "--k", gk, "--window", "8", "--out", out}, []string{"--v is required"}},
		{"no-out", with("--window", "8"), []string{"--out is required"}},
		{"no-window", with("--out", out), []string{"--window is required unless --dense"}},
		{"negative-window", with("--window", "-1", "--out", out), []string{"--window = -1: must be >= 0"}},
		{"causal-window-0", with("--window", "0", "--causal", "--out", out), []string{"--window = 0: must be >= 1"}},
		{"window-not-int", with("--window", "eight", "--out", out), []string{"--window", "eight"}},
		{"unknown-flag", with("--window", "8", "--out", out, "--bogus"), []string{"unknown flag: --bogus"}},
		{"stray-arg", with("--window", "8", "--out", out, "extra"), []string{"unknown command", "extra"}},
		{"global-range", with("--window", "8", "--global", "65", "--out", out), []string{"--global = 65", "[0, 64]"}},
		{"global-negative", with("--window", "8", "--global", "-1", "--out", out), []string{"--global = -1", "[0, N]"}},
		{"sinks-range", with("--window", "8", "--sinks", "100", "--out", out), []string{"--sinks = 100", "[0, 64]"}},
		{"scale-negative", with("--window", "8", "--scale", "-0.5", "--out", out), []string{"--scale = -0.5", "> 0"}},
		{"scale-nan", with("--window", "8", "--scale", "NaN", "--out", out), []string{"--scale = NaN"}},
		{"scale-inf", with("--window", "8", "--scale", "+Inf", "--out", out), []string{"--scale = +Inf"}},
		{"scale-zero", with("--window", "8", "--scale", "0", "--out", out), []string{"--scale = 0", "> 0"}},
		{"arith-unknown", with("--window", "8", "--arith", "fixed99", "--out", out), []string{"--arith", "fixed99", "allowed: fixed12, fixed16, fixed8, float64"}},
		{"arith-custom-range", with("--window", "8", "--arith", "custom:in_bits=2", "--out", out), []string{"--arith", "in_bits = 2: must be in [4, 24]"}},
		{"arith-custom-key", with("--window", "8", "--arith", "custom:foo=1", "--out", out), []string{"--arith", "arith.foo: unknown field"}},
		{"q-missing-file", swap("--q", filepath.Join(dir, "nope.npy"), "--window", "8", "--out", out), []string{"--q", "nope.npy", "no such file"}},
		{"q-garbage", swap("--q", garbage, "--window", "8", "--out", out), []string{"--q", garbage, "not a .npy file"}},
		{"q-truncated", swap("--q", truncated, "--window", "8", "--out", out), []string{"--q", "truncated data"}},
		{"q-rank1", swap("--q", vec, "--window", "8", "--out", out), []string{"--q", "[1024]", "rank 2 [N,D] or rank 3 [H,N,D]"}},
		{"q-nan", swap("--q", nanQ, "--window", "8", "--out", out), []string{"q: element 17", "NaN", "finite"}},
		{"v-inf", swap("--v", infV, "--window", "8", "--out", out), []string{"v: element 3", "+Inf"}},
		{"k-tokens", swap("--k", shortK, "--window", "8", "--out", out), []string{"shape mismatch", "k [32 16]"}},
		{"v-head-dim", swap("--v", narrowV, "--window", "8", "--out", out), []string{"head dim mismatch", "v D=8"}},
		{"out-dir-missing", with("--window", "8", "--out", filepath.Join(dir, "no", "o.npy")), []string{"no such file or directory"}},
		{"out-is-dir", with("--window", "8", "--out", outDir), []string{outDir}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, c.args...)
			if code != 1 {
				t.Errorf("exit %d, want 1; stderr %q", code, stderr)
			}
			if !strings.HasPrefix(stderr, "swatsim: ") || strings.Contains(stderr, "panic") || strings.Count(stderr, "\n") != 1 {
				t.Errorf("stderr %q: want one line starting with swatsim:", stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
			if stdout != "" {
				t.Errorf("stdout %q on error", stdout)
			}
			if names := dirNames(t, outDir); len(names) != 0 {
				t.Errorf("left in the output directory: %v", names)
			}
		})
	}
	// An existing output survives a failed run unchanged.
	old := []byte("previous result")
	os.WriteFile(out, old, 0o644)
	if code, _, _ := runCLI(t, swap("--q", nanQ, "--window", "8", "--out", out)...); code != 1 {
		t.Errorf("exit %d", code)
	}
	if b, _ := os.ReadFile(out); string(b) != string(old) {
		t.Error("a failed run changed the existing output")
	}
}
