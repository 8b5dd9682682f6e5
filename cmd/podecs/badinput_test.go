package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podecs/podecs/convert"
)

const goodDeployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: good}
spec:
  selector: {matchLabels: {app: good}}
  template:
    metadata: {labels: {app: good}}
    spec:
      containers:
      - {name: app, image: nginx}
`

// TestBadInput: each case exits 2 with a message naming the file, the document and the field,
// and writes no file for the bad document while the good one is still converted.
func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		want      []string
	}{
		{"malformed YAML", "apiVersion: v1\nkind: Pod\nmetadata: {name: [unclosed\n", []string{"doc 2", "not valid YAML"}},
		{"not an object", "- a\n- b\n", []string{"doc 2", "must be a mapping"}},
		{"neither Kubernetes nor ECS", "{\"hello\": \"world\"}\n", []string{"doc 2", "neither a Kubernetes object"}},
		{"missing kind", "apiVersion: v1\nmetadata: {name: x}\n", []string{"doc 2", "kind: missing"}},
		{"invalid quantity", strings.ReplaceAll(goodDeployment, "{name: app, image: nginx}", "{name: app, image: nginx, resources: {limits: {memory: 12Qi}}}"), []string{"doc 2 Deployment/good", "spec.template.spec.containers[0].resources.limits.memory", `"12Qi" is not a quantity`}},
		{"wrong type", strings.ReplaceAll(goodDeployment, "{name: app, image: nginx}", "{name: app, image: nginx, ports: [{containerPort: eighty}]}"), []string{"doc 2 Deployment/good", "containerPort"}},
		{"duplicate container names", strings.ReplaceAll(goodDeployment, "- {name: app, image: nginx}", "- {name: app, image: nginx}\n      - {name: app, image: redis}"), []string{"doc 2 Deployment/good", "spec.template.spec.containers[1].name", "duplicate container name"}},
		{"too many containers", strings.ReplaceAll(goodDeployment, "- {name: app, image: nginx}", manyContainers(11)), []string{"doc 2 Deployment/good", "11 containers", "at most 10"}},
		{"no image", strings.ReplaceAll(goodDeployment, "{name: app, image: nginx}", "{name: app}"), []string{"spec.template.spec.containers[0].image", "needs an image"}},
		{"mount of a missing volume", strings.ReplaceAll(goodDeployment, "{name: app, image: nginx}", "{name: app, image: nginx, volumeMounts: [{name: data, mountPath: /data}]}"), []string{"volumeMounts[0].name", `no volume named "data"`}},
		{"binary garbage", "\x00\x01\xfe\xff garbage", []string{"doc 2", "not UTF-8"}},
		{"YAML alias bomb", aliasBomb(12), []string{"doc 2", "excessive aliasing"}},
		{"deeply nested YAML", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "\n", []string{"doc 2", "exceeded max depth"}},
		{"deeply nested JSON", `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": ` + strings.Repeat(`{"a": `, 20000) + "1" + strings.Repeat("}", 20000) + "}\n", []string{"doc 2", "exceeded max depth"}},
		{"negative replicas", strings.Replace(goodDeployment, "spec:", "spec:\n  replicas: -2", 1), []string{"doc 2 Deployment/good", "spec.replicas", "-2 is negative"}},
		{"name too long", strings.ReplaceAll(goodDeployment, "name: good}", "name: "+strings.Repeat("a", 300)+"}"), []string{"doc 2 Deployment/", "metadata.name: 300 characters: Kubernetes names are at most 253"}},
		{"ECS JSON with a wrong type", `{"family": "bad", "containerDefinitions": [{"name": "a", "image": "nginx", "portMappings": [{"containerPort": "eighty"}]}]}`, []string{"doc 2 TaskDefinition/bad", "containerDefinitions[0].portMappings[0].containerPort", `want integer, got string "eighty"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, "in.yaml")
			bad := strings.ReplaceAll(tc.doc, "name: good", "name: bad")
			require.NoError(t, os.WriteFile(in, []byte(strings.ReplaceAll(goodDeployment, "\n", "\n")+"---\n"+bad), 0o644))
			out := filepath.Join(dir, "out")
			code, _, stderr := runCLI(t, "", "convert", "-f", in, "-o", out)
			assert.Equal(t, exitBadInput, code, stderr)
			assert.Contains(t, stderr, in+": ")
			for _, w := range tc.want {
				assert.Contains(t, strings.ReplaceAll(stderr, "Deployment/bad", "Deployment/good"), w)
			}
			assert.NotContains(t, stderr, "panic")
			files := readDir(t, out)
			assert.Equal(t, []string{"good.service.json", "good.taskdef.json"}, sortedNames(files), "only the good document is written")
		})
	}
}

// aliasBomb is a "billion laughs" document: each level refers to the one before nine times.
func aliasBomb(levels int) string {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < levels; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 9), ", "))
	}
	return b.String()
}

// TestUnknownKindSkipped: a kind podecs does not convert is reported as info and skipped; the run
// succeeds when nothing else fails.
func TestUnknownKindSkipped(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.yaml")
	require.NoError(t, os.WriteFile(in, []byte(goodDeployment+"---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"), 0o644))
	out := filepath.Join(dir, "out")
	code, _, stderr := runCLI(t, "", "convert", "-f", in, "-o", out)
	assert.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "info: "+in+": doc 2 Widget/w: Widget is not a workload podecs converts; skipped")
	assert.Equal(t, []string{"good.service.json", "good.taskdef.json"}, sortedNames(readDir(t, out)))
}

func manyContainers(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString("\n      ")
		}
		b.WriteString("- {name: c" + string(rune('a'+i)) + ", image: busybox}")
	}
	return b.String()
}

func TestBadConfigAndPaths(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.yaml")
	require.NoError(t, os.WriteFile(in, []byte(goodDeployment), 0o644))
	cfg := filepath.Join(dir, "cfg.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("launchTyp: EC2\n"), 0o644))
	code, _, stderr := runCLI(t, "", "convert", "-f", in, "--config", cfg)
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, stderr, `unknown field "launchTyp"`)

	require.NoError(t, os.WriteFile(cfg, []byte("network: {assignPublicIp: YES}\nexecutionRoleArn: not-an-arn\n"), 0o644))
	code, _, stderr = runCLI(t, "", "convert", "-f", in, "--config", cfg)
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, stderr, "network.assignPublicIp")
	assert.Contains(t, stderr, "executionRoleArn")

	code, _, stderr = runCLI(t, "", "convert", "-f", filepath.Join(dir, "missing.yaml"))
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, stderr, "missing.yaml")

	code, _, stderr = runCLI(t, "", "convert", "-f", in, "--launch-type", "LAMBDA")
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, stderr, "launchType")
}

func TestUnwritableOutputDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		// root ignores directory permissions; a file in the way of the directory fails for everyone.
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.yaml")
	require.NoError(t, os.WriteFile(in, []byte(goodDeployment), 0o644))
	blocker := filepath.Join(dir, "out")
	require.NoError(t, os.WriteFile(blocker, []byte("a file, not a directory"), 0o644))
	code, _, stderr := runCLI(t, "", "convert", "-f", in, "-o", blocker)
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, stderr, "output directory")
}

func TestStrictAndReport(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.yaml")
	doc := strings.ReplaceAll(goodDeployment, "{name: app, image: nginx}", "{name: app, image: nginx, lifecycle: {preStop: {exec: {command: [sleep, '5']}}}}")
	require.NoError(t, os.WriteFile(in, []byte(doc), 0o644))
	code, _, _ := runCLI(t, "", "convert", "-f", in, "-q")
	assert.Equal(t, exitOK, code)
	report := filepath.Join(dir, "report.json")
	code, _, stderr := runCLI(t, "", "convert", "-f", in, "--strict", "--report", report)
	assert.Equal(t, exitFindings, code)
	assert.Contains(t, stderr, "warning: "+in+": doc 1 Deployment/good: spec.template.spec.containers[0].lifecycle.preStop: ECS has no pre-stop hook")
	data, err := os.ReadFile(report)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"path": "spec.template.spec.containers[0].lifecycle.preStop"`)
	assert.Contains(t, string(data), `"level": "unsupported"`)
	assert.Contains(t, string(data), `"kind": "Deployment"`)
}

