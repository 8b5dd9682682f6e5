package convert

import (
	"math"
	"net"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/api/validate/content"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/podecs/podecs/mapping"
)

// probe turns the health check into a liveness probe, or a startup probe for a sidecar others
// wait for with HEALTHY: that is when ECS starts them, and ECS ignores a non-essential container's
// later health.
func (r *reverser) probe(i int, d *types.ContainerDefinition, role containerRole, healthy bool, c *corev1.Container) {
	if d.HealthCheck == nil {
		return
	}
	p, fs := mapping.ProbeFromHealthCheck(d.HealthCheck, r.tdPath(cdPath(i, "")))
	for _, f := range fs {
		if f.Level == mapping.Error {
			f.Level, f.Message = mapping.Lossy, f.Message+"; the health check is kept in the annotation only"
		}
		r.tdFs = append(r.tdFs, f)
	}
	if p == nil {
		return
	}
	if rp := r.td.RuntimePlatform; rp != nil && strings.HasPrefix(string(rp.OperatingSystemFamily), "WINDOWS") &&
		p.Exec != nil && len(p.Exec.Command) == 3 && p.Exec.Command[0] == "/bin/sh" && d.HealthCheck.Command[0] == "CMD-SHELL" {
		// ECS runs CMD-SHELL with cmd /S /C in Windows containers.
		p.Exec.Command = []string{"cmd", "/S", "/C", p.Exec.Command[2]}
	}
	switch {
	case role == roleInit:
		r.tdFinding(cdPath(i, "healthCheck"), mapping.Info, "Kubernetes runs no probes on init containers; the health check is kept in the annotation only")
	case role == roleSidecar && healthy:
		c.StartupProbe = p
		r.tdFinding(cdPath(i, "healthCheck"), mapping.Info, "a startup probe: the containers waiting for this sidecar to be HEALTHY start once it succeeds")
	default:
		c.LivenessProbe = p
	}
}

// security maps user, privileged, read-only root, capabilities and Docker security options.
func (r *reverser) security(i int, d *types.ContainerDefinition) *corev1.SecurityContext {
	sc, fs := mapping.ContextFromSecurity(d.User, d.Privileged, d.ReadonlyRootFilesystem, d.LinuxParameters, d.DockerSecurityOptions, r.tdPath(cdPath(i, "")))
	r.tdFs = append(r.tdFs, fs...)
	if sc == nil {
		return nil
	}
	for _, id := range []**int64{&sc.RunAsUser, &sc.RunAsGroup} {
		if *id != nil && **id > math.MaxInt32 {
			r.tdFinding(cdPath(i, "user"), mapping.Lossy, "ID %d is above the Kubernetes maximum %d; kept in the annotation only", **id, math.MaxInt32)
			*id = nil
		}
	}
	if sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation && aws.ToBool(sc.Privileged) {
		r.tdFinding(cdPath(i, "dockerSecurityOptions"), mapping.Lossy, "Kubernetes refuses no-new-privileges on a privileged container; dropped")
		sc.AllowPrivilegeEscalation = nil
	}
	if reflect.DeepEqual(*sc, corev1.SecurityContext{}) {
		return nil
	}
	return sc
}

