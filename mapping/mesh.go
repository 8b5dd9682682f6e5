package mapping

import (
	"slices"
	"strings"
)

// A service mesh's injector adds an init container that redirects the pod's traffic (iptables,
// which needs NET_ADMIN) and a proxy container to every pod it meshes. The proxy needs the mesh's
// control plane, which ECS does not run, and the init container would send the task's traffic to
// it: podecs converts the pod as it was before injection and reports, once per workload, that the
// mesh's traffic policy is lost.

// Mesh describes what one mesh's injector adds to a pod, by the names the injector gives it.
type Mesh struct {
	Name string
	// Marker is the pod annotation the injector sets on every pod it injects.
	Marker string
	// Proxy is the name of the proxy container (a container, or a native sidecar).
	Proxy string
	// Containers are the names of every container the injector may add: init containers, the
	// proxy, debug containers.
	Containers []string
	// Labels are the pod labels the injector adds (a key ending in "-" is a prefix): they are not
	// carried as tags.
	Labels []string
	// Requests are the pod annotations or labels that ask for injection, with the values that do
	// (none: any value).
	Requests []MeshRequest
	// RewritesProbes: the injector points the app's probes at its agent (istio), keeping the
	// originals in IstioProbersEnv.
	RewritesProbes bool
}

// Meshes are the meshes whose injected pods podecs recognises.
var Meshes = []Mesh{
	{
		Name: "linkerd", Marker: "linkerd.io/proxy-version", Proxy: "linkerd-proxy",
		// linkerd-init sets up iptables; with the CNI plugin linkerd-network-validator checks the
		// plugin's rules instead; linkerd-debug is the optional debug sidecar.
		Containers: []string{"linkerd-init", "linkerd-network-validator", "linkerd-proxy", "linkerd-debug"},
		// linkerd.io/proxy-deployment, linkerd.io/proxy-statefulset, … name the owner.
		Labels:   []string{"linkerd.io/control-plane-ns", "linkerd.io/workload-ns", "linkerd.io/proxy-"},
		Requests: []MeshRequest{{"linkerd.io/inject", []string{"enabled", "ingress"}}},
	},
	{
		Name: "istio", Marker: "sidecar.istio.io/status", Proxy: "istio-proxy",
		// istio-init sets up iptables; with the CNI plugin istio-validation checks its rules.
		Containers:     []string{"istio-init", "istio-validation", "istio-proxy"},
		Labels:         []string{"security.istio.io/tlsMode", "service.istio.io/canonical-name", "service.istio.io/canonical-revision"},
		Requests:       []MeshRequest{{"sidecar.istio.io/inject", []string{"true"}}, {"istio.io/rev", nil}},
		RewritesProbes: true,
	},
}

// MeshRequest is a pod annotation or label that asks a mesh to inject its proxy.
type MeshRequest struct {
	Key string
	// Values are the values that ask for injection; none: any value but the empty one.
	Values []string
}

// Asks reports whether value v of the request's key asks for injection.
func (r MeshRequest) Asks(v string) bool {
	if len(r.Values) == 0 {
		return v != ""
	}
	return slices.Contains(r.Values, strings.ToLower(v))
}

// IsLabel reports whether a pod label key is one the mesh's injector adds.
func (m Mesh) IsLabel(key string) bool {
	return slices.ContainsFunc(m.Labels, func(l string) bool {
		if prefix, ok := strings.CutSuffix(l, "-"); ok {
			return strings.HasPrefix(key, prefix+"-")
		}
		return key == l
	})
}

// IstioProbePort is the istio agent's status port, to which istio rewrites the app's probes.
const IstioProbePort = 15020

// IstioProbersEnv is the environment variable of istio-proxy that holds the app's original probes.
const IstioProbersEnv = "ISTIO_KUBE_APP_PROBERS"

// IstioProbePath is the path istio rewrites a container's probe to: /app-health/CONTAINER/livez,
// readyz or startupz, the key of the original in IstioProbersEnv.
func IstioProbePath(container, kind string) string {
	return "/app-health/" + container + "/" + kind
}

// ListNames writes names as "a, b and c".
func ListNames(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// MeshRules is the table of what podecs does with a pod a mesh injected (see Meshes). Paths are
// those of the pod template, as in PodRules.
var MeshRules = []ServiceRule{
	svcRule(nil, drop("spec.initContainers[].name linkerd-init, linkerd-network-validator, linkerd-proxy", Lossy,
		"not carried when linkerd injected the pod (the linkerd.io/proxy-version annotation, or a linkerd-proxy container): linkerd-init sets up iptables (NET_ADMIN, which Fargate refuses), linkerd-network-validator checks the CNI plugin's rules, and the proxy is an init container in native-sidecar mode. One lossy finding per workload, at the proxy, says the mesh's traffic policy is lost and points to Service Connect; on both launch types, as the proxy needs linkerd's control plane")),
	svcRule(nil, drop("spec.containers[].name linkerd-proxy, linkerd-debug", Lossy,
		"the proxy (first among the containers by default) and the debug sidecar: not carried, with the same finding")),
	svcRule(nil, drop("spec.initContainers[].name istio-init, istio-validation, istio-proxy", Lossy,
		"not carried when istio injected the pod (the sidecar.istio.io/status annotation, whose JSON lists what it added, or an istio-proxy container): istio-init sets up iptables (NET_ADMIN), istio-validation checks the CNI plugin's rules, and istio-proxy is an init container with native sidecars. One lossy finding per workload, at the proxy, as for linkerd")),
	svcRule(nil, drop("spec.containers[].name istio-proxy", Lossy, "the proxy: not carried, with the same finding")),
	svcRule(nil, drop("spec.volumes", Lossy,
		"the volumes only the mesh's containers mount, and those sidecar.istio.io/status lists that no other container mounts, go with them; so do the image pull secrets it lists, and the labels the injector gives a Pod (linkerd.io/control-plane-ns, linkerd.io/proxy-KIND, security.istio.io/tlsMode, service.istio.io/canonical-name, …), which would become tags")),
	svcRule(nil, svcLevel(mapped("spec.containers[].livenessProbe.httpGet.path /app-health", "containerDefinitions[].healthCheck",
		"istio points the app's liveness, readiness and startup probes at its agent (/app-health/CONTAINER/livez, readyz, startupz on port 15020) and keeps the originals in istio-proxy's ISTIO_KUBE_APP_PROBERS: podecs restores them (HTTP, TCP or gRPC), so the health check probes the app itself; a rewritten probe without its original is dropped (lossy)"), Lossy)),
	svcRule(nil, drop("metadata.annotations linkerd.io/inject, sidecar.istio.io/inject", Lossy,
		"a pod that asks for injection and is not injected (linkerd.io/inject enabled or ingress; sidecar.istio.io/inject true or an istio.io/rev revision, as annotation or label) gets the same finding at that field: on ECS it runs without the mesh")),
	svcRule(nil, svcLevel(mapped("spec.initContainers[].securityContext.capabilities.add NET_ADMIN", "linuxParameters.capabilities.add",
		"in an init container that is not the mesh's, NET_ADMIN is carried on EC2 and stays an error on Fargate (auto converts the workload for EC2)"), Error)),
}
