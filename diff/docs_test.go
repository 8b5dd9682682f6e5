package diff

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docFile holds the examples, one fenced block per format between begin/end markers.
const docFile = "docs/diff.md"

// docExamples renders the examples of docs/diff.md from the fixture comparison: the text report in
// full, the others for a few workloads so that the page stays readable.
func docExamples(t *testing.T, rep Report) map[string]string {
	t.Helper()
	render := func(r Report, f Format) string {
		var b bytes.Buffer
		require.NoError(t, Render(&b, r, f, RenderOptions{}))
		return b.String()
	}
	page := render(subset(rep, "nightly-report"), FormatHTML)
	start, end := strings.Index(page, "<section "), strings.Index(page, "</section>")
	require.True(t, start >= 0 && end > start)
	return map[string]string{
		"text":     render(rep, FormatText),
		"json":     render(subset(rep, "legacy-cron", "nightly-report", "worker"), FormatJSON),
		"markdown": render(subset(rep, "api", "legacy-cron", "metrics-agent", "worker"), FormatMarkdown),
		"html":     page[start:end+len("</section>")] + "\n",
	}
}

// subset keeps the named workloads of a report and counts them again.
func subset(rep Report, names ...string) Report {
	out := Report{Version: rep.Version, Left: rep.Left, Right: rep.Right, Workloads: []WorkloadDiff{}}
	for _, w := range rep.Workloads {
		if !slices.Contains(names, w.Name) {
			continue
		}
		out.Workloads = append(out.Workloads, w)
		out.Summary.Workloads++
		switch w.Status {
		case StatusEqual:
			out.Summary.Equal++
		case StatusDifferent:
			out.Summary.Different++
			out.Summary.Differences += len(w.Differences)
		case StatusOnlyLeft:
			out.Summary.OnlyLeft++
		case StatusOnlyRight:
			out.Summary.OnlyRight++
		}
	}
	return out
}

var exampleBlock = regexp.MustCompile("(?s)(<!-- begin example (\\w+) -->\n```\\w*\n)(.*?)(```\n<!-- end example (\\w+) -->)")

// TestDocExamples fails when an example in docs/diff.md differs from what the code renders now
// (go test ./diff -run TestDocExamples -update rewrites them).
func TestDocExamples(t *testing.T) {
	t.Chdir("..")
	examples := docExamples(t, fixtureReport(t))
	doc, err := os.ReadFile(docFile)
	require.NoError(t, err)
	seen := map[string]bool{}
	got := exampleBlock.ReplaceAllStringFunc(string(doc), func(block string) string {
		m := exampleBlock.FindStringSubmatch(block)
		seen[m[2]] = true
		assert.Equal(t, m[2], m[5], "example markers must pair up")
		return m[1] + examples[m[2]] + m[4]
	})
	for f := range examples {
		assert.True(t, seen[f], "%s has no example block for %s", docFile, f)
	}
	if *update {
		require.NoError(t, os.WriteFile(docFile, []byte(got), 0o644))
		return
	}
	assert.Equal(t, string(doc), got, fmt.Sprintf("%s is stale: run go test ./diff -run TestDocExamples -update", docFile))
}