// mounts maps mountPoints and tmpfs mounts; a tmpfs mount becomes its own memory emptyDir.
func (r *reverser) mounts(i int, d *types.ContainerDefinition) []corev1.VolumeMount {
	var out []corev1.VolumeMount
	seen := map[string]bool{}
	add := func(m corev1.VolumeMount, p string) bool {
		switch {
		case m.MountPath == "":
			r.tdFinding(p, mapping.Lossy, "a mount without a container path is dropped")
		case seen[m.MountPath]:
			r.tdFinding(p, mapping.Lossy, "a second mount at %s is dropped (Kubernetes mount paths are unique per container)", m.MountPath)
		default:
			seen[m.MountPath] = true
			out = append(out, m)
			return true
		}
		return false
	}
	for j, mp := range d.MountPoints {
		p := cdPath(i, mapping.Index("mountPoints", j))
		if sub, ok := r.filesSubPath(aws.ToString(mp.SourceVolume)); ok {
			add(corev1.VolumeMount{Name: r.volNames[sub.Volume], MountPath: aws.ToString(mp.ContainerPath), ReadOnly: aws.ToBool(mp.ReadOnly), SubPath: sub.SubPath}, p)
			continue
		}
		vn, ok := r.volNames[aws.ToString(mp.SourceVolume)]
		if !ok {
			r.tdFinding(p, mapping.Lossy, "no volume named %q; the mount is kept in the annotation only", aws.ToString(mp.SourceVolume))
			continue
		}
		add(corev1.VolumeMount{Name: vn, MountPath: aws.ToString(mp.ContainerPath), ReadOnly: aws.ToBool(mp.ReadOnly)}, p)
	}
	if d.LinuxParameters == nil {
		return out
	}
	for j, t := range d.LinuxParameters.Tmpfs {
		p := cdPath(i, mapping.Index("linuxParameters.tmpfs", j))
		src, ro, other := mapping.EmptyDirFromTmpfs(t)
		name, _ := r.volUsed.take(r.names[i] + "-tmpfs-" + strconv.Itoa(j))
		if !add(corev1.VolumeMount{Name: name, MountPath: aws.ToString(t.ContainerPath), ReadOnly: ro}, p) {
			continue
		}
		r.vols = append(r.vols, corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{EmptyDir: &src}})
		r.tdFinding(p, mapping.Info, "becomes the memory-backed emptyDir %q", name)
		if len(other) > 0 {
			r.tdFinding(p+".mountOptions", mapping.Lossy, "mount options %s cannot be set on Kubernetes; kept in the annotation only", strings.Join(other, ", "))
		}
	}
	return out
}

// volumes maps the task volumes: EFS becomes a claim, a host path a hostPath, the rest emptyDir.
func (r *reverser) volumes() {
	r.volNames, r.volUsed = map[string]string{}, uniqueNames{}
	for i, v := range r.td.Volumes {
		p := mapping.Index("volumes", i)
		ecsName := aws.ToString(v.Name)
		if _, sub := r.filesSubPath(ecsName); sub {
			continue // a subPath of a files volume: its mounts name that volume
		}
		name, changed := r.volUsed.take(ecsName)
		if changed {
			r.tdFinding(p+".name", mapping.Info, "%q is not a valid Kubernetes volume name; renamed %q", ecsName, name)
		}
		if _, dup := r.volNames[ecsName]; !dup {
			r.volNames[ecsName] = name
		}
		vol := corev1.Volume{Name: name}
		src, files := r.filesVolume(ecsName)
		switch {
		case files:
			vol.VolumeSource = src
		case v.EfsVolumeConfiguration != nil:
			c := r.claim(name)
			r.claims = append(r.claims, c)
			vol.PersistentVolumeClaim = &corev1.PersistentVolumeClaimVolumeSource{ClaimName: c.Name}
			r.tdFinding(p+".efsVolumeConfiguration", mapping.Lossy, "becomes PersistentVolumeClaim %q (storageClassName %s, ReadWriteMany; EFS CSI driver). A new claim gets a new access point: to mount the existing data, bind it to a PersistentVolume with volumeHandle %s", c.Name, EFSStorageClass, efsVolumeHandle(v.EfsVolumeConfiguration))
		case v.Host != nil && aws.ToString(v.Host.SourcePath) != "":
			vol.HostPath = &corev1.HostPathVolumeSource{Path: aws.ToString(v.Host.SourcePath)}
		default:
			vol.EmptyDir = &corev1.EmptyDirVolumeSource{}
		}
		r.vols = append(r.vols, vol)
	}
}

// efsVolumeHandle is the EFS CSI driver's volume handle for a file system, root directory and
// access point: fs-ID[:PATH][::fsap-ID].
func efsVolumeHandle(e *types.EFSVolumeConfiguration) string {
	h := aws.ToString(e.FileSystemId)
	ap := ""
	if e.AuthorizationConfig != nil {
		ap = aws.ToString(e.AuthorizationConfig.AccessPointId)
	}
	if root := aws.ToString(e.RootDirectory); root != "" && root != "/" && ap == "" {
		h += ":" + root
	}
	if ap != "" {
		h += "::" + ap
	}
	return h
}

