package goldenlines

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckRoundTrip: lines written with update read back equal; a
// changed line and a missing one are reported.
func TestCheckRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lines.txt")
	Check(t, path, []string{"a 1", "b 2"}, true)
	Check(t, path, []string{"a 1", "b 2"}, false)
	if err := Compare(path, []string{"a 1", "b 3"}); err == nil || !strings.Contains(err.Error(), `point 1: got "b 3", want "b 2"`) {
		t.Errorf("changed line: %v", err)
	}
	if err := Compare(path, []string{"a 1"}); err == nil {
		t.Error("a missing line passed")
	}
}
