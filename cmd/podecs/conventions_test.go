package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/urfave/cli/v2"
)

// runOpts are the environment of one in-process run: standard input, environment variables and
// whether the output streams count as a terminal.
type runOpts struct {
	stdin string
	env   map[string]string
	tty   bool
}

func runWith(t *testing.T, ro runOpts, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	s := streams{In: strings.NewReader(ro.stdin), Out: &out, Err: &errb,
		Getenv:   func(k string) string { return ro.env[k] },
		Terminal: func(io.Writer) bool { return ro.tty }}
	code = run(append([]string{"podecs"}, args...), s)
	return code, out.String(), errb.String()
}

// conventionCase is one command run that succeeds: its arguments (set up lazily, as register and
// export need moto), its exit code, and what --verbose adds on standard error.
type conventionCase struct {
	name    string
	args    func(t *testing.T) []string
	code    int
	verbose string
	// noisy: the run prints findings or notes; colored: it writes colours on a terminal unless
	// told not to.
	noisy, colored bool
}

func conventionCases() []conventionCase {
	fixed := func(args ...string) func(*testing.T) []string { return func(*testing.T) []string { return args } }
	return []conventionCase{
		{name: "convert", args: fixed("convert", "-f", "testdata/fixtures/k8s/probes.yaml"), noisy: true,
			verbose: "wrote probes.taskdef.json, probes.service.json to standard output"},
		{name: "explain", args: fixed("explain", "stopTimeout")},
		{name: "diff", args: fixed("diff", "testdata/fixtures/diff/left", "testdata/fixtures/diff/right", "--config", "testdata/fixtures/diff/config.yaml"),
			code: exitFindings, verbose: "testdata/fixtures/diff/left: 6 workload(s) read", colored: true},
		{name: "version", args: fixed("version")},
		{name: "completion", args: fixed("completion", "bash")},
		{name: "register", args: func(t *testing.T) []string {
			endpoint := motoEnv(t)
			cfg := registerFixture(t, endpoint, "podecs-conventions")
			job := filepath.Join(t.TempDir(), "job.yaml")
			require.NoError(t, os.WriteFile(job, []byte(conventionJob), 0o644))
			return []string{"register", "-f", deployment(t, "conv-web", "nginx:1.27", 1, "t0k3n-c"), "-f", job, "--config", cfg,
				"--create-cluster", "--dry-run", "--region", "us-east-1", "--endpoint-url", endpoint}
		}, noisy: true, verbose: "ecs: DescribeClusters clusters=podecs-conventions"},
		{name: "verify", args: func(t *testing.T) []string {
			endpoint := motoEnv(t)
			manifest, cfg := newVerifyWorld(t, endpoint, "conventions").files(t)
			return []string{"verify", "-f", manifest, "--config", cfg, "--endpoint-url", endpoint}
		}, noisy: true, colored: true, verbose: "secretsmanager: DescribeSecret SecretId=arn:aws:secretsmanager:us-east-1:123456789012:secret:conventions-"},
		{name: "export", args: func(t *testing.T) []string {
			endpoint := motoEnv(t)
			cfg := registerFixture(t, endpoint, "podecs-conventions-export")
			aws := []string{"--region", "us-east-1", "--endpoint-url", endpoint}
			code, _, stderr := runCLI(t, "", append([]string{"register", "-f", deployment(t, "conv-exp", "nginx:1.27", 1, "t0k3n-e"), "--config", cfg, "--create-cluster"}, aws...)...)
			require.Equal(t, exitOK, code, stderr)
			return append([]string{"export", "--cluster", "podecs-conventions-export", "--service", "conv-exp"}, aws...)
		}, noisy: true, verbose: "ecs: DescribeServices cluster=podecs-conventions-export services=conv-exp"},
	}
}

// conventionJob is a Job: register notes that its RunTask input is not run.
const conventionJob = `apiVersion: batch/v1
kind: Job
metadata:
  name: conv-job
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: busybox:1.36
        command: [echo, hello]
        resources:
          limits: {cpu: 250m, memory: 512Mi}
`

