// Command swatsim is the co-design simulator and toolchain for FPGA
// accelerators of sliding-window attention: the bit-exact reference (ref),
// synthetic traces (gen), the cycle-level model (sim), the Verilog generator
// and its co-simulation and synthesis (hdl, cosim, synth) and the KV-cache
// decode model (kv).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// commands collects the subcommands; each file adds its own in init().
var commands []func() *cobra.Command

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "swatsim",
		Short:         "Co-design simulator and toolchain for sliding-window attention accelerators",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	for _, c := range commands {
		root.AddCommand(c())
	}
	return root
}

func main() {
	os.Exit(run(os.Args[1:]))
}

// run executes the CLI with args and returns the exit code; panics are
// turned into errors so that none reaches the user.
func run(args []string) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "swatsim: internal error: %v\n", r)
			code = 3
		}
	}()
	// SIGINT/SIGTERM cancel the command's context: the HDL tools it runs
	// (verilator, make, yosys, nextpnr, the simulator) are killed with it.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRoot()
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "swatsim: %v\n", err)
		return 1
	}
	return 0
}
