package lm

import (
	"fmt"
	"io"
	"math"

	"github.com/swatsim/swatsim/sim/kv"
)

// WriteTable prints one row per report: policy, budget, arithmetic, bits
// per byte and its change against full attention, the attention's own
// error, and the KV bytes per decode step of each tier (summed over
// layers). tiers names the tiers in the reports' map.
func WriteTable(w io.Writer, reps []*Report, tiers []string, markdown bool) error {
	head := []string{"policy", "budget", "arith", "bits/byte", "delta", "attn_rel_l2"}
	for _, t := range tiers {
		head = append(head, t+"_B/step")
	}
	rows := [][]string{head}
	for _, r := range reps {
		name := r.Policy
		if r.Window > 0 {
			name = fmt.Sprintf("window %d+%d", r.Window, r.Sinks)
		}
		row := []string{name, fmt.Sprint(r.Budget), r.Arith, fmt.Sprintf("%.4f", r.BitsPerByte),
			fmt.Sprintf("%+.4f", roundDelta(r.DeltaBitsPerByte)), fmt.Sprintf("%.4f", r.AttnRelL2Mean)}
		for _, t := range tiers {
			row = append(row, fmt.Sprintf("%.0f", r.KVBytesPerStep[t]))
		}
		rows = append(rows, row)
	}
	return kv.WriteRows(w, rows, markdown)
}

// roundDelta rounds to the table's 4 decimals with the sign of a change
// that shows there: a difference below 0.00005 (full attention's decode
// against the forward pass differs by ~1e-15) prints as +0.0000.
func roundDelta(x float64) float64 {
	r := math.Round(x*1e4) / 1e4
	if r == 0 {
		return 0
	}
	return r
}
