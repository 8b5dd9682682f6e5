package convert

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/api/validate/content"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	kjson "sigs.k8s.io/json"

	"github.com/podecs/podecs/convert/ecsjson"
	"github.com/podecs/podecs/mapping"
)

// The golden files are refreshed with go test ./convert -run TestReverseGolden -update. The flag is
// registered in init, after the package's variables, so that another test file of the package may
// declare it too.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func rvUpdate() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

const rvFixtures = "../testdata/fixtures/ecs"

// rvCaseOptions are the options a fixture case is converted with (the default otherwise).
var rvCaseOptions = map[string]ReverseOptions{
	"cms":           {ExternalSecrets: true},
	"gpu-inference": {Kind: KindDeployment},
}

// rvCases groups the fixture files by case: the file name up to its first dot.
func rvCases(t *testing.T) map[string][]string {
	files, err := filepath.Glob(filepath.Join(rvFixtures, "*.json"))
	require.NoError(t, err)
	cases := map[string][]string{}
	for _, f := range files {
		name, _, _ := strings.Cut(filepath.Base(f), ".")
		cases[name] = append(cases[name], f)
	}
	require.GreaterOrEqual(t, len(cases), 10, "at least 10 fixture cases")
	return cases
}

// rvConvertFiles runs the converter over files, as podecs convert does.
func rvConvertFiles(t testing.TB, files []string, opts Options) Result {
	t.Helper()
	conv := NewConverter(opts)
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		require.NoError(t, ReadDocuments(bytes.NewReader(data), filepath.Base(f), ReadOptions{}, conv.Add, func(e *DocError) { conv.AddError(e) }))
	}
	return conv.Finish()
}

// rvManifestsYAML renders manifests as podecs convert prints them.
func rvManifestsYAML(t testing.TB, ms []Manifest) []byte {
	t.Helper()
	var out bytes.Buffer
	for i, m := range ms {
		if i > 0 {
			out.WriteString("---\n")
		}
		y, err := m.YAML()
		require.NoError(t, err)
		out.Write(y)
	}
	return out.Bytes()
}

// rvBackToECS converts a manifest's YAML back to ECS with the default configuration.
func rvBackToECS(t testing.TB, y []byte) (Output, []Finding) {
	t.Helper()
	conv := NewConverter(Options{})
	require.NoError(t, ReadDocuments(bytes.NewReader(y), "manifest.yaml", ReadOptions{}, conv.Add, func(e *DocError) { conv.AddError(e) }))
	res := conv.Finish()
	require.Empty(t, res.Errors, "converting back: %v", res.Errors)
	require.Len(t, res.Outputs, 1)
	return res.Outputs[0], res.Findings
}

// rvRequireSameECS compares two ECS values after normalizeECS, printing both on failure.
func rvRequireSameECS(t testing.TB, want, got any, what string) {
	t.Helper()
	if d := ecsDifference(want, got); d != "" {
		w, _ := toGeneric(want)
		g, _ := toGeneric(got)
		wj, _ := json.MarshalIndent(normalizeECS(w), "", "  ")
		gj, _ := json.MarshalIndent(normalizeECS(g), "", "  ")
		t.Fatalf("%s differs at %s\nwant: %s\ngot:  %s", what, d, wj, gj)
	}
}

func TestReverseGolden(t *testing.T) {
	for name, files := range rvCases(t) {
		t.Run(name, func(t *testing.T) {
			res := rvConvertFiles(t, files, Options{Reverse: rvCaseOptions[name]})
			require.Empty(t, res.Errors)
			require.NotEmpty(t, res.Manifests)
			y := rvManifestsYAML(t, res.Manifests)
			var findings strings.Builder
			for _, f := range res.Findings {
				findings.WriteString(f.String() + "\n")
			}
			golden := filepath.Join(rvFixtures, "golden", name+".yaml")
			goldenFindings := filepath.Join(rvFixtures, "golden", name+".findings.txt")
			if rvUpdate() {
				require.NoError(t, os.WriteFile(golden, y, 0o644))
				require.NoError(t, os.WriteFile(goldenFindings, []byte(findings.String()), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run with -update to create the golden file")
			assert.Equal(t, string(want), string(y))
			wantFindings, err := os.ReadFile(goldenFindings)
			require.NoError(t, err)
			assert.Equal(t, string(wantFindings), findings.String())
			again := rvConvertFiles(t, files, Options{Reverse: rvCaseOptions[name]})
			assert.Equal(t, string(y), string(rvManifestsYAML(t, again.Manifests)), "same input, same bytes")
		})
	}
}

// TestReverseFixturesRoundTrip converts every fixture to Kubernetes and back and expects the same
// task definition and service, and no finding saying otherwise.
func TestReverseFixturesRoundTrip(t *testing.T) {
	for name, files := range rvCases(t) {
		t.Run(name, func(t *testing.T) {
			res := rvConvertFiles(t, files, Options{Reverse: rvCaseOptions[name]})
			require.Empty(t, res.Errors)
			for _, f := range res.Findings {
				assert.NotContains(t, f.Message, "does not give this field back", f.String())
			}
			for _, m := range res.Manifests {
				y, err := m.YAML()
				require.NoError(t, err)
				rvValidateManifest(t, y)
				out, findings := rvBackToECS(t, y)
				rvRequireSameECS(t, m.in.TaskDefinition, out.TaskDefinition, "task definition")
				if m.in.Service != nil {
					require.NotNil(t, out.Service)
					rvRequireSameECS(t, m.in.Service, out.Service, "service")
				}
				for _, f := range findings {
					assert.NotEqual(t, mapping.Error, f.Level, f.String())
					assert.NotContains(t, f.Message, "placeholder ARN", "restored secrets must not be reported as placeholders: %s", f)
				}
			}
		})
	}
}

// TestReverseEditsWin edits the Kubernetes side and checks that the edit reaches ECS while the
// fields Kubernetes cannot express are still restored.
func TestReverseEditsWin(t *testing.T) {
	res := rvConvertFiles(t, []string{filepath.Join(rvFixtures, "fargate-web.json")}, Options{})
	require.Len(t, res.Manifests, 1)
	m := res.Manifests[0]
	pod := rvFindObject[*corev1.Pod](t, m.Objects)
	web := &pod.Spec.Containers[0]
	require.Equal(t, "web", web.Name)
	web.Image = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/storefront:4.3.0"
	web.Env = append(web.Env, corev1.EnvVar{Name: "NEW_SECRET", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: "new"}, Key: "k"}}})
	web.LivenessProbe.PeriodSeconds = 20
	envoy := &pod.Spec.InitContainers[0]
	require.Equal(t, "envoy", envoy.Name)
	envoy.StartupProbe.PeriodSeconds = 7 // its health check is carried as a patch, which no longer applies
	y, err := m.YAML()
	require.NoError(t, err)
	out, findings := rvBackToECS(t, y)
	td := out.TaskDefinition
	var def = td.ContainerDefinitions[0]
	assert.Equal(t, web.Image, aws.ToString(def.Image), "the edited image wins")
	assert.Equal(t, int32(20), aws.ToInt32(def.HealthCheck.Interval), "the edited probe wins")
	assert.Equal(t, "arn:aws:iam::123456789012:role/ecsTaskExecutionRole", aws.ToString(td.ExecutionRoleArn), "carried fields are restored")
	assert.Equal(t, "storefront_web", aws.ToString(td.Family))
	require.NotNil(t, def.LogConfiguration)
	assert.Equal(t, "web", def.LogConfiguration.Options["awslogs-stream-prefix"])
	arns := map[string]string{}
	for _, s := range def.Secrets {
		arns[aws.ToString(s.Name)] = aws.ToString(s.ValueFrom)
	}
	assert.Equal(t, "arn:aws:secretsmanager:eu-central-1:123456789012:secret:storefront/db-AbCdEf:password::", arns["DB_PASSWORD"], "other secrets keep their ARN")
	assert.Contains(t, arns["NEW_SECRET"], ":secret:new:k::", "the new secret gets the usual placeholder")
	assert.Equal(t, int32(7), aws.ToInt32(td.ContainerDefinitions[1].HealthCheck.Interval), "the edited sidecar probe wins")
	stale := false
	for _, f := range findings {
		stale = stale || strings.Contains(f.Message, "containerDefinitions[envoy].healthCheck not restored")
	}
	assert.True(t, stale, "the discarded health check patch is reported")
}

