package outfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// Path is a file a command reads or writes, named by its flag.
type Path struct {
	Flag string // e.g. "--report"
	Path string // "" when the flag is not given
}

// Check tests outputs before a run: each can be written (its directory
// exists and is writable; it is not a directory or a socket), no two name
// the same file and none is also one of the inputs. Devices and pipes
// (e.g. /dev/null) may be named more than once.
func Check(outputs, inputs []Path) error {
	var seen []Path
	for _, o := range outputs {
		if o.Path == "" {
			continue
		}
		f, err := resolve(o.Path)
		if err != nil {
			return fmt.Errorf("%s %v", o.Flag, err)
		}
		if !f.through {
			if err := writable(f.target); err != nil {
				return fmt.Errorf("%s %s: %v", o.Flag, o.Path, err)
			}
		}
		for _, in := range inputs {
			if in.Path != "" && same(o.Path, in.Path) {
				return fmt.Errorf("%s %s is also the input %s: write the output to another file", o.Flag, o.Path, in.Flag)
			}
		}
		for _, s := range seen {
			if !f.through && same(o.Path, s.Path) {
				return fmt.Errorf("%s %s and %s %s name the same file: give each output its own file", s.Flag, s.Path, o.Flag, o.Path)
			}
		}
		seen = append(seen, o)
	}
	return nil
}

// writable creates and removes a temporary file beside target.
func writable(target string) error {
	mu.Lock()
	defer mu.Unlock()
	if interrupted {
		return errInterrupted
	}
	f, err := createTemp(filepath.Dir(target), filepath.Base(target))
	if err != nil {
		return fmt.Errorf("cannot write in %s: %v", filepath.Dir(target), err)
	}
	f.Close()
	return os.Remove(f.Name())
}

// same reports whether a and b name one file, existing or not.
func same(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(sa, sb)
	}
	return canonical(a) == canonical(b)
}

// canonical is the absolute path of a file that may not exist yet, with
// its directory's symlinks resolved.
func canonical(p string) string {
	dir, base := filepath.Split(p)
	if dir == "" {
		dir = "."
	}
	if r, err := filepath.EvalSymlinks(dir); err == nil {
		dir = r
	}
	abs, err := filepath.Abs(filepath.Join(dir, base))
	if err != nil {
		return filepath.Clean(p)
	}
	return abs
}
