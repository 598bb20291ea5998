package main

import (
	"github.com/swatsim/swatsim/internal/outfile"
)

// pendingFile is an output staged in a temporary file, put in place only
// when every output of the command is ready (see internal/outfile).
type pendingFile = outfile.File

// stage writes data to a staged output at path.
func stage(path string, data []byte) (*pendingFile, error) { return outfile.Stage(path, data) }

// commit puts every staged file in place, or none.
func commit(files []*pendingFile) error { return outfile.Commit(files...) }

// discard removes staged files.
func discard(files []*pendingFile) { outfile.Discard(files...) }

// checkPaths tests the output paths before a run (see outfile.Check).
func checkPaths(outputs []outfile.Path, inputs ...outfile.Path) error {
	return outfile.Check(outputs, inputs)
}
