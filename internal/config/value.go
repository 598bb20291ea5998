package config

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// valueError is a value that does not fit its field; the loader adds the
// key and the source.
type valueError struct {
	shown string // the value as the user wrote it
	why   string // what is allowed
	line  int    // line in a YAML file, 0 if none
}

func (e *valueError) Error() string { return fmt.Sprintf("%s: %s", e.shown, e.why) }

func bad(n *yaml.Node, why string, args ...any) *valueError {
	shown := n.Value
	if n.Kind != yaml.ScalarNode {
		shown = map[yaml.Kind]string{yaml.MappingNode: "a map", yaml.SequenceNode: "a list", yaml.AliasNode: "an alias"}[n.Kind]
	} else if n.Tag == "!!str" {
		shown = strconv.Quote(n.Value)
	}
	return &valueError{shown: shown, why: fmt.Sprintf(why, args...), line: n.Line}
}

// convert turns a YAML node into a value of type t (struct fields become
// map[string]any keyed by their tags). A struct reports its unknown keys
// through unknown, as a dotted suffix of the node's key.
func convert(t reflect.Type, n *yaml.Node) (any, error) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	switch t.Kind() {
	case reflect.Struct:
		return convertStruct(t, n)
	case reflect.Slice:
		return convertSlice(t, n)
	case reflect.Map:
		return convertMap(t, n)
	}
	if n.Kind != yaml.ScalarNode {
		return nil, bad(n, "must be %s", kindWord(t))
	}
	return convertScalar(t, n)
}

// kindWord says what a value of type t must be.
func kindWord(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64:
		return "an integer (digits only: 1000, not 1e3 or 2.5)"
	case reflect.Int8, reflect.Int16, reflect.Int32:
		return fmt.Sprintf("an integer in [%d, %d]", minInt(t), maxInt(t))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return fmt.Sprintf("an integer in [0, %d]", maxUint(t))
	case reflect.Float32, reflect.Float64:
		return "a finite number"
	case reflect.String:
		return "a string"
	case reflect.Slice:
		return "a list, each element " + kindWord(t.Elem())
	case reflect.Struct:
		return "a map with keys " + knownKeys(t, "")
	}
	return "a " + t.String()
}

func minInt(t reflect.Type) int64 { return -1 << (t.Bits() - 1) }
func maxInt(t reflect.Type) int64 { return 1<<(t.Bits()-1) - 1 }
func maxUint(t reflect.Type) uint64 {
	return math.MaxUint64 >> (64 - t.Bits())
}

func convertScalar(t reflect.Type, n *yaml.Node) (any, error) {
	if n.Tag == "!!null" {
		return nil, bad(n, "needs a value: %s", kindWord(t))
	}
	switch t.Kind() {
	case reflect.String:
		return n.Value, nil
	case reflect.Bool:
		var b bool
		if n.Tag != "!!bool" || n.Decode(&b) != nil {
			return nil, bad(n, "must be true or false")
		}
		return b, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		var i int64
		if n.Tag != "!!int" || n.Decode(&i) != nil || i < minInt(t) || i > maxInt(t) {
			return nil, bad(n, "must be %s", kindWord(t))
		}
		return i, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		var u uint64
		if n.Tag != "!!int" || n.Decode(&u) != nil || u > maxUint(t) {
			return nil, bad(n, "must be %s", kindWord(t))
		}
		return u, nil
	case reflect.Float32, reflect.Float64:
		return convertFloat(t, n)
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, bad(n, "must be %s", kindWord(t))
	}
	return v, nil
}

// convertFloat accepts YAML numbers and, from the command line or the
// environment, strconv's spellings; NaN and infinities are refused.
func convertFloat(t reflect.Type, n *yaml.Node) (any, error) {
	var f float64
	var err error
	switch n.Tag {
	case "!!int", "!!float":
		err = n.Decode(&f)
	case "!!str":
		f, err = strconv.ParseFloat(strings.TrimSpace(n.Value), t.Bits())
	default:
		return nil, bad(n, "must be a finite number")
	}
	if err != nil && !isRange(err) {
		return nil, bad(n, "must be a finite number")
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || (t.Bits() == 32 && math.Abs(f) > math.MaxFloat32) {
		return nil, bad(n, "must be a finite number (NaN and infinities are not allowed)")
	}
	return f, nil
}

func isRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func convertSlice(t reflect.Type, n *yaml.Node) (any, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, bad(n, "must be %s", kindWord(t))
	}
	out := make([]any, len(n.Content))
	for i, c := range n.Content {
		v, err := convert(t.Elem(), c)
		if err != nil {
			return nil, elementError(err, fmt.Sprintf("[%d]", i))
		}
		out[i] = v
	}
	return out, nil
}

func convertMap(t reflect.Type, n *yaml.Node) (any, error) {
	if t.Key().Kind() != reflect.String || n.Kind != yaml.MappingNode {
		return nil, bad(n, "must be a map")
	}
	out := map[string]any{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		v, err := convert(t.Elem(), n.Content[i+1])
		if err != nil {
			return nil, elementError(err, "."+k)
		}
		out[k] = v
	}
	return out, nil
}

// convertStruct converts a map node into the keys of struct type t.
func convertStruct(t reflect.Type, n *yaml.Node) (map[string]any, error) {
	if n.Kind != yaml.MappingNode {
		return nil, bad(n, "must be %s", kindWord(t))
	}
	fields := structFields(t)
	out := map[string]any{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn := n.Content[i]
		k := strings.ToLower(kn.Value)
		f, ok := fields[k]
		if !ok {
			return nil, &keyError{suffix: kn.Value, line: kn.Line, known: knownKeys(t, "")}
		}
		if _, dup := out[k]; dup {
			return nil, &keyError{suffix: kn.Value, line: kn.Line, dup: true}
		}
		v, err := convert(f.Type, n.Content[i+1])
		if err != nil {
			return nil, elementError(err, "."+k)
		}
		out[k] = v
	}
	return out, nil
}

// keyError is an unknown or repeated key below the node being converted.
type keyError struct {
	suffix string // dotted key below the node
	line   int
	known  string // the keys allowed at that level
	dup    bool
}

func (e *keyError) Error() string {
	if e.dup {
		return fmt.Sprintf("%s: given twice", e.suffix)
	}
	return fmt.Sprintf("%s: unknown key", e.suffix)
}

// pathError is a valueError below the node being converted.
type pathError struct {
	suffix string
	err    *valueError
}

func (e *pathError) Error() string { return e.suffix + " = " + e.err.Error() }

// elementError prefixes the key of an element to an error from below.
func elementError(err error, step string) error {
	switch e := err.(type) {
	case *valueError:
		return &pathError{suffix: step, err: e}
	case *pathError:
		return &pathError{suffix: step + e.suffix, err: e.err}
	case *keyError:
		c := *e
		c.suffix = strings.TrimPrefix(step, ".") + "." + e.suffix
		if c.known != "" {
			c.known = prefixAll(strings.TrimPrefix(step, "."), c.known)
		}
		return &c
	}
	return err
}

// prefixAll prefixes each of a comma-separated list of keys.
func prefixAll(prefix, list string) string {
	parts := strings.Split(list, ", ")
	for i, p := range parts {
		parts[i] = join(prefix, p)
	}
	return strings.Join(parts, ", ")
}
