package explore

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// MaxPoints is the largest space explored without a sample.
const MaxPoints = 1_000_000

// maxSampled is the largest product a sample may draw from.
const maxSampled = 1 << 62

// Space is a parsed and validated space file.
type Space struct {
	// Base is the absolute path of the base design ("" = the embedded default).
	Base        string
	Fields      []Field
	Sample      *Sample
	Constraints Constraints
	Objectives  []Objective
	// Canonical is the space as YAML with an absolute base: what
	// DIR/space.yaml holds, and what identifies the space of a results
	// directory.
	Canonical []byte
	kinds     map[string]reflect.Kind
}

// Field is one swept design field and its values.
type Field struct {
	Name   string
	Values []string
}

// Sample asks for a seeded random subset of n points of the product.
type Sample struct {
	N    int64  `yaml:"n"`
	Seed uint64 `yaml:"seed"`
}

// Constraints decide whether a point is feasible ("fits").
type Constraints struct {
	// Resources are device limits on the report's resource estimate
	// (report.resources.<key> <= limit), e.g. {dsp: 9024, lut: 1303680}.
	Resources map[string]float64 `yaml:"resources,omitempty"`
	// MaxPowerW caps report.power_w and MaxLatencyS report.latency_s.
	MaxPowerW   *float64 `yaml:"max_power_w,omitempty"`
	MaxLatencyS *float64 `yaml:"max_latency_s,omitempty"`
}

// spaceFile is the YAML layout; fields and objectives stay nodes to keep
// their order.
type spaceFile struct {
	Base        string       `yaml:"base,omitempty"`
	Fields      yaml.Node    `yaml:"fields"`
	Sample      *Sample      `yaml:"sample,omitempty"`
	Constraints *Constraints `yaml:"constraints,omitempty"`
	Objectives  yaml.Node    `yaml:"objectives"`
}

// LoadSpace reads and validates the space file at path. A relative base is
// relative to the space file's folder.
func LoadSpace(path string) (*Space, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--space: %v", err)
	}
	s, err := ParseSpace(b, filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("space %s: %w", path, err)
	}
	return s, nil
}

// ParseSpace validates a space file's text; dir resolves a relative base.
func ParseSpace(text []byte, dir string) (*Space, error) {
	var f spaceFile
	dec := yaml.NewDecoder(bytes.NewReader(text))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("empty space: give at least fields and objectives")
		}
		return nil, fmt.Errorf("not a valid space file: %v (keys: base, fields, sample, constraints, objectives)", err)
	}
	s := &Space{Sample: f.Sample, kinds: designFields()}
	if f.Constraints != nil {
		s.Constraints = *f.Constraints
	}
	if f.Base != "" {
		s.Base = f.Base
		if !filepath.IsAbs(s.Base) {
			s.Base = filepath.Join(dir, s.Base)
		}
		abs, err := filepath.Abs(s.Base)
		if err != nil {
			return nil, fmt.Errorf("base: %v", err)
		}
		s.Base, f.Base = abs, abs
		if _, err := os.Stat(abs); err != nil {
			return nil, fmt.Errorf("base: %v", err)
		}
	}
	for _, step := range []func(*spaceFile) error{s.parseFields, s.checkSample, s.checkConstraints, s.parseObjectives} {
		if err := step(&f); err != nil {
			return nil, err
		}
	}
	canon, err := yaml.Marshal(&f)
	if err != nil {
		return nil, err
	}
	s.Canonical = canon
	return s, nil
}

func (s *Space) parseFields(f *spaceFile) error {
	n := &f.Fields
	if n.Kind == 0 || (n.Kind == yaml.MappingNode && len(n.Content) == 0) {
		return fmt.Errorf("fields: empty space: give at least one field, e.g. fields: {hw.pes: [8, 16, 32]}")
	}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("fields: want a mapping of design field to values, e.g. fields: {hw.pes: [8, 16, 32]}")
	}
	seen := map[string]bool{}
	for i := 0; i < len(n.Content); i += 2 {
		name := strings.ToLower(n.Content[i].Value)
		kind, ok := s.kinds[name]
		if !ok {
			return fmt.Errorf("fields: unknown design field %q; known fields: %s", name, strings.Join(sortedKeys(s.kinds), ", "))
		}
		if seen[name] {
			return fmt.Errorf("fields: %s appears twice", name)
		}
		seen[name] = true
		vals, err := fieldValues(name, kind, n.Content[i+1])
		if err != nil {
			return err
		}
		s.Fields = append(s.Fields, Field{Name: name, Values: vals})
	}
	return nil
}

