package mapping

import (
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func snTestService(name string, typ corev1.ServiceType, ports ...corev1.ServicePort) *corev1.Service {
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       corev1.ServiceSpec{Type: typ, Selector: map[string]string{"app.kubernetes.io/name": name}, Ports: ports},
	}
}

func snTestMapping(name string, port int32) types.PortMapping {
	pm := types.PortMapping{ContainerPort: aws.Int32(port), Protocol: types.TransportProtocolTcp}
	if name != "" {
		pm.Name = aws.String(name)
	}
	return pm
}

// snTestOnly asserts exactly one finding at path, of the given level, and returns it.
func snTestOnly(t *testing.T, fs Findings, path string, level Level) Finding {
	t.Helper()
	got := scalingTestAt(fs, path)
	require.Len(t, got, 1, "findings at %s: %v", path, fs)
	assert.Equal(t, level, got[0].Level, got[0].Message)
	return got[0]
}

func snTestSC(portName, discovery string, port int32, dns string) types.ServiceConnectService {
	return types.ServiceConnectService{
		PortName:      aws.String(portName),
		DiscoveryName: aws.String(discovery),
		ClientAliases: []types.ServiceConnectClientAlias{{Port: aws.Int32(port), DnsName: aws.String(dns)}},
	}
}

func TestServiceConnectFromService(t *testing.T) {
	ports := map[string]types.PortMapping{
		"http":    snTestMapping("http", 8080),
		"metrics": snTestMapping("metrics", 9090),
		"grpc":    snTestMapping("", 7070),
		"9000":    snTestMapping("", 9000),
	}
	tests := []struct {
		name     string
		svcPorts []corev1.ServicePort
		want     []types.ServiceConnectService
		errPath  string // an Error finding is expected here
	}{
		{
			name:     "named targetPort",
			svcPorts: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromString("http")}},
			want:     []types.ServiceConnectService{snTestSC("http", "web", 80, "web")},
		},
		{
			name:     "numeric targetPort resolves to the named mapping",
			svcPorts: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}},
			want:     []types.ServiceConnectService{snTestSC("http", "web", 80, "web")},
		},
		{
			name:     "unset targetPort is the Service port",
			svcPorts: []corev1.ServicePort{{Port: 9090}},
			want:     []types.ServiceConnectService{snTestSC("metrics", "web", 9090, "web")},
		},
		{
			name:     "several ports get distinct discovery names",
			svcPorts: []corev1.ServicePort{{Name: "web", Port: 80, TargetPort: intstr.FromString("http")}, {Port: 9090, TargetPort: intstr.FromString("metrics")}},
			want:     []types.ServiceConnectService{snTestSC("http", "web-web", 80, "web"), snTestSC("metrics", "web-9090", 9090, "web")},
		},
		{
			name:     "an unnamed mapping is an error that proposes its key",
			svcPorts: []corev1.ServicePort{{Port: 7070}},
			want:     []types.ServiceConnectService{snTestSC("grpc", "web", 7070, "web")},
			errPath:  "spec.ports[0].targetPort",
		},
		{
			name:     "an unnamed mapping under a numeric key gets a generated name",
			svcPorts: []corev1.ServicePort{{Port: 90, TargetPort: intstr.FromInt32(9000)}},
			want:     []types.ServiceConnectService{snTestSC("web-9000", "web", 90, "web")},
			errPath:  "spec.ports[0].targetPort",
		},
		{
			name:     "a port the container lacks gets a generated name",
			svcPorts: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(3000)}},
			want:     []types.ServiceConnectService{snTestSC("web-3000", "web", 80, "web")},
			errPath:  "spec.ports[0].targetPort",
		},
		{
			name:     "an unknown port name is dropped",
			svcPorts: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromString("nope")}, {Name: "m", Port: 9090}},
			want:     []types.ServiceConnectService{snTestSC("metrics", "web-m", 9090, "web")},
			errPath:  "spec.ports[0].targetPort",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, fs := ServiceConnectFromService(snTestService("web", "", tc.svcPorts...), ports, "shop", "")
			require.NotNil(t, cfg)
			assert.True(t, cfg.Enabled)
			assert.Equal(t, "shop", aws.ToString(cfg.Namespace))
			assert.Equal(t, tc.want, cfg.Services)
			snTestOnly(t, fs, "metadata.name", Info)
			if tc.errPath != "" {
				f := snTestOnly(t, fs, tc.errPath, Error)
				if len(tc.want) > 0 && !strings.Contains(f.Message, "names no container port") {
					assert.Contains(t, f.Message, aws.ToString(tc.want[0].PortName))
				}
			} else {
				assert.False(t, fs.HasErrors(), "%v", fs)
			}
		})
	}
}

