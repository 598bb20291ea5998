package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/swatsim/swatsim/explore"
)

// startSlurm starts a single-node Slurm cluster with scripts/slurm-local.sh
// (installing Slurm and munge when missing) and returns its SLURM_CONF; the
// cluster's daemons stop when the test ends. Without Slurm the test is
// skipped, except with CI=true, where that is a failure.
func startSlurm(t *testing.T) string {
	t.Helper()
	work := t.TempDir()
	script, err := filepath.Abs(filepath.Join("..", "..", "scripts", "slurm-local.sh"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("bash", script, "stop", work).CombinedOutput(); err != nil {
			t.Errorf("stopping Slurm: %v\n%s", err, out)
		}
	})
	var stderr bytes.Buffer
	cmd := exec.Command("bash", script, "start", work)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	conf, ok := strings.CutPrefix(strings.TrimSpace(string(out)), "export SLURM_CONF=")
	if err != nil || !ok {
		msg := "no Slurm cluster: " + script + " start failed: " + stderr.String()
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return conf
}

// TestExploreSlurm sends a 24-point space through sbatch as a 4-task job
// array and a merge job, and compares the merged store and front with a
// local run of the same space.
func TestExploreSlurm(t *testing.T) {
	conf := startSlurm(t)
	bin := buildSwatsim(t)
	space := writeSpace(t, exploreSpace, "model: {seq_len: 256}\n")
	out := filepath.Join(t.TempDir(), "slurm")
	env := append(os.Environ(), "SLURM_CONF="+conf)
	cmd := exec.Command(bin, "explore", "--space", space, "--out", out, "--slurm", "--shards", "4", "--slurm-args", "--time=10")
	cmd.Env = env
	res, err := cmd.CombinedOutput()
	ids := regexp.MustCompile(`submitted array job (\d+) \(4 tasks\) and merge job (\d+) \(afterok:(\d+)\)`).FindStringSubmatch(string(res))
	if err != nil || ids == nil || ids[3] != ids[1] {
		t.Fatalf("explore --slurm: %v\n%s", err, res)
	}
	waitForJobs(t, env, ids[1]+","+ids[2], out)
	sameAsLocalRun(t, space, out, "of the Slurm run")
	for i := 0; i < 4; i++ {
		if n := lineCount(filepath.Join(out, explore.ShardFile(i, 4))); n != 6 {
			t.Errorf("shard %d stored %d points, want 6", i, n)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "slurm-merge-"+ids[2]+".out")); err != nil {
		t.Errorf("the merge job left no log: %v", err)
	}
}

// waitForJobs polls squeue until the jobs are gone; a job held by a
// dependency that can never be met (a failed array task) fails the test.
func waitForJobs(t *testing.T, env []string, jobs, dir string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Minute)
	for time.Now().Before(deadline) {
		cmd := exec.Command("squeue", "-h", "-j", jobs, "-o", "%i %T %r")
		cmd.Env = env
		out, err := cmd.Output()
		if err != nil || strings.TrimSpace(string(out)) == "" {
			return
		}
		if strings.Contains(string(out), "DependencyNeverSatisfied") {
			logs, _ := filepath.Glob(filepath.Join(dir, "slurm-*.out"))
			var text []string
			for _, l := range logs {
				b, _ := os.ReadFile(l)
				text = append(text, l+":\n"+string(b))
			}
			t.Fatalf("an array task failed:\n%s\n%s", out, strings.Join(text, "\n"))
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("jobs %s did not finish in 10 minutes", jobs)
}
