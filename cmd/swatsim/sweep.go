package main

import (
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/internal/outfile"
	"github.com/swatsim/swatsim/sim"
)

func init() { commands = append(commands, newSweepCmd) }

type sweepFlags struct {
	design         *designFlags
	param, series  string
	values, svals  []string
	metric         string
	csvOut, plotTo string
}

func newSweepCmd() *cobra.Command {
	f := &sweepFlags{}
	cmd := &cobra.Command{
		Use:   "sweep",
		Short: "Run a design point over the values of one field (timing only): table, CSV and plot",
		Example: "  swatsim sweep --param model.window --values 128,256,512,1024 --series arch --series-values swat,dense --plot w.png\n" +
			"  swatsim sweep --param hw.pes --values 4,8,16,32 --metric mac_utilization --csv pes.csv",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runSweep(cmd.OutOrStdout(), f) },
	}
	f.design = addDesignFlags(cmd)
	fl := cmd.Flags()
	fl.StringVar(&f.param, "param", "", "design field to sweep, e.g. model.window (required)")
	fl.StringSliceVar(&f.values, "values", nil, "its values, comma-separated (required)")
	fl.StringVar(&f.series, "series", "", "optional second field: one line per value")
	fl.StringSliceVar(&f.svals, "series-values", nil, "values of --series")
	fl.StringVar(&f.metric, "metric", "latency_s", "metric to plot: "+strings.Join(metricNames(), ", "))
	fl.StringVar(&f.csvOut, "csv", "", "write the table as CSV")
	fl.StringVar(&f.plotTo, "plot", "", "write a plot (.png, .svg or .pdf)")
	return cmd
}

func metricNames() []string {
	var n []string
	for k := range sim.SweepMetrics {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

func (f *sweepFlags) check() (format string, err error) {
	switch {
	case f.param == "" || len(f.values) == 0:
		return "", fmt.Errorf("--param and --values are required, e.g. --param model.window --values 128,256")
	case (f.series == "") != (len(f.svals) == 0):
		return "", fmt.Errorf("--series and --series-values go together")
	}
	if _, ok := sim.SweepMetrics[f.metric]; !ok {
		return "", fmt.Errorf("--metric %q: unknown; allowed: %s", f.metric, strings.Join(metricNames(), ", "))
	}
	if f.plotTo == "" {
		return "", nil
	}
	format = strings.TrimPrefix(filepath.Ext(f.plotTo), ".")
	if format != "png" && format != "svg" && format != "pdf" {
		return "", fmt.Errorf("--plot %s: the file must end in .png, .svg or .pdf", f.plotTo)
	}
	return format, nil
}

func runSweep(w io.Writer, f *sweepFlags) error {
	format, err := f.check()
	if err != nil {
		return err
	}
	if err := checkPaths([]outfile.Path{{Flag: "--csv", Path: f.csvOut}, {Flag: "--plot", Path: f.plotTo}},
		outfile.Path{Flag: "--config", Path: f.design.config}); err != nil {
		return err
	}
	load := func(sets ...string) (*dataflow.Design, error) { return f.design.load(sets...) }
	pts, err := sim.Sweep(load, f.param, f.values, f.series, f.svals)
	if err != nil {
		return err
	}
	printSweep(w, f, pts)
	var staged []*pendingFile
	if f.csvOut != "" {
		p, err := stage(f.csvOut, sim.SweepCSV(f.param, f.series, pts))
		if err != nil {
			return err
		}
		staged = append(staged, p)
	}
	if f.plotTo != "" {
		img, err := sim.SweepPlot(f.param, f.series, f.metric, pts, format)
		if err == nil {
			var p *pendingFile
			if p, err = stage(f.plotTo, img); err == nil {
				staged = append(staged, p)
			}
		}
		if err != nil {
			discard(staged)
			return err
		}
	}
	return commit(staged)
}

func printSweep(w io.Writer, f *sweepFlags, pts []sim.SweepPoint) {
	fmt.Fprintf(w, "%-14s %-10s %14s %12s %8s %14s %12s\n", f.param, f.series, "cycles", "latency_s", "MAC%", "offchip_B", "energy_J")
	for _, p := range pts {
		r := p.Report
		fmt.Fprintf(w, "%-14s %-10s %14d %12.6g %8.2f %14d %12.6g\n", p.Value, p.Series, r.Cycles, r.LatencyS, 100*r.MACUtilization, r.OffchipBytes, r.EnergyJ)
	}
}
