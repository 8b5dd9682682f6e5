package convert

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
	corev1 "k8s.io/api/core/v1"

	"github.com/podecs/podecs/mapping"
)

// A pod that linkerd or istio injected converts as it was before injection (see mapping.Meshes):
// the mesh's init, proxy and debug containers, the volumes only they mount, and for istio the image
// pull secrets its status annotation lists are not carried; the probes istio rewrote to its agent
// get their originals back. On both launch types: the proxy cannot work without the mesh's control
// plane, and the init container would send the task's traffic to it. Findings keep naming the
// fields of the manifest as it is.

// uninjection is what converting a workload as it was before injection took away.
type uninjection struct {
	mesh mapping.Mesh
	// tp is the pod template's path in the workload ("" for a Pod).
	tp string
	// path is where the finding about the mesh goes: the proxy container (or the first container
	// removed), or for a pod that only asks for injection the annotation that asks.
	path string
	// containers and volumes name what was removed, in manifest order; none for a request.
	containers, volumes []string
	// index maps each list of the converted pod spec to the positions its items have in the
	// manifest: index["containers"][1] == 2 when the second container left is the third one there.
	index map[string][]int
	// probes are the findings about the probes istio rewrote; restored counts those restored.
	probes   mapping.Findings
	restored int
}

// istioStatus is the JSON of the sidecar.istio.io/status annotation: what the injector added.
type istioStatus struct {
	InitContainers   []string `json:"initContainers"`
	Containers       []string `json:"containers"`
	Volumes          []string `json:"volumes"`
	ImagePullSecrets []string `json:"imagePullSecrets"`
}

// istioProber is one original probe in ISTIO_KUBE_APP_PROBERS.
type istioProber struct {
	HTTPGet   *corev1.HTTPGetAction   `json:"httpGet,omitempty"`
	TCPSocket *corev1.TCPSocketAction `json:"tcpSocket,omitempty"`
	GRPC      *corev1.GRPCAction      `json:"grpc,omitempty"`
}

// uninject returns the workload with its pod template as it was before a mesh injected it, and
// what that took away; w itself and nil when no mesh injected it (or when nothing of the pod would
// be left, as in a mesh's own gateway, whose proxy is the workload). A pod that only asks for
// injection comes back as it is, with an uninjection that names the request.
func uninject(w *Workload) (*Workload, *uninjection) {
	for _, m := range mapping.Meshes {
		if u, tmpl := uninjectMesh(w, m); u != nil {
			out := *w
			out.Template = *tmpl
			out.Template.Labels = withoutMeshLabels(tmpl.Labels, m)
			if w.Kind == "Pod" { // the injector labelled the pod itself, whose labels become tags
				out.Meta.Labels = withoutMeshLabels(w.Meta.Labels, m)
			}
			return &out, u
		}
	}
	for _, m := range mapping.Meshes {
		if p := injectionRequest(w, m); p != "" {
			return w, &uninjection{mesh: m, tp: w.TemplatePath, path: p}
		}
	}
	return w, nil
}

