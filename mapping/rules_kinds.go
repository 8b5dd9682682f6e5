package mapping

// The objects around the workloads: what a Job, a CronJob, a Service and a HorizontalPodAutoscaler
// add to the task definition and service, as files of their own or as service settings. Like
// ServiceRules, these tables document the converter's rules and are rendered into docs/mapping.md;
// the rules themselves are RunTask, Schedules and the Service and autoscaler functions of package
// convert, built from the mapping rules of cron.go, servicenet.go and autoscaling.go.

// KindSection is the rule table of one object kind with what it is written as.
type KindSection struct {
	// Title is the section heading, e.g. "Job → RunTask input".
	Title string
	// Intro says what the section's files are and when they are written.
	Intro string
	// Rules are the fields; K8s paths are relative to the object, Config rows come from --config.
	Rules []ServiceRule
}

var (
	kindJob     = []string{"Job"}
	kindCronJob = []string{"CronJob"}
	kindService = []string{"Service"}
	kindHPA     = []string{"HorizontalPodAutoscaler"}
)

// JobRules is the table for Job → RunTask input (N.runtask.json).
var JobRules = []ServiceRule{
	svcRule(kindJob, mapped("spec.template", "taskDefinition",
		"the pod template becomes the task definition (see the pod template table); taskDefinition names its family, so RunTask starts the latest ACTIVE revision")),
	svcRule(kindJob, mapped("metadata.name", "startedBy",
		"the ECS-safe name, at most 128 characters: ecs list-tasks --started-by NAME finds the Job's tasks")),
	svcRule(kindJob, svcLevel(mapped("spec.parallelism", "count",
		"default 1, at most completions; ECS starts 1 to 10 tasks per call: 0 becomes 1 and more than 10 becomes 10, reported with the number of further calls"), Lossy)),
	svcRule(kindJob, svcLevel(partial("spec.completions", "count",
		"limits count; more completions than tasks started at once are reported: ECS starts count tasks once and starts no more as they finish"), Lossy)),
	svcRule(kindJob, drop("spec.backoffLimit", Lossy,
		"ECS does not retry the failed tasks of a run-task call (0 is what ECS does); restartPolicy OnFailure becomes a container restart policy that restarts in place", "0")),
	svcRule(kindJob, drop("spec.activeDeadlineSeconds", Unsupported, "ECS tasks have no deadline; stop a task that runs too long with ecs stop-task")),
	svcRule(kindJob, drop("spec.ttlSecondsAfterFinished", Info, "stopped ECS tasks are removed by ECS itself")),
	svcRule(kindJob, drop("spec.backoffLimitPerIndex", Unsupported, "per-index backoff limits have no ECS equivalent")),
	svcRule(kindJob, drop("spec.maxFailedIndexes", Unsupported, "per-index backoff limits have no ECS equivalent")),
	svcRule(kindJob, drop("spec.completionMode", Unsupported, "indexed completion has no ECS equivalent", "NonIndexed")),
	svcRule(kindJob, drop("spec.podFailurePolicy", Unsupported, "ECS has no pod failure policies")),
	svcRule(kindJob, drop("spec.successPolicy", Unsupported, "ECS has no success policies")),
	svcRule(kindJob, drop("spec.podReplacementPolicy", Info, "ECS does not replace the tasks of a run-task call")),
	svcRule(kindJob, svcLevel(mapped("spec.suspend", "",
		"the RunTask input is written all the same, to be run when the Job should start"), Info)),
	svcConfig(kindJob, "cluster", mapped("", "cluster", "the cluster the tasks run in; default \"default\"")),
	svcConfig(kindJob, "launchType", mapped("", "launchType, platformVersion",
		"the launch type the task definition was converted for (FARGATE with platformVersion from --config, or EC2)")),
	svcConfig(kindJob, "network", svcLevel(mapped("", "networkConfiguration.awsvpcConfiguration",
		"subnets, securityGroups and assignPublicIp for awsvpc task definitions (DISABLED for an EC2 workload: a public IP is for Fargate only, reported at config.network.assignPublicIp); without subnets there is none, reported at config.network.subnets"), Lossy)),
	svcRule(kindJob, mapped("(always)", "propagateTags, enableECSManagedTags",
		"always TASK_DEFINITION and true: the tasks carry the task definition's tags and the cluster name; there are no overrides, the task definition says everything")),
}

