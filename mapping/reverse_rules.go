package mapping

import (
	"fmt"
	"io"
	"strings"
)

// Carried is the treatment of an ECS field Kubernetes has no equivalent for: the value is kept in a
// podecs.io/ annotation so that converting back to ECS restores it, and a finding reports it.
const Carried Treatment = "carried"

// ECSRule documents one ECS field and what becomes of it on Kubernetes. The tables drive the
// findings for carried fields and the field table of docs/reverse.md.
type ECSRule struct {
	// ECS is the field path in the RegisterTaskDefinition or CreateService input, lists written as
	// [], e.g. containerDefinitions[].logConfiguration.
	ECS string `json:"ecs"`
	// K8s names the Kubernetes field(s) it becomes, empty when none.
	K8s string    `json:"kubernetes,omitempty"`
	How Treatment `json:"treatment"`
	// Level is the finding raised when a Carried field is set.
	Level Level `json:"level,omitempty"`
	// Note states the rule, or why there is no equivalent.
	Note string `json:"note"`
}

func rmap(ecs, k8s, note string) ECSRule { return ECSRule{ECS: ecs, K8s: k8s, How: Mapped, Note: note} }

func rpart(ecs, k8s, note string) ECSRule {
	return ECSRule{ECS: ecs, K8s: k8s, How: Partial, Note: note}
}

func rcarry(ecs string, level Level, note string) ECSRule {
	return ECSRule{ECS: ecs, How: Carried, Level: level, Note: note}
}

