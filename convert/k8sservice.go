package convert

import (
	"bytes"
	"errors"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	kjson "sigs.k8s.io/json"

	"github.com/podecs/podecs/mapping"
)

// A Kubernetes Service that selects the pods of a Deployment, StatefulSet or ReplicaSet sets the
// networking of that workload's ECS service: a ClusterIP Service becomes Service Connect, a
// LoadBalancer or NodePort Service the service's loadBalancers (target groups from --config).
// The Services may come in any file of the input; they are matched by selector and namespace.

// MaxServiceTargetGroups is the number of target groups ECS attaches to one service.
const MaxServiceTargetGroups = 5

// indexedService is a Service of the input with the document it came from. A batch may index
// tens of thousands: it keeps what matching needs and the Service's JSON, decoded again for each
// workload it selects, not the decoded object.
type indexedService struct {
	ref       DocRef
	pos       int    // position among the Services of the input
	namespace string // with the default filled in
	typ       corev1.ServiceType
	selector  map[string]string
	raw       []byte
}

// newIndexedService indexes a decoded Service and the JSON it was decoded from.
func newIndexedService(o *corev1.Service, raw []byte, ref DocRef, pos int) *indexedService {
	return &indexedService{ref: ref, pos: pos, namespace: nsOf(o.Namespace), typ: o.Spec.Type, selector: o.Spec.Selector, raw: bytes.Clone(raw)}
}

// service decodes the Service again. Its document decoded once without error, so it does again.
func (s *indexedService) service() *corev1.Service {
	o := &corev1.Service{}
	_ = kjson.UnmarshalCaseSensitivePreserveInts(s.raw, o)
	return o
}

// addService decodes and indexes a Service.
func (ix *Index) addService(doc Document) (mapping.Findings, error) {
	o := &corev1.Service{}
	fs, err := decodeStrict(doc, o)
	if err != nil {
		return fs, err
	}
	if o.Name == "" {
		return fs, &DocError{Path: "metadata.name", Err: errors.New("missing: a Service needs a name")}
	}
	ref := doc.DocRef
	ref.Kind, ref.Name = "Service", o.Name
	ix.services = append(ix.services, newIndexedService(o, doc.JSON, ref, len(ix.services)))
	return fs, nil
}

// servedKind reports whether a workload kind becomes a REPLICA service that Services and
// autoscalers apply to.
func servedKind(kind string) bool {
	return kind == "Deployment" || kind == "StatefulSet" || kind == "ReplicaSet"
}

// selects reports whether a Service selects a workload's pods: same namespace, and every
// selector label on the pod template. An empty selector selects nothing (hand-made endpoints).
func (s *indexedService) selects(r workloadRef) bool {
	sel := s.selector
	if len(sel) == 0 || s.namespace != r.namespace {
		return false
	}
	for k, v := range sel {
		if got, ok := r.labels.Get(k); !ok || got != v {
			return false
		}
	}
	return true
}

// selectsAny reports whether the Service selects a workload of the input.
func (ix *Index) selectsAny(s *indexedService) bool {
	return ix.links().selected[s] || ix.notes.has(s)
}

// owner returns the workload whose ECS service gets the Service: the first Deployment,
// StatefulSet or ReplicaSet of the input it selects. An ECS service owns its Service Connect
// discovery name and target groups; several workloads behind one Service cannot share them. When
// the workloads of the input are not recorded, w is the owner.
func (ix *Index) owner(s *indexedService, w workloadRef) workloadRef {
	if i, ok := ix.links().owner[s]; ok {
		return ix.workloadRefs[i]
	}
	return w
}

// serviceNet is what the Services selecting a workload add to its ECS service.
type serviceNet struct {
	connect *types.ServiceConnectConfiguration
	lbs     []types.LoadBalancer
	grace   *int32
}

// apply sets the networking on the converted service.
func (n serviceNet) apply(svc *ecs.CreateServiceInput) {
	if svc == nil {
		return
	}
	if n.connect != nil {
		svc.ServiceConnectConfiguration = n.connect
	}
	if len(n.lbs) > 0 {
		svc.LoadBalancers = n.lbs
	}
	if n.grace != nil {
		svc.HealthCheckGracePeriodSeconds = n.grace
	}
}

