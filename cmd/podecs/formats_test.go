package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// formatFixtures are the fixtures each output format is checked on, one or more per kind: the
// Kubernetes ones for terraform and cloudformation, the ECS ones for helm and kustomize.
var formatFixtures = map[string][]string{
	"terraform":      k8sKindFixtures,
	"cloudformation": k8sKindFixtures,
	"helm":           ecsKindFixtures,
	"kustomize":      ecsKindFixtures,
}

var (
	// Deployment+Service, StatefulSet, DaemonSet, Job, CronJob, HPA, load-balanced Service,
	// Service Connect, Secrets without ARNs in --config, files from ConfigMap and Secret volumes
	// (the files container) on Fargate and EC2, and a batch under --launch-type auto (launchType:
	// auto in its config), each service and schedule on its workload's launch type.
	k8sKindFixtures = []string{"deployment-rolling", "statefulset-claims", "daemonset", "job-runtask", "cronjob-schedule", "hpa", "service-loadbalancer", "service-connect", "job-cronjob", "secrets-configmaps", "files", "files-ec2", "launch-auto"}
	// Deployment+Service with Service Connect, load balancer and autoscaler (catalog), DaemonSet
	// (node-agent), CronJob (nightly-export), a Pod (fargate-web), secrets (cms, billing).
	ecsKindFixtures = []string{"catalog", "node-agent", "nightly-export", "fargate-web", "cms", "billing", "queue-consumer"}
)

// formatArgs are the arguments that convert a fixture in a format into dir.
func formatArgs(t *testing.T, format, fixture, dir string) []string {
	t.Helper()
	if format == "terraform" || format == "cloudformation" {
		args, ok := k8sFixtures(t)[fixture]
		require.True(t, ok, fixture)
		return append(args, "--format", format, "-o", dir)
	}
	args := []string{"convert", "--format", format, "-o", dir}
	files, err := filepath.Glob("testdata/fixtures/ecs/" + fixture + "*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files, fixture)
	for _, f := range files {
		args = append(args, "-f", f)
	}
	return args
}

// TestGoldenFormats converts the fixtures of each kind in each output format and compares every
// file written, and the findings, with the golden copies under testdata/fixtures/formats
// (go test ./cmd/podecs -run GoldenFormats -update rewrites them).
func TestGoldenFormats(t *testing.T) {
	t.Chdir("../..")
	for format, fixtures := range formatFixtures {
		for _, fixture := range fixtures {
			t.Run(format+"/"+fixture, func(t *testing.T) {
				out := filepath.Join(t.TempDir(), fixture) // the chart's name
				code, stdout, stderr := runCLI(t, "", formatArgs(t, format, fixture, out)...)
				assert.Empty(t, stdout)
				got := readTree(t, out)
				got["findings.txt"] = fmt.Sprintf("exit %d\n%s", code, strings.ReplaceAll(stderr, out, "OUT"))
				golden := filepath.Join("testdata/fixtures/formats", format, fixture)
				if *update {
					require.NoError(t, os.RemoveAll(golden))
					for f, data := range got {
						require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(golden, f)), 0o755))
						require.NoError(t, os.WriteFile(filepath.Join(golden, f), []byte(data), 0o644))
					}
					return
				}
				want := readTree(t, golden)
				assert.Equal(t, sortedNames(want), sortedNames(got), "files written")
				for f := range want {
					assert.Equal(t, want[f], got[f], "%s differs from the golden copy (run with -update and review the diff)", f)
				}
			})
		}
	}
}

// readTree reads every file under dir, by slash-separated relative path.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(data)
		return nil
	}))
	return out
}

// TestFormatUsageErrors: a format that does not apply to a document's direction, a multi-file
// format without -o, --output-format with another format: each is exit 2 with a message naming
// both, and nothing is written.
func TestFormatUsageErrors(t *testing.T) {
	t.Chdir("../..")
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"terraform with ECS input", []string{"convert", "--format", "terraform", "-f", "testdata/fixtures/ecs/catalog.taskdef.json"}, []string{"--format terraform", "catalog.taskdef.json: doc 1", "converts to Kubernetes"}},
		{"cloudformation with ECS input", []string{"convert", "--format", "cloudformation", "-f", "testdata/fixtures/ecs/catalog.service.json"}, []string{"--format cloudformation", "catalog.service.json", "converts to Kubernetes"}},
		{"helm with Kubernetes input", []string{"convert", "--format", "helm", "-f", "testdata/fixtures/k8s/hpa.yaml"}, []string{"--format helm", "hpa.yaml: doc 1 Deployment/api", "converts to ECS"}},
		{"kustomize with Kubernetes input", []string{"convert", "--format", "kustomize", "-f", "testdata/fixtures/k8s/daemonset.yaml"}, []string{"--format kustomize", "DaemonSet", "converts to ECS"}},
		{"terraform without -o", []string{"convert", "--format", "terraform", "-f", "testdata/fixtures/k8s/hpa.yaml"}, []string{"-o DIR"}},
		{"unknown format", []string{"convert", "--format", "pulumi", "-f", "testdata/fixtures/k8s/hpa.yaml"}, []string{`"pulumi" is not one of api, terraform, cloudformation, helm, kustomize`}},
		{"json for terraform", []string{"convert", "--format", "terraform", "--output-format", "json", "-f", "testdata/fixtures/k8s/hpa.yaml"}, []string{"--output-format json applies to --format cloudformation only"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := t.TempDir()
			args := c.args
			if !strings.Contains(c.name, "without -o") {
				args = append(args, "-o", out)
			}
			code, stdout, stderr := runCLI(t, "", args...)
			assert.Equal(t, 2, code, stderr)
			assert.Empty(t, stdout)
			for _, w := range c.want {
				assert.Contains(t, stderr, w)
			}
			assert.Empty(t, readTree(t, out), "nothing is written")
		})
	}
}