func TestServiceConnectFromServiceUnsupported(t *testing.T) {
	ports := map[string]types.PortMapping{"http": snTestMapping("http", 8080)}

	headless := snTestService("db", corev1.ServiceTypeClusterIP, corev1.ServicePort{Port: 5432})
	headless.Spec.ClusterIP = corev1.ClusterIPNone
	cfg, fs := ServiceConnectFromService(headless, ports, "", "")
	assert.Nil(t, cfg)
	assert.Contains(t, snTestOnly(t, fs, "spec.clusterIP", Unsupported).Message, "registry")

	ext := snTestService("mail", corev1.ServiceTypeExternalName)
	ext.Spec.ExternalName = "smtp.example.com"
	cfg, fs = ServiceConnectFromService(ext, ports, "", "")
	assert.Nil(t, cfg)
	snTestOnly(t, fs, "spec.type", Unsupported)

	cfg, fs = ServiceConnectFromService(snTestService("empty", ""), ports, "", "")
	assert.Nil(t, cfg)
	snTestOnly(t, fs, "spec.ports", Unsupported)

	sctp := snTestService("sig", "", corev1.ServicePort{Port: 80, Protocol: corev1.ProtocolSCTP})
	cfg, fs = ServiceConnectFromService(sctp, ports, "", "")
	assert.Nil(t, cfg)
	snTestOnly(t, fs, "spec.ports[0].protocol", Unsupported)

	sticky := snTestService("web", corev1.ServiceTypeNodePort, corev1.ServicePort{Port: 80, TargetPort: intstr.FromString("http")})
	sticky.Spec.SessionAffinity = corev1.ServiceAffinityClientIP
	cfg, fs = ServiceConnectFromService(sticky, ports, "", "items[1]")
	require.NotNil(t, cfg)
	assert.Nil(t, cfg.Namespace, "an empty namespace leaves the cluster default")
	snTestOnly(t, fs, "items[1].spec.sessionAffinity", Lossy)

	none, noneFs := ServiceConnectFromService(nil, ports, "", "")
	assert.Nil(t, none)
	assert.Nil(t, noneFs)
}

func TestServiceConnectNameLimits(t *testing.T) {
	long := strings.Repeat("a", 60)
	svc := snTestService(long, "", corev1.ServicePort{Name: "metrics-port", Port: 80}, corev1.ServicePort{Name: "b", Port: 81})
	ports := map[string]types.PortMapping{"x": snTestMapping("x", 80), "y": snTestMapping("y", 81)}
	cfg, _ := ServiceConnectFromService(svc, ports, "", "")
	require.Len(t, cfg.Services, 2)
	for _, s := range cfg.Services {
		assert.LessOrEqual(t, len(aws.ToString(s.DiscoveryName)), MaxDiscoveryNameLength)
		assert.True(t, ValidECSPortName(aws.ToString(s.DiscoveryName)), aws.ToString(s.DiscoveryName))
	}
	assert.NotEqual(t, aws.ToString(cfg.Services[0].DiscoveryName), aws.ToString(cfg.Services[1].DiscoveryName))

	assert.Equal(t, "web-8080", ServiceConnectPortName("web", 8080))
	name := ServiceConnectPortName(strings.Repeat("b", 70), 65535)
	assert.Len(t, name, MaxDiscoveryNameLength)
	assert.True(t, strings.HasSuffix(name, "-65535"))
	assert.True(t, ValidECSPortName(name))
	assert.Equal(t, "port-80", ServiceConnectPortName("-", 80))
}