// serviceNetwork applies the Services that select w to its task definition (the port mappings
// Service Connect and the load balancers need) and returns what they add to its ECS service, with
// the findings about the workload. Findings about a Service's own fields go to the index's notes,
// to be reported under the Service's document. It runs before the podecs.io/ annotations are
// applied, so that a manifest converted from ECS restores the original ports and networking.
func (ix *Index) serviceNetwork(w *Workload, td *ecs.RegisterTaskDefinitionInput, cfg Config) (serviceNet, mapping.Findings) {
	var net serviceNet
	var fs mapping.Findings
	if td == nil {
		return net, nil
	}
	tp := newTaskPorts(td)
	ref := refOf(w)
	for _, s := range ix.links().selecting(ref) {
		var notes mapping.Findings
		switch owner := ix.owner(s, ref); {
		case !servedKind(w.Kind):
			notes.Add("spec.selector", mapping.Info, "selects the pods of %s %q, which has no ECS service; Service Connect and load balancers belong to the services of Deployments, StatefulSets and ReplicaSets", w.Kind, w.Meta.Name)
		case !owner.same(ref):
			notes.Add("spec.selector", mapping.Lossy, "also selects the pods of %s %q; an ECS service owns its Service Connect name and target groups, so only %s %q gets this Service", w.Kind, w.Meta.Name, owner.kind, owner.name)
		case s.typ == corev1.ServiceTypeLoadBalancer || s.typ == corev1.ServiceTypeNodePort:
			svc := s.service()
			fs = append(fs, tp.prepare(w, svc, false)...)
			lbs, lfs := mapping.LoadBalancersFromService(svc, tp.firstApp(), tp.mappings(), targetGroupsFor(cfg, svc), "")
			notes = append(notes, lfs...)
			for _, lb := range lbs {
				lb.ContainerName = aws.String(tp.containerOf(aws.ToInt32(lb.ContainerPort)))
				if len(net.lbs) == MaxServiceTargetGroups {
					notes.Add("spec.ports", mapping.Lossy, "ECS attaches at most %d target groups to a service; %s dropped", MaxServiceTargetGroups, aws.ToString(lb.TargetGroupArn))
					continue
				}
				net.lbs = append(net.lbs, lb)
			}
			if len(lbs) > 0 && td.NetworkMode == types.NetworkModeAwsvpc {
				notes.Add("spec.type", mapping.Info, "awsvpc tasks register by IP address: the target groups must have target type ip")
			}
		default:
			svc := s.service()
			fs = append(fs, tp.prepare(w, svc, true)...)
			sc, sfs := mapping.ServiceConnectFromService(svc, tp.mappings(), cfg.ServiceConnectNamespace, "")
			notes = append(notes, sfs...)
			if sc == nil {
				break
			}
			if net.connect == nil {
				net.connect = sc
			} else {
				net.connect.Services = append(net.connect.Services, sc.Services...)
			}
		}
		ix.addNote(s, w, notes)
	}
	if net.connect != nil && cfg.ServiceConnectNamespace == "" {
		fs.Add("config.serviceConnectNamespace", mapping.Info, "no serviceConnectNamespace in --config: the service joins its cluster's default Service Connect namespace, which the cluster must have")
	}
	if len(net.lbs) > 0 {
		net.grace = readinessGrace(w, aws.ToString(net.lbs[0].ContainerName))
	}
	return net, fs
}

// readinessGrace is the initial delay of the load-balanced container's readiness probe: ECS
// ignores failed load balancer health checks for healthCheckGracePeriodSeconds after a task starts,
// as the kubelet waits initialDelaySeconds before the first readiness check.
func readinessGrace(w *Workload, container string) *int32 {
	for _, c := range w.Template.Spec.Containers {
		if c.Name == container && c.ReadinessProbe != nil && c.ReadinessProbe.InitialDelaySeconds > 0 {
			return aws.Int32(c.ReadinessProbe.InitialDelaySeconds)
		}
	}
	return nil
}

