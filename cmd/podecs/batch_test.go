package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podecs/podecs/internal/corpusgen"
)

// runBoth runs the same conversion with -j 1 and -j 4 and checks that exit code, standard output,
// standard error and the files written are the same.
func runBoth(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string, files map[string]string) {
	t.Helper()
	type result struct {
		code           int
		stdout, stderr string
		files          map[string]string
	}
	var got []result
	for _, jobs := range []string{"1", "4"} {
		out := filepath.Join(t.TempDir(), "out")
		code, stdout, stderr := runCLI(t, stdin, append(append([]string{}, args...), "-j", jobs, "-o", out)...)
		var files map[string]string
		if _, err := os.Stat(out); err == nil {
			files = readDir(t, out)
		}
		stderr = strings.ReplaceAll(stderr, out, "OUT")
		_, stdoutOnly, _ := runCLI(t, stdin, append(append([]string{}, args...), "-j", jobs)...)
		got = append(got, result{code, stdoutOnly, stderr, files})
		require.Empty(t, stdout, "with -o nothing goes to standard output")
	}
	require.Equal(t, got[0].code, got[1].code, "exit code")
	require.Equal(t, got[0].stderr, got[1].stderr, "standard error")
	require.Equal(t, got[0].stdout, got[1].stdout, "standard output")
	require.Equal(t, sortedNames(got[0].files), sortedNames(got[1].files), "files written")
	for name, data := range got[0].files {
		require.Equal(t, data, got[1].files[name], name)
	}
	return got[0].code, got[0].stdout, got[0].stderr, got[0].files
}

// TestConvertSameForAnyJobs: -j 1 and -j 4 give the same bytes, on a generated corpus and on the
// fixtures (each one, and each directory as one batch).
func TestConvertSameForAnyJobs(t *testing.T) {
	t.Chdir("../..")
	corpus := t.TempDir()
	_, err := corpusgen.Generate(corpus, corpusgen.Options{Workloads: 150, Seed: 3})
	require.NoError(t, err)
	t.Run("generated corpus", func(t *testing.T) {
		code, stdout, stderr, files := runBoth(t, "", "convert", "-f", corpus)
		assert.Equal(t, 0, code, stderr)
		assert.Len(t, files, 300)
		assert.Equal(t, 300, strings.Count(stdout, `"family": `)+strings.Count(stdout, `"serviceName": `))
		assert.Contains(t, stderr, "summary: 300 documents read; 150 workloads converted, 300 files written to OUT; 0 failed\n")
	})
	for _, dir := range []string{"testdata/fixtures/k8s", "testdata/fixtures/ecs"} {
		t.Run(dir, func(t *testing.T) {
			_, _, stderr, files := runBoth(t, "", "convert", "-f", dir)
			assert.NotEmpty(t, files, stderr)
		})
	}
	for name, args := range k8sFixtures(t) {
		t.Run(name, func(t *testing.T) {
			runBoth(t, "", args...)
		})
	}
}

// TestConvertAcrossFiles: references resolve across files of one batch, and two workloads of
// different files with the same ECS name are an error naming both; the first is still written.
func TestConvertAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644))
	}
	write("a/web.yaml", strings.ReplaceAll(goodDeployment, "{name: app, image: nginx}", "{name: app, image: nginx, envFrom: [{configMapRef: {name: settings}}]}"))
	write("b/web-again.yaml", strings.ReplaceAll(goodDeployment, "name: good", "name: good"))
	write("z/settings.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {MODE: production}\n")
	code, _, stderr, files := runBoth(t, "", "convert", "-f", dir)
	assert.Equal(t, exitBadInput, code)
	first, second := filepath.Join(dir, "a/web.yaml"), filepath.Join(dir, "b/web-again.yaml")
	assert.Contains(t, stderr, "error: "+second+": doc 1 Deployment/good: metadata.name: the ECS name \"good\" is already taken by "+first+": doc 1 Deployment/good")
	assert.Equal(t, []string{"good.service.json", "good.taskdef.json"}, sortedNames(files))
	assert.Contains(t, files["good.taskdef.json"], `"name": "MODE",`, "the ConfigMap of a later file is inlined")
	assert.Contains(t, stderr, "\nfailed:\n  "+second+": doc 1 Deployment/good: metadata.name: the ECS name")
}

