package explore

import (
	"bytes"
	"image/png"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

func TestLogAxisOverADecade(t *testing.T) {
	for _, c := range []struct {
		xs  []float64
		log bool
	}{
		{[]float64{1, 5, 10}, false},
		{[]float64{1, 5, 10.5}, true},
		{[]float64{0.001, 2}, true},
		{[]float64{0, 100}, false}, // a zero cannot go on a log axis
		{[]float64{-5, 100}, false},
	} {
		var pts plotter.XYs
		for _, x := range c.xs {
			pts = append(pts, plotter.XY{X: x})
		}
		p := plot.New()
		logAxis(&p.X, pts, func(v plotter.XY) float64 { return v.X })
		if _, got := p.X.Scale.(plot.LogScale); got != c.log {
			t.Errorf("%v: log axis %v, want %v", c.xs, got, c.log)
		}
	}
}

// TestPicturesLeaveRoomForTheLegend: the legend strip beside the plot is
// as wide as its longest entry, so it never overlaps the plot area.
func TestPicturesLeaveRoomForTheLegend(t *testing.T) {
	s := mustSpace(t, smallSpace)
	dir := t.TempDir()
	runSpace(t, s, dir, 2, nil, nil)
	rs, _ := ReadDir(dir, &bytes.Buffer{})
	pts := s.Score(rs)
	front := s.Front(pts)
	for name, draw := range map[string]func([]*Scored, []*Scored) ([]byte, error){"pareto": s.ParetoPNG, "roofline": s.RooflinePNG} {
		b, err := draw(pts, front)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		plotPx := int(plotWidth.Dots(96))
		if w := img.Bounds().Dx(); w <= plotPx+50 {
			t.Errorf("%s: %d px wide, the plot alone takes %d: no room for the legend", name, w, plotPx)
		}
	}
}
