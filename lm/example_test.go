package lm_test

import (
	"fmt"
	"os"

	"github.com/swatsim/swatsim/lm"
	"github.com/swatsim/swatsim/reference"
	"github.com/swatsim/swatsim/sim/kv"
)

// Score the first 128 predictions of a held-out text under full attention
// and under StreamingLLM with 4 sinks and a budget of 32, in the loop.
func Example() {
	dir := "../../shared/models/tinylm-s"
	m, err := lm.Load(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	text, err := os.ReadFile(dir + "/text1.bin")
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := lm.NewRunner(m, text[:129], kv.DefaultConfig(), 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	f64, _ := reference.ParseArith("float64")
	rep, _, err := r.Run(lm.Spec{Policy: "streaming", Budget: 32, Arith: f64})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("full %.4f bits/byte, streaming-32 %.4f (%+.4f)\n", rep.BitsPerByteFull, rep.BitsPerByte, rep.DeltaBitsPerByte)
	// Output:
	// full 1.8536 bits/byte, streaming-32 1.9928 (+0.1392)
}