// CronJobRules is the table for CronJob → EventBridge Scheduler CreateSchedule input
// (N.schedule.json).
var CronJobRules = []ServiceRule{
	svcRule(kindCronJob, mapped("spec.jobTemplate.spec.template", "Target.EcsParameters.TaskDefinitionArn",
		"the pod template becomes the task definition; the schedule names its family's ARN without a revision, so each run starts the latest ACTIVE revision")),
	svcRule(kindCronJob, mapped("metadata.name", "Name",
		"the ECS-safe name cut to the 64 characters a schedule name takes (a second schedule is NAME-2)")),
	svcRule(kindCronJob, svcLevel(mapped("spec.schedule", "ScheduleExpression",
		"5-field Kubernetes cron to 6-field cron(minutes hours day-of-month month day-of-week year): day-of-week 0-6 (Sunday 0) becomes 1-7 (Sunday 1), names stay, steps in day-of-week become lists, a star day field becomes ?, the year is *; macros (@hourly, @daily, …) become cron(...), @every a whole number of minutes rate(...). When both day fields are restricted Kubernetes runs on days matching either: two schedules are written, N.schedule.json (day of month) and N-2.schedule.json (day of week), and a day matching both runs twice (lossy). A schedule with no EventBridge form is unsupported and no schedule is written; an invalid one is an error"), Lossy)),
	svcRule(kindCronJob, svcLevel(mapped("spec.timeZone", "ScheduleExpressionTimezone",
		"identity (both take IANA zone names); a TZ= or CRON_TZ= prefix of the schedule is used when timeZone is not set; without either, reported: Kubernetes uses the kube-controller-manager's zone, EventBridge Scheduler UTC"), Info)),
	svcRule(kindCronJob, mapped("spec.suspend", "State", "true → DISABLED, otherwise ENABLED")),
	svcRule(kindCronJob, drop("spec.concurrencyPolicy", Lossy,
		"Forbid and Replace have no equivalent: every occurrence starts its tasks, as Allow does", "Allow")),
	svcRule(kindCronJob, svcLevel(mapped("spec.startingDeadlineSeconds", "Target.RetryPolicy.MaximumEventAgeInSeconds",
		"clamped to 60-86400 s: the scheduler gives up on a run it could not start within that time, where Kubernetes skips a run missed by more than the deadline"), Lossy)),
	svcRule(kindCronJob, drop("spec.successfulJobsHistoryLimit", Info, "ECS keeps stopped tasks for a while by itself")),
	svcRule(kindCronJob, drop("spec.failedJobsHistoryLimit", Info, "ECS keeps stopped tasks for a while by itself")),
	svcRule(kindCronJob, mapped("spec.jobTemplate.spec.parallelism", "Target.EcsParameters.TaskCount",
		"as a Job's count: default 1, at most completions, 1 to 10; the other Job fields follow the Job table")),
	svcRule(kindCronJob, mapped("(always)", "FlexibleTimeWindow", "Mode OFF: the tasks start at the scheduled time, as a CronJob's do")),
	svcConfig(kindCronJob, "cluster", svcLevel(mapped("", "Target.Arn",
		"the cluster's ARN arn:aws:ecs:REGION:ACCOUNT:cluster/NAME from region and accountId; REGION and ACCOUNT_ID placeholders (lossy, reported at config.accountId) when they are not set"), Lossy)),
	svcConfig(kindCronJob, "scheduleRoleArn", svcLevel(mapped("", "Target.RoleArn",
		"the role EventBridge Scheduler assumes to call ecs:RunTask (and iam:PassRole for the task's roles); without it arn:aws:iam::ACCOUNT:role/ecsEventsRole is written and reported"), Lossy)),
	svcConfig(kindCronJob, "network", svcLevel(mapped("", "Target.EcsParameters.NetworkConfiguration, LaunchType, PlatformVersion",
		"as for a Job: the awsvpc configuration (reported when there are no subnets), the task definition's launch type, the Fargate platform version; PropagateTags TASK_DEFINITION and EnableECSManagedTags true"), Lossy)),
}

