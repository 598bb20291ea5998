// Package serial holds Akita's ticking component and message port for a
// platform that runs on one goroutine and handles millions of events.
//
// Component follows sim.TickingComponent's rules (TickLater ticks on the
// next clock edge after now, TickNow at now, neither schedules a tick at
// or before one already scheduled; a tick that made progress schedules
// the next) and puts the same handlers on its events, so an engine that
// orders same-time events by handler sees the same order; but its tick
// events are reused, carry no ID string and take no lock. Port follows
// sim.LimitNumMsgPort (a bounded incoming buffer, a refused Recv marks the
// port busy, and the Retrieve that frees room tells the connection) with
// no locks and a buffer that stops allocating. Akita's versions allocate
// an event and format a global ID per tick and lock mutexes per message
// and per empty poll; in swatsim's timing-only runs that was over a third
// of the time. The engine must not keep an event after handling it
// (Akita's engines and sim/engine do not).
package serial