func TestLoadBalancersFromService(t *testing.T) {
	ports := map[string]types.PortMapping{"http": snTestMapping("http", 8080), "admin": snTestMapping("admin", 8081)}
	arnA, arnB := "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/a/1", "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/b/2"
	lb := func(arn string, port int32) types.LoadBalancer {
		return types.LoadBalancer{TargetGroupArn: aws.String(arn), ContainerName: aws.String("app"), ContainerPort: aws.Int32(port)}
	}
	tests := []struct {
		name  string
		svc   *corev1.Service
		arns  map[string]string
		want  []types.LoadBalancer
		finds map[string]Level
	}{
		{
			name: "svc:port key and named targetPort",
			svc:  snTestService("web", corev1.ServiceTypeLoadBalancer, corev1.ServicePort{Port: 80, TargetPort: intstr.FromString("http")}),
			arns: map[string]string{"web:80": arnA},
			want: []types.LoadBalancer{lb(arnA, 8080)},
		},
		{
			name: "svc:name key",
			svc:  snTestService("web", corev1.ServiceTypeLoadBalancer, corev1.ServicePort{Name: "https", Port: 443, TargetPort: intstr.FromInt32(8080)}),
			arns: map[string]string{"web:https": arnA},
			want: []types.LoadBalancer{lb(arnA, 8080)},
		},
		{
			name: "the bare service key serves the first port only",
			svc: snTestService("web", corev1.ServiceTypeLoadBalancer,
				corev1.ServicePort{Name: "a", Port: 80, TargetPort: intstr.FromString("http")},
				corev1.ServicePort{Name: "b", Port: 81, TargetPort: intstr.FromString("admin")}),
			arns:  map[string]string{"web": arnA},
			want:  []types.LoadBalancer{lb(arnA, 8080)},
			finds: map[string]Level{"spec.ports[1]": Lossy},
		},
		{
			name: "two ports, two target groups",
			svc: snTestService("web", corev1.ServiceTypeLoadBalancer,
				corev1.ServicePort{Name: "a", Port: 80, TargetPort: intstr.FromString("http")},
				corev1.ServicePort{Name: "b", Port: 81, TargetPort: intstr.FromString("admin")}),
			arns: map[string]string{"web:80": arnA, "web:b": arnB},
			want: []types.LoadBalancer{lb(arnA, 8080), lb(arnB, 8081)},
		},
		{
			name:  "LoadBalancer without ARN",
			svc:   snTestService("web", corev1.ServiceTypeLoadBalancer, corev1.ServicePort{Port: 80, TargetPort: intstr.FromString("http")}),
			finds: map[string]Level{"spec.ports[0]": Lossy},
		},
		{
			name: "ClusterIP without ARN is left to Service Connect",
			svc:  snTestService("web", corev1.ServiceTypeClusterIP, corev1.ServicePort{Port: 80, TargetPort: intstr.FromString("http")}),
		},
		{
			name: "ClusterIP behind an Ingress with an ARN",
			svc:  snTestService("web", corev1.ServiceTypeClusterIP, corev1.ServicePort{Port: 80, TargetPort: intstr.FromString("http")}),
			arns: map[string]string{"web": arnA},
			want: []types.LoadBalancer{lb(arnA, 8080)},
		},
		{
			name:  "NodePort",
			svc:   snTestService("web", corev1.ServiceTypeNodePort, corev1.ServicePort{Port: 80, NodePort: 30080, TargetPort: intstr.FromString("http")}),
			arns:  map[string]string{"web:80": arnA},
			want:  []types.LoadBalancer{lb(arnA, 8080)},
			finds: map[string]Level{"spec.ports[0].nodePort": Info},
		},
		{
			name:  "an unknown port name",
			svc:   snTestService("web", corev1.ServiceTypeLoadBalancer, corev1.ServicePort{Port: 80, TargetPort: intstr.FromString("nope")}),
			arns:  map[string]string{"web:80": arnA},
			finds: map[string]Level{"spec.ports[0].targetPort": Error},
		},
		{
			name:  "a port the container lacks",
			svc:   snTestService("web", corev1.ServiceTypeLoadBalancer, corev1.ServicePort{Port: 80, TargetPort: intstr.FromInt32(3000)}),
			arns:  map[string]string{"web:80": arnA},
			want:  []types.LoadBalancer{lb(arnA, 3000)},
			finds: map[string]Level{"spec.ports[0].targetPort": Error},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, fs := LoadBalancersFromService(tc.svc, "app", ports, tc.arns, "")
			assert.Equal(t, tc.want, got)
			assert.Len(t, fs, len(tc.finds), "%v", fs)
			for path, level := range tc.finds {
				snTestOnly(t, fs, path, level)
			}
		})
	}
}

