package explore

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/sim"
)

// Evaluator runs one resolved design and returns its report as JSON.
type Evaluator func(d *dataflow.Design) ([]byte, error)

// SimEvaluator runs the design through the cycle model in timing-only mode
// (what swatsim sim --timing-only --allow-overfit runs) and returns the
// full report: a design beyond its device is evaluated and reported with
// fits = false, so it shows as infeasible rather than failed.
func SimEvaluator(d *dataflow.Design) ([]byte, error) {
	res, err := sim.Run(d, nil, sim.Options{TimingOnly: true, AllowOverfit: true})
	if err != nil {
		return nil, err
	}
	return json.Marshal(res.Report)
}

// Runner evaluates a space's points into a results directory.
type Runner struct {
	Space *Space
	Dir   string
	// Workers evaluate points concurrently (>= 1).
	Workers int
	// Shard and Shards select shard i of k (Shards 0: the whole space).
	Shard, Shards int
	// Eval runs a design (nil: SimEvaluator).
	Eval Evaluator
	// Warn receives warnings (malformed stored lines).
	Warn io.Writer
	// Progress, if set, receives a line every ProgressEvery.
	Progress      io.Writer
	ProgressEvery time.Duration
}

// Summary counts what a run did.
type Summary struct {
	// Points are the points this run (or shard) covers; Stored of them were
	// in the store already (or share the design of another point of the
	// run); Evaluated ran now, Failed of them with an error.
	Points, Stored, Evaluated, Failed int
}

// StoreFile is the file this run appends to.
func (r *Runner) StoreFile() string {
	if r.Shards > 0 {
		return filepath.Join(r.Dir, ShardFile(r.Shard, r.Shards))
	}
	return filepath.Join(r.Dir, ResultsFile)
}

// Run evaluates every point of the space (or of the shard) whose design is
// not stored yet, appending one record per point as it finishes.
func (r *Runner) Run() (Summary, error) {
	var sum Summary
	app, err := openAppender(r.StoreFile(), r.Warn)
	if err != nil {
		return sum, err
	}
	defer app.close()
	files, err := r.skipFiles()
	if err != nil {
		return sum, err
	}
	stored, err := storedHashes(files, r.Warn)
	if err != nil {
		return sum, err
	}
	idx := r.Space.Indices()
	if r.Shards > 0 {
		idx = Shard(idx, r.Shard, r.Shards)
	}
	sum.Points = len(idx)
	if err := r.collect(r.evaluate(idx, stored), app, &sum); err != nil {
		return sum, err
	}
	return sum, app.close()
}

// collect appends the outcomes to the store as they come, counting them
// and reporting progress.
func (r *Runner) collect(out <-chan outcome, app *appender, sum *Summary) error {
	var werr error
	last := time.Now()
	for res := range out {
		if r.Progress != nil && time.Since(last) >= r.ProgressEvery {
			last = time.Now()
			fmt.Fprintf(r.Progress, "explore: %d of %d points done (%d evaluated, %d failed)\n", sum.Stored+sum.Evaluated, sum.Points, sum.Evaluated, sum.Failed)
		}
		switch {
		case res.skipped:
			sum.Stored++
			continue
		case res.failed:
			sum.Failed++
		}
		sum.Evaluated++
		if werr == nil {
			werr = app.write(res.line)
		}
	}
	if werr != nil {
		return fmt.Errorf("%s: %v", r.StoreFile(), werr)
	}
	return nil
}

// skipFiles are the stores whose points a run skips: all of the
// directory's for a whole run; the merged store and its own for a shard,
// whose sibling shards (disjoint from it) may be mid-write.
func (r *Runner) skipFiles() ([]string, error) {
	if r.Shards > 0 {
		return []string{filepath.Join(r.Dir, ResultsFile), r.StoreFile()}, nil
	}
	return storeFiles(r.Dir)
}

type outcome struct {
	line            []byte
	skipped, failed bool
}

