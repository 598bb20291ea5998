package explore

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/swatsim/swatsim/dataflow"
)

// maxRoofs caps the ceilings drawn; with more distinct devices only the
// lowest and the highest roof are drawn.
const maxRoofs = 6

// errNoRooflinePoints: no point has a finite intensity and performance.
var errNoRooflinePoints = errors.New("roofline.png: no point has off-chip traffic and a latency; not drawn")

// roof is a device's ceilings: peak MAC/s and off-chip bytes/s.
type roof struct{ peak, bw float64 }

// Intensity is a point's operational intensity (useful MACs per off-chip
// byte) and attainable performance (useful MACs per second).
func Intensity(report map[string]any) (macsPerByte, macsPerSecond float64) {
	macs := number(report, "useful_macs")
	return macs / number(report, "offchip_bytes"), macs / number(report, "latency_s")
}

// roofs finds each point's ceilings: the compute peak from its report
// (MACs per cycle times the clock), the off-chip bandwidth from its design
// (memory channels times their GB/s), resolved once per distinct set of
// swept memory.* values.
func (s *Space) roofs(pts []*Scored) (map[*Scored]roof, error) {
	memo := map[string]float64{}
	out := map[*Scored]roof{}
	for _, p := range pts {
		var sets []string
		for _, f := range sortedKeys(p.Fields) {
			if strings.HasPrefix(f, "memory.") {
				sets = append(sets, f+"="+fieldText(p.Fields[f]))
			}
		}
		key := strings.Join(sets, "\n")
		bw, ok := memo[key]
		if !ok {
			d, err := dataflow.Load(s.Base, sets)
			if err != nil {
				return nil, fmt.Errorf("roofline: point %s: %v", p.Record.Hash, err)
			}
			bw = float64(d.Memory.Channels) * d.Memory.ChannelGBps * 1e9
			memo[key] = bw
		}
		out[p] = roof{peak: number(p.Report, "macs_per_cycle") * number(p.Report, "clock_mhz") * 1e6, bw: bw}
	}
	return out, nil
}

// RooflinePNG plots attainable MAC/s against MACs per off-chip byte for
// every evaluated point, under the compute and bandwidth ceilings of the
// designs explored.
func (s *Space) RooflinePNG(pts, front []*Scored) ([]byte, error) {
	onFront, feasible, infeasible := pointClasses(pts, front)
	evaluated := append(append(append([]*Scored{}, onFront...), feasible...), infeasible...)
	roofOfPoint, err := s.roofs(evaluated)
	if err != nil {
		return nil, err
	}
	xy := func(set []*Scored) plotter.XYs {
		var out plotter.XYs
		for _, p := range set {
			x, y := Intensity(p.Report)
			if x > 0 && y > 0 && !math.IsInf(x, 0) && !math.IsInf(y, 0) {
				out = append(out, plotter.XY{X: x, Y: y})
			}
		}
		return out
	}
	p := plot.New()
	p.Title.Text = "Roofline: attainable MAC/s vs operational intensity (useful MACs per off-chip byte)"
	// Short axis labels: gonum/plot centres the x label by the linear
	// midpoint, which on a log axis pushes a long label off the right edge.
	p.X.Label.Text, p.Y.Label.Text = "MACs / off-chip byte", "MAC/s"
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Scale, a.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	}
	leg := plot.NewLegend()
	all := xy(evaluated)
	if len(all) == 0 {
		return nil, errNoRooflinePoints
	}
	rs, labels := distinctRoofs(roofOfPoint)
	roofNames, err := addRoofs(p, &leg, rs, labels, all)
	if err != nil {
		return nil, err
	}
	names, err := addClasses(p, &leg, xy, onFront, feasible, infeasible)
	if err != nil {
		return nil, err
	}
	p.Add(plotter.NewGrid())
	pad(&p.X)
	pad(&p.Y)
	return render(p, leg, append(roofNames, names...))
}

// distinctRoofs lists the points' ceilings, lowest first; beyond maxRoofs
// only the lowest and the highest remain (and are labelled so).
func distinctRoofs(byPoint map[*Scored]roof) (rs []roof, labels []string) {
	seen := map[roof]bool{}
	for _, r := range byPoint {
		if !(r.peak > 0 && r.bw > 0) || math.IsInf(r.peak, 0) || math.IsInf(r.bw, 0) {
			continue // no ceiling to draw on log axes (e.g. a report without macs_per_cycle)
		}
		if !seen[r] {
			seen[r] = true
			rs = append(rs, r)
		}
	}
	sort.Slice(rs, func(i, j int) bool {
		if rs[i].peak != rs[j].peak {
			return rs[i].peak < rs[j].peak
		}
		return rs[i].bw < rs[j].bw
	})
	labels = make([]string, len(rs))
	if len(rs) > maxRoofs {
		rs, labels = []roof{rs[0], rs[len(rs)-1]}, []string{fmt.Sprintf("lowest of %d ", len(rs)), fmt.Sprintf("highest of %d ", len(rs))}
	}
	return rs, labels
}

// addRoofs draws each roof, min(peak, bw * intensity), across the points'
// intensity range (widened to show the ridge point).
func addRoofs(p *plot.Plot, leg *plot.Legend, rs []roof, labels []string, pts plotter.XYs) ([]string, error) {
	var names []string
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, q := range pts {
		lo, hi = math.Min(lo, q.X), math.Max(hi, q.X)
	}
	for _, r := range rs {
		lo, hi = math.Min(lo, r.peak/r.bw), math.Max(hi, r.peak/r.bw)
	}
	lo, hi = lo/2, hi*2
	for i, r := range rs {
		ridge := r.peak / r.bw
		line := plotter.XYs{{X: lo, Y: math.Min(r.peak, r.bw*lo)}}
		if ridge > lo && ridge < hi {
			line = append(line, plotter.XY{X: ridge, Y: r.peak})
		}
		line = append(line, plotter.XY{X: hi, Y: math.Min(r.peak, r.bw*hi)})
		l, err := plotter.NewLine(line)
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = roofColors[i%len(roofColors)], vg.Points(1.5)
		p.Add(l)
		name := fmt.Sprintf("%sceiling %s MAC/s, %s B/s", labels[i], si(r.peak), si(r.bw))
		leg.Add(name, l)
		names = append(names, name)
	}
	return names, nil
}

// roofColors keep clear of the point classes' red, blue and grey.
var roofColors = []color.Color{
	color.RGBA{R: 255, G: 127, B: 14, A: 255}, color.RGBA{R: 44, G: 160, B: 44, A: 255},
	color.RGBA{R: 148, G: 103, B: 189, A: 255}, color.RGBA{R: 140, G: 86, B: 75, A: 255},
	color.RGBA{R: 227, G: 119, B: 194, A: 255}, color.RGBA{R: 188, G: 189, B: 34, A: 255},
}

// si prints v with an SI prefix, e.g. 4.9T.
func si(v float64) string {
	for _, u := range []struct {
		div float64
		p   string
	}{{1e15, "P"}, {1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}} {
		if v >= u.div {
			return fmt.Sprintf("%.3g%s", v/u.div, u.p)
		}
	}
	return fmt.Sprintf("%.3g", v)
}
