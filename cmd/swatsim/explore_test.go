package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// exploreSpace is a 24-point space at a short sequence (fast to simulate).
const exploreSpace = `base: base.yaml
fields:
  hw.pes: [2, 4, 8]
  hw.vector_width: [8, 16]
  model.window: [16, 64]
  arch: [swat, dense]
constraints:
  resources: {dsp: 400}
  max_power_w: 30
objectives:
  latency_s: min
  energy_j: min
`

// writeSpace writes the space and its base design into a new folder.
func writeSpace(t *testing.T, space, base string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "base.yaml"), []byte(base), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "space.yaml")
	if err := os.WriteFile(path, []byte(space), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestExplore(t *testing.T) {
	space := writeSpace(t, exploreSpace, "model: {seq_len: 256}\n")
	out := filepath.Join(t.TempDir(), "run")
	code, stdout, stderr := runCLI(t, "explore", "--space", space, "--out", out, "--workers", "2")
	if code != 0 || !strings.Contains(stdout, "explore: 24 points: 0 stored before, 24 evaluated (0 failed)") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	for _, f := range []string{"results.jsonl", "pareto.csv", "pareto.png", "roofline.png", "space.yaml"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	first, _ := os.ReadFile(filepath.Join(out, "results.jsonl"))
	if n := bytes.Count(first, []byte("\n")); n != 24 {
		t.Errorf("%d records, want 24", n)
	}
	// Re-running, with the space or with --resume alone, evaluates nothing.
	for _, args := range [][]string{{"--space", space}, {"--resume"}} {
		code, stdout, stderr = runCLI(t, append([]string{"explore", "--out", out}, args...)...)
		if code != 0 || !strings.Contains(stdout, "24 stored before, 0 evaluated") {
			t.Errorf("%v: exit %d\n%s%s", args, code, stdout, stderr)
		}
	}
	again, _ := os.ReadFile(filepath.Join(out, "results.jsonl"))
	if !bytes.Equal(first, again) {
		t.Errorf("results changed on a re-run")
	}
	if code, stdout, _ = runCLI(t, "explore", "merge", out); code != 0 || !strings.Contains(stdout, "front: ") {
		t.Errorf("merge: exit %d %s", code, stdout)
	}
	// --resume with a wider space evaluates only its new points.
	wider := writeSpace(t, strings.Replace(exploreSpace, "[2, 4, 8]", "[2, 4, 8, 16]", 1), "model: {seq_len: 256}\n")
	code, stdout, stderr = runCLI(t, "explore", "--space", wider, "--out", out, "--resume")
	if code != 0 || !strings.Contains(stdout, "explore: 32 points: 24 stored before, 8 evaluated") {
		t.Errorf("--resume with a wider space: exit %d\n%s%s", code, stdout, stderr)
	}
}

func TestExploreBadInput(t *testing.T) {
	space := writeSpace(t, exploreSpace, "model: {seq_len: 256}\n")
	other := writeSpace(t, strings.Replace(exploreSpace, "[2, 4, 8]", "[2, 4]", 1), "model: {seq_len: 256}\n")
	empty := writeSpace(t, "", "")
	unknown := writeSpace(t, "fields: {hw.speed: [1]}\nobjectives: {latency_s: min}\n", "")
	stringRange := writeSpace(t, "fields: {arith: {from: 1, to: 4, step: 1}}\nobjectives: {latency_s: min}\n", "")
	huge := writeSpace(t, "fields: {hw.pes: {from: 1, to: 1024, step: 1}, model.seq_len: {from: 1, to: 4096, step: 1}}\nobjectives: {latency_s: min}\n", "")
	used := filepath.Join(t.TempDir(), "used")
	if code, _, stderr := runCLI(t, "explore", "--space", other, "--out", used, "--slurm", "--slurm-submit=false"); code != 0 {
		t.Fatal(stderr)
	}
	out := func() string { return filepath.Join(t.TempDir(), "out") }
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--space", space}, "--out is required"},
		{[]string{"--out", out()}, "--space is required"},
		{[]string{"--space", space, "--out", out(), "--shard", "4/4"}, "--shard 4/4: i = 4 must be in [0, 3]"},
		{[]string{"--space", space, "--out", out(), "--shard", "-1/4"}, "i = -1 must be in [0, 3]"},
		{[]string{"--space", space, "--out", out(), "--shard", "0/0"}, "--shard 0/0: K = 0 must be >= 1"},
		{[]string{"--space", space, "--out", out(), "--shard", "two"}, `--shard "two": want i/K`},
		{[]string{"--space", space, "--out", out(), "--workers", "0"}, "--workers = 0: must be >= 1"},
		{[]string{"--space", space, "--out", out(), "--slurm", "--shard", "0/2"}, "--slurm and --shard exclude each other"},
		{[]string{"--space", space, "--out", out(), "--slurm", "--shards", "0"}, "--shards = 0: must be >= 1"},
		{[]string{"--space", space, "--out", out(), "--shards", "3"}, "--shards goes with --slurm"},
		{[]string{"--space", space, "--out", out(), "--slurm-submit=false"}, "--slurm-submit goes with --slurm"},
		{[]string{"--space", space, "--out", out(), "--slurm", "--slurm-args", "fpga"}, `"fpga" is not an sbatch option`},
		{[]string{"--space", empty, "--out", out()}, "empty space"},
		{[]string{"--space", unknown, "--out", out()}, `unknown design field "hw.speed"`},
		{[]string{"--space", stringRange, "--out", out()}, "fields.arith: a range {from, to, step|times} needs a numeric field"},
		{[]string{"--space", huge, "--out", out()}, "the space has 4194304 points, more than 1000000: add sample"},
		{[]string{"--space", filepath.Join(t.TempDir(), "none.yaml"), "--out", out()}, "--space: open"},
		{[]string{"--space", space, "--out", used}, "holds the results of another space"},
		{[]string{"--resume", "--out", out()}, "--resume without --space"},
		{[]string{"merge", t.TempDir()}, "is it a results directory of swatsim explore?"},
	} {
		args := append([]string{"explore"}, c.args...)
		code, stdout, stderr := runCLI(t, args...)
		if code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, stderr, c.want)
		}
		if stdout != "" {
			t.Errorf("%v: printed %q on failure", c.args, stdout)
		}
	}
}