// KubernetesServiceRules is the table for a Kubernetes Service → the networking of the ECS
// service of the workload it selects.
var KubernetesServiceRules = []ServiceRule{
	svcRule(kindService, svcLevel(mapped("spec.selector", "the ECS service of the selected workload",
		"the first Deployment, StatefulSet or ReplicaSet of the input (any file) in the Service's namespace whose pod template carries every selector label; a Service that also selects other such workloads applies to the first only (lossy: an ECS service owns its discovery names and target groups); one that selects a Pod, Job, CronJob or DaemonSet, or nothing, is reported (info)"), Info)),
	svcRule(kindService, mapped("spec.type ClusterIP", "serviceConnectConfiguration",
		"Service Connect: one ServiceConnectService per Service port; several Services of one workload add their ports to one configuration")),
	svcRule(kindService, mapped("spec.ports[].targetPort", "serviceConnectConfiguration.services[].portName, containerDefinitions[].portMappings[].name",
		"resolved like Kubernetes: a name to the container port of that name, a number (default: port) to the port mapping with that containerPort; Service Connect refers to ports by name, so an unnamed port mapping is named SERVICE-PORT in the task definition (info); a number no container declares gets a port mapping on the first app container (info); an unknown name is an error")),
	svcRule(kindService, mapped("spec.ports[].port", "clientAliases[0].port", "clients keep calling NAME:PORT")),
	svcRule(kindService, svcLevel(mapped("metadata.name", "discoveryName, clientAliases[0].dnsName",
		"the Service name (NAME-PORTNAME with several ports); Service Connect answers the short name only, not NAME.NAMESPACE or the cluster.local name (info)"), Info)),
	svcRule(kindService, svcLevel(mapped("spec.type LoadBalancer, NodePort", "loadBalancers[]",
		"each port whose target group ARN is in targetGroups of --config (keys NAME:PORT, NAME:PORTNAME or NAME, optionally NAMESPACE/) registers the container port its targetPort resolves to; a port without an ARN is not exposed (lossy); at most 5 target groups per service; awsvpc target groups must have target type ip"), Lossy)),
	svcRule(kindService, svcLevel(mapped("readinessProbe of the pod template", "N.targetgroup.json, healthCheckGracePeriodSeconds",
		"the readiness probe of the load-balanced container becomes the target group's health check (HTTP(S) path and port, 200-399; TCP; gRPC), timings fitted into the ELB ranges; its initialDelaySeconds becomes healthCheckGracePeriodSeconds; written only when the service has load balancers"), Info)),
	svcRule(kindService, drop("spec.sessionAffinity", Lossy, "Service Connect balances every request; a target group's stickiness is set outside ECS", "None")),
	svcRule(kindService, drop("spec.loadBalancerSourceRanges", Lossy, "source ranges belong in the load balancer's security group")),
	svcRule(kindService, drop("spec.ports[].nodePort", Info, "ECS has no node ports; the target group sends traffic to the task's port")),
	svcRule(kindService, drop("spec.clusterIP None", Unsupported, "headless Services need a Cloud Map registry (serviceRegistries), not Service Connect")),
	svcRule(kindService, drop("spec.type ExternalName", Unsupported, "a DNS alias; ECS has no equivalent")),
	svcConfig(kindService, "serviceConnectNamespace", svcLevel(mapped("", "serviceConnectConfiguration.namespace",
		"the Cloud Map namespace (name or ARN); without it the service joins its cluster's default Service Connect namespace (info)"), Info)),
	svcConfig(kindService, "targetGroups", mapped("", "loadBalancers[].targetGroupArn",
		"ECS registers tasks in existing target groups only: create them (and the load balancer) first")),
}

