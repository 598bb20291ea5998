package config

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// field is one configurable field of a struct: its dotted key and type.
type field struct {
	key string
	typ reflect.Type
}

// tagName is the key of a struct field: its mapstructure tag, else its
// lower-cased name; "" for a field that is skipped.
func tagName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("mapstructure"), ",")
	switch name {
	case "-":
		return ""
	case "":
		return strings.ToLower(f.Name)
	}
	return name
}

// structFields maps the keys of struct type t to their fields.
func structFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := range t.NumField() {
		f := t.Field(i)
		if name := tagName(f); name != "" {
			out[name] = f
		}
	}
	return out
}

// leaves lists the leaf keys (non-struct fields) of struct type t under
// prefix, sorted.
func leaves(t reflect.Type, prefix string) []field {
	var out []field
	for name, f := range structFields(t) {
		key := join(prefix, name)
		if f.Type.Kind() == reflect.Struct {
			out = append(out, leaves(f.Type, key)...)
			continue
		}
		out = append(out, field{key: key, typ: f.Type})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

// lookup finds the type of the dotted key in struct type t.
func lookup(t reflect.Type, key string) (reflect.Type, error) {
	parts := strings.Split(key, ".")
	for i, p := range parts {
		if t.Kind() != reflect.Struct {
			return nil, fmt.Errorf("%s: %s is not a group of keys", key, strings.Join(parts[:i], "."))
		}
		f, ok := structFields(t)[p]
		if !ok {
			return nil, fmt.Errorf("%s: unknown key; known keys: %s", key, knownKeys(t, strings.Join(parts[:i], ".")))
		}
		t = f.Type
	}
	return t, nil
}

// knownKeys lists the keys of struct type t (prefixed), for messages.
func knownKeys(t reflect.Type, prefix string) string {
	var names []string
	for name := range structFields(t) {
		names = append(names, join(prefix, name))
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// envName is the environment variable of a dotted key.
func envName(key string) string {
	return EnvPrefix + "_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}
