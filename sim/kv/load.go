package kv

import (
	_ "embed"
	"fmt"
	"os"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/internal/config"
)

//go:embed defaults.yaml
var defaultsYAML []byte

// EnvPrefix is the prefix of environment overrides: kv.hbm.channels is
// SWATSIM_KV_HBM_CHANNELS (the one prefix of internal/config).
const EnvPrefix = config.EnvPrefix

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

// schema is the kv configuration: the kv. keys of Config, defaults.yaml.
var schema = config.MustSchema("kv config", defaultsYAML, configFile{})

// configFile is the kv configuration's file layout: everything under kv.
type configFile struct {
	KV Config `mapstructure:"kv"`
}

// loadKV reads the kv. keys through the one loader (internal/config):
// defaults, file, environment.
func loadKV(path string, env bool) (Config, error) {
	if err := checkCardKeys(path); err != nil {
		return Config{}, err
	}
	var w configFile
	if err := schema.Load(config.Layers{File: path, Env: env}, &w); err != nil {
		return Config{}, err
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

// checkCardKeys points a config that sets one of the card's keys (kept by
// earlier versions under kv.) to the design point's key.
func checkCardKeys(path string) error {
	if path == "" {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	var tree struct {
		KV map[string]any `yaml:"kv"`
	}
	if yaml.Unmarshal(b, &tree) != nil {
		return nil // the loader reports what is wrong with the file
	}
	for k, sub := range tree.KV {
		keys := []string{"kv." + k}
		if m, ok := sub.(map[string]any); ok {
			for kk := range m {
				keys = append(keys, "kv."+k+"."+kk)
			}
		}
		slices.Sort(keys)
		for _, key := range keys {
			if d, ok := designKeys[key]; ok {
				return fmt.Errorf("config %s: %q is the card's, not a kv setting: set the design point's %s (swatsim kv --design FILE, the file swatsim sim reads)", path, key, d)
			}
		}
	}
	return nil
}