// TaskDefinitionRules is the table for a task definition (RegisterTaskDefinition input; the
// describe-task-definition output is read the same way after its read-only fields are dropped).
var TaskDefinitionRules = []ECSRule{
	rmap("family", "metadata.name", "Kubernetes-safe name (lower case, characters outside [a-z0-9-] become '-', at most 63); the workload's name when there is no service; a rewrite is reported"),
	rpart("containerDefinitions[]", "spec.containers[], spec.initContainers[]", "essential containers and those nobody waits for are containers; non-essential containers others depend on with SUCCESS or COMPLETE are init containers, in dependency order; non-essential containers with restartPolicy enabled that others depend on with START or HEALTHY are native sidecars (init containers with restartPolicy Always); the files container podecs writes (docker label podecs.io/files, unedited) becomes the configMap, secret, projected and downwardAPI volumes it fills, with their ConfigMaps"),
	rmap("containerDefinitions[].name", "spec.containers[].name", "Kubernetes-safe (DNS-1123 label), made unique; dependsOn, links and volumesFrom follow the rename"),
	rmap("containerDefinitions[].image", "spec.containers[].image", "identity"),
	rmap("containerDefinitions[].entryPoint", "spec.containers[].command", "identity; \"$\" before \"$\" or \"(\" is doubled so that Kubernetes does not expand $(VAR)"),
	rmap("containerDefinitions[].command", "spec.containers[].args", "identity, escaped as entryPoint"),
	rmap("containerDefinitions[].workingDirectory", "spec.containers[].workingDir", "identity"),
	rmap("containerDefinitions[].environment", "spec.containers[].env[].value", "sorted by name; values escaped as entryPoint; names Kubernetes refuses (not printable ASCII, or with '=') are reported and carried"),
	rmap("containerDefinitions[].secrets", "spec.containers[].env[].valueFrom.secretKeyRef", "a Secret named after the secret or parameter name, key = the JSON key or the variable name; the values are never read, a finding names the ARN to fill the Secret from; --external-secrets adds an ExternalSecret"),
	rcarry("containerDefinitions[].environmentFiles", Unsupported, "S3 environment files are read by ECS at task start; their variables are unknown here (put them in a ConfigMap and use envFrom)"),
	rmap("containerDefinitions[].portMappings", "spec.containers[].ports, Service ports", "containerPort and protocol kept; names made IANA service names (at most 15 characters); a hostPort differing from containerPort kept (bridge mode); appProtocol goes on the Service port; port ranges are carried"),
	rmap("containerDefinitions[].cpu", "resources.requests.cpu", "CPU units to millicores: round(units × 1000 / 1024) (256 → 250m); a value with no exact millicore form is reported"),
	rmap("containerDefinitions[].memory", "resources.limits.memory", "MiB (512 → 512Mi)"),
	rmap("containerDefinitions[].memoryReservation", "resources.requests.memory", "MiB; dropped (and carried) when above memory, which Kubernetes refuses"),
	rpart("containerDefinitions[].resourceRequirements", "resources.limits[nvidia.com/gpu]", "GPU count becomes an nvidia.com/gpu limit; InferenceAccelerator is carried"),
	rmap("containerDefinitions[].healthCheck", "livenessProbe (startupProbe for a sidecar others wait for with HEALTHY)", "a CMD-SHELL curl -fsS URL || exit 1 becomes httpGet, nc -z HOST PORT becomes tcpSocket, grpc_health_probe becomes grpc, other commands exec; interval → periodSeconds, timeout → timeoutSeconds, retries → failureThreshold, startPeriod → initialDelaySeconds (ECS defaults 30/5/3/0 when unset); init containers cannot have probes, so theirs is carried"),
	rmap("containerDefinitions[].essential", "spec.containers[] / spec.initContainers[]", "a non-essential container that is neither an init container nor a sidecar stays a container (Kubernetes has no non-essential containers) and is reported"),
	rmap("containerDefinitions[].dependsOn", "spec.initContainers[] order", "see containerDefinitions[]; conditions Kubernetes cannot express (COMPLETE, START or HEALTHY on an essential container) are reported; the exact list is carried when the order Kubernetes implies differs"),
	rpart("containerDefinitions[].restartPolicy", "restartPolicy Always (sidecar), spec.restartPolicy (Pod)", "a sidecar gets restartPolicy Always; in a Pod, restart on every essential container with ignoredExitCodes [0] is OnFailure, without ignored codes Always, none Never; other settings are carried"),
	rmap("containerDefinitions[].stopTimeout", "spec.terminationGracePeriodSeconds", "the largest stopTimeout of the task; differing per-container values are reported"),
	rmap("containerDefinitions[].user", "securityContext.runAsUser, runAsGroup", "UID or UID:GID; user and group names cannot be expressed and are carried"),
	rmap("containerDefinitions[].privileged", "securityContext.privileged", "identity"),
	rmap("containerDefinitions[].readonlyRootFilesystem", "securityContext.readOnlyRootFilesystem", "identity"),
	rpart("containerDefinitions[].dockerSecurityOptions", "securityContext", "no-new-privileges → allowPrivilegeEscalation false; label: → seLinuxOptions; apparmor: → appArmorProfile; others carried"),
	rmap("containerDefinitions[].interactive", "spec.containers[].stdin", "identity"),
	rmap("containerDefinitions[].pseudoTerminal", "spec.containers[].tty", "identity"),
	rmap("containerDefinitions[].mountPoints", "spec.containers[].volumeMounts", "sourceVolume → name (renamed with the volume), containerPath → mountPath, readOnly kept; a mount of an unknown volume or a repeated path is reported and carried"),
	rpart("containerDefinitions[].linuxParameters", "securityContext.capabilities, emptyDir volumes", "see the members"),
	rmap("containerDefinitions[].linuxParameters.capabilities", "securityContext.capabilities", "add and drop kept"),
	rmap("containerDefinitions[].linuxParameters.tmpfs", "spec.volumes[].emptyDir (medium Memory) + volumeMounts", "sizeLimit = size MiB; the ro option gives a read-only mount; other mount options are carried"),
	rcarry("containerDefinitions[].linuxParameters.devices", Lossy, "host devices cannot be mapped into Kubernetes containers without a device plugin"),
	rcarry("containerDefinitions[].linuxParameters.initProcessEnabled", Lossy, "Kubernetes has no per-container init process; use shareProcessNamespace or an init in the image"),
	rcarry("containerDefinitions[].linuxParameters.maxSwap", Lossy, "swap is a node setting on Kubernetes"),
	rcarry("containerDefinitions[].linuxParameters.swappiness", Lossy, "swap is a node setting on Kubernetes"),
	rcarry("containerDefinitions[].linuxParameters.sharedMemorySize", Lossy, "Kubernetes has no /dev/shm size; mount a memory emptyDir at /dev/shm"),
	rpart("containerDefinitions[].systemControls", "spec.securityContext.sysctls", "when every container has the same list; otherwise carried"),
	rpart("containerDefinitions[].dnsServers", "spec.dnsConfig.nameservers", "when every container has the same list (at most 3) outside awsvpc mode; otherwise carried"),
	rpart("containerDefinitions[].dnsSearchDomains", "spec.dnsConfig.searches", "as dnsServers"),
	rpart("containerDefinitions[].extraHosts", "spec.hostAliases", "when every container has the same list of valid IP addresses; otherwise carried"),
	rcarry("containerDefinitions[].logConfiguration", Lossy, "Kubernetes logs containers' standard output through the cluster's log agent"),
	rcarry("containerDefinitions[].firelensConfiguration", Lossy, "FireLens log routing has no Kubernetes equivalent; run Fluent Bit as a DaemonSet"),
	rcarry("containerDefinitions[].dockerLabels", Info, "Kubernetes does not set Docker labels; pod labels and annotations take their place"),
	rcarry("containerDefinitions[].ulimits", Lossy, "Kubernetes has no per-container ulimits; the container runtime's defaults apply"),
	rcarry("containerDefinitions[].repositoryCredentials", Lossy, "use imagePullSecrets with a docker-registry Secret holding the same credentials"),
	rcarry("containerDefinitions[].links", Info, "containers of a pod share one network namespace and reach each other on localhost"),
	rcarry("containerDefinitions[].volumesFrom", Lossy, "Kubernetes has no volumesFrom; mount the same volumes explicitly"),
	rcarry("containerDefinitions[].hostname", Lossy, "the hostname is the pod's (spec.hostname), not a container's"),
	rcarry("containerDefinitions[].disableNetworking", Lossy, "containers of a pod always share its network"),
	rcarry("containerDefinitions[].startTimeout", Lossy, "Kubernetes has no timeout for a dependency to be met"),
	rcarry("containerDefinitions[].credentialSpecs", Lossy, "gMSA needs securityContext.windowsOptions.gmsaCredentialSpecName and a GMSACredentialSpec object"),
	rcarry("containerDefinitions[].versionConsistency", Info, "Kubernetes resolves image tags when each pod starts; pin a digest for the same effect"),
	rpart("cpu", "resources.limits.cpu of the first essential container", "only when no container sets cpu (Kubernetes has no task-level size); always carried"),
	rpart("memory", "resources.limits.memory of the first essential container", "only when no container sets memory or memoryReservation; always carried"),
	rmap("taskRoleArn", "ServiceAccount with eks.amazonaws.com/role-arn, spec.serviceAccountName", "IAM roles for service accounts; the role's trust policy must allow the cluster's OIDC provider"),
	rcarry("executionRoleArn", Info, "on Kubernetes the node pulls images and External Secrets reads secrets; no pod-level execution role"),
	rpart("networkMode", "spec.hostNetwork", "host → hostNetwork; awsvpc is what pods do anyway (an IP per pod); bridge and none are carried"),
	rpart("pidMode", "spec.shareProcessNamespace, spec.hostPID", "task → shareProcessNamespace; host → hostPID"),
	rpart("ipcMode", "spec.hostIPC", "host → hostIPC; task and none are carried"),
	rpart("runtimePlatform", "spec.nodeSelector", "cpuArchitecture → kubernetes.io/arch; operatingSystemFamily → kubernetes.io/os (the Windows version is carried)"),
	rpart("placementConstraints", "spec.nodeSelector", "memberOf expressions of the form attribute:NAME == VALUE (and ...) become node labels (ecs.instance-type → node.kubernetes.io/instance-type, ecs.availability-zone → topology.kubernetes.io/zone); others are carried"),
	rpart("tags", "metadata.labels, metadata.namespace", "tags that are valid labels become labels; k8s.namespace becomes the namespace; the others are carried in podecs.io/tags"),
	rpart("volumes[]", "spec.volumes[]", "one volume per ECS volume"),
	rmap("volumes[].name", "spec.volumes[].name", "Kubernetes-safe (DNS-1123 label), made unique; mountPoints follow the rename"),
	rmap("volumes[].host", "hostPath", "sourcePath → path; a host volume without sourcePath is an emptyDir"),
	rmap("volumes[].efsVolumeConfiguration", "persistentVolumeClaim", "a PersistentVolumeClaim (ReadWriteMany, storageClassName efs-sc, for the EFS CSI driver); the file system, root directory and access point are carried"),
	rcarry("volumes[].dockerVolumeConfiguration", Lossy, "becomes an emptyDir; Docker volume drivers and shared scope have no Kubernetes equivalent"),
	rcarry("volumes[].fsxWindowsFileServerVolumeConfiguration", Lossy, "becomes an emptyDir; use the FSx CSI driver with a PersistentVolumeClaim"),
	rcarry("volumes[].configuredAtLaunch", Lossy, "becomes an emptyDir; an EBS volume attached at launch needs a PersistentVolumeClaim (EBS CSI driver)"),
	rcarry("volumes[].s3filesVolumeConfiguration", Lossy, "becomes an emptyDir; mount the bucket with the Mountpoint for S3 CSI driver"),
	rcarry("requiresCompatibilities", Info, "launch types do not exist on Kubernetes (a task definition Fargate cannot run is annotated podecs.io/launch-type: EC2, so that the way back targets EC2)"),
	rcarry("ephemeralStorage", Info, "Kubernetes sizes ephemeral storage per container (resources.limits.ephemeral-storage)"),
	rcarry("inferenceAccelerators", Lossy, "Elastic Inference has no Kubernetes equivalent"),
	rcarry("proxyConfiguration", Lossy, "App Mesh proxy configuration has no Kubernetes equivalent; use a service mesh's sidecar injection"),
	rcarry("enableFaultInjection", Info, "ECS fault injection has no Kubernetes equivalent"),
	rcarry("trustedExecutionConfiguration", Lossy, "no Kubernetes equivalent"),
}