func rvFindObject[T Object](t *testing.T, objs []Object) T {
	t.Helper()
	for _, o := range objs {
		if v, ok := o.(T); ok {
			return v
		}
	}
	var zero T
	t.Fatalf("no %T among the objects", zero)
	return zero
}

// rvValidateManifest decodes every document strictly into its k8s.io/api type and checks the API's
// rules for names, labels, annotations, ports, env names, volumes, probes and selectors.
func rvValidateManifest(t testing.TB, y []byte) {
	t.Helper()
	var labelsByWorkload []map[string]string
	var services []*corev1.Service
	require.NoError(t, ReadDocuments(bytes.NewReader(y), "manifest.yaml", ReadOptions{}, func(doc Document) {
		require.Equal(t, FormatKubernetes, doc.Format)
		obj := rvNewTyped(t, doc.Kind)
		strict, err := kjson.UnmarshalStrict(doc.JSON, obj)
		require.NoError(t, err, "%s", doc.JSON)
		require.Empty(t, strict, "strict decoding of %s %s", doc.Kind, doc.Name)
		o := obj.(Object)
		v := rvValidator{t: t, path: doc.Kind + "/" + o.GetName()}
		v.objectMeta(o, doc.Kind == "Service")
		switch x := obj.(type) {
		case *corev1.Pod:
			v.podSpec(&x.Spec, false)
		case *appsv1.Deployment:
			v.selector(x.Spec.Selector.MatchLabels, x.Spec.Template.Labels)
			v.labels(x.Spec.Template.Labels)
			v.annotations(x.Spec.Template.Annotations)
			v.podSpec(&x.Spec.Template.Spec, true)
			if x.Spec.Replicas != nil {
				v.check(*x.Spec.Replicas >= 0, "replicas %d", *x.Spec.Replicas)
			}
			labelsByWorkload = append(labelsByWorkload, x.Spec.Template.Labels)
		case *appsv1.DaemonSet:
			v.selector(x.Spec.Selector.MatchLabels, x.Spec.Template.Labels)
			v.labels(x.Spec.Template.Labels)
			v.annotations(x.Spec.Template.Annotations)
			v.podSpec(&x.Spec.Template.Spec, true)
			labelsByWorkload = append(labelsByWorkload, x.Spec.Template.Labels)
		case *batchv1.CronJob:
			tmpl := x.Spec.JobTemplate.Spec.Template
			v.labels(tmpl.Labels)
			v.annotations(tmpl.Annotations)
			v.podSpec(&tmpl.Spec, false)
			v.check(tmpl.Spec.RestartPolicy == corev1.RestartPolicyNever || tmpl.Spec.RestartPolicy == corev1.RestartPolicyOnFailure, "a Job's pods restart Never or OnFailure, not %q", tmpl.Spec.RestartPolicy)
		case *autoscalingv2.HorizontalPodAutoscaler:
			v.check(x.Spec.MaxReplicas >= 1, "maxReplicas %d", x.Spec.MaxReplicas)
			v.check(x.Spec.MinReplicas == nil || *x.Spec.MinReplicas <= x.Spec.MaxReplicas, "minReplicas above maxReplicas")
			v.subdomain(x.Spec.ScaleTargetRef.Name)
		case *corev1.Service:
			v.servicePorts(x.Spec.Ports)
			services = append(services, x)
		case *corev1.PersistentVolumeClaim:
			v.check(len(x.Spec.AccessModes) > 0, "claim needs access modes")
			_, ok := x.Spec.Resources.Requests[corev1.ResourceStorage]
			v.check(ok, "claim needs a storage request")
		case *corev1.ConfigMap:
			v.configMap(x)
		case *ExternalSecret:
			v.subdomain(x.Spec.Target.Name)
			for _, d := range x.Spec.Data {
				v.errs(validation.IsConfigMapKey(d.SecretKey), "secretKey %q", d.SecretKey)
				v.check(d.RemoteRef.Key != "", "remoteRef.key is empty")
			}
		}
	}, func(e *DocError) { t.Fatalf("%v", e) }))
	for _, s := range services {
		matched := false
		for _, l := range labelsByWorkload {
			matched = matched || rvSelects(s.Spec.Selector, l)
		}
		assert.True(t, matched, "Service %s selects no pod template", s.Name)
	}
}

