package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/swatsim/swatsim/explore"
)

func init() { commands = append(commands, newExploreCmd) }

type exploreFlags struct {
	space, out  string
	workers     int
	shard       string
	slurm       bool
	shards      int
	slurmSubmit bool
	slurmArgs   string
	resume      bool
	changed     func(name string) bool // whether a flag was given
}

func newExploreCmd() *cobra.Command {
	f := &exploreFlags{}
	cmd := &cobra.Command{
		Use:   "explore",
		Short: "Explore a design space: resumable results store, Pareto front, pictures, shards and Slurm job arrays",
		Example: "  swatsim explore --space space.yaml --out runs/a --workers 2\n" +
			"  swatsim explore --space space.yaml --out /shared/runs/a --slurm --shards 16 --slurm-args '--partition=cpu --time=02:00:00'\n" +
			"  swatsim explore merge runs/a",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runExplore(cmd.OutOrStdout(), cmd.ErrOrStderr(), f) },
	}
	fl := cmd.Flags()
	f.changed = func(name string) bool { return fl.Changed(name) }
	fl.StringVar(&f.space, "space", "", "space file (YAML); with --resume, defaults to OUT/space.yaml")
	fl.StringVar(&f.out, "out", "", "results directory (required)")
	fl.IntVar(&f.workers, "workers", runtime.GOMAXPROCS(0), "points evaluated concurrently")
	fl.StringVar(&f.shard, "shard", "", "evaluate only shard i of K (i/K, 0 <= i < K) into OUT/results.shard-i-of-K.jsonl")
	fl.BoolVar(&f.slurm, "slurm", false, "write OUT/explore.sbatch (a job array, one task per shard) and submit it with a merge job")
	fl.IntVar(&f.shards, "shards", 4, "with --slurm: shards (array tasks) to split the space into")
	fl.BoolVar(&f.slurmSubmit, "slurm-submit", true, "with --slurm: submit with sbatch (false: only write the script)")
	fl.StringVar(&f.slurmArgs, "slurm-args", "", "with --slurm: sbatch options for every job, e.g. '--partition=fpga --time=01:00:00'")
	fl.BoolVar(&f.resume, "resume", false, "continue the run in OUT (its stored space unless --space is given, even if that differs)")
	cmd.AddCommand(newExploreMergeCmd())
	return cmd
}

func newExploreMergeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "merge DIR",
		Short: "Combine a results directory's shard files and build its front and pictures",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := explore.LoadSpace(filepath.Join(args[0], explore.SpaceFile))
			if err != nil {
				return fmt.Errorf("merge %s: %v (is it a results directory of swatsim explore?)", args[0], err)
			}
			return finishExplore(cmd.OutOrStdout(), cmd.ErrOrStderr(), s, args[0])
		},
	}
}

// parseShard reads --shard i/K.
func parseShard(s string) (i, k int, err error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	k, err2 := strconv.Atoi(b)
	switch {
	case !ok || err1 != nil || err2 != nil:
		return 0, 0, fmt.Errorf("--shard %q: want i/K, e.g. --shard 0/4", s)
	case k < 1:
		return 0, 0, fmt.Errorf("--shard %s: K = %d must be >= 1", s, k)
	case i < 0 || i >= k:
		return 0, 0, fmt.Errorf("--shard %s: i = %d must be in [0, %d]", s, i, k-1)
	}
	return i, k, nil
}

func (f *exploreFlags) check() error {
	switch {
	case f.out == "":
		return fmt.Errorf("--out is required: the results directory")
	case f.space == "" && !f.resume:
		return fmt.Errorf("--space is required (or --resume to continue the space stored in --out)")
	case f.workers < 1:
		return fmt.Errorf("--workers = %d: must be >= 1", f.workers)
	case f.slurm && f.shard != "":
		return fmt.Errorf("--slurm and --shard exclude each other: --slurm makes the shards itself (--shards)")
	case f.slurm && f.shards < 1:
		return fmt.Errorf("--shards = %d: must be >= 1", f.shards)
	}
	for _, name := range []string{"shards", "slurm-args", "slurm-submit"} {
		if !f.slurm && f.changed(name) {
			return fmt.Errorf("--%s goes with --slurm", name)
		}
	}
	if f.shard != "" {
		_, _, err := parseShard(f.shard)
		return err
	}
	return nil
}