// ECSServiceRules is the table for an ECS service (CreateService input; the describe-services
// output is read the same way after its read-only fields are dropped).
var ECSServiceRules = []ECSRule{
	rmap("serviceName", "metadata.name of the Deployment, DaemonSet and Service", "Kubernetes-safe name, as family"),
	rmap("taskDefinition", "spec.template", "matched among the inputs by family, family:revision or ARN; a revision or ARN is carried"),
	rmap("schedulingStrategy", "kind", "REPLICA → Deployment; DAEMON → DaemonSet"),
	rmap("desiredCount", "spec.replicas", "identity"),
	rpart("deploymentConfiguration", "spec.strategy, spec.updateStrategy", "see the members"),
	rmap("deploymentConfiguration.maximumPercent", "spec.strategy.rollingUpdate.maxSurge", "maxSurge = floor(replicas × maximumPercent / 100) − replicas, an integer giving the same task count (default 200); 100 with minimumHealthyPercent 0 is strategy Recreate"),
	rmap("deploymentConfiguration.minimumHealthyPercent", "spec.strategy.rollingUpdate.maxUnavailable", "maxUnavailable = replicas − ceil(replicas × minimumHealthyPercent / 100) (default 100); when both come to 0 maxUnavailable is 1"),
	rcarry("deploymentConfiguration.deploymentCircuitBreaker", Info, "Kubernetes marks a stuck rollout with progressDeadlineSeconds but never rolls back by itself"),
	rcarry("deploymentConfiguration.alarms", Lossy, "CloudWatch alarm rollbacks have no Kubernetes equivalent"),
	rcarry("deploymentConfiguration.strategy", Lossy, "blue/green, linear and canary deployments need a progressive delivery tool (Argo Rollouts, Flagger)"),
	rcarry("deploymentConfiguration.bakeTimeInMinutes", Lossy, "see strategy"),
	rcarry("deploymentConfiguration.canaryConfiguration", Lossy, "see strategy"),
	rcarry("deploymentConfiguration.linearConfiguration", Lossy, "see strategy"),
	rcarry("deploymentConfiguration.lifecycleHooks", Lossy, "see strategy"),
	rcarry("deploymentConfiguration.earlySuccessCriteria", Lossy, "see strategy"),
	rpart("tags", "metadata.labels", "as the task definition's tags; service tags that differ from them are carried"),
	rcarry("cluster", Info, "the cluster is where you apply the manifests"),
	rcarry("launchType", Info, "launch types do not exist on Kubernetes"),
	rcarry("capacityProviderStrategy", Info, "node groups and Karpenter take the place of capacity providers"),
	rcarry("platformVersion", Info, "no Kubernetes equivalent"),
	rcarry("networkConfiguration", Info, "pods get their IP from the cluster's network plugin; security groups for pods need the VPC CNI's SecurityGroupPolicy"),
	rcarry("loadBalancers", Lossy, "becomes a Service of type LoadBalancer over the load-balanced container ports (the listener ports are outside ECS; a Classic Load Balancer is reported); the AWS Load Balancer Controller gives it a new load balancer, or a TargetGroupBinding can reuse the target group"),
	rcarry("serviceRegistries", Lossy, "the Service gives cluster DNS names; Cloud Map registration needs ExternalDNS or the Cloud Map controller"),
	rcarry("serviceConnectConfiguration", Info, "becomes a ClusterIP Service with one port per Service Connect service (the client alias port, sent to the named container port): the same in-cluster name and load balancing; namespace, discovery names and aliases are kept for the way back"),
	rcarry("placementConstraints", Lossy, "use nodeSelector, affinity or topologySpreadConstraints"),
	rcarry("placementStrategy", Lossy, "use topologySpreadConstraints or pod anti-affinity"),
	rcarry("healthCheckGracePeriodSeconds", Lossy, "use a startupProbe or initialDelaySeconds"),
	rcarry("deploymentController", Lossy, "Kubernetes Deployments roll out themselves; CODE_DEPLOY and EXTERNAL controllers have no equivalent"),
	rcarry("propagateTags", Info, "pods carry the template's labels anyway"),
	rcarry("enableECSManagedTags", Info, "no Kubernetes equivalent"),
	rcarry("enableExecuteCommand", Info, "kubectl exec is always available, subject to RBAC"),
	rcarry("role", Info, "no Kubernetes equivalent"),
	rcarry("availabilityZoneRebalancing", Info, "use topologySpreadConstraints on topology.kubernetes.io/zone"),
	rcarry("volumeConfigurations", Lossy, "EBS volumes configured at launch need PersistentVolumeClaims (EBS CSI driver)"),
	rcarry("vpcLatticeConfigurations", Lossy, "use the AWS Gateway API controller for VPC Lattice"),
	rcarry("gatewayConnectors", Lossy, "no Kubernetes equivalent"),
	rcarry("monitoring", Lossy, "no Kubernetes equivalent"),
	rcarry("clientToken", Info, "an idempotency token of the create call; not carried further"),
}

