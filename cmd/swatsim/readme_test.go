package main

import (
	"os"
	"strings"
	"testing"
)

// TestREADMERunOutput pins the output of `make run` (swatsim sim on the
// embedded default design) that README.md shows, every line but the
// wall-time one, so the README cannot drift from the code.
func TestREADMERunOutput(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "```text\n")
	if start < 0 {
		t.Fatal("README.md has no ```text block with make run's output")
	}
	block := readme[start+len("```text\n"):]
	block = block[:strings.Index(block, "```")]
	code, stdout, stderr := runCLI(t, "sim")
	if code != 0 {
		t.Fatalf("swatsim sim: exit %d: %s", code, stderr)
	}
	if got, want := withoutWallTime(stdout), withoutWallTime(block); got != want {
		t.Errorf("README.md's make run output drifted; swatsim sim now prints:\n%s", stdout)
	}
}

// withoutWallTime drops the line that reports the simulator's own speed.
func withoutWallTime(s string) string {
	var keep []string
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		if !strings.HasPrefix(line, "simulated ") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n")
}
