package main

import (
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/swatsim/swatsim/dataflow"
)

// hostileCase is one command line a hostile but realistic user might type,
// with the exit code and a fragment of what swatsim must print (stderr for
// errors, stdout and stderr for successes).
type hostileCase struct {
	args []string          // {in}/NAME and {out}/NAME are replaced
	env  map[string]string // extra environment
	code int
	want string
}

// hostileFixtures writes the inputs the cases name under in: smallSets
// tensors, extreme ones and config files.
func hostileFixtures(t *testing.T, in string) {
	t.Helper()
	const n, d = 32, 16
	fill := func(f func(i int) float64) []float64 {
		x := make([]float64, n*d)
		for i := range x {
			x[i] = f(i)
		}
		return x
	}
	wave := func(s float64) func(int) float64 {
		return func(i int) float64 { return s * math.Sin(float64(i)*0.37+s) }
	}
	shape := []int{1, n, d}
	mustWrite(t, filepath.Join(in, "q.npy"), shape, fill(wave(1)), "float64")
	mustWrite(t, filepath.Join(in, "k.npy"), shape, fill(wave(2)), "float64")
	mustWrite(t, filepath.Join(in, "v.npy"), shape, fill(wave(3)), "float64")
	mustWrite(t, filepath.Join(in, "k33.npy"), []int{1, n + 1, d}, make([]float64, (n+1)*d), "float64")
	mustWrite(t, filepath.Join(in, "huge.npy"), shape, fill(func(int) float64 { return 1e200 }), "float64")
	mustWrite(t, filepath.Join(in, "bigv.npy"), shape, fill(func(i int) float64 { return 1e6 * float64(i%3-1) }), "float64")
	mustWrite(t, filepath.Join(in, "nan.npy"), shape, fill(func(i int) float64 { return [2]float64{1, math.NaN()}[i%2] }), "float64")
	mustWrite(t, filepath.Join(in, "l4.npy"), []int{2, 1, n, d}, make([]float64, 2*n*d), "float64")
	files := map[string]string{
		"heads25.yaml":   "model:\n  heads: 2.5\n",
		"model5.yaml":    "model: 5\n",
		"causalyes.yaml": "model:\n  causal: yes\n",
		"twodoc.yaml":    "model:\n  heads: 2\n---\nmodel:\n  heads: 3\n",
		"dupkey.yaml":    "model:\n  heads: 2\n  heads: 3\n",
		"unknown.yaml":   "model:\n  windw: 4\n",
		"list.yaml":      "- 1\n- 2\n",
		"broken.yaml":    "model: [\n",
		"nanclock.yaml":  "hw:\n  clock_mhz: .nan\n",
		"infbw.yaml":     "memory:\n  channel_gbps: .inf\n",
		"exp.yaml":       "model:\n  seq_len: 1e3\n",
		"small.yaml":     "model:\n  seq_len: 256\n  window: 64\n",
		"empty.yaml":     "",
		"kvbad.yaml":     "kv:\n  nosuch: 1\n",
		"text.npy":       "not an npy file\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(in, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("/dev/null", filepath.Join(in, "null-link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(in, "adir"), 0o755); err != nil {
		t.Fatal(err)
	}
}

// Short forms for the cases.
var (
	qkv       = []string{"--q", "{in}/q.npy", "--k", "{in}/k.npy", "--v", "{in}/v.npy"}
	smallSets = []string{"--set", "model.seq_len=256", "--set", "model.window=64"}
	kvSyn     = []string{"kv", "--seed", "1", "--tokens", "64", "--heads", "1", "--head-dim", "16", "--steps", "4"}
)

func cat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func args(s ...string) []string { return s }

