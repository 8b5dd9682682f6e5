package diff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sampleReport() Report {
	return Report{Version: ReportVersion, Left: "left/", Right: "right/", Summary: Summary{Workloads: 3, Equal: 1, Different: 1, OnlyLeft: 1, Differences: 2},
		Workloads: []WorkloadDiff{
			{Name: "api", Status: StatusDifferent, LeftSources: []string{"left/api.yaml: doc 1 Deployment/api"}, RightSources: []string{"right/api.taskdef.json: doc 1 TaskDefinition/api"},
				Differences: []Difference{
					{Path: "containers[api].image", Left: "api:1", Right: "api:2"},
					{Path: "containers[api].secrets[DB]", Left: "prod/db", Right: "staging/db", Secret: true},
				}},
			{Name: "old", Status: StatusOnlyLeft, LeftSources: []string{"left/old.yaml: doc 1 Pod/old"}},
			{Name: "same", Status: StatusEqual, LeftSources: []string{"l"}, RightSources: []string{"r"}},
		}}
}

func TestParseFormat(t *testing.T) {
	for _, f := range Formats() {
		got, err := ParseFormat(strings.ToUpper(string(f)))
		require.NoError(t, err)
		assert.Equal(t, f, got)
	}
	_, err := ParseFormat("yaml")
	assert.EqualError(t, err, `unknown format "yaml": want text, json, markdown or html`)
	assert.Error(t, Render(&bytes.Buffer{}, Report{}, Format("yaml"), RenderOptions{}))
}

func TestTextColour(t *testing.T) {
	var plain, colour bytes.Buffer
	require.NoError(t, Render(&plain, sampleReport(), FormatText, RenderOptions{}))
	require.NoError(t, Render(&colour, sampleReport(), FormatText, RenderOptions{Color: true}))
	assert.NotContains(t, plain.String(), "\x1b[")
	assert.Contains(t, colour.String(), ansiRed+"api:1"+ansiReset)
	assert.Contains(t, colour.String(), ansiGreen+"api:2"+ansiReset)
	// Without the escape codes the coloured report is the plain one: colour never moves a column.
	stripped := colour.String()
	for _, code := range []string{ansiReset, ansiBold, ansiDim, ansiRed, ansiGreen, ansiYellow} {
		stripped = strings.ReplaceAll(stripped, code, "")
	}
	assert.Equal(t, plain.String(), stripped)
}

func TestTextAlignment(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, Render(&b, sampleReport(), FormatText, RenderOptions{}))
	want := "" +
		"    containers[api].image        api:1    →  api:2\n" +
		"    containers[api].secrets[DB]  prod/db  →  staging/db  (secret reference differs; values are never shown)\n"
	assert.Contains(t, b.String(), want)
	assert.True(t, strings.HasSuffix(b.String(), "\n3 workloads: 1 equal, 1 different, 1 only in left, 0 only in right; 2 differences\n"), b.String())
}

func TestTextCapsTheLeftColumn(t *testing.T) {
	long := strings.Repeat("x", 100)
	rep := Report{Workloads: []WorkloadDiff{{Name: "w", Status: StatusDifferent, Differences: []Difference{
		{Path: "a", Left: long, Right: "1"},
		{Path: "b", Left: "short", Right: "2"},
	}}}}
	var b bytes.Buffer
	require.NoError(t, Render(&b, rep, FormatText, RenderOptions{}))
	assert.Contains(t, b.String(), "    a  "+long+"  →  1\n")
	assert.Contains(t, b.String(), "    b  short"+strings.Repeat(" ", maxLeftWidth-5)+"  →  2\n")
}

