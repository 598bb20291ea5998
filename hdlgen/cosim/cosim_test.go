package cosim

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/hdlgen"
	"github.com/swatsim/swatsim/hdlgen/internal/hdltest"
	"github.com/swatsim/swatsim/hdlgen/internal/tool"
	"github.com/swatsim/swatsim/reference"
)

// point is one design point of the co-simulation matrix.
type point struct {
	name  string
	sets  []string
	sigma float64 // 0: traces.Generate data; else normal data of this std
}

// matrix varies D, W, PEs, vector width, causal/bidirectional, global
// tokens, sinks, heads, arch, buffer depths, latencies and arithmetic.
var matrix = []point{
	{"fixed16-causal", []string{"arith=fixed16", "model.seq_len=48", "model.window=8", "model.head_dim=16",
		"hw.pes=4", "hw.vector_width=4"}, 0},
	{"fixed12-bidir-global", []string{"arith=fixed12", "model.causal=false", "model.seq_len=40", "model.window=6",
		"model.global_tokens=3", "model.head_dim=8", "hw.pes=3", "hw.vector_width=2"}, 0},
	{"fixed8-sinks-heads-c1", []string{"arith=fixed8", "model.seq_len=37", "model.window=5", "model.sinks=3",
		"model.heads=2", "model.head_dim=8", "hw.pes=2", "hw.vector_width=8", "hw.latency.acc=2", "hw.latency.norm=3"}, 1.5},
	{"custom-nointerp-bidir-g-s", []string{"arith=custom:interp=false,lut_bits=5,score_frac=10", "model.causal=false",
		"model.seq_len=30", "model.window=4", "model.global_tokens=2", "model.sinks=4", "model.head_dim=8",
		"hw.pes=5", "hw.vector_width=1"}, 0},
	{"custom-narrow-interp-lat", []string{"arith=custom:in_bits=10,in_frac=6,coef_bits=14,coef_frac=12,score_bits=18," +
		"score_frac=9,lut_bits=3,interp=true,prob_frac=10,sum_bits=24,acc_bits=28,recip_bits=10",
		"model.seq_len=50", "model.window=16", "model.head_dim=12", "hw.pes=6", "hw.vector_width=4",
		"hw.latency.score=2", "hw.latency.exp=3", "hw.latency.acc=3", "hw.latency.norm=2", "hw.latency.recip=2"}, 3},
	{"dense-causal-global", []string{"arch=dense", "arith=fixed12", "model.seq_len=32", "model.window=8",
		"model.global_tokens=2", "model.head_dim=16", "hw.pes=4", "hw.vector_width=4"}, 0},
	{"dense-bidir-heads", []string{"arch=dense", "arith=fixed8", "model.causal=false", "model.seq_len=20",
		"model.window=4", "model.heads=2", "model.head_dim=4", "hw.pes=3", "hw.vector_width=2"}, 0},
	{"buffers-lat1", []string{"arith=fixed16", "model.seq_len=45", "model.window=7", "model.sinks=2",
		"model.global_tokens=1", "model.head_dim=16", "hw.pes=4", "hw.vector_width=8", "hw.kv_buffer_rows=37",
		"hw.pinned_buffer_rows=6", "hw.latency.score=1", "hw.latency.exp=1", "hw.latency.acc=1", "hw.latency.norm=1",
		"hw.latency.recip=1", "model.scale=0.5"}, 0},
	{"all-global", []string{"arith=fixed8", "model.causal=false", "model.seq_len=10", "model.window=2",
		"model.global_tokens=10", "model.head_dim=4", "hw.pes=4", "hw.vector_width=4"}, 0},
	{"bidir-w0-wide-window", []string{"arith=fixed12", "model.causal=false", "model.seq_len=24", "model.window=0",
		"model.sinks=1", "model.head_dim=8", "hw.pes=4", "hw.vector_width=4", "model.heads=2"}, 0},
	// arch flash: two stream runs (the pinned tile, then the window's) with
	// 5-key tiles that do not divide N, global rows and sinks ...
	{"flash-causal-global-sinks-t5", []string{"arch=flash", "arith=fixed12", "model.seq_len=43", "model.window=6",
		"model.global_tokens=2", "model.sinks=3", "model.head_dim=8", "hw.pes=3", "hw.vector_width=4",
		"hw.key_tile=5"}, 0},
	// ... one-key tiles (the sweep is the window plus the pinned keys) and
	// Period 1 (C = 1, acc 1: the jump issues in the next cycle) ...
	{"flash-bidir-sinks-t1-c1", []string{"arch=flash", "arith=fixed8", "model.causal=false", "model.seq_len=33",
		"model.window=6", "model.sinks=2", "model.head_dim=4", "hw.pes=4", "hw.vector_width=4", "hw.key_tile=1",
		"hw.latency.acc=1"}, 1.5},
	// ... tiles of hw.pes rows (key_tile 0), a sink and W = 1 ...
	{"flash-causal-w1-sink-tpes", []string{"arch=flash", "arith=fixed16", "model.seq_len=30", "model.window=1",
		"model.sinks=1", "model.head_dim=4", "hw.pes=4", "hw.vector_width=2"}, 0},
	// ... a tile wider than the window (7 > W = 4) and odd, no pinned keys ...
	{"flash-bidir-t7-heads", []string{"arch=flash", "arith=fixed8", "model.causal=false", "model.seq_len=36",
		"model.window=4", "model.heads=2", "model.head_dim=8", "hw.pes=3", "hw.vector_width=2", "hw.key_tile=7"}, 1.5},
	// ... and a tile of N or more keys: every block sweeps every key.
	{"flash-causal-tile-ge-n", []string{"arch=flash", "arith=custom:interp=false,lut_bits=5,score_frac=10",
		"model.seq_len=21", "model.window=5", "model.global_tokens=1", "model.head_dim=4", "hw.pes=2",
		"hw.vector_width=1", "hw.key_tile=40"}, 0},
}