func TestExploreUnreachableSbatch(t *testing.T) {
	space := writeSpace(t, exploreSpace, "model: {seq_len: 256}\n")
	out := filepath.Join(t.TempDir(), "run")
	t.Setenv("PATH", t.TempDir())
	code, stdout, stderr := runCLI(t, "explore", "--space", space, "--out", out, "--slurm", "--shards", "3", "--slurm-args", "--partition=fpga --time 10")
	want := "command tried: sbatch --parsable " + filepath.Join(out, "explore.sbatch")
	if code == 0 || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr %q, want %q", code, stderr, want)
	}
	script, err := os.ReadFile(filepath.Join(out, "explore.sbatch"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"#SBATCH --array=0-2\n", "#SBATCH --partition=fpga\n", "#SBATCH --time 10\n",
		`--shard "${SLURM_ARRAY_TASK_ID}/3"`, "--dependency=afterok:ARRAY_JOB_ID", "explore merge '" + out + "'"} {
		if !strings.Contains(string(script), line) {
			t.Errorf("explore.sbatch lacks %q:\n%s\n(stdout %s)", line, script, stdout)
		}
	}
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// buildSwatsim builds the command once per test binary.
func buildSwatsim(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "swatsim-explore-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "swatsim")
		if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
			binErr = err
			binPath = string(out)
		}
	})
	if binErr != nil {
		t.Fatalf("go build: %v\n%s", binErr, binPath)
	}
	return binPath
}

func lineCount(path string) int {
	b, _ := os.ReadFile(path)
	return bytes.Count(b, []byte("\n"))
}

// TestExploreKillAndRestart kills a run with SIGKILL part way and runs it
// again: every point ends up stored once, the points stored before the
// kill are not evaluated again, and the results equal an unbroken run's.
func TestExploreKillAndRestart(t *testing.T) {
	bin := buildSwatsim(t)
	space := writeSpace(t, strings.Replace(exploreSpace, "[16, 64]", "[16, 64, 256, 512]", 1), "model: {seq_len: 1024}\n")
	out := filepath.Join(t.TempDir(), "run")
	cmd := exec.Command(bin, "explore", "--space", space, "--out", out, "--workers", "1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(out, "results.jsonl")
	deadline := time.Now().Add(2 * time.Minute)
	for lineCount(store) < 3 && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	stored := lineCount(store)
	if stored < 3 || stored >= 48 {
		t.Fatalf("killed with %d of 48 points stored; want a run cut part way", stored)
	}
	res, err := exec.Command(bin, "explore", "--space", space, "--out", out, "--workers", "2").CombinedOutput()
	if err != nil {
		t.Fatalf("restart: %v\n%s", err, res)
	}
	want := regexp.MustCompile(`explore: 48 points: (\d+) stored before, (\d+) evaluated \(0 failed\)`).FindStringSubmatch(string(res))
	if want == nil || want[1] != strconv.Itoa(stored) || want[2] != strconv.Itoa(48-stored) {
		t.Errorf("restart after %d stored: %s", stored, res)
	}
	sameAsLocalRun(t, space, out, "after kill and restart")
	if n := lineCount(store); n != 48 {
		t.Errorf("%d records, want 48", n)
	}
}

// sameAsLocalRun runs the space locally in-process and compares the
// results and the front of dir with it, byte for byte.
func sameAsLocalRun(t *testing.T, space, dir, what string) {
	t.Helper()
	local := filepath.Join(t.TempDir(), "local")
	if code, _, stderr := runCLI(t, "explore", "--space", space, "--out", local, "--workers", "2"); code != 0 {
		t.Fatal(stderr)
	}
	for _, f := range []string{"results.jsonl", "pareto.csv"} {
		a, err := os.ReadFile(filepath.Join(dir, f))
		b, _ := os.ReadFile(filepath.Join(local, f))
		if err != nil || len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s %s differs from a local run's (%v)", f, what, err)
		}
	}
}