// TestOutputFlags runs every command with --quiet, --verbose, both, --no-color and NO_COLOR: the
// results on standard output stay the same, --quiet leaves standard error empty, --verbose adds
// the steps, both together are a usage error, and no colour is written when it is turned off.
func TestOutputFlags(t *testing.T) {
	t.Chdir("../..")
	for _, tc := range conventionCases() {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args(t)
			with := func(extra ...string) []string { return append(append([]string(nil), args...), extra...) }
			code, want, stderr := runWith(t, runOpts{}, args...)
			require.Equal(t, tc.code, code)
			require.NotEmpty(t, want)
			if tc.noisy {
				require.NotEmpty(t, stderr, "findings or notes for --quiet to leave out")
			}

			for _, q := range []string{"-q", "--quiet"} {
				code, stdout, stderr := runWith(t, runOpts{}, with(q)...)
				assert.Equal(t, tc.code, code, q)
				assert.Equal(t, want, stdout, "%s: the same results", q)
				assert.Empty(t, stderr, "%s: nothing but errors on standard error", q)
			}
			for _, v := range []string{"-v", "--verbose"} {
				code, stdout, stderr := runWith(t, runOpts{}, with(v)...)
				assert.Equal(t, tc.code, code, v)
				assert.Equal(t, want, stdout, "%s: the same results", v)
				assert.Contains(t, stderr, tc.verbose, v)
			}
			for _, both := range [][]string{{"-q", "-v"}, {"--verbose", "--quiet"}} {
				code, stdout, stderr := runWith(t, runOpts{}, with(both...)...)
				assert.Equal(t, exitBadInput, code, both)
				assert.Empty(t, stdout, both)
				assert.Equal(t, "podecs: --quiet and --verbose cannot be used together\n", stderr, both)
			}

			if tc.colored {
				_, stdout, _ := runWith(t, runOpts{tty: true}, args...)
				assert.Contains(t, stdout, "\x1b[", "colours on a terminal by default")
			}
			for name, ro := range map[string]runOpts{
				"NO_COLOR":   {tty: true, env: map[string]string{"NO_COLOR": "1"}},
				"--no-color": {tty: true},
			} {
				a := args
				if name == "--no-color" {
					a = with("--no-color")
				}
				code, stdout, stderr := runWith(t, ro, a...)
				assert.Equal(t, tc.code, code, name)
				assert.NotContains(t, stdout, "\x1b[", name)
				assert.NotContains(t, stderr, "\x1b[", name)
				assert.Equal(t, want, stdout, "%s: the results without colour", name)
			}
		})
	}
}

// TestOutputFlagsShared: every command has --quiet/-q, --verbose/-v and --no-color with the same
// usage, and no other flag takes their names.
func TestOutputFlagsShared(t *testing.T) {
	app := newApp(docStreams())
	require.Len(t, app.Commands, 8)
	for _, c := range app.Commands {
		t.Run(c.Name, func(t *testing.T) {
			usage := map[string]string{}
			for _, f := range c.Flags {
				bf, ok := f.(*cli.BoolFlag)
				for _, n := range f.Names() {
					switch n {
					case "quiet", "q", "verbose", "v", "no-color":
						require.True(t, ok, "%s is a bool flag", n)
						usage[strings.Join(f.Names(), ",")] = bf.Usage
					}
				}
			}
			assert.Equal(t, map[string]string{"quiet,q": quietUsage, "verbose,v": verboseUsage, "no-color": noColorUsage}, usage)
		})
	}
}