func TestLoadBalancersFromServiceLostSettings(t *testing.T) {
	svc := snTestService("web", corev1.ServiceTypeLoadBalancer, corev1.ServicePort{Port: 8080})
	svc.Spec.SessionAffinity = corev1.ServiceAffinityClientIP
	svc.Spec.LoadBalancerSourceRanges = []string{"10.0.0.0/8"}
	svc.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyLocal
	got, fs := LoadBalancersFromService(svc, "app", map[string]types.PortMapping{"http": snTestMapping("http", 8080)}, map[string]string{"web": "arn:tg"}, "")
	require.Len(t, got, 1)
	assert.Equal(t, int32(8080), aws.ToInt32(got[0].ContainerPort))
	snTestOnly(t, fs, "spec.sessionAffinity", Lossy)
	snTestOnly(t, fs, "spec.loadBalancerSourceRanges", Lossy)
	snTestOnly(t, fs, "spec.externalTrafficPolicy", Info)

	headless := snTestService("db", "", corev1.ServicePort{Port: 5432})
	headless.Spec.ClusterIP = corev1.ClusterIPNone
	got, fs = LoadBalancersFromService(headless, "app", nil, map[string]string{"db": "arn:tg"}, "")
	assert.Nil(t, got)
	assert.Nil(t, fs)
}

func TestServiceFromServiceConnect(t *testing.T) {
	ports := []types.PortMapping{snTestMapping("http_api", 8080), {Name: aws.String("dns"), ContainerPort: aws.Int32(53), Protocol: types.TransportProtocolUdp}}
	sc := &types.ServiceConnectConfiguration{
		Enabled:   true,
		Namespace: aws.String("shop"),
		Services: []types.ServiceConnectService{
			snTestSC("http_api", "api", 80, "api.internal"),
			{PortName: aws.String("dns"), DiscoveryName: aws.String("api-dns")},
		},
	}
	svc, fs := ServiceFromServiceConnect(sc, ports, "api", map[string]string{"app": "api"}, "serviceConnectConfiguration")
	require.NotNil(t, svc)
	assert.Equal(t, corev1.ServiceTypeClusterIP, svc.Spec.Type)
	assert.Equal(t, "api", svc.Name)
	assert.Equal(t, map[string]string{"app": "api"}, svc.Spec.Selector)
	assert.Equal(t, []corev1.ServicePort{
		{Name: "http-api", Protocol: corev1.ProtocolTCP, Port: 80, TargetPort: intstr.FromString("http-api")},
		{Name: "dns", Protocol: corev1.ProtocolUDP, Port: 53, TargetPort: intstr.FromString("dns")},
	}, svc.Spec.Ports)
	snTestOnly(t, fs, "serviceConnectConfiguration.services[0].clientAliases[0].dnsName", Info)
	snTestOnly(t, fs, "serviceConnectConfiguration.services[1].clientAliases", Info)

	client, fs := ServiceFromServiceConnect(&types.ServiceConnectConfiguration{Enabled: true, Namespace: aws.String("shop")}, nil, "web", nil, "")
	assert.Nil(t, client, "a client-only configuration has no Service")
	assert.Nil(t, fs)

	bad := &types.ServiceConnectConfiguration{Enabled: true, Services: []types.ServiceConnectService{{PortName: aws.String("gone")}}}
	none, fs := ServiceFromServiceConnect(bad, ports, "web", nil, "")
	assert.Nil(t, none)
	snTestOnly(t, fs, "services[0].clientAliases", Error)
}

