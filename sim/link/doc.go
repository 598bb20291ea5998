// Package link is the platform's connection between the loaders, the
// writers and the memory: Akita v3's DirectConnection, message for message
// and tick for tick (a message moves in the connection's tick at its send
// time, ends are served round robin from a start that advances one port
// per tick, a full destination keeps the message at its source), with the
// ends held in a slice, so a tick does not hash every plugged-in port.
// With eight cores a tick visits 33 ports; Akita's looked each up in a
// map, which was most of the long layer's connection time.
package link
