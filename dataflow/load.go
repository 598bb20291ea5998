package dataflow

import (
	_ "embed"

	"github.com/swatsim/swatsim/internal/config"
)

// DefaultYAML is the embedded default design point.
//
//go:embed default.yaml
var DefaultYAML []byte

// EnvPrefix prefixes the environment overrides: SWATSIM_MODEL_SEQ_LEN=8192
// sets model.seq_len.
const EnvPrefix = config.EnvPrefix

// schema is the design point's configuration: its keys are Design's
// mapstructure tags, its defaults default.yaml.
var schema = config.MustSchema("design point", DefaultYAML, Design{})

// Load builds a design point: the embedded default, then the YAML file at
// path (if not empty; it may set any subset of fields), then environment
// overrides, then the key=value overrides in sets. The result is validated.
func Load(path string, sets []string) (*Design, error) {
	return LoadAround(path, nil, sets)
}

// LoadAround is Load with pre: key=value defaults (e.g. the shape of given
// tensors) that apply unless the YAML file or the environment set the key.
func LoadAround(path string, pre, sets []string) (*Design, error) {
	d := &Design{}
	if err := schema.Load(config.Layers{File: path, Env: true, Pre: pre, Sets: sets}, d); err != nil {
		return nil, err
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return d, nil
}

// Keys lists the design point's keys (model.heads, ...), sorted.
func Keys() []string { return schema.Keys() }

// Default returns the embedded default design point.
func Default() *Design {
	d, err := Load("", nil)
	if err != nil {
		panic("embedded default design is invalid: " + err.Error())
	}
	return d
}
