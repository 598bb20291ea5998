package explore

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/swatsim/swatsim/dataflow"
)

// maxFieldValues caps the values one range may expand to.
const maxFieldValues = 1_000_000

// designFields maps every dotted design key (model.seq_len) to the Go kind
// of its field, read from dataflow.Design's tags (mapstructure, else yaml)
// so that it follows the loader.
func designFields() map[string]reflect.Kind {
	out := map[string]reflect.Kind{}
	walkTags(reflect.TypeOf(dataflow.Design{}), "mapstructure,yaml", "", func(key string, t reflect.Type) {
		out[key] = t.Kind()
	})
	return out
}

// walkTags calls visit for every field of struct type t (recursing into
// nested structs and pointers to structs) with its dotted key built from
// the first of the comma-separated struct tags the field has.
func walkTags(t reflect.Type, tags, prefix string, visit func(key string, t reflect.Type)) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := tagName(f.Tag, tags)
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		key := prefix + name
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct {
			walkTags(ft, tags, key+".", visit)
			continue
		}
		visit(key, ft)
	}
}

// tagName is the name the first present tag of tags gives the field.
func tagName(tag reflect.StructTag, tags string) string {
	for _, t := range strings.Split(tags, ",") {
		if v, ok := tag.Lookup(t); ok {
			name, _, _ := strings.Cut(v, ",")
			return name
		}
	}
	return ""
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func isNumeric(k reflect.Kind) bool {
	return isInteger(k) || k == reflect.Float32 || k == reflect.Float64
}

func isInteger(k reflect.Kind) bool {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

// valueRange is a field given as {from, to, step} (arithmetic) or
// {from, to, times} (geometric).
type valueRange struct {
	from, to, step, times float64
	hasStep, hasTimes     bool
}

// expand lists the range's values, formatted for a field of kind k.
func (r valueRange) expand(field string, k reflect.Kind) ([]string, error) {
	if err := r.check(field); err != nil {
		return nil, err
	}
	var out []string
	for i := 0; ; i++ {
		v := r.from + float64(i)*r.step
		if r.hasTimes {
			v = r.from * math.Pow(r.times, float64(i))
		}
		if v > r.to*(1+1e-12)+1e-12 {
			break
		}
		if len(out) == maxFieldValues {
			return nil, fmt.Errorf("fields.%s: the range gives more than %d values", field, maxFieldValues)
		}
		s, err := formatValue(field, v, k)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func (r valueRange) check(field string) error {
	switch {
	case r.hasStep == r.hasTimes:
		return fmt.Errorf("fields.%s: a range needs exactly one of step or times, e.g. {from: 4096, to: 65536, times: 2}", field)
	case r.to < r.from:
		return fmt.Errorf("fields.%s: range to = %g is below from = %g", field, r.to, r.from)
	case r.hasStep && !(r.step > 0):
		return fmt.Errorf("fields.%s: range step = %g: must be > 0", field, r.step)
	case r.hasTimes && !(r.times > 1):
		return fmt.Errorf("fields.%s: range times = %g: must be > 1", field, r.times)
	case r.hasTimes && !(r.from > 0):
		return fmt.Errorf("fields.%s: range from = %g: a geometric range (times) must start above 0", field, r.from)
	}
	return nil
}

// formatValue prints v for a field of kind k; integer fields need
// integer values.
func formatValue(field string, v float64, k reflect.Kind) (string, error) {
	if !isInteger(k) {
		return strconv.FormatFloat(v, 'g', -1, 64), nil
	}
	r := math.Round(v)
	if math.Abs(v-r) > 1e-9*math.Max(1, math.Abs(v)) || math.Abs(r) > 1<<53 {
		return "", fmt.Errorf("fields.%s: the range gives %g, but the field takes integers", field, v)
	}
	return strconv.FormatInt(int64(r), 10), nil
}
