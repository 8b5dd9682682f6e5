package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podecs/podecs/diff"
	"github.com/podecs/podecs/internal/motoserver"
)

const (
	diffFixtures = "testdata/fixtures/diff"
	diffConfig   = diffFixtures + "/config.yaml"
)

// TestDiffMatchesGoldenReports: the command prints the golden reports of the diff package, in
// every format, and exits 1 because the fixture sides differ.
func TestDiffMatchesGoldenReports(t *testing.T) {
	t.Chdir("../..")
	ext := map[string]string{"text": "txt", "json": "json", "markdown": "md", "html": "html"}
	for format, e := range ext {
		t.Run(format, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", "diff", diffFixtures+"/left", diffFixtures+"/right", "--config", diffConfig, "--format", format)
			assert.Equal(t, exitDifferences, code, stderr)
			assert.Empty(t, stderr)
			want, err := os.ReadFile(filepath.Join(diffFixtures, "golden", "report."+e))
			require.NoError(t, err)
			assert.Equal(t, string(want), stdout)
		})
	}
}

func TestDiffExitCodes(t *testing.T) {
	t.Chdir("../..")
	tests := []struct {
		name       string
		args       []string
		stdin      string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"a manifest equals its conversion", []string{"diff", "testdata/fixtures/k8s/deployment-rolling.yaml", "testdata/fixtures/k8s/golden/deployment-rolling", "--config", "testdata/fixtures/k8s/deployment-rolling.config.yaml"},
			"", exitOK, "1 workload: 1 equal, 0 different, 0 only in left, 0 only in right; 0 differences\n", ""},
		{"flags before the paths", []string{"diff", "--config", diffConfig, "--format=json", diffFixtures + "/left", diffFixtures + "/right"},
			"", exitDifferences, `"differences": 29`, ""},
		{"standard input on one side", []string{"diff", "-", "testdata/fixtures/k8s/golden/pod-single"},
			"apiVersion: v1\nkind: Pod\nmetadata: {name: hello}\nspec:\n  containers: [{name: hello, image: nginx}]\n", exitDifferences, "containers[hello]", ""},
		{"one path without --cluster", []string{"diff", diffFixtures + "/left"}, "", exitBadInput, "", "give two paths, LEFT and RIGHT, or LEFT and --cluster NAME (got 1 arguments)"},
		{"two paths with --cluster", []string{"diff", "a", "b", "--cluster", "prod"}, "", exitBadInput, "", "with --cluster give one path, LEFT (got 2 arguments)"},
		{"--service without --cluster", []string{"diff", "a", "b", "--service", "web"}, "", exitBadInput, "", "--service, --region, --profile and --endpoint-url need --cluster"},
		{"unknown format", []string{"diff", "a", "b", "--format", "yaml"}, "", exitBadInput, "", `--format: unknown format "yaml"`},
		{"unknown trailing flag", []string{"diff", "a", "b", "--colour"}, "", exitBadInput, "", "flag provided but not defined: --colour"},
		{"trailing flag without value", []string{"diff", "a", "b", "--format"}, "", exitBadInput, "", "flag needs an argument: --format"},
		{"missing path", []string{"diff", "no/such/dir", diffFixtures + "/right"}, "", exitBadInput, "", "no/such/dir"},
		{"both sides from stdin", []string{"diff", "-", "-"}, "", exitBadInput, "", "only one side can be read from standard input"},
		{"a document that cannot be used", []string{"diff", "-", diffFixtures + "/right"}, `{"family": "x", "containerDefinitions": [{"name": "x", "imag": "y"}]}`,
			exitBadInput, "", `error: <stdin>: doc 1 TaskDefinition/x: containerDefinitions[0].imag: unknown field (did you mean "image"?)`},
		{"a workload that cannot be converted", []string{"diff", "-", diffFixtures + "/right"}, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {template: {spec: {containers: []}}}\n",
			exitBadInput, "", "<stdin>: 1 document(s) could not be compared"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.stdin, tt.args...)
			assert.Equal(t, tt.wantCode, code, "stdout: %s\nstderr: %s", stdout, stderr)
			if tt.wantStdout != "" {
				assert.Contains(t, stdout, tt.wantStdout)
			}
			if tt.wantStderr != "" {
				assert.Contains(t, stderr, tt.wantStderr)
			}
			if tt.wantCode == exitBadInput {
				assert.Empty(t, stdout, "no report when a side cannot be read")
			}
		})
	}
}

