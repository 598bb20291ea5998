package cosim

import (
	"context"
	"fmt"
	"github.com/swatsim/swatsim/hdlgen"
	"github.com/swatsim/swatsim/hdlgen/internal/tool"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Simulator is a Verilator build of a generated design and its testbench.
type Simulator struct {
	Path      string        // the testbench executable
	Trace     bool          // built with --trace (supports --vcd)
	Cached    bool          // found in the cache, not built now
	BuildTime time.Duration // verilate and compile time (0 when cached)
}

// CacheDir is where built simulators are kept: dir if not empty, else
// $SWATSIM_CACHE_DIR, else the user cache directory ($XDG_CACHE_HOME or
// ~/.cache) under swatsim/verilator.
func CacheDir(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	if d := os.Getenv("SWATSIM_CACHE_DIR"); d != "" {
		return filepath.Join(d, "verilator"), nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("hdl: no cache directory: %w (set SWATSIM_CACHE_DIR)", err)
	}
	return filepath.Join(d, "swatsim", "verilator"), nil
}

// Build verilates and compiles the design's testbench, or returns the one
// cached under cacheDir (see CacheDir) for the same sources and flags.
func Build(ctx context.Context, r *hdlgen.RTL, cacheDir string, trace bool) (*Simulator, error) {
	if _, err := tool.Look("verilator"); err != nil {
		return nil, err
	}
	root, err := CacheDir(cacheDir)
	if err != nil {
		return nil, err
	}
	flags := buildFlags(trace)
	key := r.Hash(append(flags, verilatorVersion(ctx))...)
	dir := filepath.Join(root, key)
	sim := &Simulator{Path: filepath.Join(dir, "obj", "Vtb"), Trace: trace}
	if _, err := os.Stat(sim.Path); err == nil {
		sim.Cached = true
		return sim, nil
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("hdl: cache: %w", err)
	}
	unlock, err := lockFile(filepath.Join(root, key+".lock"))
	if err != nil {
		return nil, err
	}
	defer unlock()
	if _, err := os.Stat(sim.Path); err == nil { // built while we waited
		sim.Cached = true
		return sim, nil
	}
	start := time.Now()
	if err := buildIn(ctx, r, filepath.Join(root, key+".build"), dir, flags); err != nil {
		return nil, err
	}
	sim.BuildTime = time.Since(start)
	return sim, nil
}

func buildFlags(trace bool) []string {
	f := append([]string(nil), hdlgen.VerilatorFlags...)
	if _, err := exec.LookPath("ccache"); err == nil {
		f = append(f, "-MAKEFLAGS", "OBJCACHE=ccache")
	}
	if trace {
		f = append(f, "--trace")
	}
	return f
}

// buildIn builds in the work directory tmp and renames it to dir.
func buildIn(ctx context.Context, r *hdlgen.RTL, tmp, dir string, flags []string) error {
	_ = os.RemoveAll(tmp)
	defer os.RemoveAll(tmp) // a failed or interrupted build leaves nothing
	src := filepath.Join(tmp, "src")
	if err := r.WriteDir(src); err != nil {
		return err
	}
	args := append([]string(nil), flags...)
	args = append(args, "--top-module", r.Top(), "-Mdir", filepath.Join(tmp, "obj"), "-o", "Vtb")
	for _, n := range r.VerilogNames() {
		args = append(args, filepath.Join(src, n))
	}
	args = append(args, filepath.Join(src, "tb", "tb.cpp"))
	if out, err := tool.Run(ctx, tmp, "verilator", args...); err != nil {
		return fmt.Errorf("hdl: verilator build failed: %v\n%s", err, tool.Tail(out, 40))
	}
	_ = os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("hdl: cache: %w", err)
	}
	return nil
}

// Lint runs verilator --lint-only -Wall on the generated Verilog and
// returns its messages when there are any.
func Lint(ctx context.Context, r *hdlgen.RTL) error {
	if _, err := tool.Look("verilator"); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "swatsim-lint-")
	if err != nil {
		return fmt.Errorf("hdl: %w", err)
	}
	defer os.RemoveAll(dir)
	if err := r.WriteDir(dir); err != nil {
		return err
	}
	args := []string{"--lint-only", "-Wall", "--top-module", r.Top()}
	args = append(args, r.VerilogNames()...)
	if out, err := tool.Run(ctx, dir, "verilator", args...); err != nil {
		return fmt.Errorf("hdl: verilator lint: %v\n%s", err, tool.Tail(out, 60))
	}
	return nil
}

func verilatorVersion(ctx context.Context) string {
	out, err := tool.Run(ctx, "", "verilator", "--version")
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

// lockFile takes an exclusive lock on path, waiting for other holders.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("hdl: cache lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("hdl: cache lock: %w", err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
