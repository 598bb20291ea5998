package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/reference"
)

// shapeSets are the overrides that give a design point the shape of a
// [H,N,D] tensor (applied before --set, so explicit settings win).
func shapeSets(t *reference.Tensor) []string {
	return []string{fmt.Sprint("model.heads=", t.H), fmt.Sprint("model.seq_len=", t.N), fmt.Sprint("model.head_dim=", t.D)}
}

// designFlags are the flags every command that takes a design point has.
type designFlags struct {
	config  string
	sets    []string
	command string // for messages
	perElem int64  // memory per [H,N,D] element the command holds (0: not checked here)
}

// designMemory is the memory per element of the commands whose only
// tensors are the design's (sim checks its own: --timing-only needs none).
var designMemory = map[string]int64{"hdl": bytesPerElemHDL, "cosim": bytesPerElemCosim}

func addDesignFlags(cmd *cobra.Command) *designFlags {
	f := &designFlags{command: cmd.Name(), perElem: designMemory[cmd.Name()]}
	cmd.Flags().StringVar(&f.config, "config", "", "design point YAML (default: the embedded default design)")
	cmd.Flags().StringArrayVar(&f.sets, "set", nil, "override a design field, e.g. --set model.window=256 (repeatable)")
	return f
}

// load builds the design point: default, --config, SWATSIM_* env, --set,
// then extra overrides.
func (f *designFlags) load(extra ...string) (*dataflow.Design, error) {
	return f.loadAround(nil, extra)
}

// loadAround applies pre before --set (defaults that --config, the
// environment or --set may override) and post after it.
func (f *designFlags) loadAround(pre, post []string) (*dataflow.Design, error) {
	d, err := dataflow.LoadAround(f.config, pre, append(append([]string(nil), f.sets...), post...))
	if err != nil || f.perElem == 0 {
		return d, err
	}
	return d, checkMemory(f.command, d.Model.Heads, d.Model.SeqLen, d.Model.HeadDim, f.perElem)
}