func TestServiceFromLoadBalancers(t *testing.T) {
	ports := []types.PortMapping{snTestMapping("http", 8080), snTestMapping("", 9000)}
	lbs := []types.LoadBalancer{
		{TargetGroupArn: aws.String("arn:a"), ContainerName: aws.String("app"), ContainerPort: aws.Int32(8080)},
		{TargetGroupArn: aws.String("arn:b"), ContainerName: aws.String("app"), ContainerPort: aws.Int32(8080)},
		{TargetGroupArn: aws.String("arn:c"), ContainerName: aws.String("app"), ContainerPort: aws.Int32(9000)},
		{LoadBalancerName: aws.String("classic"), ContainerName: aws.String("app"), ContainerPort: aws.Int32(7000)},
		{TargetGroupArn: aws.String("arn:d"), ContainerName: aws.String("app")},
	}
	svc, arns, fs := ServiceFromLoadBalancers(lbs, ports, "web", nil, "loadBalancers")
	require.NotNil(t, svc)
	assert.Equal(t, corev1.ServiceTypeLoadBalancer, svc.Spec.Type)
	assert.Equal(t, []corev1.ServicePort{
		{Name: "http", Protocol: corev1.ProtocolTCP, Port: 8080, TargetPort: intstr.FromString("http")},
		{Name: "port-9000", Protocol: corev1.ProtocolTCP, Port: 9000, TargetPort: intstr.FromInt32(9000)},
		{Name: "port-7000", Protocol: corev1.ProtocolTCP, Port: 7000, TargetPort: intstr.FromInt32(7000)},
	}, svc.Spec.Ports)
	assert.Equal(t, map[string]string{"web:8080": "arn:a", "web:9000": "arn:c"}, arns)
	snTestOnly(t, fs, "loadBalancers[1].targetGroupArn", Lossy)
	snTestOnly(t, fs, "loadBalancers[3].loadBalancerName", Lossy)
	snTestOnly(t, fs, "loadBalancers[4].containerPort", Error)
	snTestOnly(t, fs, "loadBalancers", Info)

	none, noArns, noFs := ServiceFromLoadBalancers(nil, ports, "web", nil, "")
	assert.Nil(t, none)
	assert.Nil(t, noArns)
	assert.Nil(t, noFs)
}