func rvSelects(sel, labels map[string]string) bool {
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func rvNewTyped(t testing.TB, kind string) any {
	switch kind {
	case "Pod":
		return &corev1.Pod{}
	case "Deployment":
		return &appsv1.Deployment{}
	case "DaemonSet":
		return &appsv1.DaemonSet{}
	case "Service":
		return &corev1.Service{}
	case "ServiceAccount":
		return &corev1.ServiceAccount{}
	case "PersistentVolumeClaim":
		return &corev1.PersistentVolumeClaim{}
	case "ExternalSecret":
		return &ExternalSecret{}
	case "CronJob":
		return &batchv1.CronJob{}
	case "HorizontalPodAutoscaler":
		return &autoscalingv2.HorizontalPodAutoscaler{}
	case "ConfigMap":
		return &corev1.ConfigMap{}
	}
	t.Fatalf("unexpected kind %q", kind)
	return nil
}

type rvValidator struct {
	t    testing.TB
	path string
}

func (v rvValidator) check(ok bool, format string, args ...any) {
	v.t.Helper()
	assert.True(v.t, ok, "%s: %s", v.path, fmt.Sprintf(format, args...))
}

func (v rvValidator) errs(errs []string, format string, args ...any) {
	v.t.Helper()
	assert.Empty(v.t, errs, "%s: %s", v.path, fmt.Sprintf(format, args...))
}

func (v rvValidator) subdomain(name string) {
	v.t.Helper()
	v.errs(validation.IsDNS1123Subdomain(name), "name %q", name)
}

func (v rvValidator) objectMeta(o Object, service bool) {
	v.t.Helper()
	if service {
		v.errs(validation.IsDNS1035Label(o.GetName()), "Service name %q", o.GetName())
	}
	v.subdomain(o.GetName())
	if ns := o.GetNamespace(); ns != "" {
		v.errs(validation.IsDNS1123Label(ns), "namespace %q", ns)
	}
	v.labels(o.GetLabels())
	v.annotations(o.GetAnnotations())
}

func (v rvValidator) labels(l map[string]string) {
	v.t.Helper()
	for k, val := range l {
		v.errs(content.IsLabelKey(k), "label key %q", k)
		v.errs(content.IsLabelValue(val), "label value %q", val)
	}
}

func (v rvValidator) annotations(a map[string]string) {
	v.t.Helper()
	size := 0
	for k, val := range a {
		v.errs(validation.IsQualifiedName(strings.ToLower(k)), "annotation key %q", k)
		size += len(k) + len(val)
	}
	v.check(size <= maxAnnotationBytes, "annotations of %d bytes", size)
}

func (v rvValidator) selector(sel, labels map[string]string) {
	v.t.Helper()
	v.labels(sel)
	v.check(rvSelects(sel, labels), "selector %v does not match the template labels %v", sel, labels)
}

func (v rvValidator) servicePorts(ports []corev1.ServicePort) {
	v.t.Helper()
	v.check(len(ports) > 0, "a Service needs ports")
	seen := map[string]bool{}
	for _, p := range ports {
		v.errs(validation.IsValidPortNum(int(p.Port)), "port %d", p.Port)
		v.errs(validation.IsValidPortNum(p.TargetPort.IntValue()), "targetPort %v", p.TargetPort)
		if len(ports) > 1 || p.Name != "" {
			v.errs(validation.IsDNS1123Label(p.Name), "Service port name %q", p.Name)
		}
		v.check(!seen[p.Name], "duplicate Service port name %q", p.Name)
		seen[p.Name] = true
		if p.AppProtocol != nil {
			v.errs(validation.IsQualifiedName(*p.AppProtocol), "appProtocol %q", *p.AppProtocol)
		}
	}
}

func (v rvValidator) podSpec(spec *corev1.PodSpec, workload bool) {
	v.t.Helper()
	v.check(len(spec.Containers) > 0, "a pod needs containers")
	if workload {
		v.check(spec.RestartPolicy == corev1.RestartPolicyAlways, "restartPolicy %q in a workload", spec.RestartPolicy)
	}
	vols := map[string]bool{}
	for _, vol := range spec.Volumes {
		v.errs(validation.IsDNS1123Label(vol.Name), "volume name %q", vol.Name)
		v.check(!vols[vol.Name], "duplicate volume %q", vol.Name)
		vols[vol.Name] = true
		n := 0
		for _, set := range []bool{vol.EmptyDir != nil, vol.HostPath != nil, vol.PersistentVolumeClaim != nil,
			vol.ConfigMap != nil, vol.Secret != nil, vol.Projected != nil, vol.DownwardAPI != nil} {
			if set {
				n++
			}
		}
		v.check(n == 1, "volume %q has %d sources", vol.Name, n)
		v.filesVolume(vol)
	}
	seen := map[string]bool{}
	all := append(append([]corev1.Container(nil), spec.InitContainers...), spec.Containers...)
	for i, c := range all {
		init := i < len(spec.InitContainers)
		v.errs(validation.IsDNS1123Label(c.Name), "container name %q", c.Name)
		v.check(!seen[c.Name], "duplicate container %q", c.Name)
		seen[c.Name] = true
		v.check(c.Image != "", "container %q has no image", c.Name)
		v.container(c, vols, spec.HostNetwork)
		sidecar := init && c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
		if init && !sidecar {
			v.check(c.LivenessProbe == nil && c.ReadinessProbe == nil && c.StartupProbe == nil, "init container %q has probes", c.Name)
		}
		if !init {
			v.check(c.RestartPolicy == nil, "container %q sets restartPolicy", c.Name)
		}
	}
	if spec.TerminationGracePeriodSeconds != nil {
		v.check(*spec.TerminationGracePeriodSeconds >= 0, "negative grace period")
	}
	for k, val := range spec.NodeSelector {
		v.errs(content.IsLabelKey(k), "node selector key %q", k)
		v.errs(content.IsLabelValue(val), "node selector value %q", val)
	}
	if spec.DNSConfig != nil {
		v.check(len(spec.DNSConfig.Nameservers) <= 3, "more than 3 name servers")
	}
}

func (v rvValidator) container(c corev1.Container, vols map[string]bool, hostNetwork bool) {
	v.t.Helper()
	ports := map[string]bool{}
	for _, p := range c.Ports {
		v.errs(validation.IsValidPortNum(int(p.ContainerPort)), "containerPort %d", p.ContainerPort)
		if p.HostPort != 0 {
			v.errs(validation.IsValidPortNum(int(p.HostPort)), "hostPort %d", p.HostPort)
			v.check(!hostNetwork || p.HostPort == p.ContainerPort, "hostPort %d with host network", p.HostPort)
		}
		if p.Name != "" {
			v.errs(validation.IsValidPortName(p.Name), "port name %q", p.Name)
			v.check(!ports[p.Name], "duplicate port name %q in %s", p.Name, c.Name)
			ports[p.Name] = true
		}
	}
	for _, e := range c.Env {
		v.errs(validation.IsRelaxedEnvVarName(e.Name), "env name %q", e.Name)
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			v.subdomain(e.ValueFrom.SecretKeyRef.Name)
			v.errs(validation.IsConfigMapKey(e.ValueFrom.SecretKeyRef.Key), "secret key %q", e.ValueFrom.SecretKeyRef.Key)
		}
	}
	paths := map[string]bool{}
	for _, m := range c.VolumeMounts {
		v.check(vols[m.Name], "mount of unknown volume %q", m.Name)
		if m.SubPath != "" {
			v.check(mapping.CheckFilePath(m.SubPath) == nil, "subPath %q", m.SubPath)
		}
		v.check(m.MountPath != "" && !paths[m.MountPath], "mount path %q empty or repeated", m.MountPath)
		paths[m.MountPath] = true
	}
	for _, p := range []*corev1.Probe{c.LivenessProbe, c.ReadinessProbe, c.StartupProbe} {
		if p == nil {
			continue
		}
		v.check(p.PeriodSeconds >= 1 && p.TimeoutSeconds >= 1 && p.FailureThreshold >= 1 && p.SuccessThreshold == 1 && p.InitialDelaySeconds >= 0, "probe timings %+v", p)
		if p.HTTPGet != nil {
			v.errs(validation.IsValidPortNum(p.HTTPGet.Port.IntValue()), "probe port")
		}
	}
	for name, req := range c.Resources.Requests {
		v.check(req.Sign() >= 0, "negative request")
		if lim, ok := c.Resources.Limits[name]; ok {
			v.check(req.Cmp(lim) <= 0, "request %s above limit %s for %s", req.String(), lim.String(), name)
		}
	}
	if sc := c.SecurityContext; sc != nil {
		for _, id := range []*int64{sc.RunAsUser, sc.RunAsGroup} {
			if id != nil {
				v.errs(validation.IsValidUserID(*id), "user or group %d", *id)
			}
		}
		v.check(!(sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation && sc.Privileged != nil && *sc.Privileged), "privileged without privilege escalation")
	}
}

// TestReverseRoundTripGenerated converts generated task definitions and services to Kubernetes
// and back: every one must come back unchanged, and every document must be valid.
func TestReverseRoundTripGenerated(t *testing.T) {
	n := 300
	if testing.Short() {
		n = 40
	}
	for seed := range n {
		g := newRvGen(uint64(seed))
		td := g.taskDefinition()
		var svc *ecs.CreateServiceInput
		if g.chance(2) {
			svc = g.service(aws.ToString(td.Family))
		}
		opts := ReverseOptions{ExternalSecrets: g.chance(2)}
		if g.chance(3) {
			opts.Kind = KindDeployment
		}
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rvCheckRoundTrip(t, td, svc, opts)
		})
	}
}

// rvCheckRoundTrip converts to Kubernetes, validates, converts back and compares.
func rvCheckRoundTrip(t *testing.T, td *ecs.RegisterTaskDefinitionInput, svc *ecs.CreateServiceInput, opts ReverseOptions) {
	t.Helper()
	tdJSON, _ := ecsjson.Marshal(td)
	in := ReverseInput{TaskDefinition: td, Service: svc}
	m, fs := Reverse(in, opts)
	require.NotNil(t, m)
	for _, f := range fs {
		require.NotEqual(t, mapping.Error, f.Level, "%s\n%s", f, tdJSON)
		require.NotContains(t, f.Message, "does not give this field back", "%s\n%s", f, tdJSON)
	}
	y, err := m.YAML()
	require.NoError(t, err)
	rvValidateManifest(t, y)
	out, _ := rvBackToECS(t, y)
	rvRequireSameECS(t, td, out.TaskDefinition, "task definition")
	if svc != nil {
		require.NotNil(t, out.Service)
		rvRequireSameECS(t, svc, out.Service, "service")
	}
	m2, _ := Reverse(in, opts)
	y2, err := m2.YAML()
	require.NoError(t, err)
	require.Equal(t, string(y), string(y2), "same input, same bytes")
}

// FuzzReverse decodes arbitrary bytes as an ECS task definition (either input form); whatever
// decodes must convert without panicking, deterministically, and come back unchanged when it
// converts without errors.
func FuzzReverse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(rvFixtures, "*.json"))
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil && bytes.Contains(data, []byte("containerDefinitions")) {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"family":"x","containerDefinitions":[{"name":"A_b","image":"i","essential":false},{"name":"a-b","image":"j","dependsOn":[{"containerName":"A_b","condition":"COMPLETE"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var docs []Document
		_ = ReadDocuments(bytes.NewReader(data), "fuzz", ReadOptions{MaxDocumentBytes: 1 << 20}, func(d Document) { docs = append(docs, d) }, func(*DocError) {})
		for _, doc := range docs {
			if doc.Format != FormatTaskDefinition {
				continue
			}
			tds, _, err := decodeECS(doc)
			if err != nil || len(tds) != 1 {
				continue
			}
			td := tds[0].td
			m, fs := Reverse(ReverseInput{TaskDefinition: td}, ReverseOptions{})
			y, err := m.YAML()
			require.NoError(t, err)
			m2, _ := Reverse(ReverseInput{TaskDefinition: td}, ReverseOptions{})
			y2, _ := m2.YAML()
			require.Equal(t, string(y), string(y2))
			failed := false
			for _, f := range fs {
				failed = failed || f.Level == mapping.Error
			}
			if failed {
				continue
			}
			for _, f := range fs {
				require.NotContains(t, f.Message, "does not give this field back", "%s", f)
			}
		}
	})
}

// rvGen generates task definitions and services from a seed: a small deterministic generator that
// covers every field the mapping table rvNames, in valid and awkward forms.
type rvGen struct{ r *rand.Rand }

func newRvGen(seed uint64) *rvGen { return &rvGen{r: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))} }

