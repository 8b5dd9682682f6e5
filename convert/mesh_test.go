package convert

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/podecs/podecs/mapping"
)

// The injectors below add to a pod template what linkerd's and istio's injectors add, in the
// shapes of their own test data and of pods running in clusters: containers, init containers,
// volumes, annotations, labels, and for istio the probes pointed at its agent with the originals in
// ISTIO_KUBE_APP_PROBERS. Each returns how the positions of the original lists moved.

type meshShape struct {
	name   string
	inject func(t *corev1.PodTemplateSpec) shift
}

// shift is how many items an injector put before the original ones, per list.
type shift map[string]int

var always = corev1.ContainerRestartPolicyAlways

func linkerdProxy(native bool) corev1.Container {
	c := corev1.Container{
		Name: "linkerd-proxy", Image: "cr.l5d.io/linkerd/proxy:stable-2.14.10",
		Env: []corev1.EnvVar{
			{Name: "_pod_ns", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.namespace"}}},
			{Name: "LINKERD2_PROXY_INBOUND_LISTEN_ADDR", Value: "0.0.0.0:4143"},
			{Name: "LINKERD2_PROXY_IDENTITY_TOKEN_FILE", Value: "/var/run/secrets/tokens/linkerd-identity-token"},
		},
		Ports: []corev1.ContainerPort{{Name: "linkerd-proxy", ContainerPort: 4143}, {Name: "linkerd-admin", ContainerPort: 4191}},
		ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/ready", Port: intstr.FromInt32(4191)}},
			InitialDelaySeconds: 2, TimeoutSeconds: 1},
		SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: aws.Bool(false), RunAsUser: aws.Int64(2102),
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
		VolumeMounts: []corev1.VolumeMount{{Name: "linkerd-identity-end-entity", MountPath: "/var/run/linkerd/identity/end-entity"},
			{Name: "linkerd-identity-token", MountPath: "/var/run/secrets/tokens"}},
		Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("250Mi")}},
	}
	if native {
		c.RestartPolicy = &always
	} else {
		c.Lifecycle = &corev1.Lifecycle{PostStart: &corev1.LifecycleHandler{Exec: &corev1.ExecAction{
			Command: []string{"/usr/lib/linkerd/linkerd-await", "--timeout=2m", "--port=4191"}}}}
	}
	return c
}

func linkerdVolumes(init bool) []corev1.Volume {
	vs := []corev1.Volume{
		{Name: "linkerd-identity-end-entity", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory}}},
		{Name: "linkerd-identity-token", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
			{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Audience: "identity.l5d.io", Path: "linkerd-identity-token"}}}}}},
	}
	if init {
		vs = append([]corev1.Volume{{Name: "linkerd-proxy-init-xtables-lock", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}, vs...)
	}
	return vs
}

func linkerdInit() corev1.Container {
	return corev1.Container{
		Name: "linkerd-init", Image: "cr.l5d.io/linkerd/proxy-init:v2.2.3",
		Args: []string{"--incoming-proxy-port", "4143", "--outgoing-proxy-port", "4140", "--proxy-uid", "2102"},
		SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: aws.Bool(false), Privileged: aws.Bool(false),
			Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"NET_ADMIN", "NET_RAW"}}},
		VolumeMounts: []corev1.VolumeMount{{Name: "linkerd-proxy-init-xtables-lock", MountPath: "/run"}},
	}
}

func linkerdMeta(t *corev1.PodTemplateSpec) {
	t.Annotations = with(t.Annotations, "linkerd.io/created-by", "linkerd/proxy-injector stable-2.14.10", "linkerd.io/proxy-version", "stable-2.14.10",
		"linkerd.io/inject", "enabled")
	t.Labels = with(t.Labels, "linkerd.io/control-plane-ns", "linkerd", "linkerd.io/proxy-deployment", "owner", "linkerd.io/workload-ns", "default")
}

