package synth

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/swatsim/swatsim/dataflow/resource"
	"github.com/swatsim/swatsim/hdlgen"
)

// Measurement is Yosys's counts of one point on one family.
type Measurement struct {
	Point  Point
	Family resource.Family
	Yosys  string // yosys -V
	RTL    string // hdlgen.RTL.Hash of the synthesized Verilog
	Counts resource.Resources
	// ModuleLUT is the logic LUTs of the modules of each feature of
	// moduleUnits, over all their instances.
	ModuleLUT map[string]int
}

// Sample is the measurement as a fit sample (the point's parameters under
// the current generator).
func (m Measurement) Sample() (resource.Sample, error) {
	d, err := m.Point.Design()
	if err != nil {
		return resource.Sample{}, fmt.Errorf("%s: %w", m.Point.Label(), err)
	}
	p, err := resource.Derive(d)
	if err != nil {
		return resource.Sample{}, fmt.Errorf("%s: %w", m.Point.Label(), err)
	}
	return resource.Sample{Params: p, Family: m.Family, Measured: m.Counts}, nil
}

// Samples converts measurements to fit samples.
func Samples(ms []Measurement) ([]resource.Sample, error) {
	out := make([]resource.Sample, 0, len(ms))
	for _, m := range ms {
		s, err := m.Sample()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// YosysVersion is the first line of yosys -V.
func YosysVersion(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "yosys", "-V").Output()
	if err != nil {
		return "", fmt.Errorf("hdl: yosys -V: %w", err)
	}
	return strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0]), nil
}

// Measure synthesizes every point on every family (hierarchical, as
// swatsim synth does for big designs), workers at a time (GOMAXPROCS when
// 0), and returns the measurements in point-then-family order. cache, when
// not empty, is a directory of earlier runs' counts keyed by the RTL's
// hash, the family and the Yosys version: a run found there is not
// repeated. progress, when not nil, gets one line per finished run.
func Measure(ctx context.Context, points []Point, families []resource.Family, workers int, cache string, progress io.Writer) ([]Measurement, error) {
	version, err := YosysVersion(ctx)
	if err != nil {
		return nil, err
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	out := make([]Measurement, len(points)*len(families))
	errs := make([]error, len(out))
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				pt, f := points[i/len(families)], families[i%len(families)]
				out[i], errs[i] = measureOne(ctx, pt, f, version, cache)
				if progress != nil && errs[i] == nil {
					mu.Lock()
					fmt.Fprintf(progress, "%3d/%d %-4s %s: %v\n", i+1, len(out), f, pt.Label(), out[i].Counts)
					mu.Unlock()
				}
			}
		}()
	}
	for i := range out {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func measureOne(ctx context.Context, pt Point, f resource.Family, version, cache string) (Measurement, error) {
	d, err := pt.Design()
	if err != nil {
		return Measurement{}, err
	}
	r, err := hdlgen.Generate(d)
	if err != nil {
		return Measurement{}, err
	}
	m := Measurement{Point: pt, Family: f, Yosys: version, RTL: r.Hash()}
	key := ""
	if cache != "" {
		key = filepath.Join(cache, r.Hash(string(f), version)+".json")
		if b, err := os.ReadFile(key); err == nil && json.Unmarshal(b, &m.Counts) == nil {
			if m.ModuleLUT, err = moduleLUTs(key+".stat.txt", hdlgen.Target(f)); err == nil {
				return m, nil
			}
		}
	}
	dir, err := os.MkdirTemp("", "swatsim-fit-")
	if err != nil {
		return Measurement{}, fmt.Errorf("hdl: %w", err)
	}
	defer os.RemoveAll(dir)
	rep, err := Yosys(ctx, r, hdlgen.Target(f), false, dir)
	if err != nil {
		return Measurement{}, fmt.Errorf("%s on %s: %w", pt.Label(), f, err)
	}
	m.Counts = rep.Resources
	m.Counts.Cells = nil
	if m.ModuleLUT, err = moduleLUTs(rep.Stat, hdlgen.Target(f)); err != nil {
		return Measurement{}, fmt.Errorf("%s on %s: %w", pt.Label(), f, err)
	}
	if key != "" {
		cacheRun(cache, key, m.Counts, rep.Stat)
	}
	return m, nil
}

// cacheRun keeps a run's counts at key and, beside them (key.stat.txt),
// Yosys's statistics with the counts of every module, for a look at how a
// design's resources split over its modules. A cache that cannot be
// written only costs time.
func cacheRun(cache, key string, counts resource.Resources, stat string) {
	b, err := json.Marshal(counts)
	if err != nil || os.MkdirAll(cache, 0o755) != nil {
		return
	}
	_ = os.WriteFile(key, b, 0o644)
	if s, err := os.ReadFile(stat); err == nil {
		_ = os.WriteFile(key+".stat.txt", s, 0o644)
	}
}

// countColumns are a fit CSV's columns up to the resource counts.
var countColumns = []string{"arch", "arith", "pes", "vector_width", "head_dim", "seq_len", "window", "global_tokens",
	"sinks", "causal", "lat_score", "lat_exp", "lat_acc", "lat_norm", "lat_recip", "overlap", "family", "yosys", "rtl_hash", "lut", "ff", "dsp", "bram36", "uram", "lutram"}

// csvHeader is the columns of a fit CSV: the point, family, provenance,
// counts and the LUTs of moduleUnits (lut_<feature>).
var csvHeader = append(slices.Clone(countColumns), moduleColumns()...)

// FormatCSV writes the measurements as CSV.
func FormatCSV(ms []Measurement) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(csvHeader)
	for _, m := range ms {
		p, c := m.Point, m.Counts
		row := []string{p.Arch, p.Arith, itoa(p.PEs), itoa(p.VectorWidth), itoa(p.HeadDim), itoa(p.SeqLen), itoa(p.Window),
			itoa(p.GlobalTokens), itoa(p.Sinks), strconv.FormatBool(p.Causal), itoa(p.LatScore), itoa(p.LatExp),
			itoa(p.LatAcc), itoa(p.LatNorm), itoa(p.LatRecip), strconv.FormatBool(p.Overlap),
			string(m.Family), m.Yosys, m.RTL, itoa(c.LUT), itoa(c.FF), itoa(c.DSP), strconv.FormatFloat(c.BRAM36, 'g', -1, 64),
			itoa(c.URAM), itoa(c.LUTRAM)}
		for _, u := range moduleUnits {
			row = append(row, itoa(m.ModuleLUT[u.feature]))
		}
		w.Write(row)
	}
	w.Flush()
	return b.Bytes()
}

