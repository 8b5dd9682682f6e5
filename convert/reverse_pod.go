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
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/podecs/podecs/mapping"
)

// reverser converts one task definition, and its service if any, to Kubernetes objects.
type reverser struct {
	in    ReverseInput
	opts  ReverseOptions
	td    *ecs.RegisterTaskDefinitionInput
	svc   *ecs.CreateServiceInput
	tdFs  mapping.Findings
	svcFs mapping.Findings
	// schedFs are the findings about the schedule of a CronJob.
	schedFs mapping.Findings

	name      string
	namespace string
	labels    map[string]string
	extraTags []types.Tag
	kind      string // Pod, Deployment, DaemonSet, CronJob
	names     []string
	volNames  map[string]string
	vols      []corev1.Volume
	volUsed   uniqueNames
	secrets   secretSet
	claims    []*corev1.PersistentVolumeClaim
	// appProtocols are the portMappings' appProtocol by container port, for the Service.
	appProtocols map[int32]string
	// files is podecs' files container, which becomes volumes (see reverse_files.go); filesOff
	// keeps it a container.
	files    reverseFiles
	filesOff bool
}

func (r *reverser) tdPath(rel string) string { return mapping.Join(r.in.TaskDefinitionPath, rel) }

func (r *reverser) tdFinding(rel string, level mapping.Level, format string, args ...any) {
	r.tdFs.Add(r.tdPath(rel), level, format, args...)
}

func (r *reverser) svcFinding(rel string, level mapping.Level, format string, args ...any) {
	r.svcFs.Add(mapping.Join(r.in.ServicePath, rel), level, format, args...)
}

func cdPath(i int, rel string) string {
	return mapping.Join(mapping.Index("containerDefinitions", i), rel)
}

type containerRole int

const (
	roleApp containerRole = iota
	roleInit
	roleSidecar
)

func restartEnabled(d *types.ContainerDefinition) bool {
	return d.RestartPolicy != nil && aws.ToBool(d.RestartPolicy.Enabled)
}

// classify sorts the containers into app containers, init containers and native sidecars, and
// orders the init containers and sidecars by their dependencies.
func (r *reverser) classify() (roles []containerRole, healthy []bool, initOrder []int) {
	defs := r.td.ContainerDefinitions
	index := map[string]int{}
	for i := len(defs) - 1; i >= 0; i-- {
		index[aws.ToString(defs[i].Name)] = i
	}
	waits := make([][]types.ContainerCondition, len(defs))
	for i, d := range defs {
		for j, dep := range d.DependsOn {
			t, ok := index[aws.ToString(dep.ContainerName)]
			if !ok {
				r.tdFinding(cdPath(i, mapping.Index("dependsOn", j)), mapping.Lossy, "no container named %q; the dependency is dropped", aws.ToString(dep.ContainerName))
				continue
			}
			waits[t] = append(waits[t], dep.Condition)
		}
	}
	roles, healthy = make([]containerRole, len(defs)), make([]bool, len(defs))
	for i := range defs {
		d := &defs[i]
		nonEssential := d.Essential != nil && !*d.Essential
		var success, started bool
		for _, c := range waits[i] {
			switch c {
			case types.ContainerConditionSuccess, types.ContainerConditionComplete:
				success = true
			case types.ContainerConditionHealthy:
				started, healthy[i] = true, true
			default:
				started = true
			}
		}
		switch {
		case nonEssential && success:
			roles[i] = roleInit
		case nonEssential && started && restartEnabled(d):
			roles[i] = roleSidecar
		case nonEssential:
			r.tdFinding(cdPath(i, "essential"), mapping.Lossy, "Kubernetes has no non-essential containers: this one becomes a regular container, and the pod does not stop when the essential containers exit")
		}
	}
	r.dependencyFindings(roles, index)
	return roles, healthy, r.initOrder(roles, index)
}