func with(m map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

var meshShapes = []meshShape{
	{"linkerd", func(t *corev1.PodTemplateSpec) shift {
		linkerdMeta(t)
		s := &t.Spec
		s.InitContainers = append([]corev1.Container{linkerdInit()}, s.InitContainers...)
		s.Containers = append([]corev1.Container{linkerdProxy(false)}, s.Containers...) // the proxy first, as linkerd's proxy-await does
		s.Volumes = append(s.Volumes, linkerdVolumes(true)...)
		return shift{"initContainers": 1, "containers": 1}
	}},
	{"linkerd with the CNI plugin", func(t *corev1.PodTemplateSpec) shift {
		linkerdMeta(t)
		s := &t.Spec
		s.InitContainers = append([]corev1.Container{{Name: "linkerd-network-validator", Image: "cr.l5d.io/linkerd/proxy:stable-2.14.10",
			Command: []string{"/usr/lib/linkerd/linkerd2-network-validator"}, Args: []string{"--connect-addr", "1.1.1.1:20001", "--listen-addr", "0.0.0.0:4140"},
			SecurityContext: &corev1.SecurityContext{Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}}}}, s.InitContainers...)
		s.Containers = append(s.Containers, linkerdProxy(false)) // without proxy-await, after the app
		s.Volumes = append(s.Volumes, linkerdVolumes(false)...)
		return shift{"initContainers": 1}
	}},
	{"linkerd native sidecar", func(t *corev1.PodTemplateSpec) shift {
		linkerdMeta(t)
		t.Annotations["config.alpha.linkerd.io/proxy-enable-native-sidecar"] = "true"
		s := &t.Spec
		s.InitContainers = append([]corev1.Container{linkerdInit(), linkerdProxy(true)}, s.InitContainers...)
		s.Volumes = append(s.Volumes, linkerdVolumes(true)...)
		return shift{"initContainers": 2}
	}},
	{"istio", func(t *corev1.PodTemplateSpec) shift { return injectIstio(t, false) }},
	{"istio native sidecar with the CNI plugin", func(t *corev1.PodTemplateSpec) shift { return injectIstio(t, true) }},
}

var istioVolumes = []string{"workload-socket", "credential-socket", "workload-certs", "istio-envoy", "istio-data", "istio-podinfo", "istio-token", "istiod-ca-cert"}

