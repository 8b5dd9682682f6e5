package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runCLIEnv runs podecs in-process with an environment.
func runCLIEnv(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	s := streams{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(k string) string { return env[k] }, LookupEnv: lookup}
	code = run(append([]string{"podecs"}, args...), s)
	return code, out.String(), errb.String()
}

const sources = "testdata/fixtures/sources"

// sourceRuns are the source fixtures as the CLI reads them, and the directory of the same
// definitions as API JSON.
var sourceRuns = map[string]struct {
	args []string
	env  map[string]string
	api  string
}{
	"console":        {args: []string{"-f", sources + "/console"}, api: sources + "/api/console"},
	"cloudformation": {args: []string{"-f", sources + "/cloudformation/payments.yaml", "--parameter", "ImageTag=3.2.0", "--parameter", "AWS::AccountId=123456789012", "--region", "eu-central-1"}, api: sources + "/api/cloudformation"},
	"cdk":            {args: []string{"-f", sources + "/cdk/cdk.out", "--parameter", "AWS::AccountId=123456789012", "--region", "us-east-1"}, api: sources + "/api/cdk"},
	"terraform":      {args: []string{"-f", sources + "/terraform", "--var-file", sources + "/terraform/prod.tfvars"}, api: sources + "/api/terraform"},
	"ecspresso":      {args: []string{"-f", sources + "/ecspresso"}, env: map[string]string{"IMAGE_TAG": "1.8.0", "APP_ENV": "staging"}, api: sources + "/api/ecspresso"},
}

