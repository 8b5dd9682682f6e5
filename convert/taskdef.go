package convert

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/podecs/podecs/mapping"
)

// MaxContainers is the ECS limit of containers per task definition (not adjustable).
const MaxContainers = 10

// Tags podecs adds so that the way back and diffs know where a task definition came from.
const (
	TagNamespace = "k8s.namespace"
	TagKind      = "k8s.kind"
	TagName      = "k8s.name"
)

type ecsTaskDef = ecs.RegisterTaskDefinitionInput

// podConverter turns one pod template into a task definition.
type podConverter struct {
	cfg       Config
	ix        *Index
	w         *Workload
	family    string
	namespace string
	ec2       bool
	mode      types.NetworkMode
	prefix    string // path of the pod template: "" for a Pod, "spec.template" for a Deployment
	fs        mapping.Findings
}

func (pc *podConverter) path(rel string) string { return mapping.Join(pc.prefix, rel) }

func (pc *podConverter) add(rel string, level mapping.Level, format string, args ...any) {
	pc.fs.Add(pc.path(rel), level, format, args...)
}

func (pc *podConverter) merge(fs mapping.Findings) { pc.fs = append(pc.fs, fs...) }

// TaskDefinition converts the pod template of a workload into a RegisterTaskDefinition input.
func TaskDefinition(w *Workload, family string, ix *Index, cfg Config) (*ecs.RegisterTaskDefinitionInput, mapping.Findings) {
	pc := &podConverter{cfg: cfg, ix: ix, w: w, family: family, namespace: w.Meta.Namespace, prefix: w.TemplatePath}
	pc.ec2 = cfg.LaunchType == LaunchEC2
	td := pc.convert()
	return td, pc.fs
}

func (pc *podConverter) convert() *ecs.RegisterTaskDefinitionInput {
	spec := &pc.w.Template.Spec
	td := &ecs.RegisterTaskDefinitionInput{Family: aws.String(pc.family)}
	pc.mode = types.NetworkModeAwsvpc
	if spec.HostNetwork {
		if pc.ec2 {
			pc.mode = types.NetworkModeHost
		} else {
			pc.add("spec.hostNetwork", mapping.Error, "host networking needs the EC2 launch type (--launch-type EC2)")
		}
	}
	td.NetworkMode = pc.mode
	if pc.ec2 {
		td.RequiresCompatibilities = []types.Compatibility{types.CompatibilityEc2}
	} else {
		td.RequiresCompatibilities = []types.Compatibility{types.CompatibilityFargate}
	}
	if n := len(spec.Containers) + len(spec.InitContainers); n > MaxContainers {
		pc.add("spec.containers", mapping.Error, "%d containers (with init containers); ECS allows at most %d per task definition", n, MaxContainers)
	}
	if len(spec.Containers) == 0 {
		pc.add("spec.containers", mapping.Error, "a pod needs at least one container")
	}
	pc.checkDuplicateNames(spec)

	vols := pc.volumes(spec)
	td.Volumes = vols.volumes
	td.ContainerDefinitions = pc.containers(spec, vols)
	pc.taskSize(td, spec, vols)
	pc.roles(td, spec)
	pc.podLevel(td, spec)
	pc.finishFiles(td, vols)
	pc.merge(mapping.ReportDropped(pc.w.Template.Spec, pc.prefix, "spec"))
	pc.merge(mapping.ReportDropped(metaForReport(pc.w), pc.prefix, "metadata"))
	return td
}

// metaForReport keeps the template metadata fields the table reports on (annotations).
func metaForReport(w *Workload) any {
	return struct {
		Annotations map[string]string `json:"annotations,omitempty"`
	}{w.Template.Annotations}
}

