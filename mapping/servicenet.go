package mapping

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// A Kubernetes Service gives pods a stable name (ClusterIP) and, for NodePort and LoadBalancer
// types, outside traffic. On ECS the first is Service Connect (a proxy in each task of a
// namespace that answers clientAliases' dnsName:port and forwards to a named port mapping), the
// second is a load balancer target group the ECS service registers its tasks in; the target group
// and its health check live outside the ECS API, so their ARNs come from the configuration.

// Service Connect limits (ECS model, ServiceConnectService and ServiceConnectClientAlias).
const (
	MaxDiscoveryNameLength = 64
	MaxClientAliasDNSName  = 127
)

// ServiceConnectPortName is the port mapping name podecs gives an unnamed container port that a
// Service refers to: "<service>-<containerPort>", cut to the 64 characters ECS allows. Service
// Connect refers to ports by name only, so callers name such port mappings with it.
func ServiceConnectPortName(service string, containerPort int32) string {
	suffix := "-" + strconv.Itoa(int(containerPort))
	base := strings.ToLower(service)
	if len(base)+len(suffix) > MaxDiscoveryNameLength {
		base = base[:MaxDiscoveryNameLength-len(suffix)]
	}
	name := strings.TrimLeft(base, "-") + suffix
	if !ValidECSPortName(name) {
		return "port" + suffix
	}
	return name
}

// svcTarget is a Service port's targetPort resolved against the container's port mappings.
type svcTarget struct {
	containerPort int32
	key           string // the ports map key of the mapping, "" when none matched
	mapping       types.PortMapping
	found         bool
}

// resolveTargetPort finds the port mapping a Service port sends traffic to. An unset targetPort
// is the Service port (the Kubernetes default); a named one is looked up by map key, then by
// mapping name; a number by containerPort (map keys in order, so the result is stable).
func resolveTargetPort(sp corev1.ServicePort, ports map[string]types.PortMapping) svcTarget {
	tp := sp.TargetPort
	if tp.Type == intstr.String {
		if pm, ok := ports[tp.StrVal]; ok {
			return svcTarget{containerPort: aws.ToInt32(pm.ContainerPort), key: tp.StrVal, mapping: pm, found: true}
		}
		for _, k := range sortedPortKeys(ports) {
			if aws.ToString(ports[k].Name) == tp.StrVal {
				pm := ports[k]
				return svcTarget{containerPort: aws.ToInt32(pm.ContainerPort), key: k, mapping: pm, found: true}
			}
		}
		return svcTarget{}
	}
	port := tp.IntVal
	if port == 0 {
		port = sp.Port
	}
	for _, k := range sortedPortKeys(ports) {
		if aws.ToInt32(ports[k].ContainerPort) == port {
			return svcTarget{containerPort: port, key: k, mapping: ports[k], found: true}
		}
	}
	return svcTarget{containerPort: port}
}

