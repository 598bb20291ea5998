package explore

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// SbatchFile is the job-array script in a results directory.
const SbatchFile = "explore.sbatch"

// SlurmJob is a space split into shards, one Slurm array task each, and a
// merge job that runs once every task has succeeded.
type SlurmJob struct {
	// Bin is the swatsim binary the tasks run; Dir the results directory
	// (holding space.yaml). Both must be absolute paths on a file system
	// every node shares.
	Bin, Dir string
	Shards   int
	// Args are extra sbatch options (partition, time, ...), as given to
	// --slurm-args.
	Args []string
}

// SlurmOptions splits --slurm-args into sbatch options: a word starting
// with "-" opens an option, the words after it are its values.
func SlurmOptions(args string) ([]string, error) {
	var opts []string
	for _, w := range strings.Fields(args) {
		switch {
		case strings.HasPrefix(w, "-"):
			opts = append(opts, w)
		case len(opts) == 0:
			return nil, fmt.Errorf("--slurm-args %q: %q is not an sbatch option (want e.g. --partition=fpga --time=01:00:00)", args, w)
		default:
			opts[len(opts)-1] += " " + w
		}
	}
	return opts, nil
}

// quote single-quotes s for the shell.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// shellJoin prints a command line, quoting the words the shell would split.
func shellJoin(words []string) string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = w
		if strings.ContainsAny(w, " '\"$;&|<>()*?`\\") {
			out[i] = quote(w)
			if opt, val, ok := strings.Cut(w, "="); ok && strings.HasPrefix(opt, "-") && !strings.ContainsAny(opt, " '") {
				out[i] = opt + "=" + quote(val)
				if !strings.ContainsAny(val, "\"$`\\!") {
					out[i] = opt + "=\"" + val + "\""
				}
			}
		}
	}
	return strings.Join(out, " ")
}

// Script is the job-array script: task i runs shard i of Shards.
func (j SlurmJob) Script() []byte {
	var b bytes.Buffer
	p := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	p("#!/bin/bash")
	p("#SBATCH --job-name=swatsim-explore")
	p("#SBATCH --array=0-%d", j.Shards-1)
	p("#SBATCH --output=%s", filepath.Join(j.Dir, "slurm-%A_%a.out"))
	for _, a := range j.Args {
		p("#SBATCH %s", a)
	}
	p("# swatsim explore: the space in %s, %d shards, one array task each.", j.Dir, j.Shards)
	p("# swatsim explore --slurm submits this script and then the merge job:")
	p("#   sbatch --parsable %s", shellJoin(j.mergeArgs("ARRAY_JOB_ID")))
	p("set -euo pipefail")
	p("exec %s explore --space %s --out %s --shard \"${SLURM_ARRAY_TASK_ID}/%d\" --workers \"${SLURM_CPUS_PER_TASK:-1}\"",
		quote(j.Bin), quote(filepath.Join(j.Dir, SpaceFile)), quote(j.Dir), j.Shards)
	return b.Bytes()
}

// mergeArgs are the sbatch arguments of the merge job.
func (j SlurmJob) mergeArgs(arrayID string) []string {
	args := []string{"--dependency=afterok:" + arrayID, "--job-name=swatsim-explore-merge",
		"--output=" + filepath.Join(j.Dir, "slurm-merge-%j.out")}
	for _, a := range j.Args {
		args = append(args, strings.Fields(a)...)
	}
	return append(args, "--wrap="+quote(j.Bin)+" explore merge "+quote(j.Dir))
}

// Submit submits the array script and the merge job with sbatch and returns
// their job ids. A failure names the command it tried.
func (j SlurmJob) Submit(sbatch string) (arrayID, mergeID string, err error) {
	script := filepath.Join(j.Dir, SbatchFile)
	if arrayID, err = runSbatch(sbatch, "--parsable", script); err != nil {
		return "", "", err
	}
	mergeID, err = runSbatch(sbatch, append([]string{"--parsable"}, j.mergeArgs(arrayID)...)...)
	return arrayID, mergeID, err
}

// runSbatch runs sbatch --parsable and returns the job id it prints.
func runSbatch(sbatch string, args ...string) (string, error) {
	cmd := exec.Command(sbatch, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	tried := shellJoin(append([]string{sbatch}, args...))
	if err != nil {
		return "", fmt.Errorf("sbatch failed (%v): %s\ncommand tried: %s", err, strings.TrimSpace(stderr.String()), tried)
	}
	id, _, _ := strings.Cut(strings.TrimSpace(string(out)), ";")
	if id == "" {
		return "", fmt.Errorf("sbatch printed no job id\ncommand tried: %s", tried)
	}
	return id, nil
}