func (pc *podConverter) checkDuplicateNames(spec *corev1.PodSpec) {
	seen := map[string]string{}
	check := func(list []corev1.Container, field string) {
		for i, c := range list {
			p := mapping.Index("spec."+field, i) + ".name"
			if c.Name == "" {
				pc.add(p, mapping.Error, "a container needs a name")
				continue
			}
			if !mapping.ValidECSName(c.Name) {
				pc.add(p, mapping.Error, "%q is not a valid container name (letters, digits, - and _, at most 255)", c.Name)
			}
			if prev, dup := seen[c.Name]; dup {
				pc.add(p, mapping.Error, "duplicate container name %q (also at %s)", c.Name, pc.path(prev))
			}
			seen[c.Name] = p
		}
	}
	check(spec.InitContainers, "initContainers")
	check(spec.Containers, "containers")
}

// isSidecar reports whether an init container is a native sidecar (restartPolicy Always).
func isSidecar(c *corev1.Container) bool {
	return c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
}

func (pc *podConverter) containers(spec *corev1.PodSpec, vols volumeSet) []types.ContainerDefinition {
	var defs []types.ContainerDefinition
	var deps []types.ContainerDependency // what the app containers wait for
	var prev *types.ContainerDependency  // what the next init container waits for
	if dep := vols.files.dependency(); dep != nil {
		deps, prev = append(deps, *dep), dep // the files container runs first
	}
	for i := range spec.InitContainers {
		c := &spec.InitContainers[i]
		p := mapping.Index("spec.initContainers", i)
		def := pc.container(c, p, spec, vols)
		def.Essential = aws.Bool(false)
		if prev != nil {
			def.DependsOn = append(def.DependsOn, *prev)
		}
		var dep types.ContainerDependency
		if isSidecar(c) {
			// A native sidecar keeps running next to the app; ECS stops it after the app containers
			// (dependencies are reversed at shutdown), as Kubernetes does.
			def.RestartPolicy = &types.ContainerRestartPolicy{Enabled: aws.Bool(true)}
			cond := types.ContainerConditionStart
			if def.HealthCheck != nil && c.StartupProbe != nil {
				cond = types.ContainerConditionHealthy
			}
			dep = types.ContainerDependency{ContainerName: def.Name, Condition: cond}
			pc.add(p, mapping.Info, "native sidecar: started before the app containers (dependsOn %s) and restarted in place when it exits", cond)
		} else {
			dep = types.ContainerDependency{ContainerName: def.Name, Condition: types.ContainerConditionSuccess}
			if def.HealthCheck != nil {
				def.HealthCheck = nil // Kubernetes ignores probes on init containers
			}
		}
		deps = append(deps, dep)
		prev = &dep
		defs = append(defs, def)
	}
	for i := range spec.Containers {
		c := &spec.Containers[i]
		def := pc.container(c, mapping.Index("spec.containers", i), spec, vols)
		def.Essential = aws.Bool(true)
		def.DependsOn = append(def.DependsOn, deps...)
		switch spec.RestartPolicy {
		case corev1.RestartPolicyOnFailure:
			def.RestartPolicy = &types.ContainerRestartPolicy{Enabled: aws.Bool(true), IgnoredExitCodes: []int32{0}}
		}
		defs = append(defs, def)
	}
	return pc.withFilesContainer(defs, vols.files)
}

