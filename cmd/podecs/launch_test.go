package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/podecs/podecs/internal/motoserver"
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

// launchAutoConfig is a network for Fargate: public subnets, assignPublicIp ENABLED.
const launchAutoConfig = `cluster: lt
network: {subnets: [subnet-0a1b2c3d4e5f60001], securityGroups: [sg-0123456789abcdef0], assignPublicIp: ENABLED}
`

// --launch-type auto through --format terraform and cloudformation: each task definition requires
// its workload's launch type, each service and schedule launches on it, as in the api format; an
// EC2 workload's awsvpc service gets no public IP though the config asks one for Fargate.
func TestLaunchAutoFormats(t *testing.T) {
	in := writeBatch(t)
	argsWith := func(config string) []string {
		cfg := filepath.Join(t.TempDir(), "config.yaml")
		require.NoError(t, os.WriteFile(cfg, []byte(config), 0o644))
		return []string{"convert", "-f", in, "--launch-type", "auto", "--config", cfg}
	}
	args := argsWith(launchAutoConfig)
	services := map[string]bool{"lt-web": true, "lt-meshed": true, "lt-agent": true, "lt-vpn": true}
	// The same network without a public IP: the IaC asks for it in one variable or parameter,
	// which an EC2 workload's service does not use either.
	privateArgs := argsWith(strings.Replace(launchAutoConfig, "ENABLED", "DISABLED", 1))

	t.Run("api", func(t *testing.T) {
		out := t.TempDir()
		code, _, stderr := runCLI(t, "", append(args, "-o", out)...)
		require.Equal(t, exitOK, code, stderr)
		web := readJSON(t, filepath.Join(out, "lt-web.service.json"))["networkConfiguration"].(map[string]any)["awsvpcConfiguration"].(map[string]any)
		assert.Equal(t, "ENABLED", web["assignPublicIp"])
		vpn := readJSON(t, filepath.Join(out, "lt-vpn.service.json"))["networkConfiguration"].(map[string]any)["awsvpcConfiguration"].(map[string]any)
		assert.Equal(t, "DISABLED", vpn["assignPublicIp"])
		assert.Contains(t, stderr, "lt-vpn: config.network.assignPublicIp: ENABLED is for Fargate only")
		assert.NotContains(t, stderr, "lt-web: config.network.assignPublicIp")
	})

	for _, args := range [][]string{args, privateArgs} {
		t.Run("terraform", func(t *testing.T) {
			out := t.TempDir()
			code, _, stderr := runCLI(t, "", append(args, "--format", "terraform", "-o", out)...)
			require.Equal(t, exitOK, code, stderr)
			data, err := os.ReadFile(filepath.Join(out, "main.tf"))
			require.NoError(t, err)
			f, diags := hclsyntax.ParseConfig(data, "main.tf", hcl.InitialPos)
			require.False(t, diags.HasErrors(), diags.Error())
			literal := func(b *hclsyntax.Body, name string) cty.Value {
				t.Helper()
				a, ok := b.Attributes[name]
				require.True(t, ok, name)
				v, diags := a.Expr.Value(nil)
				require.False(t, diags.HasErrors(), "%s: %s", name, diags)
				return v
			}
			seen := map[string]string{}
			for _, b := range f.Body.(*hclsyntax.Body).Blocks {
				if b.Type != "resource" {
					continue
				}
				switch b.Labels[0] {
				case "aws_ecs_task_definition":
					name := literal(b.Body, "family").AsString()
					rc := literal(b.Body, "requires_compatibilities").AsValueSlice()
					require.Len(t, rc, 1, name)
					assert.Equal(t, launchWant[name], rc[0].AsString(), name)
				case "aws_ecs_service":
					name := literal(b.Body, "name").AsString()
					seen[name] = literal(b.Body, "launch_type").AsString()
					for _, nb := range b.Body.Blocks {
						if nb.Type != "network_configuration" {
							continue
						}
						ip := nb.Body.Attributes["assign_public_ip"]
						require.NotNil(t, ip, name)
						if launchWant[name] == "EC2" {
							v, diags := ip.Expr.Value(nil)
							require.False(t, diags.HasErrors(), "an EC2 service's assign_public_ip is a literal: %s", diags)
							assert.Equal(t, cty.False, v, name)
						} else {
							assert.Equal(t, "var.assign_public_ip", string(ip.Expr.Range().SliceBytes(data)), name)
						}
					}
				case "aws_scheduler_schedule":
					name := literal(b.Body, "name").AsString()
					for _, tb := range b.Body.Blocks {
						for _, eb := range tb.Body.Blocks {
							if eb.Type == "ecs_parameters" {
								seen[name] = literal(eb.Body, "launch_type").AsString()
							}
						}
					}
				}
			}
			for name, launch := range launchWant {
				if services[name] || name == "lt-rotate" {
					assert.Equal(t, launch, seen[name], name)
				}
			}
			assert.Len(t, seen, len(services)+1)
		})

		t.Run("cloudformation", func(t *testing.T) {
			out := t.TempDir()
			code, _, stderr := runCLI(t, "", append(args, "--format", "cloudformation", "--output-format", "json", "-o", out)...)
			require.Equal(t, exitOK, code, stderr)
			tpl := readJSON(t, filepath.Join(out, "template.json"))
			seen := map[string]string{}
			for id, r := range tpl["Resources"].(map[string]any) {
				r := r.(map[string]any)
				p := r["Properties"].(map[string]any)
				switch r["Type"] {
				case "AWS::ECS::TaskDefinition":
					name := p["Family"].(string)
					assert.Equal(t, []any{launchWant[name]}, p["RequiresCompatibilities"], id)
				case "AWS::ECS::Service":
					name := p["ServiceName"].(string)
					seen[name] = p["LaunchType"].(string)
					if launchWant[name] == "EC2" {
						ip := p["NetworkConfiguration"].(map[string]any)["AwsvpcConfiguration"].(map[string]any)["AssignPublicIp"]
						assert.Equal(t, "DISABLED", ip, name)
					}
				case "AWS::Scheduler::Schedule":
					name := p["Name"].(string)
					seen[name] = p["Target"].(map[string]any)["EcsParameters"].(map[string]any)["LaunchType"].(string)
				}
			}
			for name, launch := range launchWant {
				if services[name] || name == "lt-rotate" {
					assert.Equal(t, launch, seen[name], name)
				}
			}
			assert.Len(t, seen, len(services)+1)
		})
	}
}