// TestCloudFormationStdout: without -o the template goes to standard output, the same bytes as
// the file; JSON with --output-format json.
func TestCloudFormationStdout(t *testing.T) {
	t.Chdir("../..")
	for _, of := range []string{"yaml", "json"} {
		t.Run(of, func(t *testing.T) {
			out := t.TempDir()
			args := []string{"convert", "-f", "testdata/fixtures/k8s/service-connect.yaml", "--config", "testdata/fixtures/k8s/service-connect.config.yaml", "--format", "cloudformation", "--output-format", of}
			code, stdout, stderr := runCLI(t, "", args...)
			require.Equal(t, 0, code, stderr)
			code, _, stderr = runCLI(t, "", append(args, "-o", out)...)
			require.Equal(t, 0, code, stderr)
			assert.Equal(t, readTree(t, out)["template."+of], stdout)
		})
	}
}

// TestFormatsSkipFailedDocuments: a document that cannot be converted is left out of the
// run's files, the others are written, and the exit status is 2, as with the api format.
func TestFormatsSkipFailedDocuments(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.yaml")
	require.NoError(t, os.WriteFile(in, []byte(`apiVersion: apps/v1
kind: Deployment
metadata: {name: good}
spec:
  selector: {matchLabels: {app: good}}
  template:
    metadata: {labels: {app: good}}
    spec:
      containers: [{name: app, image: nginx:1.27}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: bad}
spec:
  replicas: -1
  selector: {matchLabels: {app: bad}}
  template:
    metadata: {labels: {app: bad}}
    spec:
      containers: [{name: app, image: nginx:1.27}]
`), 0o644))
	out := filepath.Join(dir, "out")
	code, _, stderr := runCLI(t, "", "convert", "-f", in, "--format", "terraform", "-o", out)
	assert.Equal(t, 2, code, stderr)
	main := readTree(t, out)["main.tf"]
	assert.Contains(t, main, `resource "aws_ecs_service" "good"`)
	assert.NotContains(t, main, `"bad"`)
}

// TestFormatDocsExamples: every example in docs/ marked <!-- example: PATH --> is the golden file
// at PATH, so that the pages show what podecs writes now.
func TestFormatDocsExamples(t *testing.T) {
	t.Chdir("../..")
	checked := 0
	for _, page := range []string{"docs/terraform.md", "docs/cloudformation.md", "docs/helm.md", "docs/kustomize.md"} {
		data, err := os.ReadFile(page)
		require.NoError(t, err)
		parts := strings.Split(string(data), "<!-- example: ")
		for _, p := range parts[1:] {
			path, rest, ok := strings.Cut(p, " -->\n```")
			require.True(t, ok, "%s: an example marker without a code block", page)
			_, body, _ := strings.Cut(rest, "\n")
			body, _, ok = strings.Cut(body, "```\n")
			require.True(t, ok, "%s: %s: unterminated code block", page, path)
			want, err := os.ReadFile(path)
			require.NoError(t, err, "%s names %s", page, path)
			assert.Equal(t, string(want), body, "%s: the example of %s is stale", page, path)
			checked++
		}
	}
	assert.GreaterOrEqual(t, checked, 8)
}

// TestFormatRenderErrorIsADocumentError: a workload the format cannot write (here a service whose
// podecs.io/service annotation restores VPC Lattice, which CloudFormation has no property for) is
// an error naming the document and the member, exit 2; the other workloads are written.
func TestFormatRenderErrorIsADocumentError(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.yaml")
	require.NoError(t, os.WriteFile(in, []byte(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: lattice
  annotations:
    podecs.io/service: '{"vpcLatticeConfigurations":{"ecs":[{"roleArn":"arn:aws:iam::123456789012:role/lattice","targetGroupArn":"arn:aws:vpc-lattice:us-east-1:123456789012:targetgroup/tg-0123456789abcdef0","portName":"http"}]}}'
spec:
  selector: {matchLabels: {app: lattice}}
  template:
    metadata: {labels: {app: lattice}}
    spec:
      containers: [{name: app, image: "nginx:1.27", ports: [{name: http, containerPort: 80}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: plain}
spec:
  selector: {matchLabels: {app: plain}}
  template:
    metadata: {labels: {app: plain}}
    spec:
      containers: [{name: app, image: "nginx:1.27"}]
`), 0o644))
	out := filepath.Join(dir, "out")
	report := filepath.Join(dir, "report.json")
	code, _, stderr := runCLI(t, "", "convert", "-f", in, "--format", "cloudformation", "-o", out, "--report", report)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "error: "+in+": doc 1 Deployment/lattice: cloudformation: volumeConfigurations and vpcLatticeConfigurations have no CloudFormation property")
	tpl := readTree(t, out)["template.yaml"]
	assert.Contains(t, tpl, "PlainService:")
	assert.NotContains(t, tpl, "Lattice")
	data, err := os.ReadFile(report)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"failures": [`)
	assert.Contains(t, string(data), "vpcLatticeConfigurations")
}