// TestSecretValuesNeverLeak plants canary values in Secrets and checks every output.
func TestSecretValuesNeverLeak(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.yaml")
	doc := `apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {password: CANARY-STRINGDATA-4711}
data: {token: Q0FOQVJZLURBVEEtNDcxMg==}
---
` + strings.ReplaceAll(goodDeployment, "- {name: app, image: nginx}", `- {name: app, image: nginx, envFrom: [{secretRef: {name: creds}}], env: [{name: P, valueFrom: {secretKeyRef: {name: creds, key: password}}}],
          volumeMounts: [{name: creds, mountPath: /creds}, {name: mixed, mountPath: /mixed}]}
      volumes:
      - {name: creds, secret: {secretName: creds, defaultMode: 0400}}
      - {name: mixed, projected: {sources: [{secret: {name: creds, items: [{key: token, path: t}]}}]}}`)
	require.NoError(t, os.WriteFile(in, []byte(doc), 0o644))
	out := filepath.Join(dir, "out")
	report := filepath.Join(dir, "report.json")
	_, stdout, stderr := runCLI(t, "", "convert", "-f", in, "-o", out, "--report", report)
	_, stdout2, _ := runCLI(t, "", "convert", "-f", in)
	all := stdout + stderr + stdout2
	for _, f := range readDir(t, out) {
		all += f
	}
	data, err := os.ReadFile(report)
	require.NoError(t, err)
	all += string(data)
	require.Contains(t, all, `"name": "P"`, "the secret reference itself is written")
	require.Contains(t, all, `"name": "SECRET_CREDS_PASSWORD"`, "the files container gets the secret volume's keys as secrets")

	// The way back: the task definition with its files container becomes Kubernetes objects.
	back := filepath.Join(dir, "back")
	_, so, se := runCLI(t, "", "convert", "-f", out, "-o", back, "--external-secrets")
	all += so + se
	for _, f := range readDir(t, back) {
		all += f
	}
	require.Contains(t, all, "secretName: creds", "the secret volume comes back")

	// diff, in every format, between the manifests and the ECS files they became.
	for _, format := range []string{"text", "json", "markdown", "html"} {
		_, so, se := runCLI(t, "", "diff", in, out, "--format", format)
		require.NotEmpty(t, so, format)
		all += so + se
	}
	// A ConfigMap named by a secretKeyRef, a Secret whose data is not base64 and a Secret with an
	// unknown field: errors and findings name fields, never values.
	odd := filepath.Join(dir, "odd.yaml")
	require.NoError(t, os.WriteFile(odd, []byte(`apiVersion: v1
kind: ConfigMap
metadata: {name: cm-creds}
data: {password: CANARY-CONFIGMAP-4713}
---
apiVersion: v1
kind: Secret
metadata: {name: broken}
data: {token: "CANARY-NOT-BASE64-4714!"}
---
apiVersion: v1
kind: Secret
metadata: {name: typo}
stringDta: {password: CANARY-TYPO-4715}
---
`+strings.ReplaceAll(goodDeployment, "{name: app, image: nginx}", `{name: app, image: nginx, env: [{name: Q, valueFrom: {secretKeyRef: {name: cm-creds, key: password}}}]}`)), 0o644))
	for _, args := range [][]string{{"convert", "-f", odd}, {"convert", "-f", odd, "-o", filepath.Join(dir, "odd-out"), "--report", report, "--verbose"}, {"diff", odd, out, "--format", "json"}} {
		_, so, se := runCLI(t, "", args...)
		all += so + se
	}
	for _, f := range readDir(t, filepath.Join(dir, "odd-out")) {
		all += f
	}
	data, err = os.ReadFile(report)
	require.NoError(t, err)
	all += string(data)
	require.Contains(t, all, "cm-creds", "the ConfigMap is named")
	for _, canary := range []string{"CANARY-STRINGDATA-4711", "CANARY-DATA-4712", "Q0FOQVJZLURBVEEtNDcxMg", "CANARY-CONFIGMAP-4713", "CANARY-NOT-BASE64-4714", "CANARY-TYPO-4715"} {
		assert.NotContains(t, all, canary)
	}
}

// TestLongNameWritten: the longest Kubernetes name gives files whose names fit the file system.
func TestLongNameWritten(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.yaml")
	name := strings.Repeat("a", 253)
	require.NoError(t, os.WriteFile(in, []byte(strings.ReplaceAll(goodDeployment, "name: good}", "name: "+name+"}")), 0o644))
	out := filepath.Join(dir, "out")
	code, _, stderr := runCLI(t, "", "convert", "-f", in, "-o", out)
	assert.Equal(t, exitOK, code, stderr)
	stem := convert.FileStem(name)
	assert.Equal(t, []string{stem + ".service.json", stem + ".taskdef.json"}, sortedNames(readDir(t, out)))
}
