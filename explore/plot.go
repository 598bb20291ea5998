package explore

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Colours of the point classes in both pictures.
var (
	frontColor      = color.RGBA{R: 214, G: 39, B: 40, A: 255}
	feasibleColor   = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	infeasibleColor = color.RGBA{R: 170, G: 170, B: 170, A: 255}
)

const (
	plotWidth  = 7 * vg.Inch
	plotHeight = 4.5 * vg.Inch
)

// pointClasses splits the scored points into the front, the other feasible
// points and the infeasible ones (errors excluded: they have no values).
func pointClasses(pts, front []*Scored) (onFront, feasible, infeasible []*Scored) {
	in := map[*Scored]bool{}
	for _, p := range front {
		in[p] = true
	}
	for _, p := range pts {
		switch {
		case in[p]:
			onFront = append(onFront, p)
		case p.Feasible:
			feasible = append(feasible, p)
		case p.Record.Error == "":
			infeasible = append(infeasible, p)
		}
	}
	return onFront, feasible, infeasible
}

// ParetoPNG draws the first two objectives of every evaluated point: the
// front highlighted and joined, other feasible points in blue, infeasible
// ones grey; an axis is logarithmic when its values span more than a decade.
func (s *Space) ParetoPNG(pts, front []*Scored) ([]byte, error) {
	if len(s.Objectives) < 2 {
		return nil, fmt.Errorf("pareto.png needs two objectives")
	}
	onFront, feasible, infeasible := pointClasses(pts, front)
	xy := func(set []*Scored) plotter.XYs {
		var out plotter.XYs
		for _, p := range set {
			if !math.IsNaN(p.Values[0]) && !math.IsNaN(p.Values[1]) {
				out = append(out, plotter.XY{X: p.Values[0], Y: p.Values[1]})
			}
		}
		return out
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Pareto front: %s (%s) vs %s (%s)", s.Objectives[0].Key, s.Objectives[0].Sense(), s.Objectives[1].Key, s.Objectives[1].Sense())
	if n := len(s.Objectives); n > 2 {
		p.Title.Text += fmt.Sprintf("; front over all %d objectives", n)
	}
	p.X.Label.Text, p.Y.Label.Text = s.Objectives[0].Key, s.Objectives[1].Key
	all := append(append(xy(onFront), xy(feasible)...), xy(infeasible)...)
	logAxis(&p.X, all, func(v plotter.XY) float64 { return v.X })
	logAxis(&p.Y, all, func(v plotter.XY) float64 { return v.Y })
	leg := plot.NewLegend()
	names, err := addClasses(p, &leg, xy, onFront, feasible, infeasible)
	if err != nil {
		return nil, err
	}
	if f := xy(onFront); len(f) > 1 && len(s.Objectives) == 2 { // a staircase only in two dimensions
		sort.Slice(f, func(i, j int) bool { return f[i].X < f[j].X })
		line, err := plotter.NewLine(f)
		if err != nil {
			return nil, err
		}
		line.Color, line.Dashes = frontColor, []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(line)
	}
	p.Add(plotter.NewGrid())
	pad(&p.X)
	pad(&p.Y)
	return render(p, leg, names)
}

// logAxis switches an axis to a log scale when its (positive) values span
// more than a decade.
func logAxis(a *plot.Axis, pts plotter.XYs, get func(plotter.XY) float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range pts {
		lo, hi = math.Min(lo, get(p)), math.Max(hi, get(p))
	}
	if lo > 0 && hi/lo > 10 {
		a.Scale = plot.LogScale{}
		a.Tick.Marker = plot.LogTicks{Prec: -1}
	}
}

// render draws the plot on the left and the legend in a strip of its own on
// the right, as wide as its longest entry, so the legend never covers data.
func render(p *plot.Plot, leg plot.Legend, names []string) ([]byte, error) {
	p.BackgroundColor = color.White
	legendWidth := vg.Length(0)
	for _, n := range names {
		legendWidth = max(legendWidth, leg.TextStyle.Width(n))
	}
	legendWidth += leg.ThumbnailWidth + vg.Points(24)
	img := vgimg.New(plotWidth+legendWidth, plotHeight)
	dc := draw.New(img)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	p.Draw(draw.Crop(dc, 0, -legendWidth, 0, 0))
	leg.Top, leg.Left = true, true
	leg.YOffs = -p.Title.TextStyle.Height(p.Title.Text) - vg.Points(14)
	leg.Draw(draw.Crop(dc, plotWidth+vg.Points(8), 0, 0, 0))
	var b bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// addClasses scatters the three point classes (infeasible first, the front
// last, on top) and adds them to the legend, returning the legend names.
func addClasses(p *plot.Plot, leg *plot.Legend, xy func([]*Scored) plotter.XYs, onFront, feasible, infeasible []*Scored) ([]string, error) {
	var names []string
	for _, c := range []struct {
		name   string
		pts    plotter.XYs
		col    color.Color
		radius vg.Length
		shape  draw.GlyphDrawer
	}{
		{fmt.Sprintf("infeasible (%d)", len(infeasible)), xy(infeasible), infeasibleColor, 2.5, draw.CrossGlyph{}},
		{fmt.Sprintf("feasible (%d)", len(feasible)), xy(feasible), feasibleColor, 2.5, draw.CircleGlyph{}},
		{fmt.Sprintf("Pareto front (%d)", len(onFront)), xy(onFront), frontColor, 4, draw.CircleGlyph{}},
	} {
		if len(c.pts) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(c.pts)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle.Color, sc.GlyphStyle.Radius, sc.GlyphStyle.Shape = c.col, c.radius, c.shape
		p.Add(sc)
		leg.Add(c.name, sc)
		names = append(names, c.name)
	}
	return names, nil
}

// pad widens an axis by a twentieth of its span (in log space on a log
// axis) so that no glyph sits on the frame.
func pad(a *plot.Axis) {
	if _, log := a.Scale.(plot.LogScale); log && a.Min > 0 {
		f := math.Pow(a.Max/a.Min, 0.05)
		a.Min, a.Max = a.Min/f, a.Max*f
		return
	}
	d := (a.Max - a.Min) * 0.05
	if d == 0 {
		d = math.Max(math.Abs(a.Max)*0.05, 1e-12)
	}
	a.Min, a.Max = a.Min-d, a.Max+d
}