// TestConvertStdinBatch: standard input is read once; a ConfigMap after the workload that uses it
// is still found, and no temporary file is left behind.
func TestConvertStdinBatch(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	in := strings.ReplaceAll(goodDeployment, "{name: app, image: nginx}", "{name: app, image: nginx, env: [{name: MODE, valueFrom: {configMapKeyRef: {name: settings, key: MODE}}}]}") +
		"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {MODE: production}\n"
	code, stdout, stderr := runCLI(t, in, "convert", "-f", "-")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "\"name\": \"MODE\",\n          \"value\": \"production\"")
	assert.Contains(t, stderr, "summary: 2 documents read; 1 workloads converted, 2 files written to standard output; 0 failed")
	entries, err := os.ReadDir(tmp)
	require.NoError(t, err)
	assert.Empty(t, entries, "the spool is removed")
}

// TestConvertSummaryAndReport: the summary counts what the findings and errors say, and the
// report has the same summary next to every finding.
func TestConvertSummaryAndReport(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	require.NoError(t, os.MkdirAll(in, 0o755))
	docs := map[string]string{
		"1.yaml": goodDeployment,
		"2.yaml": strings.ReplaceAll(goodDeployment, "name: good", "name: other") + "---\napiVersion: v1\nkind: Service\nmetadata: {name: other}\nspec: {selector: {app: other}, ports: [{port: 80}]}\n",
		"3.yaml": strings.ReplaceAll(goodDeployment, "{name: app, image: nginx}", "{name: app, image: nginx, resources: {limits: {memory: 12Qi}}}"),
		"4.yaml": "apiVersion: v1\nkind: Widget\nmetadata: {name: w}\n",
	}
	for name, data := range docs {
		require.NoError(t, os.WriteFile(filepath.Join(in, name), []byte(strings.ReplaceAll(data, "name: good", "name: w"+name[:1])), 0o644))
	}
	out, report := filepath.Join(dir, "out"), filepath.Join(dir, "report.json")
	code, _, stderr := runCLI(t, "", "convert", "-f", in, "-o", out, "--report", report)
	assert.Equal(t, exitBadInput, code)

	lines := strings.Split(stderr, "\n")
	count := func(prefix string) int {
		n := 0
		for _, l := range lines {
			if strings.HasPrefix(l, prefix) {
				n++
			}
		}
		return n
	}
	files := readDir(t, out)
	assert.Contains(t, stderr, fmt.Sprintf("summary: 5 documents read; 2 workloads converted, %d files written to %s; 1 failed\n", len(files), out))
	assert.Len(t, files, 4)
	assert.Contains(t, stderr, fmt.Sprintf("findings: 0 error, %d unsupported, %d lossy, %d info\n", countLevel(t, report, "unsupported"), countLevel(t, report, "lossy"), countLevel(t, report, "info")))
	assert.Equal(t, count("warning: ")+count("info: "), countLevel(t, report, ""), "every finding printed is in the report")
	assert.Contains(t, stderr, "\nfailed:\n  "+filepath.Join(in, "3.yaml")+`: doc 1 Deployment/w3: spec.template.spec.containers[0].resources.limits.memory: "12Qi" is not a quantity`)
	assert.Equal(t, 1, count("error: "))
	assert.True(t, strings.HasSuffix(stderr, "podecs: 1 document(s) could not be converted\n"), stderr)

	var rep struct {
		Findings []reportEntry `json:"findings"`
		Summary  summaryJSON   `json:"summary"`
	}
	data, err := os.ReadFile(report)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &rep))
	assert.Equal(t, 5, rep.Summary.Documents)
	assert.Equal(t, 2, rep.Summary.Converted)
	assert.Equal(t, 4, rep.Summary.FilesWritten)
	require.Len(t, rep.Summary.Failures, 1)
	assert.Equal(t, "Deployment", rep.Summary.Failures[0].Kind)
	assert.NotEmpty(t, rep.Summary.TopFindings)
	assert.LessOrEqual(t, len(rep.Summary.TopFindings), topKinds)
	assert.Contains(t, rep.Findings, rep.Summary.Failures[0], "the failure is among the findings too")
}

