package convert

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
)

// DefaultMaxInputBytes bounds the bytes a batch reads over all its inputs: far above any real
// repository of manifests, low enough that a runaway generator or a wrong path fails fast.
const DefaultMaxInputBytes = 1 << 30

// rawDoc is one document cut from an input: its bytes, or only its size when it is over the
// document size limit (its bytes are then never kept).
type rawDoc struct {
	ref  DocRef
	raw  []byte
	size int
	// events are the documents of an input that reads itself (Input.Read).
	events []docEvent
}

// docSplitter cuts a stream into documents exactly as ReadDocuments does (the same separators,
// the same document numbers, the same line endings), but keeps at most the size limit of one
// document in memory: the rest of a larger document is read and counted, not kept.
type docSplitter struct {
	r      *bufio.Reader
	source string
	limit  int
	index  int
	buf    []byte
	line   []byte
	sep    sepScan
}

func newDocSplitter(r io.Reader, source string, limit int) *docSplitter {
	if limit <= 0 {
		limit = DefaultMaxDocumentBytes
	}
	return &docSplitter{r: bufio.NewReaderSize(r, 64<<10), source: source, limit: limit}
}

// next returns the next document that is not blank, or io.EOF after the last one. Any other
// error means the stream cannot be read on; it names the source and the document.
func (s *docSplitter) next() (rawDoc, error) {
	for {
		raw, size, err := s.read()
		if errors.Is(err, io.EOF) {
			return rawDoc{}, io.EOF
		}
		s.index++
		if err != nil {
			return rawDoc{}, fmt.Errorf("%s: doc %d: %w", s.source, s.index, err)
		}
		ref := DocRef{Source: s.source, Index: s.index}
		if size > s.limit {
			return rawDoc{ref: ref, size: size}, nil
		}
		if !isBlankYAML(raw) {
			// The buffer is reused: the document gets its own copy.
			return rawDoc{ref: ref, raw: bytes.Clone(raw), size: size}, nil
		}
		s.index-- // a stray separator or comment-only block is not a document
	}
}

// read returns the next document's bytes (nil when over the limit) and its size. It follows the
// Kubernetes YAML reader: a line starting with "---" ends a document unless the document is still
// empty, in which case the separator line is kept in it.
func (s *docSplitter) read() ([]byte, int, error) {
	s.buf = s.buf[:0]
	size, over := 0, false
	for {
		n, err := s.readLine()
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, 0, err
		}
		if s.sep.active {
			// Only spaces and a comment may follow a separator.
			if s.sep.found && s.sep.first != '#' {
				return nil, 0, fmt.Errorf("invalid Yaml document separator: %s", s.separatorRest(n))
			}
			if size != 0 {
				return s.kept(over), size, nil
			}
			if err != nil {
				return nil, 0, err
			}
		}
		if err != nil {
			if size != 0 {
				return s.kept(over), size, nil
			}
			return nil, 0, err
		}
		size += n
		if !over && size <= s.limit {
			s.buf = append(s.buf, s.line...)
		} else if !over {
			over, s.buf = true, nil
		}
	}
}

func (s *docSplitter) kept(over bool) []byte {
	if over {
		return nil
	}
	return s.buf
}

// separatorRest is what follows the dashes of a bad separator line, for the error; the part of a
// line over the limit that was not kept is left out.
func (s *docSplitter) separatorRest(n int) string {
	rest := strings.TrimSpace(string(s.line[min(3, len(s.line)):]))
	if n > len(s.line) {
		rest += "…"
	}
	return rest
}

// readLine reads one line into s.line, its line ending made "\n" as bufio.Reader.ReadLine and the
// Kubernetes line reader make it, and returns its full length. Of a line over the limit only the
// start is kept; s.sep still follows all of it.
func (s *docSplitter) readLine() (n int, err error) {
	s.line = s.line[:0]
	s.sep = sepScan{}
	for {
		chunk, isPrefix, err := s.r.ReadLine()
		if keep := s.limit + 1 - len(s.line); keep > 0 {
			s.line = append(s.line, chunk[:min(keep, len(chunk))]...)
		}
		if n == 0 && bytes.HasPrefix(chunk, []byte("---")) {
			s.sep.active = true
			s.sep.feed(chunk[3:])
		} else {
			s.sep.feed(chunk)
		}
		n += len(chunk)
		if !isPrefix || err != nil {
			s.sep.end()
			s.line = append(s.line, '\n')
			return n + 1, err
		}
	}
}

// sepScan follows a line that starts with "---": the first rune after the dashes that is not
// white space (as strings.TrimSpace sees it) says whether the line is a separator, a separator
// with a comment, or an error.
type sepScan struct {
	active, found bool
	first         rune
	// carry is the start of a rune cut by the end of a chunk.
	carry []byte
}

func (sc *sepScan) feed(b []byte) {
	if !sc.active || sc.found {
		return
	}
	if len(sc.carry) > 0 {
		b, sc.carry = append(sc.carry, b...), nil
	}
	for len(b) > 0 {
		if !utf8.FullRune(b) {
			sc.carry = append([]byte(nil), b...)
			return
		}
		r, size := utf8.DecodeRune(b)
		if !unicode.IsSpace(r) {
			sc.found, sc.first = true, r
			return
		}
		b = b[size:]
	}
}

// end is called at the end of the line: a rune left incomplete is not white space.
func (sc *sepScan) end() {
	if sc.active && !sc.found && len(sc.carry) > 0 {
		sc.found, sc.first = true, utf8.RuneError
	}
}

// inputMeter counts the bytes read over all the inputs of a batch and stops at the limit.
type inputMeter struct {
	read  atomic.Int64
	limit int64
}

// inputLimitError is the error of a batch whose inputs are over the total size limit.
type inputLimitError struct{ limit int64 }

func (e *inputLimitError) Error() string {
	return fmt.Sprintf("the inputs are over the limit of %d bytes in total (see --max-input-size)", e.limit)
}

// reader wraps one input. Past the limit its reads fail, which ends the batch with an error that
// names the input and the document where the limit was crossed.
func (m *inputMeter) reader(r io.Reader) io.Reader { return &meteredReader{m: m, r: r} }

type meteredReader struct {
	m *inputMeter
	r io.Reader
}

func (mr *meteredReader) Read(p []byte) (int, error) {
	left := mr.m.limit - mr.m.read.Load()
	if left < 0 {
		return 0, mr.err()
	}
	if int64(len(p)) > left+1 {
		p = p[:left+1] // one byte past the limit is enough to know it is crossed
	}
	n, err := mr.r.Read(p)
	if mr.m.read.Add(int64(n)) > mr.m.limit {
		return n, mr.err()
	}
	return n, err
}

func (mr *meteredReader) err() error { return &inputLimitError{limit: mr.m.limit} }
