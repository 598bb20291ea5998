package explore

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"syscall"
)

// ResultsFile is the merged results store in a results directory.
const ResultsFile = "results.jsonl"

// ShardFile is the results store of shard i of k.
func ShardFile(i, k int) string { return fmt.Sprintf("results.shard-%d-of-%d.jsonl", i, k) }

// Record is one evaluated point: one line of a results store.
type Record struct {
	Hash   string          `json:"hash"`
	Fields json.RawMessage `json:"fields"`
	Fits   bool            `json:"fits"`
	Error  string          `json:"error"`
	Report json.RawMessage `json:"report"`
	line   []byte
}

// Line is the record as stored (without the newline).
func (r *Record) Line() []byte { return r.line }

// Records holds a directory's stored records, one per hash.
type Records map[string]*Record

// better decides which of two records of one hash to keep, independent of
// the order they were read in: a successful one, then the smaller line.
func better(a, b *Record) bool {
	if (a.Error == "") != (b.Error == "") {
		return a.Error == ""
	}
	return bytes.Compare(a.line, b.line) < 0
}

func (rs Records) add(r *Record) {
	if old, ok := rs[r.Hash]; !ok || better(r, old) {
		rs[r.Hash] = r
	}
}

// Sorted lists the records by hash.
func (rs Records) Sorted() []*Record {
	out := make([]*Record, 0, len(rs))
	for _, h := range sortedKeys(rs) {
		out = append(out, rs[h])
	}
	return out
}

// JSONL renders the records sorted by hash, one per line.
func (rs Records) JSONL() []byte {
	var b bytes.Buffer
	for _, r := range rs.Sorted() {
		b.Write(r.line)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// ReadDir reads every results store in dir (results.jsonl and the shard
// files). A line that is not a record (a line cut short by a crash) is
// skipped with a warning on warn.
func ReadDir(dir string, warn io.Writer) (Records, error) {
	rs := Records{}
	return rs, eachRecord(dir, warn, func(r *Record) { rs.add(r) })
}

// storedHashes are the hashes of the records in files (without keeping
// the records); a missing file holds none.
func storedHashes(files []string, warn io.Writer) (map[string]bool, error) {
	hashes := map[string]bool{}
	for _, path := range files {
		err := readFile(path, warn, func(r *Record) { hashes[r.Hash] = true })
		if err != nil && !os.IsNotExist(err) {
			return nil, err
		}
	}
	return hashes, nil
}

// storeFiles lists dir's results stores: results.jsonl and the shard files.
func storeFiles(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "results*.jsonl"))
	sort.Strings(files)
	return files, err
}

// eachRecord calls visit for every well-formed record of dir's stores.
func eachRecord(dir string, warn io.Writer, visit func(*Record)) error {
	files, err := storeFiles(dir)
	if err != nil {
		return err
	}
	for _, path := range files {
		if err := readFile(path, warn, visit); err != nil {
			return err
		}
	}
	return nil
}

func readFile(path string, warn io.Writer, visit func(*Record)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	for n := 1; sc.Scan(); n++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		r, err := parseRecord(sc.Bytes())
		if err != nil {
			fmt.Fprintf(warn, "warning: %s:%d: skipped a malformed record (%v); its point runs again\n", path, n, err)
			continue
		}
		visit(r)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	return nil
}

func parseRecord(line []byte) (*Record, error) {
	r := &Record{}
	if err := json.Unmarshal(line, r); err != nil {
		return nil, err
	}
	if r.Hash == "" || len(r.Fields) == 0 || len(r.Report) == 0 {
		return nil, fmt.Errorf("missing hash, fields or report")
	}
	r.line = append([]byte(nil), line...)
	return r, nil
}

// appender appends records to one store, one write per line, holding an
// exclusive lock on the file so that two runs never write it at once.
type appender struct {
	f *os.File
}

// openAppender opens (creating) path for appending. A last line without
// its newline (the process was killed while writing it) is cut off with a
// warning, so that the next record starts on a line of its own.
func openAppender(path string, warn io.Writer) (*appender, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: another swatsim explore is writing it (%v)", path, err)
	}
	if err := cutPartialLine(f, path, warn); err != nil {
		f.Close()
		return nil, err
	}
	return &appender{f: f}, nil
}

func cutPartialLine(f *os.File, path string, warn io.Writer) error {
	data, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<62))
	if err != nil || len(data) == 0 || data[len(data)-1] == '\n' {
		return err
	}
	keep := bytes.LastIndexByte(data, '\n') + 1
	fmt.Fprintf(warn, "warning: %s: skipped a malformed record (the last line, %d bytes, has no newline: cut short by a crash); its point runs again\n", path, len(data)-keep)
	return f.Truncate(int64(keep))
}

func (a *appender) write(line []byte) error {
	_, err := a.f.Write(append(line, '\n'))
	return err
}

func (a *appender) close() error { return a.f.Close() }

// LockStore takes the lock of dir's results.jsonl (creating it), as a run
// that appends to it does, and returns its release.
func LockStore(dir string, warn io.Writer) (unlock func(), err error) {
	a, err := openAppender(filepath.Join(dir, ResultsFile), warn)
	if err != nil {
		return nil, err
	}
	return func() { a.close() }, nil
}
