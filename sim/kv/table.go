package kv

import (
	"fmt"
	"io"
	"strings"
)

// WriteTable prints one row per result: policy, budget, accuracy, bytes
// per step by tier and cycles per step. markdown selects a Markdown table
// instead of aligned text.
func WriteTable(w io.Writer, rs []*Result, markdown bool) error {
	if len(rs) == 0 {
		return nil
	}
	tiers := rs[0].Tiers
	head := []string{"policy", "budget", "rel_l2", "cosine", "kept_mass", fmt.Sprintf("recall@%d", rs[0].RecallK),
		"caote_err", tiers[0] + "_B/step", tiers[1] + "_B/step", tiers[2] + "_B/step", "cycles/step", "tok/s"}
	rows := [][]string{head}
	for _, r := range rs {
		rows = append(rows, []string{
			r.Policy, fmt.Sprint(r.Budget),
			fmt.Sprintf("%.4f", r.RelL2Mean()), fmt.Sprintf("%.4f", r.CosineMean()),
			fmt.Sprintf("%.4f", r.KeptMassMean()), fmt.Sprintf("%.3f", r.RecallMean()),
			fmt.Sprintf("%.4f", r.CAOTEErrorMean()),
			fmt.Sprintf("%.0f", r.BytesPerStep(0)), fmt.Sprintf("%.0f", r.BytesPerStep(1)), fmt.Sprintf("%.0f", r.BytesPerStep(2)),
			fmt.Sprintf("%.0f", r.CyclesPerStep()), fmt.Sprintf("%.0f", r.TokensPerS()),
		})
	}
	return WriteRows(w, rows, markdown)
}

func writeMarkdown(w io.Writer, rows [][]string) error {
	for i, r := range rows {
		if _, err := fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | ")); err != nil {
			return err
		}
		if i == 0 {
			sep := make([]string, len(r))
			for k := range sep {
				sep[k] = "---"
				if k > 1 {
					sep[k] = "---:"
				}
			}
			if _, err := fmt.Fprintf(w, "| %s |\n", strings.Join(sep, " | ")); err != nil {
				return err
			}
		}
	}
	return nil
}
