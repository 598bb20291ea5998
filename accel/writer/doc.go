// Package writer provides the output writer: an Akita component that takes
// the core's output rows at the cycles they leave the core and writes them
// to memory in bursts of whole rows.
package writer