// countLevel counts the findings of a level in a --report file ("": all but the errors).
func countLevel(t *testing.T, report, level string) int {
	t.Helper()
	var rep struct {
		Findings []reportEntry `json:"findings"`
	}
	data, err := os.ReadFile(report)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &rep))
	n := 0
	for _, f := range rep.Findings {
		if string(f.Level) == level || (level == "" && f.Level != "error") {
			n++
		}
	}
	return n
}

// TestConvertQuietSingleFile: one file gives no summary; --quiet gives none for a batch either.
func TestConvertQuietSingleFile(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.yaml", "b.yaml"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(strings.ReplaceAll(goodDeployment, "name: good", "name: "+name[:1])), 0o644))
	}
	_, _, stderr := runCLI(t, "", "convert", "-f", filepath.Join(dir, "a.yaml"))
	assert.NotContains(t, stderr, "summary:")
	_, _, stderr = runCLI(t, "", "convert", "-f", filepath.Join(dir, "a.yaml"), "-f", filepath.Join(dir, "b.yaml"))
	assert.Contains(t, stderr, "summary: 2 documents read; 2 workloads converted")
	_, _, stderr = runCLI(t, "", "convert", "-q", "-f", dir)
	assert.Empty(t, stderr)
}

// TestConvertProgressBar: the bar is drawn only when standard error is a terminal and not with
// --quiet; it is redrawn in place and gone at the end.
func TestConvertProgressBar(t *testing.T) {
	corpus := t.TempDir()
	_, err := corpusgen.Generate(corpus, corpusgen.Options{Workloads: 40, Seed: 5})
	require.NoError(t, err)
	outDir := filepath.Join(t.TempDir(), "out")
	runTo := func(dir string, tty, quiet bool) string {
		var out, errb bytes.Buffer
		s := streams{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(string) string { return "" }}
		o := convertOptions{Files: []string{corpus}, OutDir: dir, Kind: "pod", Quiet: quiet,
			MaxDocBytes: 1 << 20, MaxInputBytes: 1 << 30, isTTY: func(io.Writer) bool { return tty }}
		require.NoError(t, runConvert(o, s))
		return errb.String()
	}
	run := func(tty, quiet bool) string { return runTo(outDir, tty, quiet) }
	on := run(true, false)
	assert.Contains(t, on, "\rreading    ")
	assert.Contains(t, on, "\rconverting [")
	assert.Contains(t, on, "40/40 workloads")
	bar := strings.LastIndex(on, "\rconverting [")
	end := strings.Index(on[bar+1:], "\r")
	require.GreaterOrEqual(t, end, 0, "the bar is cleared")
	assert.Equal(t, "\r"+strings.Repeat(" ", end)+"\rsummary: ", on[bar+1+end:bar+1+end+1+end+1+len("summary: ")], "cleared before the summary")

	off := run(false, false)
	assert.NotContains(t, off, "\r", "no bar when standard error is not a terminal")
	assert.Contains(t, off, "summary: 80 documents read")
	lines := func(s string) []string {
		var keep []string
		for _, l := range strings.Split(s, "\n") {
			if i := strings.LastIndex(l, "\r"); i >= 0 {
				l = l[i+1:]
			}
			keep = append(keep, l)
		}
		return keep
	}
	assert.Equal(t, strings.Join(lines(off), "\n"), strings.Join(lines(on), "\n"), "the bar leaves the other lines as they are")
	assert.Empty(t, run(true, true), "--quiet: no bar")
	assert.NotContains(t, runTo("", true, false), "\r", "no bar when the JSON goes to the same terminal")
}

