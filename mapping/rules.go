package mapping

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
)

// Treatment says how the converter handles a Kubernetes field.
type Treatment string

// Treatments.
const (
	// Mapped: a rule converts the field (and raises its own findings where it loses something).
	Mapped Treatment = "mapped"
	// Partial: some of the field's members are mapped; each member has a rule of its own.
	Partial Treatment = "partial"
	// Dropped: ECS has no equivalent; the field is reported whenever it is set.
	Dropped Treatment = "dropped"
)

// Rule documents one Kubernetes field and what becomes of it in ECS. The rule table drives the
// converter's report of unmapped fields, the field table in docs/mapping.md and `podecs explain`.
type Rule struct {
	// K8s is the field path in a pod template, lists written as [], e.g. spec.containers[].image.
	K8s string `json:"kubernetes"`
	// ECS names the task definition or service field(s) it becomes, empty when none.
	ECS string    `json:"ecs,omitempty"`
	How Treatment `json:"treatment"`
	// Level is the finding raised for a Dropped field.
	Level Level `json:"level,omitempty"`
	// Defaults are values (as printed by fmt's %v) that equal Kubernetes' default and are not
	// reported when Dropped, e.g. dnsPolicy ClusterFirst.
	Defaults []string `json:"defaults,omitempty"`
	// Note states the rule: units, rounding, ranges, conditions, or why there is no equivalent.
	Note string `json:"note"`
}

// drop builds a Dropped rule.
func drop(path string, level Level, note string, defaults ...string) Rule {
	return Rule{K8s: path, How: Dropped, Level: level, Note: note, Defaults: defaults}
}

// mapped builds a Mapped rule.
func mapped(path, ecs, note string) Rule { return Rule{K8s: path, ECS: ecs, How: Mapped, Note: note} }

// partial builds a Partial rule.
func partial(path, ecs, note string) Rule { return Rule{K8s: path, ECS: ecs, How: Partial, Note: note} }