func itoa(v int) string { return strconv.Itoa(v) }

// ReadCSV reads a fit CSV.
func ReadCSV(path string) ([]Measurement, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != strings.Join(csvHeader, ",") {
		return nil, fmt.Errorf("%s: header must be %s", path, strings.Join(csvHeader, ","))
	}
	var out []Measurement
	for i, r := range rows[1:] {
		m, err := parseRow(r)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, i+2, err)
		}
		out = append(out, m)
	}
	return out, nil
}

// parseRow reads one CSV row.
func parseRow(r []string) (Measurement, error) {
	if len(r) != len(csvHeader) {
		return Measurement{}, fmt.Errorf("%d columns, want %d", len(r), len(csvHeader))
	}
	col := map[string]string{}
	for i, h := range csvHeader {
		col[h] = r[i]
	}
	var firstErr error
	num := func(name string) int {
		v, err := strconv.Atoi(col[name])
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("column %s: %w", name, err)
		}
		return v
	}
	flag := func(name string) bool {
		v, err := strconv.ParseBool(col[name])
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("column %s: %w", name, err)
		}
		return v
	}
	pt := Point{Arch: col["arch"], Arith: col["arith"], PEs: num("pes"), VectorWidth: num("vector_width"), HeadDim: num("head_dim"),
		SeqLen: num("seq_len"), Window: num("window"), GlobalTokens: num("global_tokens"), Sinks: num("sinks"), Causal: flag("causal"),
		LatScore: num("lat_score"), LatExp: num("lat_exp"), LatAcc: num("lat_acc"), LatNorm: num("lat_norm"),
		LatRecip: num("lat_recip"), Overlap: flag("overlap")}
	c := resource.Resources{LUT: num("lut"), FF: num("ff"), DSP: num("dsp"), URAM: num("uram"), LUTRAM: num("lutram")}
	bram, err := strconv.ParseFloat(col["bram36"], 64)
	if err != nil && firstErr == nil {
		firstErr = fmt.Errorf("column bram36: %w", err)
	}
	c.BRAM36 = bram
	if firstErr != nil {
		return Measurement{}, firstErr
	}
	fam, err := resource.ParseFamily(col["family"])
	if err != nil {
		return Measurement{}, err
	}
	mods := map[string]int{}
	for _, u := range moduleUnits {
		mods[u.feature] = num("lut_" + u.feature)
	}
	if firstErr != nil {
		return Measurement{}, firstErr
	}
	return Measurement{Point: pt, Family: fam, Yosys: col["yosys"], RTL: col["rtl_hash"], Counts: c, ModuleLUT: mods}, nil
}

// The fit's files, relative to the module root.
const (
	TrainingCSV = "hdlgen/synth/testdata/fit/train.csv"
	HeldOutCSV  = "hdlgen/synth/testdata/fit/heldout.csv"
	ModelJSON   = "dataflow/resource/coef.json"
)