func (pc *podConverter) container(c *corev1.Container, p string, spec *corev1.PodSpec, vols volumeSet) types.ContainerDefinition {
	def := types.ContainerDefinition{Name: aws.String(c.Name), Image: aws.String(c.Image)}
	if c.Image == "" {
		pc.add(p+".image", mapping.Error, "a container needs an image")
	}
	env := pc.environment(c, p, spec)
	def.Environment, def.Secrets = env.environment, env.secrets
	def.EntryPoint = pc.expandList(c.Command, env.literal, p+".command")
	def.Command = pc.expandList(c.Args, env.literal, p+".args")
	if c.WorkingDir != "" {
		def.WorkingDirectory = aws.String(c.WorkingDir)
	}
	if c.Stdin {
		def.Interactive = aws.Bool(true)
	}
	if c.TTY {
		def.PseudoTerminal = aws.Bool(true)
	}
	pms, fs := mapping.PortMappingsFromPorts(c.Ports, pc.mode, pc.path(p+".ports"))
	pc.merge(fs)
	def.PortMappings = pms
	pc.resources(&def, c, p)
	hc, fs := mapping.HealthCheckFromProbes(c.LivenessProbe, c.ReadinessProbe, c.StartupProbe, c.Ports, pc.path(p))
	pc.merge(fs)
	def.HealthCheck = hc
	pc.security(&def, c, p, spec)
	pc.mounts(&def, c, p, vols)
	pc.stopTimeout(&def, spec)
	pc.logging(&def)
	pc.registryCredentials(&def, spec)
	pc.network(&def, spec)
	return def
}

// expandList expands $(VAR) references to literal environment values in command or args.
func (pc *podConverter) expandList(in []string, literal map[string]string, p string) []string {
	if len(in) == 0 {
		return nil
	}
	out := make([]string, len(in))
	for i, s := range in {
		v, unresolved := mapping.ExpandRefs(s, func(n string) (string, bool) { v, ok := literal[n]; return v, ok })
		if v != s {
			pc.add(mapping.Index(p, i), mapping.Info, "$(…) references expanded to their literal values (ECS does not expand them)")
		}
		if len(unresolved) > 0 {
			pc.add(mapping.Index(p, i), mapping.Lossy, "references to %s cannot be expanded statically and are passed verbatim; wrap the command in a shell (sh -c) to expand them at run time", strings.Join(unresolved, ", "))
		}
		out[i] = v
	}
	return out
}

func (pc *podConverter) resources(def *types.ContainerDefinition, c *corev1.Container, p string) {
	req, lim := c.Resources.Requests, c.Resources.Limits
	rp := pc.path(p + ".resources")
	cpu, hasCPU := req[corev1.ResourceCPU]
	if !hasCPU {
		cpu, hasCPU = lim[corev1.ResourceCPU] // Kubernetes defaults the request to the limit
	}
	if hasCPU {
		def.Cpu = int32(mapping.CPUUnits(cpu))
	}
	if _, ok := lim[corev1.ResourceCPU]; ok && pc.ec2 {
		pc.fs.Add(rp+".limits.cpu", mapping.Lossy, "ECS on Linux has no per-container CPU cap; the limit counts toward the task-level CPU instead")
	}
	memLimit, hasLimit := lim[corev1.ResourceMemory]
	memReq, hasReq := req[corev1.ResourceMemory]
	if hasLimit {
		def.Memory = aws.Int32(pc.mib(memLimit, rp+".limits.memory"))
	}
	if hasReq {
		r := pc.mib(memReq, rp+".requests.memory")
		if def.Memory == nil || r < *def.Memory {
			def.MemoryReservation = aws.Int32(r)
		}
	}
	if def.Memory == nil && def.MemoryReservation == nil && pc.ec2 {
		def.MemoryReservation = aws.Int32(pc.cfg.DefaultMemoryMiB)
		pc.fs.Add(rp, mapping.Info, "no memory request or limit; memoryReservation set to the default %d MiB (defaultMemoryMiB in --config)", pc.cfg.DefaultMemoryMiB)
	}
	for _, name := range []corev1.ResourceName{"nvidia.com/gpu", "amd.com/gpu"} {
		q, ok := lim[name]
		if !ok {
			q, ok = req[name]
		}
		if !ok {
			continue
		}
		if name != "nvidia.com/gpu" || !pc.ec2 {
			pc.fs.Add(fmt.Sprintf("%s.limits[%q]", rp, name), mapping.Unsupported, "ECS supports NVIDIA GPUs on EC2 only; dropped")
			continue
		}
		def.ResourceRequirements = append(def.ResourceRequirements, types.ResourceRequirement{Type: types.ResourceTypeGpu, Value: aws.String(strconv.FormatInt(q.Value(), 10))})
	}
	for _, list := range []struct {
		field string
		rl    corev1.ResourceList
	}{{"requests", req}, {"limits", lim}} {
		for _, name := range sortedResourceNames(list.rl) {
			switch name {
			case corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage, "nvidia.com/gpu", "amd.com/gpu":
				continue
			}
			pc.fs.Add(fmt.Sprintf("%s.%s[%q]", rp, list.field, name), mapping.Unsupported, "ECS has no resource %s; dropped", name)
		}
	}
	if len(c.Resources.Claims) > 0 {
		pc.fs.Add(rp+".claims", mapping.Unsupported, "dynamic resource claims have no ECS equivalent; dropped")
	}
}