// targetGroupsFor picks the target group ARNs of --config that apply to a Service, keyed as
// mapping.LoadBalancersFromService reads them: "namespace/…" keys of the Service's namespace win
// over unprefixed ones.
func targetGroupsFor(cfg Config, svc *corev1.Service) map[string]string {
	out := map[string]string{}
	prefix := nsOf(svc.Namespace) + "/"
	for _, k := range sortedKeys(cfg.TargetGroups) {
		if !strings.Contains(k, "/") {
			out[k] = cfg.TargetGroups[k]
		}
	}
	for _, k := range sortedKeys(cfg.TargetGroups) {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			out[rest] = cfg.TargetGroups[k]
		}
	}
	return out
}

// portRef locates a port mapping in a task definition.
type portRef struct{ def, pm int }

// taskPorts indexes a task definition's port mappings the way the Service rules look them up:
// by name, or by container port number for an unnamed mapping. Port names are unique within a
// pod, and one network namespace holds each port number once.
type taskPorts struct {
	td   *ecs.RegisterTaskDefinitionInput
	keys map[string]portRef
}

func newTaskPorts(td *ecs.RegisterTaskDefinitionInput) *taskPorts {
	t := &taskPorts{td: td, keys: map[string]portRef{}}
	for i, def := range td.ContainerDefinitions {
		for j := range def.PortMappings {
			t.index(portRef{i, j})
		}
	}
	return t
}

func (t *taskPorts) pm(r portRef) *types.PortMapping {
	return &t.td.ContainerDefinitions[r.def].PortMappings[r.pm]
}

func (t *taskPorts) index(r portRef) {
	pm := t.pm(r)
	key := aws.ToString(pm.Name)
	if key == "" {
		key = strconv.Itoa(int(aws.ToInt32(pm.ContainerPort)))
	}
	if _, dup := t.keys[key]; !dup {
		t.keys[key] = r
	}
}

// mappings returns the port mappings by key, as the mapping rules take them.
func (t *taskPorts) mappings() map[string]types.PortMapping {
	out := make(map[string]types.PortMapping, len(t.keys))
	for k, r := range t.keys {
		out[k] = *t.pm(r)
	}
	return out
}

// find resolves a Service port's targetPort: a name by key or mapping name, a number (unset: the
// Service port) by container port.
func (t *taskPorts) find(sp corev1.ServicePort) (portRef, bool) {
	keys := make([]string, 0, len(t.keys))
	for k := range t.keys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if sp.TargetPort.Type == intstr.String {
		if r, ok := t.keys[sp.TargetPort.StrVal]; ok {
			return r, true
		}
		for _, k := range keys {
			if aws.ToString(t.pm(t.keys[k]).Name) == sp.TargetPort.StrVal {
				return t.keys[k], true
			}
		}
		return portRef{}, false
	}
	port := targetNumber(sp)
	for _, k := range keys {
		if aws.ToInt32(t.pm(t.keys[k]).ContainerPort) == port {
			return t.keys[k], true
		}
	}
	return portRef{}, false
}

func targetNumber(sp corev1.ServicePort) int32 {
	if sp.TargetPort.Type == intstr.Int && sp.TargetPort.IntVal != 0 {
		return sp.TargetPort.IntVal
	}
	return sp.Port
}

// firstAppIndex is the index of the first essential container: the one that gets the ports a
// Service sends traffic to and no container declares.
func (t *taskPorts) firstAppIndex() int {
	for i, def := range t.td.ContainerDefinitions {
		if aws.ToBool(def.Essential) {
			return i
		}
	}
	return 0
}

// firstApp names the first essential container.
func (t *taskPorts) firstApp() string {
	if len(t.td.ContainerDefinitions) == 0 {
		return ""
	}
	return aws.ToString(t.td.ContainerDefinitions[t.firstAppIndex()].Name)
}

// containerOf names the container that has a port mapping for port.
func (t *taskPorts) containerOf(port int32) string {
	for _, def := range t.td.ContainerDefinitions {
		for _, pm := range def.PortMappings {
			if aws.ToInt32(pm.ContainerPort) == port {
				return aws.ToString(def.Name)
			}
		}
	}
	return t.firstApp()
}