// hostileCases is the table: every command, bad input and edge.
var hostileCases = []hostileCase{
	// The command line itself.
	{args: args("nosuch"), code: 1, want: `unknown command "nosuch"`},
	{args: args("sim", "--bogus"), code: 1, want: "unknown flag: --bogus"},
	{args: args("sim", "extra"), code: 1, want: `unknown command "extra"`},
	{args: args("ref", "--q"), code: 1, want: "flag needs an argument: --q"},
	{args: args("sim", "--max-memory", "lots", "--timing-only"), code: 1, want: `--max-memory = "lots": must be auto, 0 (no limit) or a size`},

	// ref: flags.
	{args: args("ref"), code: 1, want: "--q is required"},
	{args: cat(args("ref"), qkv), code: 1, want: "--out is required"},
	{args: cat(args("ref", "--out", "{out}/o.npy"), qkv), code: 1, want: "--window is required unless --dense"},
	{args: cat(args("ref", "--out", "{out}/o.npy", "--window", "-1"), qkv), code: 1, want: "--window = -1: must be >= 0"},
	{args: cat(args("ref", "--out", "{out}/o.npy", "--window", "0", "--causal"), qkv), code: 1, want: "--window = 0: must be >= 1"},
	{args: cat(args("ref", "--out", "{out}/o.npy", "--window", "x"), qkv), code: 1, want: `--window = "x": must be an integer`},
	{args: cat(args("ref", "--out", "{out}/o.npy", "--window", "4", "--scale", "NaN"), qkv), code: 1, want: "--scale = NaN: must be finite and > 0"},
	{args: cat(args("ref", "--out", "{out}/o.npy", "--window", "4", "--scale", "-Inf"), qkv), code: 1, want: "--scale = -Inf: must be finite"},
	{args: cat(args("ref", "--out", "{out}/o.npy", "--window", "4", "--scale", "0"), qkv), code: 1, want: "--scale = 0: must be > 0"},
	{args: cat(args("ref", "--out", "{out}/o.npy", "--window", "4", "--scale", "abc"), qkv), code: 1, want: `--scale = "abc": must be a number`},
	{args: cat(args("ref", "--out", "{out}/o.npy", "--window", "4", "--causal=maybe"), qkv), code: 1, want: `--causal = "maybe": must be true or false`},
	{args: cat(args("ref", "--out", "{out}/o.npy", "--window", "4", "--global", "33"), qkv), code: 1, want: "--global = 33, --sinks = 0: must be in [0, 32]"},
	{args: cat(args("ref", "--out", "{out}/o.npy", "--window", "4", "--sinks", "-1"), qkv), code: 1, want: "must be in [0, N]"},
	{args: cat(args("ref", "--out", "{out}/o.npy", "--window", "4", "--layer", "-2"), qkv), code: 1, want: "--layer = -2: must be >= 0"},
	{args: cat(args("ref", "--out", "{out}/o.npy", "--window", "4", "--layer", "0"), qkv), code: 1, want: "--q"},
	{args: args("ref", "--out", "{out}/o.npy", "--window", "4", "--q", "{in}/l4.npy", "--k", "{in}/l4.npy", "--v", "{in}/l4.npy"), code: 1, want: "select a layer with --layer, in [0, 1]"},
	{args: cat(args("ref", "--out", "{out}/o.npy", "--window", "4", "--arith", "fixed99"), qkv), code: 1, want: `arith "fixed99": unknown preset`},
	{args: cat(args("ref", "--out", "{out}/o.npy", "--window", "4", "--arith", "custom:lut_bits=30"), qkv), code: 1, want: "arith.lut_bits = 30: must be in [1, 12]"},
	{args: cat(args("ref", "--out", "{out}/o.npy", "--window", "4", "--arith", "custom:lut_bits=8,lut_bits=9"), qkv), code: 1, want: "lut_bits is given twice"},
	{args: cat(args("ref", "--out", "{out}/o.npy", "--window", "4", "--arith", "custom:coef_frac=4"), qkv), code: 1, want: "which the other fields make empty ([6, 4]); change the fields named there (score_frac was not given"},
	{args: cat(args("ref", "--out", "{out}/o.npy", "--window", "4", "--arith", "custom:nosuch=1"), qkv), code: 1, want: "arith.nosuch: unknown field"},
	{args: cat(args("ref", "--out", "{out}/o.npy", "--window", "4", "--arith", "custom:interp=maybe"), qkv), code: 1, want: `arith.interp = "maybe": want true or false`},
	{args: cat(args("ref", "--out", "{out}/o.npy", "--window", "4", "--arith", "custom:in_bits=x"), qkv), code: 1, want: `arith.in_bits = "x": want an integer`},
	// ref: files.
	{args: args("ref", "--out", "{out}/o.npy", "--window", "4", "--q", "{in}/missing.npy", "--k", "{in}/k.npy", "--v", "{in}/v.npy"), code: 1, want: "no such file"},
	{args: args("ref", "--out", "{out}/o.npy", "--window", "4", "--q", "{in}/text.npy", "--k", "{in}/k.npy", "--v", "{in}/v.npy"), code: 1, want: "--q"},
	{args: args("ref", "--out", "{out}/o.npy", "--window", "4", "--q", "{in}/q.npy", "--k", "{in}/k33.npy", "--v", "{in}/v.npy"), code: 1, want: "shape"},
	{args: args("ref", "--out", "{out}/o.npy", "--window", "4", "--q", "{in}/nan.npy", "--k", "{in}/k.npy", "--v", "{in}/v.npy"), code: 1, want: "is NaN"},
	{args: args("ref", "--out", "{out}/o.npy", "--window", "4", "--q", "{in}/huge.npy", "--k", "{in}/huge.npy", "--v", "{in}/v.npy"), code: 1, want: "float64 attention overflows at head 0, row 0"},
	{args: cat(args("ref", "--out", "{in}/q.npy", "--window", "4"), qkv), code: 1, want: "is also the input --q"},
	{args: cat(args("ref", "--out", "{in}/adir", "--window", "4"), qkv), code: 1, want: "is a directory"},
	{args: cat(args("ref", "--out", "{out}/no/o.npy", "--window", "4"), qkv), code: 1, want: "no such file or directory"},
	{args: cat(args("ref", "--out", "{out}/o.npy", "--window", "4", "--max-memory", "1KiB"), qkv), code: 1, want: "ref needs about"},
	// ref: what works.
	{args: cat(args("ref", "--out", "{out}/o.npy", "--window", "8", "--causal"), qkv), code: 0, want: "wrote"},
	{args: cat(args("ref", "--out", "/dev/null", "--window", "8"), qkv), code: 0, want: "wrote /dev/null"},
	{args: cat(args("ref", "--out", "{in}/null-link", "--window", "8"), qkv), code: 0, want: "wrote"},
	{args: cat(args("ref", "--out", "{out}/o.npy", "--dense", "--arith", "fixed16"), qkv), code: 0, want: "saturated: q=0 k=0 v=0"},
	{args: args("ref", "--out", "{out}/o.npy", "--window", "4", "--arith", "fixed16", "--q", "{in}/q.npy", "--k", "{in}/k.npy", "--v", "{in}/bigv.npy"), code: 0, want: "input elements saturated"},
	{args: args("ref", "--out", "{out}/o.npy", "--window", "4", "--q", "{in}/q.npy", "--k", "{in}/k.npy", "--v", "{in}/huge.npy"), code: 0, want: "wrote"},

	// gen.
	{args: args("gen"), code: 1, want: "--out-dir is required"},
	{args: args("gen", "--out-dir", "{out}/g", "--seed", "-1"), code: 1, want: `--seed = "-1": must be an integer >= 0`},
	{args: args("gen", "--out-dir", "{out}/g", "--tokens", "0"), code: 1, want: "--tokens = 0: must be in [1, 16777216]"},
	{args: args("gen", "--out-dir", "{out}/g", "--heads", "abc"), code: 1, want: `--heads = "abc": must be an integer`},
	{args: args("gen", "--out-dir", "{out}/g", "--heads", "1.5"), code: 1, want: `--heads = "1.5": must be an integer`},
	{args: args("gen", "--out-dir", "{out}/g", "--dtype", "int8"), code: 1, want: `--dtype = "int8": allowed float64, float32, float16`},
	{args: args("gen", "--out-dir", "{out}/g", "--head-dim", "15"), code: 1, want: "even when rope is on"},
	{args: args("gen", "--out-dir", "{out}/g", "--rope=maybe"), code: 1, want: `--rope = "maybe": must be true or false`},
	{args: args("gen", "--out-dir", "{out}/g", "--query-mean", "NaN"), code: 1, want: "--query-mean"},
	{args: args("gen", "--out-dir", "{out}/g", "--rope-base", "1"), code: 1, want: "--rope-base"},
	{args: args("gen", "--out-dir", "{out}/g", "--heads", "16", "--tokens", "16777216", "--head-dim", "2"), code: 1, want: "--heads * --tokens * --head-dim = 536870912: must be at most 268435456"},
	{args: args("gen", "--out-dir", "{out}/g", "--heads", "4", "--tokens", "1048576", "--head-dim", "64", "--max-memory", "1GiB"), code: 1, want: "gen needs about 12.0 GiB"},
	{args: args("gen", "--out-dir", "{in}/q.npy"), code: 1, want: "not a directory"},
	{args: args("gen", "--out-dir", "{out}/g", "--tokens", "16", "--heads", "1", "--head-dim", "8"), code: 0, want: "wrote"},
	{args: args("gen", "--out-dir", "{out}/g", "--tokens", "16", "--heads", "1", "--head-dim", "8", "--dtype", "float16"), code: 0, want: "float16"},

	// sim: the design point (the one loader).
	{args: cat(args("sim", "--timing-only", "--set", "hw.clock_mhz=NaN"), smallSets), code: 1, want: `hw.clock_mhz = "NaN" (from --set): must be a finite number`},
	{args: cat(args("sim", "--timing-only", "--set", "memory.channel_gbps=NaN"), smallSets), code: 1, want: "memory.channel_gbps"},
	{args: cat(args("sim", "--timing-only", "--set", "memory.latency_ns=Inf"), smallSets), code: 1, want: `memory.latency_ns = "Inf" (from --set): must be a finite number`},
	// sim: the pipeline latencies (hw.latency.*), out of range on either side, and not integers.
	{args: cat(args("sim", "--timing-only", "--set", "hw.latency.acc=0"), smallSets), code: 1, want: "hw.latency.acc = 0: must be in [1, 8]"},
	{args: cat(args("sim", "--timing-only", "--set", "hw.latency.acc=9"), smallSets), code: 1, want: "hw.latency.acc = 9: must be in [1, 8]"},
	{args: cat(args("sim", "--timing-only", "--set", "hw.latency.norm=0"), smallSets), code: 1, want: "hw.latency.norm = 0: must be in [1, 8]"},
	{args: cat(args("sim", "--timing-only", "--set", "hw.latency.norm=-3"), smallSets), code: 1, want: "hw.latency.norm = -3: must be in [1, 8]"},
	{args: cat(args("sim", "--timing-only", "--set", "hw.latency.recip=3"), smallSets), code: 1, want: "hw.latency.recip = 3: must be in [1, 2]"},
	{args: cat(args("sim", "--timing-only", "--set", "hw.latency.recip=0"), smallSets), code: 1, want: "hw.latency.recip = 0: must be in [1, 2]"},
	{args: cat(args("sim", "--timing-only", "--set", "hw.latency.score=65"), smallSets), code: 1, want: "hw.latency.score = 65: must be in [1, 64]"},
	{args: cat(args("sim", "--timing-only", "--set", "hw.latency.acc=1.5"), smallSets), code: 1, want: "hw.latency.acc = 1.5 (from --set): must be an integer"},
	{args: args("cosim", "--set", "hw.latency.norm=9"), code: 1, want: "hw.latency.norm = 9: must be in [1, 8]"},
	{args: args("synth", "--target", "ice40", "--pnr", "--set", "hw.latency.recip=5"), code: 1, want: "hw.latency.recip = 5: must be in [1, 2]"},
	{args: cat(args("sim", "--timing-only", "--set", "energy.mac_pj=NaN"), smallSets), code: 1, want: "energy.mac_pj"},
	{args: cat(args("sim", "--timing-only", "--set", "energy.static_w=-.inf"), smallSets), code: 1, want: "energy.static_w = -.inf (from --set): must be a finite number"},
	{args: cat(args("sim", "--timing-only", "--set", "memory.host_gbps=nan"), smallSets), code: 1, want: "memory.host_gbps"},
	{args: cat(args("sim", "--timing-only", "--set", "model.scale=1e999"), smallSets), code: 1, want: "model.scale"},
	{args: cat(args("sim", "--timing-only", "--set", "model.heads=2.5"), smallSets), code: 1, want: "model.heads = 2.5 (from --set): must be an integer"},
	{args: cat(args("sim", "--timing-only", "--set", "model.heads=1e3"), smallSets), code: 1, want: "model.heads = 1e3 (from --set): must be an integer"},
	{args: cat(args("sim", "--timing-only", "--set", "model.causal=yes"), smallSets), code: 1, want: `model.causal = "yes" (from --set): must be true or false`},
	{args: cat(args("sim", "--timing-only", "--set", "model.causal=1"), smallSets), code: 1, want: "must be true or false"},
	{args: cat(args("sim", "--timing-only", "--set", "model=5"), smallSets), code: 1, want: "model is a group of keys"},
	{args: cat(args("sim", "--timing-only", "--set", "model.nosuch=5"), smallSets), code: 1, want: "--set model.nosuch: unknown key"},
	{args: cat(args("sim", "--timing-only", "--set", "model.heads"), smallSets), code: 1, want: "want key=value"},
	{args: cat(args("sim", "--timing-only", "--set", "model.heads="), smallSets), code: 1, want: "needs a value"},
	{args: cat(args("sim", "--timing-only", "--set", "model.heads=0"), smallSets), code: 1, want: "model.heads = 0: must be in [1, 4096]"},
	{args: args("sim", "--timing-only", "--set", "model.window=0", "--set", "model.seq_len=256"), code: 1, want: "a causal window must be in [1,"},
	{args: cat(args("sim", "--timing-only", "--set", "hw.vector_width=7"), smallSets), code: 1, want: "hw.vector_width = 7: must divide model.head_dim = 64"},
	{args: cat(args("sim", "--timing-only", "--set", "hw.clock_mhz=0"), smallSets), code: 1, want: "hw.clock_mhz = 0: must be in (0, 5000]"},
	{args: cat(args("sim", "--timing-only", "--set", "hw.burst_bytes=32"), smallSets), code: 1, want: "hw.burst_bytes = 32: must be in [64,"},
	{args: cat(args("sim", "--timing-only", "--set", "hw.kv_buffer_rows=10"), smallSets), code: 1, want: "hw.kv_buffer_rows = 10: the window"},
	{args: cat(args("sim", "--timing-only", "--set", "memory.kind=sram"), smallSets), code: 1, want: `memory.kind = "sram": must be one of hbm2, ddr4, ideal`},
	{args: cat(args("sim", "--timing-only", "--set", "memory.model=dram", "--set", "memory.kind=ideal"), smallSets), code: 1, want: "needs memory.kind hbm2 or ddr4"},
	{args: cat(args("sim", "--timing-only", "--set", "arch=sparse"), smallSets), code: 1, want: `arch = "sparse": must be one of swat, dense`},
	{args: cat(args("sim", "--timing-only", "--set", "arith=float64"), smallSets), code: 1, want: "the accelerator needs a fixed-point arithmetic"},
	{args: cat(args("sim", "--timing-only", "--arith", "custom:lut_bits=30"), smallSets), code: 1, want: "arith.lut_bits = 30: must be in [1, 12]"},
	{args: cat(args("sim", "--timing-only", "--set", "model.window=abc"), smallSets), code: 1, want: `model.window = "abc" (from --set): must be an integer`},
	{args: args("sim", "--timing-only"), env: map[string]string{"SWATSIM_MODEL_WINDOW": "abc"}, code: 1, want: `model.window = "abc" (from SWATSIM_MODEL_WINDOW): must be an integer`},
	{args: args("sim", "--timing-only"), env: map[string]string{"SWATSIM_HW_CLOCK_MHZ": "NaN"}, code: 1, want: "(from SWATSIM_HW_CLOCK_MHZ): must be a finite number"},
	{args: cat(args("sim", "--timing-only"), smallSets), env: map[string]string{"SWATSIM_MODEL_WINDOWX": "4"}, code: 0, want: "SWATSIM_MODEL_WINDOWX names no configuration key"},
	{args: args("sim", "--timing-only", "--set", "model.window=64"), env: map[string]string{"SWATSIM_MODEL_SEQ_LEN": "256"}, code: 0, want: "1 heads x 256 tokens"},
	{args: args("sim", "--timing-only", "--config", "{in}/heads25.yaml"), code: 1, want: "model.heads = 2.5 (from {in}/heads25.yaml line 2): must be an integer"},
	{args: args("sim", "--timing-only", "--config", "{in}/model5.yaml"), code: 1, want: "model = 5 (from {in}/model5.yaml line 1): must be a map with keys causal,"},
	{args: args("sim", "--timing-only", "--config", "{in}/causalyes.yaml"), code: 1, want: `model.causal = "yes"`},
	{args: args("sim", "--timing-only", "--config", "{in}/twodoc.yaml"), code: 1, want: "a second YAML document starts at line 3; a config file holds one document"},
	{args: args("sim", "--timing-only", "--config", "{in}/dupkey.yaml"), code: 1, want: "key model.heads is given twice"},
	{args: args("sim", "--timing-only", "--config", "{in}/unknown.yaml"), code: 1, want: `unknown key "model.windw"`},
	{args: args("sim", "--timing-only", "--config", "{in}/list.yaml"), code: 1, want: "the top level must be a map of keys"},
	{args: args("sim", "--timing-only", "--config", "{in}/broken.yaml"), code: 1, want: "not valid YAML"},
	{args: args("sim", "--timing-only", "--config", "{in}/nanclock.yaml"), code: 1, want: "hw.clock_mhz = .nan"},
	{args: args("sim", "--timing-only", "--config", "{in}/infbw.yaml"), code: 1, want: "memory.channel_gbps = .inf"},
	{args: args("sim", "--timing-only", "--config", "{in}/exp.yaml"), code: 1, want: "model.seq_len = 1e3"},
	{args: args("sim", "--timing-only", "--config", "{in}/missing.yaml"), code: 1, want: "--config: open"},
	{args: args("sim", "--timing-only", "--config", "{in}/adir"), code: 1, want: "is a directory"},
	{args: args("sim", "--timing-only", "--config", "{in}/small.yaml", "--set", "model.heads=2.5"), code: 1, want: "model.heads = 2.5 (from --set)"},
	{args: args("sim", "--timing-only", "--config", "{in}/small.yaml"), code: 0, want: "1 heads x 256 tokens"},
	{args: cat(args("sim", "--timing-only", "--config", "{in}/empty.yaml"), smallSets), code: 0, want: "1 heads x 256 tokens"},
	// sim: flags and outputs.
	{args: cat(args("sim", "--timing-only", "--out", "{out}/o.npy"), smallSets), code: 1, want: "--timing-only computes no values"},
	{args: cat(args("sim", "--q", "{in}/q.npy"), smallSets), code: 1, want: "--q, --k and --v go together"},
	{args: cat(args("sim", "--trace-blocks", "0", "--timing-only"), smallSets), code: 1, want: "--trace-blocks = 0: must be >= 1"},
	{args: cat(args("sim", "--seed", "-1"), smallSets), code: 1, want: `--seed = "-1": must be an integer >= 0`},
	{args: cat(args("sim", "--timing-only=perhaps"), smallSets), code: 1, want: `--timing-only = "perhaps": must be true or false`},
	{args: cat(args("sim", "--out", "{out}/o.npy", "--report", "{out}/o.npy"), smallSets), code: 1, want: "--out {out}/o.npy and --report {out}/o.npy name the same file"},
	{args: cat(args("sim", "--report", "{out}/r.json", "--trace", "{out}/r.json", "--timing-only"), smallSets), code: 1, want: "name the same file"},
	{args: cat(args("sim", "--out", "{in}/q.npy"), qkv), code: 1, want: "--out {in}/q.npy is also the input --q"},
	{args: cat(args("sim", "--report", "{in}/small.yaml", "--config", "{in}/small.yaml", "--timing-only")), code: 1, want: "is also the input --config"},
	{args: cat(args("sim", "--report", "{out}/nodir/r.json", "--timing-only"), smallSets), code: 1, want: "--report {out}/nodir/r.json: directory"},
	{args: cat(args("sim", "--trace", "{in}/adir", "--timing-only"), smallSets), code: 1, want: "--trace {in}/adir: is a directory"},
	{args: cat(args("sim", "--memprofile", "{out}/nodir/m.prof", "--timing-only"), smallSets), code: 1, want: "--memprofile {out}/nodir/m.prof"},
	{args: cat(args("sim", "--cpuprofile", "{out}/nodir/c.prof", "--timing-only"), smallSets), code: 1, want: "--cpuprofile {out}/nodir/c.prof"},
	{args: cat(args("sim", "--set", "model.seq_len=1048576", "--set", "model.heads=64", "--max-memory", "4GiB"), smallSets[2:]), code: 1, want: "sim needs about 512.0 GiB"},
	{args: cat(args("sim", "--set", "hw.kv_buffer_rows=16777216"), smallSets), code: 0, want: "bit-exact"},
	{args: args("sim", "--set", "model.window=8", "--q", "{in}/q.npy", "--k", "{in}/k.npy", "--v", "{in}/huge.npy"), code: 0, want: "bit-exact"},
	{args: args("sim", "--set", "model.window=8", "--q", "{in}/huge.npy", "--k", "{in}/huge.npy", "--v", "{in}/v.npy"), code: 1, want: "float64 attention overflows"},
	{args: cat(args("sim", "--out", "/dev/null", "--report", "/dev/null"), smallSets), code: 0, want: "bit-exact"},
	{args: cat(args("sim", "--out", "{out}/o.npy", "--report", "{out}/r.json", "--trace", "{out}/t.json"), smallSets), code: 0, want: "bit-exact"},
	{args: cat(args("sim", "--timing-only", "--baseline"), smallSets), code: 0, want: "vs dense"},

	// sweep.
	{args: args("sweep"), code: 1, want: "--param and --values are required"},
	{args: cat(args("sweep", "--param", "model.nosuch", "--values", "1,2"), smallSets), code: 1, want: "model.nosuch: unknown key"},
	{args: cat(args("sweep", "--param", "model.window", "--values", "64,1.5"), smallSets), code: 1, want: "model.window = 1.5"},
	{args: cat(args("sweep", "--param", "model.window", "--values", "64,abc"), smallSets), code: 1, want: `model.window = "abc"`},
	{args: cat(args("sweep", "--param", "hw.clock_mhz", "--values", "100,NaN"), smallSets), code: 1, want: `hw.clock_mhz = "NaN"`},
	{args: cat(args("sweep", "--param", "model.window", "--values", "64", "--metric", "nope"), smallSets), code: 1, want: `--metric "nope": unknown`},
	{args: cat(args("sweep", "--param", "model.window", "--values", "64", "--plot", "{out}/p.gif"), smallSets), code: 1, want: "must end in .png, .svg or .pdf"},
	{args: cat(args("sweep", "--param", "model.window", "--values", "64", "--series", "arch"), smallSets), code: 1, want: "--series and --series-values go together"},
	{args: cat(args("sweep", "--param", "model.window", "--values", "64", "--csv", "{in}/adir"), smallSets), code: 1, want: "--csv {in}/adir: is a directory"},
	{args: cat(args("sweep", "--param", "model.window", "--values", "64", "--csv", "{out}/x.png", "--plot", "{out}/x.png"), smallSets), code: 1, want: "name the same file"},
	{args: cat(args("sweep", "--param", "model.window", "--values", "64", "--csv", "{out}/no/x.csv"), smallSets), code: 1, want: "--csv {out}/no/x.csv: directory"},
	{args: cat(args("sweep", "--param", "model.window", "--values", "64,128", "--csv", "{out}/s.csv"), smallSets), code: 0, want: "128"},

	// kv.
	{args: args("kv"), code: 1, want: "--policy is required"},
	{args: args("kv", "--policy", "h2o", "--budget", "8"), code: 1, want: "no input"},
	{args: cat(kvSyn, args("--policy", "nope")), code: 1, want: `--policy "nope": unknown policy`},
	{args: cat(kvSyn, args("--policy", "h2o")), code: 1, want: "--budget is required for policy h2o"},
	{args: cat(kvSyn, args("--policy", "h2o", "--budget", "0")), code: 1, want: "--budget = 0: must be >= 1"},
	{args: cat(kvSyn, args("--policy", "h2o", "--budget", "x")), code: 1, want: `--budget = "x": must be an integer`},
	{args: args("kv", "--seed", "-1", "--policy", "full"), code: 1, want: "--seed = -1: must be >= 0"},
	{args: args("kv", "--q", "{in}/q.npy", "--policy", "full"), code: 1, want: "--q, --k and --v must all be given"},
	{args: cat(args("kv", "--seed", "1", "--policy", "full"), qkv), code: 1, want: "either --q/--k/--v or --seed"},
	{args: cat(kvSyn, args("--compare", "--budgets", "1,x")), code: 1, want: `--budgets: "x"`},
	{args: cat(kvSyn, args("--compare", "--policy", "h2o")), code: 1, want: "drop --policy/--budget"},
	{args: cat(kvSyn, args("--compare", "--policies", "h2o,nope")), code: 1, want: `--policies: "nope": unknown policy`},
	{args: cat(args("kv", "--policy", "full", "--report", "{in}/q.npy"), qkv), code: 1, want: "--report {in}/q.npy is also the input --q"},
	{args: cat(kvSyn, args("--policy", "full", "--report", "{out}/no/r.json")), code: 1, want: "--report {out}/no/r.json: directory"},
	{args: cat(kvSyn, args("--policy", "full", "--config", "{in}/kvbad.yaml")), code: 1, want: "nosuch"},
	{args: args("kv", "--seed", "1", "--heads", "64", "--tokens", "1048576", "--head-dim", "64", "--policy", "full", "--max-memory", "8GiB"), code: 1, want: "kv needs about 256.0 GiB"},
	{args: cat(kvSyn, args("--policy", "full")), code: 0, want: "rel_l2_error_mean"},
	{args: cat(kvSyn, args("--policy", "h2o", "--budget", "16", "--report", "{out}/r.json")), code: 0, want: "kv h2o budget 16"},

	// hdl, cosim, synth: everything refused before any tool runs.
	{args: args("hdl"), code: 1, want: "--out is required"},
	{args: args("hdl", "--out", "{out}/h", "--set", "model.heads=2.5"), code: 1, want: "model.heads = 2.5 (from --set): must be an integer"},
	{args: args("hdl", "--out", "{out}/h", "--config", "{in}/twodoc.yaml"), code: 1, want: "a second YAML document"},
	{args: args("hdl", "--out", "{out}/h", "--seed", "-1"), code: 1, want: `--seed = "-1": must be an integer >= 0`},
	{args: args("hdl", "--out", "{out}/h", "--set", "model.seq_len=1048576", "--set", "model.heads=256", "--max-memory", "4GiB"), code: 1, want: "hdl needs about"},
	{args: args("cosim", "--set", "hw.clock_mhz=NaN"), code: 1, want: `hw.clock_mhz = "NaN"`},
	{args: args("cosim", "--stalls=maybe"), code: 1, want: `--stalls = "maybe": must be true or false`},
	{args: args("cosim", "--stall-percent", "x"), code: 1, want: `--stall-percent = "x": must be an integer`},
	{args: args("cosim", "--q", "{in}/q.npy"), code: 1, want: "--q, --k and --v go together"},
	{args: args("cosim", "--set", "model.seq_len=1048576", "--set", "model.heads=256", "--max-memory", "4GiB"), code: 1, want: "cosim needs about"},
	{args: args("synth", "--set", "energy.mac_pj=NaN"), code: 1, want: "energy.mac_pj"},
	{args: args("synth", "--config", "{in}/model5.yaml"), code: 1, want: "must be a map"},
	{args: args("synth", "--target", "x"), code: 1, want: "x"},
}

