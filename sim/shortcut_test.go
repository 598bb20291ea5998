package sim_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/sim"
)

// shortcutPoint draws a random timing-only design point (every arch the
// shortcut takes, causal or not, global tokens, sinks, GQA, several cores,
// overlap, every device, each memory kind on the bandwidth model) and
// lengthens its sequence until the shortcut applies.
func shortcutPoint(t *testing.T, r *rand.Rand) (*dataflow.Design, []string) {
	for {
		dims := []int{8, 16, 32}
		kv := 1 + r.IntN(2)
		causal := r.IntN(2) == 0
		sets := []string{
			"arch=" + []string{"swat", "swat", "flash"}[r.IntN(3)],
			"device=" + []string{"custom", "custom", "u55c", "u280", "u250"}[r.IntN(5)],
			"arith=" + []string{"fixed16", "fixed12", "fixed8"}[r.IntN(3)],
			fmt.Sprint("model.head_dim=", dims[r.IntN(len(dims))]),
			fmt.Sprint("model.kv_heads=", kv), fmt.Sprint("model.heads=", kv*(1+r.IntN(3))),
			fmt.Sprint("model.window=", 4+r.IntN(60)), fmt.Sprint("model.causal=", causal),
			fmt.Sprint("model.global_tokens=", r.IntN(2)*r.IntN(9)), fmt.Sprint("model.sinks=", r.IntN(2)*r.IntN(9)),
			fmt.Sprint("hw.cores=", 1+r.IntN(4)), fmt.Sprint("hw.overlap=", r.IntN(2) == 0),
			fmt.Sprint("hw.pes=", 1+r.IntN(8)), fmt.Sprint("hw.vector_width=", 1<<r.IntN(4)),
			fmt.Sprint("hw.latency.score=", 1+r.IntN(2)), fmt.Sprint("hw.latency.exp=", 1+r.IntN(3)),
			fmt.Sprint("hw.stream_fifo_rows=", 2+r.IntN(60)), fmt.Sprint("hw.burst_bytes=", 64<<r.IntN(5)),
			fmt.Sprint("hw.key_tile=", r.IntN(12)), fmt.Sprint("hw.clock_mhz=", []int{100, 250, 300, 500}[r.IntN(4)]),
			"memory.kind=" + []string{"", "hbm2", "ddr4"}[r.IntN(3)],
			fmt.Sprint("memory.channels=", 1+r.IntN(4)), fmt.Sprint("memory.interleave_bytes=", 512<<r.IntN(4)),
			fmt.Sprint("memory.latency_ns=", []float64{0, 80, 137.5}[r.IntN(3)]),
		}
		for n := 256; n <= 1<<16; n *= 2 {
			d, err := dataflow.Load("", append(sets, fmt.Sprint("model.seq_len=", n+r.IntN(n))))
			if err != nil {
				break // an invalid combination (e.g. flash with global tokens): draw again
			}
			if sim.ShortcutApplies(d) {
				return d, sets
			}
		}
	}
}

// reportJSON is a report's JSON bytes.
func reportJSON(t *testing.T, r sim.Report) []byte {
	t.Helper()
	b, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestShortcutEqualsEventByEvent draws random design points where the
// steady-state shortcut applies and checks that its report is byte for
// byte the event-by-event run's. The same three short runs extrapolated
// one period too far must differ (the comparison bites), and at least
// half the points must take the shortcut (it is not always falling back;
// the others' counters do not grow linearly over the short runs, so they
// run every token).
func TestShortcutEqualsEventByEvent(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 2026))
	const points = 40
	taken := 0
	for i := 0; i < points; i++ {
		d, sets := shortcutPoint(t, r)
		name := fmt.Sprintf("%d/N=%d", i, d.Model.SeqLen)
		t.Run(name, func(t *testing.T) {
			exact, err := sim.Run(d, nil, sim.Options{TimingOnly: true, AllowOverfit: true, Exact: true})
			if err != nil {
				t.Fatal(err)
			}
			if exact.Shortcut != nil {
				t.Fatal("Exact run took the shortcut")
			}
			res, wrong, ok, err := sim.ShortcutAndOffByOne(d)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				t.Logf("%v: counters not linear, falls back to the full run", sets)
				return
			}
			taken++
			want := reportJSON(t, exact.Report)
			if got := reportJSON(t, res.Report); !bytes.Equal(got, want) {
				t.Errorf("%v: shortcut %+v report differs from the event-by-event run:\n%s", sets, res.Shortcut, lineDiff(got, want))
			}
			if bytes.Equal(reportJSON(t, wrong.Report), want) {
				t.Errorf("%v: extrapolating one period too far gives the same report: the comparison cannot fail", sets)
			}
			viaRun, err := sim.Run(d, nil, sim.Options{TimingOnly: true, AllowOverfit: true})
			if err != nil {
				t.Fatal(err)
			}
			if viaRun.Shortcut == nil || !bytes.Equal(reportJSON(t, viaRun.Report), want) {
				t.Errorf("%v: sim.Run did not take the shortcut (%v) or its report differs", sets, viaRun.Shortcut)
			}
		})
	}
	if taken < points/2 {
		t.Errorf("the shortcut was taken at %d of %d points", taken, points)
	}
	t.Logf("the shortcut was taken at %d of %d points", taken, points)
}