// verify with --launch-type auto converts as register does: the workload that needs EC2 is
// checked for EC2 capacity and gets no public IP check, the other keeps the Fargate checks; the
// default launch type stops at the EC2 workload as convert does.
func TestLaunchAutoVerify(t *testing.T) {
	endpoint := motoEnv(t)
	w := newVerifyWorld(t, endpoint, "verify-auto")
	manifest, cfg := w.files(t)
	vpn := w.name + "-vpn"
	motoserver.JSON(t, endpoint, "logs", "Logs_20140328.CreateLogGroup", map[string]any{"logGroupName": "/ecs/" + vpn})
	ec2Manifest := filepath.Join(t.TempDir(), "vpn.yaml")
	require.NoError(t, os.WriteFile(ec2Manifest, []byte(`apiVersion: apps/v1
kind: Deployment
metadata: {name: `+vpn+`}
spec:
  selector: {matchLabels: {app: `+vpn+`}}
  template:
    metadata: {labels: {app: `+vpn+`}}
    spec:
      containers:
      - name: vpn
        image: `+w.image+`
        securityContext: {capabilities: {add: [NET_ADMIN]}}
        resources: {limits: {cpu: 250m, memory: 512Mi}}
`), 0o644))
	args := []string{"verify", "-f", manifest, "-f", ec2Manifest, "--config", cfg, "--endpoint-url", endpoint}

	code, out, errOut := runCLI(t, "", append(args, "--launch-type", "auto")...)
	assert.Equal(t, exitFindings, code, "%s%s", out, errOut)
	assert.NotContains(t, out, "fail", "the config's assignPublicIp ENABLED is not given to the EC2 workload")
	section := func(name string) string {
		_, rest, ok := strings.Cut(out, "\n"+name+"\n")
		if !ok {
			rest, ok = strings.CutPrefix(out, name+"\n")
		}
		require.True(t, ok, "no section for %s in\n%s", name, out)
		if i := strings.Index(rest, "\n\n"); i >= 0 {
			rest = rest[:i]
		}
		end := strings.Index(rest, "\n"+w.name)
		if end >= 0 {
			rest = rest[:end]
		}
		return rest
	}
	fargate, ec2 := section(w.name), section(vpn)
	assert.Regexp(t, `(?m)^  ok +capacity +\S+ +Fargate \(launch type FARGATE\)`, fargate)
	assert.Regexp(t, `(?m)^  ok +internet access `, fargate)
	assert.Regexp(t, `(?m)^  warning +capacity +\S+ +no container instances are registered \(launch type EC2\)`, ec2)
	assert.NotContains(t, ec2, "internet access", "EC2 tasks get no public IP: nothing to check")
	assert.NotContains(t, ec2, "Fargate")

	code, _, errOut = runCLI(t, "", args...)
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errOut, "vpn.yaml: doc 1 Deployment/"+vpn+": spec.template.spec.containers[0].securityContext.capabilities.add[0]: Fargate only allows adding SYS_PTRACE; NET_ADMIN cannot be added")
	assert.Contains(t, errOut, "nothing was sent to AWS")
}
