package hdltest

import (
	"os"
	"testing"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/hdlgen/internal/tool"
)

// Need skips the test when an external tool is missing, except under CI
// (CI=true), where a missing tool is a failure.
func Need(t testing.TB, name string) {
	t.Helper()
	if _, err := tool.Look(name); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v", err)
		}
		t.Skipf("%v", err)
	}
}

// Design loads the design point name with the --set assignments sets on
// the defaults, failing the test on an error.
func Design(t testing.TB, name string, sets []string) *dataflow.Design {
	t.Helper()
	d, err := dataflow.Load("", append([]string{"name=" + name}, sets...))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return d
}
