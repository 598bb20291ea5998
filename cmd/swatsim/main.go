// Command swatsim is the co-design simulator and toolchain for FPGA
// accelerators of sliding-window attention: the bit-exact reference (ref),
// synthetic traces (gen), the cycle-level model (sim), the Verilog generator
// and its co-simulation and synthesis (hdl, cosim, synth) and the KV-cache
// decode model (kv).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/swatsim/swatsim/internal/outfile"
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
	root.SetFlagErrorFunc(flagError)
	addMemoryFlag(root)
	root.PersistentPreRunE = func(*cobra.Command, []string) error {
		_, _, err := memoryLimit(maxMemoryFlag)
		return err
	}
	for _, c := range commands {
		root.AddCommand(c())
	}
	return root
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(runContext(ctx, os.Args[1:]))
}

// Exit codes.
const (
	exitError       = 1   // bad input or a failed run
	exitInternal    = 3   // a bug: a panic turned into an error
	exitInterrupted = 130 // SIGINT or SIGTERM
)

// interruptGrace is how long a command may take to return after an
// interrupt (children stopping) before swatsim exits without it.
const interruptGrace = 3 * time.Second

// run executes the CLI with args (without signal handling) and returns the
// exit code.
func run(args []string) int { return runContext(context.Background(), args) }

// runContext executes the CLI with args under ctx, which an interrupt
// cancels: the command sees it as cmd.Context(); staged output files are
// removed, no output is put in place and the exit code is 130.
func runContext(ctx context.Context, args []string) int {
	result := make(chan int, 1)
	go func() { result <- execute(ctx, args) }()
	select {
	case code := <-result:
		if ctx.Err() != nil {
			return interrupted(ctx)
		}
		return code
	case <-ctx.Done():
		outfile.Cleanup()
		select {
		case <-result:
		case <-time.After(interruptGrace):
		}
		return interrupted(ctx)
	}
}

// interrupted reports an interrupt and removes staged outputs.
func interrupted(ctx context.Context) int {
	outfile.Cleanup()
	cause := context.Cause(ctx)
	if cause == nil || errors.Is(cause, context.Canceled) {
		cause = errors.New("interrupted")
	}
	fmt.Fprintf(os.Stderr, "swatsim: %v (SIGINT or SIGTERM): stopped; no output written\n", cause)
	return exitInterrupted
}

// execute runs the command line; panics are turned into errors so that
// none reaches the user.
func execute(ctx context.Context, args []string) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "swatsim: internal error: %v\n", r)
			code = exitInternal
		}
	}()
	root := newRoot() // ctx is cancelled by SIGINT/SIGTERM (main): the HDL tools a command runs are killed with it

	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "swatsim: %v\n", err)
		return exitError
	}
	return 0
}