// fieldValues reads a field's values: a list, a single scalar or a range.
func fieldValues(name string, kind reflect.Kind, n *yaml.Node) ([]string, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		return []string{n.Value}, nil
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			return nil, fmt.Errorf("fields.%s: empty list: give at least one value", name)
		}
		var out []string
		for _, v := range n.Content {
			if v.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("fields.%s: line %d: each value must be a scalar", name, v.Line)
			}
			out = append(out, v.Value)
		}
		return out, nil
	case yaml.MappingNode:
		if !isNumeric(kind) {
			return nil, fmt.Errorf("fields.%s: a range {from, to, step|times} needs a numeric field, but %s is a %s; list its values instead", name, name, kind)
		}
		r, err := parseRange(name, n)
		if err != nil {
			return nil, err
		}
		return r.expand(name, kind)
	}
	return nil, fmt.Errorf("fields.%s: want a list of values or a range {from, to, step|times}", name)
}

func parseRange(name string, n *yaml.Node) (valueRange, error) {
	var r valueRange
	got := map[string]bool{}
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1]
		x, err := strconv.ParseFloat(v.Value, 64)
		if v.Kind != yaml.ScalarNode || err != nil {
			return r, fmt.Errorf("fields.%s.%s = %q: want a number", name, k, v.Value)
		}
		switch k {
		case "from":
			r.from = x
		case "to":
			r.to = x
		case "step":
			r.step, r.hasStep = x, true
		case "times":
			r.times, r.hasTimes = x, true
		default:
			return r, fmt.Errorf("fields.%s: unknown range key %q; allowed: from, to, step, times", name, k)
		}
		got[k] = true
	}
	if !got["from"] || !got["to"] {
		return r, fmt.Errorf("fields.%s: a range needs from and to, e.g. {from: 4096, to: 65536, times: 2}", name)
	}
	return r, nil
}

// Size is the number of points in the full product (saturating at
// maxSampled+1).
func (s *Space) Size() int64 {
	n := int64(1)
	for _, f := range s.Fields {
		if n > maxSampled/int64(len(f.Values)) {
			return maxSampled + 1
		}
		n *= int64(len(f.Values))
	}
	return n
}

func (s *Space) checkSample(*spaceFile) error {
	size := s.Size()
	if s.Sample == nil {
		if size > MaxPoints {
			return fmt.Errorf("the space has %s points, more than %d: add sample: {n: 1000, seed: 1} to explore a random subset", sizeText(size), MaxPoints)
		}
		return nil
	}
	switch {
	case s.Sample.N < 1 || s.Sample.N > MaxPoints:
		return fmt.Errorf("sample.n = %d: must be in [1, %d]", s.Sample.N, MaxPoints)
	case size > maxSampled:
		return fmt.Errorf("the space has more than 2^62 points, too many even to sample: narrow the fields")
	}
	return nil
}

func sizeText(n int64) string {
	if n > maxSampled {
		return "more than 2^62"
	}
	return strconv.FormatInt(n, 10)
}

func (s *Space) checkConstraints(*spaceFile) error {
	c := s.Constraints
	for _, lim := range []struct {
		name string
		v    *float64
	}{{"max_power_w", c.MaxPowerW}, {"max_latency_s", c.MaxLatencyS}} {
		if lim.v != nil && !(*lim.v > 0) {
			return fmt.Errorf("constraints.%s = %g: must be > 0", lim.name, *lim.v)
		}
	}
	known := resourceKeys()
	for _, k := range sortedKeys(c.Resources) {
		if !known[k] {
			return fmt.Errorf("constraints.resources.%s: unknown resource; allowed: %s", k, strings.Join(sortedKeys(known), ", "))
		}
		if !(c.Resources[k] > 0) {
			return fmt.Errorf("constraints.resources.%s = %g: must be > 0", k, c.Resources[k])
		}
	}
	return nil
}
