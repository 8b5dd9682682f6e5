package mapping

import (
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
)

// TestEveryPodSpecFieldHasARule walks the PodSpec type, as the k8s.io/api version in go.mod
// defines it, and fails for any field that has neither a rule nor a covering ancestor rule: a new
// Kubernetes field must be mapped or explicitly reported before it can be dropped.
func TestEveryPodSpecFieldHasARule(t *testing.T) {
	var missing []string
	var visit func(t reflect.Type, path string)
	visit = func(typ reflect.Type, path string) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct {
			return
		}
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			name := jsonName(f)
			if name == "" || !f.IsExported() {
				continue
			}
			child := Join(path, name)
			ft := f.Type
			if ft.Kind() == reflect.Slice {
				if r, ok := ruleIndex()[child+"[]"]; ok && r.How == Partial {
					visit(ft, child+"[]")
					continue
				}
			}
			r, ok := ruleIndex()[child]
			switch {
			case !ok:
				missing = append(missing, child)
			case r.How == Partial:
				visit(ft, child)
			}
		}
	}
	visit(reflect.TypeOf(corev1.PodSpec{}), "spec")
	assert.Empty(t, missing, "PodSpec fields without a rule in PodRules")
}

func TestRulesAreWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range PodRules {
		assert.False(t, seen[r.K8s], "duplicate rule %s", r.K8s)
		seen[r.K8s] = true
		assert.NotEmpty(t, r.Note, r.K8s)
		switch r.How {
		case Dropped:
			assert.Contains(t, []Level{Info, Lossy, Unsupported}, r.Level, r.K8s)
			assert.Empty(t, r.ECS, "a dropped field has no ECS target: %s", r.K8s)
		case Mapped:
			assert.NotEmpty(t, r.ECS, "a mapped field names its ECS target: %s", r.K8s)
		case Partial:
		default:
			t.Errorf("%s: unknown treatment %q", r.K8s, r.How)
		}
	}
}

func TestReportDropped(t *testing.T) {
	spec := corev1.PodSpec{
		Containers: []corev1.Container{
			{Name: "a", Image: "x", TerminationMessagePath: "/dev/termination-log", ImagePullPolicy: corev1.PullIfNotPresent},
			{Name: "b", Image: "y", Lifecycle: &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{Exec: &corev1.ExecAction{Command: []string{"sleep", "5"}}}}, TerminationMessagePath: "/tmp/msg"},
		},
		DNSPolicy:         corev1.DNSClusterFirst,
		SchedulerName:     "default-scheduler",
		PriorityClassName: "critical",
		Tolerations:       []corev1.Toleration{{Operator: corev1.TolerationOpExists}},
		Affinity:          &corev1.Affinity{},
	}
	fs := ReportDropped(spec, "spec.template", "spec")
	byPath := map[string]Finding{}
	for _, f := range fs {
		byPath[f.Path] = f
	}
	require.Contains(t, byPath, "spec.template.spec.containers[1].lifecycle.preStop")
	assert.Equal(t, Unsupported, byPath["spec.template.spec.containers[1].lifecycle.preStop"].Level)
	assert.Contains(t, byPath, "spec.template.spec.containers[1].terminationMessagePath", "a non-default value is reported")
	assert.NotContains(t, byPath, "spec.template.spec.containers[0].terminationMessagePath", "the default is not reported")
	assert.NotContains(t, byPath, "spec.template.spec.containers[0].imagePullPolicy")
	assert.NotContains(t, byPath, "spec.template.spec.dnsPolicy")
	assert.NotContains(t, byPath, "spec.template.spec.schedulerName")
	assert.Contains(t, byPath, "spec.template.spec.priorityClassName")
	assert.Contains(t, byPath, "spec.template.spec.tolerations")
	assert.NotContains(t, byPath, "spec.template.spec.affinity", "an empty affinity is not set")
	for p := range byPath {
		assert.False(t, strings.Contains(p, ".image") || strings.Contains(p, ".name"), "mapped field reported: %s", p)
	}
}

func TestLookupRule(t *testing.T) {
	r, ok := LookupRule("spec.containers[3].livenessProbe")
	require.True(t, ok)
	assert.Equal(t, "containerDefinitions[].healthCheck", r.ECS)
	r, ok = LookupRule("spec.initContainers[0].lifecycle.preStop")
	require.True(t, ok)
	assert.Equal(t, Dropped, r.How)
	_, ok = LookupRule("spec.nothing")
	assert.False(t, ok)
}

