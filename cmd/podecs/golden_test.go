package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/fixtures")

// k8sFixtures lists the Kubernetes fixtures (relative to the repository root) with their config.
func k8sFixtures(t *testing.T) map[string][]string {
	t.Helper()
	files, err := filepath.Glob("testdata/fixtures/k8s/*.yaml")
	require.NoError(t, err)
	out := map[string][]string{}
	for _, f := range files {
		if strings.HasSuffix(f, ".config.yaml") {
			continue
		}
		args := []string{"convert", "-f", f}
		if cfg := strings.TrimSuffix(f, ".yaml") + ".config.yaml"; fileExists(cfg) {
			args = append(args, "--config", cfg)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".yaml")] = args
	}
	require.GreaterOrEqual(t, len(out), 15, "the fixture set shrank")
	return out
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// TestGoldenKubernetesToECS converts every fixture and compares every file written, and the
// findings printed, with the golden copies (go test ./cmd/podecs -run Golden -update rewrites them).
func TestGoldenKubernetesToECS(t *testing.T) {
	t.Chdir("../..")
	for name, args := range k8sFixtures(t) {
		t.Run(name, func(t *testing.T) {
			out := t.TempDir()
			code, stdout, stderr := runCLI(t, "", append(args, "-o", out)...)
			assert.Empty(t, stdout, "with -o nothing goes to stdout")
			got := readDir(t, out)
			got["findings.txt"] = fmt.Sprintf("exit %d\n%s", code, stderr)
			golden := filepath.Join("testdata/fixtures/k8s/golden", name)
			if *update {
				require.NoError(t, os.RemoveAll(golden))
				require.NoError(t, os.MkdirAll(golden, 0o755))
				for f, data := range got {
					require.NoError(t, os.WriteFile(filepath.Join(golden, f), []byte(data), 0o644))
				}
				return
			}
			want := readDir(t, golden)
			assert.Equal(t, sortedNames(want), sortedNames(got), "files written")
			for f := range want {
				assert.Equal(t, want[f], got[f], "%s differs from the golden copy (run with -update and review the diff)", f)
			}
		})
	}
}

func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	out := map[string]string{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		out[e.Name()] = string(data)
	}
	return out
}

func sortedNames(m map[string]string) []string {
	var names []string
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// TestStdoutMatchesFiles: without -o the same documents go to standard output, in order.
func TestStdoutMatchesFiles(t *testing.T) {
	t.Chdir("../..")
	out := t.TempDir()
	args := []string{"convert", "-f", "testdata/fixtures/k8s/sidecar-emptydir.yaml"}
	code, stdout, _ := runCLI(t, "", args...)
	require.Equal(t, 0, code)
	code, _, _ = runCLI(t, "", append(args, "-o", out)...)
	require.Equal(t, 0, code)
	files := readDir(t, out)
	assert.Equal(t, files["orders.taskdef.json"]+files["orders.service.json"], stdout)
}

// TestStdin reads a multi-document stream from standard input.
func TestStdin(t *testing.T) {
	t.Chdir("../..")
	data, err := os.ReadFile("testdata/fixtures/k8s/secrets-configmaps.yaml")
	require.NoError(t, err)
	code, stdout, stderr := runCLI(t, string(data), "convert", "-f", "-")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, `"family": "payments"`)
	assert.Contains(t, stderr, "<stdin>: doc 4 Deployment/payments")
}