func TestServiceNetworkingRoundTrip(t *testing.T) {
	mappings := []types.PortMapping{snTestMapping("http", 8080), snTestMapping("metrics", 9090)}
	byName := map[string]types.PortMapping{"http": mappings[0], "metrics": mappings[1]}
	sel := map[string]string{"app.kubernetes.io/name": "web"}

	t.Run("Service Connect", func(t *testing.T) {
		svc := snTestService("web", corev1.ServiceTypeClusterIP,
			corev1.ServicePort{Name: "http", Protocol: corev1.ProtocolTCP, Port: 80, TargetPort: intstr.FromString("http")},
			corev1.ServicePort{Name: "metrics", Protocol: corev1.ProtocolTCP, Port: 9090, TargetPort: intstr.FromString("metrics")})
		cfg, fs := ServiceConnectFromService(svc, byName, "shop", "")
		require.False(t, fs.HasErrors(), "%v", fs)
		back, fs := ServiceFromServiceConnect(cfg, mappings, "web", sel, "")
		require.False(t, fs.HasErrors(), "%v", fs)
		assert.Equal(t, svc, back)
	})
	t.Run("load balancer", func(t *testing.T) {
		svc := snTestService("web", corev1.ServiceTypeLoadBalancer,
			corev1.ServicePort{Name: "http", Protocol: corev1.ProtocolTCP, Port: 8080, TargetPort: intstr.FromString("http")})
		arns := map[string]string{"web:8080": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/1"}
		lbs, fs := LoadBalancersFromService(svc, "app", byName, arns, "")
		require.False(t, fs.HasErrors(), "%v", fs)
		back, backArns, fs := ServiceFromLoadBalancers(lbs, mappings, "web", sel, "")
		require.False(t, fs.HasErrors(), "%v", fs)
		assert.Equal(t, svc, back)
		assert.Equal(t, arns, backArns)
	})
}

func TestTargetGroupHealthCheckFromProbe(t *testing.T) {
	ports := []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}}
	grpcService := "shop.Cart"
	tests := []struct {
		name  string
		probe *corev1.Probe
		want  *TargetGroupHealthCheck
		finds map[string]Level
	}{
		{
			name:  "httpGet with Kubernetes defaults",
			probe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/ready", Port: intstr.FromString("http")}}},
			want: &TargetGroupHealthCheck{
				HealthCheckProtocol: "HTTP", HealthCheckPort: "8080", HealthCheckPath: "/ready",
				HealthCheckIntervalSeconds: 10, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 3,
				Matcher: &TargetGroupMatcher{HttpCode: "200-399"},
			},
			finds: map[string]Level{"p.timeoutSeconds": Info, "p.successThreshold": Info},
		},
		{
			name: "https, values in range, path defaults to /",
			probe: &corev1.Probe{
				ProbeHandler:  corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Port: intstr.FromInt32(8443), Scheme: corev1.URISchemeHTTPS}},
				PeriodSeconds: 20, TimeoutSeconds: 5, SuccessThreshold: 3, FailureThreshold: 4,
			},
			want: &TargetGroupHealthCheck{
				HealthCheckProtocol: "HTTPS", HealthCheckPort: "8443", HealthCheckPath: "/",
				HealthCheckIntervalSeconds: 20, HealthCheckTimeoutSeconds: 5, HealthyThresholdCount: 3, UnhealthyThresholdCount: 4,
				Matcher: &TargetGroupMatcher{HttpCode: "200-399"},
			},
		},
		{
			name: "clamped user values and a timeout not below the interval",
			probe: &corev1.Probe{
				ProbeHandler:  corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(5432)}},
				PeriodSeconds: 1, TimeoutSeconds: 30, SuccessThreshold: 1, FailureThreshold: 30, InitialDelaySeconds: 15,
			},
			want: &TargetGroupHealthCheck{
				HealthCheckProtocol: "TCP", HealthCheckPort: "5432",
				HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 4, HealthyThresholdCount: 2, UnhealthyThresholdCount: 10,
			},
			finds: map[string]Level{
				"p.tcpSocket": Info, "p.periodSeconds": Lossy, "p.timeoutSeconds": Lossy, "p.successThreshold": Lossy,
				"p.failureThreshold": Lossy, "p.initialDelaySeconds": Info,
			},
		},
		{
			name: "large values are cut to the ELB maximums",
			probe: &corev1.Probe{
				ProbeHandler:  corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/", Port: intstr.FromInt32(80)}},
				PeriodSeconds: 600, TimeoutSeconds: 200, SuccessThreshold: 11, FailureThreshold: 2,
			},
			want: &TargetGroupHealthCheck{
				HealthCheckProtocol: "HTTP", HealthCheckPort: "80", HealthCheckPath: "/",
				HealthCheckIntervalSeconds: 300, HealthCheckTimeoutSeconds: 120, HealthyThresholdCount: 10, UnhealthyThresholdCount: 2,
				Matcher: &TargetGroupMatcher{HttpCode: "200-399"},
			},
			finds: map[string]Level{"p.periodSeconds": Lossy, "p.timeoutSeconds": Lossy, "p.successThreshold": Lossy},
		},
		{
			name: "host and headers are lost",
			probe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
				Path: "/", Port: intstr.FromInt32(80), Host: "example.com", HTTPHeaders: []corev1.HTTPHeader{{Name: "X", Value: "y"}},
			}}, PeriodSeconds: 10, TimeoutSeconds: 2, SuccessThreshold: 2, FailureThreshold: 2},
			want: &TargetGroupHealthCheck{
				HealthCheckProtocol: "HTTP", HealthCheckPort: "80", HealthCheckPath: "/",
				HealthCheckIntervalSeconds: 10, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
				Matcher: &TargetGroupMatcher{HttpCode: "200-399"},
			},
			finds: map[string]Level{"p.httpGet.host": Lossy, "p.httpGet.httpHeaders": Lossy},
		},
		{
			name: "grpc",
			probe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: 9000, Service: &grpcService}},
				PeriodSeconds: 10, TimeoutSeconds: 2, SuccessThreshold: 2, FailureThreshold: 3},
			want: &TargetGroupHealthCheck{
				HealthCheckProtocol: "HTTP", HealthCheckPort: "9000", HealthCheckPath: "/grpc.health.v1.Health/Check",
				HealthCheckIntervalSeconds: 10, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 3,
				Matcher: &TargetGroupMatcher{GrpcCode: "0"},
			},
			finds: map[string]Level{"p.grpc": Lossy, "p.grpc.service": Lossy},
		},
		{
			name:  "exec has no load balancer form",
			probe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"true"}}}},
			finds: map[string]Level{"p.exec": Unsupported},
		},
		{
			name:  "an unknown port name",
			probe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Port: intstr.FromString("admin")}}},
			finds: map[string]Level{"p.httpGet.port": Error},
		},
		{
			name:  "no handler",
			probe: &corev1.Probe{},
			finds: map[string]Level{"p": Error},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, fs := TargetGroupHealthCheckFromProbe(tc.probe, ports, "p")
			assert.Equal(t, tc.want, got)
			assert.Len(t, fs, len(tc.finds), "%v", fs)
			for path, level := range tc.finds {
				snTestOnly(t, fs, path, level)
			}
			if got != nil {
				assert.Less(t, got.HealthCheckTimeoutSeconds, got.HealthCheckIntervalSeconds)
			}
		})
	}
	none, fs := TargetGroupHealthCheckFromProbe(nil, ports, "p")
	assert.Nil(t, none)
	assert.Nil(t, fs)
}