// withoutMeshLabels is labels without those m's injector adds (a copy when it removes any).
func withoutMeshLabels(labels map[string]string, m mapping.Mesh) map[string]string {
	var out map[string]string
	for k, v := range labels {
		if m.IsLabel(k) {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[k] = v
	}
	if len(out) == len(labels) {
		return labels
	}
	return out
}

// injectionRequest is the path of the annotation or label of the pod template that asks m to
// inject its proxy; "" when there is none.
func injectionRequest(w *Workload, m mapping.Mesh) string {
	for _, r := range m.Requests {
		for _, f := range []struct {
			field string
			m     map[string]string
		}{{"annotations", w.Template.Annotations}, {"labels", w.Template.Labels}} {
			if v, ok := f.m[r.Key]; ok && r.Asks(v) {
				return mapping.Join(w.TemplatePath, "metadata."+f.field+"["+strconv.Quote(r.Key)+"]")
			}
		}
	}
	return ""
}

// uninjectMesh removes what m injected into w's pod template, if m injected it: a copy of the
// template and what was removed, or nil.
func uninjectMesh(w *Workload, m mapping.Mesh) (*uninjection, *corev1.PodTemplateSpec) {
	spec := &w.Template.Spec
	if _, marked := w.Template.Annotations[m.Marker]; !marked && !hasContainer(spec, m.Proxy) {
		return nil, nil
	}
	names := slices.Clone(m.Containers)
	var status istioStatus
	if raw, ok := w.Template.Annotations[m.Marker]; ok && strings.HasPrefix(strings.TrimSpace(raw), "{") {
		// A status that does not parse leaves the container names to go by.
		_ = json.Unmarshal([]byte(raw), &status)
		names = append(append(names, status.InitContainers...), status.Containers...)
	}
	injected := func(c corev1.Container) bool { return slices.Contains(names, c.Name) }
	if !slices.ContainsFunc(spec.Containers, injected) && !slices.ContainsFunc(spec.InitContainers, injected) {
		return nil, nil
	}
	if !slices.ContainsFunc(spec.Containers, func(c corev1.Container) bool { return !injected(c) }) {
		return nil, nil // nothing but the mesh: its own gateway or proxy
	}
	u := &uninjection{mesh: m, tp: w.TemplatePath, index: map[string][]int{}}
	tmpl := w.Template.DeepCopy()
	out := &tmpl.Spec
	u.path = u.proxyPath(spec, injected)
	if m.RewritesProbes {
		u.probes, u.restored = restoreIstioProbes(out, spec, injected, u.tp)
	}

	used, usedByMesh := map[string]bool{}, map[string]bool{}
	keep := func(field string, list []corev1.Container) []corev1.Container {
		var kept []corev1.Container
		for i, c := range list {
			mounts := usedByMesh
			if injected(c) {
				u.containers = append(u.containers, c.Name)
			} else {
				mounts = used
				kept = append(kept, c)
				u.index[field] = append(u.index[field], i)
			}
			for _, vm := range c.VolumeMounts {
				mounts[vm.Name] = true
			}
			for _, vd := range c.VolumeDevices {
				mounts[vd.Name] = true
			}
		}
		return kept
	}
	out.InitContainers = keep("initContainers", out.InitContainers)
	out.Containers = keep("containers", out.Containers)
	var vols []corev1.Volume
	for i, v := range out.Volumes {
		if !used[v.Name] && (usedByMesh[v.Name] || slices.Contains(status.Volumes, v.Name)) {
			u.volumes = append(u.volumes, v.Name)
			continue
		}
		vols = append(vols, v)
		u.index["volumes"] = append(u.index["volumes"], i)
	}
	out.Volumes = vols
	var secrets []corev1.LocalObjectReference
	for i, s := range out.ImagePullSecrets {
		if slices.Contains(status.ImagePullSecrets, s.Name) {
			continue
		}
		secrets = append(secrets, s)
		u.index["imagePullSecrets"] = append(u.index["imagePullSecrets"], i)
	}
	out.ImagePullSecrets = secrets
	return u, tmpl
}

func hasContainer(spec *corev1.PodSpec, name string) bool {
	is := func(c corev1.Container) bool { return c.Name == name }
	return slices.ContainsFunc(spec.Containers, is) || slices.ContainsFunc(spec.InitContainers, is)
}

// proxyPath is the manifest path of the mesh's proxy container, else of the first container the
// mesh injected.
func (u *uninjection) proxyPath(spec *corev1.PodSpec, injected func(corev1.Container) bool) string {
	first := ""
	for _, l := range []struct {
		field string
		list  []corev1.Container
	}{{"initContainers", spec.InitContainers}, {"containers", spec.Containers}} {
		for i, c := range l.list {
			p := mapping.Join(u.tp, mapping.Index("spec."+l.field, i))
			if c.Name == u.mesh.Proxy {
				return p
			}
			if first == "" && injected(c) {
				first = p
			}
		}
	}
	return first
}

// restoreIstioProbes puts back, in out, the probes istio rewrote to its agent
// (/app-health/CONTAINER/livez on port 15020) from the ISTIO_KUBE_APP_PROBERS variable of the
// injected proxy in the manifest's spec; a rewritten probe without its original is dropped, with a
// finding. It returns the findings and the number of probes restored.
func restoreIstioProbes(out, spec *corev1.PodSpec, injected func(corev1.Container) bool, tp string) (mapping.Findings, int) {
	probers, known := istioProbers(spec, injected)
	var fs mapping.Findings
	restored := 0
	for i := range out.Containers {
		c := &out.Containers[i]
		if injected(*c) {
			continue
		}
		for _, p := range []struct {
			field, kind string
			probe       **corev1.Probe
		}{{"livenessProbe", "livez", &c.LivenessProbe}, {"readinessProbe", "readyz", &c.ReadinessProbe}, {"startupProbe", "startupz", &c.StartupProbe}} {
			probe := *p.probe
			if probe == nil || probe.HTTPGet == nil || probe.HTTPGet.Path != mapping.IstioProbePath(c.Name, p.kind) {
				continue
			}
			path := mapping.Join(tp, mapping.Index("spec.containers", i)+"."+p.field)
			orig, ok := probers[probe.HTTPGet.Path]
			if !ok || orig.handlers() != 1 {
				why := fmt.Sprintf("%s holds no original for it", mapping.IstioProbersEnv)
				if !known {
					why = fmt.Sprintf("the proxy has no %s value to restore it from", mapping.IstioProbersEnv)
				}
				fs.Add(path, mapping.Lossy, "istio rewrote this probe to its agent (%s on port %s), which is not carried, and %s; the probe is dropped", probe.HTTPGet.Path, probe.HTTPGet.Port.String(), why)
				*p.probe = nil
				continue
			}
			probe.ProbeHandler = corev1.ProbeHandler{HTTPGet: orig.HTTPGet, TCPSocket: orig.TCPSocket, GRPC: orig.GRPC}
			restored++
		}
	}
	return fs, restored
}

// handlers counts the probe handlers of an original probe; exactly one is valid.
func (p istioProber) handlers() int {
	n := 0
	for _, set := range []bool{p.HTTPGet != nil, p.TCPSocket != nil, p.GRPC != nil} {
		if set {
			n++
		}
	}
	return n
}

// istioProbers reads ISTIO_KUBE_APP_PROBERS from the injected istio-proxy; known is false when
// there is no such literal value, or it is not JSON.
func istioProbers(spec *corev1.PodSpec, injected func(corev1.Container) bool) (probers map[string]istioProber, known bool) {
	for _, list := range [][]corev1.Container{spec.Containers, spec.InitContainers} {
		for _, c := range list {
			if !injected(c) {
				continue
			}
			for _, e := range c.Env {
				if e.Name == mapping.IstioProbersEnv && e.ValueFrom == nil {
					if err := json.Unmarshal([]byte(e.Value), &probers); err == nil {
						return probers, true
					}
				}
			}
		}
	}
	return nil, false
}

// manifestPath turns the path of a field of the converted pod spec into the path of the same field
// in the manifest, whose lists still hold what the mesh injected.
func (u *uninjection) manifestPath(p string) string {
	for field, index := range u.index {
		prefix := mapping.Join(u.tp, "spec."+field) + "["
		rest, ok := strings.CutPrefix(p, prefix)
		if !ok {
			continue
		}
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return p
		}
		n, err := strconv.Atoi(rest[:end])
		if err != nil || n < 0 || n >= len(index) {
			return p
		}
		return prefix + strconv.Itoa(index[n]) + rest[end:]
	}
	return p
}