// PodRules is the table for the pod template (Pod spec and the template of every workload kind).
var PodRules = []Rule{
	mapped("metadata.name", "family", "ECS-safe name: characters outside [A-Za-z0-9_-] become '-', at most 255; rewrites are reported"),
	mapped("metadata.namespace", "tags[k8s.namespace]", "kept as a tag so that the way back and diffs know it"),
	mapped("metadata.labels", "tags", "sorted; at most 50, key ≤ 128, value ≤ 256, no aws: prefix; the rest is reported and dropped"),
	drop("metadata.annotations", Lossy, "annotations are not carried (ECS tags are too small for them)"),
	partial("spec", "", "the pod spec"),
	partial("spec.containers[]", "containerDefinitions[] (essential: true)", "one container definition per container; at most 10 containers per task including init containers"),
	mapped("spec.containers[].name", "containerDefinitions[].name", "identity (every DNS-1123 label is a valid ECS name)"),
	mapped("spec.containers[].image", "containerDefinitions[].image", "identity"),
	mapped("spec.containers[].command", "containerDefinitions[].entryPoint", "Kubernetes command replaces the image ENTRYPOINT; $(VAR) references to literal env values are expanded, others reported"),
	mapped("spec.containers[].args", "containerDefinitions[].command", "Kubernetes args replace the image CMD; $(VAR) expanded as for command"),
	mapped("spec.containers[].workingDir", "containerDefinitions[].workingDirectory", "identity"),
	mapped("spec.containers[].ports", "containerDefinitions[].portMappings", "containerPort kept; protocol lower-cased (SCTP unsupported); name kept for Service Connect; hostPort must equal containerPort under awsvpc; hostIP dropped"),
	mapped("spec.containers[].env", "containerDefinitions[].environment / secrets", "values kept (sorted by name); ConfigMap keys in the input inlined; Secret keys become secrets with ARNs from --config; fieldRef to name/namespace/labels/annotations/serviceAccountName inlined, other fieldRefs dropped; resourceFieldRef computed once"),
	mapped("spec.containers[].envFrom", "containerDefinitions[].environment / secrets", "expanded key by key (with prefix) from the ConfigMaps and Secrets in the input; env wins over envFrom as in Kubernetes"),
	mapped("spec.containers[].resources", "containerDefinitions[].cpu / memory / memoryReservation, task cpu / memory", "requests.cpu → cpu units (1024 per core, rounded up); limits.memory → memory, requests.memory → memoryReservation (MiB, rounded up; only memory when equal); Fargate task size = smallest valid size covering the sum of limits (requests where no limit); nvidia.com/gpu → resourceRequirements GPU (EC2); ephemeral-storage → ephemeralStorage (Fargate, 21–200 GiB)"),
	drop("spec.containers[].resizePolicy", Info, "ECS cannot resize a running task; a new task definition revision is needed"),
	mapped("spec.containers[].restartPolicy", "containerDefinitions[].essential, restartPolicy, dependsOn", "an init container with restartPolicy Always is a native sidecar: not essential but restarted in place (restartPolicy enabled), started before the app containers (dependsOn START, or HEALTHY when it has a startup probe)"),
	drop("spec.containers[].restartPolicyRules", Lossy, "per-container restart rules have no exact ECS equivalent"),
	mapped("spec.containers[].volumeMounts", "containerDefinitions[].mountPoints, linuxParameters.tmpfs", "name → sourceVolume, mountPath → containerPath, readOnly kept; subPath, subPathExpr, mountPropagation and recursiveReadOnly are reported. Mounts of configMap, secret, projected and downwardAPI volumes are read-only (the kubelet mounts them so); a subPath naming a directory of such a volume becomes a task volume the files container fills with that directory, a subPath naming a file cannot be mounted (ECS mounts directories) and is reported"),
	drop("spec.containers[].volumeDevices", Unsupported, "raw block devices cannot be attached to ECS containers"),
	mapped("spec.containers[].livenessProbe", "containerDefinitions[].healthCheck", "exec → CMD; httpGet → CMD-SHELL curl; tcpSocket → nc -z; grpc → grpc_health_probe; periodSeconds → interval (5–300), timeoutSeconds → timeout (2–60), failureThreshold → retries (1–10), initialDelaySeconds → startPeriod (0–300), each clamped with a finding"),
	mapped("spec.containers[].readinessProbe", "containerDefinitions[].healthCheck", "used only when there is no livenessProbe; readiness gating belongs to the load balancer's target group"),
	mapped("spec.containers[].startupProbe", "containerDefinitions[].healthCheck.startPeriod", "its window (initialDelay + failureThreshold × period) is folded into startPeriod; a startup probe alone becomes the health check itself (lossy: ECS keeps running it)"),
	partial("spec.containers[].lifecycle", "", "container hooks"),
	drop("spec.containers[].lifecycle.postStart", Unsupported, "ECS has no post-start hook"),
	drop("spec.containers[].lifecycle.preStop", Unsupported, "ECS has no pre-stop hook; containers get SIGTERM, then SIGKILL after stopTimeout"),
	drop("spec.containers[].lifecycle.stopSignal", Unsupported, "ECS sends the image's STOPSIGNAL; it cannot be set in the task definition"),
	drop("spec.containers[].terminationMessagePath", Lossy, "no termination message file in ECS (the stopped reason is set by ECS)", "/dev/termination-log"),
	drop("spec.containers[].terminationMessagePolicy", Lossy, "no termination message in ECS", "File"),
	drop("spec.containers[].imagePullPolicy", Info, "ECS pulls the image when a task starts (the agent's ECS_IMAGE_PULL_BEHAVIOR decides on EC2)", "Always", "IfNotPresent"),
	mapped("spec.containers[].securityContext", "containerDefinitions[].user, privileged, readonlyRootFilesystem, linuxParameters.capabilities, dockerSecurityOptions", "pod-level values apply where the container sets none; runAsUser/runAsGroup → user UID:GID; capabilities without CAP_ prefix; privileged and capability adds other than SYS_PTRACE are refused on Fargate; seccomp, procMount and Windows options reported"),
	mapped("spec.containers[].stdin", "containerDefinitions[].interactive", "identity"),
	drop("spec.containers[].stdinOnce", Lossy, "ECS keeps stdin open for the life of the container"),
	mapped("spec.containers[].tty", "containerDefinitions[].pseudoTerminal", "identity"),
	partial("spec.initContainers[]", "containerDefinitions[] (essential: false)", "run to completion before the app containers: each app container dependsOn every init container with SUCCESS, and each init container on the previous one; restartPolicy Always makes a native sidecar (restarted in place, START or HEALTHY)"),
	drop("spec.ephemeralContainers", Unsupported, "debug containers are added to running pods; use ECS Exec instead"),
	mapped("spec.volumes", "volumes", "emptyDir → task volume (memory medium → tmpfs on EC2); hostPath → host.sourcePath (EC2); persistentVolumeClaim → EFS from --config; configMap, secret, projected and downwardAPI → a task volume the files container fills (below); other sources reported"),
	mapped("spec.volumes[].configMap", "volumes[], containerDefinitions[podecs-files]", "a task volume filled before any other container starts by the files container (busybox, not essential; every container dependsOn it with SUCCESS): one file per key of data and binaryData, or per items entry at its path; mode = items[].mode, else defaultMode, else 0644 (fsGroup adds group read and ownership); the content travels in the files container's environment (the ConfigMap must be in the input, in any file of the run); optional and a missing key behave as in Kubernetes; the volume is dropped with a finding when the task definition would exceed 64 KiB or 10 containers"),
	mapped("spec.volumes[].secret", "volumes[], containerDefinitions[podecs-files].secrets", "as configMap, but each key reaches the files container through ECS secrets (the ARN from secrets in --config: Secrets Manager JSON key or SSM parameter, as for env) and its value never appears in the task definition; the keys come from the Secret manifest (values never read), items, per-key entries of secrets in --config, or the podecs.io/secret-keys annotation; optional has no ECS equivalent"),
	mapped("spec.volumes[].projected", "volumes[], containerDefinitions[podecs-files]", "configMap, secret and downwardAPI sources written into one directory (a later source wins a path), with the volume's defaultMode; serviceAccountToken (use the task role), clusterTrustBundle and podCertificate sources are reported"),
	mapped("spec.volumes[].downwardAPI", "volumes[], containerDefinitions[podecs-files].environment", "metadata.name (the workload's name: lossy for controllers), namespace, labels and annotations (key=\"value\" lines, sorted) and resourceFieldRef values are written as they are when the task definition is written; metadata.uid and other run-time fields are reported"),
	mapped("spec.restartPolicy", "containerDefinitions[].restartPolicy", "OnFailure → restartPolicy enabled with ignoredExitCodes [0]; Always is what an ECS service does anyway; Never → no restart"),
	mapped("spec.terminationGracePeriodSeconds", "containerDefinitions[].stopTimeout", "on every container; Fargate 2–120 s, clamped with a finding"),
	drop("spec.activeDeadlineSeconds", Unsupported, "ECS tasks have no deadline"),
	drop("spec.dnsPolicy", Lossy, "ECS tasks use the VPC resolver; cluster DNS (*.svc.cluster.local) does not exist — use Service Connect or Cloud Map", "ClusterFirst", "Default"),
	mapped("spec.nodeSelector", "runtimePlatform, placementConstraints", "kubernetes.io/arch → runtimePlatform.cpuArchitecture; kubernetes.io/os → operatingSystemFamily; other labels → memberOf constraints (EC2): instance type → attribute:ecs.instance-type, zone → attribute:ecs.availability-zone, others → attribute:<key>"),
	mapped("spec.serviceAccountName", "taskRoleArn", "from the ServiceAccount's eks.amazonaws.com/role-arn annotation in the input, or serviceAccounts in --config"),
	mapped("spec.serviceAccount", "taskRoleArn", "deprecated alias of serviceAccountName"),
	drop("spec.automountServiceAccountToken", Info, "ECS tasks get credentials from the task role, not a token file"),
	drop("spec.nodeName", Unsupported, "ECS places tasks itself; pinning to a node has no equivalent"),
	mapped("spec.hostNetwork", "networkMode host", "EC2 only; on Fargate it is an error"),
	mapped("spec.hostPID", "pidMode host", "EC2 only"),
	mapped("spec.hostIPC", "ipcMode host", "EC2 only"),
	mapped("spec.shareProcessNamespace", "pidMode task", "containers of the task share one PID namespace"),
	mapped("spec.securityContext", "containerDefinitions[] user, linuxParameters, systemControls", "runAsUser/runAsGroup/runAsNonRoot/seLinuxOptions/seccomp apply to each container without its own; sysctls → systemControls; fsGroup, supplementalGroups and fsGroupChangePolicy are reported"),
	mapped("spec.imagePullSecrets", "containerDefinitions[].repositoryCredentials", "the Secrets Manager ARN from registryCredentials in --config; ECR images need none"),
	drop("spec.hostname", Lossy, "ECS sets hostname only outside awsvpc mode; not carried"),
	drop("spec.subdomain", Lossy, "no per-pod DNS records in ECS; use Cloud Map"),
	drop("spec.affinity", Lossy, "node and pod affinity have no ECS task-definition equivalent (placement strategies are set on services)"),
	drop("spec.schedulerName", Lossy, "ECS schedules tasks itself", "default-scheduler"),
	drop("spec.tolerations", Info, "ECS has no taints"),
	mapped("spec.hostAliases", "containerDefinitions[].extraHosts", "one entry per hostname; not allowed with awsvpc, so only under hostNetwork on EC2, else reported"),
	drop("spec.priorityClassName", Lossy, "ECS has no task priority or preemption"),
	drop("spec.priority", Lossy, "ECS has no task priority or preemption"),
	mapped("spec.dnsConfig", "containerDefinitions[].dnsServers, dnsSearchDomains", "nameservers and searches on every container (not allowed with awsvpc: reported there); options dropped"),
	drop("spec.readinessGates", Lossy, "no readiness gates; use load balancer health checks"),
	drop("spec.runtimeClassName", Lossy, "ECS picks the container runtime itself"),
	drop("spec.enableServiceLinks", Info, "ECS does not inject service environment variables", "true"),
	drop("spec.preemptionPolicy", Lossy, "ECS has no preemption", "PreemptLowerPriority"),
	drop("spec.overhead", Info, "set by RuntimeClass admission; not carried"),
	drop("spec.topologySpreadConstraints", Lossy, "ECS services spread tasks across Availability Zones by default; exact skew constraints are not carried"),
	drop("spec.setHostnameAsFQDN", Lossy, "no pod FQDN in ECS"),
	mapped("spec.os", "runtimePlatform.operatingSystemFamily", "linux → LINUX; windows → WINDOWS_SERVER_2022_CORE with a finding (choose the version)"),
	drop("spec.hostUsers", Lossy, "user namespaces are not configurable in ECS", "true"),
	drop("spec.schedulingGates", Lossy, "ECS has no scheduling gates"),
	drop("spec.resourceClaims", Unsupported, "dynamic resource allocation has no ECS equivalent"),
	mapped("spec.resources", "task cpu / memory", "pod-level limits size the task (Fargate: rounded up to a valid size)"),
	drop("spec.hostnameOverride", Lossy, "no pod hostname in ECS awsvpc mode"),
	drop("spec.workloadRef", Lossy, "workload scheduling references have no ECS equivalent"),
	drop("spec.schedulingGroup", Lossy, "scheduling groups have no ECS equivalent"),
	drop("spec.evictionResponders", Lossy, "ECS has no eviction responders"),
}

