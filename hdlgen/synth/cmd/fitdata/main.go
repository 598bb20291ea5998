// Command fitdata regenerates the resource fit: it draws the training and
// held-out design points (package hdlgen/synth, seeded), synthesizes each
// on xc7 and xcup with Yosys (hierarchical, -j at a time), writes the
// measurements to hdlgen/synth/testdata/fit/{train,heldout}.csv, fits the
// LUT, FF and LUTRAM formulas to the training set, writes their
// coefficients to dataflow/resource/coef.json and prints the held-out
// error table. With -refit it skips Yosys and refits from the CSVs (after
// a change of the features only). With -train-only it measures and fits
// the training set alone and leaves heldout.csv as it is: the features
// and coefficients are frozen (committed) that way before a new held-out
// set is measured. Runs already in -cache (the same RTL,
// family and Yosys version) are reused, so an interrupted collection
// resumes. Run it from the module root:
//
//	go run ./hdlgen/synth/cmd/fitdata [-j 2] [-refit | -train-only] [-cache DIR]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/swatsim/swatsim/dataflow/resource"
	"github.com/swatsim/swatsim/hdlgen/synth"
	"github.com/swatsim/swatsim/internal/outfile"
)

func main() {
	workers := flag.Int("j", 0, "Yosys runs at a time (0: GOMAXPROCS)")
	refit := flag.Bool("refit", false, "refit from the existing CSVs without running Yosys")
	trainOnly := flag.Bool("train-only", false, "measure and fit the training set only; heldout.csv is left as it is")
	cache := flag.String("cache", filepath.Join(os.TempDir(), "swatsim-fit-cache"), "reuse earlier runs' counts from this directory, keyed by RTL hash, family and Yosys version (empty: none)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *refit && *trainOnly {
		fmt.Fprintln(os.Stderr, "fitdata: -refit and -train-only exclude each other")
		os.Exit(2)
	}
	if err := run(ctx, *workers, *refit, *trainOnly, *cache); err != nil {
		fmt.Fprintln(os.Stderr, "fitdata:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, workers int, refit, trainOnly bool, cache string) error {
	if _, err := os.Stat(synth.ModelJSON); err != nil {
		return errors.New("run from the module root (where " + synth.ModelJSON + " is)")
	}
	if workers < 0 {
		return fmt.Errorf("-j = %d: must be >= 0 (0: GOMAXPROCS)", workers)
	}
	train, held, err := measurements(ctx, workers, refit, trainOnly, cache)
	if err != nil {
		return err
	}
	for _, set := range [][]synth.Measurement{train, held} {
		bad, err := synth.StructuralMismatches(set)
		if err != nil {
			return err
		}
		for _, b := range bad {
			fmt.Fprintln(os.Stderr, "warning: structural formula off:", b)
		}
	}
	m, err := synth.FitModel(train)
	if err != nil {
		return err
	}
	samples, err := synth.Samples(held)
	if err != nil {
		return err
	}
	data, err := m.JSON()
	if err != nil {
		return err
	}
	if err := commit(map[string][]byte{synth.ModelJSON: data}); err != nil {
		return err
	}
	loo, err := synth.LeaveOneOut(train)
	if err != nil {
		return err
	}
	fmt.Print("Training set, leave one point out:\n\n", synth.FormatErrors(loo), "\n")
	if trainOnly {
		return nil
	}
	fmt.Print("Held-out set:\n\n")
	fmt.Print(synth.FormatErrors(m.Errors(samples)))
	return nil
}

// measurements runs Yosys on both sets (the training set only with
// trainOnly), or reads the CSVs with refit.
func measurements(ctx context.Context, workers int, refit, trainOnly bool, cache string) (train, held []synth.Measurement, err error) {
	if refit {
		if train, err = synth.ReadCSV(synth.TrainingCSV); err != nil {
			return nil, nil, err
		}
		held, err = synth.ReadCSV(synth.HeldOutCSV)
		return train, held, err
	}
	start := time.Now()
	// The held-out points run first: an interrupted collection resumes
	// from the cache, and a shorter training set keeps its prefix.
	var hpts []synth.Point
	if !trainOnly {
		hpts = synth.HeldOutSet()
	}
	pts := synth.TrainingSet()
	all, err := synth.Measure(ctx, append(hpts, pts...), resource.Families, workers, cache, os.Stderr)
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(os.Stderr, "%d Yosys runs in %.0f s\n", len(all), time.Since(start).Seconds())
	n := len(hpts) * len(resource.Families)
	held, train = all[:n], all[n:]
	if err := os.MkdirAll("hdlgen/synth/testdata/fit", 0o755); err != nil {
		return nil, nil, err
	}
	// The measurements are written before the fit, which may fail on
	// them (features not independent) and is re-run with -refit.
	outs := map[string][]byte{synth.TrainingCSV: synth.FormatCSV(train)}
	if !trainOnly {
		outs[synth.HeldOutCSV] = synth.FormatCSV(held)
	}
	return train, held, commit(outs)
}

// commit writes the files atomically, all or none.
func commit(outs map[string][]byte) error {
	var files []*outfile.File
	for path, b := range outs {
		f, err := outfile.Stage(path, b)
		if err != nil {
			outfile.Discard(files...)
			return err
		}
		files = append(files, f)
	}
	return outfile.Commit(files...)
}
