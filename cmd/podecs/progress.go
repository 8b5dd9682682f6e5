package main

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/podecs/podecs/convert"
	"github.com/podecs/podecs/mapping"
)

// progressBar draws one line on a terminal, redrawn in place with \r and cleared before anything
// else is printed: documents done and to do, the rate and the time left. It shows only once a run
// has gone on for delay, and redraws at most every redrawEvery.
type progressBar struct {
	w          *bufio.Writer
	on         bool
	delay      time.Duration
	now        func() time.Time
	start      time.Time
	phaseStart time.Time
	converting bool
	last       time.Time
	// shown is the length of the line on screen (0: none).
	shown int
}

const redrawEvery = 100 * time.Millisecond

func newProgressBar(w *bufio.Writer, on bool, delay time.Duration, now func() time.Time) *progressBar {
	t := now()
	return &progressBar{w: w, on: on, delay: delay, now: now, start: t, phaseStart: t}
}

func (p *progressBar) update(pr convert.Progress) {
	if !p.on {
		return
	}
	t := p.now()
	if pr.Converting != p.converting {
		p.converting, p.phaseStart = pr.Converting, t
	}
	if t.Sub(p.start) < p.delay || (p.shown > 0 && t.Sub(p.last) < redrawEvery) {
		return
	}
	p.last = t
	line := progressLine(pr, t.Sub(p.phaseStart))
	pad := p.shown - utf8.RuneCountInString(line)
	p.w.WriteString("\r" + line)
	if pad > 0 {
		p.w.WriteString(strings.Repeat(" ", pad))
	}
	p.shown = utf8.RuneCountInString(line)
	_ = p.w.Flush()
}

// clear removes the bar from the screen, if it is there.
func (p *progressBar) clear() {
	if p.shown == 0 {
		return
	}
	p.w.WriteString("\r" + strings.Repeat(" ", p.shown) + "\r")
	p.shown = 0
	_ = p.w.Flush()
}

// progressLine renders the state of a batch, e.g.
// "converting [########............]  1234/4000 workloads  2468/s  ETA 1s".
func progressLine(pr convert.Progress, elapsed time.Duration) string {
	secs := elapsed.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(pr.Documents) / secs
	}
	if !pr.Converting {
		line := fmt.Sprintf("reading    %d documents", pr.Documents)
		if pr.TotalBytes > 0 {
			line += fmt.Sprintf("  %s of %s", megabytes(pr.Bytes), megabytes(pr.TotalBytes))
		}
		line += fmt.Sprintf("  %.0f/s", rate)
		if pr.TotalBytes > 0 && pr.Bytes > 0 && pr.Bytes < pr.TotalBytes {
			left := time.Duration(float64(elapsed) * float64(pr.TotalBytes-pr.Bytes) / float64(pr.Bytes))
			line += "  ETA " + eta(left)
		}
		return line
	}
	const width = 20
	done := 0
	if pr.Workloads > 0 {
		done = min(width*pr.Documents/pr.Workloads, width)
	}
	line := fmt.Sprintf("converting [%s%s]  %d/%d workloads  %.0f/s", strings.Repeat("#", done), strings.Repeat(".", width-done), pr.Documents, pr.Workloads, rate)
	if rate > 0 && pr.Documents < pr.Workloads {
		line += "  ETA " + eta(time.Duration(float64(pr.Workloads-pr.Documents)/rate*float64(time.Second)))
	}
	return line
}

func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

func eta(d time.Duration) string { return d.Round(time.Second).String() }

// summary counts what a run converted, wrote and reported.
type summary struct {
	documents        int
	converted, files int
	levels           map[mapping.Level]int
	kinds            map[findingKey]*findingKind
	failures         []reportEntry
}

// findingKey groups findings of one rule: the path with its list indexes and map keys stripped
// (containers[0].env[3] and containers[1].env[0] are one kind) and the level.
type findingKey struct {
	path  string
	level mapping.Level
}

// findingKind is one group of findings in the summary, with the first message as an example.
type findingKind struct {
	Path    string        `json:"path"`
	Level   mapping.Level `json:"level"`
	Count   int           `json:"count"`
	Example string        `json:"example"`
}

// topKinds is how many finding kinds the summary lists.
const topKinds = 5

func newSummary() *summary {
	return &summary{levels: map[mapping.Level]int{}, kinds: map[findingKey]*findingKind{}}
}

func (s *summary) progress(p convert.Progress) {
	if !p.Converting {
		s.documents = p.Documents
	}
}