// InitContainerRules are the rules of spec.initContainers[] members that differ from containers.
func init() {
	var extra []Rule
	for _, r := range PodRules {
		if rest, ok := strings.CutPrefix(r.K8s, "spec.containers[]."); ok {
			r.K8s = "spec.initContainers[]." + rest
			extra = append(extra, r)
		}
	}
	PodRules = append(PodRules, extra...)
}

// ruleIndex maps each rule path of PodRules to its rule, built on first use.
var ruleIndex = sync.OnceValue(func() map[string]Rule {
	ix := make(map[string]Rule, len(PodRules))
	for _, r := range PodRules {
		ix[r.K8s] = r
	}
	return ix
})

// LookupRule finds the rule of a field path; indexes like [3] or ["key"] are ignored.
func LookupRule(path string) (Rule, bool) {
	r, ok := ruleIndex()[NormalizePath(path)]
	return r, ok
}

// NormalizePath replaces every index of a path with []: spec.containers[2].env["A"] becomes
// spec.containers[].env[].
func NormalizePath(p string) string { return replaceIndexes(p, "[]") }

// replaceIndexes replaces each bracketed index of a path ("[2]", `["A"]`) with repl.
func replaceIndexes(p, repl string) string {
	if !strings.Contains(p, "[") {
		return p
	}
	var b strings.Builder
	b.Grow(len(p))
	for {
		open := strings.IndexByte(p, '[')
		if open < 0 {
			break
		}
		end := strings.IndexByte(p[open:], ']')
		if end < 0 {
			break
		}
		b.WriteString(p[:open])
		b.WriteString(repl)
		p = p[open+end+1:]
	}
	b.WriteString(p)
	return b.String()
}