// TestHostileInputs runs every case; a failing run must leave no file in
// its output directory (no partial output, no temporary file).
func TestHostileInputs(t *testing.T) {
	in := t.TempDir()
	hostileFixtures(t, in)
	for i, c := range hostileCases {
		out := t.TempDir()
		subst := strings.NewReplacer("{in}", in, "{out}", out)
		argv := make([]string, len(c.args))
		for j, a := range c.args {
			argv[j] = subst.Replace(a)
		}
		for k, v := range c.env {
			t.Setenv(k, v)
		}
		code, stdout, stderr := runCLI(t, argv...)
		for k := range c.env {
			os.Unsetenv(k)
		}
		want := subst.Replace(c.want)
		text := stderr
		if c.code == 0 {
			text = stdout + stderr
		}
		if code != c.code || !strings.Contains(text, want) {
			t.Errorf("case %d: swatsim %s\nexit %d, want %d; output lacks %q:\n%s%s", i, strings.Join(argv, " "), code, c.code, want, stdout, stderr)
		}
		if c.code != 0 {
			if strings.Count(strings.TrimSpace(stderr), "\n") > 0 && !strings.Contains(stderr, "warning") {
				t.Errorf("case %d: swatsim %s: the error spans several lines:\n%s", i, strings.Join(argv, " "), stderr)
			}
			if names := dirNames(t, out); len(names) > 0 {
				t.Errorf("case %d: swatsim %s failed but left %v in the output directory", i, strings.Join(argv, " "), names)
			}
		}
	}
}

