package convert

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podecs/podecs/mapping"
)

// The workloads of one batch, in several files, each with what --launch-type auto must give it.
var autoBatch = [][2]string{
	{"web.yaml", `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        securityContext: {allowPrivilegeEscalation: false, seccompProfile: {type: RuntimeDefault}}
        resources: {requests: {cpu: 250m, memory: 256Mi}}
`},
	{"node.yaml", `apiVersion: apps/v1
kind: Deployment
metadata: {name: sniffer, namespace: shop}
spec:
  selector: {matchLabels: {app: sniffer}}
  template:
    metadata: {labels: {app: sniffer}}
    spec:
      hostNetwork: true
      containers:
      - name: sniffer
        image: ghcr.io/example/sniffer:1
        securityContext: {capabilities: {add: [NET_ADMIN, NET_RAW]}}
        resources: {limits: {memory: 128Mi}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: shop}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers:
      - {name: agent, image: ghcr.io/example/agent:1}
`},
	{"batch.yaml", `apiVersion: batch/v1
kind: Job
metadata: {name: train, namespace: shop}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: train
        image: ghcr.io/example/train:1
        resources: {limits: {nvidia.com/gpu: 1, memory: 8Gi}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: resize, namespace: shop}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: resize, image: ghcr.io/example/resize:1}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cleanup, namespace: shop}
spec:
  schedule: "0 3 * * *"
  timeZone: Etc/UTC
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: cleanup
            image: busybox:1.36
            volumeMounts: [{name: logs, mountPath: /logs}]
          volumes:
          - {name: logs, hostPath: {path: /var/log/shop}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: digest, namespace: shop}
spec:
  schedule: "0 6 * * *"
  timeZone: Etc/UTC
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - {name: digest, image: ghcr.io/example/digest:1}
`},
	{"db.yaml", `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: warehouse, namespace: shop}
spec:
  serviceName: warehouse
  podManagementPolicy: Parallel
  selector: {matchLabels: {app: warehouse}}
  template:
    metadata: {labels: {app: warehouse}}
    spec:
      containers:
      - name: db
        image: ghcr.io/example/warehouse:1
        resources: {requests: {cpu: "32", memory: 256Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: debug, namespace: shop}
spec:
  hostPID: true
  hostIPC: true
  containers:
  - name: debug
    image: busybox:1.36
    securityContext: {privileged: true}
`},
}

func autoConfig(launchType string) Config {
	return Config{LaunchType: launchType, PlatformVersion: "1.4.0", Region: "eu-west-1", AccountID: "123456789012",
		Network: Network{Subnets: []string{"subnet-1"}, SecurityGroups: []string{"sg-1"}}}
}

// One run over several files: each workload on the launch type it can run on, its service, RunTask
// input or schedule on the same one, and each EC2 choice an info finding naming the field.
func TestLaunchAutoBatch(t *testing.T) {
	res := convertFiles(t, autoConfig("auto"), autoBatch...)
	require.Empty(t, res.Errors)
	want := map[string][]string{ // name → the fields that made it EC2; nil: Fargate
		"web": nil, "resize": nil, "digest": nil,
		"sniffer":   {"spec.template.spec.hostNetwork", "spec.template.spec.containers[0].securityContext.capabilities.add[0]"},
		"agent":     {"kind"},
		"train":     {`spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"]`},
		"cleanup":   {"spec.jobTemplate.spec.template.spec.volumes[0].hostPath"},
		"warehouse": {"spec.template.spec.containers"},
		"debug":     {"spec.hostPID", "spec.hostIPC", "spec.containers[0].securityContext.privileged"},
	}
	require.Len(t, res.Outputs, len(want))
	for _, o := range res.Outputs {
		t.Run(o.Name, func(t *testing.T) {
			reasons, ok := want[o.Name]
			require.True(t, ok)
			ec2 := reasons != nil
			compat, launch, mode := types.CompatibilityFargate, types.LaunchTypeFargate, types.NetworkModeAwsvpc
			if ec2 {
				compat, launch = types.CompatibilityEc2, types.LaunchTypeEc2
				if o.Name == "sniffer" {
					mode = types.NetworkModeHost
				}
			}
			td := o.TaskDefinition
			assert.Equal(t, []types.Compatibility{compat}, td.RequiresCompatibilities)
			assert.Equal(t, mode, td.NetworkMode)
			if !ec2 {
				assert.NotNil(t, td.Cpu, "Fargate needs a task size")
				assert.NotNil(t, td.Memory)
			}
			platform := "1.4.0"
			if ec2 {
				platform = ""
			}
			switch {
			case o.Service != nil:
				assert.Equal(t, launch, o.Service.LaunchType)
				assert.Equal(t, platform, aws.ToString(o.Service.PlatformVersion))
			case o.RunTask != nil:
				assert.Equal(t, launch, o.RunTask.LaunchType)
				assert.Equal(t, platform, aws.ToString(o.RunTask.PlatformVersion))
			case o.Schedule != nil:
				assert.Equal(t, string(launch), o.Schedule.Target.EcsParameters.LaunchType)
				assert.Equal(t, platform, o.Schedule.Target.EcsParameters.PlatformVersion)
			default:
				assert.Equal(t, "Pod", o.Doc.Kind)
			}
			var got []string
			for _, f := range res.Findings {
				if f.Doc.Name == o.Name && f.Level == mapping.Info && (strings.HasPrefix(f.Message, mapping.AutoEC2) || f.Path == "kind") {
					got = append(got, f.Path)
				}
			}
			assert.Equal(t, reasons, got)
		})
	}
	assert.True(t, hasFinding(res, "Deployment", "web", mapping.Unsupported, "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation", "no-new-privileges"),
		"allowPrivilegeEscalation alone keeps a workload on Fargate, with its finding")
	assert.True(t, hasFinding(res, "Deployment", "web", mapping.Info, "spec.template.spec.containers[0].securityContext.seccompProfile", "RuntimeDefault"))
}