// taskSize gives the task-level cpu and memory to the first essential container as limits when
// no container sets its own: Kubernetes has no task-level size.
func (r *reverser) taskSize(spec *corev1.PodSpec, roles []containerRole) {
	defs := r.td.ContainerDefinitions
	var anyCPU, anyMem bool
	target := -1
	for i, d := range defs {
		anyCPU = anyCPU || d.Cpu > 0
		anyMem = anyMem || aws.ToInt32(d.Memory) > 0 || aws.ToInt32(d.MemoryReservation) > 0
		if target < 0 && roles[i] == roleApp && (d.Essential == nil || *d.Essential) {
			target = i
		}
	}
	var c *corev1.Container
	for k := range spec.Containers {
		if target >= 0 && spec.Containers[k].Name == r.names[target] {
			c = &spec.Containers[k]
		}
	}
	if c == nil {
		return
	}
	limit := func(field string, parse func(string) (int64, error), name corev1.ResourceName, quantity func(int64) resource.Quantity) {
		s := r.td.Cpu
		if field == "memory" {
			s = r.td.Memory
		}
		if s == nil {
			return
		}
		n, err := parse(*s)
		if err != nil {
			r.tdFinding(field, mapping.Lossy, "%v; kept in the annotation only", err)
			return
		}
		if n <= 0 {
			return
		}
		if c.Resources.Limits == nil {
			c.Resources.Limits = corev1.ResourceList{}
		}
		c.Resources.Limits[name] = quantity(n)
		r.tdFinding(field, mapping.Lossy, "Kubernetes has no task-level size: the task's %s %s becomes the %s limit of container %s", field, *s, name, c.Name)
	}
	if !anyCPU {
		limit("cpu", mapping.ParseTaskCPU, corev1.ResourceCPU, func(n int64) resource.Quantity { q, _ := mapping.CPUQuantity(n); return q })
	}
	if !anyMem {
		limit("memory", mapping.ParseTaskMemory, corev1.ResourceMemory, mapping.MemoryQuantity)
	}
}

// podLevel maps the task-wide settings and the per-container settings Kubernetes has per pod.
func (r *reverser) podLevel(spec *corev1.PodSpec, roles []containerRole) {
	td := r.td
	spec.RestartPolicy = r.restartPolicy(roles)
	var timeouts []*int32
	for _, d := range td.ContainerDefinitions {
		timeouts = append(timeouts, d.StopTimeout)
	}
	grace, uniform := mapping.GracePeriodFromStopTimeouts(timeouts)
	spec.TerminationGracePeriodSeconds = grace
	if grace != nil && !uniform {
		r.tdFinding("containerDefinitions", mapping.Lossy, "the containers have different stopTimeout values; Kubernetes has one grace period per pod, the largest: %d s", *grace)
	}
	r.nodeSelector(spec)
	switch td.NetworkMode {
	case types.NetworkModeHost:
		spec.HostNetwork = true
	case types.NetworkModeBridge, types.NetworkModeNone:
		r.tdFinding("networkMode", mapping.Lossy, "network mode %s has no Kubernetes equivalent: every pod has its own network namespace and IP address", td.NetworkMode)
	}
	switch td.PidMode {
	case types.PidModeTask:
		spec.ShareProcessNamespace = aws.Bool(true)
	case types.PidModeHost:
		spec.HostPID = true
	}
	switch td.IpcMode {
	case types.IpcModeHost:
		spec.HostIPC = true
	case types.IpcModeTask:
		r.tdFinding("ipcMode", mapping.Info, "the containers of a pod share one IPC namespace anyway")
	case types.IpcModeNone:
		r.tdFinding("ipcMode", mapping.Lossy, "Kubernetes cannot give containers a private IPC namespace")
	}
	r.sysctls(spec)
	r.dnsConfig(spec)
	r.hostAliases(spec)
}

