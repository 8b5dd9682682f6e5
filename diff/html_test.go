package diff

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
)

// TestHTMLReportShowsEveryDifference parses the HTML report of the fixture set and finds, in the
// section of each workload, a row for every difference with both values as a person reads them.
func TestHTMLReportShowsEveryDifference(t *testing.T) {
	t.Chdir("..")
	rep := fixtureReport(t)
	require.NotZero(t, rep.Summary.Differences)
	var b bytes.Buffer
	require.NoError(t, Render(&b, rep, FormatHTML, RenderOptions{}))
	checkHTMLReport(t, b.Bytes(), rep)
}

// TestHTMLEscapesValues: values that look like markup stay text.
func TestHTMLEscapesValues(t *testing.T) {
	rep := Report{Left: "<left>", Right: `"right" & co`, Summary: Summary{Workloads: 1, Different: 1, Differences: 2}, Workloads: []WorkloadDiff{{
		Name: "web", Status: StatusDifferent, LeftSources: []string{"a.yaml: doc 1 Deployment/web"}, RightSources: []string{"<b>.json"},
		Differences: []Difference{
			{Path: "containers[web].environment[HTML]", Left: `<script>alert("x")</script>`, Right: "a & b"},
			{Path: "containers[web].command", Left: `["sh","-c","echo '<x>'"]`},
		},
	}}}
	var b bytes.Buffer
	require.NoError(t, Render(&b, rep, FormatHTML, RenderOptions{}))
	out := b.String()
	assert.NotContains(t, out, "<script>")
	assert.NotContains(t, out, "<b>.json")
	assert.Contains(t, out, "&lt;script&gt;")
	checkHTMLReport(t, b.Bytes(), rep)
}

// TestHTMLIsSelfContained: no scripts, no links to other files, styles inline.
func TestHTMLIsSelfContained(t *testing.T) {
	t.Chdir("..")
	var b bytes.Buffer
	require.NoError(t, Render(&b, fixtureReport(t), FormatHTML, RenderOptions{}))
	doc, err := html.Parse(&b)
	require.NoError(t, err)
	styles := 0
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		assert.NotEqual(t, "script", n.Data)
		assert.NotEqual(t, "link", n.Data)
		assert.NotEqual(t, "img", n.Data)
		if n.Data == "style" {
			styles++
		}
		for _, a := range n.Attr {
			if a.Key == "href" {
				assert.True(t, strings.HasPrefix(a.Val, "#w-"), "only links within the page: %s", a.Val)
			}
			assert.NotEqual(t, "src", a.Key)
		}
	}
	assert.Equal(t, 1, styles)
}

func checkHTMLReport(t *testing.T, page []byte, rep Report) {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	require.NoError(t, err)
	sections := map[string]*html.Node{}
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "section" {
			sections[attr(n, "data-name")] = n
		}
	}
	assert.Len(t, sections, len(rep.Workloads))
	found := 0
	for _, w := range rep.Workloads {
		sec := sections[w.Name]
		require.NotNil(t, sec, "section of %s", w.Name)
		assert.Equal(t, string(w.Status), attr(sec, "data-status"))
		assert.Equal(t, "w-"+w.Name, attr(sec, "id"))
		rows := map[string]*html.Node{}
		for n := range sec.Descendants() {
			if n.Type == html.ElementNode && n.Data == "tr" && attr(n, "data-path") != "" {
				rows[attr(n, "data-path")] = n
			}
		}
		assert.Len(t, rows, len(w.Differences), w.Name)
		for _, d := range w.Differences {
			row := rows[d.Path]
			if !assert.NotNil(t, row, "%s: no row for %s", w.Name, d.Path) {
				continue
			}
			cells := map[string]string{}
			for c := row.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode && c.Data == "td" {
					cells[attr(c, "class")] = text(c)
				}
			}
			assert.True(t, strings.HasPrefix(cells["path"], d.Path), "%s: path cell %q", w.Name, cells["path"])
			assert.Equal(t, orAbsent(d.Left), cells["left"], "%s: %s left", w.Name, d.Path)
			assert.Equal(t, orAbsent(d.Right), cells["right"], "%s: %s right", w.Name, d.Path)
			if d.Secret {
				assert.Contains(t, cells["path"], secretNote)
			}
			found++
		}
	}
	assert.Equal(t, rep.Summary.Differences, found)
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return b.String()
}
