package synth

import (
	"slices"
	"testing"

	"github.com/swatsim/swatsim/dataflow/resource"
)

// TestModuleLUTsSumToTotal: on a hierarchical run's statistics (a
// 3-PE core on xc7), every module's LUTs times its instances in the
// design hierarchy sum to the design's LUT total, so the per-module counts
// the fit takes for the lane and dot tree features are counted as the
// totals are.
func TestModuleLUTsSumToTotal(t *testing.T) {
	const path = "testdata/stat/hier_xc7_3pe.txt"
	luts, inst, err := readHierStat(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0
	for m, n := range inst {
		sum += luts[m] * n
	}
	cells, err := readStat(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := tally("xc7", cells).LUT; sum != want {
		t.Errorf("modules' LUTs x instances = %d, the design's total %d", sum, want)
	}
	got, err := moduleLUTs(path)
	if err != nil {
		t.Fatal(err)
	}
	if got["lane"] == 0 || got["lane"] >= sum {
		t.Errorf("lane LUTs %d of %d", got["lane"], sum)
	}
}

// TestModuleColumnsCoverModuleOf: the CSV has a column for every feature
// the fit takes from module counts.
func TestModuleColumnsCoverModuleOf(t *testing.T) {
	var want []string
	for f := range resource.ModuleOf {
		want = append(want, f)
	}
	got := slices.Clone(moduleCols)
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("CSV module columns %v, resource.ModuleOf %v", got, want)
	}
}