// evaluate runs the points on r.Workers goroutines. A design whose hash is
// stored, or already taken by another worker, is skipped: equal designs
// give equal records, so which point of them runs does not matter.
func (r *Runner) evaluate(idx []int64, stored map[string]bool) <-chan outcome {
	jobs := make(chan int64)
	out := make(chan outcome, r.Workers)
	var mu sync.Mutex
	taken := map[string]bool{}
	claim := func(h string) bool {
		mu.Lock()
		defer mu.Unlock()
		if stored[h] || taken[h] {
			return false
		}
		taken[h] = true
		return true
	}
	var wg sync.WaitGroup
	for w := 0; w < max(1, r.Workers); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				out <- r.point(r.Space.Point(i), claim)
			}
		}()
	}
	go func() {
		for _, i := range idx {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		close(out)
	}()
	return out
}

// point resolves and (if claimed) evaluates one point into its record line.
func (r *Runner) point(p Point, claim func(hash string) bool) outcome {
	d, err := dataflow.Load(r.Space.Base, r.Space.Sets(p))
	if err != nil {
		rec := Record{Hash: hashText("unresolved\n" + r.Space.Base + "\n" + strings.Join(r.Space.Sets(p), "\n")),
			Fields: r.Space.rawFields(p), Error: err.Error(), Report: json.RawMessage("null")}
		if !claim(rec.Hash) {
			return outcome{skipped: true}
		}
		return outcome{line: mustMarshal(rec), failed: true}
	}
	design, _ := json.Marshal(d)
	rec := Record{Hash: hashText(string(design)), Fields: r.Space.resolvedFields(design), Report: json.RawMessage("null")}
	if !claim(rec.Hash) {
		return outcome{skipped: true}
	}
	eval := r.Eval
	if eval == nil {
		eval = SimEvaluator
	}
	report, err := safeEval(eval, d)
	if err != nil {
		rec.Error = err.Error()
		return outcome{line: mustMarshal(rec), failed: true}
	}
	rec.Report = report
	m, err := decodeJSON(report)
	if err != nil {
		rec.Error, rec.Report = "report: "+err.Error(), json.RawMessage("null")
		return outcome{line: mustMarshal(rec), failed: true}
	}
	rec.Fits = r.Space.Constraints.Fits(m)
	return outcome{line: mustMarshal(rec)}
}

// safeEval runs eval, turning a panic into the point's error so that one
// bad point never stops the run.
func safeEval(eval Evaluator, d *dataflow.Design) (report []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error: %v", p)
		}
	}()
	return eval(d)
}

// hashText is the hex SHA-256 (first 128 bits) of s.
func hashText(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:16])
}

func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("explore: record does not marshal: " + err.Error()) // fields and report are valid JSON by construction
	}
	return b
}

func decodeJSON(b []byte) (map[string]any, error) {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	err := dec.Decode(&m)
	return m, err
}

// resolvedFields are the swept fields' values as the resolved design holds
// them (so 16 and 16.0 record alike).
func (s *Space) resolvedFields(design []byte) json.RawMessage {
	m, _ := decodeJSON(design)
	out := map[string]any{}
	for _, f := range s.Fields {
		out[f.Name], _ = lookup(m, f.Name)
	}
	return mustMarshal(out)
}

// rawFields are the point's values as the space gives them, typed by their
// field's kind where they parse.
func (s *Space) rawFields(p Point) json.RawMessage {
	out := map[string]any{}
	for i, f := range s.Fields {
		out[f.Name] = typed(p.Values[i], s.kinds[f.Name])
	}
	return mustMarshal(out)
}

func typed(v string, k reflect.Kind) any {
	if isNumeric(k) && json.Valid([]byte(v)) {
		if _, err := strconv.ParseFloat(v, 64); err == nil {
			return json.Number(v)
		}
	}
	if k == reflect.Bool {
		if b, err := strconv.ParseBool(v); err == nil {
			return b
		}
	}
	return v
}
