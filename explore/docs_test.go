package explore

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDocsExample regenerates the example of docs/explore.md (its space
// file, run as the document says) and holds the front table and the two
// pictures in the document to it.
func TestDocsExample(t *testing.T) {
	docs := filepath.Join("..", "docs")
	s, err := LoadSpace(filepath.Join(docs, "explore", "space.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := (&Runner{Space: s, Dir: dir, Workers: 2, Warn: &bytes.Buffer{}}).Run(); err != nil {
		t.Fatal(err)
	}
	rs, err := ReadDir(dir, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	outs, _, err := s.Finalize(dir, rs)
	if err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(docs, "explore.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, block, _ := strings.Cut(string(md), "<!-- pareto.csv begin -->\n```csv\n")
	table, _, found := strings.Cut(block, "```\n<!-- pareto.csv end -->")
	if !found {
		t.Fatal("docs/explore.md: no pareto.csv block")
	}
	for _, o := range outs {
		switch name := filepath.Base(o.Path); name {
		case "pareto.csv":
			if string(o.Data) != table {
				t.Errorf("docs/explore.md's front drifted; now:\n%s", o.Data)
			}
		case "pareto.png", "roofline.png":
			doc, err := os.ReadFile(filepath.Join(docs, "explore", name))
			if err != nil || !bytes.Equal(doc, o.Data) {
				t.Errorf("docs/explore/%s drifted (%v); regenerate it with the command in docs/explore.md", name, err)
			}
		}
	}
}
