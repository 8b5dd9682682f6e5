package convert

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/podecs/podecs/convert/ecsjson"
)

// addFixtureSeeds seeds a fuzz target with every Kubernetes fixture of the repository.
func addFixtureSeeds(f *testing.F) {
	files, _ := filepath.Glob("../testdata/fixtures/k8s/*.yaml")
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: Pod, metadata: {name: a}, spec: {containers: [{name: a, image: b}]}}]\n"))
	f.Add([]byte("{\"family\": \"x\", \"containerDefinitions\": []}"))
	f.Add([]byte("a: &a [1]\nb: [*a, *a]\n"))
	f.Add([]byte("---\n---\n# nothing\n"))
}

// convertBytes runs the reader and the converter over one input, as the CLI does.
func convertBytes(data []byte) (Result, []*DocError, error) {
	c := NewConverter(Options{})
	var readErrs []*DocError
	err := ReadDocuments(bytes.NewReader(data), "fuzz.yaml", ReadOptions{MaxDocumentBytes: 1 << 20}, c.Add, func(e *DocError) { readErrs = append(readErrs, e) })
	return c.Finish(), readErrs, err
}

// FuzzReadDocuments: the reader never panics, every document it passes on is valid JSON with a
// 1-based index, and reading is deterministic.
func FuzzReadDocuments(f *testing.F) {
	addFixtureSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		read := func() (docs []Document, errs []string) {
			_ = ReadDocuments(bytes.NewReader(data), "fuzz.yaml", ReadOptions{MaxDocumentBytes: 1 << 20},
				func(d Document) { docs = append(docs, d) }, func(e *DocError) { errs = append(errs, e.Error()) })
			return docs, errs
		}
		docs, errs := read()
		for _, d := range docs {
			if !json.Valid(d.JSON) {
				t.Fatalf("doc %d: invalid JSON passed on", d.Index)
			}
			if d.Index < 1 || d.Format == FormatUnknown && len(d.Findings) == 0 {
				t.Fatalf("doc %+v: bad reference or format", d.DocRef)
			}
		}
		for _, e := range errs {
			if !strings.HasPrefix(e, "fuzz.yaml: doc ") && !strings.HasPrefix(e, "fuzz.yaml: Resources.") {
				t.Fatalf("error without file and document: %s", e)
			}
		}
		docs2, errs2 := read()
		if len(docs) != len(docs2) || strings.Join(errs, "\n") != strings.Join(errs2, "\n") {
			t.Fatal("reading is not deterministic")
		}
	})
}

// FuzzKubernetesToECS: conversion never panics, is deterministic, and every task definition and
// service it produces encodes to JSON that decodes strictly back into the same value.
func FuzzKubernetesToECS(f *testing.F) {
	addFixtureSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		defer func() {
			// A hang guard, not a speed test: any input must finish, whatever it is.
			if el := time.Since(start); el > 10*time.Second {
				t.Fatalf("one input took %s", el)
			}
		}()
		res, _, err := convertBytes(data)
		if err != nil {
			return
		}
		res2, _, _ := convertBytes(data)
		if len(res.Outputs) != len(res2.Outputs) || len(res.Findings) != len(res2.Findings) || len(res.Errors) != len(res2.Errors) {
			t.Fatal("conversion is not deterministic")
		}
		for i, o := range res.Outputs {
			td, err := ecsjson.Marshal(o.TaskDefinition)
			if err != nil {
				t.Fatalf("%s: marshal: %v", o.Name, err)
			}
			td2, _ := ecsjson.Marshal(res2.Outputs[i].TaskDefinition)
			if !bytes.Equal(td, td2) {
				t.Fatalf("%s: output differs between two runs", o.Name)
			}
			var back ecs.RegisterTaskDefinitionInput
			if err := ecsjson.Unmarshal(td, &back); err != nil {
				t.Fatalf("%s: output does not decode strictly: %v\n%s", o.Name, err, td)
			}
			again, _ := ecsjson.Marshal(&back)
			if !bytes.Equal(td, again) {
				t.Fatalf("%s: output does not round-trip through the codec", o.Name)
			}
			if o.Service != nil {
				svc, err := ecsjson.Marshal(o.Service)
				if err != nil {
					t.Fatalf("%s: marshal service: %v", o.Name, err)
				}
				var sback ecs.CreateServiceInput
				if err := ecsjson.Unmarshal(svc, &sback); err != nil {
					t.Fatalf("%s: service does not decode strictly: %v", o.Name, err)
				}
			}
		}
		for _, fd := range res.Findings {
			if fd.Level == "" || fd.Message == "" {
				t.Fatalf("empty finding: %+v", fd)
			}
		}
	})
}