// A config written for Fargate in public subnets (assignPublicIp ENABLED): the services, RunTask
// inputs and schedules of the workloads auto keeps on Fargate get a public IP; those it puts on EC2
// in awsvpc mode get DISABLED, which is all ECS accepts for EC2, each with a lossy finding.
func TestLaunchAutoEC2GetsNoPublicIP(t *testing.T) {
	cfg := autoConfig("auto")
	cfg.Network.AssignPublicIP = "ENABLED"
	res := convertFiles(t, cfg, autoBatch...)
	require.Empty(t, res.Errors)
	checked := map[types.Compatibility]int{}
	for _, o := range res.Outputs {
		var ip string
		switch {
		case o.Service != nil && o.Service.NetworkConfiguration != nil:
			ip = string(o.Service.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp)
		case o.RunTask != nil && o.RunTask.NetworkConfiguration != nil:
			ip = string(o.RunTask.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp)
		case o.Schedule != nil && o.Schedule.Target.EcsParameters.NetworkConfiguration != nil:
			ip = o.Schedule.Target.EcsParameters.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp
		default:
			continue
		}
		compat := o.TaskDefinition.RequiresCompatibilities[0]
		checked[compat]++
		found := hasFinding(res, o.Doc.Kind, o.Name, mapping.Lossy, "config.network.assignPublicIp", "Fargate only")
		if compat == types.CompatibilityEc2 {
			assert.Equal(t, "DISABLED", ip, o.Name)
			assert.True(t, found, o.Name)
		} else {
			assert.Equal(t, "ENABLED", ip, o.Name)
			assert.False(t, found, o.Name)
		}
	}
	assert.Equal(t, 3, checked[types.CompatibilityFargate], "web, resize and digest")
	assert.Equal(t, 4, checked[types.CompatibilityEc2], "agent, train, cleanup and warehouse (sniffer uses the host network)")
}

// checkAutoAgainstFixed converts input with auto, FARGATE and EC2 and checks, workload by workload,
// that auto gives byte for byte the FARGATE output of a workload it keeps on Fargate, and the EC2
// output (with its reasons, all info findings) of one it moves; that it moves a workload exactly
// when the Fargate conversion fails or drops a host path or a GPU and the EC2 one does not; and
// that it fails only where both do.
func checkAutoAgainstFixed(t *testing.T, cfg Config, files ...[2]string) {
	t.Helper()
	checkAuto(t, func(lt string) Result {
		c := cfg
		c.LaunchType = lt
		return convertFiles(t, c, files...)
	})
}