// TestConvertLimits: --max-input-size counts every input; the error names the file where the limit
// is crossed and nothing is written. --max-document-size reports the document.
func TestConvertLimits(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	require.NoError(t, os.MkdirAll(in, 0o755))
	for _, name := range []string{"a.yaml", "b.yaml", "c.yaml"} {
		require.NoError(t, os.WriteFile(filepath.Join(in, name), []byte(strings.ReplaceAll(goodDeployment, "name: good", "name: "+name[:1])), 0o644))
	}
	size := int64(len(goodDeployment) - len("good") + 1)
	out, report := filepath.Join(dir, "out"), filepath.Join(dir, "report.json")
	code, _, stderr := runCLI(t, "", "convert", "-f", in, "-o", out, "--report", report, "--max-input-size", fmt.Sprint(2*size+10))
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, stderr, fmt.Sprintf("podecs: %s: doc 1: the inputs are over the limit of %d bytes in total (see --max-input-size)", filepath.Join(in, "c.yaml"), 2*size+10))
	assert.Empty(t, readDir(t, out), "nothing is converted when the inputs are too large")
	assert.NoFileExists(t, report)

	code, _, stderr = runCLI(t, "", "convert", "-f", in, "-o", out, "--max-input-size", fmt.Sprint(3*size))
	assert.Equal(t, 0, code, stderr)

	code, _, stderr = runCLI(t, "", "convert", "-f", filepath.Join(in, "a.yaml"), "--max-document-size", "100")
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, stderr, fmt.Sprintf("error: %s: doc 1: document is %d bytes, over the limit of 100 (see --max-document-size)", filepath.Join(in, "a.yaml"), size))

	code, _, stderr = runCLI(t, "", "convert", "-f", in, "-j", "-1")
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, stderr, "--jobs: -1 is negative")
}

// TestConvertUnwritableOutput: an output directory that cannot be written is an error before
// anything is converted.
func TestConvertUnwritableOutput(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.yaml")
	require.NoError(t, os.WriteFile(in, []byte(goodDeployment), 0o644))
	blocker := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(blocker, nil, 0o644))
	code, _, stderr := runCLI(t, "", "convert", "-f", in, "-o", filepath.Join(blocker, "out"))
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, stderr, "podecs: output directory: mkdir "+blocker+": not a directory")
	assert.NotContains(t, stderr, "good", "nothing converted")

	out := filepath.Join(dir, "out")
	require.NoError(t, os.MkdirAll(filepath.Join(out, "good.taskdef.json", "x"), 0o755))
	code, _, stderr = runCLI(t, "", "convert", "-f", in, "-o", out)
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, stderr, "podecs: write "+filepath.Join(out, "good.taskdef.json")+": rename ")
	entries, err := os.ReadDir(out)
	require.NoError(t, err)
	for _, e := range entries {
		assert.False(t, strings.HasPrefix(e.Name(), "."), "temporary file %s left behind", e.Name())
	}

	if os.Geteuid() == 0 {
		t.Skip("root writes into read-only directories")
	}
	ro := filepath.Join(dir, "ro")
	require.NoError(t, os.Mkdir(ro, 0o555))
	code, _, stderr = runCLI(t, "", "convert", "-f", in, "-o", ro)
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, stderr, "podecs: output directory "+ro+" is not writable")
}

// TestConvertMemoryBounded converts a 100 MB input file and samples the heap: memory stays far
// below the size of the input, as documents are streamed, never all held.
func TestConvertMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("converts a 100 MB file")
	}
	in := filepath.Join(t.TempDir(), "big.yaml")
	f, err := os.Create(in)
	require.NoError(t, err)
	st, err := corpusgen.Write(f, corpusgen.Options{Workloads: 6000, Seed: 9, Comment: 14000})
	require.NoError(t, err)
	require.NoError(t, f.Close())
	require.Greater(t, st.Bytes, int64(100e6))

	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	s := streams{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard, Getenv: func(string) string { return "" }}
	o := convertOptions{Files: []string{in}, Kind: "pod", Quiet: true, MaxDocBytes: 1 << 20, MaxInputBytes: 1 << 30}
	err = runConvert(o, s)
	close(done)
	<-sampled
	require.NoError(t, err)
	grown := float64(peak.Load()-min(peak.Load(), base.HeapInuse)) / (1 << 20)
	t.Logf("input %.0f MB, %d documents; heap in use grew by at most %.1f MiB", float64(st.Bytes)/1e6, st.Documents, grown)
	assert.Less(t, grown, 64.0, "MiB of heap for a 100 MB input")
}
