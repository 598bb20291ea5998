package config

import (
	"fmt"
	"math"
	"reflect"
	"sort"
)

// CheckFinite walks v (a struct or a pointer to one) and returns an error
// naming the first float field (by its dotted mapstructure key) that is
// NaN or infinite. New fields are covered without listing them.
func CheckFinite(v any) error {
	return checkFinite(reflect.ValueOf(v), "")
}

func checkFinite(v reflect.Value, key string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return checkFinite(v.Elem(), key)
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			name := tagName(t.Field(i))
			if name == "" {
				continue
			}
			if err := checkFinite(v.Field(i), join(key, name)); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if err := checkFinite(v.Index(i), fmt.Sprintf("%s[%d]", key, i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		for _, k := range keys {
			if err := checkFinite(v.MapIndex(k), fmt.Sprintf("%s.%v", key, k)); err != nil {
				return err
			}
		}
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%s = %g: must be a finite number (NaN and infinities are not allowed)", key, f)
		}
	}
	return nil
}