// loadSpace reads --space, or the space stored in --out for --resume.
func (f *exploreFlags) loadSpace() (*explore.Space, error) {
	stored := filepath.Join(f.out, explore.SpaceFile)
	if f.space == "" {
		if _, err := os.Stat(stored); err != nil {
			return nil, fmt.Errorf("--resume without --space: %s holds no space (%v)", f.out, err)
		}
		return explore.LoadSpace(stored)
	}
	s, err := explore.LoadSpace(f.space)
	if err != nil {
		return nil, err
	}
	old, err := os.ReadFile(stored)
	if err == nil && !bytes.Equal(old, s.Canonical) && !f.resume {
		return nil, fmt.Errorf("--out %s holds the results of another space (%s); use another --out, or --resume to add this space's points to it", f.out, stored)
	}
	return s, nil
}

func runExplore(stdout, stderr io.Writer, f *exploreFlags) error {
	if err := f.check(); err != nil {
		return err
	}
	s, err := f.loadSpace()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return fmt.Errorf("--out: %v", err)
	}
	if err := writeIfChanged(filepath.Join(f.out, explore.SpaceFile), s.Canonical); err != nil {
		return err
	}
	if f.slurm {
		return f.submit(stdout, s)
	}
	r := &explore.Runner{Space: s, Dir: f.out, Workers: f.workers, Warn: stderr, Progress: stderr, ProgressEvery: 10 * time.Second}
	if f.shard != "" {
		r.Shard, r.Shards, _ = parseShard(f.shard)
	}
	sum, err := r.Run()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "explore: %d points: %d stored before, %d evaluated (%d failed) -> %s\n",
		sum.Points, sum.Stored, sum.Evaluated, sum.Failed, r.StoreFile())
	if r.Shards > 0 {
		return nil // swatsim explore merge builds the front
	}
	return finishExplore(stdout, stderr, s, f.out)
}

// writeIfChanged writes data to path atomically unless path holds it.
func writeIfChanged(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	p, err := stage(path, data)
	if err != nil {
		return err
	}
	return commit([]*pendingFile{p})
}

// finishExplore merges dir's stores into results.jsonl and writes the front
// and the pictures.
func finishExplore(stdout, stderr io.Writer, s *explore.Space, dir string) error {
	unlock, err := explore.LockStore(dir, stderr)
	if err != nil {
		return err
	}
	defer unlock()
	rs, err := explore.ReadDir(dir, stderr)
	if err != nil {
		return err
	}
	outs, front, err := s.Finalize(dir, rs)
	if err != nil {
		return err
	}
	var staged []*pendingFile
	var names []string
	for _, o := range outs {
		p, err := stage(o.Path, o.Data)
		if err != nil {
			discard(staged)
			return err
		}
		staged, names = append(staged, p), append(names, o.Path)
	}
	if err := commit(staged); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "front: %d of %d feasible points (%d stored, %d failed)\n", len(front.Points), front.Feasible, front.Records, front.Failed)
	if front.Note != "" {
		fmt.Fprintf(stdout, "note: %s\n", front.Note)
	}
	fmt.Fprintf(stdout, "wrote %s\n", strings.Join(names, ", "))
	return nil
}

// submit writes OUT/explore.sbatch and, unless --slurm-submit=false,
// submits it and the merge job.
func (f *exploreFlags) submit(stdout io.Writer, s *explore.Space) error {
	opts, err := explore.SlurmOptions(f.slurmArgs)
	if err != nil {
		return err
	}
	dir, err := filepath.Abs(f.out)
	if err != nil {
		return err
	}
	bin, err := os.Executable()
	if err != nil {
		return fmt.Errorf("--slurm: cannot find the swatsim binary: %v", err)
	}
	n := len(s.Indices())
	job := explore.SlurmJob{Bin: bin, Dir: dir, Shards: min(f.shards, n), Args: opts}
	script := filepath.Join(dir, explore.SbatchFile)
	if err := writeIfChanged(script, job.Script()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "explore: %d points in %d shards -> %s\n", n, job.Shards, script)
	if !f.slurmSubmit {
		return nil
	}
	array, merge, err := job.Submit("sbatch")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "submitted array job %s (%d tasks) and merge job %s (afterok:%s)\n", array, job.Shards, merge, array)
	return nil
}
