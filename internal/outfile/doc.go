// Package outfile writes a command's output files so that nothing around
// them is damaged: every output is staged in a temporary file and put in
// place only when all of a command's outputs are complete (all or none).
// A regular file is replaced by an atomic rename (keeping its permission
// bits; new files get 0666 less the umask); a character device or a pipe
// (/dev/null, /dev/stdout) is written through, never replaced; anything
// else (a directory, a socket, a block device) is refused. Check tests the
// paths before a long run: two outputs naming one file, or an output that
// is also an input, are errors. Cleanup removes the temporary files of an
// interrupted run.
package outfile
