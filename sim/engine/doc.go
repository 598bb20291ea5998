// Package engine is a serial Akita v3 engine whose events at the same time
// run in a fixed order: primary events before secondary ones (as Akita's
// SerialEngine), then by the rank of their handler (the platform ranks its
// components), then in the order they were scheduled. Akita's SerialEngine
// leaves that order to its heap, so it depends on the whole history of the
// queue; here it follows from the components and the events, so a
// simulation whose state repeats runs the same way each time it does (the
// steady-state shortcut in package sim relies on it). The platform runs on
// one goroutine, so the engine takes no lock per event: Run holds Pause's
// lock and lets go of it between two events only when Pause asks.
package engine