func (g *rvGen) chance(n int) bool { return g.r.IntN(n) == 0 }

func (g *rvGen) intn(n int) int { return g.r.IntN(n) }

func rvPick[T any](g *rvGen, xs ...T) T { return xs[g.r.IntN(len(xs))] }

func (g *rvGen) maybeInt32(lo, hi int) *int32 {
	if g.chance(3) {
		return nil
	}
	return aws.Int32(int32(lo + g.intn(hi-lo+1)))
}

func (g *rvGen) maybeBool() *bool {
	if g.chance(2) {
		return nil
	}
	return aws.Bool(g.chance(2))
}

var rvContainerNames = []string{"web", "Web_App", "worker", "log_router", "envoy", "init-db", "a", "X", "sidecar", "migrate"}

func (g *rvGen) taskDefinition() *ecs.RegisterTaskDefinitionInput {
	td := &ecs.RegisterTaskDefinitionInput{Family: aws.String(rvPick(g, "web", "My_Service", "batch-job", "2048-game", "api.v2"))}
	compat := rvPick(g, []types.Compatibility{types.CompatibilityFargate}, []types.Compatibility{types.CompatibilityEc2},
		[]types.Compatibility{types.CompatibilityEc2, types.CompatibilityFargate}, nil)
	td.RequiresCompatibilities = compat
	td.NetworkMode = rvPick(g, types.NetworkModeAwsvpc, types.NetworkModeAwsvpc, types.NetworkModeBridge, types.NetworkModeHost, types.NetworkModeNone, "")
	if g.chance(2) {
		td.Cpu = aws.String(rvPick(g, "256", "512", "1024", "1 vCPU", "0.25 vcpu", "4096"))
	}
	if g.chance(2) {
		td.Memory = aws.String(rvPick(g, "512", "1024", "2048", "2GB", "0.5 GB", "30720"))
	}
	td.PidMode = rvPick(g, types.PidModeTask, types.PidModeHost, "", "")
	td.IpcMode = rvPick(g, types.IpcModeHost, types.IpcModeTask, types.IpcModeNone, "", "", "")
	if g.chance(2) {
		td.ExecutionRoleArn = aws.String("arn:aws:iam::123456789012:role/ecsTaskExecutionRole")
	}
	if g.chance(2) {
		td.TaskRoleArn = aws.String(rvPick(g, "arn:aws:iam::123456789012:role/app", "arn:aws:iam::123456789012:role/path/To_Role", "not-an-arn"))
	}
	if g.chance(3) {
		td.RuntimePlatform = &types.RuntimePlatform{
			CpuArchitecture:       rvPick(g, types.CPUArchitectureArm64, types.CPUArchitectureX8664, ""),
			OperatingSystemFamily: rvPick(g, types.OSFamilyLinux, types.OSFamilyWindowsServer2019Core, types.OSFamilyWindowsServer2022Full, ""),
		}
	}
	for range g.intn(3) {
		td.PlacementConstraints = append(td.PlacementConstraints, types.TaskDefinitionPlacementConstraint{
			Type:       types.TaskDefinitionPlacementConstraintTypeMemberOf,
			Expression: aws.String(rvPick(g, "attribute:ecs.instance-type == m5.large", "attribute:ecs.availability-zone == eu-west-1a and attribute:team == blue", "attribute:ecs.instance-type =~ t3.*", "attribute:bad key == x")),
		})
	}
	if g.chance(3) {
		td.EphemeralStorage = &types.EphemeralStorage{SizeInGiB: int32(21 + g.intn(100))}
	}
	if g.chance(6) {
		td.EnableFaultInjection = aws.Bool(true)
	}
	if g.chance(6) {
		td.ProxyConfiguration = &types.ProxyConfiguration{ContainerName: aws.String("envoy"), Type: types.ProxyConfigurationTypeAppmesh,
			Properties: []types.KeyValuePair{{Name: aws.String("AppPorts"), Value: aws.String("8080")}}}
	}
	for range g.intn(4) {
		td.Tags = append(td.Tags, types.Tag{
			Key:   aws.String(rvPick(g, "team", "app.kubernetes.io/part-of", "Cost Center", "k8s.namespace", "owner", "aws-managed:x", strings.Repeat("k", 70))),
			Value: aws.String(rvPick(g, "blue", "prod", "a value with spaces", "shop", "", strings.Repeat("v", 64))),
		})
	}
	td.Tags = rvDedupeTags(td.Tags)
	vols := []string{"data", "Cache_Dir", "logs", "efs", "sock"}[:g.intn(4)]
	for _, v := range vols {
		vol := types.Volume{Name: aws.String(v)}
		switch g.intn(5) {
		case 0:
			vol.Host = &types.HostVolumeProperties{SourcePath: aws.String("/var/lib/" + strings.ToLower(v))}
		case 1:
			vol.EfsVolumeConfiguration = &types.EFSVolumeConfiguration{FileSystemId: aws.String("fs-0123456789abcdef0"), RootDirectory: aws.String("/" + v),
				TransitEncryption: rvPick(g, types.EFSTransitEncryptionEnabled, "")}
		case 2:
			vol.DockerVolumeConfiguration = &types.DockerVolumeConfiguration{Scope: types.ScopeTask, Driver: aws.String("local")}
		case 3:
			vol.Host = &types.HostVolumeProperties{}
		}
		td.Volumes = append(td.Volumes, vol)
	}
	n := 1 + g.intn(4)
	perm := g.r.Perm(len(rvContainerNames))
	for i := range n {
		td.ContainerDefinitions = append(td.ContainerDefinitions, g.container(rvContainerNames[perm[i]], i == 0, vols))
	}
	for i := range td.ContainerDefinitions {
		d := &td.ContainerDefinitions[i]
		for j := range td.ContainerDefinitions {
			if j != i && g.chance(3) {
				d.DependsOn = append(d.DependsOn, types.ContainerDependency{
					ContainerName: td.ContainerDefinitions[j].Name,
					Condition:     rvPick(g, types.ContainerConditionStart, types.ContainerConditionSuccess, types.ContainerConditionComplete, types.ContainerConditionHealthy),
				})
			}
		}
	}
	g.uniform(td)
	return td
}

func rvDedupeTags(tags []types.Tag) []types.Tag {
	seen := map[string]bool{}
	var out []types.Tag
	for _, t := range tags {
		if !seen[*t.Key] {
			seen[*t.Key] = true
			out = append(out, t)
		}
	}
	return out
}

// uniform sets the per-container fields Kubernetes holds per pod, sometimes the same on every
// container (so they map), sometimes not.
func (g *rvGen) uniform(td *ecs.RegisterTaskDefinitionInput) {
	same := g.chance(2)
	for i := range td.ContainerDefinitions {
		d := &td.ContainerDefinitions[i]
		if g.chance(3) && (same || g.chance(2)) {
			d.SystemControls = []types.SystemControl{{Namespace: aws.String("net.core.somaxconn"), Value: aws.String("1024")}}
		}
		if g.chance(4) && (same || g.chance(2)) {
			d.DnsServers, d.DnsSearchDomains = []string{"10.0.0.2"}, []string{"corp.internal"}
		}
		if g.chance(4) && (same || g.chance(2)) {
			d.ExtraHosts = []types.HostEntry{{Hostname: aws.String("db.local"), IpAddress: aws.String("10.0.0.5")}, {Hostname: aws.String("cache"), IpAddress: aws.String(rvPick(g, "10.0.0.6", "10.0.0.5"))}}
		}
		if g.chance(3) {
			d.StopTimeout = aws.Int32(int32(rvPick(g, 2, 30, 120, 600)))
		}
	}
}