// injectIstio injects istio's sidecar: classic (istio-init, istio-proxy after the app) or native
// with the CNI plugin (istio-validation and istio-proxy first among the init containers). Probes
// are rewritten as istio's injector does.
func injectIstio(t *corev1.PodTemplateSpec, native bool) shift {
	s := &t.Spec
	probers := map[string]any{}
	for i := range s.Containers {
		c := &s.Containers[i]
		for _, p := range []struct {
			kind  string
			probe *corev1.Probe
		}{{"livez", c.LivenessProbe}, {"readyz", c.ReadinessProbe}, {"startupz", c.StartupProbe}} {
			if p.probe == nil || p.probe.Exec != nil {
				continue
			}
			orig := map[string]any{"timeoutSeconds": p.probe.TimeoutSeconds}
			switch h := p.probe.ProbeHandler; {
			case h.HTTPGet != nil:
				g := h.HTTPGet.DeepCopy()
				if g.Port.Type == intstr.String { // istio stores the port number
					for _, cp := range c.Ports {
						if cp.Name == g.Port.StrVal {
							g.Port = intstr.FromInt32(cp.ContainerPort)
						}
					}
				}
				orig["httpGet"] = g
			case h.TCPSocket != nil:
				orig["tcpSocket"] = h.TCPSocket
			case h.GRPC != nil:
				orig["grpc"] = h.GRPC
			}
			path := mapping.IstioProbePath(c.Name, p.kind)
			probers[path] = orig
			p.probe.ProbeHandler = corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: path, Port: intstr.FromInt32(mapping.IstioProbePort), Scheme: corev1.URISchemeHTTP}}
		}
	}
	js, _ := json.Marshal(probers)
	proxy := corev1.Container{
		Name: "istio-proxy", Image: "docker.io/istio/proxyv2:1.23.0", Args: []string{"proxy", "sidecar"},
		Env: []corev1.EnvVar{{Name: "CA_ADDR", Value: "istiod.istio-system.svc:15012"},
			{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
			{Name: mapping.IstioProbersEnv, Value: string(js)}},
		Ports:          []corev1.ContainerPort{{Name: "http-envoy-prom", ContainerPort: 15090, Protocol: corev1.ProtocolTCP}},
		ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz/ready", Port: intstr.FromInt32(15021)}}, PeriodSeconds: 15},
		Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2"), corev1.ResourceMemory: resource.MustParse("1Gi")},
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")}},
		SecurityContext: &corev1.SecurityContext{RunAsUser: aws.Int64(1337), RunAsGroup: aws.Int64(1337), Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}},
	}
	for _, v := range istioVolumes {
		proxy.VolumeMounts = append(proxy.VolumeMounts, corev1.VolumeMount{Name: v, MountPath: "/var/run/" + v})
		s.Volumes = append(s.Volumes, corev1.Volume{Name: v, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
	}
	s.ImagePullSecrets = append(s.ImagePullSecrets, corev1.LocalObjectReference{Name: "istio-image-pull"})
	status := map[string]any{"containers": []string{"istio-proxy"}, "initContainers": []string{"istio-init"}, "volumes": istioVolumes,
		"imagePullSecrets": []string{"istio-image-pull"}, "revision": "default"}
	sh := shift{"initContainers": 1}
	if native {
		proxy.RestartPolicy = &always
		validation := corev1.Container{Name: "istio-validation", Image: proxy.Image, Args: []string{"istio-iptables", "--run-validation", "--skip-rule-apply"},
			SecurityContext: &corev1.SecurityContext{RunAsUser: aws.Int64(1337), Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}}}
		s.InitContainers = append([]corev1.Container{validation, proxy}, s.InitContainers...)
		status["containers"], status["initContainers"] = nil, []string{"istio-validation", "istio-proxy"}
		sh["initContainers"] = 2
	} else {
		init := corev1.Container{Name: "istio-init", Image: proxy.Image, Args: []string{"istio-iptables", "-p", "15001", "-z", "15006", "-u", "1337"},
			SecurityContext: &corev1.SecurityContext{RunAsUser: aws.Int64(0), Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"NET_ADMIN", "NET_RAW"}, Drop: []corev1.Capability{"ALL"}}}}
		s.InitContainers = append([]corev1.Container{init}, s.InitContainers...)
		s.Containers = append(s.Containers, proxy)
	}
	sj, _ := json.Marshal(status)
	t.Annotations = with(t.Annotations, "sidecar.istio.io/status", string(sj), "kubectl.kubernetes.io/default-container", s.Containers[0].Name,
		"prometheus.io/port", "15020", "prometheus.io/scrape", "true")
	t.Labels = with(t.Labels, "security.istio.io/tlsMode", "istio", "service.istio.io/canonical-name", "owner", "service.istio.io/canonical-revision", "latest")
	return sh
}

// templateOf is the pod template of a typed workload, and the metadata the injector labels (a
// Pod's own).
func templateOf(obj any) (*corev1.PodTemplateSpec, func()) {
	switch o := obj.(type) {
	case *corev1.Pod:
		t := &corev1.PodTemplateSpec{ObjectMeta: o.ObjectMeta, Spec: o.Spec}
		return t, func() { o.ObjectMeta, o.Spec = t.ObjectMeta, t.Spec }
	case *appsv1.Deployment:
		return &o.Spec.Template, func() {}
	case *appsv1.StatefulSet:
		return &o.Spec.Template, func() {}
	case *appsv1.DaemonSet:
		return &o.Spec.Template, func() {}
	case *appsv1.ReplicaSet:
		return &o.Spec.Template, func() {}
	case *batchv1.Job:
		return &o.Spec.Template, func() {}
	case *batchv1.CronJob:
		return &o.Spec.JobTemplate.Spec.Template, func() {}
	}
	return nil, nil
}

