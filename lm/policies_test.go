package lm

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/swatsim/swatsim/reference"
	"github.com/swatsim/swatsim/sim/kv"
	"github.com/swatsim/swatsim/sim/kv/policy"
)

// TestEveryPolicyInTheLoop runs every registered policy at budget 64 on a
// 256-byte text. Rows a layer has not computed yet hold different random
// values in two runs: the runs must agree bit for bit, so no policy reads
// a row > t. A budget >= the text's length must reproduce policy full
// exactly, unless the policy approximates keys or values.
func TestEveryPolicyInTheLoop(t *testing.T) {
	m := loadModel(t)
	text := readText(t, "text0")[:257]
	full, err := m.Decode(text, decodeOpts("full", 1<<20, 4, 0))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range policy.Names {
		for _, prompt := range []int{0, 40} {
			if policy.CheckPrompt(name, prompt) != nil {
				continue // it learns on the prompt (TestPolicyNeedsPrompt)
			}
			opt := decodeOpts(name, 64, 4, prompt)
			opt.futureSeed = 1
			poisoned, err := m.Decode(text, opt)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			opt.futureSeed = 2
			clean, err := m.Decode(text, opt)
			if err != nil {
				t.Fatal(err)
			}
			bpb := BitsPerByte(poisoned.Losses)
			if math.IsNaN(bpb) || math.IsInf(bpb, 0) || !slices.Equal(poisoned.Losses, clean.Losses) {
				t.Errorf("%s prompt %d: the result depends on rows not yet computed (bits/byte %v and %v)", name, prompt, bpb, BitsPerByte(clean.Losses))
			}
			if name != "full" && prompt == 0 && BitsPerByte(clean.Losses) <= BitsPerByte(full.Losses) {
				t.Logf("%s budget 64: bits/byte %.4f not above full's %.4f", name, BitsPerByte(clean.Losses), BitsPerByte(full.Losses))
			}
		}
		big, err := m.Decode(text, decodeOpts(name, len(text)-1, 4, 1))
		if err != nil {
			t.Fatal(err)
		}
		if approximates(t, name) {
			continue // it attends to approximate keys or values at any budget
		}
		if !slices.Equal(big.Losses, full.Losses) {
			t.Errorf("%s with budget = text length: losses differ from full", name)
		}
	}
}

// TestPolicyNeedsPrompt: a policy that learns on the prompt, run with
// none, is an error naming --prompt, not a crash.
func TestPolicyNeedsPrompt(t *testing.T) {
	m := loadModel(t)
	text := readText(t, "text0")[:65]
	for _, name := range []string{"pq", "shadowkv", "duo"} {
		if _, err := m.Decode(text, decodeOpts(name, 64, 4, 0)); err == nil || !strings.Contains(err.Error(), "--prompt") {
			t.Errorf("%s with no prompt: error %v, want one naming --prompt", name, err)
		}
	}
}

// approximates reports whether the named policy supplies its own
// approximate logits and values.
func approximates(t *testing.T, name string) bool {
	x := reference.NewTensor(4, 256, 64)
	st, err := kv.NewStepper(kv.DefaultConfig(), name, 64, policyData(x))
	if err != nil {
		t.Fatal(err)
	}
	_, ok := st.Policy().(approximator)
	return ok
}
