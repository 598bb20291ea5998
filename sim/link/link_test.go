package link

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sarchlab/akita/v3/sim"

	"github.com/swatsim/swatsim/sim/engine"
)

// msg is a test message.
type msg struct {
	sim.MsgMeta
	n int
}

func (m *msg) Meta() *sim.MsgMeta { return &m.MsgMeta }

// node is a test component: it sends its scripted messages to one
// destination at their times (retrying a refused one in the next cycle)
// and takes what it receives only on ticks of its period, so buffers fill
// and senders are refused.
type node struct {
	*sim.TickingComponent
	port    sim.Port
	dst     sim.Port
	freq    sim.Freq
	script  []sendAt // ascending times
	period  int
	log     *[]string
	pending []sendAt
}

type sendAt struct {
	cycle, n int
}

func (c *node) Tick(now sim.VTimeInSec) bool {
	cyc := int(c.freq.Cycle(now))
	progress := false
	if c.period > 0 && cyc%c.period == 0 {
		for m := c.port.Retrieve(now); m != nil; m = c.port.Retrieve(now) {
			*c.log = append(*c.log, fmt.Sprintf("%d: %s got %d from %s", cyc, c.Name(), m.(*msg).n, m.Meta().Src.Name()))
			progress = true
		}
	}
	for len(c.script) > 0 && c.script[0].cycle <= cyc {
		c.pending = append(c.pending, c.script[0])
		c.script = c.script[1:]
	}
	for len(c.pending) > 0 {
		m := &msg{MsgMeta: sim.MsgMeta{ID: sim.GetIDGenerator().Generate(), Src: c.port, Dst: c.dst, SendTime: now}, n: c.pending[0].n}
		if c.port.Send(m) != nil {
			*c.log = append(*c.log, fmt.Sprintf("%d: %s refused", cyc, c.Name()))
			break
		}
		c.pending = c.pending[1:]
		progress = true
	}
	return progress || len(c.script) > 0 || c.port.Peek() != nil
}

// run wires three senders and a slow receiver through conn and logs every
// delivery and refusal.
func run(r *rand.Rand, newConn func(sim.Engine, sim.Freq) sim.Connection) []string {
	e := engine.New()
	freq := 1 * sim.GHz
	var log []string
	conn := newConn(e, freq)
	recv := &node{freq: freq, period: 3, log: &log}
	recv.TickingComponent = sim.NewTickingComponent("Recv", e, freq, recv)
	recv.port = sim.NewLimitNumMsgPort(recv, 2, "Recv.Port")
	conn.PlugIn(recv.port, 4)
	for i := 0; i < 3; i++ {
		s := &node{freq: freq, log: &log, dst: recv.port}
		s.TickingComponent = sim.NewTickingComponent(fmt.Sprint("Send", i), e, freq, s)
		s.port = sim.NewLimitNumMsgPort(s, 4, fmt.Sprint("Send", i, ".Port"))
		conn.PlugIn(s.port, 1+r.IntN(3))
		for k := 0; k < 20; k++ {
			s.script = append(s.script, sendAt{cycle: r.IntN(60), n: 100*i + k})
		}
		slices.SortStableFunc(s.script, func(a, b sendAt) int { return a.cycle - b.cycle })
		s.TickLater(0)
	}
	recv.TickLater(0)
	if err := e.Run(); err != nil {
		panic(err)
	}
	return log
}

// TestLinkMatchesDirectConnection: on random traffic that fills buffers
// and gets refused, the link delivers every message in the same cycle and
// order, and refuses the same sends, as Akita's DirectConnection.
func TestLinkMatchesDirectConnection(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		got := run(rand.New(rand.NewPCG(seed, 7)), func(e sim.Engine, f sim.Freq) sim.Connection { return New("Link", e, f) })
		want := run(rand.New(rand.NewPCG(seed, 7)), func(e sim.Engine, f sim.Freq) sim.Connection { return sim.NewDirectConnection("Conn", e, f) })
		if !slices.Equal(got, want) {
			t.Fatalf("seed %d: link\n%v\nDirectConnection\n%v", seed, got, want)
		}
		if len(got) < 60 || !slices.ContainsFunc(got, func(s string) bool { return len(s) > 8 && s[len(s)-7:] == "refused" }) {
			t.Fatalf("seed %d: the traffic is too light to test refusals: %v", seed, got)
		}
	}
}