// TestStdinDash: every file a command reads can be - for standard input, with the same result as
// the file; one run reads standard input once.
func TestStdinDash(t *testing.T) {
	t.Chdir("../..")
	read := func(path string) string {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		return string(data)
	}
	const probes, hpa, hpaConfig = "testdata/fixtures/k8s/probes.yaml", "testdata/fixtures/k8s/hpa.yaml", "testdata/fixtures/k8s/hpa.config.yaml"
	const left, right = "testdata/fixtures/diff/left/api.yaml", "testdata/fixtures/diff/right"

	same := func(t *testing.T, fromFile, fromStdin []string, stdin, path string) {
		t.Helper()
		code, want, _ := runWith(t, runOpts{}, fromFile...)
		got, stdout, stderr := runWith(t, runOpts{stdin: stdin}, fromStdin...)
		assert.Equal(t, code, got, stderr)
		require.NotEmpty(t, want)
		assert.Equal(t, want, strings.ReplaceAll(stdout, "<stdin>", path))
	}
	t.Run("convert -f -", func(t *testing.T) {
		same(t, []string{"convert", "-f", probes}, []string{"convert", "-f", "-"}, read(probes), probes)
	})
	t.Run("convert --config -", func(t *testing.T) {
		same(t, []string{"convert", "-f", hpa, "--config", hpaConfig}, []string{"convert", "-f", hpa, "--config", "-"}, read(hpaConfig), hpaConfig)
	})
	t.Run("diff - RIGHT", func(t *testing.T) {
		same(t, []string{"diff", left, right, "--format", "json"}, []string{"diff", "-", right, "--format", "json"}, read(left), left)
	})
	t.Run("diff LEFT -", func(t *testing.T) {
		same(t, []string{"diff", right, left, "--format", "json"}, []string{"diff", right, "-", "--format", "json"}, read(left), left)
	})
	t.Run("diff -o -", func(t *testing.T) {
		code, want, _ := runWith(t, runOpts{}, "diff", left, right, "--format", "json")
		got, stdout, _ := runWith(t, runOpts{}, "diff", left, right, "--format", "json", "-o", "-")
		assert.Equal(t, code, got)
		assert.Equal(t, want, stdout)
		assert.NoFileExists(t, "-")
	})
	t.Run("register -f - and --config -", func(t *testing.T) {
		endpoint := motoEnv(t)
		cfg := registerFixture(t, endpoint, "podecs-conventions-stdin")
		manifest := deployment(t, "conv-stdin", "nginx:1.27", 2, "t0k3n-s")
		aws := []string{"--create-cluster", "--dry-run", "--region", "us-east-1", "--endpoint-url", endpoint}
		fromFiles := append([]string{"register", "-f", manifest, "--config", cfg}, aws...)
		same(t, fromFiles, append([]string{"register", "-f", "-", "--config", cfg}, aws...), read(manifest), manifest)
		same(t, fromFiles, append([]string{"register", "-f", manifest, "--config", "-"}, aws...), read(cfg), cfg)
		code, stdout, _ := runWith(t, runOpts{}, fromFiles...)
		require.Equal(t, exitOK, code)
		assert.Contains(t, stdout, "conv-stdin")
	})

	for _, args := range [][]string{
		{"convert", "-f", "-", "--config", "-"},
		{"register", "-f", "-", "--config", "-"},
		{"diff", "-", right, "--config", "-"},
	} {
		t.Run("standard input twice: "+strings.Join(args, " "), func(t *testing.T) {
			code, stdout, stderr := runWith(t, runOpts{stdin: read(probes)}, args...)
			assert.Equal(t, exitBadInput, code)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, "both read standard input")
		})
	}
	code, stdout, stderr := runWith(t, runOpts{stdin: read(left)}, "diff", "-", "-")
	assert.Equal(t, exitBadInput, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "only one side can be read from standard input")
}