func (g *rvGen) container(name string, essential bool, vols []string) types.ContainerDefinition {
	d := types.ContainerDefinition{Name: aws.String(name), Image: aws.String(rvPick(g, "nginx:1.27", "public.ecr.aws/x/y@sha256:"+strings.Repeat("a", 64), "busybox"))}
	switch {
	case essential:
		d.Essential = rvPick(g, aws.Bool(true), nil)
	default:
		d.Essential = g.maybeBool()
	}
	if g.chance(2) {
		d.EntryPoint = []string{rvPick(g, "sh", "/bin/app"), rvPick(g, "-c", "--flag=$(HOME)", "$$x")}
	}
	if g.chance(2) {
		d.Command = []string{rvPick(g, "serve", "echo $(A) $$ $", "run --port=8080"), "x"}
	}
	if g.chance(4) {
		d.WorkingDirectory = aws.String("/app")
	}
	d.Interactive, d.PseudoTerminal = g.maybeBool(), g.maybeBool()
	if g.chance(2) {
		d.Cpu = int32(rvPick(g, 0, 2, 100, 128, 256, 512, 1000, 1024))
	}
	d.Memory = g.maybeInt32(6, 4096)
	d.MemoryReservation = g.maybeInt32(4, 2048)
	for range g.intn(3) {
		pm := types.PortMapping{ContainerPort: aws.Int32(int32(rvPick(g, 80, 443, 8080, 9090, 53, 65535))), Protocol: rvPick(g, types.TransportProtocolTcp, types.TransportProtocolUdp, "")}
		if g.chance(2) {
			pm.Name = aws.String(rvPick(g, "http", "metrics_port", "8080", "a-very-long-port-name-indeed", "grpc"))
		}
		if g.chance(3) {
			pm.HostPort = aws.Int32(rvPick(g, *pm.ContainerPort, 0, 31000))
		}
		if g.chance(4) {
			pm.AppProtocol = rvPick(g, types.ApplicationProtocolHttp, types.ApplicationProtocolGrpc, types.ApplicationProtocolHttp2)
		}
		if g.chance(8) {
			pm.ContainerPort, pm.ContainerPortRange = nil, aws.String("9000-9010")
		}
		d.PortMappings = append(d.PortMappings, pm)
	}
	for range g.intn(4) {
		d.Environment = append(d.Environment, types.KeyValuePair{
			Name:  aws.String(rvPick(g, "A", "LOG_LEVEL", "my.var", "X-Y", "1ST", "HAS=EQ", "PATH")),
			Value: aws.String(rvPick(g, "", "debug", "$(A)", "a$$b", "x$", "multi\nline")),
		})
	}
	for range g.intn(3) {
		d.Secrets = append(d.Secrets, types.Secret{
			Name: aws.String(rvPick(g, "DB_PASSWORD", "API_KEY", "token.v2", "DB_PASSWORD")),
			ValueFrom: aws.String(rvPick(g,
				"arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf",
				"arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf:password::",
				"arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf:user name:AWSPREVIOUS:",
				"arn:aws:ssm:eu-west-1:123456789012:parameter/prod/api_key",
				"/prod/token", "flat-param")),
		})
	}
	if g.chance(2) {
		d.HealthCheck = g.healthCheck()
	}
	if g.chance(3) {
		d.RestartPolicy = &types.ContainerRestartPolicy{Enabled: g.maybeBool()}
		if g.chance(2) {
			d.RestartPolicy.IgnoredExitCodes = rvPick(g, []int32{0}, []int32{0, 143})
		}
		if g.chance(3) {
			d.RestartPolicy.RestartAttemptPeriod = aws.Int32(300)
		}
	}
	if g.chance(3) {
		d.User = aws.String(rvPick(g, "1000", "1000:1000", "nginx", "0:wheel", "4294967295"))
	}
	d.Privileged, d.ReadonlyRootFilesystem = g.maybeBool(), g.maybeBool()
	if g.chance(4) {
		d.DockerSecurityOptions = rvPick(g, []string{"no-new-privileges"}, []string{"label:type:spc_t", "apparmor:custom"}, []string{"credentialspec:file://x.json"})
	}
	if g.chance(3) {
		lp := &types.LinuxParameters{}
		if g.chance(2) {
			lp.Capabilities = &types.KernelCapabilities{Add: rvPick(g, []string{"NET_ADMIN", "SYS_PTRACE"}, []string{"SYS_PTRACE"}, nil), Drop: rvPick(g, []string{"ALL"}, nil)}
		}
		if g.chance(2) {
			lp.Tmpfs = []types.Tmpfs{{ContainerPath: aws.String("/tmp/scratch"), Size: int32(rvPick(g, 64, 0, 512)), MountOptions: rvPick(g, []string{"ro"}, []string{"rw", "noexec"}, nil)}}
		}
		lp.InitProcessEnabled = g.maybeBool()
		if g.chance(3) {
			lp.Devices = []types.Device{{HostPath: aws.String("/dev/fuse")}}
			lp.SharedMemorySize = aws.Int32(256)
		}
		d.LinuxParameters = lp
	}
	for _, v := range vols {
		if g.chance(2) {
			d.MountPoints = append(d.MountPoints, types.MountPoint{SourceVolume: aws.String(v), ContainerPath: aws.String(rvPick(g, "/data", "/var/"+v)), ReadOnly: g.maybeBool()})
		}
	}
	if g.chance(6) {
		d.MountPoints = append(d.MountPoints, types.MountPoint{SourceVolume: aws.String("missing"), ContainerPath: aws.String("/missing")})
	}
	if g.chance(2) {
		d.LogConfiguration = &types.LogConfiguration{LogDriver: rvPick(g, types.LogDriverAwslogs, types.LogDriverAwsfirelens, types.LogDriverJsonFile),
			Options: map[string]string{"awslogs-group": "/ecs/x", "mode": "non-blocking"}}
	}
	if g.chance(5) {
		d.Ulimits = []types.Ulimit{{Name: types.UlimitNameNofile, SoftLimit: 1024, HardLimit: 4096}}
	}
	if g.chance(5) {
		d.DockerLabels = map[string]string{"com.example.team": "blue"}
	}
	if g.chance(6) {
		d.ResourceRequirements = []types.ResourceRequirement{{Type: rvPick(g, types.ResourceTypeGpu, types.ResourceTypeInferenceAccelerator), Value: aws.String(rvPick(g, "1", "2", "eia"))}}
	}
	if g.chance(8) {
		d.EnvironmentFiles = []types.EnvironmentFile{{Type: types.EnvironmentFileTypeS3, Value: aws.String("arn:aws:s3:::bucket/app.env")}}
	}
	if g.chance(8) {
		d.Links = []string{"other"}
		d.VolumesFrom = []types.VolumeFrom{{SourceContainer: aws.String("other"), ReadOnly: aws.Bool(true)}}
	}
	if g.chance(8) {
		d.Hostname, d.DisableNetworking, d.StartTimeout = aws.String("box"), aws.Bool(false), aws.Int32(60)
	}
	if g.chance(8) {
		d.RepositoryCredentials = &types.RepositoryCredentials{CredentialsParameter: aws.String("arn:aws:secretsmanager:eu-west-1:123456789012:secret:pull-Ab12Cd")}
	}
	return d
}

func (g *rvGen) healthCheck() *types.HealthCheck {
	hc := &types.HealthCheck{Command: rvPick(g,
		[]string{"CMD-SHELL", "curl -fsS http://localhost:8080/healthz || exit 1"},
		[]string{"CMD-SHELL", "curl -fsS -k https://localhost:8443/ready?full=1 || exit 1"},
		[]string{"CMD-SHELL", "nc -z localhost 5432 || exit 1"},
		[]string{"CMD", "grpc_health_probe", "-addr=localhost:50051"},
		[]string{"CMD", "/bin/check", "--quick"},
		[]string{"CMD-SHELL", "test -f /tmp/ready && exit 0"},
		[]string{"CMD-SHELL", "curl", "-f", "http://localhost/"},
		[]string{"NONE"},
	)}
	hc.Interval, hc.Timeout = g.maybeInt32(5, 300), g.maybeInt32(2, 60)
	hc.Retries, hc.StartPeriod = g.maybeInt32(1, 10), g.maybeInt32(0, 300)
	return hc
}