// TestGoldenSources converts every source fixture and compares the files and findings with the
// golden copies (-update rewrites them), and the manifests with those of the API JSON, byte for
// byte.
func TestGoldenSources(t *testing.T) {
	t.Chdir("../..")
	for name, r := range sourceRuns {
		t.Run(name, func(t *testing.T) {
			out := t.TempDir()
			code, stdout, stderr := runCLIEnv(t, r.env, append(r.args, "-o", out)...)
			assert.Empty(t, stdout)
			got := readDir(t, out)
			apiOut := t.TempDir()
			apiCode, _, apiStderr := runCLIEnv(t, nil, "convert", "-f", r.api, "-o", apiOut)
			require.Equal(t, 0, apiCode, apiStderr)
			assert.Equal(t, readDir(t, apiOut), got, "the manifests are those of the API JSON")
			got["findings.txt"] = fmt.Sprintf("exit %d\n%s", code, strings.ReplaceAll(stderr, out, "OUT"))
			golden := filepath.Join(sources, "golden", name)
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

func init() {
	for name, r := range sourceRuns {
		r.args = append([]string{"convert"}, r.args...)
		sourceRuns[name] = r
	}
}

// TestSourcesInOneBatch reads every source in one run, with a report: the workloads of all of
// them convert, and the report names the resource of each finding from a template or module.
func TestSourcesInOneBatch(t *testing.T) {
	t.Chdir("../..")
	args := []string{"convert", "--parameter", "ImageTag=3.2.0", "--parameter", "AWS::AccountId=123456789012", "--region", "eu-central-1",
		"--var-file", sources + "/terraform/prod.tfvars"}
	for _, n := range []string{"console", "cloudformation", "terraform", "ecspresso"} {
		args = append(args, "-f", sources+"/"+n)
	}
	out, report := t.TempDir(), filepath.Join(t.TempDir(), "report.json")
	code, _, stderr := runCLIEnv(t, map[string]string{"IMAGE_TAG": "1.8.0", "APP_ENV": "staging"}, append(args, "-o", out, "--report", report)...)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, []string{"api.yaml", "orders.yaml", "payments.yaml", "queue-worker.yaml"}, sortedNames(readDir(t, out)))
	var rep struct {
		Findings []struct{ File, Resource, Path, Level string }
	}
	data, err := os.ReadFile(report)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &rep))
	resources := map[string]bool{}
	for _, f := range rep.Findings {
		resources[f.Resource] = true
	}
	assert.True(t, resources["aws_ecs_task_definition.app"], "Terraform resources are named")
	assert.True(t, resources["Resources.TaskDefinition"], "CloudFormation resources are named")

	code, _, _ = runCLIEnv(t, map[string]string{"IMAGE_TAG": "1.8.0", "APP_ENV": "staging"}, append(args, "-o", t.TempDir(), "--strict", "-q")...)
	assert.Equal(t, exitFindings, code, "placeholders are lossy: --strict fails")
}

// TestSourcesBadInput: a source that looks right but is broken is an error naming the file and
// the place, exit 2, nothing written for it; the rest of the batch converts.
func TestSourcesBadInput(t *testing.T) {
	t.Chdir("../..")
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(data), 0o644))
		return p
	}
	hcl := write("tf/main.tf", "resource \"aws_ecs_task_definition\" \"app\" {\n  family = \"app\"\n  container_definitions = jsonencode([{ name = \"app\", image = \"nginx\" }]\n}\n")
	ref := write("stack.yaml", "Resources:\n  Task:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      Family: web\n      ContainerDefinitions:\n        - Name: web\n          Image: !Ref ImageTag\n")
	write("jn/td.jsonnet", "{\n  family: 'web',\n  containerDefinitions: [{ name: 'web', image: 'nginx' + }],\n}\n")
	jn := write("jn/ecspresso.yml", "service: web\ntask_definition: td.jsonnet\n")
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want []string
	}{
		{"HCL syntax error", []string{"-f", filepath.Dir(hcl)}, nil, []string{"tf/main.tf: line 4: Missing argument separator"}},
		{"Ref to an unknown parameter", []string{"-f", ref}, nil, []string{"stack.yaml: Resources.Task: Properties.ContainerDefinitions[0].Image: line 8: Ref ImageTag: the template has no parameter or resource of that name"}},
		{"Jsonnet error", []string{"-f", jn}, nil, []string{"jn/td.jsonnet: doc 1: evaluating Jsonnet: ", "td.jsonnet:3:58-59 Unexpected: \"}\""}},
		{"must_env unset in Jsonnet", []string{"-f", sources + "/ecspresso"}, map[string]string{"APP_ENV": "x"},
			[]string{"ecspresso/ecs-task-def.jsonnet: doc 1: evaluating Jsonnet: ", "ecs-task-def.jsonnet:15:", "must_env: the environment variable IMAGE_TAG is not set"}},
		{"must_env unset in a template", []string{"-f", sources + "/ecspresso"}, map[string]string{"IMAGE_TAG": "1"},
			[]string{"ecs-task-def.jsonnet: doc 1: in the JSON the Jsonnet gives, line 11: {{ must_env `APP_ENV` }}: the environment variable APP_ENV is not set"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := t.TempDir()
			args := append([]string{"convert", "-o", out, "-f", sources + "/console"}, c.args...)
			code, _, stderr := runCLIEnv(t, c.env, args...)
			assert.Equal(t, exitBadInput, code)
			for _, w := range c.want {
				assert.Contains(t, stderr, w)
			}
			assert.NotContains(t, stderr, "panic")
			assert.Equal(t, []string{"queue-worker.yaml"}, sortedNames(readDir(t, out)), "only the good input is written")
		})
	}
}

// TestDiffAcrossSources compares each source with its API JSON: no differences, exit 0.
func TestDiffAcrossSources(t *testing.T) {
	t.Chdir("../..")
	for name, r := range sourceRuns {
		t.Run(name, func(t *testing.T) {
			var left []string
			var flags []string
			for i := 1; i < len(r.args); i++ {
				if r.args[i] == "-f" {
					left = append(left, r.args[i+1])
					i++
					continue
				}
				if r.args[i] == "--region" {
					flags = append(flags, "--config", writeRegionConfig(t, r.args[i+1]))
					i++
					continue
				}
				flags = append(flags, r.args[i])
			}
			args := append([]string{"diff", left[0], r.api}, flags...)
			code, stdout, stderr := runCLIEnv(t, r.env, args...)
			assert.Equal(t, 0, code, "%s\n%s", stdout, stderr)
		})
	}
}

func writeRegionConfig(t *testing.T, region string) string {
	p := filepath.Join(t.TempDir(), "podecs.yaml")
	require.NoError(t, os.WriteFile(p, []byte("region: "+region+"\n"), 0o644))
	return p
}

