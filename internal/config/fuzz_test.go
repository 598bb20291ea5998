package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad feeds random YAML to the loader: it must return a value or a
// one-line error, never panic, and a loaded value holds only finite floats.
func FuzzLoad(f *testing.F) {
	for _, s := range []string{testDefaults, "inner: 5", "inner:\n  n: 2.5", "a: [", "---\n---\n", "inner:\n  f: .nan",
		"inner:\n  list: [1, {a: b}]", "inner: &x {n: 1}\nname: *x", "inner:\n  tags: [[1]]"} {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, body string) {
		p := filepath.Join(dir, "c.yaml")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		var c testConfig
		err := testSchema.Load(Layers{File: p}, &c)
		if err != nil {
			if strings.Contains(strings.TrimSpace(err.Error()), "\n") && !strings.Contains(err.Error(), "not valid YAML") {
				t.Errorf("error spans lines: %q", err)
			}
			return
		}
		if err := CheckFinite(c); err != nil {
			t.Errorf("loaded a non-finite value: %v", err)
		}
	})
}