// FitModel fits the formulas to the training measurements and records
// their provenance (Yosys version, CSV, points per family).
func FitModel(train []Measurement) (*resource.Model, error) {
	samples, err := Samples(train)
	if err != nil {
		return nil, err
	}
	m, err := resource.Fit(samples)
	if err != nil {
		return nil, err
	}
	m.Training = TrainingCSV
	if len(train) > 0 {
		m.Yosys = train[0].Yosys
		m.Points = len(train) / len(resource.Families)
	}
	return m, nil
}

// StructuralMismatches lists the measurements whose DSP or block RAM
// count differs from the structural formulas (which are exact, not
// fitted).
func StructuralMismatches(ms []Measurement) ([]string, error) {
	var out []string
	for _, m := range ms {
		s, err := m.Sample()
		if err != nil {
			return nil, err
		}
		est := s.Params.EstimateFor(m.Family)
		if est.DSP != m.Counts.DSP || est.BRAM36 != m.Counts.BRAM36 {
			out = append(out, fmt.Sprintf("%s on %s: Yosys DSP %d BRAM36 %g, formula %d %g",
				m.Point.Label(), m.Family, m.Counts.DSP, m.Counts.BRAM36, est.DSP, est.BRAM36))
		}
	}
	return out, nil
}

// FormatErrors is the held-out error table (markdown): per family, arch
// and resource, the points and the mean and largest absolute error.
func FormatErrors(errs []resource.Error) string {
	var b strings.Builder
	b.WriteString("| family | arch | resource | points | mean abs error | max abs error |\n|---|---|---|---:|---:|---:|\n")
	for _, e := range errs {
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %.1f%% | %.1f%% |\n", e.Family, e.Arch, e.Resource, e.N, e.MeanPct, e.MaxPct)
	}
	return b.String()
}

// FFComparison compares the flip-flops Yosys counts on xcup with those on
// xc7 for the same points: how many points, on how many the counts are
// equal, and the largest difference in percent of the xc7 count.
func FFComparison(ms []Measurement) string {
	xc7 := map[Point]int{}
	for _, m := range ms {
		if m.Family == resource.XC7 {
			xc7[m.Point] = m.Counts.FF
		}
	}
	n, equal, worst := 0, 0, 0.0
	for _, m := range ms {
		ff, ok := xc7[m.Point]
		if m.Family != resource.XCUP || !ok || ff == 0 {
			continue
		}
		n++
		if m.Counts.FF == ff {
			equal++
		}
		worst = max(worst, 100*float64(m.Counts.FF-ff)/float64(ff), 100*float64(ff-m.Counts.FF)/float64(ff))
	}
	return fmt.Sprintf("On the %d points of both sets, Yosys's xcup flip-flop count equals its xc7 count on %d and differs by at most %.1f%%.", n, equal, worst)
}

// LeaveOneOut is the training set's leave-one-point-out error per family,
// arch and resource: each point's measurements (on every family) against
// the formulas fitted to all the other points. It is how the features
// were chosen (docs/hdl.md, "Fitted resource formulas").
func LeaveOneOut(train []Measurement) ([]resource.Error, error) {
	samples, err := Samples(train)
	if err != nil {
		return nil, err
	}
	var sum []resource.Error
	for _, pt := range distinctPoints(train) {
		var rest, out []resource.Sample
		for i, m := range train {
			if m.Point == pt {
				out = append(out, samples[i])
			} else {
				rest = append(rest, samples[i])
			}
		}
		m, err := resource.Fit(rest)
		if err != nil {
			return nil, fmt.Errorf("leaving out %s: %w", pt.Label(), err)
		}
		sum = mergeErrors(sum, m.Errors(out))
	}
	rank := func(e resource.Error) int {
		return (slices.Index(resource.Families, e.Family)*2+slices.Index([]string{"swat", "dense"}, e.Arch))*len(resource.ErrorResources) +
			slices.Index(resource.ErrorResources, e.Resource)
	}
	slices.SortFunc(sum, func(a, b resource.Error) int { return rank(a) - rank(b) })
	return sum, nil
}

// distinctPoints lists the measurements' points in order, each once.
func distinctPoints(ms []Measurement) []Point {
	var out []Point
	for _, m := range ms {
		if !slices.Contains(out, m.Point) {
			out = append(out, m.Point)
		}
	}
	return out
}

// mergeErrors adds the errors of more samples to a running table (same
// family, arch and resource: counts and means pooled, the larger maximum).
func mergeErrors(sum, more []resource.Error) []resource.Error {
	for _, e := range more {
		i := slices.IndexFunc(sum, func(s resource.Error) bool {
			return s.Family == e.Family && s.Arch == e.Arch && s.Resource == e.Resource
		})
		if i < 0 {
			sum = append(sum, e)
			continue
		}
		s := &sum[i]
		s.MeanPct = (s.MeanPct*float64(s.N) + e.MeanPct*float64(e.N)) / float64(s.N+e.N)
		s.N += e.N
		s.MaxPct = math.Max(s.MaxPct, e.MaxPct)
	}
	return sum
}