// remap returns fs with their paths in the manifest's terms.
func (u *uninjection) remap(fs mapping.Findings) mapping.Findings {
	if u == nil || u.index == nil {
		return fs
	}
	out := make(mapping.Findings, len(fs))
	for i, f := range fs {
		f.Path = u.manifestPath(f.Path)
		out[i] = f
	}
	return out
}

// report returns the findings about the mesh: the probes istio rewrote, and the one finding that
// says the mesh's traffic policy is lost. svc is the workload's service (nil for kinds without
// one), whose Service Connect configuration the finding points to.
func (u *uninjection) report(svc *ecs.CreateServiceInput) mapping.Findings {
	if u == nil {
		return nil
	}
	out := append(mapping.Findings{}, u.probes...)
	sc := "ECS Service Connect, which podecs writes for the workloads that Kubernetes Services select,"
	if svc != nil && svc.ServiceConnectConfiguration != nil {
		sc = "The Service Connect configuration of this service (from the Kubernetes Services that select the workload)"
	}
	sc += " gives discovery, load balancing, retries, timeouts and metrics between ECS services, and TLS with AWS Private CA"
	const lost = "the mesh's traffic policy (mutual TLS, retries, timeouts, traffic splits, authorization) is lost"
	if len(u.containers) == 0 {
		out.Add(u.path, mapping.Lossy, "asks %s to inject its proxy, and ECS runs no %s control plane: %s. %s", u.mesh.Name, u.mesh.Name, lost, sc)
		return out
	}
	what := mapping.ListNames(u.containers)
	if len(u.volumes) > 0 {
		what += " (with the volume"
		if len(u.volumes) > 1 {
			what += "s"
		}
		what += " " + mapping.ListNames(u.volumes) + ")"
	}
	msg := fmt.Sprintf("injected by %s: %s are not carried, as ECS runs no %s control plane; %s. %s", u.mesh.Name, what, u.mesh.Name, lost, sc)
	if u.restored > 0 {
		msg += fmt.Sprintf(". The %d probe(s) istio pointed at its agent are restored from %s", u.restored, mapping.IstioProbersEnv)
	}
	out.Add(u.path, mapping.Lossy, "%s", msg)
	return out
}