func (s *summary) add(it convert.Item) {
	for _, f := range it.Findings {
		s.levels[f.Level]++
		key := findingKey{mapping.NormalizePath(f.Path), f.Level}
		k := s.kinds[key]
		if k == nil {
			k = &findingKind{Path: key.path, Level: f.Level, Example: f.Message}
			s.kinds[key] = k
		}
		k.Count++
	}
	for _, e := range it.Errors {
		s.failures = append(s.failures, errorEntry(e))
	}
	if (it.Output != nil || it.Manifest != nil) && len(it.Errors) == 0 {
		s.converted++
	}
}

func (s *summary) failed() int { return len(s.failures) }

func (s *summary) lossy() bool { return s.levels[mapping.Lossy]+s.levels[mapping.Unsupported] > 0 }

// top returns the most frequent finding kinds, most frequent first.
func (s *summary) top() []findingKind {
	all := make([]findingKind, 0, len(s.kinds))
	for _, k := range s.kinds {
		all = append(all, *k)
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.Level != b.Level {
			return a.Level < b.Level
		}
		return a.Path < b.Path
	})
	return all[:min(len(all), topKinds)]
}

// levelOrder lists the levels from fatal to harmless, as the summary prints them.
var levelOrder = []mapping.Level{mapping.Error, mapping.Unsupported, mapping.Lossy, mapping.Info}

// maxFailuresPrinted bounds the failures listed on standard error; the report has them all.
const maxFailuresPrinted = 20

// print writes the summary for a person, e.g.
//
//	summary: 4000 documents read; 2000 workloads converted, 4000 files written to out; 1 failed
//	findings: 0 error, 2000 unsupported, 14000 lossy, 16000 info
//	most frequent:
//	   4000 lossy        spec.template.spec.containers[].env[].valueFrom.secretKeyRef: no ARN …
//	failed:
//	  app.yaml: doc 2 Deployment/web: spec.replicas: …
func (s *summary) print(w io.Writer, outDir string) {
	where := "written to standard output"
	if outDir != "" {
		where = "written to " + outDir
	}
	fmt.Fprintf(w, "summary: %d documents read; %d workloads converted, %d files %s; %d failed\n", s.documents, s.converted, s.files, where, len(s.failures))
	var levels []string
	for _, l := range levelOrder {
		levels = append(levels, fmt.Sprintf("%d %s", s.levels[l], l))
	}
	fmt.Fprintf(w, "findings: %s\n", strings.Join(levels, ", "))
	if top := s.top(); len(top) > 0 {
		fmt.Fprintln(w, "most frequent:")
		for _, k := range top {
			what := k.Example
			if k.Path != "" {
				what = k.Path + ": " + k.Example
			}
			fmt.Fprintf(w, "  %6d %-12s %s\n", k.Count, k.Level, truncate(what, 160))
		}
	}
	if len(s.failures) > 0 {
		fmt.Fprintln(w, "failed:")
		for i, f := range s.failures {
			if i == maxFailuresPrinted {
				fmt.Fprintf(w, "  … and %d more (see --report)\n", len(s.failures)-i)
				break
			}
			fmt.Fprintf(w, "  %s\n", failureLine(f))
		}
	}
}

func failureLine(f reportEntry) string {
	ref := convert.DocRef{Source: f.File, Index: f.Document, Item: f.Item, Resource: f.Resource, Kind: f.Kind, Name: f.Name}
	if f.Path != "" {
		return fmt.Sprintf("%s: %s: %s", ref, f.Path, f.Message)
	}
	return fmt.Sprintf("%s: %s", ref, f.Message)
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// summaryJSON is the summary in the --report JSON.
type summaryJSON struct {
	Documents    int                   `json:"documents"`
	Converted    int                   `json:"converted"`
	FilesWritten int                   `json:"filesWritten"`
	Findings     map[mapping.Level]int `json:"findings"`
	TopFindings  []findingKind         `json:"topFindings"`
	Failures     []reportEntry         `json:"failures"`
}

func (s *summary) json() summaryJSON {
	out := summaryJSON{Documents: s.documents, Converted: s.converted, FilesWritten: s.files,
		Findings: map[mapping.Level]int{}, TopFindings: s.top(), Failures: s.failures}
	for _, l := range levelOrder {
		out.Findings[l] = s.levels[l]
	}
	if out.Failures == nil {
		out.Failures = []reportEntry{}
	}
	return out
}