// AutoscalerRules is the table for HorizontalPodAutoscaler → Application Auto Scaling inputs
// (N.scaling.json).
var AutoscalerRules = []ServiceRule{
	svcRule(kindHPA, mapped("spec.scaleTargetRef", "RegisterScalableTarget.ResourceId",
		"a Deployment, StatefulSet or ReplicaSet of the input in the same namespace: service/CLUSTER/SERVICE of its ECS service; another kind is unsupported, a missing one reported (info); autoscaling/v1 objects are read as v2 (targetCPUUtilizationPercentage is a cpu Utilization metric)")),
	svcRule(kindHPA, mapped("spec.minReplicas", "RegisterScalableTarget.MinCapacity", "default 1")),
	svcRule(kindHPA, mapped("spec.maxReplicas", "RegisterScalableTarget.MaxCapacity", "below minReplicas is an error")),
	svcRule(kindHPA, svcLevel(mapped("spec.metrics", "PutScalingPolicy[] (PolicyType TargetTrackingScaling), TargetTrackingScalingPolicyConfiguration.TargetValue, PredefinedMetricSpecification",
		"a cpu or memory Resource metric with a Utilization target becomes a target tracking policy on ECSServiceAverageCPUUtilization or ECSServiceAverageMemoryUtilization, named SERVICE-cpu or SERVICE-memory; no metrics means 80% CPU as in Kubernetes; ECS measures against the task's reserved CPU and memory, Kubernetes against requests (info); AverageValue and Value targets and Pods, Object, External and ContainerResource metrics are unsupported"), Unsupported)),
	svcRule(kindHPA, svcLevel(mapped("spec.behavior.scaleUp.stabilizationWindowSeconds", "TargetTrackingScalingPolicyConfiguration.ScaleOutCooldown",
		"default 0; always set, so ECS does not use its 300 s default; a window the user set is lossy: a window looks back at recommendations, a cooldown waits after an activity"), Lossy)),
	svcRule(kindHPA, svcLevel(mapped("spec.behavior.scaleDown.stabilizationWindowSeconds", "TargetTrackingScalingPolicyConfiguration.ScaleInCooldown", "default 300; as scaleUp"), Lossy)),
	svcRule(kindHPA, mapped("spec.behavior.scaleDown.selectPolicy", "TargetTrackingScalingPolicyConfiguration.DisableScaleIn", "Disabled sets DisableScaleIn on every policy")),
	svcRule(kindHPA, mapped("spec.behavior.scaleUp.selectPolicy", "RegisterScalableTarget.SuspendedState.DynamicScalingOutSuspended", "Disabled suspends dynamic scale-out on the target")),
	svcRule(kindHPA, drop("spec.behavior.scaleUp.policies", Lossy, "target tracking has no rate limits: it adds or removes as many tasks as the metric asks for")),
	svcRule(kindHPA, drop("spec.behavior.scaleDown.policies", Lossy, "target tracking has no rate limits")),
	svcRule(kindHPA, drop("spec.behavior.scaleUp.tolerance", Lossy, "target tracking has no configurable tolerance")),
}

// KindSections are the sections of docs/mapping.md after the workload tables, in order.
func KindSections() []KindSection {
	return []KindSection{
		{"Job → RunTask input", "A Job's task definition comes with `N.runtask.json`, the `RunTask` input that starts it (`aws ecs run-task --cli-input-json file://N.runtask.json`). podecs writes it; neither `convert` nor `register` runs it.", JobRules},
		{"CronJob → EventBridge Scheduler schedule", "A CronJob's task definition comes with `N.schedule.json`, the EventBridge Scheduler `CreateSchedule` input with an ECS target (`aws scheduler create-schedule --cli-input-json file://N.schedule.json`), and `N-2.schedule.json` when the schedule needs two. `register` does not create schedules.", CronJobRules},
		{"Service → ECS service networking", "A Kubernetes Service, in any file of the input, sets the Service Connect configuration or the load balancers of the ECS service of the workload it selects, in `N.service.json`, and names the ports it needs in `N.taskdef.json`; with load balancers, `N.targetgroup.json` holds the target group health check. Paths are relative to the Service.", KubernetesServiceRules},
		{"HorizontalPodAutoscaler → Application Auto Scaling", "A HorizontalPodAutoscaler, in any file of the input, becomes `N.scaling.json` for the ECS service of the workload it scales: the `RegisterScalableTarget` input and one `PutScalingPolicy` input per metric. `register` registers both after the service.", AutoscalerRules},
		{"Launch type: Fargate or EC2", "`--launch-type` (or `launchType` in `--config`) says which launch type the task definitions are for: `requiresCompatibilities`, and the `launchType` of the service, the RunTask input and the schedule. With `auto`, recommended for the batch of a whole cluster, each workload gets Fargate unless one of these fields needs EC2. Paths under `spec` are those of the pod template.", LaunchTypeRules},
		{"Pods injected by a service mesh (linkerd, istio)", "A pod template that linkerd or istio injected (`linkerd inject --manual`, `istioctl kube-inject`, or `kubectl get -o yaml` of a running pod) converts as it was before injection, on both launch types. Paths under `spec` are those of the pod template.", MeshRules},
	}
}
