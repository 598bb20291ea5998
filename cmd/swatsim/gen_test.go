package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/swatsim/swatsim/reference"
	"github.com/swatsim/swatsim/traces"
)

var small = []string{"--heads", "2", "--tokens", "40", "--head-dim", "16"}

func gen(t *testing.T, dir string, args ...string) {
	t.Helper()
	code, stdout, stderr := runCLI(t, append([]string{"gen", "--out-dir", dir}, args...)...)
	if code != 0 {
		t.Fatalf("gen %v: exit %d: %s", args, code, stderr)
	}
	if !strings.Contains(stdout, "wrote "+dir) {
		t.Errorf("stdout %q", stdout)
	}
}

func readFiles(t *testing.T, dir string) [][]byte {
	t.Helper()
	var out [][]byte
	for _, n := range []string{"q", "k", "v"} {
		b, err := os.ReadFile(filepath.Join(dir, n+".npy"))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func TestGenDeterministic(t *testing.T) {
	root := t.TempDir()
	a, b, c := filepath.Join(root, "a"), filepath.Join(root, "b", "nested"), filepath.Join(root, "c")
	gen(t, a, append(small, "--seed", "42")...)
	gen(t, b, append(small, "--seed", "42")...)
	gen(t, c, append(small, "--seed", "43")...)
	fa, fb, fc := readFiles(t, a), readFiles(t, b), readFiles(t, c)
	for i := range fa {
		if !bytes.Equal(fa[i], fb[i]) {
			t.Errorf("file %d: same seed, different bytes", i)
		}
		if bytes.Equal(fa[i], fc[i]) {
			t.Errorf("file %d: different seeds, same bytes", i)
		}
	}
}

// TestGenFlags: every synth flag sets its SynthParams field; the files
// hold exactly traces.Generate's data.
func TestGenFlags(t *testing.T) {
	base := func() traces.SynthParams {
		p := traces.DefaultSynthParams()
		p.Heads, p.Tokens, p.HeadDim = 2, 40, 16
		return p
	}
	for _, c := range []struct {
		name string
		args []string
		set  func(p *traces.SynthParams)
	}{
		{"defaults", nil, func(p *traces.SynthParams) {}},
		{"seed", []string{"--seed", "9"}, func(p *traces.SynthParams) { p.Seed = 9 }},
		{"query-mean", []string{"--query-mean", "2.5"}, func(p *traces.SynthParams) { p.QueryMean = 2.5 }},
		{"sink", []string{"--sink-strength", "0"}, func(p *traces.SynthParams) { p.SinkStrength = 0 }},
		{"outliers", []string{"--outlier-channels", "2", "--outlier-scale", "20"}, func(p *traces.SynthParams) { p.OutlierChannels, p.OutlierScale = 2, 20 }},
		{"key-rank", []string{"--key-rank", "3", "--key-noise", "0"}, func(p *traces.SynthParams) { p.KeyRank, p.KeyNoise = 3, 0 }},
		{"heavy", []string{"--heavy-hitters", "3", "--heavy-strength", "5"}, func(p *traces.SynthParams) { p.HeavyHitters, p.HeavyStrength = 3, 5 }},
		{"rope", []string{"--rope=false"}, func(p *traces.SynthParams) { p.RoPE = false }},
		{"rope-base", []string{"--rope-base", "500000"}, func(p *traces.SynthParams) { p.RoPEBase = 500000 }},
		// Size-dependent defaults follow the sizes.
		{"tiny", []string{"--tokens", "3", "--head-dim", "2"}, func(p *traces.SynthParams) {
			p.Tokens, p.HeadDim, p.HeavyHitters, p.KeyRank, p.OutlierChannels = 3, 2, 2, 2, 2
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "g")
			gen(t, dir, append(slices.Clone(small), c.args...)...)
			p := base()
			c.set(&p)
			q, k, v, err := traces.Generate(p)
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range []*reference.Tensor{q, k, v} {
				got := mustReadTensor(t, filepath.Join(dir, []string{"q", "k", "v"}[i]+".npy"))
				if !slices.Equal(got.Shape(), want.Shape()) || !slices.Equal(got.Data, want.Data) {
					t.Errorf("%s differs from traces.Generate(%+v)", []string{"q", "k", "v"}[i], p)
				}
			}
		})
	}
}

func TestGenDTypes(t *testing.T) {
	p := traces.DefaultSynthParams()
	p.Heads, p.Tokens, p.HeadDim = 2, 40, 16
	_, k, _, _ := traces.Generate(p)
	for _, dt := range []string{"float32", "float16"} {
		dir := filepath.Join(t.TempDir(), dt)
		gen(t, dir, append(slices.Clone(small), "--dtype", dt)...)
		a, err := traces.ReadArray(filepath.Join(dir, "k.npy"))
		if err != nil {
			t.Fatal(err)
		}
		if a.DType != dt || !slices.Equal(a.Shape, []int{2, 40, 16}) {
			t.Fatalf("%s: read %s %v", dt, a.DType, a.Shape)
		}
		for i, x := range k.Data {
			want := float64(float32(x))
			if dt == "float16" {
				want = reference.Float16ToFloat64(reference.Float16FromFloat64(x))
			}
			if a.Data[i] != want {
				t.Fatalf("%s element %d: %v, want %v", dt, i, a.Data[i], want)
			}
		}
	}
}

func TestGenErrors(t *testing.T) {
	root := t.TempDir()
	file := filepath.Join(root, "file")
	os.WriteFile(file, nil, 0o644)
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"no-out-dir", []string{"gen"}, "--out-dir is required"},
		{"dtype", []string{"--dtype", "int8"}, `--dtype = "int8": allowed float64, float32, float16`},
		{"heads", []string{"--heads", "0"}, "--heads = 0: must be in [1, 4096]"},
		{"tokens", []string{"--tokens", "-1"}, "--tokens = -1: must be in [1, 16777216]"},
		{"head-dim-odd", []string{"--head-dim", "15"}, "--head-dim = 15: must be even when rope is on"},
		{"size", []string{"--heads", "4096", "--tokens", "1000000"}, "--heads * --tokens * --head-dim = 65536000000: must be at most 268435456"},
		{"query-mean", []string{"--query-mean", "-1"}, "--query-mean = -1: must be in [0, 100]"},
		{"query-mean-0", []string{"--query-mean", "0"}, "--query-mean = 0: must be > 0 when sink_strength"},
		{"sink", []string{"--sink-strength", "NaN"}, "--sink-strength = NaN: must be in [0, 100]"},
		{"outlier-channels", []string{"--outlier-channels", "17"}, "--outlier-channels = 17: must be in [0, 16]"},
		{"outlier-scale", []string{"--outlier-scale", "0"}, "--outlier-scale = 0: must be in [1, 10000]"},
		{"key-rank", []string{"--key-rank", "99"}, "--key-rank = 99: must be in [0, 16]"},
		{"key-noise", []string{"--key-noise", "-0.1"}, "--key-noise = -0.1: must be in [0, 100]"},
		{"heavy-hitters", []string{"--heavy-hitters", "40"}, "--heavy-hitters = 40: must be in [0, 39]"},
		{"heavy-strength", []string{"--heavy-strength", "1000"}, "--heavy-strength = 1000: must be in [0, 100]"},
		{"rope-base", []string{"--rope-base", "1"}, "--rope-base = 1: must be in (1, 1e12]"},
		{"seed", []string{"--seed", "-1"}, "--seed"},
		{"float16-overflow", []string{"--dtype", "float16", "--tokens", "1000", "--key-rank", "1", "--key-noise", "0", "--outlier-channels", "16", "--outlier-scale", "10000"}, "out of float16 range"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(root, c.name)
			args := c.args
			if c.name != "no-out-dir" {
				args = append([]string{"gen", "--out-dir", dir}, append(slices.Clone(small), c.args...)...)
			}
			code, stdout, stderr := runCLI(t, args...)
			if code != 1 || !strings.Contains(stderr, c.want) || stdout != "" {
				t.Errorf("exit %d, stderr %q, stdout %q; want 1 and %q", code, stderr, stdout, c.want)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("%s exists after the error: %v", dir, dirNames(t, dir))
			}
		})
	}
	code, _, stderr := runCLI(t, "gen", "--out-dir", file)
	if code != 1 || !strings.Contains(stderr, "not a directory") {
		t.Errorf("--out-dir of a file: exit %d, %q", code, stderr)
	}
	// The float16 range error leaves an existing directory as it was.
	dir := filepath.Join(root, "existing")
	os.Mkdir(dir, 0o755)
	code, _, _ = runCLI(t, "gen", "--out-dir", dir, "--dtype", "float16", "--key-rank", "1", "--key-noise", "0", "--outlier-channels", "64", "--outlier-scale", "10000")
	if names := dirNames(t, dir); code != 1 || len(names) != 0 {
		t.Errorf("exit %d, directory holds %v", code, names)
	}
}
