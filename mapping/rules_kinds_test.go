package mapping

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKindSectionsRendered(t *testing.T) {
	doc := renderDoc(t)
	_, rest, ok := strings.Cut(doc, "## Fargate task sizes")
	require.True(t, ok)
	last := 0
	for _, sec := range KindSections() {
		t.Run(sec.Title, func(t *testing.T) {
			i := strings.Index(rest, "\n## "+sec.Title+"\n")
			require.Greater(t, i, last, "sections follow the Fargate sizes, in order")
			last = i
			body := rest[i+1:]
			if end := strings.Index(body[3:], "\n## "); end >= 0 {
				body = body[:end+3]
			}
			require.NotEmpty(t, sec.Rules)
			for _, r := range sec.Rules {
				require.NotEmpty(t, r.Note, r.K8s)
				require.False(t, r.K8s == "" && r.Config == "", "a row names a field or a --config setting")
				field := "| `" + r.K8s + "` | "
				if r.K8s == "" {
					field = "| — (`--config` `" + r.Config + "`) | "
				}
				row := field + mdECS(r.ECS) + " | " + string(r.How) + " | " + mdLevel(r.Rule) + " | " + mdCell(r.Note) + " |\n"
				assert.Equal(t, 1, strings.Count(body, row), "row of %q", r.K8s)
			}
			for _, line := range strings.Split(body, "\n") {
				if strings.HasPrefix(line, "|") {
					assert.Equal(t, 6, strings.Count(strings.ReplaceAll(line, `\|`, ""), "|"), line)
				}
			}
		})
	}
	assert.True(t, strings.HasSuffix(doc, "\n\n"+ReverseMarker+"\n"))
}

// The Dropped rows of the kind tables list only defaults the converter does not report.
func TestKindRuleDefaults(t *testing.T) {
	defaults := map[string][]string{}
	for _, sec := range KindSections() {
		for _, r := range sec.Rules {
			if len(r.Defaults) > 0 {
				require.Equal(t, Dropped, r.How, r.K8s)
				defaults[r.K8s] = r.Defaults
			}
		}
	}
	assert.Equal(t, map[string][]string{
		"spec.backoffLimit":      {"0"},
		"spec.completionMode":    {"NonIndexed"},
		"spec.concurrencyPolicy": {"Allow"},
		"spec.sessionAffinity":   {"None"},
	}, defaults)
}
