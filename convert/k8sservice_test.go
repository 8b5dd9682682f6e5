package convert

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podecs/podecs/mapping"
)

// deploymentYAML is a Deployment named name with labels app=name and tier=web and the given
// container ports (YAML flow list entries).
func deploymentYAML(name, namespace string, ports ...string) string {
	ns := ""
	if namespace != "" {
		ns = ", namespace: " + namespace
	}
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: %s%s}
spec:
  selector: {matchLabels: {app: %s}}
  template:
    metadata: {labels: {app: %s, tier: web}}
    spec:
      containers:
      - name: app
        image: nginx
        ports: [%s]
        readinessProbe:
          httpGet: {path: /ready, port: 8080}
          initialDelaySeconds: 20
`, name, ns, name, name, strings.Join(ports, ", "))
}

func serviceYAML(name, typ, selector string, ports ...string) string {
	return fmt.Sprintf("apiVersion: v1\nkind: Service\nmetadata: {name: %s}\nspec:\n  type: %s\n  selector: {%s}\n  ports: [%s]\n", name, typ, selector, strings.Join(ports, ", "))
}

func TestServicesInOtherFiles(t *testing.T) {
	cfg := Config{ServiceConnectNamespace: "shop.local"}
	res := convertFiles(t, cfg,
		[2]string{"svc.yaml", serviceYAML("web", "ClusterIP", "app: web", "{name: http, port: 80, targetPort: 8080}") + "---\n" +
			"apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  maxReplicas: 4\n  targetCPUUtilizationPercentage: 60\n"},
		[2]string{"app.yaml", deploymentYAML("web", "", "{containerPort: 8080}")})
	require.Empty(t, res.Errors)
	out := outputNamed(t, res, "web")
	sc := out.Service.ServiceConnectConfiguration
	require.NotNil(t, sc)
	assert.Equal(t, "shop.local", aws.ToString(sc.Namespace))
	require.Len(t, sc.Services, 1)
	assert.Equal(t, "web-8080", aws.ToString(sc.Services[0].PortName))
	assert.Equal(t, "web", aws.ToString(sc.Services[0].DiscoveryName))
	assert.Equal(t, int32(80), aws.ToInt32(sc.Services[0].ClientAliases[0].Port))
	assert.Equal(t, "web-8080", aws.ToString(out.TaskDefinition.ContainerDefinitions[0].PortMappings[0].Name), "the unnamed port is named for Service Connect")
	assert.True(t, hasFinding(res, "Deployment", "web", mapping.Info, "spec.template.spec.containers[0].ports", `named "web-8080"`))
	assert.False(t, hasFinding(res, "Deployment", "web", mapping.Info, "config.serviceConnectNamespace", ""))
	assert.True(t, hasFinding(res, "Service", "web", mapping.Info, "metadata.name", "answers"), "Service findings name the Service's document")
	for _, f := range res.Findings {
		if f.Doc.Kind == "Service" {
			assert.Equal(t, "svc.yaml", f.Doc.Source)
		}
	}

	require.NotNil(t, out.Scaling, "the autoscaler in another file scales the service")
	assert.Equal(t, "service/default/web", out.Scaling.ScalableTarget.ResourceId)
	assert.Equal(t, int32(4), aws.ToInt32(out.Scaling.ScalableTarget.MaxCapacity))
	require.Len(t, out.Scaling.Policies, 1)
	assert.InDelta(t, 60, out.Scaling.Policies[0].TargetTrackingScalingPolicyConfiguration.TargetValue, 0)
	assert.True(t, hasFinding(res, "HorizontalPodAutoscaler", "web", mapping.Info, hpaV1MetricPath, "requests"), "v1 findings point at targetCPUUtilizationPercentage")
}

func TestServiceSelection(t *testing.T) {
	daemon := "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\nspec:\n  selector: {matchLabels: {app: agent}}\n  template:\n    metadata: {labels: {app: agent}}\n    spec: {containers: [{name: a, image: busybox, ports: [{containerPort: 9000}]}]}\n"
	res := convertFiles(t, DefaultConfig(), [2]string{"all.yaml", strings.Join([]string{
		deploymentYAML("first", "", "{name: http, containerPort: 8080}"),
		deploymentYAML("second", "", "{name: http, containerPort: 8080}"),
		deploymentYAML("other", "prod", "{name: http, containerPort: 8080}"),
		daemon,
		serviceYAML("shared", "ClusterIP", "tier: web", "{port: 80, targetPort: http}"),
		serviceYAML("agent", "ClusterIP", "app: agent", "{port: 9000}"),
		serviceYAML("nobody", "ClusterIP", "app: nobody", "{port: 80}"),
		"apiVersion: v1\nkind: Service\nmetadata: {name: manual}\nspec:\n  ports: [{port: 80}]\n",
	}, "---\n")})
	require.Empty(t, res.Errors)
	first := outputNamed(t, res, "first").Service.ServiceConnectConfiguration
	require.NotNil(t, first)
	assert.Equal(t, "http", aws.ToString(first.Services[0].PortName), "a named port keeps its name")
	assert.Nil(t, outputNamed(t, res, "second").Service.ServiceConnectConfiguration, "the first selected workload owns the Service")
	assert.Nil(t, outputNamed(t, res, "other").Service.ServiceConnectConfiguration, "another namespace is not selected")
	assert.Nil(t, outputNamed(t, res, "agent").Service.ServiceConnectConfiguration, "DaemonSets get no Service")
	assert.True(t, hasFinding(res, "Service", "shared", mapping.Lossy, "spec.selector", `only Deployment "first"`))
	assert.True(t, hasFinding(res, "Service", "agent", mapping.Info, "spec.selector", "DaemonSet"))
	assert.True(t, hasFinding(res, "Service", "nobody", mapping.Info, "spec.selector", "selects no workload"))
	assert.True(t, hasFinding(res, "Service", "manual", mapping.Info, "spec.selector", "no selector"))
}

// Services are matched through their least shared selector label; a workload still gets the
// Services that select it in input order, whichever label they are filed under.
func TestServicesSharingLabels(t *testing.T) {
	res := convertFiles(t, DefaultConfig(), [2]string{"all.yaml", strings.Join([]string{
		deploymentYAML("a", "", "{name: http, containerPort: 8080}", "{name: admin, containerPort: 9090}", "{name: metrics, containerPort: 9100}"),
		deploymentYAML("b", "", "{name: http, containerPort: 8080}"),
		serviceYAML("common", "ClusterIP", "tier: web", "{port: 80, targetPort: http}"),
		serviceYAML("a-admin", "ClusterIP", "app: a, tier: web", "{port: 90, targetPort: admin}"),
		serviceYAML("a-metrics", "ClusterIP", "app: a", "{port: 91, targetPort: metrics}"),
		serviceYAML("b-only", "ClusterIP", "app: b, tier: api", "{port: 80, targetPort: http}"),
	}, "---\n")})
	require.Empty(t, res.Errors)
	sc := outputNamed(t, res, "a").Service.ServiceConnectConfiguration
	require.NotNil(t, sc)
	var names []string
	for _, s := range sc.Services {
		names = append(names, aws.ToString(s.DiscoveryName))
	}
	assert.Equal(t, []string{"common", "a-admin", "a-metrics"}, names)
	assert.Nil(t, outputNamed(t, res, "b").Service.ServiceConnectConfiguration, "common belongs to a; b-only selects tier: api, which b's pods do not have")
	assert.True(t, hasFinding(res, "Service", "common", mapping.Lossy, "spec.selector", `only Deployment "a"`))
	assert.True(t, hasFinding(res, "Service", "b-only", mapping.Info, "spec.selector", "selects no workload"))
}

func TestServicePortErrors(t *testing.T) {
	res := convertFiles(t, DefaultConfig(), [2]string{"a.yaml", deploymentYAML("web", "", "{containerPort: 8080}") + "---\n" +
		serviceYAML("web", "ClusterIP", "app: web", "{name: a, port: 80, targetPort: missing}", "{name: b, port: 9090}")})
	out := outputNamed(t, res, "web")
	assert.True(t, hasFinding(res, "Service", "web", mapping.Error, "spec.ports[0].targetPort", `"missing" names no container port`))
	require.Len(t, res.Errors, 1, "the Service document is in error")
	assert.Contains(t, res.Errors[0].Error(), "Service/web")
	pms := out.TaskDefinition.ContainerDefinitions[0].PortMappings
	require.Len(t, pms, 2, "the undeclared target port 9090 gets a port mapping")
	assert.Equal(t, int32(9090), aws.ToInt32(pms[1].ContainerPort))
	assert.Equal(t, "web-9090", aws.ToString(pms[1].Name))
	assert.Equal(t, "", aws.ToString(pms[0].Name), "a port no Service Connect port uses stays unnamed")
	require.Len(t, out.Service.ServiceConnectConfiguration.Services, 1)
	assert.Equal(t, "web-b", aws.ToString(out.Service.ServiceConnectConfiguration.Services[0].DiscoveryName))
}

func TestLoadBalancers(t *testing.T) {
	arn := func(n int) string {
		return fmt.Sprintf("arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/tg%d/0123456789abcdef", n)
	}
	cfg := Config{TargetGroups: map[string]string{
		"web:443": arn(1), "default/web:443": arn(2), "prod/web:443": arn(3),
		"many": arn(4), "many:2": arn(5), "many:3": arn(6), "many:4": arn(7), "many:5": arn(8), "many:6": arn(9),
	}}
	res := convertFiles(t, cfg, [2]string{"a.yaml", strings.Join([]string{
		deploymentYAML("web", "", "{name: http, containerPort: 8080}"),
		serviceYAML("web", "LoadBalancer", "app: web", "{name: https, port: 443, targetPort: http}"),
		serviceYAML("many", "NodePort", "app: web", "{name: p1, port: 1, targetPort: 8080}", "{name: p2, port: 2, targetPort: 8080}",
			"{name: p3, port: 3, targetPort: 8080}", "{name: p4, port: 4, targetPort: 8080}", "{name: p5, port: 5, targetPort: 8080}", "{name: p6, port: 6, targetPort: 8080}"),
	}, "---\n")})
	require.Empty(t, res.Errors)
	out := outputNamed(t, res, "web")
	lbs := out.Service.LoadBalancers
	require.Len(t, lbs, MaxServiceTargetGroups)
	assert.Equal(t, arn(2), aws.ToString(lbs[0].TargetGroupArn), "the key of the Service's namespace wins")
	assert.Equal(t, "app", aws.ToString(lbs[0].ContainerName))
	assert.Equal(t, int32(8080), aws.ToInt32(lbs[0].ContainerPort))
	assert.Equal(t, arn(4), aws.ToString(lbs[1].TargetGroupArn), "a bare name serves the first port")
	assert.True(t, hasFinding(res, "Service", "many", mapping.Lossy, "spec.ports", "at most 5 target groups"))
	assert.True(t, hasFinding(res, "Service", "web", mapping.Info, "spec.type", "target type ip"))
	assert.Nil(t, out.Service.ServiceConnectConfiguration, "load-balanced Services do not add Service Connect")
	assert.Equal(t, int32(20), aws.ToInt32(out.Service.HealthCheckGracePeriodSeconds), "the readiness probe's initial delay")
	require.NotNil(t, out.TargetGroup)
	assert.Equal(t, "/ready", out.TargetGroup.HealthCheckPath)
	assert.Equal(t, "8080", out.TargetGroup.HealthCheckPort)
	files, err := out.Files()
	require.NoError(t, err)
	assert.Equal(t, "web.targetgroup.json", files[len(files)-1].Name)

	noTG := convertFiles(t, DefaultConfig(), [2]string{"a.yaml", deploymentYAML("web", "", "{containerPort: 8080}") + "---\n" +
		serviceYAML("web", "LoadBalancer", "app: web", "{port: 80, targetPort: 8080}")})
	out = outputNamed(t, noTG, "web")
	assert.Empty(t, out.Service.LoadBalancers)
	assert.Nil(t, out.TargetGroup, "no load balancer, no target group settings")
	assert.Nil(t, out.Service.HealthCheckGracePeriodSeconds)
	assert.True(t, hasFinding(noTG, "Service", "web", mapping.Lossy, "spec.ports[0]", "no target group ARN"))
}

func TestTargetGroupsFor(t *testing.T) {
	cfg := Config{TargetGroups: map[string]string{"a": "1", "a:80": "2", "ns/a:80": "3", "other/a": "4"}}
	svc := func(ns string) map[string]string { return targetGroupsFor(cfg, mustService(ns)) }
	assert.Equal(t, map[string]string{"a": "1", "a:80": "3"}, svc("ns"))
	assert.Equal(t, map[string]string{"a": "1", "a:80": "2"}, svc(""))
	assert.Equal(t, map[string]string{"a": "4", "a:80": "2"}, svc("other"))
}

func TestAutoscalers(t *testing.T) {
	hpa := func(name, apiVersion, kind, target string) string {
		return fmt.Sprintf("apiVersion: %s\nkind: HorizontalPodAutoscaler\nmetadata: {name: %s}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: %s, name: %s}\n  maxReplicas: 5\n", apiVersion, name, kind, target)
	}
	job := "apiVersion: batch/v1\nkind: Job\nmetadata: {name: batch}\nspec:\n  template:\n    spec: {restartPolicy: Never, containers: [{name: a, image: busybox}]}\n"
	res := convertFiles(t, Config{Cluster: "arn:aws:ecs:eu-west-1:123456789012:cluster/prod"}, [2]string{"a.yaml", strings.Join([]string{
		deploymentYAML("web", "", "{containerPort: 8080}"), job,
		hpa("web", "autoscaling/v2", "Deployment", "web"),
		hpa("web-again", "autoscaling/v2beta2", "Deployment", "web"),
		hpa("batch", "autoscaling/v2", "Job", "batch"),
		hpa("ghost", "autoscaling/v2", "Deployment", "ghost"),
	}, "---\n")}, [2]string{"b.yaml", hpa("old", "autoscaling/v2beta1", "Deployment", "web")})
	out := outputNamed(t, res, "web")
	require.NotNil(t, out.Scaling)
	assert.Equal(t, "service/prod/web", out.Scaling.ScalableTarget.ResourceId, "the cluster name of a cluster ARN")
	assert.Equal(t, "web-cpu", out.Scaling.Policies[0].PolicyName)
	assert.True(t, hasFinding(res, "HorizontalPodAutoscaler", "web-again", mapping.Lossy, "spec.scaleTargetRef", "already scaled"))
	assert.True(t, hasFinding(res, "HorizontalPodAutoscaler", "batch", mapping.Unsupported, "spec.scaleTargetRef", "no ECS service"))
	assert.True(t, hasFinding(res, "HorizontalPodAutoscaler", "ghost", mapping.Info, "spec.scaleTargetRef", "not among the input's workloads"))
	require.Len(t, res.Errors, 1, "autoscaling/v2beta1 is not read")
	assert.Contains(t, res.Errors[0].Error(), "b.yaml: doc 1")
	assert.Contains(t, res.Errors[0].Error(), "apiVersion")
}

func TestWorkloadRefs(t *testing.T) {
	ix := NewIndex()
	for _, y := range []string{
		deploymentYAML("web", "shop", "{containerPort: 80}"),
		"apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {app: p}}\nspec: {containers: [{name: a, image: b}]}\n",
		"apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: '@daily'\n  jobTemplate: {spec: {template: {metadata: {labels: {app: c}}, spec: {containers: [{name: a, image: b}]}}}}\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {}\n",
	} {
		require.NoError(t, ReadDocuments(strings.NewReader(y), "x.yaml", ReadOptions{}, ix.addWorkloadDoc, func(e *DocError) { t.Fatal(e) }))
	}
	assert.Equal(t, []workloadRef{
		{kind: "Deployment", namespace: "shop", name: "web", labels: packMap(map[string]string{"app": "web", "tier": "web"})},
		{kind: "Pod", namespace: "default", name: "p", labels: packMap(map[string]string{"app": "p"})},
		{kind: "CronJob", namespace: "default", name: "c", labels: packMap(map[string]string{"app": "c"})},
	}, ix.workloadRefs, "a workload without a name is not recorded")
	assert.Equal(t, 1, ix.refPosition(workloadRef{kind: "Pod", namespace: "default", name: "p"}))
	assert.Equal(t, 3, ix.refPosition(workloadRef{kind: "Pod", namespace: "default", name: "q"}))
}

// Without recorded workloads (a workload converted on its own), the workload a Service selects
// owns it.
func TestOwnerWithoutRefs(t *testing.T) {
	ix := NewIndex()
	svc := mustService("")
	svc.Spec.Selector = map[string]string{"app": "x"}
	raw, err := json.Marshal(svc)
	require.NoError(t, err)
	s := newIndexedService(svc, raw, DocRef{}, 0)
	ix.services = append(ix.services, s)
	w := workloadRef{kind: "Deployment", namespace: "default", name: "x", labels: packMap(map[string]string{"app": "x"})}
	assert.True(t, ix.owner(s, w).same(w))
	ix.workloadRefs = []workloadRef{{kind: "StatefulSet", namespace: "default", name: "y", labels: packMap(map[string]string{"app": "x"})}, w}
	assert.Equal(t, "y", ix.owner(s, w).name)
}

func TestServiceNetworkFeedsTheWayBack(t *testing.T) {
	// A Service Connect name given in ECS comes back from the annotation, and a Service added on
	// the Kubernetes side takes effect: edits win.
	m, _ := rvReverse(t, rvTaskDef(), &ecsServiceInput, ReverseOptions{})
	require.NotNil(t, m)
	y, err := m.YAML()
	require.NoError(t, err)
	out, _ := rvBackToECS(t, y)
	require.NotNil(t, out.Service.ServiceConnectConfiguration)
	assert.Equal(t, "api.internal", aws.ToString(out.Service.ServiceConnectConfiguration.Services[0].ClientAliases[0].DnsName))
	assert.Equal(t, "ns-1", aws.ToString(out.Service.ServiceConnectConfiguration.Namespace))
	edited := strings.Replace(string(y), "port: 80\n", "port: 8000\n", 1)
	require.NotEqual(t, string(y), edited)
	out, _ = rvBackToECS(t, []byte(edited))
	require.NotNil(t, out.Service.ServiceConnectConfiguration)
	assert.Equal(t, int32(8000), aws.ToInt32(out.Service.ServiceConnectConfiguration.Services[0].ClientAliases[0].Port))
	assert.Equal(t, "api", aws.ToString(out.Service.ServiceConnectConfiguration.Services[0].ClientAliases[0].DnsName), "the edited Service gives the configuration")
}

func mustService(namespace string) *corev1.Service {
	return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "s", Namespace: namespace}}
}

func rvTaskDef() *ecs.RegisterTaskDefinitionInput {
	return &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("api"),
		ContainerDefinitions: []types.ContainerDefinition{{
			Name: aws.String("api"), Image: aws.String("nginx"), Essential: aws.Bool(true), Memory: aws.Int32(256),
			PortMappings: []types.PortMapping{{ContainerPort: aws.Int32(8080), Name: aws.String("http"), Protocol: types.TransportProtocolTcp}},
		}},
	}
}

var ecsServiceInput = ecsServiceWithConnect()

func ecsServiceWithConnect() (svc ecs.CreateServiceInput) {
	svc.ServiceName = aws.String("api")
	svc.TaskDefinition = aws.String("api")
	svc.DesiredCount = aws.Int32(2)
	svc.ServiceConnectConfiguration = &types.ServiceConnectConfiguration{Enabled: true, Namespace: aws.String("ns-1"), Services: []types.ServiceConnectService{{
		PortName: aws.String("http"), DiscoveryName: aws.String("api"),
		ClientAliases: []types.ServiceConnectClientAlias{{Port: aws.Int32(80), DnsName: aws.String("api.internal")}},
	}}}
	return svc
}

// TestServiceNameFindingOnce: an ECS service name that is no Kubernetes Service name is reported
// once, whichever way the Service is built.
func TestServiceNameFindingOnce(t *testing.T) {
	td := rvTaskDef()
	td.Family = aws.String("1api")
	for name, svc := range map[string]ecs.CreateServiceInput{
		"from the container ports": {ServiceName: aws.String("1api"), TaskDefinition: aws.String("1api"), DesiredCount: aws.Int32(1)},
		"from Service Connect": func() ecs.CreateServiceInput {
			s := ecsServiceWithConnect()
			s.ServiceName, s.TaskDefinition = aws.String("1api"), aws.String("1api")
			return s
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			_, fs := rvReverse(t, td, &svc, ReverseOptions{})
			n := 0
			for _, f := range fs {
				if strings.Contains(f.Message, "a Kubernetes Service name must start with a letter") {
					n++
				}
			}
			assert.Equal(t, 1, n)
		})
	}
}
