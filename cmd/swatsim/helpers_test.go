package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/swatsim/swatsim/reference"
	"github.com/swatsim/swatsim/traces"
)

// runCLI runs swatsim in-process with args and returns the exit code and
// what it printed. It swaps os.Stdout and os.Stderr, so tests that use it
// must not run in parallel.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	dir := t.TempDir()
	outF, err := os.Create(filepath.Join(dir, "stdout"))
	if err != nil {
		t.Fatal(err)
	}
	errF, err := os.Create(filepath.Join(dir, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	oldOut, oldErr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = outF, errF
	code = run(args)
	os.Stdout, os.Stderr = oldOut, oldErr
	outF.Close()
	errF.Close()
	o, _ := os.ReadFile(outF.Name())
	e, _ := os.ReadFile(errF.Name())
	return code, string(o), string(e)
}

// goldenPath is the path of a golden file, e.g. ("n64_d16_w8_causal", "q").
func goldenPath(name, which string) string {
	return filepath.Join("..", "..", "testdata", "golden", name+"_"+which+".npy")
}

// mustReadTensor reads a .npy tensor or fails the test.
func mustReadTensor(t *testing.T, path string) *reference.Tensor {
	t.Helper()
	x, err := traces.ReadTensor(path)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// mustWrite writes a .npy array or fails the test.
func mustWrite(t *testing.T, path string, shape []int, data []float64, dtype string) string {
	t.Helper()
	if err := traces.WriteArray(path, shape, data, dtype); err != nil {
		t.Fatal(err)
	}
	return path
}

// dirNames lists the names in dir (nil if it does not exist).
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}