func TestProbeFromTargetGroupHealthCheck(t *testing.T) {
	tests := []struct {
		name  string
		hc    *TargetGroupHealthCheck
		want  *corev1.Probe
		finds map[string]Level
	}{
		{
			name: "empty settings are the ELB defaults on the traffic port",
			hc:   &TargetGroupHealthCheck{},
			want: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/", Port: intstr.FromInt32(8080)}},
				PeriodSeconds: 30, TimeoutSeconds: 6, SuccessThreshold: 5, FailureThreshold: 2},
		},
		{
			name: "traffic-port, HTTPS defaults to a 10 s timeout",
			hc:   &TargetGroupHealthCheck{HealthCheckProtocol: "HTTPS", HealthCheckPort: "traffic-port", HealthCheckPath: "/h"},
			want: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/h", Port: intstr.FromInt32(8080), Scheme: corev1.URISchemeHTTPS}},
				PeriodSeconds: 30, TimeoutSeconds: 10, SuccessThreshold: 5, FailureThreshold: 2},
		},
		{
			name: "TCP on its own port",
			hc:   &TargetGroupHealthCheck{HealthCheckProtocol: "TCP", HealthCheckPort: "5432", HealthCheckIntervalSeconds: 15},
			want: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(5432)}},
				PeriodSeconds: 15, TimeoutSeconds: 10, SuccessThreshold: 5, FailureThreshold: 2},
		},
		{
			name: "other success codes are lost",
			hc:   &TargetGroupHealthCheck{HealthCheckProtocol: "HTTP", HealthCheckPath: "/", Matcher: &TargetGroupMatcher{HttpCode: "200"}},
			want: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/", Port: intstr.FromInt32(8080)}},
				PeriodSeconds: 30, TimeoutSeconds: 6, SuccessThreshold: 5, FailureThreshold: 2},
			finds: map[string]Level{"tg.Matcher.HttpCode": Lossy},
		},
		{
			name: "gRPC",
			hc:   &TargetGroupHealthCheck{HealthCheckProtocol: "HTTP", HealthCheckPort: "9000", Matcher: &TargetGroupMatcher{GrpcCode: "0-99"}},
			want: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: 9000}},
				PeriodSeconds: 30, TimeoutSeconds: 6, SuccessThreshold: 5, FailureThreshold: 2},
			finds: map[string]Level{"tg.Matcher.GrpcCode": Lossy},
		},
		{
			name:  "GENEVE",
			hc:    &TargetGroupHealthCheck{HealthCheckProtocol: "GENEVE"},
			finds: map[string]Level{"tg.HealthCheckProtocol": Unsupported},
		},
		{
			name:  "a bad port",
			hc:    &TargetGroupHealthCheck{HealthCheckPort: "http"},
			finds: map[string]Level{"tg.HealthCheckPort": Error},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, fs := ProbeFromTargetGroupHealthCheck(tc.hc, 8080, "tg")
			assert.Equal(t, tc.want, got)
			assert.Len(t, fs, len(tc.finds), "%v", fs)
			for path, level := range tc.finds {
				snTestOnly(t, fs, path, level)
			}
		})
	}
	_, fs := ProbeFromTargetGroupHealthCheck(&TargetGroupHealthCheck{}, 0, "tg")
	snTestOnly(t, fs, "tg.HealthCheckPort", Error)
}

