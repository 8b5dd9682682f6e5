package convert

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Spool keeps the workload documents of a batch between its two passes, as JSON, so that every
// input is read and parsed once and memory does not grow with the number of documents. The CLI
// backs it with a temporary file.
type Spool interface {
	io.Writer
	// Rewind returns a reader of everything written, from the start. It is called once, after the
	// last write.
	Rewind() (io.Reader, error)
}

// memorySpool keeps the documents in memory, for callers that do not give a Spool.
type memorySpool struct{ bytes.Buffer }

func (m *memorySpool) Rewind() (io.Reader, error) { return &m.Buffer, nil }

// spoolWriter writes documents as records: each field a uvarint length (or value) and its bytes.
type spoolWriter struct {
	w   *bufio.Writer
	tmp []byte
}

func newSpoolWriter(s Spool) *spoolWriter {
	return &spoolWriter{w: bufio.NewWriterSize(s, 256<<10)}
}

func (sw *spoolWriter) put(d *Document) error {
	b := sw.tmp[:0]
	for _, n := range []int{d.Index, d.Item, int(d.Format)} {
		b = binary.AppendUvarint(b, uint64(n))
	}
	for _, s := range []string{d.Source, d.Kind, d.Name, d.APIVersion, d.Namespace} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendUvarint(b, uint64(len(d.JSON)))
	sw.tmp = b
	if _, err := sw.w.Write(b); err != nil {
		return err
	}
	_, err := sw.w.Write(d.JSON)
	return err
}

func (sw *spoolWriter) flush() error { return sw.w.Flush() }

// spoolReader reads back what spoolWriter wrote.
type spoolReader struct {
	r *bufio.Reader
	// last are the previous document's strings: repeated sources, kinds and API versions share
	// one copy.
	last [5]string
}

func newSpoolReader(r io.Reader) *spoolReader {
	return &spoolReader{r: bufio.NewReaderSize(r, 256<<10)}
}

// next returns the next document, or io.EOF after the last one.
func (sr *spoolReader) next() (Document, error) {
	var d Document
	var nums [3]uint64
	for i := range nums {
		n, err := binary.ReadUvarint(sr.r)
		if err != nil {
			if i == 0 && errors.Is(err, io.EOF) {
				return d, io.EOF
			}
			return d, sr.corrupt(err)
		}
		nums[i] = n
	}
	d.Index, d.Item, d.Format = int(nums[0]), int(nums[1]), Format(nums[2])
	for i, s := range []*string{&d.Source, &d.Kind, &d.Name, &d.APIVersion, &d.Namespace} {
		b, err := sr.bytes()
		if err != nil {
			return d, err
		}
		if string(b) != sr.last[i] {
			sr.last[i] = string(b)
		}
		*s = sr.last[i]
	}
	js, err := sr.bytes()
	if err != nil {
		return d, err
	}
	d.JSON = js
	return d, nil
}

func (sr *spoolReader) bytes() ([]byte, error) {
	n, err := binary.ReadUvarint(sr.r)
	if err != nil {
		return nil, sr.corrupt(err)
	}
	if n > 1<<40 {
		return nil, sr.corrupt(errors.New("length out of range"))
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(sr.r, b); err != nil {
		return nil, sr.corrupt(err)
	}
	return b, nil
}

func (sr *spoolReader) corrupt(err error) error {
	return fmt.Errorf("the temporary spool of the batch is damaged: %w", err)
}