// checkAuto checks the results convert gives for auto, FARGATE and EC2 (see checkAutoAgainstFixed).
func checkAuto(t *testing.T, convert func(launchType string) Result) {
	t.Helper()
	type result struct {
		files    map[string][]string // workload → its files
		findings map[string][]string
		failed   map[string]bool
	}
	run := func(lt string) result {
		res := convert(lt)
		r := result{files: map[string][]string{}, findings: map[string][]string{}, failed: map[string]bool{}}
		for _, o := range res.Outputs {
			fs, err := o.Files()
			require.NoError(t, err)
			for _, f := range fs {
				r.files[o.Doc.String()] = append(r.files[o.Doc.String()], f.Name+"\n"+string(f.Data))
			}
		}
		for _, f := range res.Findings {
			r.findings[f.Doc.String()] = append(r.findings[f.Doc.String()], f.Finding.String())
		}
		for _, e := range res.Errors {
			var de *DocError
			require.ErrorAs(t, e, &de)
			r.failed[de.Doc.String()] = true
		}
		return r
	}
	auto, fargate, ec2 := run(LaunchAuto), run(LaunchFargate), run(LaunchEC2)
	for doc := range fargate.failed {
		if !ec2.failed[doc] {
			assert.False(t, auto.failed[doc], "%s: fails on Fargate only, so auto converts it for EC2", doc)
		}
	}
	for doc, files := range auto.files {
		onEC2 := strings.Contains(strings.Join(files, ""), `"requiresCompatibilities": [
    "EC2"`)
		if !onEC2 {
			assert.Equal(t, fargate.files[doc], files, "%s: on Fargate, auto writes what FARGATE writes", doc)
			assert.Equal(t, fargate.findings[doc], auto.findings[doc], "%s", doc)
			continue
		}
		assert.Equal(t, ec2.files[doc], files, "%s: on EC2, auto writes what EC2 writes", doc)
		var reasons []string
		for _, f := range auto.findings[doc] {
			if !slices.Contains(ec2.findings[doc], f) {
				reasons = append(reasons, f)
				assert.True(t, strings.HasPrefix(f, "info: "), "%s: only the reasons are added: %s", doc, f)
			}
		}
		fargateErr := fargate.failed[doc] || slices.ContainsFunc(fargate.findings[doc], func(f string) bool {
			return strings.Contains(f, "Fargate has no host paths") || strings.Contains(f, "NVIDIA GPUs on EC2 only")
		})
		daemon := strings.Contains(strings.Join(files, ""), `"schedulingStrategy": "DAEMON"`)
		fromECS := slices.ContainsFunc(ec2.findings[doc], func(f string) bool { return strings.Contains(f, AnnotationLaunchType) })
		if !daemon && !fromECS {
			assert.NotEmpty(t, reasons, "%s: an EC2 choice is reported", doc)
			assert.True(t, fargateErr, "%s: auto moves a workload to EC2 only for what Fargate cannot run", doc)
		}
	}
}

func TestLaunchAutoMatchesFixedLaunchTypes(t *testing.T) {
	t.Run("batch", func(t *testing.T) { checkAutoAgainstFixed(t, autoConfig(""), autoBatch...) })
	files, err := filepath.Glob("../testdata/fixtures/k8s/*.yaml")
	require.NoError(t, err)
	for _, f := range files {
		if strings.HasSuffix(f, ".config.yaml") {
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			cfg := Config{}
			if data, err := os.ReadFile(strings.TrimSuffix(f, ".yaml") + ".config.yaml"); err == nil {
				cfg, err = ParseConfig(data)
				require.NoError(t, err)
			}
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			checkAutoAgainstFixed(t, cfg, [2]string{filepath.Base(f), string(data)})
		})
	}
}

// The launch type of --config and of the library: auto is accepted in any case, and a task
// definition built directly with auto gets its launch type too.
func TestLaunchAutoConfig(t *testing.T) {
	cfg, err := ParseConfig([]byte("launchType: auto\n"))
	require.NoError(t, err)
	assert.Equal(t, LaunchAuto, cfg.LaunchType)
	_, err = ParseConfig([]byte("launchType: spot\n"))
	assert.ErrorContains(t, err, `launchType: "SPOT" is not FARGATE, EC2 or auto`)

	ix := NewIndex()
	n := 0
	require.NoError(t, ReadDocuments(strings.NewReader(autoBatch[3][1]), "db.yaml", ReadOptions{}, func(d Document) {
		w, _, err := ix.AddObject(d)
		require.NoError(t, err)
		for _, lt := range []string{LaunchAuto, "auto"} {
			td, fs := TaskDefinition(w, w.Meta.Name, ix, Config{LaunchType: lt}.withDefaults())
			assert.Equal(t, []types.Compatibility{types.CompatibilityEc2}, td.RequiresCompatibilities, w.Meta.Name)
			assert.False(t, fs.HasErrors(), "%v", fs)
		}
		n++
	}, nil))
	assert.Equal(t, 2, n)
}