func TestExpandRefs(t *testing.T) {
	vars := map[string]string{"PORT": "8080", "HOST": "db"}
	lookup := func(n string) (string, bool) { v, ok := vars[n]; return v, ok }
	for _, tc := range []struct{ in, out, unresolved string }{
		{"--port=$(PORT)", "--port=8080", ""},
		{"$(HOST):$(PORT)", "db:8080", ""},
		{"$$(PORT)", "$(PORT)", ""},
		{"$(SECRET) and $(SECRET)", "$(SECRET) and $(SECRET)", "SECRET"},
		{"$5 and $", "$5 and $", ""},
		{"$(UNCLOSED", "$(UNCLOSED", ""},
		{"plain", "plain", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			out, unresolved := ExpandRefs(tc.in, lookup)
			assert.Equal(t, tc.out, out)
			assert.Equal(t, tc.unresolved, strings.Join(unresolved, ","))
		})
	}
	assert.Equal(t, "echo $$(date)", EscapeRefs("echo $(date)"))
}

func TestPortMappings(t *testing.T) {
	ports := []corev1.ContainerPort{
		{Name: "http", ContainerPort: 80},
		{ContainerPort: 53, Protocol: corev1.ProtocolUDP, HostPort: 5353},
		{ContainerPort: 9000, Protocol: corev1.ProtocolSCTP},
		{ContainerPort: 443, HostPort: 443, HostIP: "10.0.0.1"},
	}
	pms, fs := PortMappingsFromPorts(ports, "awsvpc", "spec.containers[0].ports")
	require.Len(t, pms, 3)
	assert.Equal(t, "http", *pms[0].Name)
	assert.Equal(t, "tcp", string(pms[0].Protocol))
	assert.Equal(t, "udp", string(pms[1].Protocol))
	assert.Nil(t, pms[1].HostPort, "awsvpc cannot map 5353 to 53")
	assert.Equal(t, int32(443), *pms[2].HostPort)
	paths := []string{}
	for _, f := range fs {
		paths = append(paths, f.Path)
	}
	assert.ElementsMatch(t, []string{"spec.containers[0].ports[1].hostPort", "spec.containers[0].ports[2].protocol", "spec.containers[0].ports[3].hostIP"}, paths)
	back, _ := PortsFromPortMappings(pms, "containerDefinitions[0].portMappings")
	assert.Equal(t, int32(80), back[0].ContainerPort)
	assert.Equal(t, "http", back[0].Name)
	assert.Equal(t, corev1.ProtocolUDP, back[1].Protocol)
}

func TestPlacementFromNodeSelector(t *testing.T) {
	sel := map[string]string{
		"kubernetes.io/arch":               "arm64",
		"node.kubernetes.io/instance-type": "m7g.large",
		"topology.kubernetes.io/zone":      "eu-west-1a",
		"team":                             "payments",
	}
	rp, pcs, fs := PlacementFromNodeSelector(sel, true, "spec.nodeSelector")
	require.NotNil(t, rp)
	assert.Equal(t, "ARM64", string(rp.CpuArchitecture))
	require.Len(t, pcs, 1)
	assert.Equal(t, "attribute:ecs.instance-type == m7g.large and attribute:team == payments and attribute:ecs.availability-zone == eu-west-1a", *pcs[0].Expression)
	assert.Len(t, fs, 1, "the custom attribute is reported")
	back, rest := NodeSelectorFromPlacement(rp, pcs)
	assert.Empty(t, rest)
	assert.Equal(t, sel, back)

	_, pcs, fs = PlacementFromNodeSelector(sel, false, "spec.nodeSelector")
	assert.Empty(t, pcs, "Fargate has no placement constraints")
	assert.Len(t, fs, 3)
}

// indexRE is what NormalizePath does, as a regular expression: the test's oracle.
var indexRE = regexp.MustCompile(`\[[^\]]*\]`)

func TestNormalizePath(t *testing.T) {
	for _, p := range []string{"", "spec", "spec.containers[2].env[\"A.B\"]", "a[]", "a[", "a]b[c", "[x][y]z", "a[b[c]d]", "x[1]y[2", "é[ü]ö"} {
		assert.Equal(t, indexRE.ReplaceAllString(p, "[]"), NormalizePath(p), p)
		assert.Equal(t, indexRE.ReplaceAllString(p, ""), replaceIndexes(p, ""), p)
	}
}
