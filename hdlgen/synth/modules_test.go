package synth

import "testing"

// TestModuleLUTsSumToTotal: on a hierarchical run's statistics (a
// 3-PE core on xc7), every module's LUTs times its instances in the
// design hierarchy sum to the design's LUT total, so the per-module counts
// the collection keeps for the lane and dot tree are counted as the
// totals are.
func TestModuleLUTsSumToTotal(t *testing.T) {
	const path = "testdata/stat/hier_xc7_3pe.txt"
	perModule, inst, err := readHierStat(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0
	for m, n := range inst {
		sum += tally("xc7", perModule[m]).LUT * n
	}
	design, err := readStat(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := tally("xc7", design).LUT; sum != want {
		t.Errorf("modules' LUTs x instances = %d, the design's total %d", sum, want)
	}
	got, err := moduleLUTs(path, "xc7")
	if err != nil {
		t.Fatal(err)
	}
	if got["lane"] == 0 || got["lane"] >= sum {
		t.Errorf("lane LUTs %d of %d", got["lane"], sum)
	}
}
