package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/swatsim/swatsim/dataflow"
)

// TestCLIDocComplete pins docs/cli.md to the code: every command's flags
// appear in its section, every design key and every top-level key of a
// `sim --report` appear on the page.
func TestCLIDocComplete(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "cli.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	root := newRoot()
	root.PersistentFlags().VisitAll(func(f *pflag.Flag) {
		if !strings.Contains(doc, "`--"+f.Name+"`") {
			t.Errorf("docs/cli.md lacks the global flag --%s", f.Name)
		}
	})
	for _, c := range root.Commands() {
		if c.Name() == "help" || c.Name() == "completion" {
			continue
		}
		head := "### `swatsim " + c.Name() + "`"
		start := strings.Index(doc, head)
		if start < 0 {
			t.Errorf("docs/cli.md has no section %s", head)
			continue
		}
		section := doc[start+len(head):]
		if end := strings.Index(section, "\n### "); end >= 0 {
			section = section[:end]
		}
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if !strings.Contains(section, "`--"+f.Name+"`") {
				t.Errorf("docs/cli.md, %s: flag --%s is missing", head, f.Name)
			}
		})
	}
	for _, k := range dataflow.Keys() {
		if !strings.Contains(doc, "`"+k+"`") {
			t.Errorf("docs/cli.md lacks the design key %s", k)
		}
	}
	out := t.TempDir()
	report := filepath.Join(out, "r.json")
	if code, _, stderr := runCLI(t, "sim", "--timing-only", "--baseline", "--set", "model.seq_len=256", "--set", "model.window=64", "--report", report); code != 0 {
		t.Fatalf("sim: %s", stderr)
	}
	var keys map[string]json.RawMessage
	rb, _ := os.ReadFile(report)
	if err := json.Unmarshal(rb, &keys); err != nil {
		t.Fatal(err)
	}
	for k := range keys {
		if !strings.Contains(doc, "`"+k+"`") {
			t.Errorf("docs/cli.md lacks the sim report key %s", k)
		}
	}
}

// TestCLIDocDefaults pins the default column of the design-key table to
// the embedded default design.
func TestCLIDocDefaults(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "cli.md"))
	if err != nil {
		t.Fatal(err)
	}
	db, _ := json.Marshal(dataflow.Default())
	var tree map[string]any
	json.Unmarshal(db, &tree)
	lookup := func(key string) any {
		var v any = tree
		for _, p := range strings.Split(key, ".") {
			m, _ := v.(map[string]any)
			v = m[p]
		}
		return v
	}
	rows := 0
	for _, k := range dataflow.Keys() {
		prefix := "| `" + k + "` | "
		i := strings.Index(string(b), prefix)
		if i < 0 {
			t.Errorf("no row for %s", k)
			continue
		}
		cell := strings.Trim(strings.TrimSpace(strings.SplitN(string(b)[i+len(prefix):], "|", 2)[0]), "`")
		got, _ := json.Marshal(lookup(k))
		if want := strings.Trim(string(got), `"`); cell != want {
			t.Errorf("docs/cli.md: %s default %q; the embedded default is %q", k, cell, want)
		}
		rows++
	}
	if rows == 0 {
		t.Fatal("no design-key rows found")
	}
}

// TestCLIDocMemory pins the "used" column of the memory table to the
// constants checkMemory applies.
func TestCLIDocMemory(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "cli.md"))
	if err != nil {
		t.Fatal(err)
	}
	for cmd, used := range map[string]int64{"gen": bytesPerElemGen, "sim": bytesPerElemSim, "ref": bytesPerElemRef,
		"kv": bytesPerElemKV, "hdl": bytesPerElemHDL, "cosim": bytesPerElemCosim} {
		i := strings.Index(string(b), "| `"+cmd+"`")
		if i < 0 {
			t.Errorf("no memory row for %s", cmd)
			continue
		}
		cells := strings.Split(strings.SplitN(string(b)[i:], "\n", 2)[0], "|")
		if len(cells) < 4 || strings.TrimSpace(cells[3]) != strconv.FormatInt(used, 10)+" B" {
			t.Errorf("docs/cli.md memory row %q; the code uses %d B", cells, used)
		}
	}
}
