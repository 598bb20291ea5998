package sim

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"image/color"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/swatsim/swatsim/dataflow"
)

// SweepPoint is one design point of a sweep and its timing-only report.
type SweepPoint struct {
	Value, Series string
	Report        Report
}

// Sweep runs the design point for every value of param (and of series, if
// given) in timing-only mode. load builds a design from extra --set
// overrides.
func Sweep(load func(sets ...string) (*dataflow.Design, error), param string, values []string, series string, seriesValues []string) ([]SweepPoint, error) {
	if len(seriesValues) == 0 {
		seriesValues = []string{""}
	}
	var out []SweepPoint
	for _, sv := range seriesValues {
		for _, v := range values {
			sets := []string{param + "=" + v}
			if series != "" {
				sets = append(sets, series+"="+sv)
			}
			d, err := load(sets...)
			if err != nil {
				return nil, fmt.Errorf("%s=%s: %w", param, v, err)
			}
			res, err := Run(d, nil, Options{TimingOnly: true, AllowOverfit: true})
			if err != nil {
				return nil, fmt.Errorf("%s=%s: %w", param, v, err)
			}
			out = append(out, SweepPoint{Value: v, Series: sv, Report: res.Report})
		}
	}
	return out, nil
}

// SweepMetrics are the report fields a sweep can tabulate and plot.
var SweepMetrics = map[string]func(r *Report) float64{
	"cycles":            func(r *Report) float64 { return float64(r.Cycles) },
	"latency_s":         func(r *Report) float64 { return r.LatencyS },
	"mac_utilization":   func(r *Report) float64 { return r.MACUtilization },
	"sweep_utilization": func(r *Report) float64 { return r.SweepUtilization },
	"offchip_bytes":     func(r *Report) float64 { return float64(r.OffchipBytes) },
	"onchip_bytes":      func(r *Report) float64 { return float64(r.OnchipBytes) },
	"energy_j":          func(r *Report) float64 { return r.EnergyJ },
	"power_w":           func(r *Report) float64 { return r.PowerW },
	"dsp":               func(r *Report) float64 { return float64(r.Resources.DSP) },
}

// sweepColumns is the CSV column order after the parameter columns.
var sweepColumns = []string{"cycles", "latency_s", "mac_utilization", "sweep_utilization", "offchip_bytes", "onchip_bytes", "energy_j", "power_w", "dsp"}

// SweepCSV renders the points as CSV.
func SweepCSV(param, series string, pts []SweepPoint) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	head := []string{param}
	if series != "" {
		head = append(head, series)
	}
	w.Write(append(head, sweepColumns...))
	for i := range pts {
		row := []string{pts[i].Value}
		if series != "" {
			row = append(row, pts[i].Series)
		}
		for _, c := range sweepColumns {
			row = append(row, strconv.FormatFloat(SweepMetrics[c](&pts[i].Report), 'g', 10, 64))
		}
		w.Write(row)
	}
	w.Flush()
	return b.Bytes()
}

// SweepPlot draws metric against the parameter, one line per series, and
// returns the image encoded by file type (png, svg or pdf).
func SweepPlot(param, series, metric string, pts []SweepPoint, format string) ([]byte, error) {
	get, ok := SweepMetrics[metric]
	if !ok {
		return nil, fmt.Errorf("--metric %q: unknown; allowed: %v", metric, sweepColumns)
	}
	p := plot.New()
	p.Title.Text = metric + " vs " + param
	p.X.Label.Text, p.Y.Label.Text = param, metric
	labels, numeric := xPositions(pts)
	if !numeric {
		p.NominalX(labels...)
	}
	bySeries := map[string]plotter.XYs{}
	var order []string
	for i := range pts {
		s := pts[i].Series
		if _, seen := bySeries[s]; !seen {
			order = append(order, s)
		}
		x := float64(indexOf(labels, pts[i].Value))
		if numeric {
			x, _ = strconv.ParseFloat(pts[i].Value, 64)
		}
		bySeries[s] = append(bySeries[s], plotter.XY{X: x, Y: get(&pts[i].Report)})
	}
	for i, s := range order {
		l, pt, err := plotter.NewLinePoints(bySeries[s])
		if err != nil {
			return nil, err
		}
		l.Color, pt.Color = plotutil.Color(i), plotutil.Color(i)
		p.Add(l, pt)
		if series != "" {
			p.Legend.Add(series+"="+s, l, pt)
		}
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Add(plotter.NewGrid())
	p.BackgroundColor = color.White
	w, err := p.WriterTo(6*vg.Inch, 4*vg.Inch, format)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	_, err = w.WriteTo(&b)
	return b.Bytes(), err
}

// xPositions returns the distinct parameter values in order and whether
// they are all numbers.
func xPositions(pts []SweepPoint) ([]string, bool) {
	var labels []string
	numeric := true
	for i := range pts {
		if indexOf(labels, pts[i].Value) < 0 {
			labels = append(labels, pts[i].Value)
		}
		if _, err := strconv.ParseFloat(pts[i].Value, 64); err != nil {
			numeric = false
		}
	}
	return labels, numeric
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}