func sortedResourceNames(rl corev1.ResourceList) []corev1.ResourceName {
	out := make([]corev1.ResourceName, 0, len(rl))
	for k := range rl {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// mib converts a memory quantity to MiB, reporting rounding and the Docker minimum.
func (pc *podConverter) mib(q resource.Quantity, p string) int32 {
	m, exact := mapping.MemoryMiB(q)
	if !exact {
		pc.fs.Add(p, mapping.Info, "%s is not a whole number of MiB; rounded up to %d MiB", q.String(), m)
	}
	if m < mapping.MinContainerMemoryMiB {
		pc.fs.Add(p, mapping.Lossy, "%d MiB is below the Docker minimum; raised to %d MiB", m, mapping.MinContainerMemoryMiB)
		m = mapping.MinContainerMemoryMiB
	}
	if m > 1<<30 {
		m = 1 << 30
	}
	return int32(m)
}

func (pc *podConverter) security(def *types.ContainerDefinition, c *corev1.Container, p string, spec *corev1.PodSpec) {
	sc := mapping.EffectiveSecurityContext(spec.SecurityContext, c.SecurityContext)
	sec, fs := mapping.SecurityFromContext(sc, !pc.ec2, pc.path(p))
	pc.merge(fs)
	def.User, def.Privileged, def.ReadonlyRootFilesystem = sec.User, sec.Privileged, sec.ReadonlyRootFilesystem
	def.DockerSecurityOptions = sec.DockerSecurityOptions
	if sec.Capabilities != nil {
		lp := linuxParams(def)
		lp.Capabilities = sec.Capabilities
	}
	if spec.SecurityContext != nil {
		for i, s := range spec.SecurityContext.Sysctls {
			sp := pc.path(mapping.Index("spec.securityContext.sysctls", i))
			if !allowedSysctl(s.Name) {
				pc.fs.Add(sp, mapping.Unsupported, "ECS allows only IPC (kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*) and net.* system controls; %s dropped", s.Name)
				continue
			}
			if pc.mode == types.NetworkModeHost && strings.HasPrefix(s.Name, "net.") {
				pc.fs.Add(sp, mapping.Unsupported, "net.* system controls cannot be set in host network mode; %s dropped", s.Name)
				continue
			}
			def.SystemControls = append(def.SystemControls, types.SystemControl{Namespace: aws.String(s.Name), Value: aws.String(s.Value)})
		}
	}
}

func allowedSysctl(name string) bool {
	for _, p := range []string{"kernel.msg", "kernel.shm", "fs.mqueue.", "net."} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return name == "kernel.sem"
}

func linuxParams(def *types.ContainerDefinition) *types.LinuxParameters {
	if def.LinuxParameters == nil {
		def.LinuxParameters = &types.LinuxParameters{}
	}
	return def.LinuxParameters
}

// stopTimeout maps terminationGracePeriodSeconds: Fargate accepts 2..120 seconds.
func (pc *podConverter) stopTimeout(def *types.ContainerDefinition, spec *corev1.PodSpec) {
	if spec.TerminationGracePeriodSeconds == nil {
		return
	}
	v := *spec.TerminationGracePeriodSeconds
	t := v
	lo, hi := int64(2), int64(120)
	if pc.ec2 {
		hi = 1 << 30
	}
	if t < lo {
		t = lo
	}
	if t > hi {
		t = hi
	}
	if t != v && *def.Name == firstContainerName(spec) {
		pc.add("spec.terminationGracePeriodSeconds", mapping.Lossy, "%d s is outside the ECS stopTimeout range %d..%d; set to %d s", v, lo, hi, t)
	}
	def.StopTimeout = aws.Int32(int32(t))
}

func firstContainerName(spec *corev1.PodSpec) string {
	if len(spec.InitContainers) > 0 {
		return spec.InitContainers[0].Name
	}
	if len(spec.Containers) > 0 {
		return spec.Containers[0].Name
	}
	return ""
}

func (pc *podConverter) logging(def *types.ContainerDefinition) {
	l := pc.cfg.Logging
	if l.Disabled {
		return
	}
	opts := map[string]string{}
	if l.Driver == "awslogs" {
		opts["awslogs-group"] = strings.ReplaceAll(l.Group, "{family}", pc.family)
		opts["awslogs-stream-prefix"] = l.StreamPrefix
		if pc.cfg.Region != "" {
			opts["awslogs-region"] = pc.cfg.Region
		}
		if l.CreateGroup {
			opts["awslogs-create-group"] = "true"
		}
	}
	for k, v := range l.Options {
		opts[k] = v
	}
	def.LogConfiguration = &types.LogConfiguration{LogDriver: types.LogDriver(l.Driver), Options: opts}
}

func (pc *podConverter) registryCredentials(def *types.ContainerDefinition, spec *corev1.PodSpec) {
	for i, s := range spec.ImagePullSecrets {
		arn, ok := lookup(pc.cfg.RegistryCredentials, pc.namespace, s.Name)
		if !ok {
			if *def.Name == firstContainerName(spec) {
				pc.add(mapping.Index("spec.imagePullSecrets", i), mapping.Lossy, "no registryCredentials entry for %q in --config; private registry credentials dropped (ECR needs none: the execution role pulls)", s.Name)
			}
			continue
		}
		if def.RepositoryCredentials == nil {
			def.RepositoryCredentials = &types.RepositoryCredentials{CredentialsParameter: aws.String(arn)}
		}
	}
}

// network maps the DNS settings and host aliases that ECS allows only outside awsvpc mode.
func (pc *podConverter) network(def *types.ContainerDefinition, spec *corev1.PodSpec) {
	first := *def.Name == firstContainerName(spec)
	awsvpc := pc.mode == types.NetworkModeAwsvpc
	if spec.DNSConfig != nil {
		if awsvpc {
			if first && (len(spec.DNSConfig.Nameservers) > 0 || len(spec.DNSConfig.Searches) > 0) {
				pc.add("spec.dnsConfig", mapping.Unsupported, "ECS does not allow dnsServers or dnsSearchDomains in awsvpc network mode (the VPC's DHCP options set applies); dropped")
			}
		} else {
			def.DnsServers = spec.DNSConfig.Nameservers
			def.DnsSearchDomains = spec.DNSConfig.Searches
		}
		if first && len(spec.DNSConfig.Options) > 0 {
			pc.add("spec.dnsConfig.options", mapping.Lossy, "resolver options (ndots, …) have no ECS equivalent; dropped")
		}
	}
	for i, ha := range spec.HostAliases {
		if awsvpc {
			if first {
				pc.add(mapping.Index("spec.hostAliases", i), mapping.Unsupported, "ECS does not allow extraHosts in awsvpc network mode; dropped")
			}
			continue
		}
		for _, h := range ha.Hostnames {
			def.ExtraHosts = append(def.ExtraHosts, types.HostEntry{Hostname: aws.String(h), IpAddress: aws.String(ha.IP)})
		}
	}
}
