package corpusgen

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readCorpus(t *testing.T, dir string, n int) []string {
	t.Helper()
	var files []string
	for i := range n {
		data, err := os.ReadFile(filepath.Join(dir, FileName(i)))
		require.NoError(t, err)
		files = append(files, string(data))
	}
	return files
}

// TestDeterministic: the same options give the same bytes, as one stream or as files.
func TestDeterministic(t *testing.T) {
	o := Options{Workloads: 30, Seed: 4}
	a, b := t.TempDir(), t.TempDir()
	st, err := Generate(a, o)
	require.NoError(t, err)
	_, err = Generate(b, o)
	require.NoError(t, err)
	assert.Equal(t, Stats{Files: 30, Documents: 60, Bytes: st.Bytes}, st)
	files := readCorpus(t, a, 30)
	assert.Equal(t, files, readCorpus(t, b, 30))

	var one bytes.Buffer
	wst, err := Write(&one, o)
	require.NoError(t, err)
	assert.Equal(t, strings.Join(files, "---\n"), one.String(), "one stream holds the same documents")
	assert.Equal(t, Stats{Files: 1, Documents: 60, Bytes: int64(one.Len())}, wst)

	var other bytes.Buffer
	_, err = Write(&other, Options{Workloads: 30, Seed: 5})
	require.NoError(t, err)
	assert.NotEqual(t, one.String(), other.String(), "another seed, another corpus")
}

// TestCrossFileReferences: every Deployment's ConfigMap sits in the next workload's file.
func TestCrossFileReferences(t *testing.T) {
	dir := t.TempDir()
	_, err := Generate(dir, Options{Workloads: 3, Seed: 1})
	require.NoError(t, err)
	files := readCorpus(t, dir, 3)
	assert.Contains(t, files[0], "configMapRef: {name: app-00000-settings}")
	assert.Contains(t, files[0], "name: app-00001-settings\n")
	assert.Contains(t, files[2], "name: app-00000-settings\n", "the last file holds the first ConfigMap")
	assert.Equal(t, 1, strings.Count(files[1], "\nkind: Deployment\n"))
}

func TestComment(t *testing.T) {
	var plain, padded bytes.Buffer
	_, err := Write(&plain, Options{Workloads: 2, Seed: 1})
	require.NoError(t, err)
	_, err = Write(&padded, Options{Workloads: 2, Seed: 1, Comment: 1000})
	require.NoError(t, err)
	extra := padded.Len() - plain.Len()
	assert.GreaterOrEqual(t, extra, 2000)
	assert.Less(t, extra, 2000+2*len(commentLine))
	assert.Equal(t, plain.String(), strings.ReplaceAll(padded.String(), commentLine, ""), "only comment lines are added")
}

// TestServices: each file adds the previous workload's Service, and every fourth workload an
// autoscaler; the counts in Stats are the documents written.
func TestServices(t *testing.T) {
	dir := t.TempDir()
	o := Options{Workloads: 9, Seed: 3, Services: true}
	st, err := Generate(dir, o)
	require.NoError(t, err)
	files := readCorpus(t, dir, 9)
	docs, services, hpas := 0, 0, 0
	for _, f := range files {
		docs += strings.Count(f, "\napiVersion: ") + 1
		services += strings.Count(f, "\nkind: Service\n")
		hpas += strings.Count(f, "\nkind: HorizontalPodAutoscaler\n")
	}
	assert.Equal(t, 9, services)
	assert.Equal(t, 3, hpas, "workloads 0, 4 and 8")
	assert.Equal(t, Stats{Files: 9, Documents: docs, Bytes: st.Bytes}, st)
	assert.Contains(t, files[1], "name: app-00000\nspec:\n  type: LoadBalancer", "workload 0's Service is in the next file")
	assert.Contains(t, files[0], "app.kubernetes.io/name: app-00008\n", "the first file holds the last workload's Service")
	assert.Contains(t, files[0], "kind: Deployment, name: app-00008}")

	var one bytes.Buffer
	wst, err := Write(&one, o)
	require.NoError(t, err)
	assert.Equal(t, docs, wst.Documents)
}