func (r *reverser) dependencyFindings(roles []containerRole, index map[string]int) {
	for i, d := range r.td.ContainerDefinitions {
		for j, dep := range d.DependsOn {
			t, ok := index[aws.ToString(dep.ContainerName)]
			if !ok {
				continue
			}
			p := cdPath(i, mapping.Index("dependsOn", j))
			switch {
			case roles[t] == roleApp:
				r.tdFinding(p, mapping.Lossy, "Kubernetes starts regular containers together; waiting for %s to %s is lost", r.names[t], dep.Condition)
			case dep.Condition == types.ContainerConditionComplete:
				r.tdFinding(p, mapping.Lossy, "COMPLETE also accepts a failed exit; as an init container, %s must succeed before the pod goes on", r.names[t])
			case roles[t] == roleInit && dep.Condition != types.ContainerConditionSuccess:
				r.tdFinding(p, mapping.Lossy, "%s is an init container (others wait for it to succeed), so this container waits for it to finish, not only to %s", r.names[t], strings.ToLower(string(dep.Condition)))
			}
		}
	}
}

// initOrder sorts init containers and sidecars so that each comes after what it depends on;
// among those that are ready, the task definition's order wins.
func (r *reverser) initOrder(roles []containerRole, index map[string]int) []int {
	defs := r.td.ContainerDefinitions
	indeg := map[int]int{}
	next := map[int][]int{}
	var members []int
	for i := range defs {
		if roles[i] == roleApp {
			continue
		}
		members = append(members, i)
		indeg[i] += 0
		for _, dep := range defs[i].DependsOn {
			if t, ok := index[aws.ToString(dep.ContainerName)]; ok && roles[t] != roleApp && t != i {
				indeg[i]++
				next[t] = append(next[t], i)
			}
		}
	}
	var order []int
	done := map[int]bool{}
	for len(order) < len(members) {
		pick := -1
		for _, i := range members {
			if !done[i] && indeg[i] == 0 {
				pick = i
				break
			}
		}
		if pick < 0 {
			r.tdFinding("containerDefinitions", mapping.Lossy, "the dependencies between init containers form a cycle; they keep the task definition's order")
			for _, i := range members {
				if !done[i] {
					order = append(order, i)
				}
			}
			break
		}
		done[pick] = true
		order = append(order, pick)
		for _, n := range next[pick] {
			indeg[n]--
		}
	}
	return order
}

// podSpec builds the pod spec.
func (r *reverser) podSpec() corev1.PodSpec {
	defs := r.td.ContainerDefinitions
	used := uniqueNames{}
	r.names = make([]string, len(defs))
	for i, d := range defs {
		name, changed := used.take(aws.ToString(d.Name))
		if changed {
			r.tdFinding(cdPath(i, "name"), mapping.Info, "%q is not a valid Kubernetes container name; renamed %q (references in dependsOn, links and volumesFrom follow)", aws.ToString(d.Name), name)
		}
		r.names[i] = name
	}
	roles, healthy, order := r.classify()
	r.findFiles()
	r.volumes()
	containers := make([]corev1.Container, len(defs))
	for i := range defs {
		if i != r.files.idx {
			containers[i] = r.container(i, roles[i], healthy[i])
		}
	}
	var spec corev1.PodSpec
	for _, i := range order {
		if i != r.files.idx {
			spec.InitContainers = append(spec.InitContainers, containers[i])
		}
	}
	for i := range defs {
		if roles[i] == roleApp {
			spec.Containers = append(spec.Containers, containers[i])
		}
	}
	if len(spec.Containers) == 0 {
		r.tdFinding("containerDefinitions", mapping.Error, "no essential container: Kubernetes needs at least one regular container")
	}
	spec.Volumes = r.vols
	r.taskSize(&spec, roles)
	r.podLevel(&spec, roles)
	r.filesFSGroup(&spec)
	return spec
}

