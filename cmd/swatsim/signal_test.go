package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestHelperSwatsim is not a test: it runs swatsim's main when the signal
// test starts this test binary as a child process (the helper-process
// pattern of os/exec's own tests).
func TestHelperSwatsim(t *testing.T) {
	if os.Getenv("HELPER_RUN_SWATSIM_MAIN") != "1" {
		t.Skip("helper process for TestSignalStopsChildren")
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	os.Args = append([]string{"swatsim"}, args...)
	main() // with main's SIGINT/SIGTERM handling; exits
}

// proc is one line of /proc/PID/stat.
type proc struct {
	pid, ppid, pgrp int
	comm, state     string
}

func procs(t *testing.T) []proc {
	t.Helper()
	paths, _ := filepath.Glob("/proc/[0-9]*/stat")
	var out []proc
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // gone
		}
		s := string(b)
		open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || close < open {
			continue
		}
		f := strings.Fields(s[close+1:])
		if len(f) < 3 {
			continue
		}
		pid, _ := strconv.Atoi(strings.TrimSpace(s[:open]))
		ppid, _ := strconv.Atoi(f[1])
		pgrp, _ := strconv.Atoi(f[2])
		out = append(out, proc{pid: pid, ppid: ppid, pgrp: pgrp, comm: s[open+1 : close], state: f[0]})
	}
	return out
}

// waitMember waits for a process named name in the group of a child of
// parent (the child itself or one of its descendants) and returns it.
func waitMember(t *testing.T, parent int, name string, limit time.Duration) (proc, bool) {
	t.Helper()
	for end := time.Now().Add(limit); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		ps := procs(t)
		ppid := map[int]int{}
		for _, p := range ps {
			ppid[p.pid] = p.ppid
		}
		for _, p := range ps {
			if p.comm == name && p.state != "Z" && ppid[p.pgrp] == parent {
				return p, true
			}
		}
	}
	return proc{}, false
}

// liveInGroup lists the processes of group pgrp that are not zombies.
func liveInGroup(t *testing.T, pgrp int) []proc {
	var out []proc
	for _, p := range procs(t) {
		if p.pgrp == pgrp && p.state != "Z" {
			out = append(out, p)
		}
	}
	return out
}

// TestSignalStopsChildren starts swatsim commands that run long external
// tools (yosys on the default design; a Verilator build), sends SIGINT or
// SIGTERM to swatsim while the tool runs, and checks that swatsim exits
// non-zero and that no process of the tool's group survives it.
func TestSignalStopsChildren(t *testing.T) {
	for _, c := range []struct {
		name   string
		tool   string
		args   []string
		member string // the process to wait for in the tool's group
		sig    syscall.Signal
	}{
		// yosys, the group's leader: cancellation stops it.
		{"synth-yosys-sigint", "yosys", []string{"synth", "--target", "xc7", "--mode", "flat"}, "yosys", syscall.SIGINT},
		// make, started by verilator: only killing the group stops it.
		{"cosim-make-sigterm", "verilator", append([]string{"cosim"}, hdlSmall...), "make", syscall.SIGTERM},
	} {
		t.Run(c.name, func(t *testing.T) {
			needHDLTool(t, c.tool)
			cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestHelperSwatsim$", "--"}, c.args...)...)
			cmd.Env = append(os.Environ(), "HELPER_RUN_SWATSIM_MAIN=1", "SWATSIM_CACHE_DIR="+t.TempDir())
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			child, ok := waitMember(t, cmd.Process.Pid, c.member, 2*time.Minute)
			if !ok {
				t.Fatalf("no %s in the group of a child of swatsim appeared; stderr:\n%s", c.member, stderr.String())
			}
			if child.pgrp == syscall.Getpgrp() || child.pgrp == cmd.Process.Pid {
				cmd.Process.Kill()
				t.Fatalf("%s (pid %d) runs in group %d, swatsim's own, not a group of the tool", child.comm, child.pid, child.pgrp)
			}
			t.Logf("signalling swatsim while group %d has %d processes", child.pgrp, len(liveInGroup(t, child.pgrp)))
			if err := cmd.Process.Signal(c.sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err == nil {
					t.Errorf("swatsim exited 0 after %v", c.sig)
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("swatsim still running 30 s after %v", c.sig)
			}
			var live []proc
			for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
				if live = liveInGroup(t, child.pgrp); len(live) == 0 {
					break
				}
			}
			if len(live) > 0 {
				for _, p := range live {
					syscall.Kill(p.pid, syscall.SIGKILL)
				}
				t.Errorf("%d processes of %s's group survived swatsim: %+v", len(live), child.comm, live)
			}
			if !strings.Contains(stderr.String(), "stopped") {
				t.Errorf("stderr does not say the tool was stopped:\n%s", stderr.String())
			}
		})
	}
}
