package kv

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteRows prints a table whose first row is the header, as WriteTable
// does: right-aligned text, or Markdown when markdown is set. Other
// commands (swatsim lm) print their tables with it.
func WriteRows(w io.Writer, rows [][]string, markdown bool) error {
	if markdown {
		return writeMarkdown(w, rows)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, r := range rows {
		if _, err := fmt.Fprintln(tw, strings.Join(r, "\t")+"\t"); err != nil {
			return err
		}
	}
	return tw.Flush()
}
