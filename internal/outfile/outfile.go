package outfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// File is one output being written: a temporary file that Commit puts in
// place.
type File struct {
	path    string // as the user gave it
	target  string // the file a rename replaces (symlinks resolved)
	through bool   // a device or pipe: copied into at commit, never replaced
	mode    fs.FileMode
	tmp     *os.File
}

// live holds the temporary files not yet committed or discarded, for
// Cleanup; once interrupted, no file is created or committed.
var (
	mu          sync.Mutex
	live        = map[string]bool{}
	interrupted bool
)

// errInterrupted is returned once Cleanup has run.
var errInterrupted = errors.New("interrupted: no output written")

// Create starts the output at path. Its directory must exist.
func Create(path string) (*File, error) {
	f, err := resolve(path)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(f.target)
	if f.through {
		dir = os.TempDir()
	}
	mu.Lock()
	defer mu.Unlock()
	if interrupted {
		return nil, errInterrupted
	}
	if f.tmp, err = createTemp(dir, filepath.Base(f.target)); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	live[f.tmp.Name()] = true
	return f, nil
}

// Stage writes data as the output at path.
func Stage(path string, data []byte) (*File, error) {
	f, err := Create(path)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(data); err != nil {
		Discard(f)
		return nil, err
	}
	return f, nil
}

// Write appends to the staged content.
func (f *File) Write(p []byte) (int, error) {
	n, err := f.tmp.Write(p)
	if err != nil {
		return n, fmt.Errorf("%s: %v", f.path, err)
	}
	return n, nil
}

// Path is the output's path as given.
func (f *File) Path() string { return f.path }

// TempName is the temporary file holding the staged content.
func (f *File) TempName() string { return f.tmp.Name() }

// createTemp creates a new file in dir with permission 0666 less the umask
// (os.CreateTemp would give 0600).
func createTemp(dir, base string) (*os.File, error) {
	for range 100 {
		name := filepath.Join(dir, fmt.Sprintf(".%s.%08x.tmp", base, rand.Uint32()))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, fmt.Errorf("cannot create a temporary file in %s", dir)
}

// Commit puts every staged file in place, or none: on an error the staged
// files are removed, and the outputs already renamed too.
func Commit(files ...*File) error {
	for i, f := range files {
		if err := f.finish(); err != nil {
			Discard(files[i:]...)
			Discard(files[:i]...)
			return err
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if interrupted {
		return errInterrupted
	}
	for i, f := range files {
		if err := f.place(); err != nil {
			for _, g := range files[i:] {
				g.remove()
			}
			for _, done := range files[:i] {
				if !done.through {
					os.Remove(done.target)
				}
			}
			return fmt.Errorf("%s: %v", f.path, err)
		}
	}
	return nil
}

// finish flushes the temporary file to disk and sets its permissions.
func (f *File) finish() error {
	err := f.tmp.Sync()
	if err == nil && f.mode != 0 {
		err = f.tmp.Chmod(f.mode.Perm())
	}
	if cerr := f.tmp.Close(); err == nil && !errors.Is(cerr, os.ErrClosed) {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %v", f.path, err)
	}
	return nil
}

// place renames the temporary file onto the target, or copies it into a
// device or pipe; called with mu held.
func (f *File) place() error {
	defer delete(live, f.tmp.Name())
	if !f.through {
		return os.Rename(f.tmp.Name(), f.target)
	}
	defer os.Remove(f.tmp.Name())
	src, err := os.Open(f.tmp.Name())
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(f.path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	_, err = io.Copy(dst, src)
	return errors.Join(err, dst.Close())
}

// Discard drops staged files.
func Discard(files ...*File) {
	mu.Lock()
	defer mu.Unlock()
	for _, f := range files {
		f.remove()
	}
}

// remove closes and deletes the temporary file; called with mu held.
func (f *File) remove() {
	f.tmp.Close()
	os.Remove(f.tmp.Name())
	delete(live, f.tmp.Name())
}

// Cleanup removes every temporary file not yet committed and makes later
// Create and Commit calls fail: call it when the process is interrupted.
// It returns the names removed.
func Cleanup() []string {
	mu.Lock()
	defer mu.Unlock()
	interrupted = true
	var out []string
	for name := range live {
		os.Remove(name)
		out = append(out, name)
	}
	clear(live)
	return out
}

// resolve finds what writing path would touch and refuses what must not
// be replaced.
func resolve(path string) (*File, error) {
	if path == "" {
		return nil, errors.New("empty output path")
	}
	f := &File{path: path, target: path}
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if _, lerr := os.Lstat(path); lerr == nil {
			return nil, fmt.Errorf("%s: a symlink to a missing file; refusing to write through it", path)
		}
		return f, checkDir(path)
	case err != nil:
		if derr := checkDir(path); derr != nil {
			return nil, derr
		}
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	switch m := st.Mode(); {
	case m.IsRegular():
		f.mode = m
		target, err := filepath.EvalSymlinks(path)
		if err != nil || strings.HasPrefix(target, "/proc/") {
			f.through = true // e.g. /dev/stdout redirected to a file
			return f, nil
		}
		f.target = target
	case m&fs.ModeCharDevice != 0 || m&fs.ModeNamedPipe != 0:
		f.through = true
	case m.IsDir():
		return nil, fmt.Errorf("%s: is a directory; give a file name", path)
	default:
		return nil, fmt.Errorf("%s: not a regular file, character device or pipe (%v); refusing to replace it", path, m.Type())
	}
	return f, nil
}

// checkDir checks that the directory of a new file exists.
func checkDir(path string) error {
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("%s: directory %s: no such file or directory", path, dir)
	}
	if !st.IsDir() {
		return fmt.Errorf("%s: %s is not a directory", path, dir)
	}
	return nil
}
