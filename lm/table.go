package lm

import (
	"fmt"
	"io"

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
			fmt.Sprintf("%+.4f", r.DeltaBitsPerByte), fmt.Sprintf("%.4f", r.AttnRelL2Mean)}
		for _, t := range tiers {
			row = append(row, fmt.Sprintf("%.0f", r.KVBytesPerStep[t]))
		}
		rows = append(rows, row)
	}
	return kv.WriteRows(w, rows, markdown)
}