func (g *rvGen) service(family string) *ecs.CreateServiceInput {
	svc := &ecs.CreateServiceInput{
		ServiceName:    aws.String(rvPick(g, family, "Front_End", "svc")),
		TaskDefinition: aws.String(rvPick(g, family, family+":3", "arn:aws:ecs:eu-west-1:123456789012:task-definition/"+family+":3")),
	}
	if g.chance(5) {
		svc.SchedulingStrategy = types.SchedulingStrategyDaemon
	} else {
		svc.SchedulingStrategy = rvPick(g, types.SchedulingStrategyReplica, "")
		svc.DesiredCount = g.maybeInt32(0, 12)
	}
	if g.chance(2) {
		svc.DeploymentConfiguration = &types.DeploymentConfiguration{
			MaximumPercent:        g.maybeInt32(100, 300),
			MinimumHealthyPercent: g.maybeInt32(0, 100),
		}
		if g.chance(2) {
			svc.DeploymentConfiguration.DeploymentCircuitBreaker = &types.DeploymentCircuitBreaker{Enable: true, Rollback: g.chance(2)}
		}
		if g.chance(4) {
			svc.DeploymentConfiguration.Alarms = &types.DeploymentAlarms{AlarmNames: []string{"high-5xx"}, Enable: true}
		}
	}
	svc.Cluster = rvPick(g, aws.String("prod"), nil)
	svc.LaunchType = rvPick(g, types.LaunchTypeFargate, types.LaunchTypeEc2, "")
	if g.chance(2) {
		svc.NetworkConfiguration = &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{"subnet-1"}}}
	}
	if g.chance(3) {
		svc.LoadBalancers = []types.LoadBalancer{{TargetGroupArn: aws.String("arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/x/1"), ContainerName: aws.String("web"), ContainerPort: aws.Int32(80)}}
	}
	svc.PropagateTags = rvPick(g, types.PropagateTagsService, types.PropagateTagsTaskDefinition, "")
	svc.EnableExecuteCommand = g.chance(2)
	svc.EnableECSManagedTags = g.chance(2)
	if g.chance(3) {
		svc.Tags = []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}
	}
	if g.chance(4) {
		svc.DeploymentController = &types.DeploymentController{Type: rvPick(g, types.DeploymentControllerTypeEcs, types.DeploymentControllerTypeCodeDeploy)}
	}
	return svc
}

// TestForwardReverseRoundTrip converts generated Kubernetes workloads to ECS and back: every field
// the Kubernetes → ECS rules map must come back the same, and the forward conversion must report
// nothing lossy for them (settings only --config supplies aside).
func TestForwardReverseRoundTrip(t *testing.T) {
	n := 200
	if testing.Short() {
		n = 30
	}
	for seed := range n {
		g := newRvGen(uint64(seed) + 1_000_000)
		ec2 := g.chance(2)
		objs, workload := g.k8sWorkload(ec2)
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			y, err := RenderYAML(objs...)
			require.NoError(t, err)
			cfg := DefaultConfig()
			if ec2 {
				cfg.LaunchType = LaunchEC2
			}
			conv := NewConverter(Options{Config: cfg})
			require.NoError(t, ReadDocuments(bytes.NewReader(y), "k8s.yaml", ReadOptions{}, conv.Add, func(e *DocError) { conv.AddError(e) }))
			res := conv.Finish()
			require.Empty(t, res.Errors, "%s", y)
			for _, f := range res.Findings {
				if strings.HasPrefix(f.Path, "config.") || strings.Contains(f.Message, "in --config") {
					continue // settings only --config supplies (roles, subnets, secret ARNs)
				}
				if strings.HasSuffix(f.Path, ".startupProbe") && strings.Contains(f.Path, "initContainers") {
					continue // a sidecar's startup probe becomes its health check and comes back as one
				}
				require.NotContains(t, []mapping.Level{mapping.Lossy, mapping.Unsupported, mapping.Error}, f.Level, "%s\n%s", f, y)
			}
			require.Len(t, res.Outputs, 1)
			out := res.Outputs[0]
			opts := ReverseOptions{}
			if workload.GetObjectKind().GroupVersionKind().Kind == "Deployment" && out.Service == nil {
				opts.Kind = KindDeployment
			}
			m, fs := Reverse(ReverseInput{TaskDefinition: out.TaskDefinition, Service: out.Service}, opts)
			for _, f := range fs {
				require.NotEqual(t, mapping.Error, f.Level, "%s", f)
			}
			back := m.Objects[len(m.Objects)-1]
			if _, isSvc := back.(*corev1.Service); isSvc {
				back = m.Objects[len(m.Objects)-2]
			}
			want, got := rvNormalizeWorkload(t, workload, objs), rvNormalizeWorkload(t, back, m.Objects)
			if !assert.Equal(t, want, got) {
				by, _ := m.YAML()
				t.Logf("input:\n%s\nback:\n%s", y, by)
			}
		})
	}
}

// k8sWorkload generates a Pod, Deployment or DaemonSet using only fields the forward rules map
// exactly, with a ServiceAccount carrying an IAM role.
func (g *rvGen) k8sWorkload(ec2 bool) ([]Object, Object) {
	var objs []Object
	spec := corev1.PodSpec{}
	ns := rvPick(g, "", "shop")
	if g.chance(2) {
		sa := &corev1.ServiceAccount{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
			ObjectMeta: metav1.ObjectMeta{Name: "app-role", Namespace: ns, Annotations: map[string]string{IRSARoleAnnotation: "arn:aws:iam::123456789012:role/app-role"}}}
		objs = append(objs, sa)
		spec.ServiceAccountName = sa.Name
	}
	var vols []string
	for i := range g.intn(3) {
		v := corev1.Volume{Name: fmt.Sprintf("vol-%d", i), VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}
		if ec2 && g.chance(2) {
			v.VolumeSource = corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/lib/x" + fmt.Sprint(i)}}
		}
		spec.Volumes = append(spec.Volumes, v)
		vols = append(vols, v.Name)
	}
	for i := range 1 + g.intn(2) {
		spec.Containers = append(spec.Containers, g.k8sContainer(fmt.Sprintf("app-%d", i), ec2, vols, rvProbeLiveness))
	}
	// Without any CPU or memory, the Fargate task size would come back as the first container's
	// limits (Kubernetes has no task-level size): the first container always asks for both.
	first := &spec.Containers[0].Resources
	if first.Requests == nil {
		first.Requests = corev1.ResourceList{}
	}
	if _, ok := first.Requests[corev1.ResourceCPU]; !ok {
		first.Requests[corev1.ResourceCPU] = rvQuantity("250m")
	}
	if _, ok := first.Limits[corev1.ResourceMemory]; !ok {
		first.Limits = corev1.ResourceList{corev1.ResourceMemory: rvQuantity("512Mi")}
		delete(first.Requests, corev1.ResourceMemory)
	}
	for i := range g.intn(3) {
		kind := rvPick(g, rvProbeNone, rvProbeLiveness, rvProbeStartup)
		c := g.k8sContainer(fmt.Sprintf("init-%d", i), ec2, vols, kind)
		if kind != rvProbeNone || g.chance(2) {
			always := corev1.ContainerRestartPolicyAlways
			c.RestartPolicy = &always
		}
		spec.InitContainers = append(spec.InitContainers, c)
	}
	if g.chance(2) {
		spec.TerminationGracePeriodSeconds = aws.Int64(int64(rvPick(g, 2, 45, 120)))
	}
	if g.chance(2) {
		spec.NodeSelector = map[string]string{"kubernetes.io/arch": rvPick(g, "amd64", "arm64")}
	}
	if g.chance(3) {
		spec.ShareProcessNamespace = aws.Bool(true)
	}
	if ec2 && g.chance(4) && spec.ShareProcessNamespace == nil {
		spec.HostPID, spec.HostIPC = true, g.chance(2) // Kubernetes refuses hostPID with shareProcessNamespace
	}
	if g.chance(4) {
		spec.SecurityContext = &corev1.PodSecurityContext{Sysctls: []corev1.Sysctl{{Name: "net.core.somaxconn", Value: "1024"}}}
	}
	meta := metav1.ObjectMeta{Name: rvPick(g, "web", "orders-api", "a1"), Namespace: ns}
	if g.chance(2) {
		meta.Labels = map[string]string{"team": "blue", "app.kubernetes.io/part-of": "shop"}
	}
	tmpl := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": meta.Name}}, Spec: spec}
	sel := &metav1.LabelSelector{MatchLabels: map[string]string{"app": meta.Name}}
	var w Object
	switch g.intn(3) {
	case 0:
		spec.RestartPolicy = rvPick(g, corev1.RestartPolicyNever, corev1.RestartPolicyOnFailure)
		w = &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}, ObjectMeta: meta, Spec: spec}
	case 1:
		d := &appsv1.Deployment{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"}, ObjectMeta: meta,
			Spec: appsv1.DeploymentSpec{Replicas: aws.Int32(int32(1 + g.intn(10))), Selector: sel, Template: tmpl}}
		if g.chance(4) {
			d.Spec.Strategy.Type = appsv1.RecreateDeploymentStrategyType
		} else if g.chance(2) {
			surge, unavail := rvIntstr(rvPick(g, "0", "1", "2", "50%")), rvIntstr(rvPick(g, "0", "1", "25%", "100%"))
			d.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType, RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: &surge, MaxUnavailable: &unavail}}
		}
		w = d
	default:
		if !ec2 {
			return g.k8sWorkload(ec2)
		}
		w = &appsv1.DaemonSet{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"}, ObjectMeta: meta,
			Spec: appsv1.DaemonSetSpec{Selector: sel, Template: tmpl}}
	}
	return append(objs, w), w
}