func (pt point) design(t *testing.T) *dataflow.Design {
	t.Helper()
	return hdltest.Design(t, pt.name, pt.sets)
}

func (pt point) inputs(t *testing.T, d *dataflow.Design) (q, k, v *reference.Tensor) {
	t.Helper()
	if pt.sigma > 0 {
		return RandomInputs(d, 11, pt.sigma)
	}
	q, k, v, err := Inputs(d, 11)
	if err != nil {
		t.Fatal(err)
	}
	return q, k, v
}

func TestLintMatrix(t *testing.T) {
	hdltest.Need(t, "verilator")
	for _, pt := range matrix {
		r, err := hdlgen.Generate(pt.design(t))
		if err != nil {
			t.Fatalf("%s: %v", pt.name, err)
		}
		if err := Lint(context.Background(), r); err != nil {
			t.Errorf("%s: %v", pt.name, err)
		}
	}
}

func TestCosimMatrix(t *testing.T) {
	hdltest.Need(t, "verilator")
	for _, pt := range matrix {
		t.Run(pt.name, func(t *testing.T) {
			d := pt.design(t)
			q, k, v := pt.inputs(t, d)
			cosimStalls(t, d, q, k, v)
		})
	}
}

// cosimStalls co-simulates d on q, k, v without and with 25% stalls (seed
// 5) and wants both to pass.
func cosimStalls(t *testing.T, d *dataflow.Design, q, k, v *reference.Tensor) {
	t.Helper()
	for _, pct := range []int{0, 25} {
		res, err := Run(d, q, k, v, 5, pct)
		if err != nil {
			t.Fatal(err)
		}
		t.Log(res.Summary(), "; cycles per core ", res.CoreCycles)
		if !res.Pass {
			t.Errorf("%s", res.Report())
		}
	}
}

func TestCompareHungRTL(t *testing.T) {
	d := matrix[0].design(t)
	q, k, v := RandomInputs(d, 1, 1)
	ref, err := attend(d, q, k, v)
	if err != nil {
		t.Fatal(err)
	}
	model := runModel(d, dataflow.StallPattern{})
	path := filepath.Join(t.TempDir(), "out.txt")
	text := fmt.Sprintf("q 0 %d\nstalled 99\ncycles 0\n", model[0].cycles[dataflow.StreamQ][0])
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	log, err := readBenchLog(path, d.Model.HeadDim, 1)
	if err != nil {
		t.Fatal(err)
	}
	res := &Result{ModelCycles: model[0].total}
	compare(res, d, ref, log, model)
	if res.Pass || !strings.Contains(res.Report(), "the RTL hung: 0 of 48 o beats after 99 cycles") {
		t.Fatalf("a hung RTL must fail: %s", res.Report())
	}
}

func TestCosimShapeError(t *testing.T) {
	d := matrix[0].design(t)
	q, k, v := RandomInputs(d, 1, 1)
	q.N--
	_, err := Run(d, q, k, v, 1, 0)
	if err == nil || !strings.Contains(err.Error(), "shape") || errors.Is(err, tool.ErrMissing) {
		t.Fatalf("err = %v, want a shape error", err)
	}
}