// restartPolicy: Deployments and DaemonSets always restart; a Pod, or the pods of a CronJob,
// follow the essential containers' restart policy (a task that runs alone is not restarted by
// ECS). A Job's pods cannot restart Always: OnFailure is the nearest.
func (r *reverser) restartPolicy(roles []containerRole) corev1.RestartPolicy {
	if r.kind != "Pod" && r.kind != "CronJob" {
		return corev1.RestartPolicyAlways
	}
	pol := r.podRestartPolicy(roles)
	if r.kind == "CronJob" && pol == corev1.RestartPolicyAlways {
		r.tdFinding("containerDefinitions", mapping.Info, "the containers restart whenever they exit; a Job's pods cannot restart Always, so OnFailure")
		return corev1.RestartPolicyOnFailure
	}
	return pol
}

// podRestartPolicy is the restart policy of a pod that runs on its own.
func (r *reverser) podRestartPolicy(roles []containerRole) corev1.RestartPolicy {
	got, same := "", true
	for i, d := range r.td.ContainerDefinitions {
		if roles[i] != roleApp {
			continue
		}
		pol := string(corev1.RestartPolicyNever)
		if restartEnabled(&d) {
			switch codes := d.RestartPolicy.IgnoredExitCodes; {
			case len(codes) == 0:
				pol = string(corev1.RestartPolicyAlways)
			case len(codes) == 1 && codes[0] == 0:
				pol = string(corev1.RestartPolicyOnFailure)
			default:
				pol = "other"
			}
		}
		if got == "" {
			got = pol
		} else if got != pol {
			same = false
		}
	}
	if !same || got == "other" {
		r.tdFinding("containerDefinitions", mapping.Lossy, "the containers restart differently; Kubernetes has one restart policy per pod: Never")
		return corev1.RestartPolicyNever
	}
	if got == "" {
		return corev1.RestartPolicyNever
	}
	return corev1.RestartPolicy(got)
}

// nodeSelector maps the runtime platform and memberOf placement constraints to node labels.
func (r *reverser) nodeSelector(spec *corev1.PodSpec) {
	td := r.td
	sel, rest := mapping.NodeSelectorFromPlacement(td.RuntimePlatform, td.PlacementConstraints)
	for _, k := range sortedKeys(sel) {
		if len(content.IsLabelKey(k)) > 0 || len(content.IsLabelValue(sel[k])) > 0 {
			r.tdFinding("placementConstraints", mapping.Lossy, "attribute %s == %s is not a valid node label; kept in the annotation only", k, sel[k])
			delete(sel, k)
		}
	}
	if len(sel) > 0 {
		spec.NodeSelector = sel
	}
	for j, pc := range td.PlacementConstraints {
		if slices.ContainsFunc(rest, func(x types.TaskDefinitionPlacementConstraint) bool { return reflect.DeepEqual(x, pc) }) {
			r.tdFinding(mapping.Index("placementConstraints", j), mapping.Lossy, "%s %q has no node selector form (use node affinity); kept in the annotation only", pc.Type, aws.ToString(pc.Expression))
		}
	}
	if rp := td.RuntimePlatform; rp != nil && strings.HasPrefix(string(rp.OperatingSystemFamily), "WINDOWS") {
		r.tdFinding("runtimePlatform.operatingSystemFamily", mapping.Info, "kubernetes.io/os windows; the Windows Server version %s is kept in the annotation (select it with node.kubernetes.io/windows-build)", rp.OperatingSystemFamily)
	}
}

// uniformAcross reports whether every container has the same non-empty value of a field.
func uniformAcross[T any](r *reverser, get func(*types.ContainerDefinition) []T) ([]T, bool, bool) {
	defs := r.td.ContainerDefinitions
	anySet, same := false, true
	var first []T
	for i := range defs {
		v := get(&defs[i])
		anySet = anySet || len(v) > 0
		if i == 0 {
			first = v
		} else if !reflect.DeepEqual(v, first) {
			same = false
		}
	}
	return first, anySet, same && len(first) > 0
}

var sysctlRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$`)
})

// sysctls: ECS sets systemControls per container, Kubernetes sysctls per pod.
func (r *reverser) sysctls(spec *corev1.PodSpec) {
	scs, anySet, uniform := uniformAcross(r, func(d *types.ContainerDefinition) []types.SystemControl { return d.SystemControls })
	if !anySet {
		return
	}
	var out []corev1.Sysctl
	for _, s := range scs {
		name := aws.ToString(s.Namespace)
		if !sysctlRE().MatchString(name) || len(name) > 253 || (spec.HostNetwork && strings.HasPrefix(name, "net.")) {
			uniform = false
		}
		out = append(out, corev1.Sysctl{Name: name, Value: aws.ToString(s.Value)})
	}
	if !uniform {
		r.tdFinding("containerDefinitions", mapping.Lossy, "systemControls differ between containers or are not valid sysctls; Kubernetes sets sysctls per pod, so they are kept in the annotation only")
		return
	}
	spec.SecurityContext = &corev1.PodSecurityContext{Sysctls: out}
}

// dnsConfig: ECS sets DNS servers and search domains per container (not in awsvpc mode),
// Kubernetes per pod, with at most 3 name servers.
func (r *reverser) dnsConfig(spec *corev1.PodSpec) {
	servers, anyServers, sameServers := uniformAcross(r, func(d *types.ContainerDefinition) []string { return d.DnsServers })
	searches, anySearches, sameSearches := uniformAcross(r, func(d *types.ContainerDefinition) []string { return d.DnsSearchDomains })
	if !anyServers && !anySearches {
		return
	}
	ok := r.td.NetworkMode != types.NetworkModeAwsvpc && (sameServers || !anyServers) && (sameSearches || !anySearches) && len(servers) <= 3 && len(searches) <= 32
	for _, s := range servers {
		ok = ok && net.ParseIP(s) != nil
	}
	for _, s := range searches {
		ok = ok && len(validation.IsDNS1123Subdomain(strings.TrimSuffix(s, "."))) == 0
	}
	if !ok {
		r.tdFinding("containerDefinitions", mapping.Lossy, "dnsServers and dnsSearchDomains cannot become the pod's dnsConfig (they differ between containers, or are not valid there); kept in the annotation only")
		return
	}
	spec.DNSConfig = &corev1.PodDNSConfig{Nameservers: servers, Searches: searches}
}

// hostAliases: ECS extraHosts per container become the pod's hostAliases, grouped by IP address.
func (r *reverser) hostAliases(spec *corev1.PodSpec) {
	hosts, anySet, uniform := uniformAcross(r, func(d *types.ContainerDefinition) []types.HostEntry { return d.ExtraHosts })
	if !anySet {
		return
	}
	var out []corev1.HostAlias
	index := map[string]int{}
	for _, h := range hosts {
		ip, name := aws.ToString(h.IpAddress), aws.ToString(h.Hostname)
		if net.ParseIP(ip) == nil || len(validation.IsDNS1123Subdomain(name)) > 0 {
			uniform = false
			break
		}
		k, ok := index[ip]
		if !ok {
			k = len(out)
			index[ip] = k
			out = append(out, corev1.HostAlias{IP: ip})
		}
		out[k].Hostnames = append(out[k].Hostnames, name)
	}
	if !uniform {
		r.tdFinding("containerDefinitions", mapping.Lossy, "extraHosts differ between containers or are not valid host aliases; kept in the annotation only")
		return
	}
	spec.HostAliases = out
}

// fargateCapable reports whether the task definition can run on Fargate, so that converting back
// with the default launch type gives it back.
func fargateCapable(td *ecs.RegisterTaskDefinitionInput) bool {
	if !slices.Contains(td.RequiresCompatibilities, types.CompatibilityFargate) || td.NetworkMode != types.NetworkModeAwsvpc ||
		td.PidMode == types.PidModeHost || td.IpcMode != "" {
		return false
	}
	for _, v := range td.Volumes {
		if v.Host != nil && aws.ToString(v.Host.SourcePath) != "" {
			return false
		}
	}
	for _, d := range td.ContainerDefinitions {
		if aws.ToBool(d.Privileged) || len(d.DockerSecurityOptions) > 0 {
			return false
		}
		if lp := d.LinuxParameters; lp != nil {
			if len(lp.Tmpfs) > 0 || len(lp.Devices) > 0 {
				return false
			}
			if lp.Capabilities != nil && slices.ContainsFunc(lp.Capabilities.Add, func(c string) bool { return c != mapping.FargateAddableCapability }) {
				return false
			}
		}
	}
	return true
}
