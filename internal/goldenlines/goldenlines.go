// Package goldenlines compares a test's output lines with a pinned file
// (testdata/*.txt) and rewrites the file when the test's -update flag
// asks: the RTL hashes of hdlgen and the report hashes of sim use it.
package goldenlines

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
)

// Check compares got with the lines of path, or writes them there when
// update is set.
func Check(t *testing.T, path string, got []string, update bool) {
	t.Helper()
	if update {
		if err := os.WriteFile(path, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if err := Compare(path, got); err != nil {
		t.Error(err)
	}
}

// Compare reports the lines of got that differ from path's (nil if none).
func Compare(path string, got []string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var want []string
	for sc := bufio.NewScanner(f); sc.Scan(); {
		want = append(want, sc.Text())
	}
	if len(want) != len(got) {
		return fmt.Errorf("%d points, %s has %d", len(got), path, len(want))
	}
	var diffs []string
	for i := range got {
		if got[i] != want[i] {
			diffs = append(diffs, fmt.Sprintf("point %d: got %q, want %q", i, got[i], want[i]))
		}
	}
	if len(diffs) > 0 {
		return fmt.Errorf("%s:\n%s", path, strings.Join(diffs, "\n"))
	}
	return nil
}