// ReportDropped walks a value (a PodSpec, ObjectMeta, …) whose rule path is path (e.g. "spec")
// and reports every set field whose rule is Dropped, descending into Partial fields; finding paths
// are prefixed with prefix (e.g. "spec.template" for a Deployment). Fields with no rule at all are
// reported as unsupported, so that nothing is ever dropped silently.
func ReportDropped(v any, prefix, path string) Findings {
	var fs Findings
	walk(reflect.ValueOf(v), prefix, path, &fs)
	return fs
}

func walk(v reflect.Value, prefix, path string, fs *Findings) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			walk(v.Index(i), prefix, Index(strings.TrimSuffix(path, "[]"), i), fs)
		}
		return
	case reflect.Struct:
	default:
		return
	}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := jsonName(f)
		if name == "" || !f.IsExported() {
			continue
		}
		fv := v.Field(i)
		if isEmpty(fv) {
			continue
		}
		child := Join(path, name)
		key := NormalizePath(child)
		if fv.Kind() == reflect.Slice {
			if r, ok := ruleIndex()[key+"[]"]; ok && r.How == Partial {
				walk(fv, prefix, child+"[]", fs)
				continue
			}
		}
		r, ok := ruleIndex()[key]
		switch {
		case !ok:
			fs.Add(Join(prefix, child), Unsupported, "podecs has no rule for this field; dropped")
		case r.How == Partial:
			walk(fv, prefix, child, fs)
		case r.How == Dropped:
			if val := fmt.Sprint(reflect.Indirect(fv).Interface()); !contains(r.Defaults, val) {
				fs.Add(Join(prefix, child), r.Level, "%s", r.Note)
			}
		}
	}
}

// isEmpty reports whether a field is unset: zero, an empty list or map, or a pointer to an empty
// struct (`affinity: {}` in a manifest sets nothing).
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Slice, reflect.Map:
		return v.Len() == 0
	case reflect.Pointer:
		return v.IsNil() || (v.Elem().Kind() == reflect.Struct && v.Elem().IsZero())
	}
	return v.IsZero()
}

func jsonName(f reflect.StructField) string {
	tag := f.Tag.Get("json")
	name, _, _ := strings.Cut(tag, ",")
	if name == "-" {
		return ""
	}
	if name == "" && !f.Anonymous {
		return ""
	}
	return name
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// RulePaths lists the paths of all rules, sorted.
func RulePaths() []string {
	out := make([]string, 0, len(ruleIndex()))
	for k := range ruleIndex() {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