// LookupECSRule finds the rule of an ECS field path in a table; indexes like [3] are ignored.
func LookupECSRule(table []ECSRule, path string) (ECSRule, bool) {
	p := NormalizePath(path)
	for _, r := range table {
		if r.ECS == p {
			return r, true
		}
	}
	return ECSRule{}, false
}

// RenderReverseMarkdown writes the ECS → Kubernetes field tables of docs/reverse.md.
func RenderReverseMarkdown(w io.Writer) error {
	var b strings.Builder
	for _, t := range []struct {
		title string
		rules []ECSRule
	}{{"Task definition → pod template", TaskDefinitionRules}, {"Service → workload", ECSServiceRules}} {
		fmt.Fprintf(&b, "### %s\n\n| ECS field | Kubernetes | treatment | finding | rule |\n|---|---|---|---|---|\n", t.title)
		for _, r := range t.rules {
			level := "—"
			if r.Level != "" {
				level = "`" + string(r.Level) + "`"
			}
			k8s := "—"
			if r.K8s != "" {
				k8s = revCell(r.K8s)
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", r.ECS, k8s, r.How, level, revCell(r.Note))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// revEscaper escapes Markdown table cells: a pipe ends a cell, < starts HTML, * emphasis.
var revEscaper = strings.NewReplacer("|", `\|`, "<", "&lt;", "*", `\*`, "\n", " ")

func revCell(s string) string { return revEscaper.Replace(s) }