// container converts one container definition.
func (r *reverser) container(i int, role containerRole, healthy bool) corev1.Container {
	d := &r.td.ContainerDefinitions[i]
	c := corev1.Container{
		Name:       r.names[i],
		Image:      aws.ToString(d.Image),
		Command:    escapeAll(d.EntryPoint),
		Args:       escapeAll(d.Command),
		WorkingDir: aws.ToString(d.WorkingDirectory),
		Stdin:      aws.ToBool(d.Interactive),
		TTY:        aws.ToBool(d.PseudoTerminal),
	}
	if c.Image == "" {
		r.tdFinding(cdPath(i, "image"), mapping.Error, "a container needs an image")
	}
	c.Env = r.env(i, d)
	c.Ports = r.ports(i, d)
	c.Resources = r.resources(i, d)
	r.probe(i, d, role, healthy, &c)
	c.SecurityContext = r.security(i, d)
	c.VolumeMounts = r.mounts(i, d)
	if role == roleSidecar {
		always := corev1.ContainerRestartPolicyAlways
		c.RestartPolicy = &always
		r.tdFinding(cdPath(i, ""), mapping.Info, "native sidecar: an init container with restartPolicy Always, started before the containers that wait for it")
	}
	if role == roleInit {
		r.tdFinding(cdPath(i, ""), mapping.Info, "init container: other containers wait for it to succeed")
	}
	return c
}

// escapeAll escapes a list of ECS strings for Kubernetes expansion.
func escapeAll(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = mapping.EscapeExpansion(s)
	}
	return out
}

// env converts environment and secrets, sorted by name.
func (r *reverser) env(i int, d *types.ContainerDefinition) []corev1.EnvVar {
	var env []corev1.EnvVar
	valid := func(name, p string) bool {
		if errs := validation.IsRelaxedEnvVarName(name); len(errs) > 0 {
			r.tdFinding(p, mapping.Lossy, "%q is not a valid Kubernetes variable name (%s); the variable is kept in the annotation only", name, errs[0])
			return false
		}
		return true
	}
	for j, kv := range d.Environment {
		name := aws.ToString(kv.Name)
		if valid(name, cdPath(i, mapping.Index("environment", j)+".name")) {
			env = append(env, corev1.EnvVar{Name: name, Value: mapping.EscapeExpansion(aws.ToString(kv.Value))})
		}
	}
	for j, s := range d.Secrets {
		name := aws.ToString(s.Name)
		p := cdPath(i, mapping.Index("secrets", j))
		if !valid(name, p+".name") {
			continue
		}
		secret, key, src, renamed := r.secrets.ref(aws.ToString(s.ValueFrom), name)
		env = append(env, corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: secret}, Key: key,
		}}})
		r.secretFinding(p+".valueFrom", secret, key, src, aws.ToString(s.ValueFrom))
		if renamed {
			r.tdFinding(p+".name", mapping.Info, "Secret keys allow only letters, digits, '-', '_' and '.'; the key is %q", key)
		}
	}
	sort.SliceStable(env, func(a, b int) bool { return env[a].Name < env[b].Name })
	return env
}

func (r *reverser) secretFinding(p, secret, key string, src mapping.SecretSource, valueFrom string) {
	what := fmt.Sprintf("SSM parameter %q", src.Name)
	if src.Store == mapping.SecretsManager {
		what = fmt.Sprintf("Secrets Manager secret %q", src.Name)
		if src.JSONKey != "" {
			what += fmt.Sprintf(", JSON key %q", src.JSONKey)
		}
		if src.VersionStage != "" || src.VersionID != "" {
			what += fmt.Sprintf(", version %s%s", src.VersionStage, src.VersionID)
		}
	}
	if r.opts.ExternalSecrets {
		r.tdFs.Add(r.tdPath(p), mapping.Info, "Secret %q key %q is filled by the ExternalSecret %q from %s (%s)", secret, key, secret, what, valueFrom)
		return
	}
	r.tdFs.Add(r.tdPath(p), mapping.Lossy, "Secret %q key %q must be created with the value of %s (%s); podecs never reads secret values (--external-secrets writes an ExternalSecret for it)", secret, key, what, valueFrom)
}