type rvProbeKind int

const (
	rvProbeNone rvProbeKind = iota
	rvProbeLiveness
	rvProbeStartup
)

func rvIntstr(s string) intstr.IntOrString { return intstr.Parse(s) }

func (g *rvGen) k8sContainer(name string, ec2 bool, vols []string, probe rvProbeKind) corev1.Container {
	c := corev1.Container{Name: name, Image: rvPick(g, "nginx:1.27", "ghcr.io/acme/app:1.0")}
	if g.chance(2) {
		c.Command = []string{"/app", "--serve"}
	}
	if g.chance(2) {
		c.Args = []string{"--port", "8080"}
	}
	if g.chance(4) {
		c.WorkingDir = "/srv"
	}
	for range g.intn(3) {
		c.Env = append(c.Env, corev1.EnvVar{Name: rvPick(g, "A", "LOG_LEVEL", "my.var"), Value: rvPick(g, "", "x", "1")})
	}
	if g.chance(2) {
		c.Env = append(c.Env, corev1.EnvVar{Name: "DB_PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: rvPick(g, "db", "app.creds")}, Key: rvPick(g, "password", "pw_1")}}})
	}
	c.Env = rvDedupeEnv(c.Env)
	used := map[int32]bool{}
	for range g.intn(3) {
		p := corev1.ContainerPort{ContainerPort: rvPick[int32](g, 80, 8080, 9090, 53), Protocol: rvPick(g, corev1.ProtocolTCP, corev1.ProtocolUDP)}
		if used[p.ContainerPort] {
			continue
		}
		used[p.ContainerPort] = true
		if g.chance(2) {
			p.Name = fmt.Sprintf("p-%d", p.ContainerPort)
		}
		c.Ports = append(c.Ports, p)
	}
	c.Resources = corev1.ResourceRequirements{}
	if g.chance(2) {
		c.Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: rvQuantity(rvPick(g, "125m", "250m", "500m", "1", "2"))}
	}
	// On EC2 the forward rules give a container without memory a default reservation (reported),
	// which would come back as a request: EC2 containers always declare memory here.
	if ec2 || g.chance(2) {
		c.Resources.Limits = corev1.ResourceList{corev1.ResourceMemory: rvQuantity(rvPick(g, "512Mi", "1Gi"))}
		if g.chance(2) {
			if c.Resources.Requests == nil {
				c.Resources.Requests = corev1.ResourceList{}
			}
			c.Resources.Requests[corev1.ResourceMemory] = rvQuantity("256Mi")
		}
	}
	p := &corev1.Probe{PeriodSeconds: int32(5 + g.intn(60)), TimeoutSeconds: int32(2 + g.intn(5)), FailureThreshold: int32(1 + g.intn(10)), SuccessThreshold: 1, InitialDelaySeconds: int32(g.intn(100))}
	switch g.intn(4) {
	case 0:
		p.HTTPGet = &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(8080), Scheme: corev1.URISchemeHTTP}
	case 1:
		p.TCPSocket = &corev1.TCPSocketAction{Port: intstr.FromInt32(5432)}
	case 2:
		p.Exec = &corev1.ExecAction{Command: []string{"/bin/check", "--quick"}}
	default:
		p.GRPC = &corev1.GRPCAction{Port: 50051}
	}
	switch {
	case probe == rvProbeLiveness && g.chance(2):
		c.LivenessProbe = p
	case probe == rvProbeStartup:
		c.StartupProbe = p
	}
	if g.chance(3) {
		c.SecurityContext = &corev1.SecurityContext{RunAsUser: aws.Int64(1000), RunAsGroup: rvPick(g, aws.Int64(1000), nil), ReadOnlyRootFilesystem: aws.Bool(g.chance(2))}
		if g.chance(2) {
			c.SecurityContext.Capabilities = &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}, Add: []corev1.Capability{rvPick[corev1.Capability](g, "SYS_PTRACE")}}
			if ec2 {
				c.SecurityContext.Capabilities.Add = []corev1.Capability{"NET_BIND_SERVICE"}
			}
		}
		if ec2 && g.chance(3) {
			c.SecurityContext.Privileged = aws.Bool(true)
		}
	}
	paths := map[string]bool{}
	for _, v := range vols {
		path := rvPick(g, "/data", "/cache", "/var/"+v)
		if g.chance(2) && !paths[path] {
			paths[path] = true
			c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: v, MountPath: path, ReadOnly: g.chance(2)})
		}
	}
	return c
}

func rvDedupeEnv(env []corev1.EnvVar) []corev1.EnvVar {
	seen := map[string]bool{}
	var out []corev1.EnvVar
	for _, e := range env {
		if !seen[e.Name] {
			seen[e.Name] = true
			out = append(out, e)
		}
	}
	return out
}

func rvQuantity(s string) resource.Quantity { return resource.MustParse(s) }

// rvNormalizeWorkload renders the mapped fields of a workload in a comparable form: Kubernetes
// defaults applied, lists whose order carries no meaning sorted, the task role instead of the
// ServiceAccount's name (ECS keeps the role, not the account).
func rvNormalizeWorkload(t *testing.T, o Object, all []Object) map[string]any {
	t.Helper()
	out := map[string]any{"kind": o.GetObjectKind().GroupVersionKind().Kind, "name": o.GetName(), "namespace": o.GetNamespace()}
	labels := map[string]string{}
	for k, v := range o.GetLabels() {
		labels[k] = v
	}
	out["labels"] = labels
	var spec corev1.PodSpec
	switch x := o.(type) {
	case *corev1.Pod:
		spec = x.Spec
		out["restartPolicy"] = string(x.Spec.RestartPolicy)
	case *appsv1.Deployment:
		spec = x.Spec.Template.Spec
		replicas := int32(1)
		if x.Spec.Replicas != nil {
			replicas = *x.Spec.Replicas
		}
		out["replicas"] = replicas
		out["strategy"] = rvRolloutCounts(t, replicas, x.Spec.Strategy)
	case *appsv1.DaemonSet:
		spec = x.Spec.Template.Spec
	}
	roles := map[string]string{}
	for _, obj := range all {
		if sa, ok := obj.(*corev1.ServiceAccount); ok {
			roles[sa.Name] = sa.Annotations[IRSARoleAnnotation]
		}
	}
	out["role"] = roles[spec.ServiceAccountName]
	out["grace"] = spec.TerminationGracePeriodSeconds
	out["nodeSelector"] = spec.NodeSelector
	out["host"] = []bool{spec.HostNetwork, spec.HostPID, spec.HostIPC, spec.ShareProcessNamespace != nil && *spec.ShareProcessNamespace}
	if spec.SecurityContext != nil {
		out["sysctls"] = spec.SecurityContext.Sysctls
	}
	vols := map[string]string{}
	for _, v := range spec.Volumes {
		switch {
		case v.HostPath != nil:
			vols[v.Name] = "hostPath:" + v.HostPath.Path
		case v.EmptyDir != nil:
			vols[v.Name] = "emptyDir:" + string(v.EmptyDir.Medium)
		}
	}
	out["volumes"] = vols
	var cs []map[string]any
	for _, list := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
		for _, c := range list {
			cs = append(cs, rvNormalizeContainer(c, spec.SecurityContext))
		}
	}
	out["initContainers"] = len(spec.InitContainers)
	out["containers"] = cs
	return out
}

