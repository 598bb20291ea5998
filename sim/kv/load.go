package kv

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/viper"

	"github.com/swatsim/swatsim/dataflow"
)

//go:embed defaults.yaml
var defaultsYAML []byte

// DefaultsYAML returns the embedded default configuration.
func DefaultsYAML() []byte { return slices.Clone(defaultsYAML) }

// EnvPrefix is the prefix of environment overrides: kv.hbm.channels is
// SWATSIM_KV_HBM_CHANNELS.
const EnvPrefix = "SWATSIM"

// DefaultConfig returns the embedded defaults on the embedded default
// design point's card.
func DefaultConfig() Config {
	c, err := LoadConfig("", false)
	if err != nil {
		panic(fmt.Sprintf("kv: embedded defaults: %v", err))
	}
	return c
}

// LoadConfig is LoadDesignConfig on the embedded default design point.
func LoadConfig(path string, env bool) (Config, error) {
	return LoadDesignConfig(path, env, dataflow.Default())
}

// LoadDesignConfig reads the embedded kv defaults, merges the YAML file at
// path (if not empty) and, when env is true, the SWATSIM_KV_...
// environment variables, takes the card from the design point (see
// Config.ApplyDesign), then validates the result. Keys the defaults do not
// have are errors (a typo would otherwise be ignored silently).
func LoadDesignConfig(path string, env bool, design *dataflow.Design) (Config, error) {
	c, err := loadKV(path, env)
	if err != nil {
		return Config{}, err
	}
	return c, c.ApplyDesign(design)
}

// loadKV reads the kv. keys: defaults, file, environment.
func loadKV(path string, env bool) (Config, error) {
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
	return w.KV, nil
}

// designKeys maps the kv keys of earlier versions that now come from the
// design point to the design's keys.
var designKeys = map[string]string{
	"kv.clock_mhz": "hw.clock_mhz", "kv.compute.macs_per_cycle": "hw.pes and hw.vector_width",
	"kv.hbm.name": "memory.kind", "kv.hbm.bandwidth_gbps": "memory.channels x memory.channel_gbps",
	"kv.hbm.latency_ns": "memory.latency_ns", "kv.hbm.channels": "memory.channels",
	"kv.hbm.interleave_bytes": "memory.interleave_bytes", "kv.host.name": "(fixed: host)",
	"kv.host.bandwidth_gbps": "memory.host_gbps", "kv.host.latency_ns": "memory.host_latency_ns",
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
		if d, ok := designKeys[k]; ok {
			return fmt.Errorf("config %s: %q is the card's, not a kv setting: set the design point's %s (swatsim kv --design FILE, the file swatsim sim reads)", path, k, d)
		}
		if _, ok := slices.BinarySearch(known, k); !ok {
			return fmt.Errorf("config %s: unknown key %q; allowed keys: %s", path, k, strings.Join(known, ", "))
		}
	}
	if err := v.MergeConfigMap(u.AllSettings()); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	return nil
}