// injectFile injects every workload of a manifest file, returning the new file and, per
// document, how the lists moved.
func injectFile(t *testing.T, data []byte, shape meshShape) (string, map[int]shift) {
	t.Helper()
	var docs []string
	shifts := map[int]shift{}
	require.NoError(t, ReadDocuments(strings.NewReader(string(data)), "in.yaml", ReadOptions{}, func(d Document) {
		if !IsWorkloadKind(d.Kind) {
			docs = append(docs, string(d.JSON))
			return
		}
		w, _, err := NewIndex().AddObject(d)
		require.NoError(t, err)
		tmpl, store := templateOf(w.Object)
		require.NotNil(t, tmpl, d.Kind)
		shifts[d.Index] = shape.inject(tmpl)
		store()
		out, err := yaml.Marshal(w.Object)
		require.NoError(t, err)
		docs = append(docs, string(out))
	}, nil))
	return strings.Join(docs, "\n---\n"), shifts
}

var listIndex = regexp.MustCompile(`spec\.(initContainers|containers|volumes|imagePullSecrets)\[(\d+)\]`)

// Every workload of every fixture, injected by each mesh in each shape, converts to the files it
// converts to without the mesh, and reports the same findings at the same fields of the injected
// manifest, plus the one finding about the mesh.
func TestMeshInjectedConvertsAsBefore(t *testing.T) {
	files, err := filepath.Glob("../testdata/fixtures/k8s/*.yaml")
	require.NoError(t, err)
	for _, f := range files {
		// list.yaml holds its workloads as items of a List, which the injector below does not rewrite.
		if strings.HasSuffix(f, ".config.yaml") || strings.HasPrefix(filepath.Base(f), "mesh-") || filepath.Base(f) == "list.yaml" {
			continue
		}
		cfg := Config{}
		if data, err := os.ReadFile(strings.TrimSuffix(f, ".yaml") + ".config.yaml"); err == nil {
			cfg, err = ParseConfig(data)
			require.NoError(t, err)
		}
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, shape := range meshShapes {
			t.Run(filepath.Base(f)+"/"+shape.name, func(t *testing.T) {
				injected, shifts := injectFile(t, data, shape)
				plain := convertFiles(t, cfg, [2]string{"in.yaml", string(data)})
				meshed := convertFiles(t, cfg, [2]string{"in.yaml", injected})
				assert.Equal(t, errorStrings(plain.Errors), errorStrings(meshed.Errors))
				require.Equal(t, len(plain.Outputs), len(meshed.Outputs))
				for i := range plain.Outputs {
					assert.Equal(t, fileStrings(t, plain.Outputs[i]), fileStrings(t, meshed.Outputs[i]), plain.Outputs[i].Name)
				}
				want, got := map[string][]string{}, map[string][]string{}
				for _, fd := range plain.Findings {
					if !strings.Contains(fd.Message, "named port") { // istio keeps port numbers
						sh := shifts[fd.Doc.Index]
						fd.Path = listIndex.ReplaceAllStringFunc(fd.Path, func(m string) string {
							p := listIndex.FindStringSubmatch(m)
							n, _ := strconv.Atoi(p[2])
							return fmt.Sprintf("spec.%s[%d]", p[1], n+sh[p[1]])
						})
						want[fd.Doc.String()] = append(want[fd.Doc.String()], fd.Finding.String())
					}
				}
				for _, fd := range meshed.Findings {
					if !strings.Contains(fd.Message, "named port") {
						got[fd.Doc.String()] = append(got[fd.Doc.String()], fd.Finding.String())
					}
				}
				for doc, fs := range got {
					_, isWorkload := shifts[docIndex(t, doc)]
					var extra []string
					for _, f := range fs {
						if i := slices.Index(want[doc], f); i >= 0 {
							want[doc] = slices.Delete(want[doc], i, i+1)
						} else {
							extra = append(extra, f)
						}
					}
					if !isWorkload {
						assert.Empty(t, extra, doc)
						continue
					}
					mesh := 0
					for _, e := range extra {
						switch {
						case strings.Contains(e, ": injected by "):
							mesh++
							assert.True(t, strings.HasPrefix(e, "lossy: "), e)
							assert.Contains(t, e, "traffic policy")
							assert.Contains(t, e, "Service Connect")
						case strings.HasSuffix(e, "metadata.annotations: annotations are not carried (ECS tags are too small for them)"):
						default:
							t.Errorf("%s: unexpected finding %s", doc, e)
						}
					}
					if !slices.ContainsFunc(plain.Errors, func(err error) bool { return strings.HasPrefix(err.Error(), doc) }) {
						assert.Equal(t, 1, mesh, "%s: one finding about the mesh", doc)
					}
				}
				for doc, left := range want {
					assert.Empty(t, left, "%s: findings no longer reported", doc)
				}
			})
		}
	}
}