func rvRolloutCounts(t *testing.T, replicas int32, s appsv1.DeploymentStrategy) string {
	if s.Type == appsv1.RecreateDeploymentStrategyType {
		return fmt.Sprintf("0..%d", replicas) // the same task counts as maxSurge 0, maxUnavailable 100%
	}
	maxPct, minPct, err := mapping.DeploymentPercents(replicas, rvRollingValue(s, true), rvRollingValue(s, false))
	require.NoError(t, err)
	hi, lo := mapping.ECSTaskBounds(replicas, maxPct, minPct)
	return fmt.Sprintf("%d..%d", lo, hi)
}

func rvRollingValue(s appsv1.DeploymentStrategy, surge bool) *intstr.IntOrString {
	if s.RollingUpdate == nil {
		return nil
	}
	if surge {
		return s.RollingUpdate.MaxSurge
	}
	return s.RollingUpdate.MaxUnavailable
}

func rvNormalizeContainer(c corev1.Container, pod *corev1.PodSecurityContext) map[string]any {
	env := append([]corev1.EnvVar(nil), c.Env...)
	sort.Slice(env, func(i, j int) bool { return env[i].Name < env[j].Name })
	var envOut []string
	for _, e := range env {
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			envOut = append(envOut, e.Name+"=secret:"+e.ValueFrom.SecretKeyRef.Name+"/"+e.ValueFrom.SecretKeyRef.Key)
		} else {
			envOut = append(envOut, e.Name+"="+e.Value)
		}
	}
	var ports []string
	for _, p := range c.Ports {
		proto := p.Protocol
		if proto == "" {
			proto = corev1.ProtocolTCP
		}
		ports = append(ports, fmt.Sprintf("%s:%d/%s:%d", p.Name, p.ContainerPort, proto, p.HostPort))
	}
	res := map[string]string{}
	for k, q := range c.Resources.Requests {
		res["requests."+string(k)] = q.String()
	}
	for k, q := range c.Resources.Limits {
		res["limits."+string(k)] = q.String()
	}
	if res["requests.memory"] != "" && res["requests.memory"] == res["limits.memory"] {
		delete(res, "requests.memory") // Kubernetes defaults requests to limits
	}
	probe := func(p *corev1.Probe) any {
		if p == nil {
			return nil
		}
		n := p.DeepCopy()
		n.TerminationGracePeriodSeconds = nil
		if n.SuccessThreshold == 0 {
			n.SuccessThreshold = 1
		}
		if n.HTTPGet != nil && n.HTTPGet.Scheme == "" {
			n.HTTPGet.Scheme = corev1.URISchemeHTTP
		}
		return n
	}
	sc := mapping.EffectiveSecurityContext(pod, c.SecurityContext)
	if sc != nil && sc.Capabilities != nil {
		sort.Slice(sc.Capabilities.Add, func(i, j int) bool { return sc.Capabilities.Add[i] < sc.Capabilities.Add[j] })
	}
	var mounts []string
	for _, m := range c.VolumeMounts {
		mounts = append(mounts, fmt.Sprintf("%s:%s:%v", m.Name, m.MountPath, m.ReadOnly))
	}
	return map[string]any{
		"name": c.Name, "image": c.Image, "command": c.Command, "args": c.Args, "workingDir": c.WorkingDir,
		"env": envOut, "ports": ports, "resources": res, "liveness": probe(c.LivenessProbe), "startup": probe(c.StartupProbe),
		"securityContext": sc, "mounts": mounts, "restartPolicy": c.RestartPolicy,
	}
}

// TestReverseEditedTemplateRunsLatestRevision: a service restored from a describe output rvNames a
// task definition revision; once the pod template is edited, the way back registers a new revision,
// so the service must name the family (its latest revision), not the old revision.
func TestReverseEditedTemplateRunsLatestRevision(t *testing.T) {
	files := []string{filepath.Join(rvFixtures, "billing.taskdef.json"), filepath.Join(rvFixtures, "billing.services.json")}
	res := rvConvertFiles(t, files, Options{})
	require.Len(t, res.Manifests, 1)
	m := res.Manifests[0]
	y, err := m.YAML()
	require.NoError(t, err)
	out, _ := rvBackToECS(t, y)
	assert.Equal(t, "arn:aws:ecs:eu-west-1:123456789012:task-definition/billing:12", aws.ToString(out.Service.TaskDefinition), "unedited: the same revision")

	d := rvFindObject[*appsv1.Deployment](t, m.Objects)
	d.Spec.Template.Spec.Containers[0].Image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/billing:5.1.0"
	y, err = m.YAML()
	require.NoError(t, err)
	out, _ = rvBackToECS(t, y)
	assert.Equal(t, "billing", aws.ToString(out.Service.TaskDefinition), "edited: the family's latest revision")
	assert.Equal(t, int32(4), aws.ToInt32(out.Service.DesiredCount))
	assert.Equal(t, "arn:aws:ecs:eu-west-1:123456789012:cluster/payments", aws.ToString(out.Service.Cluster), "carried service fields are still restored")
}

// TestReverseSecretsSurviveConfig: a --config with region and accountId derives different secret
// ARNs on the way back; the original ARNs still win, since the Kubernetes references are unchanged.
func TestReverseSecretsSurviveConfig(t *testing.T) {
	res := rvConvertFiles(t, []string{filepath.Join(rvFixtures, "fargate-web.json")}, Options{})
	require.Len(t, res.Manifests, 1)
	y, err := res.Manifests[0].YAML()
	require.NoError(t, err)
	cfg := DefaultConfig()
	cfg.Region, cfg.AccountID = "eu-west-1", "210987654321"
	conv := NewConverter(Options{Config: cfg})
	require.NoError(t, ReadDocuments(bytes.NewReader(y), "m.yaml", ReadOptions{}, conv.Add, func(e *DocError) { conv.AddError(e) }))
	back := conv.Finish()
	require.Len(t, back.Outputs, 1)
	rvRequireSameECS(t, res.Manifests[0].in.TaskDefinition, back.Outputs[0].TaskDefinition, "task definition")
}

// configMap checks a ConfigMap as the API server does: valid keys, each in data or binaryData.
func (v rvValidator) configMap(cm *corev1.ConfigMap) {
	v.t.Helper()
	for k := range cm.Data {
		v.errs(validation.IsConfigMapKey(k), "ConfigMap key %q", k)
		_, dup := cm.BinaryData[k]
		v.check(!dup, "key %q in data and binaryData", k)
	}
	for k := range cm.BinaryData {
		v.errs(validation.IsConfigMapKey(k), "ConfigMap key %q", k)
	}
}

// filesVolume checks the configMap, secret, projected and downwardAPI sources: object names,
// item paths and modes.
func (v rvValidator) filesVolume(vol corev1.Volume) {
	v.t.Helper()
	mode := func(m *int32) {
		if m != nil {
			v.check(mapping.CheckFileMode(*m) == nil, "mode %d of volume %q", *m, vol.Name)
		}
	}
	items := func(its []corev1.KeyToPath) {
		for _, it := range its {
			v.errs(validation.IsConfigMapKey(it.Key), "item key %q", it.Key)
			v.check(mapping.CheckFilePath(it.Path) == nil, "item path %q", it.Path)
			mode(it.Mode)
		}
	}
	downward := func(its []corev1.DownwardAPIVolumeFile) {
		for _, it := range its {
			v.check(mapping.CheckFilePath(it.Path) == nil, "item path %q", it.Path)
			v.check((it.FieldRef != nil) != (it.ResourceFieldRef != nil), "item %q needs one of fieldRef, resourceFieldRef", it.Path)
			mode(it.Mode)
		}
	}
	switch {
	case vol.ConfigMap != nil:
		v.subdomain(vol.ConfigMap.Name)
		items(vol.ConfigMap.Items)
		mode(vol.ConfigMap.DefaultMode)
	case vol.Secret != nil:
		v.subdomain(vol.Secret.SecretName)
		items(vol.Secret.Items)
		mode(vol.Secret.DefaultMode)
	case vol.DownwardAPI != nil:
		downward(vol.DownwardAPI.Items)
		mode(vol.DownwardAPI.DefaultMode)
	case vol.Projected != nil:
		mode(vol.Projected.DefaultMode)
		for _, s := range vol.Projected.Sources {
			switch {
			case s.ConfigMap != nil:
				v.subdomain(s.ConfigMap.Name)
				items(s.ConfigMap.Items)
			case s.Secret != nil:
				v.subdomain(s.Secret.Name)
				items(s.Secret.Items)
			case s.DownwardAPI != nil:
				downward(s.DownwardAPI.Items)
			}
		}
	}
}
