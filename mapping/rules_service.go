package mapping

// Workload kinds that become an ECS service besides their task definition.
const (
	kindDeployment  = "Deployment"
	kindStatefulSet = "StatefulSet"
	kindDaemonSet   = "DaemonSet"
	kindReplicaSet  = "ReplicaSet"
)

// ServiceRule documents one workload field, or one --config setting, and what becomes of it in the
// CreateService input. The pod template of the workload follows PodRules.
type ServiceRule struct {
	// Kinds are the workload kinds the rule applies to.
	Kinds []string `json:"kinds"`
	// Config names the --config setting that supplies the value, when the manifest cannot.
	Config string `json:"config,omitempty"`
	// Rule holds the field (K8s is relative to the workload object, e.g. spec.replicas, and empty
	// when only Config supplies the value) and its treatment. Level is the finding the rule can
	// raise, for every treatment; empty when it raises none.
	Rule
}

// svcRule builds a ServiceRule.
func svcRule(kinds []string, r Rule) ServiceRule { return ServiceRule{Kinds: kinds, Rule: r} }

// svcConfig builds a ServiceRule whose value comes from --config.
func svcConfig(kinds []string, config string, r Rule) ServiceRule {
	return ServiceRule{Kinds: kinds, Config: config, Rule: r}
}

// svcLevel sets the finding level a rule can raise.
func svcLevel(r Rule, l Level) Rule {
	r.Level = l
	return r
}

var (
	svcAll         = []string{kindDeployment, kindStatefulSet, kindDaemonSet, kindReplicaSet}
	svcReplica     = []string{kindDeployment, kindStatefulSet, kindReplicaSet}
	svcDeployment  = []string{kindDeployment}
	svcStatefulSet = []string{kindStatefulSet}
	svcDaemonSet   = []string{kindDaemonSet}
)