// TestInterrupt sends SIGINT and SIGTERM to a long run (the test binary
// re-executed as swatsim): it stops with exit code 130, says so and leaves
// nothing in its output directory.
func TestInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the simulator for seconds")
	}
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		out := t.TempDir()
		cmd := exec.Command(os.Args[0], "-test.run=TestRunMain", "--", "sim", "--timing-only", "--set", "model.seq_len=4194304",
			"--set", "model.window=64", "--report", filepath.Join(out, "r.json"), "--trace", filepath.Join(out, "t.json"))
		cmd.Env = append(os.Environ(), "HOSTILE_RUN_MAIN=1")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(1500 * time.Millisecond)
		cmd.Process.Signal(sig)
		err := cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
			t.Errorf("%v: exit %v; want %d (stderr %q)", sig, err, exitInterrupted, stderr.String())
		}
		if !strings.Contains(stderr.String(), "interrupted") {
			t.Errorf("%v: stderr %q does not say interrupted", sig, stderr.String())
		}
		if names := dirNames(t, out); len(names) > 0 {
			t.Errorf("%v: left %v", sig, names)
		}
	}
}

// TestRunMain is swatsim's main when the test binary is re-executed by
// TestInterrupt (HOSTILE_RUN_MAIN=1); otherwise it does nothing.
func TestRunMain(t *testing.T) {
	if os.Getenv("HOSTILE_RUN_MAIN") != "1" {
		return
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			os.Args = append([]string{"swatsim"}, args[i+1:]...)
			break
		}
	}
	main()
}

// TestWarnDRAMTime: a long memory.model=dram run is announced with its
// expected time; a short one is not.
func TestWarnDRAMTime(t *testing.T) {
	for _, c := range []struct {
		sets []string
		want bool
	}{
		{[]string{"memory.model=dram"}, true}, // 523923 cycles: about 3.5 minutes
		{[]string{"memory.model=dram", "model.seq_len=256", "model.window=64"}, false},
		{[]string{"model.seq_len=1048576"}, false}, // the bandwidth model is not announced
	} {
		d, err := dataflow.Load("", c.sets)
		if err != nil {
			t.Fatal(err)
		}
		var w strings.Builder
		warnDRAMTime(&w, d)
		if got := strings.Contains(w.String(), "memory.model=dram simulates every DRAM command"); got != c.want {
			t.Errorf("%v: warned %v (%q); want %v", c.sets, got, w.String(), c.want)
		}
	}
}
