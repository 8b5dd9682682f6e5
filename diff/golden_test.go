package diff

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podecs/podecs/convert"
)

var update = flag.Bool("update", false, "rewrite the golden reports under testdata/fixtures/diff")

// fixtureDir is the diff fixture set, relative to the repository root.
const fixtureDir = "testdata/fixtures/diff"

// loadSide reads every document under the given paths into one side, as the CLI does, and fails
// the test on any document that cannot be used.
func loadSide(t *testing.T, cfg convert.Config, label string, paths ...string) Side {
	t.Helper()
	l := NewLoader(convert.Options{Config: cfg})
	for _, p := range paths {
		files := []string{p}
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			var err error
			files, err = filepath.Glob(filepath.Join(p, "*"))
			require.NoError(t, err)
		}
		for _, f := range files {
			if ext := filepath.Ext(f); ext != ".yaml" && ext != ".json" {
				continue
			}
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			require.NoError(t, convert.ReadDocuments(bytes.NewReader(data), f, convert.ReadOptions{}, l.Add, func(e *convert.DocError) { l.AddError(e) }))
		}
	}
	side, _, errs := l.Finish(label)
	require.Empty(t, errs)
	return side
}

func readConfig(t *testing.T, path string) convert.Config {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	cfg, err := convert.ParseConfig(data)
	require.NoError(t, err)
	return cfg
}

// fixtureReport compares the two sides of the fixture set.
func fixtureReport(t *testing.T) Report {
	t.Helper()
	cfg := readConfig(t, filepath.Join(fixtureDir, "config.yaml"))
	left := loadSide(t, cfg, fixtureDir+"/left", fixtureDir+"/left")
	right := loadSide(t, cfg, fixtureDir+"/right", fixtureDir+"/right")
	return Compare(left, right)
}

// TestGoldenReports renders the fixture comparison in every format and compares it with the
// golden copies (go test ./diff -run Golden -update rewrites them).
func TestGoldenReports(t *testing.T) {
	t.Chdir("..")
	rep := fixtureReport(t)
	for _, f := range Formats() {
		t.Run(string(f), func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, Render(&b, rep, f, RenderOptions{}))
			golden := filepath.Join(fixtureDir, "golden", "report."+goldenExt[f])
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
				require.NoError(t, os.WriteFile(golden, b.Bytes(), 0o644))
				return
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test ./diff -run Golden -update")
			assert.Equal(t, string(want), b.String(), "%s differs from the golden copy (run with -update and review the diff)", golden)
		})
	}
}

var goldenExt = map[Format]string{FormatText: "txt", FormatJSON: "json", FormatMarkdown: "md", FormatHTML: "html"}