// ServiceRules is the table for Deployment, StatefulSet, DaemonSet and ReplicaSet → CreateService
// (convert.Service). Together with PodRules it drives docs/mapping.md and `podecs explain`.
var ServiceRules = []ServiceRule{
	svcRule([]string{kindDeployment, kindStatefulSet}, mapped("kind", "schedulingStrategy REPLICA, deploymentController",
		"a REPLICA service under the ECS deployment controller (deploymentController ECS), which keeps desiredCount tasks running")),
	svcRule([]string{kindReplicaSet}, mapped("kind", "schedulingStrategy REPLICA, deploymentController",
		"a REPLICA service under the ECS deployment controller; ReplicaSets have no rollout settings, so the ECS defaults apply (maximumPercent 200, minimumHealthyPercent 100)")),
	svcRule(svcDaemonSet, svcLevel(mapped("kind", "schedulingStrategy DAEMON, launchType EC2",
		"one task on every container instance that meets the placement constraints, no desiredCount; Fargate cannot run DAEMON services, so a DaemonSet is always converted for EC2, reported when another launch type was asked for"), Info)),
	svcRule(svcAll, mapped("metadata.name", "serviceName, taskDefinition",
		"the ECS-safe name of the task definition family (see metadata.name in the pod template table); taskDefinition names the family without a revision, so the service runs its latest ACTIVE revision")),
	svcRule(svcAll, mapped("metadata.labels", "tags, propagateTags, enableECSManagedTags",
		"the task definition's tags (same limits); propagateTags TASK_DEFINITION copies them to the tasks and enableECSManagedTags adds the cluster and service names")),
	svcRule(svcAll, mapped("spec.template", "taskDefinition",
		"the pod template becomes the task definition (see the pod template table)")),
	svcRule(svcAll, Rule{K8s: "spec.selector", How: Dropped,
		Note: "not reported: an ECS service owns its tasks directly, there is nothing to select"}),
	svcRule(svcReplica, mapped("spec.replicas", "desiredCount", "identity; unset means 1, the Kubernetes default")),

	svcRule(svcDeployment, mapped("spec.strategy.type", "deploymentConfiguration.maximumPercent, minimumHealthyPercent",
		"Recreate → maximumPercent 100, minimumHealthyPercent 0: every old task stops before new ones start; RollingUpdate (the default) follows the rollingUpdate rules")),
	svcRule(svcDeployment, svcLevel(partial("spec.strategy.rollingUpdate", "deploymentConfiguration.maximumPercent, minimumHealthyPercent",
		"percentages chosen so that ECS, with its own rounding, allows exactly the task counts Kubernetes would; task counts no whole percentage reproduces (possible only above 100 replicas) get the nearest percentages and a lossy finding; an invalid value is an error and the Deployment is not converted"), Error)),
	svcRule(svcDeployment, mapped("spec.strategy.rollingUpdate.maxSurge", "deploymentConfiguration.maximumPercent",
		"a count or a percentage of replicas (default 25%, rounded up as Kubernetes does); maximumPercent = ceil(100 × (replicas + surge) / replicas), so that ECS, which runs at most floor(replicas × maximumPercent / 100) tasks, allows exactly replicas + surge; 0 replicas → the ECS default 200")),
	svcRule(svcDeployment, mapped("spec.strategy.rollingUpdate.maxUnavailable", "deploymentConfiguration.minimumHealthyPercent",
		"a count or a percentage of replicas (default 25%, rounded down), at most replicas; minimumHealthyPercent = floor(100 × (replicas − unavailable) / replicas), so that ECS, which keeps at least ceil(replicas × minimumHealthyPercent / 100) tasks healthy, keeps exactly replicas − unavailable; when maxSurge and maxUnavailable both come to 0, maxUnavailable 1 is used as the Kubernetes deployment controller does; 0 replicas → the ECS default 100")),
	svcRule(svcDeployment, svcLevel(mapped("spec.progressDeadlineSeconds", "deploymentConfiguration.deploymentCircuitBreaker",
		"reported when set to other than the default 600: ECS has no time-based deadline; the deployment circuit breaker, enabled on every service, stops a rollout after a number of failed tasks instead (half of desiredCount, at least 3, at most 200)"), Lossy)),
	svcRule(svcAll, drop("spec.minReadySeconds", Lossy,
		"ECS has no minimum ready time; a health check start period is the nearest setting")),
	svcRule(svcDeployment, drop("spec.paused", Lossy, "ECS services cannot be paused; the service deploys at once")),
	svcRule([]string{kindDeployment, kindStatefulSet, kindDaemonSet}, drop("spec.revisionHistoryLimit", Info, "ECS keeps every task definition revision; deregister old ones yourself", "10")),

	svcRule(svcStatefulSet, svcLevel(partial("spec", "",
		"always reported: ECS tasks have no stable identity, no ordinal hostnames (pod-0, pod-1) and no ordered start or stop"), Lossy)),
	svcRule(svcStatefulSet, mapped("spec.updateStrategy.rollingUpdate.maxUnavailable", "deploymentConfiguration.maximumPercent, minimumHealthyPercent",
		"StatefulSets never surge: maximumPercent 100; minimumHealthyPercent as for a Deployment's maxUnavailable; unset → one task at a time, floor(100 × (replicas − 1) / replicas), 0 for a single replica; a value no whole percentage reproduces (above 100 replicas only) gets the nearest percentages and a lossy finding; an invalid value is an error")),
	svcRule(svcStatefulSet, drop("spec.updateStrategy.rollingUpdate.partition", Lossy,
		"reported when above 0: ECS updates every task; partitioned rollouts are not possible")),
	svcRule(svcStatefulSet, drop("spec.updateStrategy.type", Lossy,
		"OnDelete is reported: ECS replaces tasks on every deployment", "RollingUpdate")),
	svcRule(svcStatefulSet, drop("spec.podManagementPolicy", Lossy,
		"OrderedReady (the default) is reported: ECS starts and stops tasks in parallel, as Parallel does", "Parallel")),
	svcRule(svcStatefulSet, drop("spec.ordinals", Unsupported, "ECS tasks have no ordinals")),
	svcRule(svcStatefulSet, drop("spec.volumeClaimTemplates", Unsupported,
		"each claim template is reported: ECS has no persistent volume that follows a task; the claim becomes an EFS volume shared by all tasks when volumes in --config maps it, else an empty task volume")),
	svcRule(svcStatefulSet, drop("spec.serviceName", Lossy,
		"no per-pod DNS names; use Cloud Map service discovery (serviceRegistries) instead of the headless Service")),
	svcRule(svcStatefulSet, drop("spec.persistentVolumeClaimRetentionPolicy", Unsupported, "no per-task volumes to retain")),

	svcRule(svcDaemonSet, svcLevel(mapped("spec.updateStrategy.rollingUpdate", "deploymentConfiguration.maximumPercent, minimumHealthyPercent",
		"a DAEMON service always gets maximumPercent 100 and minimumHealthyPercent 0: it replaces its tasks instance by instance; maxSurge and maxUnavailable other than the defaults (0 and 1) are reported as they are not carried"), Lossy)),
	svcRule(svcDaemonSet, drop("spec.updateStrategy.type", Lossy, "OnDelete is reported: ECS replaces tasks on every deployment", "RollingUpdate")),

	svcRule(svcAll, svcLevel(mapped("spec.template.spec.affinity.podAntiAffinity", "placementConstraints distinctInstance",
		"EC2 only: a required anti-affinity term on kubernetes.io/hostname becomes a distinctInstance constraint (at most one task per instance); the rest of affinity follows the pod template rule spec.affinity"), Info)),

	svcConfig(svcAll, "network", svcLevel(mapped("", "networkConfiguration.awsvpcConfiguration",
		"awsvpc task definitions get subnets, securityGroups and assignPublicIp (default DISABLED) from network in --config; assignPublicIp ENABLED is for Fargate only, so an EC2 workload gets DISABLED, reported at config.network.assignPublicIp; without subnets the service has no networkConfiguration, reported at config.network.subnets"), Lossy)),
	svcConfig(svcAll, "cluster", mapped("", "cluster", "the cluster the service is created in; default \"default\"")),
	svcConfig(svcAll, "launchType", mapped("", "launchType",
		"the launch type the task definition was converted for: FARGATE (default) or EC2 from --launch-type or launchType in --config, or with auto each workload's own (see the launch type table); a DaemonSet is always EC2")),
	svcConfig(svcAll, "platformVersion", mapped("", "platformVersion", "Fargate services only; omitted when empty (ECS then uses LATEST)")),
	svcConfig(svcAll, "circuitBreakerRollback", mapped("", "deploymentConfiguration.deploymentCircuitBreaker",
		"enabled on every service, so a rollout whose tasks keep failing stops; rollback from circuitBreakerRollback (default false: Kubernetes never rolls back by itself)")),
}