func TestDiffOutputFile(t *testing.T) {
	t.Chdir("../..")
	out := filepath.Join(t.TempDir(), "report.html")
	code, stdout, stderr := runCLI(t, "", "diff", diffFixtures+"/left", diffFixtures+"/right", "--config", diffConfig, "--format", "html", "-o", out)
	assert.Equal(t, exitDifferences, code, stderr)
	assert.Empty(t, stdout)
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	want, err := os.ReadFile(filepath.Join(diffFixtures, "golden", "report.html"))
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
}

func TestDiffColour(t *testing.T) {
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	require.NoError(t, err)
	defer devNull.Close()
	regular, err := os.Create(filepath.Join(t.TempDir(), "out.txt"))
	require.NoError(t, err)
	defer regular.Close()
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	tests := []struct {
		name string
		out  *os.File
		o    diffOptions
		env  func(string) string
		want bool
	}{
		// /dev/null is a character device, as a terminal is.
		{"character device", devNull, diffOptions{}, env(), true},
		{"NO_COLOR", devNull, diffOptions{}, env("NO_COLOR", "1"), false},
		{"empty NO_COLOR does not count", devNull, diffOptions{}, env("NO_COLOR", ""), true},
		{"--no-color", devNull, diffOptions{NoColor: true}, env(), false},
		{"-o FILE", devNull, diffOptions{Output: filepath.Join(t.TempDir(), "r.txt")}, env(), false},
		{"regular file", regular, diffOptions{}, env(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, diffUseColor(tt.o, streams{Out: tt.out, Getenv: tt.env}))
		})
	}
	assert.False(t, isTerminal(&bytes.Buffer{}))
}

