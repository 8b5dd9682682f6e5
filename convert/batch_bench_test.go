package convert

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/podecs/podecs/internal/corpusgen"
)

// benchCorpus is the corpus of the batch benchmark as one stream: Deployments and ConfigMaps.
func benchCorpus(b *testing.B, workloads int) []byte {
	b.Helper()
	var buf bytes.Buffer
	if _, err := corpusgen.Write(&buf, corpusgen.Options{Workloads: workloads, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func readDocs(b *testing.B, data []byte) []Document {
	b.Helper()
	var docs []Document
	err := ReadDocuments(bytes.NewReader(data), "bench.yaml", ReadOptions{}, func(d Document) { docs = append(docs, d) }, func(e *DocError) { b.Fatal(e) })
	if err != nil {
		b.Fatal(err)
	}
	return docs
}

// BenchmarkDecode reads YAML documents and decodes each into its typed Kubernetes object.
func BenchmarkDecode(b *testing.B) {
	data := benchCorpus(b, 50)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		ix := NewIndex()
		err := ReadDocuments(bytes.NewReader(data), "bench.yaml", ReadOptions{}, func(d Document) {
			if _, _, err := ix.AddObject(d); err != nil {
				b.Fatal(err)
			}
		}, func(e *DocError) { b.Fatal(e) })
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkForward converts one decoded Deployment (with its ConfigMap indexed) to a task
// definition and a service.
func BenchmarkForward(b *testing.B) {
	docs := readDocs(b, benchCorpus(b, 1))
	c := NewConverter(Options{})
	c.Add(docs[1]) // the ConfigMap
	w, fs, err := c.ix.AddObject(docs[0])
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if r := c.convertWorkload(w, "app-00000", fs); r.err != nil {
			b.Fatal(r.err)
		}
	}
}

// BenchmarkReverse converts an ECS task definition and the service that runs it to Kubernetes.
func BenchmarkReverse(b *testing.B) {
	var docs []Document
	for _, f := range []string{"../testdata/fixtures/ecs/billing.taskdef.json", "../testdata/fixtures/ecs/billing.services.json"} {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, readDocs(b, data)...)
	}
	b.ReportAllocs()
	for b.Loop() {
		c := NewConverter(Options{})
		for _, d := range docs {
			c.Add(d)
		}
		if res := c.Finish(); len(res.Manifests) != 1 {
			b.Fatal(res.Errors)
		}
	}
}

// BenchmarkRender encodes what one Deployment becomes: the task definition and service JSON.
func BenchmarkRender(b *testing.B) {
	docs := readDocs(b, benchCorpus(b, 1))
	c := NewConverter(Options{})
	w, fs, err := c.ix.AddObject(docs[0])
	if err != nil {
		b.Fatal(err)
	}
	r := c.convertWorkload(w, "app-00000", fs)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.out.Files(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBatch runs both passes of a batch over the corpus, files rendered but not written.
func BenchmarkBatch(b *testing.B) {
	data := string(benchCorpus(b, 200))
	ins := memInputs("bench.yaml", data)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		files := 0
		err := Batch(ins, BatchOptions{}, BatchHandler{Item: func(it Item) error {
			files += len(it.Files)
			return nil
		}})
		if err != nil || files != 400 {
			b.Fatal(err, files)
		}
	}
	b.ReportMetric(float64(strings.Count(data, "\nkind: "))*float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}
