package hdlgen

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/internal/goldenlines"
)

// updateHashes rewrites testdata/rtl_hashes.txt: go test ./hdlgen -run
// TestRTLHashesStable -update-hashes.
var updateHashes = flag.Bool("update-hashes", false, "rewrite testdata/rtl_hashes.txt from the generator's output")

// hashFile pins RTL.Hash of seeded swat and dense design points: the
// resource-fit data (hdlgen/synth/testdata/fit) is keyed by these hashes,
// so a change to the arch swat or dense Verilog must be deliberate.
const hashFile = "testdata/rtl_hashes.txt"

// stablePoint is seeded swat or dense design point i: every field the
// generator reads drawn small, the scale-out fields included.
func stablePoint(r *rand.Rand, i int) []string {
	arch := []string{"swat", "dense"}[i%2]
	n := 1 + r.IntN(64)
	causal := r.IntN(3) > 0
	w := r.IntN(n + 1)
	if causal {
		w = max(1, w)
	}
	d := []int{2, 4, 8, 16}[r.IntN(4)]
	heads := 1 + r.IntN(4)
	kvh := heads
	if heads%2 == 0 && r.IntN(2) == 0 {
		kvh = heads / 2
	}
	return []string{"arch=" + arch, "arith=" + []string{"fixed8", "fixed12", "fixed16"}[r.IntN(3)],
		fmt.Sprint("model.seq_len=", n), fmt.Sprint("model.window=", w), fmt.Sprint("model.causal=", causal),
		fmt.Sprint("model.head_dim=", d), fmt.Sprint("model.global_tokens=", min(n, r.IntN(3))),
		fmt.Sprint("model.sinks=", min(n, r.IntN(3))), fmt.Sprint("model.heads=", heads),
		fmt.Sprint("model.kv_heads=", kvh), fmt.Sprint("hw.cores=", 1+r.IntN(2)),
		fmt.Sprint("hw.overlap=", r.IntN(3) == 0), fmt.Sprint("hw.pes=", 1+r.IntN(6)),
		fmt.Sprint("hw.vector_width=", []int{1, 2}[r.IntN(2)]), fmt.Sprint("hw.latency.acc=", 1+r.IntN(3))}
}

// TestRTLHashesStable: the Verilog of 40 seeded swat and dense points
// hashes as recorded in testdata/rtl_hashes.txt.
func TestRTLHashesStable(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 2026))
	var got []string
	for i := 0; len(got) < 40; i++ {
		sets := stablePoint(r, i)
		d, err := dataflow.Load("", sets)
		if err != nil {
			continue
		}
		rtl, err := Generate(d)
		if err != nil {
			continue // the overlapped schedule refuses a few points
		}
		got = append(got, rtl.Hash()+" "+strings.Join(sets, " "))
	}
	goldenlines.Check(t, hashFile, got, *updateHashes)
}