func TestJSONSchema(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, Render(&b, sampleReport(), FormatJSON, RenderOptions{}))
	var back Report
	require.NoError(t, json.Unmarshal(b.Bytes(), &back))
	assert.Equal(t, sampleReport(), back)
	var raw map[string]any
	require.NoError(t, json.Unmarshal(b.Bytes(), &raw))
	assert.Equal(t, map[string]any{"workloads": 3.0, "equal": 1.0, "different": 1.0, "onlyLeft": 1.0, "onlyRight": 0.0, "differences": 2.0}, raw["summary"])
	first := raw["workloads"].([]any)[0].(map[string]any)
	assert.ElementsMatch(t, []string{"name", "status", "leftSources", "rightSources", "differences"}, keys(first))
	secret := first["differences"].([]any)[1].(map[string]any)
	assert.Equal(t, map[string]any{"path": "containers[api].secrets[DB]", "left": "prod/db", "right": "staging/db", "secret": true}, secret)
	onlyLeft := raw["workloads"].([]any)[1].(map[string]any)
	assert.ElementsMatch(t, []string{"name", "status", "leftSources"}, keys(onlyLeft))
	assert.True(t, strings.HasSuffix(b.String(), "}\n"))
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestMarkdownEscapesCells(t *testing.T) {
	rep := Report{Left: "a|b", Right: "r", Summary: Summary{Workloads: 1, Different: 1, Differences: 2}, Workloads: []WorkloadDiff{{
		Name: "web", Status: StatusDifferent,
		Differences: []Difference{
			{Path: "containers[web].command", Left: `["sh","-c","a | b"]`, Right: "x`y"},
			{Path: "containers[web].environment[E]", Left: "`edge`"},
		},
	}}}
	var b bytes.Buffer
	require.NoError(t, Render(&b, rep, FormatMarkdown, RenderOptions{}))
	out := b.String()
	assert.Contains(t, out, "**left:** `a|b`", "outside tables pipes stay as they are")
	assert.Contains(t, out, "| `containers[web].command` | `[\"sh\",\"-c\",\"a \\| b\"]` | ``x`y`` |\n")
	assert.Contains(t, out, "| `containers[web].environment[E]` | `` `edge` `` | _(absent)_ |\n")
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "| `containers") {
			assert.Equal(t, 4, strings.Count(line, "|")-strings.Count(line, `\|`), "a row has three cells: %s", line)
		}
	}
}

func TestMarkdownFitsAComment(t *testing.T) {
	rep := Report{Left: "l", Right: "r"}
	for i := range 200 {
		wd := WorkloadDiff{Name: fmt.Sprintf("w%03d", i), Status: StatusDifferent}
		for j := range 20 {
			wd.Differences = append(wd.Differences, Difference{Path: fmt.Sprintf("containers[c].environment[V%d]", j), Left: strings.Repeat("a", 20), Right: strings.Repeat("b", 20)})
		}
		rep.Workloads = append(rep.Workloads, wd)
		rep.Summary.Workloads++
		rep.Summary.Different++
		rep.Summary.Differences += 20
	}
	var b bytes.Buffer
	require.NoError(t, Render(&b, rep, FormatMarkdown, RenderOptions{}))
	out := b.String()
	assert.LessOrEqual(t, len(out), maxMarkdownBytes+200)
	shown := strings.Count(out, "<details>")
	assert.Positive(t, shown)
	assert.Less(t, shown, 200)
	assert.Equal(t, strings.Count(out, "<details>"), strings.Count(out, "</details>"))
	assert.Contains(t, out, fmt.Sprintf("_%d more workloads not shown", 200-shown))
	assert.Contains(t, out, "| `w199` | different | 20 |", "the summary table lists every workload")
}

func TestMarkdownSections(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, Render(&b, sampleReport(), FormatMarkdown, RenderOptions{}))
	out := b.String()
	assert.Equal(t, 1, strings.Count(out, "<details>"), "one section per different workload")
	assert.Contains(t, out, "<details><summary><b>api</b>: 2 differences</summary>\n\n")
	assert.Contains(t, out, "| `old` | only in left |  |\n")
	assert.Contains(t, out, "| `containers[api].secrets[DB]` _(secret reference differs; values are never shown)_ | `prod/db` | `staging/db` |\n")
}