// ports converts port mappings, keeping port names unique within the container.
func (r *reverser) ports(i int, d *types.ContainerDefinition) []corev1.ContainerPort {
	var in []types.PortMapping
	for j, pm := range d.PortMappings {
		if pm.ContainerPort != nil && (*pm.ContainerPort < 1 || *pm.ContainerPort > 65535) {
			r.tdFinding(cdPath(i, mapping.Index("portMappings", j)+".containerPort"), mapping.Lossy, "port %d is outside 1-65535; dropped", *pm.ContainerPort)
			continue
		}
		in = append(in, pm)
		if pm.ContainerPort != nil && pm.AppProtocol != "" {
			if r.appProtocols == nil {
				r.appProtocols = map[int32]string{}
			}
			r.appProtocols[*pm.ContainerPort] = strings.ToLower(string(pm.AppProtocol))
		}
	}
	ports, fs := mapping.PortsFromPortMappings(in, r.tdPath(cdPath(i, "portMappings")))
	r.tdFs = append(r.tdFs, fs...)
	used := map[string]bool{}
	host := r.td.NetworkMode == types.NetworkModeHost
	for j := range ports {
		if n := ports[j].Name; n != "" {
			name := n
			for k := 2; used[name]; k++ {
				name = suffixName(n, k, mapping.MaxK8sPortNameLength)
			}
			used[name] = true
			ports[j].Name = name
		}
		if hp := ports[j].HostPort; hp != 0 && (host || hp < 1 || hp > 65535) {
			r.tdFinding(cdPath(i, "portMappings"), mapping.Lossy, "hostPort %d cannot be expressed for container port %d; dropped", hp, ports[j].ContainerPort)
			ports[j].HostPort = 0
		}
	}
	return ports
}

// resources converts cpu units and MiB.
func (r *reverser) resources(i int, d *types.ContainerDefinition) corev1.ResourceRequirements {
	var res corev1.ResourceRequirements
	if d.Cpu > 0 {
		q, exact := mapping.CPUQuantity(int64(d.Cpu))
		res.Requests = corev1.ResourceList{corev1.ResourceCPU: q}
		if !exact {
			r.tdFinding(cdPath(i, "cpu"), mapping.Info, "%d CPU units have no exact millicore form; requests.cpu is %s", d.Cpu, q.String())
		}
	} else if d.Cpu < 0 {
		r.tdFinding(cdPath(i, "cpu"), mapping.Lossy, "negative cpu %d dropped", d.Cpu)
	}
	mem := aws.ToInt32(d.Memory)
	if mem > 0 {
		res.Limits = corev1.ResourceList{corev1.ResourceMemory: mapping.MemoryQuantity(int64(mem))}
	}
	if resv := aws.ToInt32(d.MemoryReservation); resv > 0 {
		if mem > 0 && resv > mem {
			r.tdFinding(cdPath(i, "memoryReservation"), mapping.Lossy, "memoryReservation %d MiB is above memory %d MiB, which Kubernetes refuses for requests; dropped", resv, mem)
		} else {
			if res.Requests == nil {
				res.Requests = corev1.ResourceList{}
			}
			res.Requests[corev1.ResourceMemory] = mapping.MemoryQuantity(int64(resv))
		}
	}
	for j, rr := range d.ResourceRequirements {
		p := cdPath(i, mapping.Index("resourceRequirements", j))
		n, err := strconv.ParseInt(aws.ToString(rr.Value), 10, 64)
		if rr.Type != types.ResourceTypeGpu || err != nil || n < 0 {
			r.tdFinding(p, mapping.Lossy, "%s %q has no Kubernetes resource; kept in the annotation only", rr.Type, aws.ToString(rr.Value))
			continue
		}
		if res.Limits == nil {
			res.Limits = corev1.ResourceList{}
		}
		res.Limits["nvidia.com/gpu"] = *resource.NewQuantity(n, resource.DecimalSI)
		r.tdFinding(p, mapping.Info, "GPUs become the nvidia.com/gpu resource of the NVIDIA device plugin")
	}
	return res
}