// TestEcspressoConfigByContent: in a directory walk, a config named otherwise than ecspresso.*
// (config/prod.yml, one per environment) is known by its task_definition key and its definition
// files are read through it only; --ext-str and --ext-code give the Jsonnet external variables,
// and one the Jsonnet needs but nobody gives is an error naming the file and line. A config
// that fails to render is one error; its definition files are not read on their own.
func TestEcspressoConfigByContent(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"config/prod.yml":  "region: '{{ must_env `AWS_REGION` }}'\ncluster: prod\nservice: web\nservice_definition: ../ecs/service.json\ntask_definition: ../ecs/task.jsonnet\n",
		"ecs/service.json": `{"desiredCount": 3, "launchType": "FARGATE", "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}}`,
		"ecs/task.jsonnet": "{\n  family: 'web',\n  cpu: '256',\n  memory: '512',\n  networkMode: 'awsvpc',\n  requiresCompatibilities: ['FARGATE'],\n" +
			"  containerDefinitions: [{\n    name: 'web',\n    image: 'nginx:' + std.extVar('tag'),\n    essential: true,\n" +
			"    portMappings: [{ containerPort: p } for p in std.extVar('ports')],\n  }],\n}\n",
	} {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(data), 0o644))
	}
	env := map[string]string{"AWS_REGION": "eu-west-1"}
	out := t.TempDir()
	code, _, stderr := runCLIEnv(t, env, "convert", "-f", dir, "-o", out, "--ext-str", "tag=1.27", "--ext-code", "ports=[80, 8000+80]")
	require.Equal(t, 0, code, stderr)
	got := readDir(t, out)
	require.Equal(t, []string{"web.yaml"}, sortedNames(got), "the definitions are read through the config only")
	assert.Contains(t, got["web.yaml"], "image: nginx:1.27")
	assert.Contains(t, got["web.yaml"], "containerPort: 8080")
	assert.Contains(t, got["web.yaml"], "replicas: 3")

	out = t.TempDir()
	code, _, stderr = runCLIEnv(t, env, "convert", "-f", dir, "-o", out, "--ext-str", "tag=1.27")
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, stderr, "ecs/task.jsonnet")
	assert.Contains(t, stderr, "task.jsonnet:11:")
	assert.Contains(t, stderr, "Undefined external variable: ports")
	assert.Empty(t, readDir(t, out))

	code, _, stderr = runCLIEnv(t, env, "convert", "-f", dir, "-o", t.TempDir(), "--ext-code", "ports")
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, stderr, `--ext-code "ports": give KEY=VALUE`)

	// A config that fails to render still claims its definition files: one error, for it.
	code, _, stderr = runCLIEnv(t, nil, "convert", "-f", dir, "-o", t.TempDir(), "--ext-str", "tag=1.27", "--ext-code", "ports=[80]")
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, stderr, "config/prod.yml: doc 1: line 1: {{ must_env `AWS_REGION` }}: the environment variable AWS_REGION is not set")
	assert.NotContains(t, stderr, "service.json")
	assert.NotContains(t, stderr, "task.jsonnet")
}

// TestTerraformChildModulesInAWalk: in a directory walk, a module that another module of the walk
// calls by a local path is read through that call, with the caller's values, not as a root
// module of its own; named itself, it is a root module, whose variables without a value are
// placeholders.
func TestTerraformChildModulesInAWalk(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"live/main.tf": "module \"web\" {\n  source = \"../modules/app\"\n  name   = \"web\"\n}\n",
		"modules/app/main.tf": "variable \"name\" {}\nresource \"aws_ecs_task_definition\" \"this\" {\n  family = var.name\n" +
			"  container_definitions = jsonencode([{ name = var.name, image = \"nginx\", essential = true }])\n}\n",
	} {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(data), 0o644))
	}
	out := t.TempDir()
	code, _, stderr := runCLIEnv(t, nil, "convert", "-f", dir, "-o", out)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, []string{"web.yaml"}, sortedNames(readDir(t, out)))
	assert.Contains(t, stderr, "modules/app: doc 1: a module that "+filepath.ToSlash(filepath.Join(dir, "live"))+" (module.web) calls")

	code, _, stderr = runCLIEnv(t, nil, "convert", "-f", filepath.Join(dir, "modules/app"), "-o", t.TempDir())
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, stderr, "family: not known before deployment, kept as a placeholder to fill in: ${var.name} (variable name has no value: give it with --var name=VALUE")
}