// TestDiffLive compares manifests with what runs in moto: a task definition that is equal, a
// service whose only differences are the members moto does not store, a changed image, a workload
// missing from the cluster, and --service narrowing the comparison.
func TestDiffLive(t *testing.T) {
	endpoint := motoserver.Endpoint(t)
	motoserver.RequireAWSCLI(t)
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_ECS", "AWS_DEFAULT_REGION", "AWS_SESSION_TOKEN"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_REGION", "")
	dir := t.TempDir()
	const cluster = "podecs-diff-live"

	vpc := awsCLI(t, endpoint, "ec2", "create-vpc", "--cidr-block", "10.1.0.0/16")["Vpc"].(map[string]any)["VpcId"].(string)
	subnet := awsCLI(t, endpoint, "ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.1.1.0/24")["Subnet"].(map[string]any)["SubnetId"].(string)
	sg := awsCLI(t, endpoint, "ec2", "create-security-group", "--group-name", "podecs-diff-live", "--description", "podecs diff test", "--vpc-id", vpc)["GroupId"].(string)
	cfg := writeTestFile(t, dir, "config.yaml", "cluster: "+cluster+"\nregion: us-east-1\nnetwork:\n  subnets: ["+subnet+"]\n  securityGroups: ["+sg+"]\n")
	web := writeTestFile(t, dir, "k8s/web.yaml", `apiVersion: apps/v1
kind: Deployment
metadata: {name: difflive-web, labels: {app: difflive-web}}
spec:
  replicas: 1
  selector: {matchLabels: {app: difflive-web}}
  template:
    metadata: {labels: {app: difflive-web}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports: [{containerPort: 80}]
          env: [{name: MODE, value: live}]
          resources: {requests: {cpu: 250m, memory: 512Mi}}
`)
	batch := writeTestFile(t, dir, "k8s/batch.yaml", `apiVersion: v1
kind: Pod
metadata: {name: difflive-batch}
spec:
  containers:
    - name: batch
      image: busybox:1.36
      command: [sh, -c, "echo done"]
`)
	gone := writeTestFile(t, dir, "gone.yaml", `apiVersion: apps/v1
kind: Deployment
metadata: {name: difflive-gone}
spec:
  selector: {matchLabels: {app: gone}}
  template:
    metadata: {labels: {app: gone}}
    spec: {containers: [{name: gone, image: nginx}]}
`)

	// What runs: the conversion of the manifests, registered and created with the awscli.
	out := filepath.Join(dir, "out")
	code, _, stderr := runCLI(t, "", "convert", "-f", filepath.Join(dir, "k8s"), "--config", cfg, "-o", out)
	require.Equal(t, exitOK, code, stderr)
	awsCLI(t, endpoint, "ecs", "create-cluster", "--cluster-name", cluster)
	for _, f := range []string{"difflive-web.taskdef.json", "difflive-batch.taskdef.json"} {
		awsCLI(t, endpoint, "ecs", "register-task-definition", "--cli-input-json", "file://"+filepath.Join(out, f))
	}
	awsCLI(t, endpoint, "ecs", "create-service", "--cli-input-json", "file://"+filepath.Join(out, "difflive-web.service.json"))

	live := func(t *testing.T, wantCode int, args ...string) diff.Report {
		t.Helper()
		args = append([]string{"diff"}, args...)
		args = append(args, "--cluster", cluster, "--config", cfg, "--region", "us-east-1", "--endpoint-url", endpoint, "--format", "json")
		code, stdout, stderr := runCLI(t, "", args...)
		require.Equal(t, wantCode, code, "stdout: %s\nstderr: %s", stdout, stderr)
		var rep diff.Report
		require.NoError(t, json.Unmarshal([]byte(stdout), &rep), stdout)
		assert.Equal(t, "ecs cluster "+cluster, rep.Right)
		return rep
	}
	byName := func(rep diff.Report) map[string]diff.WorkloadDiff {
		m := map[string]diff.WorkloadDiff{}
		for _, w := range rep.Workloads {
			m[w.Name] = w
		}
		return m
	}

	t.Run("equal task definition", func(t *testing.T) {
		rep := live(t, exitOK, batch)
		assert.Equal(t, diff.Summary{Workloads: 1, Equal: 1}, rep.Summary)
		require.Len(t, rep.Workloads, 1)
		assert.Equal(t, []string{"arn:aws:ecs:us-east-1:123456789012:task-definition/difflive-batch:1"}, rep.Workloads[0].RightSources)
	})
	t.Run("service", func(t *testing.T) {
		rep := live(t, exitDifferences, web)
		w := byName(rep)["difflive-web"]
		require.Equal(t, diff.StatusDifferent, w.Status)
		assert.Contains(t, w.RightSources, "arn:aws:ecs:us-east-1:123456789012:service/"+cluster+"/difflive-web")
		// moto keeps neither the deploymentConfiguration nor enableECSManagedTags of CreateService (with
		// one replica the rollout percentages are ECS's defaults, 200 and 100); everything else
		// (cluster and task definition ARNs, tags, defaults) compares equal.
		assert.Equal(t, []diff.Difference{
			{Path: "deploymentConfiguration.deploymentCircuitBreaker", Left: `{"enable":true,"rollback":false}`},
			{Path: "enableECSManagedTags", Left: "true", Right: "false"},
		}, w.Differences)
	})
	t.Run("missing from the cluster", func(t *testing.T) {
		rep := live(t, exitDifferences, gone)
		assert.Equal(t, diff.Summary{Workloads: 1, OnlyLeft: 1}, rep.Summary)
	})
	t.Run("--service narrows both sides", func(t *testing.T) {
		rep := live(t, exitDifferences, filepath.Join(dir, "k8s"), "--service", "difflive-web", "--service", "not-there")
		assert.Equal(t, []string{"difflive-web"}, workloadNames(rep))
	})
	t.Run("changed image", func(t *testing.T) {
		data, err := os.ReadFile(filepath.Join(out, "difflive-batch.taskdef.json"))
		require.NoError(t, err)
		changed := writeTestFile(t, dir, "batch-v2.json", strings.Replace(string(data), "busybox:1.36", "busybox:1.37", 1))
		awsCLI(t, endpoint, "ecs", "register-task-definition", "--cli-input-json", "file://"+changed)
		rep := live(t, exitDifferences, batch)
		w := byName(rep)["difflive-batch"]
		assert.Equal(t, []diff.Difference{{Path: "containers[batch].image", Left: "busybox:1.36", Right: "busybox:1.37"}}, w.Differences)
		assert.Equal(t, []string{"arn:aws:ecs:us-east-1:123456789012:task-definition/difflive-batch:2"}, w.RightSources)
	})
	t.Run("unreachable endpoint", func(t *testing.T) {
		code, stdout, stderr := runCLI(t, "", "diff", batch, "--cluster", cluster, "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:1")
		assert.Equal(t, exitBadInput, code)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, "describe task definition difflive-batch")
	})
}

func workloadNames(rep diff.Report) []string {
	var out []string
	for _, w := range rep.Workloads {
		out = append(out, w.Name)
	}
	return out
}

func writeTestFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}
