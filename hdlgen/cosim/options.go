package cosim

import (
	"context"
	"path/filepath"
)

// Option configures Run.
type Option func(*config)

// config is what the options set.
type config struct {
	ctx      context.Context // the tools run under it
	workDir  string          // where to write stimulus and outputs
	cacheDir string          // built simulators
	vcd      string          // waveform file
	vcdFrom  int64           // first cycle dumped
	vcdTo    int64           // last cycle dumped (< 0: to the end)
}

func newConfig(opts []Option) *config {
	c := &config{ctx: context.Background(), vcdTo: -1}
	for _, o := range opts {
		o(c)
	}
	return c
}

// WithWorkDir keeps the co-simulation's stimulus and output in dir instead
// of a temporary directory.
func WithWorkDir(dir string) Option { return func(c *config) { c.workDir = absPath(dir) } }

// WithContext runs the co-simulation's tools under ctx: cancelling it
// stops them (see tool.Run).
func WithContext(ctx context.Context) Option { return func(c *config) { c.ctx = ctx } }

// WithCacheDir sets the directory of built simulators (see CacheDir).
func WithCacheDir(dir string) Option { return func(c *config) { c.cacheDir = dir } }

// WithVCD dumps a waveform of cycles [from, to] (to < 0: to the end) to
// file; the simulator is built with --trace.
func WithVCD(file string, from, to int64) Option {
	return func(c *config) { c.vcd, c.vcdFrom, c.vcdTo = absPath(file), from, to }
}

// absPath makes a path absolute (the simulator runs in its work
// directory); it leaves it as it is if that fails.
func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
