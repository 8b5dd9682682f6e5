package convert

import (
	"errors"
	"fmt"
	"io"
	"runtime"

	"github.com/podecs/podecs/mapping"
)

// Input is one input of a batch: a file, or standard input.
type Input struct {
	// Name is what findings call it: the path, or "<stdin>".
	Name string
	// Size is its length in bytes when known (for progress), else 0.
	Size int64
	// Open opens it. A batch opens and reads each input once, in order.
	Open func() (io.ReadCloser, error)
	// Read, when set, gives the input's documents itself instead of Open: a Terraform module, an
	// ecspresso project, a Jsonnet file (ReadTerraform, ReadEcspresso, ReadJsonnet). An error it
	// returns is reported as the input's and the batch goes on.
	Read func(fn func(Document), onErr func(*DocError)) error
}

// BatchOptions control a batch conversion.
type BatchOptions struct {
	Options
	Read ReadOptions
	// MaxInputBytes bounds the bytes read over all inputs (0: DefaultMaxInputBytes).
	MaxInputBytes int64
	// Jobs is how many documents are decoded and converted at once (0: GOMAXPROCS).
	Jobs int
	// Spool keeps the workload documents between the two passes (nil: in memory).
	Spool Spool
	// Check, if set, sees every document read in the first pass; an error stops the batch before
	// anything is converted (the CLI refuses an output format that does not apply to a document).
	Check func(Document) error
}

// Item is what a batch gives for one document, or for the ECS → Kubernetes conversions, which
// come last. Items are handed over in input order.
type Item struct {
	Doc      DocRef
	Findings []Finding
	// Errors are the reasons the document gives no output (each a *DocError).
	Errors []error
	// Output is the ECS side of a converted Kubernetes workload; Manifest the Kubernetes side of
	// a converted ECS task definition. Files are what they render, in output order.
	Output   *Output
	Manifest *Manifest
	Files    []File
}

// Progress says how far a batch is.
type Progress struct {
	// Converting is false during the first pass (reading and indexing every document) and true
	// during the second (converting the workloads).
	Converting bool
	// Documents are the documents read so far (first pass) or the workloads converted (second).
	Documents int
	// Workloads are the workloads to convert, known once the first pass is over.
	Workloads int
	// Bytes and TotalBytes are the input bytes read and the size of all inputs (0 when unknown).
	Bytes, TotalBytes int64
}

// BatchHandler receives what a batch gives, from one goroutine.
type BatchHandler struct {
	// Item is called for each item in input order; an error stops the batch and is returned.
	Item func(Item) error
	// Progress, if set, is called after each document.
	Progress func(Progress)
}

// Batch converts the inputs in two passes with flat memory. The first pass reads every input once,
// in order, document by document: it indexes the objects workloads refer to (ConfigMaps, Secrets'
// key names, ServiceAccounts, claims, …), keeps the ECS documents, reports what it skips, and
// spools each Kubernetes workload as JSON. The second pass converts the spooled workloads on Jobs
// goroutines, with every reference resolvable across the whole batch, and hands the items over in
// input order, so the result does not depend on Jobs. The ECS → Kubernetes conversions come last.
// Items and findings are the same as those of a Converter given every document and then Finish;
// only an error that stops the whole batch (an input that cannot be read, the total size limit, a
// failing handler) is returned.
func Batch(inputs []Input, o BatchOptions, h BatchHandler) error {
	b := &batch{c: NewConverter(o.Options), o: o, h: h, meter: &inputMeter{limit: o.MaxInputBytes}}
	if b.meter.limit <= 0 {
		b.meter.limit = DefaultMaxInputBytes
	}
	if b.o.Jobs <= 0 {
		b.o.Jobs = runtime.GOMAXPROCS(0)
	}
	spool := o.Spool
	if spool == nil {
		spool = &memorySpool{}
	}
	for _, in := range inputs {
		b.progress.TotalBytes += in.Size
	}
	if err := b.index(inputs, newSpoolWriter(spool)); err != nil {
		return err
	}
	r, err := spool.Rewind()
	if err != nil {
		return fmt.Errorf("batch spool: %w", err)
	}
	if err := b.convert(newSpoolReader(r)); err != nil {
		return err
	}
	return b.finish()
}

