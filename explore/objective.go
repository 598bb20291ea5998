package explore

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/swatsim/swatsim/sim"
)

// Objective is a report key (a dotted path into the report JSON) to
// minimise or maximise.
type Objective struct {
	Key string
	Max bool
}

// Sense is "max" or "min".
func (o Objective) Sense() string {
	if o.Max {
		return "max"
	}
	return "min"
}

// reportKeys maps the report's numeric keys to true and its maps of
// numbers (whose sub-keys are open) to false, from sim.Report's JSON tags.
func reportKeys() map[string]bool {
	out := map[string]bool{}
	walkTags(reflect.TypeOf(sim.Report{}), "json", "", func(key string, t reflect.Type) {
		switch {
		case isNumeric(t.Kind()):
			out[key] = true
		case t.Kind() == reflect.Map && isNumeric(t.Elem().Kind()):
			out[key] = false
		case t.Kind() == reflect.Map && t.Elem().Kind() == reflect.Struct:
			out[key] = false
		}
	})
	return out
}

// resourceKeys are the keys of report.resources.
func resourceKeys() map[string]bool {
	out := map[string]bool{}
	walkTags(reflect.TypeOf(sim.Resources{}), "json", "", func(key string, _ reflect.Type) { out[key] = true })
	return out
}

// checkObjectiveKey accepts a numeric report key, or a key below a map of
// the report (e.g. stall_cycles.q, units.Accel.Core.PEArray.busy_cycles).
func checkObjectiveKey(key string, known map[string]bool) bool {
	if known[key] {
		return true
	}
	for k, leaf := range known {
		if !leaf && strings.HasPrefix(key, k+".") {
			return true
		}
	}
	return false
}

func (s *Space) parseObjectives(f *spaceFile) error {
	n := &f.Objectives
	if n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		return fmt.Errorf("objectives: give at least one report key with min or max, e.g. objectives: {latency_s: min, energy_j: min}")
	}
	known := reportKeys()
	for i := 0; i < len(n.Content); i += 2 {
		key, sense := n.Content[i].Value, n.Content[i+1].Value
		if !checkObjectiveKey(key, known) {
			return fmt.Errorf("objectives: %q is not a numeric report key; known: %s", key, strings.Join(sortedKeys(known), ", "))
		}
		if sense != "min" && sense != "max" {
			return fmt.Errorf("objectives.%s = %q: must be min or max", key, sense)
		}
		for _, o := range s.Objectives {
			if o.Key == key {
				return fmt.Errorf("objectives: %s appears twice", key)
			}
		}
		s.Objectives = append(s.Objectives, Objective{Key: key, Max: sense == "max"})
	}
	return nil
}

// lookup finds a dotted key in a decoded report. A map key may itself hold
// dots (units.Accel.Core.PEArray.busy_cycles), so the longest matching
// prefix wins at each level.
func lookup(m map[string]any, key string) (any, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	parts := strings.Split(key, ".")
	for i := len(parts) - 1; i >= 1; i-- {
		head := strings.Join(parts[:i], ".")
		sub, ok := m[head].(map[string]any)
		if !ok {
			continue
		}
		if v, ok := lookup(sub, strings.Join(parts[i:], ".")); ok {
			return v, true
		}
	}
	return nil, false
}

// number reads a numeric report key; NaN if absent or not a number.
func number(m map[string]any, key string) float64 {
	v, ok := lookup(m, key)
	if !ok {
		return math.NaN()
	}
	switch x := v.(type) {
	case float64:
		return x
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return math.NaN()
		}
		return f
	}
	return math.NaN()
}

// Fits applies the constraints to a decoded report: the device fit (the
// report's own fits key when the model provides one, and the resource
// limits of the space file), the power cap and the latency cap.
func (c Constraints) Fits(m map[string]any) bool {
	if f, ok := m["fits"].(bool); ok && !f {
		return false
	}
	for k, lim := range c.Resources {
		if !(number(m, "resources."+k) <= lim) {
			return false
		}
	}
	if c.MaxPowerW != nil && !(number(m, "power_w") <= *c.MaxPowerW) {
		return false
	}
	if c.MaxLatencyS != nil && !(number(m, "latency_s") <= *c.MaxLatencyS) {
		return false
	}
	return true
}
