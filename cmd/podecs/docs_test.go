package main

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podecs/podecs/mapping"
)

// The generated files under docs/ and how to refresh them.
const docsUpdate = "go test ./cmd/podecs -run TestDocs -update"

func init() {
	// -update is shared with the golden file tests; define it only if they have not.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite generated files instead of comparing with them")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// docStreams are the streams of the app the CLI reference is generated from; it never runs.
func docStreams() streams {
	return streams{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard, Getenv: func(string) string { return "" }}
}

// mappingDoc renders docs/mapping.md: the rule tables, then docs/reverse.md (the ECS → Kubernetes
// direction, written by hand) after the marker when it exists. It runs from the repository root.
func mappingDoc() (string, error) {
	var b strings.Builder
	if err := mapping.RenderMarkdown(&b); err != nil {
		return "", err
	}
	reverse, err := os.ReadFile("docs/reverse.md")
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return b.String(), nil
	case err != nil:
		return "", err
	}
	b.WriteString("\n## ECS → Kubernetes\n\n")
	b.Write(demoteHeadings(reverse))
	if !bytes.HasSuffix(reverse, []byte("\n")) {
		b.WriteString("\n")
	}
	return b.String(), nil
}

// demoteHeadings drops a leading top-level heading and moves the other headings one level down, so
// that an included document nests under the section that includes it. Fenced code is left alone.
func demoteHeadings(doc []byte) []byte {
	lines := strings.Split(string(doc), "\n")
	if len(lines) > 0 && strings.HasPrefix(lines[0], "# ") {
		lines = lines[1:]
		for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
			lines = lines[1:]
		}
	}
	fenced := false
	for i, l := range lines {
		if strings.HasPrefix(l, "```") {
			fenced = !fenced
		}
		if !fenced && strings.HasPrefix(l, "#") {
			lines[i] = "#" + l
		}
	}
	return []byte(strings.Join(lines, "\n"))
}

func cliDoc() (string, error) {
	md, err := newApp(docStreams()).ToMarkdown()
	if err != nil {
		return "", err
	}
	return "<!-- Generated from the app definition in cmd/podecs by \"" + docsUpdate + "\". Do not edit. -->\n\n" + md, nil
}

func manDoc() (string, error) {
	man, err := newApp(docStreams()).ToManWithSection(1)
	if err != nil {
		return "", err
	}
	return `.\" Generated from the app definition in cmd/podecs by "` + docsUpdate + `". Do not edit.` + "\n" + man, nil
}

// TestDocs fails when a generated file under docs/ differs from what the code produces now.
func TestDocs(t *testing.T) {
	t.Chdir("../..")
	docs := []struct {
		file     string
		generate func() (string, error)
	}{
		{"docs/mapping.md", mappingDoc},
		{"docs/cli.md", cliDoc},
		{"docs/podecs.1", manDoc},
	}
	for _, d := range docs {
		t.Run(d.file, func(t *testing.T) {
			got, err := d.generate()
			require.NoError(t, err)
			again, err := d.generate()
			require.NoError(t, err)
			require.Equal(t, got, again, "generation is deterministic")
			if updating() {
				require.NoError(t, os.WriteFile(d.file, []byte(got), 0o644))
				return
			}
			want, err := os.ReadFile(d.file)
			require.NoError(t, err, "run %s", docsUpdate)
			assert.Equal(t, string(want), got, "%s is stale: run %s and review the diff", d.file, docsUpdate)
		})
	}
}

func TestDocsContent(t *testing.T) {
	t.Chdir("../..")
	md, err := cliDoc()
	require.NoError(t, err)
	for _, cmd := range []string{"## convert", "## explain", "## version", "## completion"} {
		assert.Contains(t, md, "\n"+cmd+"\n")
	}
	assert.Contains(t, md, "**--output**=\"\": output `FORMAT`: text or json (default: \"text\")")

	man, err := manDoc()
	require.NoError(t, err)
	assert.Contains(t, man, ".TH podecs 1")

	doc, err := mappingDoc()
	require.NoError(t, err)
	assert.Contains(t, doc, mapping.ReverseMarker)
}

func TestDemoteHeadings(t *testing.T) {
	in := "# Reverse\n\nintro\n\n## Task definition\n\n```sh\n# a comment\n```\n### Detail\n"
	want := "intro\n\n### Task definition\n\n```sh\n# a comment\n```\n#### Detail\n"
	assert.Equal(t, want, string(demoteHeadings([]byte(in))))
	assert.Equal(t, "text\n## A\n", string(demoteHeadings([]byte("text\n# A\n"))), "only a leading title is dropped")
}
