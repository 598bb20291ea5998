package sim_test

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/internal/goldenlines"
	"github.com/swatsim/swatsim/sim"
)

// updateReportHashes rewrites testdata/report_hashes.txt: go test ./sim
// -run TestReportsStable -update-report-hashes.
var updateReportHashes = flag.Bool("update-report-hashes", false, "rewrite testdata/report_hashes.txt from the simulator's reports")

// reportHashFile pins the event-by-event reports of seeded design points:
// a change to the platform's timing (an event's order, a component's
// tick) shows here, so speed work on the engine and the components must
// leave every report byte for byte as it was, and a deliberate timing
// change must rewrite the file.
const reportHashFile = "testdata/report_hashes.txt"

// stableReportPoint is seeded design point i: every arch, both memory
// models and every memory kind, GQA, several cores, overlap, sinks and
// global tokens, stalls from small FIFOs and narrow memories, up to 615
// tokens (165 on the DRAM model, which is slow); a third
// of the points run functionally (values through the datapath).
func stableReportPoint(r *rand.Rand) []string {
	kv := 1 + r.IntN(2)
	causal := r.IntN(3) > 0
	mem := []string{"memory.model=bandwidth", "memory.model=bandwidth", "memory.model=dram"}[r.IntN(3)]
	n := 16 + r.IntN(600)
	if mem == "memory.model=dram" { // Akita's DRAM model ticks every memory cycle
		n = 16 + r.IntN(150)
	}
	kinds := []string{"hbm2", "ddr4", "ideal"}
	if mem == "memory.model=dram" {
		kinds = kinds[:2]
	}
	return []string{
		"arch=" + []string{"swat", "swat", "flash", "dense"}[r.IntN(4)],
		"arith=" + []string{"fixed16", "fixed12", "fixed8"}[r.IntN(3)],
		fmt.Sprint("model.seq_len=", n), fmt.Sprint("model.head_dim=", []int{8, 16, 32, 64}[r.IntN(4)]),
		fmt.Sprint("model.kv_heads=", kv), fmt.Sprint("model.heads=", kv*(1+r.IntN(3))),
		fmt.Sprint("model.window=", 4+r.IntN(200)), fmt.Sprint("model.causal=", causal),
		fmt.Sprint("model.global_tokens=", r.IntN(2)*r.IntN(9)), fmt.Sprint("model.sinks=", r.IntN(2)*r.IntN(9)),
		fmt.Sprint("hw.cores=", 1+r.IntN(4)), fmt.Sprint("hw.overlap=", r.IntN(2) == 0),
		fmt.Sprint("hw.pes=", 1+r.IntN(16)), fmt.Sprint("hw.vector_width=", 1<<r.IntN(5)),
		fmt.Sprint("hw.latency.exp=", 1+r.IntN(3)), fmt.Sprint("hw.stream_fifo_rows=", 2+r.IntN(60)),
		fmt.Sprint("hw.burst_bytes=", 64<<r.IntN(5)), fmt.Sprint("hw.key_tile=", r.IntN(12)),
		fmt.Sprint("hw.clock_mhz=", []int{100, 250, 300, 500}[r.IntN(4)]),
		mem, "memory.kind=" + kinds[r.IntN(len(kinds))],
		fmt.Sprint("memory.channels=", 1+r.IntN(4)), fmt.Sprint("memory.interleave_bytes=", 512<<r.IntN(4)),
		fmt.Sprint("memory.latency_ns=", []float64{0, 80, 137.5}[r.IntN(3)]),
	}
}

// stableReport is the SHA-256 of point sets' event-by-event report (its
// JSON), functional when asked; ok = false for a combination the design
// or the run refuses.
func stableReport(t *testing.T, r *rand.Rand, sets []string, functional bool) (string, bool) {
	d, err := dataflow.Load("", sets)
	if err != nil {
		return "", false
	}
	opt := sim.Options{TimingOnly: !functional, Exact: true, AllowOverfit: true}
	var in *sim.Inputs
	if functional {
		m := d.Model
		in = &sim.Inputs{Q: randTensor(r, m.Heads, m.SeqLen, m.HeadDim),
			K: randTensor(r, d.KVHeads(), m.SeqLen, m.HeadDim), V: randTensor(r, d.KVHeads(), m.SeqLen, m.HeadDim)}
	}
	res, err := sim.Run(d, in, opt)
	if err != nil {
		return "", false
	}
	return fmt.Sprintf("%x", sha256.Sum256(reportJSON(t, res.Report)))[:20], true
}

// TestReportsStable: the event-by-event reports of 60 seeded design
// points hash as recorded in testdata/report_hashes.txt.
func TestReportsStable(t *testing.T) {
	r := rand.New(rand.NewPCG(30, 2026))
	var got []string
	for i := 0; len(got) < 60; i++ {
		sets := stableReportPoint(r)
		functional := i%3 == 0
		h, ok := stableReport(t, r, sets, functional)
		if !ok {
			continue
		}
		got = append(got, fmt.Sprintf("%s functional=%v %s", h, functional, strings.Join(sets, " ")))
	}
	goldenlines.Check(t, reportHashFile, got, *updateReportHashes)
}
