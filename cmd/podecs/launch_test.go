package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A cluster's batch in several files: two ordinary workloads, one injected by linkerd, and four
// that need EC2 for four different reasons.
var launchBatch = map[string]string{
	"web.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: lt-web}
spec:
  replicas: 2
  selector: {matchLabels: {app: lt-web}}
  template:
    metadata: {labels: {app: lt-web}}
    spec:
      containers:
      - {name: web, image: "nginx:1.27", ports: [{containerPort: 8080}], resources: {limits: {cpu: 250m, memory: 512Mi}}}
---
apiVersion: v1
kind: Service
metadata: {name: lt-web}
spec:
  selector: {app: lt-web}
  ports: [{name: http, port: 80, targetPort: 8080}]
`,
	"meshed.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: lt-meshed}
spec:
  selector: {matchLabels: {app: lt-meshed}}
  template:
    metadata:
      labels: {app: lt-meshed}
      annotations: {linkerd.io/proxy-version: stable-2.14.10}
    spec:
      initContainers:
      - {name: linkerd-init, image: "cr.l5d.io/linkerd/proxy-init:v2.2.3", securityContext: {capabilities: {add: [NET_ADMIN, NET_RAW]}}}
      containers:
      - {name: linkerd-proxy, image: "cr.l5d.io/linkerd/proxy:stable-2.14.10"}
      - {name: app, image: "ghcr.io/example/app:1", resources: {limits: {memory: 256Mi}}}
`,
	"node.yaml": `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: lt-agent}
spec:
  selector: {matchLabels: {app: lt-agent}}
  template:
    metadata: {labels: {app: lt-agent}}
    spec:
      containers:
      - {name: agent, image: "ghcr.io/example/agent:1", resources: {limits: {memory: 128Mi}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: lt-vpn}
spec:
  selector: {matchLabels: {app: lt-vpn}}
  template:
    metadata: {labels: {app: lt-vpn}}
    spec:
      containers:
      - {name: vpn, image: "ghcr.io/example/vpn:1", securityContext: {privileged: true}, resources: {limits: {memory: 128Mi}}}
`,
	"batch.yaml": `apiVersion: batch/v1
kind: Job
metadata: {name: lt-train}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: train, image: "ghcr.io/example/train:1", resources: {limits: {nvidia.com/gpu: 1, memory: 4Gi}}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: lt-rotate}
spec:
  schedule: "0 3 * * *"
  timeZone: Etc/UTC
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - {name: rotate, image: "busybox:1.36", volumeMounts: [{name: logs, mountPath: /logs}], resources: {limits: {memory: 64Mi}}}
          volumes: [{name: logs, hostPath: {path: /var/log}}]
`,
}

// launchWant is the launch type each workload of launchBatch must get from --launch-type auto.
var launchWant = map[string]string{
	"lt-web": "FARGATE", "lt-meshed": "FARGATE",
	"lt-agent": "EC2", "lt-vpn": "EC2", "lt-train": "EC2", "lt-rotate": "EC2",
}

func writeBatch(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, doc := range launchBatch {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(doc), 0o644))
	}
	return dir
}

func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var v map[string]any
	require.NoError(t, json.Unmarshal(data, &v), path)
	return v
}

// One run over several files with --launch-type auto: each workload on the launch type it can
// run on, its service, RunTask input or schedule on the same one; FARGATE stops at the workload
// Fargate cannot run; diff with the same launch type finds nothing to report.
func TestLaunchAutoBatchCLI(t *testing.T) {
	in := writeBatch(t)
	out := t.TempDir()
	code, stdout, stderr := runCLI(t, "", "convert", "-f", in, "--launch-type", "auto", "-o", out)
	require.Equal(t, exitOK, code, stderr)
	assert.Empty(t, stdout)
	for name, launch := range launchWant {
		td := readJSON(t, filepath.Join(out, name+".taskdef.json"))
		assert.Equal(t, []any{launch}, td["requiresCompatibilities"], name)
		var got any
		switch {
		case fileExists(filepath.Join(out, name+".service.json")):
			got = readJSON(t, filepath.Join(out, name+".service.json"))["launchType"]
		case fileExists(filepath.Join(out, name+".runtask.json")):
			got = readJSON(t, filepath.Join(out, name+".runtask.json"))["launchType"]
		default:
			s := readJSON(t, filepath.Join(out, name+".schedule.json"))
			got = s["Target"].(map[string]any)["EcsParameters"].(map[string]any)["LaunchType"]
		}
		assert.Equal(t, launch, got, name)
	}
	assert.Contains(t, stderr, "lt-vpn: spec.template.spec.containers[0].securityContext.privileged: converted for the EC2 launch type (--launch-type auto)")
	assert.Contains(t, stderr, "lt-meshed: spec.template.spec.containers[0]: injected by linkerd")
	assert.NotContains(t, stderr, "error:")

	code, _, stderr = runCLI(t, "", "convert", "-f", in, "-o", t.TempDir())
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, stderr, "error: "+filepath.Join(in, "node.yaml")+": doc 2 Deployment/lt-vpn: spec.template.spec.containers[0].securityContext.privileged: privileged containers are not supported on Fargate")

	code, stdout, stderr = runCLI(t, "", "diff", in, out, "--launch-type", "auto")
	assert.Equal(t, exitOK, code, "%s%s", stdout, stderr)
}

// register with --launch-type auto creates each service with the launch type convert chose, and
// registers each task definition for it; a second run changes nothing.
func TestLaunchAutoRegister(t *testing.T) {
	endpoint := motoEnv(t)
	const cluster = "podecs-launch-auto"
	cfg := registerFixture(t, endpoint, cluster)
	// lt-web joins Service Connect: its namespace must exist for register's checks.
	awsCLI(t, endpoint, "servicediscovery", "create-http-namespace", "--name", cluster+".local")
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString("serviceConnectNamespace: " + cluster + ".local\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	in := writeBatch(t)
	args := []string{"register", "-f", in, "--launch-type", "auto", "--config", cfg, "--region", "us-east-1", "--endpoint-url", endpoint}
	code, out, errOut := runCLI(t, "", append(args, "--create-cluster")...)
	require.Equal(t, exitOK, code, "%s%s", out, errOut)
	// register's checks know each workload's launch type: EC2 ones need container instances.
	assert.Contains(t, errOut, "verify: lt-vpn: capacity "+cluster+": no container instances are registered (launch type EC2)")
	assert.NotContains(t, errOut, "verify: lt-web: capacity")
	for name, launch := range launchWant {
		td := awsCLI(t, endpoint, "ecs", "describe-task-definition", "--task-definition", name)["taskDefinition"].(map[string]any)
		assert.Equal(t, []any{launch}, td["requiresCompatibilities"], name)
		if svc := liveService(t, endpoint, cluster, name); svc != nil {
			assert.Equal(t, launch, svc["launchType"], name)
		} else {
			assert.Contains(t, []string{"lt-train", "lt-rotate"}, name, "Jobs and CronJobs have no service")
		}
	}
	code, out, errOut = runCLI(t, "", args...)
	require.Equal(t, exitOK, code, errOut)
	assert.NotContains(t, out, "registered")
	assert.NotContains(t, out, "updated")
	assert.Equal(t, strings.Count(out, "\n"), strings.Count(out, "unchanged "), out)
}