// prepare makes the task definition ready for a Service: a numeric targetPort that no container
// declares gets a port mapping on the first app container (Kubernetes forwards to any port the
// process listens on, ECS only to mapped ones), and for Service Connect, which refers to ports by
// name, every unnamed port mapping a Service port targets is named with mapping.ServiceConnectPortName.
func (t *taskPorts) prepare(w *Workload, svc *corev1.Service, connect bool) mapping.Findings {
	var fs mapping.Findings
	if len(t.td.ContainerDefinitions) == 0 {
		return nil
	}
	for _, sp := range svc.Spec.Ports {
		if sp.Protocol == corev1.ProtocolSCTP {
			continue
		}
		r, ok := t.find(sp)
		if !ok {
			if sp.TargetPort.Type == intstr.String {
				continue // the rule reports the unknown name
			}
			r = t.addPort(sp)
			fs.Add(containerPortsPath(w, r.def), mapping.Info, "Service %q sends port %d to container port %d, which no container declares; ECS forwards only to mapped ports, so a port mapping is added to container %q", svc.Name, sp.Port, targetNumber(sp), aws.ToString(t.td.ContainerDefinitions[r.def].Name))
		}
		pm := t.pm(r)
		if !connect || aws.ToString(pm.Name) != "" {
			continue
		}
		name := mapping.ServiceConnectPortName(svc.Name, aws.ToInt32(pm.ContainerPort))
		pm.Name = aws.String(name)
		t.keys[name] = r
		fs.Add(containerPortsPath(w, r.def), mapping.Info, "port %d has no name; Service Connect (Service %q) refers to ports by name, so it is named %q in the task definition", aws.ToInt32(pm.ContainerPort), svc.Name, name)
	}
	return fs
}

// addPort adds the targetPort of a Service port to the first app container.
func (t *taskPorts) addPort(sp corev1.ServicePort) portRef {
	i := t.firstAppIndex()
	pm := types.PortMapping{ContainerPort: aws.Int32(targetNumber(sp)), Protocol: types.TransportProtocolTcp}
	if sp.Protocol == corev1.ProtocolUDP {
		pm.Protocol = types.TransportProtocolUdp
	}
	def := &t.td.ContainerDefinitions[i]
	def.PortMappings = append(def.PortMappings, pm)
	r := portRef{i, len(def.PortMappings) - 1}
	t.index(r)
	return r
}

// containerPortsPath is the path of the ports of the container behind container definition i:
// init containers come first in a task definition.
func containerPortsPath(w *Workload, i int) string {
	spec := w.Template.Spec
	p := mapping.Index("spec.containers", i-len(spec.InitContainers))
	if i < len(spec.InitContainers) {
		p = mapping.Index("spec.initContainers", i)
	}
	return mapping.Join(w.TemplatePath, p+".ports")
}

// targetGroup sets out.TargetGroup when the service registers its tasks in target groups: the
// readiness probe of the load-balanced container becomes the target group's health check, since
// a load balancer stops sending traffic to an unhealthy target, as Kubernetes stops sending
// traffic to an unready pod. The target groups themselves live outside ECS; N.targetgroup.json
// holds the settings to give them.
func targetGroup(out *Output, w *Workload) mapping.Findings {
	if out.Service == nil || len(out.Service.LoadBalancers) == 0 {
		return nil
	}
	name := aws.ToString(out.Service.LoadBalancers[0].ContainerName)
	for i, c := range w.Template.Spec.Containers {
		if c.Name != name {
			continue
		}
		p := mapping.Join(w.TemplatePath, mapping.Index("spec.containers", i)+".readinessProbe")
		if c.ReadinessProbe == nil {
			var fs mapping.Findings
			fs.Add(p, mapping.Info, "container %q has no readinessProbe: the target groups keep their own health check settings", name)
			return fs
		}
		hc, fs := mapping.TargetGroupHealthCheckFromProbe(c.ReadinessProbe, c.Ports, p)
		out.TargetGroup = hc
		return fs
	}
	return nil
}
