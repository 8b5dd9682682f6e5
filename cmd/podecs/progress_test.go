package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podecs/podecs/convert"
	"github.com/podecs/podecs/mapping"
)

func TestProgressLine(t *testing.T) {
	tests := []struct {
		name    string
		p       convert.Progress
		elapsed time.Duration
		want    string
	}{
		{"reading, size known", convert.Progress{Documents: 500, Bytes: 2e6, TotalBytes: 8e6}, 2 * time.Second,
			"reading    500 documents  2.0 MB of 8.0 MB  250/s  ETA 6s"},
		{"reading standard input", convert.Progress{Documents: 30}, time.Second,
			"reading    30 documents  30/s"},
		{"reading done", convert.Progress{Documents: 30, Bytes: 10, TotalBytes: 10}, time.Second,
			"reading    30 documents  0.0 MB of 0.0 MB  30/s"},
		{"converting", convert.Progress{Converting: true, Documents: 1000, Workloads: 4000}, 2 * time.Second,
			"converting [#####...............]  1000/4000 workloads  500/s  ETA 6s"},
		{"converting, rounding down the bar", convert.Progress{Converting: true, Documents: 199, Workloads: 200}, time.Second,
			"converting [###################.]  199/200 workloads  199/s  ETA 0s"},
		{"converted", convert.Progress{Converting: true, Documents: 200, Workloads: 200}, time.Second,
			"converting [####################]  200/200 workloads  200/s"},
		{"nothing to convert", convert.Progress{Converting: true}, 0,
			"converting [....................]  0/0 workloads  0/s"},
		{"minutes left", convert.Progress{Converting: true, Documents: 10, Workloads: 1000}, 10 * time.Second,
			"converting [....................]  10/1000 workloads  1/s  ETA 16m30s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, progressLine(tt.p, tt.elapsed))
		})
	}
}

// fakeClock is a clock the test moves.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestProgressBar(t *testing.T) {
	var out bytes.Buffer
	clock := &fakeClock{t: time.Unix(1000, 0)}
	bar := newProgressBar(bufio.NewWriter(&out), true, time.Second, clock.now)
	p := convert.Progress{Converting: true, Documents: 1, Workloads: 10}

	bar.update(p)
	clock.t = clock.t.Add(900 * time.Millisecond)
	bar.update(p)
	assert.Empty(t, out.String(), "nothing during the first second")

	clock.t = clock.t.Add(200 * time.Millisecond)
	p.Documents = 5
	bar.update(p)
	first := "\rconverting [##########..........]  5/10 workloads  5/s  ETA 1s"
	assert.Equal(t, first, out.String(), "the phase began at the first update")

	clock.t = clock.t.Add(50 * time.Millisecond)
	p.Documents = 6
	bar.update(p)
	assert.Equal(t, first, out.String(), "at most one redraw every 100 ms")

	clock.t = clock.t.Add(100 * time.Millisecond)
	p.Documents = 10
	bar.update(p)
	second := "\rconverting [####################]  10/10 workloads  8/s"
	assert.Equal(t, first+second+strings.Repeat(" ", len(first)-len(second)), out.String(), "a shorter line blanks the rest of the longer one")

	out.Reset()
	bar.clear()
	assert.Equal(t, "\r"+strings.Repeat(" ", len(second)-1)+"\r", out.String())
	out.Reset()
	bar.clear()
	assert.Empty(t, out.String(), "clearing twice writes nothing")

	off := newProgressBar(bufio.NewWriter(&out), false, 0, clock.now)
	off.update(p)
	off.clear()
	assert.Empty(t, out.String(), "a bar that is off never draws")
}

func finding(path string, level mapping.Level, msg string) convert.Finding {
	return convert.Finding{Doc: convert.DocRef{Source: "a.yaml", Index: 1, Kind: "Deployment", Name: "web"}, Finding: mapping.Finding{Path: path, Level: level, Message: msg}}
}

