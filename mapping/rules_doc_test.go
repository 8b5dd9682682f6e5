package mapping

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func renderDoc(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	require.NoError(t, RenderMarkdown(&b))
	return b.String()
}

func TestRenderMarkdownIsDeterministic(t *testing.T) {
	assert.Equal(t, renderDoc(t), renderDoc(t))
}

func TestRenderMarkdownRows(t *testing.T) {
	doc := renderDoc(t)
	_, rest, ok := strings.Cut(doc, "## Pod template → task definition")
	require.True(t, ok)
	podSection, svcSection, ok := strings.Cut(rest, "## Workload → service")
	require.True(t, ok)
	svcSection, _, ok = strings.Cut(svcSection, "## Fargate task sizes")
	require.True(t, ok)

	for _, r := range PodRules {
		row := "| `" + r.K8s + "` | " + mdECS(r.ECS) + " | " + string(r.How) + " | " + mdLevel(r) + " | " + mdCell(r.Note) + " |\n"
		if strings.HasPrefix(r.K8s, "spec.initContainers[].") {
			assert.NotContains(t, podSection, row, "init container copies are not repeated")
			continue
		}
		assert.Equal(t, 1, strings.Count(podSection, row), "row of %s", r.K8s)
	}
	assert.Contains(t, podSection, "| `spec.initContainers[]` |", "the initContainers rule of its own stays")
	for _, r := range ServiceRules {
		field := "| `" + r.K8s + "` | "
		if r.K8s == "" {
			field = "| — (`--config` `" + r.Config + "`) | "
		}
		row := field + strings.Join(r.Kinds, ", ") + " | " + mdECS(r.ECS) + " | " + string(r.How) + " | " + mdLevel(r.Rule) + " | " + mdCell(r.Note)
		assert.Equal(t, 1, strings.Count(svcSection, row), "row of %s %v", r.K8s, r.Kinds)
	}
	// Every table row has the same number of cells as its header: no unescaped pipe in a note.
	for _, section := range []string{podSection, svcSection} {
		var cells int
		for _, line := range strings.Split(section, "\n") {
			if !strings.HasPrefix(line, "|") {
				continue
			}
			n := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|")
			if cells == 0 {
				cells = n
			}
			assert.Equal(t, cells, n, line)
		}
		assert.Positive(t, cells)
	}
}

func TestRenderMarkdownSections(t *testing.T) {
	doc := renderDoc(t)
	assert.True(t, strings.HasPrefix(doc, "<!-- Generated from the rule tables in mapping/"))
	assert.True(t, strings.HasSuffix(doc, "\n\n"+ReverseMarker+"\n"), "the ECS → Kubernetes part follows the marker")
	order := []string{"# Kubernetes → ECS field mapping", "## Finding levels", "## Pod template → task definition", "## Workload → service", "## Fargate task sizes"}
	last := -1
	for _, h := range order {
		i := strings.Index(doc, "\n"+h+"\n")
		require.Greater(t, i, last, h)
		last = i
	}
	for _, l := range []Level{Info, Lossy, Unsupported, Error} {
		assert.Contains(t, doc, "| `"+string(l)+"` | ")
	}
	assert.Contains(t, doc, "| `error` | The document cannot be converted")
	assert.Contains(t, doc, "| 256 | 0.25 | 512, 1024, 2048 |\n")
	assert.Contains(t, doc, "| 512 | 0.5 | 1024, 2048, 3072, 4096 |\n")
	assert.Contains(t, doc, "| 2048 | 2 | 4096–16384 in steps of 1024 |\n")
	assert.Contains(t, doc, "| 16384 | 16 | 32768–122880 in steps of 8192 |\n")
	assert.Contains(t, doc, "attribute:&lt;key> |", "angle brackets are escaped")
	assert.Contains(t, doc, `(\*.svc.cluster.local)`)
}

func TestLevelMeaningsCoverEveryLevel(t *testing.T) {
	var got []Level
	for _, l := range levelMeanings {
		got = append(got, l.level)
		assert.NotEmpty(t, l.meaning)
		assert.NotEmpty(t, l.exit)
	}
	assert.Equal(t, []Level{Info, Lossy, Unsupported, Error}, got)
}

func TestMemoryList(t *testing.T) {
	tests := []struct {
		mem  []int64
		want string
	}{
		{[]int64{512, 1024, 2048}, "512, 1024, 2048"},
		{[]int64{1024, 2048, 3072, 4096}, "1024, 2048, 3072, 4096"},
		{[]int64{1, 2, 3, 4, 5}, "1–5 in steps of 1"},
		{[]int64{1, 2, 3, 4, 6}, "1, 2, 3, 4, 6"},
		{[]int64{7}, "7"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, memoryList(tt.mem))
	}
}

func TestMdCell(t *testing.T) {
	assert.Equal(t, `a \| b &lt;key> \*x line`, mdCell("a | b <key> *x\nline"))
}

func TestIsInitCopy(t *testing.T) {
	r, ok := LookupRule("spec.initContainers[].image")
	require.True(t, ok)
	assert.True(t, isInitCopy(r))
	r.Note = "different"
	assert.False(t, isInitCopy(r))
	own, ok := LookupRule("spec.initContainers[]")
	require.True(t, ok)
	assert.False(t, isInitCopy(own))
}