// TestErrorsOnStderr: a run that fails writes nothing on standard output, its error on standard
// error, and exits 2; usage errors included (urfave/cli would print the help on standard output).
func TestErrorsOnStderr(t *testing.T) {
	t.Chdir("../..")
	missing := filepath.Join(t.TempDir(), "missing.yaml")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"nosuchcommand"}, `unknown command "nosuchcommand" (see podecs --help)`},
		{[]string{"--bogus"}, "flag provided but not defined: -bogus (see podecs --help)"},
		{[]string{"convert"}, "-f PATH is required"},
		{[]string{"convert", "--bogus"}, "(see podecs convert --help)"},
		{[]string{"convert", "-f", missing}, "missing.yaml: no such file or directory"},
		{[]string{"convert", "-f", "testdata/fixtures/k8s/probes.yaml", "--kind", "cat"}, `--kind: "cat" is not pod or deployment`},
		{[]string{"register"}, "-f PATH is required"},
		{[]string{"register", "-f", "x", "--bogus"}, "(see podecs register --help)"},
		{[]string{"register", "-f", missing}, "missing.yaml: no such file or directory"},
		{[]string{"verify"}, "-f PATH is required"},
		{[]string{"verify", "-f", "x", "--bogus"}, "(see podecs verify --help)"},
		{[]string{"verify", "-f", missing}, "missing.yaml: no such file or directory"},
		{[]string{"verify", "-f", "testdata/fixtures/k8s/probes.yaml", "--format", "yaml"}, `--format: "yaml" is not text or json`},
		{[]string{"export"}, "name what to export"},
		{[]string{"export", "--bogus"}, "(see podecs export --help)"},
		{[]string{"diff", "testdata/fixtures/diff/left"}, "give two paths"},
		{[]string{"diff", missing, "testdata/fixtures/diff/right"}, "no such file or directory"},
		{[]string{"diff", "a", "b", "--bogus"}, "flag provided but not defined: --bogus"},
		{[]string{"explain", "no.such.field.anywhere"}, `no rule for "no.such.field.anywhere"`},
		{[]string{"explain", "stopTimeout", "--bogus"}, "flag provided but not defined: --bogus"},
		{[]string{"version", "extra"}, "version takes no arguments"},
		{[]string{"version", "--output", "yaml"}, `--output "yaml": use text or json`},
		{[]string{"completion"}, "completion takes one shell"},
		{[]string{"completion", "tcsh"}, `no completion for shell "tcsh"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := runWith(t, runOpts{}, tt.args...)
			assert.Equal(t, exitBadInput, code)
			assert.Empty(t, stdout, "nothing on standard output")
			assert.True(t, strings.HasPrefix(stderr, "podecs: "), stderr)
			assert.Contains(t, stderr, tt.want)
		})
	}
}

// TestResultsOnStdout: what a successful run writes on standard output is the result and nothing
// else: JSON documents that decode, one after another.
func TestResultsOnStdout(t *testing.T) {
	t.Chdir("../..")
	for _, args := range [][]string{
		{"convert", "-f", "testdata/fixtures/k8s/hpa.yaml", "-v"},
		{"explain", "stopTimeout", "--output", "json", "-v"},
		{"diff", "testdata/fixtures/diff/left", "testdata/fixtures/diff/right", "--format", "json", "-v"},
		{"version", "--output", "json", "-v"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			_, stdout, _ := runWith(t, runOpts{}, args...)
			dec := json.NewDecoder(strings.NewReader(stdout))
			n := 0
			for {
				var v any
				err := dec.Decode(&v)
				if err == io.EOF {
					break
				}
				require.NoError(t, err, "standard output holds JSON only")
				n++
			}
			assert.Positive(t, n)
		})
	}
}

// TestExitCodes checks each row of the exit code table against what the commands do.
func TestExitCodes(t *testing.T) {
	t.Chdir("../..")
	const left, right, diffConfig = "testdata/fixtures/diff/left", "testdata/fixtures/diff/right", "testdata/fixtures/diff/config.yaml"
	out := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"convert without --strict", []string{"convert", "-f", "testdata/fixtures/k8s/probes.yaml"}, exitOK},
		{"convert --strict and lossy findings", []string{"convert", "-f", "testdata/fixtures/k8s/probes.yaml", "--strict", "-o", out}, exitFindings},
		{"diff of equal sides", []string{"diff", left, left, "--config", diffConfig}, exitOK},
		{"diff of different sides", []string{"diff", left, right, "--config", diffConfig}, exitFindings},
		{"explain", []string{"explain"}, exitOK},
		{"help", []string{"--help"}, exitOK},
		{"no command", nil, exitOK},
		{"command help", []string{"convert", "--help"}, exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runWith(t, runOpts{}, tt.args...)
			assert.Equal(t, tt.code, code, stderr)
		})
	}
	assert.FileExists(t, filepath.Join(out, "probes.taskdef.json"), "--strict still writes the files")

	t.Run("register and export failures", func(t *testing.T) {
		endpoint := motoEnv(t)
		aws := []string{"--region", "us-east-1", "--endpoint-url", endpoint}
		manifest := deployment(t, "conv-fail", "nginx:1.27", 1, "t0k3n-f")
		code, stdout, stderr := runWith(t, runOpts{}, append([]string{"register", "-f", manifest, "--cluster", "podecs-no-such-cluster"}, aws...)...)
		assert.Equal(t, exitBadInput, code)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, "podecs-no-such-cluster not found")
		code, stdout, stderr = runWith(t, runOpts{}, append([]string{"verify", "-f", manifest, "--cluster", "podecs-no-such-cluster"}, aws...)...)
		assert.Equal(t, exitBadInput, code, "verify: a check fails")
		assert.Contains(t, stdout, "  fail ")
		assert.Contains(t, stderr, "podecs: verify: ")
		code, stdout, stderr = runWith(t, runOpts{}, append([]string{"export", "--cluster", "podecs-no-such-cluster", "--service", "none"}, aws...)...)
		assert.Equal(t, exitBadInput, code)
		assert.Empty(t, stdout)
		assert.True(t, strings.HasPrefix(stderr, "podecs: export: "), stderr)
	})
}

// TestExitCodeTableInReadme: README.md's "Exit codes" section shows the exit codes of the help
// text, as a table.
func TestExitCodeTableInReadme(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(readme), "\n### Exit codes\n")
	require.True(t, ok, "README.md has an Exit codes section")
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	table := "| code | meaning |\n|---|---|\n"
	for _, e := range exitCodes {
		table += fmt.Sprintf("| %d | %s |\n", e.Code, e.Meaning)
	}
	assert.Contains(t, section, table)
	assert.Contains(t, newApp(docStreams()).Description, exitCodeList())
	assert.Contains(t, exitCodeList(), "\n    2    a usage error")
}

// TestTrailingFlags: flags after the arguments are parsed as flags, the last one winning; "--"
// ends them and "-" is an argument.
func TestTrailingFlags(t *testing.T) {
	tests := []struct {
		args []string
		json bool
		err  string
	}{
		{[]string{"explain", "stopTimeout"}, false, ""},
		{[]string{"explain", "stopTimeout", "--output", "json"}, true, ""},
		{[]string{"explain", "stopTimeout", "-output=json"}, true, ""},
		{[]string{"explain", "--output=json", "stopTimeout", "--output", "text"}, false, ""},
		{[]string{"explain", "stopTimeout", "-q", "--output", "json", "--no-color"}, true, ""},
		{[]string{"explain", "stopTimeout", "--outputs", "json"}, false, "flag provided but not defined: --outputs"},
		{[]string{"explain", "stopTimeout", "--output"}, false, "flag needs an argument: --output"},
		{[]string{"explain", "stopTimeout", "--", "--output"}, false, "explain takes one PATH, got 2"},
		{[]string{"version", "--output", "json"}, true, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := runWith(t, runOpts{}, tt.args...)
			if tt.err != "" {
				assert.Equal(t, exitBadInput, code)
				assert.Contains(t, stderr, tt.err)
				return
			}
			require.Equal(t, exitOK, code, stderr)
			assert.Equal(t, tt.json, json.Valid([]byte(stdout)), stdout)
		})
	}
}

// TestConvertDescriptionNamesOutputs: the help of convert names every kind of file the golden
// conversions write (N.taskdef.json, N-2.schedule.json, N.yaml, ...).
func TestConvertDescriptionNamesOutputs(t *testing.T) {
	t.Chdir("../..")
	var desc string
	for _, c := range newApp(docStreams()).Commands {
		if c.Name == "convert" {
			desc = c.Description
		}
	}
	files, err := filepath.Glob("testdata/fixtures/ecs/golden/*")
	require.NoError(t, err)
	nested, err := filepath.Glob("testdata/fixtures/k8s/golden/*/*")
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, f := range append(files, nested...) {
		name := filepath.Base(f)
		dot := strings.Index(name, ".")
		if dot < 0 || strings.HasSuffix(name, ".txt") {
			continue
		}
		kind := "N" + name[dot:]
		if strings.HasSuffix(name[:dot], "-2") {
			kind = "N-2" + name[dot:]
		}
		seen[kind] = true
	}
	require.Subset(t, keys(seen), []string{"N.taskdef.json", "N.service.json", "N.runtask.json", "N.schedule.json", "N-2.schedule.json", "N.scaling.json", "N.targetgroup.json", "N.yaml"})
	for kind := range seen {
		assert.Contains(t, desc, "DIR/"+kind, "convert --help names %s", kind)
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
