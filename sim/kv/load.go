package kv

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/viper"
)

//go:embed defaults.yaml
var defaultsYAML []byte

// DefaultsYAML returns the embedded default configuration.
func DefaultsYAML() []byte { return slices.Clone(defaultsYAML) }

// EnvPrefix is the prefix of environment overrides: kv.hbm.channels is
// SWATSIM_KV_HBM_CHANNELS.
const EnvPrefix = "SWATSIM"

// DefaultConfig returns the embedded defaults.
func DefaultConfig() Config {
	c, err := LoadConfig("", false)
	if err != nil {
		panic(fmt.Sprintf("kv: embedded defaults: %v", err))
	}
	return c
}

// LoadConfig reads the embedded defaults, merges the YAML file at path
// (if not empty) and, when env is true, the SWATSIM_KV_... environment
// variables, then validates the result. Keys the defaults do not have are
// errors (a typo would otherwise be ignored silently).
func LoadConfig(path string, env bool) (Config, error) {
	v := viper.New()
	v.SetConfigType("yaml")
	if err := v.ReadConfig(bytes.NewReader(defaultsYAML)); err != nil {
		return Config{}, err
	}
	known := v.AllKeys()
	if path != "" {
		if err := mergeFile(v, path, known); err != nil {
			return Config{}, err
		}
	}
	if env {
		v.SetEnvPrefix(EnvPrefix)
		v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
		v.AutomaticEnv()
	}
	var w struct {
		KV Config `mapstructure:"kv"`
	}
	if err := v.Unmarshal(&w); err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return w.KV, w.KV.Validate()
}

// mergeFile merges a user YAML file after checking its keys.
func mergeFile(v *viper.Viper, path string, known []string) error {
	u := viper.New()
	u.SetConfigFile(path)
	u.SetConfigType("yaml")
	if err := u.ReadInConfig(); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	sort.Strings(known)
	for _, k := range u.AllKeys() {
		if _, ok := slices.BinarySearch(known, k); !ok {
			return fmt.Errorf("config %s: unknown key %q; allowed keys: %s", path, k, strings.Join(known, ", "))
		}
	}
	if err := v.MergeConfigMap(u.AllSettings()); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	return nil
}