// lineDiff lists the lines where two JSON texts differ.
func lineDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	var out []string
	for i := 0; i < max(len(g), len(w)); i++ {
		a, b := "", ""
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if a != b {
			out = append(out, fmt.Sprintf("line %d: got %s, want %s", i+1, strings.TrimSpace(a), strings.TrimSpace(b)))
		}
	}
	return strings.Join(out, "\n")
}

// TestShortcutDoesNotApply: runs whose output the shortcut would not
// reproduce run every token: functional runs, timelines, --exact, the
// DRAM model, Akita's ideal memory, the dense baseline, a dense mask, and
// sequences too short to gain.
func TestShortcutDoesNotApply(t *testing.T) {
	long := []string{"model.seq_len=16384", "model.window=64"}
	r := rand.New(rand.NewPCG(1, 2))
	in := &sim.Inputs{Q: randTensor(r, 1, 16384, 64), K: randTensor(r, 1, 16384, 64), V: randTensor(r, 1, 16384, 64)}
	for _, c := range []struct {
		name string
		sets []string
		in   *sim.Inputs
		opt  sim.Options
	}{
		{"functional", long, in, sim.Options{}},
		{"timeline", long, nil, sim.Options{TimingOnly: true, TraceBlocks: 4}},
		{"exact", long, nil, sim.Options{TimingOnly: true, Exact: true}},
		{"ideal memory", append(long, "memory.kind=ideal"), nil, sim.Options{TimingOnly: true}},
		{"dense baseline", []string{"model.seq_len=2048", "model.window=64", "arch=dense"}, nil, sim.Options{TimingOnly: true}},
		{"window covers the sequence", []string{"model.seq_len=4096", "model.window=8192"}, nil, sim.Options{TimingOnly: true}},
		{"too short to gain", []string{"model.seq_len=2048", "model.window=512"}, nil, sim.Options{TimingOnly: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := sim.Run(design(t, c.sets...), c.in, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			if res.Shortcut != nil {
				t.Errorf("took the shortcut %+v", res.Shortcut)
			}
		})
	}
	if !sim.ShortcutApplies(design(t, long...)) {
		t.Error("the shortcut does not apply to the timing-only long run these cases vary")
	}
	for _, sets := range [][]string{{"memory.model=dram"}, {"arch=dense"}} {
		if sim.ShortcutApplies(design(t, append(long, sets...)...)) {
			t.Errorf("the shortcut applies with %v", sets)
		}
	}
}

// TestShortcutLongLayer pins the long layer's shortcut (docs/speed.md):
// four runs of 4,608 to 5,504 tokens, 476 periods of 128 tokens to 65,536,
// and its report byte for byte the event-by-event run's.
func TestShortcutLongLayer(t *testing.T) {
	d := design(t, longLayer...)
	res, err := sim.Run(d, nil, sim.Options{TimingOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	sc := res.Shortcut
	if sc == nil || fmt.Sprint(sc.Lengths) != "[4608 4736 4992 5504]" || sc.Period != 128 || sc.Steps != 476 {
		t.Fatalf("shortcut %+v, want lengths [4608 4736 4992 5504], period 128, 476 steps (docs/speed.md)", sc)
	}
	exact, err := sim.Run(d, nil, sim.Options{TimingOnly: true, Exact: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := reportJSON(t, res.Report), reportJSON(t, exact.Report); !bytes.Equal(got, want) {
		t.Errorf("the shortcut's report differs from the event-by-event run:\n%s", lineDiff(got, want))
	}
	if res.Report.Cycles != 523333175 {
		t.Errorf("cycles %d, want 523,333,175 (docs/speed.md)", res.Report.Cycles)
	}
}