// An auto-chosen EC2 workload comes back from ECS as the same task definition and service, with
// auto or with the default launch type: its pod template says EC2.
func TestLaunchAutoRoundTrip(t *testing.T) {
	res := convertFiles(t, autoConfig("auto"), autoBatch[1])
	require.Empty(t, res.Errors)
	for _, o := range res.Outputs {
		t.Run(o.Name, func(t *testing.T) {
			require.Equal(t, []types.Compatibility{types.CompatibilityEc2}, o.TaskDefinition.RequiresCompatibilities)
			back := rvConvertFiles(t, writeFiles(t, mustFiles(t, o)), Options{Config: autoConfig("")})
			require.Empty(t, back.Errors)
			require.Len(t, back.Manifests, 1)
			y := rvManifestsYAML(t, back.Manifests)
			rvValidateManifest(t, y)
			assert.Contains(t, string(y), AnnotationLaunchType+": EC2")
			for _, lt := range []string{LaunchAuto, LaunchFargate} {
				again := convertFiles(t, autoConfig(lt), [2]string{"back.yaml", string(y)})
				require.Empty(t, again.Errors, lt)
				got := outputNamed(t, again, o.Name)
				rvRequireSameECS(t, o.TaskDefinition, got.TaskDefinition, lt+": task definition")
				rvRequireSameECS(t, o.Service, got.Service, lt+": service")
			}
		})
	}
}

func mustFiles(t *testing.T, o Output) []File {
	t.Helper()
	fs, err := o.Files()
	require.NoError(t, err)
	return fs
}

// allowPrivilegeEscalation: false is no-new-privileges on EC2 and comes back from it; Fargate,
// which takes no dockerSecurityOptions, reports it. seccompProfile RuntimeDefault, at the pod or
// the container level, is what ECS applies anyway: info on both launch types.
func TestNoNewPrivilegesAndSeccomp(t *testing.T) {
	in := [2]string{"hardened.yaml", `apiVersion: apps/v1
kind: Deployment
metadata: {name: hardened}
spec:
  selector: {matchLabels: {app: hardened}}
  template:
    metadata: {labels: {app: hardened}}
    spec:
      securityContext: {seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: app
        image: app:1
        resources: {limits: {memory: 256Mi}}
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true}
      - name: side
        image: side:1
        resources: {limits: {memory: 64Mi}}
        securityContext: {seccompProfile: {type: RuntimeDefault}}
`}
	for _, lt := range []string{LaunchEC2, LaunchFargate, LaunchAuto} {
		res := convertFiles(t, Config{LaunchType: lt}, in)
		require.Empty(t, res.Errors, lt)
		td := outputNamed(t, res, "hardened").TaskDefinition
		for i := range td.ContainerDefinitions {
			assert.True(t, hasFinding(res, "Deployment", "hardened", mapping.Info, mapping.Index("spec.template.spec.containers", i)+".securityContext.seccompProfile", "RuntimeDefault"), "%s: %v", lt, findingsOf(res, "Deployment", "hardened"))
		}
		if lt != LaunchEC2 {
			assert.Empty(t, td.ContainerDefinitions[0].DockerSecurityOptions, lt)
			assert.True(t, hasFinding(res, "Deployment", "hardened", mapping.Unsupported, "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation", "no-new-privileges"), lt)
			assert.Equal(t, []types.Compatibility{types.CompatibilityFargate}, td.RequiresCompatibilities, "%s: no reason for EC2", lt)
			continue
		}
		assert.Equal(t, []string{"no-new-privileges"}, td.ContainerDefinitions[0].DockerSecurityOptions)
		assert.Empty(t, td.ContainerDefinitions[1].DockerSecurityOptions)
		y := rvManifestsYAML(t, rvConvertFiles(t, writeFiles(t, mustFiles(t, outputNamed(t, res, "hardened"))), Options{}).Manifests)
		rvValidateManifest(t, y)
		assert.Contains(t, string(y), "allowPrivilegeEscalation: false")
		back := convertFiles(t, Config{}, [2]string{"back.yaml", string(y)})
		require.Empty(t, back.Errors)
		rvRequireSameECS(t, td, outputNamed(t, back, "hardened").TaskDefinition, "task definition")
	}
}

func writeFiles(t *testing.T, fs []File) []string {
	t.Helper()
	dir := t.TempDir()
	var out []string
	for _, f := range fs {
		p := filepath.Join(dir, f.Name)
		require.NoError(t, os.WriteFile(p, f.Data, 0o644))
		out = append(out, p)
	}
	return out
}

// FuzzLaunchAuto: whatever the input, auto gives each workload the FARGATE or the EC2 output, and
// converts every workload that one of them converts (checkAuto).
func FuzzLaunchAuto(f *testing.F) {
	addFixtureSeeds(f)
	for _, in := range autoBatch {
		f.Add([]byte(in[1]))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, _, err := convertBytes(data); err != nil {
			return
		}
		checkAuto(t, func(lt string) Result {
			c := NewConverter(Options{Config: Config{LaunchType: lt}})
			_ = ReadDocuments(bytes.NewReader(data), "fuzz.yaml", ReadOptions{MaxDocumentBytes: 1 << 20}, c.Add, func(e *DocError) { c.AddError(e) })
			return c.Finish()
		})
	})
}