func TestSummary(t *testing.T) {
	s := newSummary()
	s.progress(convert.Progress{Documents: 7})
	s.progress(convert.Progress{Converting: true, Documents: 2, Workloads: 3})
	out := &convert.Output{Name: "web"}
	s.add(convert.Item{Output: out, Findings: []convert.Finding{
		finding("spec.template.spec.containers[0].env[3].valueFrom", mapping.Lossy, "no ARN for Secret \"a\""),
		finding("spec.template.spec.containers[1].env[0].valueFrom", mapping.Lossy, "no ARN for Secret \"b\""),
		finding(`spec.template.spec.nodeSelector["team"]`, mapping.Info, "custom attribute"),
		finding("spec.template.spec.containers[0].env[3].valueFrom", mapping.Info, "same path, other level"),
	}})
	s.add(convert.Item{Output: out, Findings: []convert.Finding{
		finding("spec.template.spec.containers[2].env[9].valueFrom", mapping.Lossy, "no ARN for Secret \"c\""),
		finding("", mapping.Info, "Service is not a workload podecs converts; skipped"),
		finding("a", mapping.Unsupported, "x"),
		finding("b", mapping.Unsupported, "x"),
	}})
	bad := &convert.DocError{Doc: convert.DocRef{Source: "b.yaml", Index: 2, Kind: "Pod", Name: "p"}, Path: "spec", Err: errors.New("broken")}
	s.add(convert.Item{Findings: []convert.Finding{finding("spec", mapping.Error, "broken")}, Errors: []error{bad}})
	s.add(convert.Item{Manifest: &convert.Manifest{Name: "m"}})
	s.files = 5

	assert.Equal(t, 1, s.failed())
	assert.True(t, s.lossy())
	top := s.top()
	require.Len(t, top, topKinds)
	assert.Equal(t, findingKind{Path: "spec.template.spec.containers[].env[].valueFrom", Level: mapping.Lossy, Count: 3, Example: `no ARN for Secret "a"`}, top[0])
	assert.Equal(t, []string{"spec", "", "spec.template.spec.containers[].env[].valueFrom", "spec.template.spec.nodeSelector[]"},
		[]string{top[1].Path, top[2].Path, top[3].Path, top[4].Path}, "ties by level (error < info), then path")

	var b bytes.Buffer
	s.print(&b, "out")
	want := `summary: 7 documents read; 3 workloads converted, 5 files written to out; 1 failed
findings: 1 error, 2 unsupported, 3 lossy, 3 info
most frequent:
       3 lossy        spec.template.spec.containers[].env[].valueFrom: no ARN for Secret "a"
       1 error        spec: broken
       1 info         Service is not a workload podecs converts; skipped
       1 info         spec.template.spec.containers[].env[].valueFrom: same path, other level
       1 info         spec.template.spec.nodeSelector[]: custom attribute
failed:
  b.yaml: doc 2 Pod/p: spec: broken
`
	assert.Equal(t, want, b.String())

	data, err := json.Marshal(s.json())
	require.NoError(t, err)
	var got map[string]any
	require.NoError(t, json.Unmarshal(data, &got))
	assert.EqualValues(t, 7, got["documents"])
	assert.EqualValues(t, 3, got["converted"])
	assert.EqualValues(t, 5, got["filesWritten"])
	assert.Equal(t, map[string]any{"error": 1.0, "unsupported": 2.0, "lossy": 3.0, "info": 3.0}, got["findings"])
	assert.Len(t, got["topFindings"], topKinds)
	assert.Equal(t, []any{map[string]any{"file": "b.yaml", "document": 2.0, "kind": "Pod", "name": "p", "path": "spec", "level": "error", "message": "broken"}}, got["failures"])
}

func TestSummaryFailuresCapped(t *testing.T) {
	s := newSummary()
	for i := range maxFailuresPrinted + 3 {
		s.add(convert.Item{Errors: []error{&convert.DocError{Doc: convert.DocRef{Source: "x.yaml", Index: i + 1}, Err: errors.New("bad")}}})
	}
	var b bytes.Buffer
	s.print(&b, "")
	assert.Contains(t, b.String(), "files written to standard output; 23 failed")
	assert.Equal(t, maxFailuresPrinted, strings.Count(b.String(), ": bad\n"))
	assert.Contains(t, b.String(), "  … and 3 more (see --report)\n")
	assert.Len(t, s.json().Failures, maxFailuresPrinted+3, "the report lists them all")
}

func TestTruncate(t *testing.T) {
	assert.Equal(t, "abc", truncate("abc", 3))
	assert.Equal(t, "ab…", truncate("abcd", 3))
	assert.Equal(t, "—é…", truncate("—éèà", 3), "runes, not bytes")
}
