package tool

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"syscall"
	"time"
)

// killDelay is how long Run waits for a cancelled tool's output pipes to
// close after its process group was killed.
const killDelay = 2 * time.Second

// Run executes a tool in dir and returns its combined output. The tool
// runs in a process group of its own, and cancelling ctx (swatsim's
// SIGINT/SIGTERM) kills the whole group: make's compilers, yosys's abc and
// the simulation binary go with the tool, and none is left orphaned.
func Run(ctx context.Context, dir, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var b bytes.Buffer
	cmd.Stdout, cmd.Stderr = &b, &b
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return killGroup(cmd) }
	cmd.WaitDelay = killDelay
	err := cmd.Run()
	if ctx.Err() != nil {
		_ = killGroup(cmd) // members that outlived the leader
		return b.Bytes(), fmt.Errorf("hdl: %s stopped: %w", name, context.Cause(ctx))
	}
	return b.Bytes(), err
}

// killGroup kills the process group the command leads.
func killGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}
