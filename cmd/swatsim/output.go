package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// pendingFile is an output written to a temporary file, renamed into place
// only when every output of the command is ready.
type pendingFile struct {
	path, tmp string
}

// stage writes data to a temporary file beside path.
func stage(path string, data []byte) (*pendingFile, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return &pendingFile{path: path, tmp: f.Name()}, nil
}

// commit renames every staged file into place.
func commit(files []*pendingFile) error {
	for i, f := range files {
		if err := os.Rename(f.tmp, f.path); err != nil {
			discard(files[i:])
			for _, done := range files[:i] {
				os.Remove(done.path)
			}
			return fmt.Errorf("%s: %v", f.path, err)
		}
	}
	return nil
}

// discard removes staged files.
func discard(files []*pendingFile) {
	for _, f := range files {
		os.Remove(f.tmp)
	}
}
