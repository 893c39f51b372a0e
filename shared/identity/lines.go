package identity

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
)

// lineFile is what AppendLine needs of an *os.File opened O_RDWR|O_APPEND (tests wrap
// one to cut a write short, as a full disk does).
type lineFile interface {
	io.Writer
	io.ReaderAt
	Stat() (os.FileInfo, error)
	Truncate(size int64) error
}

// ErrPartialWrite reports an append that stopped short (ENOSPC, EDQUOT, EFBIG, EIO);
// the bytes it wrote have been removed again.
var ErrPartialWrite = errors.New("append stopped short")

// AppendLine appends line (which ends in '\n') to f whole or not at all: when the write
// stops short — a full disk writes part of it, then fails — the file is truncated back
// to its size before, and the error says so. A file whose last line is partial (left
// by a crash, or by an older version on a full disk) first gets the '\n' that ends it,
// so the new line is not glued to the fragment and lost with it.
//
// The caller serializes appends to one file (a mutex, one process): the size read
// before the write is the size to return to.
func AppendLine(f lineFile, line []byte) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	size := fi.Size()
	out := line
	if size > 0 {
		var last [1]byte
		if _, err := f.ReadAt(last[:], size-1); err != nil {
			return err
		}
		if last[0] != '\n' {
			out = append([]byte{'\n'}, line...)
		}
	}
	n, err := f.Write(out)
	if err == nil && n == len(out) {
		return nil
	}
	if err == nil {
		err = io.ErrShortWrite
	}
	if n > 0 {
		if terr := f.Truncate(size); terr != nil {
			return fmt.Errorf("%w after %d of %d bytes (%w), and truncating back failed: %w", ErrPartialWrite, n, len(out), err, terr)
		}
	}
	return fmt.Errorf("%w after %d of %d bytes, undone: %w", ErrPartialWrite, n, len(out), err)
}

// openLines opens a JSON-lines file for AppendLine: created 0600, appended to, and
// readable (AppendLine reads the last byte).
func openLines(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_RDWR, 0o600)
}

// ScanLines calls fn with each complete line of r, without its '\n'. A last line
// without its '\n' — cut short by a crash, or by an older version on a full disk — is
// not a record and is skipped.
func ScanLines(r io.Reader, fn func(line []byte)) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		switch {
		case err == nil:
			fn(line[:len(line)-1])
		case errors.Is(err, io.EOF):
			return nil
		default:
			return err
		}
	}
}
