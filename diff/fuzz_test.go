package diff

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/podecs/podecs/convert"
)

func fuzzSide(t *testing.T, data []byte, label string) Side {
	l := NewLoader(convert.Options{})
	_ = convert.ReadDocuments(bytes.NewReader(data), "fuzz.yaml", convert.ReadOptions{MaxDocumentBytes: 1 << 20}, l.Add, func(e *convert.DocError) { l.AddError(e) })
	side, _, _ := l.Finish(label)
	return side
}

// FuzzDiff: loading and comparing never panic, a side compared with itself has no differences,
// and every format renders deterministically.
func FuzzDiff(f *testing.F) {
	for _, pattern := range []string{"../testdata/fixtures/k8s/*.yaml", "../testdata/fixtures/ecs/*.json", "../testdata/fixtures/diff/left/*", "../testdata/fixtures/diff/right/*"} {
		files, _ := filepath.Glob(pattern)
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data, data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, left, right []byte) {
		l, r := fuzzSide(t, left, "left"), fuzzSide(t, right, "right")
		self := Compare(l, fuzzSide(t, left, "again"))
		if self.HasDifferences() {
			t.Fatalf("a side differs from itself: %+v", self.Summary)
		}
		rep := Compare(l, r)
		for _, format := range Formats() {
			var a, b bytes.Buffer
			if err := Render(&a, rep, format, RenderOptions{}); err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			if err := Render(&b, Compare(l, r), format, RenderOptions{}); err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Fatalf("%s: rendering is not deterministic", format)
			}
		}
	})
}