func sortedPortKeys(ports map[string]types.PortMapping) []string {
	keys := make([]string, 0, len(ports))
	for k := range ports {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ServiceConnectFromService maps a ClusterIP Service (or the in-cluster side of a NodePort or
// LoadBalancer one) to a Service Connect configuration in the Cloud Map namespace namespace (""
// leaves it to the cluster default); ports are the container's port mappings keyed by port name,
// and path is the Service's path prefix for findings.
//
// Each Service port becomes a ServiceConnectService: portName is the port mapping its targetPort
// resolves to (Service Connect only knows named ports: an unnamed one is an Error that tells the
// caller which name to give it, see ServiceConnectPortName); one clientAlias answers the Service
// name on the Service port, so clients keep using http://<name>:<port>; discoveryName, which must
// be unique in the namespace, is the Service name, or "<name>-<port name>" when there are
// several ports. Headless and ExternalName Services have no Service Connect form (per-task DNS
// records need a Cloud Map registry); sessionAffinity is lost.
func ServiceConnectFromService(svc *corev1.Service, ports map[string]types.PortMapping, namespace string, path string) (*types.ServiceConnectConfiguration, Findings) {
	if svc == nil {
		return nil, nil
	}
	var fs Findings
	specPath := Join(path, "spec")
	switch {
	case svc.Spec.Type == corev1.ServiceTypeExternalName:
		fs.Add(Join(specPath, "type"), Unsupported, "ExternalName Services are DNS aliases to %q; ECS has no equivalent (use the name directly)", svc.Spec.ExternalName)
		return nil, fs
	case svc.Spec.ClusterIP == corev1.ClusterIPNone:
		fs.Add(Join(specPath, "clusterIP"), Unsupported, "headless Service: per-task DNS records need a Cloud Map service registry (serviceRegistries with an existing registry ARN); Service Connect only gives one virtual name")
		return nil, fs
	case len(svc.Spec.Ports) == 0:
		fs.Add(Join(specPath, "ports"), Unsupported, "the Service has no ports; Service Connect needs at least one")
		return nil, fs
	}
	cfg := &types.ServiceConnectConfiguration{Enabled: true}
	if namespace != "" {
		cfg.Namespace = aws.String(namespace)
	}
	dnsName := svc.Name
	if len(dnsName) > MaxClientAliasDNSName {
		dnsName = dnsName[:MaxClientAliasDNSName]
	}
	for i, sp := range svc.Spec.Ports {
		pp := Index(Join(specPath, "ports"), i)
		if sp.Protocol == corev1.ProtocolSCTP {
			fs.Add(Join(pp, "protocol"), Unsupported, "ECS port mappings support tcp and udp only; port %d/SCTP dropped", sp.Port)
			continue
		}
		portName, ok := serviceConnectPortName(svc.Name, sp, ports, pp, &fs)
		if !ok {
			continue
		}
		cfg.Services = append(cfg.Services, types.ServiceConnectService{
			PortName:      aws.String(portName),
			DiscoveryName: aws.String(serviceConnectDiscoveryName(svc.Name, sp, len(svc.Spec.Ports))),
			ClientAliases: []types.ServiceConnectClientAlias{{Port: aws.Int32(sp.Port), DnsName: aws.String(dnsName)}},
		})
	}
	if len(cfg.Services) == 0 {
		return nil, fs
	}
	fs.Add(Join(path, "metadata.name"), Info, "Service Connect answers %q only (one alias per port); clients using %s.<namespace> or the cluster.local name must use %q", dnsName, svc.Name, dnsName)
	if svc.Spec.SessionAffinity == corev1.ServiceAffinityClientIP {
		fs.Add(Join(specPath, "sessionAffinity"), Lossy, "Service Connect balances each request or connection; client IP affinity is lost")
	}
	return cfg, fs
}

// serviceConnectPortName resolves the port mapping name a Service port targets. ok is false
// when the port cannot be used at all.
func serviceConnectPortName(svcName string, sp corev1.ServicePort, ports map[string]types.PortMapping, pp string, fs *Findings) (string, bool) {
	t := resolveTargetPort(sp, ports)
	tpPath := Join(pp, "targetPort")
	if name := aws.ToString(t.mapping.Name); t.found && name != "" {
		return name, true
	}
	switch {
	case !t.found && sp.TargetPort.Type == intstr.String:
		fs.Add(tpPath, Error, "targetPort %q names no container port", sp.TargetPort.StrVal)
		return "", false
	case !t.found:
		name := ServiceConnectPortName(svcName, t.containerPort)
		fs.Add(tpPath, Error, "the container has no port %d; Service Connect needs a port mapping named %q for it", t.containerPort, name)
		return name, true
	}
	name := t.key
	if !ValidECSPortName(name) || cronDigits(name) {
		name = ServiceConnectPortName(svcName, t.containerPort)
	}
	fs.Add(tpPath, Error, "port mapping %d has no name; Service Connect refers to ports by name: name it %q", t.containerPort, name)
	return name, true
}

// serviceConnectDiscoveryName is the Service name, with the port's name (or number) appended when
// the Service has several ports, since each ServiceConnectService registers its own Cloud Map
// service; cut to 64 characters.
func serviceConnectDiscoveryName(svcName string, sp corev1.ServicePort, nPorts int) string {
	name := svcName
	if nPorts > 1 {
		suffix := sp.Name
		if suffix == "" {
			suffix = strconv.Itoa(int(sp.Port))
		}
		name += "-" + suffix
	}
	if len(name) > MaxDiscoveryNameLength {
		name = strings.TrimRight(name[:MaxDiscoveryNameLength], "-")
	}
	return name
}

// LoadBalancersFromService maps a Service's ports to ECS service load balancers: each port whose
// target group ARN is in targetGroupARNs (keyed "<service>:<port>" or "<service>:<port name>"; a
// bare "<service>" key serves the first port without a more specific one, since one target group
// forwards to one port) sends traffic to containerName on the resolved targetPort. ECS
// registers tasks in existing target groups; it creates neither the load balancer nor the group,
// so a LoadBalancer or NodePort Service port without an ARN is reported (a ClusterIP port without
// one is left to Service Connect). path is the Service's path prefix for findings.
func LoadBalancersFromService(svc *corev1.Service, containerName string, ports map[string]types.PortMapping, targetGroupARNs map[string]string, path string) ([]types.LoadBalancer, Findings) {
	if svc == nil || svc.Spec.Type == corev1.ServiceTypeExternalName || svc.Spec.ClusterIP == corev1.ClusterIPNone {
		return nil, nil
	}
	var fs Findings
	specPath := Join(path, "spec")
	external := svc.Spec.Type == corev1.ServiceTypeLoadBalancer || svc.Spec.Type == corev1.ServiceTypeNodePort
	usedWhole := false
	var out []types.LoadBalancer
	for i, sp := range svc.Spec.Ports {
		pp := Index(Join(specPath, "ports"), i)
		arn, ok := targetGroupARNs[svc.Name+":"+strconv.Itoa(int(sp.Port))]
		if !ok && sp.Name != "" {
			arn, ok = targetGroupARNs[svc.Name+":"+sp.Name]
		}
		if !ok && !usedWhole {
			arn, ok = targetGroupARNs[svc.Name]
			usedWhole = ok
		}
		if !ok || arn == "" {
			if external {
				fs.Add(pp, Lossy, "no target group ARN for %s:%d in the configuration; ECS attaches services to existing target groups only, so this port is not exposed", svc.Name, sp.Port)
			}
			continue
		}
		t := resolveTargetPort(sp, ports)
		switch {
		case !t.found && sp.TargetPort.Type == intstr.String:
			fs.Add(Join(pp, "targetPort"), Error, "targetPort %q names no container port", sp.TargetPort.StrVal)
			continue
		case !t.found && len(ports) > 0:
			fs.Add(Join(pp, "targetPort"), Error, "ECS requires the load balancer's containerPort %d among the container's port mappings", t.containerPort)
		}
		if sp.NodePort != 0 {
			fs.Add(Join(pp, "nodePort"), Info, "ECS has no node ports; the target group sends traffic to the task's port %d", t.containerPort)
		}
		out = append(out, types.LoadBalancer{
			TargetGroupArn: aws.String(arn),
			ContainerName:  aws.String(containerName),
			ContainerPort:  aws.Int32(t.containerPort),
		})
	}
	if len(out) == 0 {
		return nil, fs
	}
	if svc.Spec.SessionAffinity == corev1.ServiceAffinityClientIP {
		fs.Add(Join(specPath, "sessionAffinity"), Lossy, "client IP affinity is a target group attribute (stickiness), outside ECS; not carried over")
	}
	if len(svc.Spec.LoadBalancerSourceRanges) > 0 {
		fs.Add(Join(specPath, "loadBalancerSourceRanges"), Lossy, "source ranges belong in the load balancer's security group; not carried over")
	}
	if svc.Spec.ExternalTrafficPolicy == corev1.ServiceExternalTrafficPolicyLocal {
		fs.Add(Join(specPath, "externalTrafficPolicy"), Info, "target groups of type ip send traffic straight to the task, which keeps the client address as Local does")
	}
	return out, fs
}

// ServiceFromServiceConnect builds a ClusterIP Service named name, selecting selector, from an
// ECS service's Service Connect configuration: each ServiceConnectService becomes a port whose
// port is the client alias port and whose targetPort is the port mapping's name (the container
// ports get the same Kubernetes names, see K8sPortName). ports are the task definition's port
// mappings; path is the configuration's path for findings. A client-only configuration (no
// services) gives nil.
func ServiceFromServiceConnect(sc *types.ServiceConnectConfiguration, ports []types.PortMapping, name string, selector map[string]string, path string) (*corev1.Service, Findings) {
	if sc == nil || !sc.Enabled || len(sc.Services) == 0 {
		return nil, nil
	}
	var fs Findings
	svc := newService(name, corev1.ServiceTypeClusterIP, selector)
	for i, s := range sc.Services {
		sp := Index(Join(path, "services"), i)
		portName := aws.ToString(s.PortName)
		pm, found := portMappingByName(ports, portName)
		var port int32
		var dnsName string
		if len(s.ClientAliases) > 0 {
			port, dnsName = aws.ToInt32(s.ClientAliases[0].Port), aws.ToString(s.ClientAliases[0].DnsName)
		}
		if port == 0 {
			if !found {
				fs.Add(Join(sp, "clientAliases"), Error, "no client alias port and no port mapping %q to take one from", portName)
				continue
			}
			port = aws.ToInt32(pm.ContainerPort)
			fs.Add(Join(sp, "clientAliases"), Info, "no client alias port; the Service port is the container port %d", port)
		}
		if dnsName != "" && dnsName != name {
			fs.Add(Join(sp, "clientAliases[0].dnsName"), Info, "clients reached this port as %q; the Kubernetes Service is named %q", dnsName, name)
		}
		k8sName, _ := K8sPortName(portName)
		target := intstr.FromString(k8sName)
		if k8sName == "" {
			if !found {
				fs.Add(Join(sp, "portName"), Error, "port mapping %q is not among the task definition's port mappings", portName)
				continue
			}
			target = intstr.FromInt32(aws.ToInt32(pm.ContainerPort))
		}
		svcPort := corev1.ServicePort{Name: k8sName, Protocol: corev1.ProtocolTCP, Port: port, TargetPort: target}
		if found && strings.EqualFold(string(pm.Protocol), "udp") {
			svcPort.Protocol = corev1.ProtocolUDP
		}
		svc.Spec.Ports = append(svc.Spec.Ports, svcPort)
		if s.IngressPortOverride != nil || s.Timeout != nil || s.Tls != nil {
			fs.Add(sp, Lossy, "ingressPortOverride, timeout and tls are Service Connect proxy settings with no Service field; dropped")
		}
	}
	if len(svc.Spec.Ports) == 0 {
		return nil, fs
	}
	uniquePortNames(svc.Spec.Ports)
	if sc.LogConfiguration != nil || sc.AccessLogConfiguration != nil {
		fs.Add(path, Info, "the Service Connect proxy's log settings have no Kubernetes form; dropped")
	}
	return svc, fs
}

// ServiceFromLoadBalancers builds a LoadBalancer Service named name, selecting selector, from an
// ECS service's load balancers, and returns the target group ARNs keyed "<name>:<port>" as
// LoadBalancersFromService reads them. The Service port is the container port: the listener
// port is a load balancer setting ECS does not know. ports are the task definition's port
// mappings (for port names and protocols); path is the loadBalancers path for findings.
func ServiceFromLoadBalancers(lbs []types.LoadBalancer, ports []types.PortMapping, name string, selector map[string]string, path string) (*corev1.Service, map[string]string, Findings) {
	if len(lbs) == 0 {
		return nil, nil, nil
	}
	var fs Findings
	svc := newService(name, corev1.ServiceTypeLoadBalancer, selector)
	arns := map[string]string{}
	for i, lb := range lbs {
		lp := Index(path, i)
		if lb.ContainerPort == nil {
			fs.Add(Join(lp, "containerPort"), Error, "a load balancer without a containerPort cannot become a Service port")
			continue
		}
		port := aws.ToInt32(lb.ContainerPort)
		if lb.LoadBalancerName != nil {
			fs.Add(Join(lp, "loadBalancerName"), Lossy, "Classic Load Balancer %q: a LoadBalancer Service gets a new load balancer", aws.ToString(lb.LoadBalancerName))
		}
		if lb.AdvancedConfiguration != nil {
			fs.Add(Join(lp, "advancedConfiguration"), Unsupported, "blue/green load balancer settings have no Service equivalent; dropped")
		}
		key := name + ":" + strconv.Itoa(int(port))
		if arn := aws.ToString(lb.TargetGroupArn); arn != "" {
			if prev, dup := arns[key]; dup && prev != arn {
				fs.Add(Join(lp, "targetGroupArn"), Lossy, "a second target group %s on port %d; one Service port keeps %s", arn, port, prev)
			} else {
				arns[key] = arn
			}
		}
		if slicesContainsPort(svc.Spec.Ports, port) {
			continue
		}
		svcPort := corev1.ServicePort{Protocol: corev1.ProtocolTCP, Port: port, TargetPort: intstr.FromInt32(port)}
		if pm, ok := portMappingByPort(ports, port); ok {
			if k8sName, _ := K8sPortName(aws.ToString(pm.Name)); k8sName != "" {
				svcPort.Name, svcPort.TargetPort = k8sName, intstr.FromString(k8sName)
			}
			if strings.EqualFold(string(pm.Protocol), "udp") {
				svcPort.Protocol = corev1.ProtocolUDP
			}
		}
		svc.Spec.Ports = append(svc.Spec.Ports, svcPort)
	}
	if len(svc.Spec.Ports) == 0 {
		return nil, nil, fs
	}
	uniquePortNames(svc.Spec.Ports)
	fs.Add(path, Info, "each Service port is the container port; the load balancer's listener ports are outside ECS")
	if len(arns) == 0 {
		arns = nil
	}
	return svc, arns, fs
}

func newService(name string, typ corev1.ServiceType, selector map[string]string) *corev1.Service {
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       corev1.ServiceSpec{Type: typ, Selector: selector},
	}
}

func portMappingByName(ports []types.PortMapping, name string) (types.PortMapping, bool) {
	for _, pm := range ports {
		if name != "" && aws.ToString(pm.Name) == name {
			return pm, true
		}
	}
	return types.PortMapping{}, false
}

func portMappingByPort(ports []types.PortMapping, port int32) (types.PortMapping, bool) {
	for _, pm := range ports {
		if aws.ToInt32(pm.ContainerPort) == port {
			return pm, true
		}
	}
	return types.PortMapping{}, false
}

func slicesContainsPort(ports []corev1.ServicePort, port int32) bool {
	for _, p := range ports {
		if p.Port == port {
			return true
		}
	}
	return false
}

// uniquePortNames gives every port of a multi-port Service a distinct name, as Kubernetes
// requires: a missing or repeated name becomes "port-<port>".
func uniquePortNames(ports []corev1.ServicePort) {
	if len(ports) < 2 {
		return
	}
	seen := map[string]bool{}
	for i := range ports {
		if ports[i].Name == "" || seen[ports[i].Name] {
			ports[i].Name = fmt.Sprintf("port-%d", ports[i].Port)
		}
		seen[ports[i].Name] = true
	}
}

// TargetGroupHealthCheck holds the health check members of the ELBv2 CreateTargetGroup input
// (botocore elbv2 2015-12-01 names), to be merged into it or applied with ModifyTargetGroup.
type TargetGroupHealthCheck struct {
	HealthCheckProtocol        string              `json:"HealthCheckProtocol,omitempty"`
	HealthCheckPort            string              `json:"HealthCheckPort,omitempty"`
	HealthCheckPath            string              `json:"HealthCheckPath,omitempty"`
	HealthCheckIntervalSeconds int32               `json:"HealthCheckIntervalSeconds,omitempty"`
	HealthCheckTimeoutSeconds  int32               `json:"HealthCheckTimeoutSeconds,omitempty"`
	HealthyThresholdCount      int32               `json:"HealthyThresholdCount,omitempty"`
	UnhealthyThresholdCount    int32               `json:"UnhealthyThresholdCount,omitempty"`
	Matcher                    *TargetGroupMatcher `json:"Matcher,omitempty"`
}

// TargetGroupMatcher is the ELBv2 Matcher shape: the HTTP codes (or gRPC codes) of a healthy reply.
type TargetGroupMatcher struct {
	HttpCode string `json:"HttpCode,omitempty"`
	GrpcCode string `json:"GrpcCode,omitempty"`
}

// ELBv2 target group health check ranges (CreateTargetGroup), the ELB defaults podecs reads
// back when a member is absent (HTTP target groups; TCP and HTTPS time out after 10 s), and the
// codes the kubelet counts as success.
const (
	TargetGroupIntervalMin, TargetGroupIntervalMax, TargetGroupIntervalDefault    = 5, 300, 30
	TargetGroupTimeoutMin, TargetGroupTimeoutMax, TargetGroupTimeoutDefault       = 2, 120, 6
	TargetGroupThresholdMin, TargetGroupThresholdMax                              = 2, 10
	TargetGroupHealthyDefault, TargetGroupUnhealthyDefault, TargetGroupTCPTimeout = 5, 2, 10
	TargetGroupHTTPSuccessCodes                                                   = "200-399"
	TargetGroupGRPCHealthPath                                                     = "/grpc.health.v1.Health/Check"
	TargetGroupGRPCOKCode                                                         = "0"
)

// The ELBv2 health check protocols podecs writes.
const (
	tgProtocolHTTP  = "HTTP"
	tgProtocolHTTPS = "HTTPS"
	tgProtocolTCP   = "TCP"
	tgTrafficPort   = "traffic-port"
)

// TargetGroupHealthCheckFromProbe turns a readiness probe into target group health check
// settings: a load balancer stops sending traffic to an unhealthy target, which is readiness
// semantics. httpGet becomes an HTTP(S) check on the same path and port that accepts 200-399, as
// the kubelet does; tcpSocket a TCP check (NLB target groups only: ELB refuses TCP checks on HTTP
// and HTTPS target groups); grpc a check of grpc.health.v1.Health/Check expecting gRPC status 0,
// which needs a target group with protocol version GRPC. exec has no load balancer form. The
// timings are fitted into the ELB ranges (interval 5-300, timeout 2-120 and below the interval,
// thresholds 2-10): a clamped Kubernetes default is Info, a clamped value the user wrote Lossy.
// ports are the container's ports (to resolve a named port); path is the probe's path.
func TargetGroupHealthCheckFromProbe(p *corev1.Probe, ports []corev1.ContainerPort, path string) (*TargetGroupHealthCheck, Findings) {
	if p == nil {
		return nil, nil
	}
	var fs Findings
	hc := &TargetGroupHealthCheck{}
	switch h := p.ProbeHandler; {
	case h.HTTPGet != nil:
		hp := Join(path, "httpGet")
		port, ok := probeNamedPort(h.HTTPGet.Port, ports, Join(hp, "port"), &fs)
		if !ok {
			return nil, fs
		}
		hc.HealthCheckProtocol = tgProtocolHTTP
		if h.HTTPGet.Scheme == corev1.URISchemeHTTPS {
			hc.HealthCheckProtocol = tgProtocolHTTPS
		}
		hc.HealthCheckPort = strconv.Itoa(int(port))
		hc.HealthCheckPath = h.HTTPGet.Path
		if hc.HealthCheckPath == "" {
			hc.HealthCheckPath = "/"
		}
		hc.Matcher = &TargetGroupMatcher{HttpCode: TargetGroupHTTPSuccessCodes}
		if h.HTTPGet.Host != "" {
			fs.Add(Join(hp, "host"), Lossy, "the load balancer checks the target's address; host %q dropped", h.HTTPGet.Host)
		}
		if len(h.HTTPGet.HTTPHeaders) > 0 {
			fs.Add(Join(hp, "httpHeaders"), Lossy, "target group health checks cannot send custom headers; dropped")
		}
		if h.HTTPGet.Protocol != nil && *h.HTTPGet.Protocol != corev1.HTTPProtocolHTTP1 {
			fs.Add(Join(hp, "protocol"), Info, "%s: set the target group's ProtocolVersion to HTTP2", *h.HTTPGet.Protocol)
		}
	case h.TCPSocket != nil:
		tp := Join(path, "tcpSocket")
		port, ok := probeNamedPort(h.TCPSocket.Port, ports, Join(tp, "port"), &fs)
		if !ok {
			return nil, fs
		}
		hc.HealthCheckProtocol, hc.HealthCheckPort = tgProtocolTCP, strconv.Itoa(int(port))
		fs.Add(tp, Info, "a TCP health check works with TCP, TLS and UDP target groups (NLB) only; an ALB (HTTP/HTTPS) target group needs an HTTP check")
		if h.TCPSocket.Host != "" {
			fs.Add(Join(tp, "host"), Lossy, "the load balancer checks the target's address; host %q dropped", h.TCPSocket.Host)
		}
	case h.GRPC != nil:
		gp := Join(path, "grpc")
		hc.HealthCheckProtocol, hc.HealthCheckPort = tgProtocolHTTP, strconv.Itoa(int(h.GRPC.Port))
		hc.HealthCheckPath = TargetGroupGRPCHealthPath
		hc.Matcher = &TargetGroupMatcher{GrpcCode: TargetGroupGRPCOKCode}
		fs.Add(gp, Lossy, "the target group must use protocol version GRPC; the load balancer checks the call's gRPC status code, not the SERVING status the kubelet requires")
		if h.GRPC.Service != nil && *h.GRPC.Service != "" {
			fs.Add(Join(gp, "service"), Lossy, "a target group health check sends no request body; service %q dropped", *h.GRPC.Service)
		}
	case h.Exec != nil:
		fs.Add(Join(path, "exec"), Unsupported, "a load balancer cannot run a command in the container; the target group keeps its default health check")
		return nil, fs
	default:
		fs.Add(path, Error, "probe has no handler (exec, httpGet, tcpSocket or grpc)")
		return nil, fs
	}
	tgTimings(hc, p, path, &fs)
	return hc, fs
}

// probeNamedPort resolves a probe port: a number as is, a name through the container's ports.
func probeNamedPort(port intstr.IntOrString, ports []corev1.ContainerPort, path string, fs *Findings) (int32, bool) {
	if port.Type == intstr.Int {
		return port.IntVal, true
	}
	for _, cp := range ports {
		if cp.Name == port.StrVal {
			return cp.ContainerPort, true
		}
	}
	fs.Add(path, Error, "port %q names no container port", port.StrVal)
	return 0, false
}

// tgTimings fits the probe timings into the ELB ranges.
func tgTimings(hc *TargetGroupHealthCheck, p *corev1.Probe, path string, fs *Findings) {
	hc.HealthCheckIntervalSeconds = tgTiming(fs, Join(path, "periodSeconds"), p.PeriodSeconds, ProbeDefaultPeriodSeconds, TargetGroupIntervalMin, TargetGroupIntervalMax, "HealthCheckIntervalSeconds")
	hc.HealthCheckTimeoutSeconds = tgTiming(fs, Join(path, "timeoutSeconds"), p.TimeoutSeconds, ProbeDefaultTimeoutSeconds, TargetGroupTimeoutMin, TargetGroupTimeoutMax, "HealthCheckTimeoutSeconds")
	if hc.HealthCheckTimeoutSeconds >= hc.HealthCheckIntervalSeconds {
		fs.Add(Join(path, "timeoutSeconds"), Lossy, "ELB needs the timeout below the interval %d s; set to %d", hc.HealthCheckIntervalSeconds, hc.HealthCheckIntervalSeconds-1)
		hc.HealthCheckTimeoutSeconds = hc.HealthCheckIntervalSeconds - 1
	}
	hc.HealthyThresholdCount = tgTiming(fs, Join(path, "successThreshold"), p.SuccessThreshold, ProbeDefaultSuccessThreshold, TargetGroupThresholdMin, TargetGroupThresholdMax, "HealthyThresholdCount")
	hc.UnhealthyThresholdCount = tgTiming(fs, Join(path, "failureThreshold"), p.FailureThreshold, ProbeDefaultFailureThreshold, TargetGroupThresholdMin, TargetGroupThresholdMax, "UnhealthyThresholdCount")
	if p.InitialDelaySeconds > 0 {
		fs.Add(Join(path, "initialDelaySeconds"), Info, "target groups have no initial delay; the ECS service's healthCheckGracePeriodSeconds (%d) ignores failed checks after a task starts", p.InitialDelaySeconds)
	}
}

// tgTiming clamps one value: a Kubernetes default outside the range is Info, a user value Lossy.
func tgTiming(fs *Findings, fieldPath string, v, def int32, lo, hi int64, elbField string) int32 {
	level, src := Lossy, v
	if v == 0 {
		level, src = Info, def
	}
	out := probeClamp(int64(src), lo, hi)
	if out != int64(src) {
		what := "%d"
		if level == Info {
			what = "the Kubernetes default %d"
		}
		fs.Add(fieldPath, level, what+" is outside the ELB %s range %d-%d; set to %d", src, elbField, lo, hi, out)
	}
	return int32(out)
}

// ProbeFromTargetGroupHealthCheck is the inverse: target group health check settings become a
// readiness probe. A "traffic-port" (or absent) HealthCheckPort is trafficPort, the container
// port the load balancer sends traffic to; absent timings take the ELB defaults for HTTP target
// groups (interval 30 s, timeout 6 s, or 10 s for TCP and HTTPS, 5 healthy, 2 unhealthy). A
// matcher other than 200-399 cannot be said in a probe and is reported.
func ProbeFromTargetGroupHealthCheck(hc *TargetGroupHealthCheck, trafficPort int32, path string) (*corev1.Probe, Findings) {
	if hc == nil {
		return nil, nil
	}
	var fs Findings
	port := trafficPort
	if hc.HealthCheckPort != "" && hc.HealthCheckPort != tgTrafficPort {
		n, err := strconv.Atoi(hc.HealthCheckPort)
		if err != nil || n <= 0 || n > 65535 {
			fs.Add(Join(path, "HealthCheckPort"), Error, "%q is not a port", hc.HealthCheckPort)
			return nil, fs
		}
		port = int32(n)
	}
	if port == 0 {
		fs.Add(Join(path, "HealthCheckPort"), Error, "the health check uses the traffic port, which is not known")
		return nil, fs
	}
	probe := &corev1.Probe{}
	timeoutDefault := int32(TargetGroupTimeoutDefault)
	protocol := hc.HealthCheckProtocol
	if protocol == "" {
		protocol = tgProtocolHTTP
	}
	switch {
	case hc.Matcher != nil && hc.Matcher.GrpcCode != "":
		probe.GRPC = &corev1.GRPCAction{Port: port}
		fs.Add(Join(path, "Matcher.GrpcCode"), Lossy, "a gRPC health check becomes a grpc probe of the standard health service; path %q and codes %q dropped", hc.HealthCheckPath, hc.Matcher.GrpcCode)
	case protocol == tgProtocolHTTP || protocol == tgProtocolHTTPS:
		get := &corev1.HTTPGetAction{Path: hc.HealthCheckPath, Port: intstr.FromInt32(port)}
		if get.Path == "" {
			get.Path = "/"
		}
		if protocol == tgProtocolHTTPS {
			get.Scheme = corev1.URISchemeHTTPS
			timeoutDefault = TargetGroupTCPTimeout
		}
		probe.HTTPGet = get
		if hc.Matcher != nil && hc.Matcher.HttpCode != "" && hc.Matcher.HttpCode != TargetGroupHTTPSuccessCodes {
			fs.Add(Join(path, "Matcher.HttpCode"), Lossy, "the kubelet counts 200-399 as healthy; codes %q cannot be kept", hc.Matcher.HttpCode)
		}
	case protocol == tgProtocolTCP:
		probe.TCPSocket = &corev1.TCPSocketAction{Port: intstr.FromInt32(port)}
		timeoutDefault = TargetGroupTCPTimeout
	default:
		fs.Add(Join(path, "HealthCheckProtocol"), Unsupported, "%s health checks have no probe form", protocol)
		return nil, fs
	}
	probe.PeriodSeconds = tgOr(hc.HealthCheckIntervalSeconds, TargetGroupIntervalDefault)
	probe.TimeoutSeconds = tgOr(hc.HealthCheckTimeoutSeconds, timeoutDefault)
	probe.SuccessThreshold = tgOr(hc.HealthyThresholdCount, TargetGroupHealthyDefault)
	probe.FailureThreshold = tgOr(hc.UnhealthyThresholdCount, TargetGroupUnhealthyDefault)
	return probe, fs
}

func tgOr(v, def int32) int32 {
	if v == 0 {
		return def
	}
	return v
}