type batch struct {
	c        *Converter
	o        BatchOptions
	h        BatchHandler
	meter    *inputMeter
	progress Progress
}

// The window of documents in flight, per worker, and the bytes they may hold together.
const (
	windowPerJob = 8
	windowBytes  = 16 << 20
)

// docEvent is a document decoded from the input, or the error that stops one.
type docEvent struct {
	doc Document
	err *DocError
}

// index is the first pass: decode every document (on Jobs goroutines), index it or spool it.
func (b *batch) index(inputs []Input, sw *spoolWriter) error {
	p := pipeline[rawDoc, []docEvent]{
		workers: b.o.Jobs, window: windowPerJob * b.o.Jobs, budget: windowBytes,
		work: b.decode,
		take: func(evs []docEvent) error { return b.indexEvents(evs, sw) },
	}
	err := p.run(func(send func(rawDoc, int64) bool) error {
		for _, in := range inputs {
			if err := b.split(in, send); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := sw.flush(); err != nil {
		return fmt.Errorf("batch spool: %w", err)
	}
	return nil
}

// split cuts one input into documents and sends them; it stops early when send says so.
func (b *batch) split(in Input, send func(rawDoc, int64) bool) error {
	if in.Read != nil {
		var evs []docEvent
		err := in.Read(func(d Document) { evs = append(evs, docEvent{doc: d}) }, func(e *DocError) { evs = append(evs, docEvent{err: e}) })
		if err != nil {
			evs = append(evs, docEvent{err: &DocError{Doc: DocRef{Source: in.Name}, Err: err}})
		}
		for _, e := range evs {
			if !send(rawDoc{events: []docEvent{e}}, int64(len(e.doc.JSON))) {
				return nil
			}
		}
		return nil
	}
	rc, err := in.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	s := newDocSplitter(b.meter.reader(rc), in.Name, b.o.Read.MaxDocumentBytes)
	for {
		d, err := s.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if !send(d, int64(len(d.raw))) {
			return nil
		}
	}
}

// decode turns one document into the documents it holds (several for a List) and its errors.
func (b *batch) decode(d rawDoc) []docEvent {
	if d.events != nil {
		return d.events
	}
	if d.raw == nil {
		return []docEvent{{err: &DocError{Doc: d.ref, Err: fmt.Errorf("document is %d bytes, over the limit of %d (see --max-document-size)", d.size, docLimit(b.o.Read))}}}
	}
	var evs []docEvent
	decodeDocument(d.raw, d.ref, &b.o.Read.Sources, func(doc Document) { evs = append(evs, docEvent{doc: doc}) },
		func(e *DocError) { evs = append(evs, docEvent{err: e}) })
	return evs
}

// docLimit is the document size limit in force.
func docLimit(o ReadOptions) int {
	if o.MaxDocumentBytes <= 0 {
		return DefaultMaxDocumentBytes
	}
	return o.MaxDocumentBytes
}

// indexEvents takes the documents of the first pass in input order: workloads are spooled, the
// rest goes to the converter, whose findings and errors are handed over at once.
func (b *batch) indexEvents(evs []docEvent, sw *spoolWriter) error {
	for _, e := range evs {
		ref := e.doc.DocRef
		switch {
		case e.err != nil:
			ref = e.err.Doc
			b.c.AddError(e.err)
		case b.o.Check != nil && b.o.Check(e.doc) != nil:
			return b.o.Check(e.doc)
		case isWorkload(e.doc):
			b.c.ix.addWorkloadDoc(e.doc)
			if err := sw.put(&e.doc); err != nil {
				return fmt.Errorf("batch spool: %w", err)
			}
			b.progress.Workloads++
		default:
			b.c.Add(e.doc)
		}
		if err := b.drain(ref); err != nil {
			return err
		}
	}
	b.progress.Documents++
	b.progress.Bytes = b.meter.read.Load()
	b.report()
	return nil
}

// isWorkload reports whether Add would keep doc as a workload for Finish: a batch spools those and
// converts them in its second pass.
func isWorkload(doc Document) bool {
	return doc.Format == FormatKubernetes && IsWorkloadKind(doc.Kind)
}

// drain hands over the findings and errors the converter has gathered since the last call.
func (b *batch) drain(ref DocRef) error {
	res := &b.c.res
	if len(res.Findings) == 0 && len(res.Errors) == 0 {
		return nil
	}
	it := Item{Doc: ref, Findings: res.Findings, Errors: res.Errors}
	res.Findings, res.Errors = nil, nil
	return b.h.Item(it)
}

func (b *batch) report() {
	if b.h.Progress != nil {
		b.h.Progress(b.progress)
	}
}

// converted is what the second pass makes of one workload document.
type converted struct {
	doc  Document
	w    *Workload
	name string
	res  workloadResult
	// files are the rendered output; err stops the document before conversion (decoding).
	files []File
	err   error
}

// convert is the second pass: decode and convert each spooled workload on Jobs goroutines, then,
// in input order, give each ECS name to its first workload and hand the items over.
func (b *batch) convert(sr *spoolReader) error {
	b.progress.Converting, b.progress.Documents = true, 0
	names := nameTable{}
	p := pipeline[Document, converted]{
		workers: b.o.Jobs, window: windowPerJob * b.o.Jobs, budget: windowBytes,
		work: b.convertOne,
		take: func(cv converted) error {
			err := b.h.Item(b.item(cv, names))
			b.progress.Documents++
			b.report()
			return err
		},
	}
	return p.run(func(send func(Document, int64) bool) error {
		for {
			d, err := sr.next()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if !send(d, int64(len(d.JSON))) {
				return nil
			}
		}
	})
}

// convertOne decodes and converts one workload and renders its files. It runs on several
// goroutines: it only reads the converter.
func (b *batch) convertOne(doc Document) converted {
	cv := converted{doc: doc}
	w, fs, err := b.c.ix.AddObject(doc)
	if err == nil && w == nil {
		err = fmt.Errorf("%s is not a workload", doc.Kind)
	}
	if err != nil {
		cv.err = docErr(doc.DocRef, err)
		return cv
	}
	cv.w = w
	cv.name, _ = mapping.ECSName(w.Meta.Name)
	cv.res = b.c.convertWorkload(w, cv.name, fs)
	if cv.res.out != nil {
		files, err := cv.res.out.Files()
		if err != nil {
			cv.res.err = docErr(cv.res.out.Doc, err)
			cv.res.out = nil
		} else {
			cv.files = files
		}
	}
	return cv
}

// item makes the item of one converted workload; a workload whose ECS name is taken gives only
// the error, as in Finish.
func (b *batch) item(cv converted, names nameTable) Item {
	if cv.err != nil {
		return Item{Doc: cv.doc.DocRef, Errors: []error{cv.err}}
	}
	if err := names.claim(cv.name, cv.w.Ref); err != nil {
		return Item{Doc: cv.w.Ref, Errors: []error{err}}
	}
	it := Item{Doc: cv.w.Ref, Findings: cv.res.findings, Output: cv.res.out, Files: cv.files}
	if cv.res.out != nil {
		it.Doc = cv.res.out.Doc
	}
	if cv.res.err != nil {
		it.Errors = []error{cv.res.err}
	}
	return it
}

// finish does what Finish does after the workloads, and converts the ECS documents of the batch
// to Kubernetes: the findings and errors first, then one item per manifest.
func (b *batch) finish() error {
	b.c.afterWorkloads()
	if err := b.drain(DocRef{}); err != nil {
		return err
	}
	for i := range b.c.res.Manifests {
		m := &b.c.res.Manifests[i]
		it := Item{Doc: m.Doc, Manifest: m}
		files, err := m.Files()
		if err != nil {
			it.Manifest, it.Errors = nil, []error{docErr(m.Doc, err)}
		} else {
			it.Files = files
		}
		if err := b.h.Item(it); err != nil {
			return err
		}
	}
	return nil
}
