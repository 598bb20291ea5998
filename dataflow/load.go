package dataflow

import (
	"bytes"
	_ "embed"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/viper"
)

// DefaultYAML is the embedded default design point.
//
//go:embed default.yaml
var DefaultYAML []byte

// EnvPrefix prefixes the environment overrides: SWATSIM_MODEL_SEQ_LEN=8192
// sets model.seq_len.
const EnvPrefix = "SWATSIM"

// Load builds a design point: the embedded default, then the YAML file at
// path (if not empty; it may set any subset of fields), then environment
// overrides, then the key=value overrides in sets. The result is validated.
func Load(path string, sets []string) (*Design, error) {
	v, err := newViper(path)
	if err != nil {
		return nil, err
	}
	if err := applySets(v, sets); err != nil {
		return nil, err
	}
	d := &Design{}
	if err := v.Unmarshal(d, strictDecode); err != nil {
		return nil, fmt.Errorf("design point: %v", err)
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return d, nil
}

func strictDecode(c *mapstructure.DecoderConfig) {
	c.ErrorUnused = true
	c.WeaklyTypedInput = true
}

func newViper(path string) (*viper.Viper, error) {
	v := viper.New()
	v.SetConfigType("yaml")
	if err := v.ReadConfig(bytes.NewReader(DefaultYAML)); err != nil {
		return nil, fmt.Errorf("embedded default design: %v", err)
	}
	known := v.AllKeys()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("--config: %v", err)
		}
		if err := v.MergeConfig(bytes.NewReader(b)); err != nil {
			return nil, fmt.Errorf("--config %s: not valid YAML: %v", path, err)
		}
		if err := checkKeys(v.AllKeys(), known, path); err != nil {
			return nil, err
		}
	}
	v.SetEnvPrefix(EnvPrefix)
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	return v, nil
}

func checkKeys(keys, known []string, src string) error {
	ok := map[string]bool{}
	for _, k := range known {
		ok[k] = true
	}
	for _, k := range keys {
		if !ok[k] {
			return fmt.Errorf("%s: unknown key %q; known keys: %s", src, k, strings.Join(sorted(known), ", "))
		}
	}
	return nil
}

func sorted(s []string) []string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return s
}

func applySets(v *viper.Viper, sets []string) error {
	known := map[string]bool{}
	for _, k := range v.AllKeys() {
		known[k] = true
	}
	for _, kv := range sets {
		k, val, ok := strings.Cut(kv, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if !ok || k == "" {
			return fmt.Errorf("--set %q: want key=value, e.g. --set model.window=256", kv)
		}
		if !known[k] {
			return fmt.Errorf("--set %s: unknown key; known keys: %s", k, strings.Join(sorted(v.AllKeys()), ", "))
		}
		v.Set(k, strings.TrimSpace(val))
	}
	return nil
}

// Unset keeps the key=value overrides whose key neither the YAML file at
// path nor the environment sets: defaults that yield to explicit settings.
func Unset(path string, sets []string) []string {
	v, err := newViper(path)
	if err != nil {
		return sets // Load reports the error
	}
	explicit := map[string]bool{}
	if path != "" {
		if b, err := os.ReadFile(path); err == nil {
			f := viper.New()
			f.SetConfigType("yaml")
			if f.ReadConfig(bytes.NewReader(b)) == nil {
				for _, k := range f.AllKeys() {
					explicit[k] = true
				}
			}
		}
	}
	var out []string
	for _, kv := range sets {
		k, _, _ := strings.Cut(kv, "=")
		_, inEnv := os.LookupEnv(EnvPrefix + "_" + strings.ToUpper(strings.ReplaceAll(k, ".", "_")))
		if !explicit[k] && !inEnv && v.IsSet(k) {
			out = append(out, kv)
		}
	}
	return out
}

// Default returns the embedded default design point.
func Default() *Design {
	d, err := Load("", nil)
	if err != nil {
		panic("embedded default design is invalid: " + err.Error())
	}
	return d
}