func TestTargetGroupHealthCheckRoundTrip(t *testing.T) {
	probes := []*corev1.Probe{
		{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(8080)}},
			PeriodSeconds: 10, TimeoutSeconds: 3, SuccessThreshold: 2, FailureThreshold: 3},
		{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/", Port: intstr.FromInt32(443), Scheme: corev1.URISchemeHTTPS}},
			PeriodSeconds: 300, TimeoutSeconds: 120, SuccessThreshold: 10, FailureThreshold: 10},
		{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(6379)}},
			PeriodSeconds: 5, TimeoutSeconds: 2, SuccessThreshold: 2, FailureThreshold: 2},
	}
	for _, p := range probes {
		hc, fs := TargetGroupHealthCheckFromProbe(p, nil, "p")
		require.False(t, fs.HasErrors(), "%v", fs)
		back, fs := ProbeFromTargetGroupHealthCheck(hc, 1, "tg")
		require.Empty(t, fs)
		assert.Equal(t, p, back)
	}
}

func TestTargetGroupHealthCheckMatchesELBModel(t *testing.T) {
	shapes := botocoreModel(t, "elbv2")
	botoCheckStruct(t, shapes, "CreateTargetGroupInput", reflect.TypeFor[TargetGroupHealthCheck](), false)
	botoCheckStruct(t, shapes, "ModifyTargetGroupInput", reflect.TypeFor[TargetGroupHealthCheck](), false)
	ranges := []struct {
		shape  string
		lo, hi int
	}{
		{"HealthCheckIntervalSeconds", TargetGroupIntervalMin, TargetGroupIntervalMax},
		{"HealthCheckTimeoutSeconds", TargetGroupTimeoutMin, TargetGroupTimeoutMax},
		{"HealthCheckThresholdCount", TargetGroupThresholdMin, TargetGroupThresholdMax},
	}
	for _, r := range ranges {
		s := shapes[r.shape]
		require.NotNil(t, s.Min, r.shape)
		require.NotNil(t, s.Max, r.shape)
		assert.Equal(t, float64(r.lo), *s.Min, r.shape)
		assert.Equal(t, float64(r.hi), *s.Max, r.shape)
	}
	for _, p := range []string{tgProtocolHTTP, tgProtocolHTTPS, tgProtocolTCP} {
		assert.Contains(t, shapes["ProtocolEnum"].Enum, p)
	}
}
