package explore

import (
	"math"
	"testing"
)

func f64(v float64) *float64 { return &v }

func TestConstraintsFit(t *testing.T) {
	report := map[string]any{"latency_s": 0.002, "power_w": 30.0, "resources": map[string]any{"dsp": 900.0, "lut": 5e5}}
	withFits := func(fits bool) map[string]any {
		m := map[string]any{"fits": fits}
		for k, v := range report {
			m[k] = v
		}
		return m
	}
	for _, c := range []struct {
		name   string
		c      Constraints
		report map[string]any
		want   bool
	}{
		{"none", Constraints{}, report, true},
		{"dsp at the limit", Constraints{Resources: map[string]float64{"dsp": 900}}, report, true},
		{"dsp over", Constraints{Resources: map[string]float64{"dsp": 899}}, report, false},
		{"lut over", Constraints{Resources: map[string]float64{"dsp": 1000, "lut": 4e5}}, report, false},
		{"resource missing from the report", Constraints{Resources: map[string]float64{"ff": 10}}, report, false},
		{"power", Constraints{MaxPowerW: f64(29.9)}, report, false},
		{"power ok", Constraints{MaxPowerW: f64(30)}, report, true},
		{"latency", Constraints{MaxLatencyS: f64(0.001)}, report, false},
		{"latency ok", Constraints{MaxLatencyS: f64(0.01)}, report, true},
		{"device says no", Constraints{}, withFits(false), false},
		{"device says yes", Constraints{MaxLatencyS: f64(0.01)}, withFits(true), true},
		{"device yes, power no", Constraints{MaxPowerW: f64(1)}, withFits(true), false},
	} {
		if got := c.c.Fits(c.report); got != c.want {
			t.Errorf("%s: fits %v, want %v", c.name, got, c.want)
		}
	}
}

func TestLookup(t *testing.T) {
	m, _ := decodeJSON([]byte(`{"latency_s": 1.5, "units": {"Accel.Core.PEArray": {"busy_cycles": 7}}, "resources": {"dsp": 3}, "arch": "swat"}`))
	for key, want := range map[string]float64{
		"latency_s": 1.5, "units.Accel.Core.PEArray.busy_cycles": 7, "resources.dsp": 3,
		"resources.lut": math.NaN(), "arch": math.NaN(), "nope": math.NaN(),
	} {
		got := number(m, key)
		if got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("%s = %v, want %v", key, got, want)
		}
	}
}