func docIndex(t *testing.T, doc string) int {
	_, rest, _ := strings.Cut(doc, " doc ")
	n, err := strconv.Atoi(strings.Fields(rest)[0])
	require.NoError(t, err, doc)
	return n
}

func fileStrings(t *testing.T, o Output) []string {
	var out []string
	for _, f := range mustFiles(t, o) {
		out = append(out, f.Name+"\n"+string(f.Data))
	}
	return out
}

func TestMeshCases(t *testing.T) {
	deployment := func(annotations, initContainers, containers, volumes string) string {
		return `apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  selector: {matchLabels: {app: app}}
  template:
    metadata:
      labels: {app: app}
      annotations: {` + annotations + `}
    spec:
      initContainers: [` + initContainers + `]
      containers: [` + containers + `]
      volumes: [` + volumes + `]
`
	}
	const app = `{name: app, image: "app:1", ports: [{containerPort: 8080}]}`
	const netAdmin = `{name: setup, image: "setup:1", securityContext: {capabilities: {add: [NET_ADMIN]}}}`
	linkerd := deployment(`linkerd.io/proxy-version: stable-2.14.10`,
		`{name: linkerd-init, image: "proxy-init:2", securityContext: {capabilities: {add: [NET_ADMIN, NET_RAW]}}}`,
		`{name: linkerd-proxy, image: "proxy:2"}, `+app, "")

	t.Run("every launch type drops the mesh; auto keeps it on Fargate", func(t *testing.T) {
		for lt, want := range map[string]types.Compatibility{"": types.CompatibilityFargate, LaunchEC2: types.CompatibilityEc2, LaunchAuto: types.CompatibilityFargate} {
			res := convertFiles(t, Config{LaunchType: lt}, [2]string{"app.yaml", linkerd})
			require.Empty(t, res.Errors, lt)
			td := outputNamed(t, res, "app").TaskDefinition
			assert.Equal(t, []types.Compatibility{want}, td.RequiresCompatibilities, lt)
			require.Len(t, td.ContainerDefinitions, 1, lt)
			assert.Equal(t, "app", aws.ToString(td.ContainerDefinitions[0].Name))
			assert.True(t, hasFinding(res, "Deployment", "app", mapping.Lossy, "spec.template.spec.containers[0]", "injected by linkerd: linkerd-init and linkerd-proxy are not carried"), lt)
		}
	})
	t.Run("an init container of the application's own that adds NET_ADMIN is still an error on Fargate", func(t *testing.T) {
		in := deployment(`linkerd.io/proxy-version: stable-2.14.10`,
			`{name: linkerd-init, image: "proxy-init:2", securityContext: {capabilities: {add: [NET_ADMIN]}}}, `+netAdmin,
			`{name: linkerd-proxy, image: "proxy:2"}, `+app, "")
		res := convertFiles(t, Config{}, [2]string{"app.yaml", in})
		require.Len(t, res.Errors, 1)
		assert.True(t, hasFinding(res, "Deployment", "app", mapping.Error, "spec.template.spec.initContainers[1].securityContext.capabilities.add[0]", "NET_ADMIN cannot be added"),
			"%v", findingsOf(res, "Deployment", "app"))
		res = convertFiles(t, Config{LaunchType: LaunchAuto}, [2]string{"app.yaml", in})
		require.Empty(t, res.Errors)
		assert.Equal(t, []types.Compatibility{types.CompatibilityEc2}, outputNamed(t, res, "app").TaskDefinition.RequiresCompatibilities)
		assert.True(t, hasFinding(res, "Deployment", "app", mapping.Info, "spec.template.spec.initContainers[1].securityContext.capabilities.add[0]", mapping.AutoEC2))
		res = convertFiles(t, Config{}, [2]string{"app.yaml", deployment("", netAdmin, app, "")})
		require.Len(t, res.Errors, 1, "without a mesh, the same")
	})
	t.Run("a mesh's own gateway is its proxy: converted as it is", func(t *testing.T) {
		in := deployment(`inject.istio.io/templates: gateway, sidecar.istio.io/status: '{"containers":["istio-proxy"]}'`, "",
			`{name: istio-proxy, image: auto, ports: [{containerPort: 8080}]}`, "")
		res := convertFiles(t, Config{}, [2]string{"gw.yaml", in})
		require.Empty(t, res.Errors)
		td := outputNamed(t, res, "app").TaskDefinition
		require.Len(t, td.ContainerDefinitions, 1)
		assert.Equal(t, "istio-proxy", aws.ToString(td.ContainerDefinitions[0].Name))
		for _, f := range findingsOf(res, "Deployment", "app") {
			assert.NotContains(t, f, "injected by")
		}
	})
	t.Run("a probe istio rewrote without its original is dropped, not pointed at a missing agent", func(t *testing.T) {
		in := deployment(`sidecar.istio.io/status: 'not JSON'`, "",
			`{name: app, image: "app:1", livenessProbe: {httpGet: {path: /app-health/app/livez, port: 15020}}, readinessProbe: {httpGet: {path: /healthz, port: 8080}}},
			 {name: istio-proxy, image: "proxyv2:1", env: [{name: ISTIO_KUBE_APP_PROBERS, value: '{"/app-health/app/readyz":{"httpGet":{"port":8080}}}'}]}`, "")
		res := convertFiles(t, Config{}, [2]string{"app.yaml", in})
		require.Empty(t, res.Errors)
		hc := outputNamed(t, res, "app").TaskDefinition.ContainerDefinitions[0].HealthCheck
		require.NotNil(t, hc, "the readiness probe, which istio did not rewrite, is the health check")
		assert.Contains(t, strings.Join(hc.Command, " "), "localhost:8080/healthz")
		assert.True(t, hasFinding(res, "Deployment", "app", mapping.Lossy, "spec.template.spec.containers[0].livenessProbe", "holds no original for it; the probe is dropped"),
			"%v", findingsOf(res, "Deployment", "app"))
	})
	t.Run("probes restored from HTTP, TCP and gRPC originals, on native sidecars too", func(t *testing.T) {
		probers := `{"/app-health/app/livez":{"grpc":{"port":9090}},"/app-health/app/readyz":{"tcpSocket":{"port":8080}},"/app-health/app/startupz":{"httpGet":{"path":"/started","port":8080,"scheme":"HTTPS"}}}`
		in := deployment(`sidecar.istio.io/status: '{"initContainers":["istio-validation","istio-proxy"]}'`,
			`{name: istio-validation, image: "proxyv2:1"}, {name: istio-proxy, image: "proxyv2:1", restartPolicy: Always, env: [{name: ISTIO_KUBE_APP_PROBERS, value: '`+probers+`'}]}`,
			`{name: app, image: "app:1", livenessProbe: {httpGet: {path: /app-health/app/livez, port: 15020}, periodSeconds: 7},
			  readinessProbe: {httpGet: {path: /app-health/app/readyz, port: 15020}}, startupProbe: {httpGet: {path: /app-health/app/startupz, port: 15020}}}`, "")
		res := convertFiles(t, Config{}, [2]string{"app.yaml", in})
		require.Empty(t, res.Errors)
		td := outputNamed(t, res, "app").TaskDefinition
		require.Len(t, td.ContainerDefinitions, 1)
		hc := td.ContainerDefinitions[0].HealthCheck
		require.NotNil(t, hc)
		assert.Contains(t, strings.Join(hc.Command, " "), "9090", "the gRPC liveness probe is the health check")
		assert.Equal(t, int32(7), aws.ToInt32(hc.Interval), "the rewritten probe's timing is kept")
		assert.True(t, hasFinding(res, "Deployment", "app", mapping.Lossy, "spec.template.spec.initContainers[1]", "3 probe(s) istio pointed at its agent are restored"),
			"%v", findingsOf(res, "Deployment", "app"))
	})
	t.Run("a pod that asks for injection runs without the mesh, and is told so", func(t *testing.T) {
		for _, ask := range []struct{ annotations, labels, path string }{
			{`linkerd.io/inject: enabled`, "", `spec.template.metadata.annotations["linkerd.io/inject"]`},
			{"", `sidecar.istio.io/inject: "true"`, `spec.template.metadata.labels["sidecar.istio.io/inject"]`},
			{"", `istio.io/rev: canary`, `spec.template.metadata.labels["istio.io/rev"]`},
		} {
			in := strings.Replace(deployment(ask.annotations, "", app, ""), "labels: {app: app}", "labels: {app: app, "+ask.labels+"}", 1)
			res := convertFiles(t, Config{}, [2]string{"app.yaml", in})
			require.Empty(t, res.Errors)
			assert.True(t, hasFinding(res, "Deployment", "app", mapping.Lossy, ask.path, "traffic policy"), "%s: %v", ask.path, findingsOf(res, "Deployment", "app"))
		}
		for _, no := range []string{`linkerd.io/inject: disabled`, `sidecar.istio.io/inject: "false"`} {
			res := convertFiles(t, Config{}, [2]string{"app.yaml", deployment(no, "", app, "")})
			for _, f := range findingsOf(res, "Deployment", "app") {
				assert.NotContains(t, f, "traffic policy", no)
			}
		}
	})
	t.Run("volumes the application shares with the mesh stay", func(t *testing.T) {
		in := deployment(`linkerd.io/proxy-version: stable-2.14.10`, "",
			`{name: linkerd-proxy, image: "proxy:2", volumeMounts: [{name: shared, mountPath: /s}, {name: mine, mountPath: /m}]},
			 {name: app, image: "app:1", volumeMounts: [{name: shared, mountPath: /s}]}`,
			`{name: shared, emptyDir: {}}, {name: mine, emptyDir: {}}`)
		res := convertFiles(t, Config{}, [2]string{"app.yaml", in})
		require.Empty(t, res.Errors)
		td := outputNamed(t, res, "app").TaskDefinition
		require.Len(t, td.Volumes, 1)
		assert.Equal(t, "shared", aws.ToString(td.Volumes[0].Name))
		assert.True(t, hasFinding(res, "Deployment", "app", mapping.Lossy, "spec.template.spec.containers[0]", "(with the volume mine)"))
	})
}
