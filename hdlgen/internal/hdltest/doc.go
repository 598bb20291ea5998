// Package hdltest holds the test helpers the HDL packages share: Need
// skips a test whose external tool is missing (except under CI, where that
// is a failure) and Design loads a test's design point.
package hdltest
