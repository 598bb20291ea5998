package outfile

import (
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestReplaceKeepsModeAndNewFileHonoursUmask(t *testing.T) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	dir := t.TempDir()
	existing := filepath.Join(dir, "old.txt")
	if err := os.WriteFile(existing, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	os.Chmod(existing, 0o604)
	for _, c := range []struct {
		path string
		mode fs.FileMode
	}{{existing, 0o604}, {filepath.Join(dir, "new.txt"), 0o640}} {
		f, err := Stage(c.path, []byte("data"))
		if err != nil {
			t.Fatal(err)
		}
		if err := Commit(f); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(c.path)
		if err != nil || st.Mode().Perm() != c.mode {
			t.Errorf("%s: mode %v, %v; want %v", c.path, st.Mode().Perm(), err, c.mode)
		}
		if b, _ := os.ReadFile(c.path); string(b) != "data" {
			t.Errorf("%s holds %q", c.path, b)
		}
	}
	if names, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(names) > 0 {
		t.Errorf("temporary files left: %v", names)
	}
}

func TestDevicesAndSymlinksAreNotReplaced(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target.txt")
	os.WriteFile(target, []byte("old"), 0o644)
	link := filepath.Join(dir, "link.txt")
	os.Symlink(target, link)
	nullLink := filepath.Join(dir, "null")
	os.Symlink("/dev/null", nullLink)
	for _, p := range []string{"/dev/null", nullLink, link} {
		f, err := Stage(p, []byte("new"))
		if err != nil {
			t.Fatal(err)
		}
		if err := Commit(f); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
	if st, err := os.Stat("/dev/null"); err != nil || st.Mode()&fs.ModeCharDevice == 0 {
		t.Fatalf("/dev/null is no longer a character device: %v %v", st.Mode(), err)
	}
	for _, l := range []string{link, nullLink} {
		if st, err := os.Lstat(l); err != nil || st.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("%s is no longer a symlink", l)
		}
	}
	if b, _ := os.ReadFile(target); string(b) != "new" {
		t.Errorf("the symlink's target holds %q; want new", b)
	}
}

func TestPipeWrittenThrough(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skip("mkfifo:", err)
	}
	got := make(chan string)
	go func() {
		r, err := os.Open(p)
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(r)
		r.Close()
		got <- string(b)
	}()
	f, err := Stage(p, []byte("through the pipe"))
	if err != nil {
		t.Fatal(err)
	}
	if err := Commit(f); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "through the pipe" {
		t.Errorf("the reader got %q", s)
	}
	if st, _ := os.Lstat(p); st.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("the pipe was replaced")
	}
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.npy")
	os.WriteFile(in, []byte("x"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	os.Symlink(filepath.Join(dir, "sub"), filepath.Join(dir, "sublink"))
	sock := filepath.Join(dir, "s.sock")
	l, err := net.Listen("unix", sock)
	if err == nil {
		defer l.Close()
	}
	cases := []struct {
		outs, ins []Path
		want      string
	}{
		{[]Path{{"--out", in}}, []Path{{"--q", in}}, "--out " + in + " is also the input --q"},
		{[]Path{{"--out", filepath.Join(dir, "./in.npy")}}, []Path{{"--q", in}}, "is also the input --q"},
		{[]Path{{"--out", filepath.Join(dir, "sub/o")}, {"--report", filepath.Join(dir, "sublink/o")}}, nil, "name the same file"},
		{[]Path{{"--out", filepath.Join(dir, "nodir/o")}}, nil, "no such file or directory"},
		{[]Path{{"--out", filepath.Join(dir, "sub")}}, nil, "is a directory"},
		{[]Path{{"--out", filepath.Join(dir, "in.npy/x")}}, nil, "is not a directory"},
		{[]Path{{"--out", "/dev/null"}, {"--report", "/dev/null"}}, nil, ""},
		{[]Path{{"--out", filepath.Join(dir, "a")}, {"--report", filepath.Join(dir, "b")}, {"--trace", ""}}, []Path{{"--q", in}}, ""},
	}
	if err == nil {
		cases = append(cases, struct {
			outs, ins []Path
			want      string
		}{[]Path{{"--out", sock}}, nil, "not a regular file, character device or pipe"})
	}
	for _, c := range cases {
		err := Check(c.outs, c.ins)
		if (c.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("Check(%v, %v) = %v; want %q", c.outs, c.ins, err, c.want)
		}
	}
	if names, _ := filepath.Glob(filepath.Join(dir, "*", ".*.tmp")); len(names) > 0 {
		t.Errorf("Check left temporary files: %v", names)
	}
}

// TestCleanup runs last in this file: it interrupts the package state.
func TestCleanup(t *testing.T) {
	defer func() { mu.Lock(); interrupted = false; mu.Unlock() }()
	dir := t.TempDir()
	a, err := Stage(filepath.Join(dir, "a"), []byte("a"))
	if err != nil {
		t.Fatal(err)
	}
	removed := Cleanup()
	if len(removed) != 1 || removed[0] != a.TempName() {
		t.Errorf("Cleanup removed %v; want %s", removed, a.TempName())
	}
	if err := Commit(a); err == nil {
		t.Errorf("Commit after Cleanup succeeded")
	}
	if _, err := Create(filepath.Join(dir, "b")); err == nil {
		t.Errorf("Create after Cleanup succeeded")
	}
	if names, _ := os.ReadDir(dir); len(names) != 0 {
		t.Errorf("left in the directory: %v", names)
	}
}
