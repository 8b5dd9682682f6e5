package mapping

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// names lists the entries as "table:name" for compact assertions.
func names(es []Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = string(e.Table) + ":" + e.Name()
	}
	return out
}

func sameEntry(a, b Entry) bool {
	return a.Table == b.Table && a.Name() == b.Name() && strings.Join(a.Kinds, ",") == strings.Join(b.Kinds, ",") && a.Note == b.Note
}

func containsEntry(es []Entry, want Entry) bool {
	for _, e := range es {
		if sameEntry(e, want) {
			return true
		}
	}
	return false
}

func TestEntriesCoverEveryTable(t *testing.T) {
	es := Entries()
	i := 0
	next := func(table Table) Entry {
		t.Helper()
		require.Less(t, i, len(es))
		e := es[i]
		i++
		assert.Equal(t, table, e.Table)
		return e
	}
	for _, r := range PodRules {
		assert.Equal(t, Entry{Table: PodTable, Rule: r}, next(PodTable))
	}
	for _, tt := range []struct {
		table Table
		rules []ServiceRule
	}{
		{ServiceTable, ServiceRules}, {JobTable, JobRules}, {CronJobTable, CronJobRules},
		{KubernetesServiceTable, KubernetesServiceRules}, {AutoscalerTable, AutoscalerRules},
		{LaunchTypeTable, LaunchTypeRules}, {MeshTable, MeshRules},
	} {
		for _, r := range tt.rules {
			assert.Equal(t, Entry{Table: tt.table, Kinds: r.Kinds, Config: r.Config, Rule: r.Rule}, next(tt.table))
		}
	}
	for _, tt := range []struct {
		table Table
		rules []ECSRule
	}{{TaskDefinitionTable, TaskDefinitionRules}, {ECSServiceTable, ECSServiceRules}} {
		for _, r := range tt.rules {
			e := next(tt.table)
			assert.Equal(t, Entry{Table: tt.table, Rule: Rule{K8s: r.K8s, ECS: r.ECS, How: r.How, Level: r.Level, Note: r.Note}}, e)
			assert.True(t, e.Reverse())
			assert.Equal(t, r.ECS, e.Name(), "a rule of the way back is named by its ECS field")
		}
	}
	assert.Equal(t, len(es), i, "no entry from elsewhere")
}

// Every table says what it converts; the kind tables under the titles of docs/mapping.md.
func TestTablesDescribed(t *testing.T) {
	seen := map[Table]bool{}
	for _, ti := range ruleTables {
		assert.False(t, seen[ti.table], "table %s listed twice", ti.table)
		seen[ti.table] = true
		assert.NotEmpty(t, ti.title, ti.table)
		assert.NotEmpty(t, ti.to, ti.table)
		assert.Equal(t, ti.title, tableOf(ti.table).title)
	}
	var titles []string
	for _, sec := range KindSections() {
		titles = append(titles, sec.Title)
	}
	assert.Equal(t, titles, []string{tableOf(JobTable).title, tableOf(CronJobTable).title, tableOf(KubernetesServiceTable).title, tableOf(AutoscalerTable).title,
		tableOf(LaunchTypeTable).title, tableOf(MeshTable).title})
	for _, e := range Entries() {
		assert.NotEmpty(t, e.AppliesTo(), "%s:%s", e.Table, e.Name())
		if e.Table != PodTable && !e.Reverse() && tableOf(e.Table).from == "" {
			assert.NotEmpty(t, e.Kinds, "a rule of a kind table names its kind: %s:%s", e.Table, e.Name())
		}
	}
	assert.Empty(t, tableOf("nosuchtable").title)
	assert.Empty(t, Entry{Table: "nosuchtable", Rule: Rule{K8s: "spec.x"}}.AppliesTo())
}

func TestServiceRulesWellFormed(t *testing.T) {
	known := map[string]bool{kindDeployment: true, kindStatefulSet: true, kindDaemonSet: true, kindReplicaSet: true}
	seen := map[string]bool{}
	for _, r := range ServiceRules {
		name := r.K8s + "|" + r.Config
		t.Run(name, func(t *testing.T) {
			assert.True(t, r.K8s != "" || r.Config != "", "a rule needs a Kubernetes field or a --config setting")
			require.NotEmpty(t, r.Kinds)
			for _, k := range r.Kinds {
				assert.True(t, known[k], "unknown kind %q", k)
				key := k + " " + name
				assert.False(t, seen[key], "two rules for %s", key)
				seen[key] = true
			}
			assert.Contains(t, []Treatment{Mapped, Partial, Dropped}, r.How)
			assert.Contains(t, []Level{"", Info, Lossy, Unsupported, Error}, r.Level)
			assert.NotEmpty(t, r.Note)
			if r.How == Mapped {
				assert.NotEmpty(t, r.ECS, "a mapped rule names its ECS field")
			}
		})
	}
}

// explainQueries are the ways a user may ask for an entry: its name as the list prints it, its
// path with and without indexes and in upper case, with the template prefixes of the kinds it
// applies to, with each kind in front, and its --config setting.
func explainQueries(e Entry) []string {
	queries := []string{e.Name()}
	variants := func(p string) []string {
		return []string{p, strings.ReplaceAll(p, "[]", "[0]"), strings.ReplaceAll(p, "[]", ""), strings.ToUpper(p)}
	}
	if e.Reverse() {
		queries = append(queries, variants(e.ECS)...)
		return append(queries, e.ECS[strings.LastIndex(e.ECS, ".")+1:]) // its tail: stopTimeout
	}
	if e.K8s != "" {
		queries = append(queries, variants(e.K8s)...)
		if path, _, hasValues := strings.Cut(e.K8s, " "); hasValues && strings.Contains(path, ".") {
			queries = append(queries, path) // spec.type for spec.type ClusterIP
		}
		if tableOf(e.Table).from == "pod template" && len(e.Kinds) == 0 && strings.HasPrefix(e.K8s, "spec.") {
			queries = append(queries, "spec.template."+strings.ReplaceAll(e.K8s, "[]", "[2]"), "spec.jobTemplate.spec.template."+e.K8s, "Deployment."+e.K8s, "CronJob spec.jobTemplate.spec.template."+e.K8s)
		}
		if e.Table == JobTable && strings.HasPrefix(e.K8s, "spec.") {
			queries = append(queries, "spec.jobTemplate."+e.K8s, "CronJob.spec.jobTemplate."+e.K8s)
		}
		for _, k := range e.Kinds {
			queries = append(queries, k+"."+e.K8s, k+" "+e.K8s)
		}
	}
	if e.Config != "" {
		queries = append(queries, e.Config, "config."+e.Config, "config."+e.Config+".child")
	}
	return queries
}

func TestExplainFindsEveryRule(t *testing.T) {
	seen := map[Table]bool{}
	for _, e := range Entries() {
		seen[e.Table] = true
		t.Run(string(e.Table)+":"+strings.Join(e.Kinds, ",")+":"+e.Name(), func(t *testing.T) {
			for _, q := range explainQueries(e) {
				x := Explain(q)
				assert.False(t, x.Parent, "%q", q)
				assert.True(t, containsEntry(x.Entries, e), "%q found %v", q, names(x.Entries))
			}
			// The fields of a rule's ECS side find it too.
			if !e.Reverse() {
				for _, f := range ecsFields(e.ECS) {
					x := Explain(f)
					assert.True(t, containsEntry(x.Entries, e), "ECS field %q found %v", f, names(x.Entries))
				}
			}
		})
	}
	assert.Len(t, seen, len(ruleTables), "every table is searched")
	assert.Len(t, ruleTables, 10)
}

func TestExplain(t *testing.T) {
	tests := []struct {
		query  string
		want   []string
		path   string
		parent bool
		below  bool
	}{
		{"spec.containers.livenessProbe", []string{"pod:spec.containers[].livenessProbe"}, "spec.containers.livenessProbe", false, false},
		{"spec.template.spec.containers[0].livenessProbe", []string{"pod:spec.containers[].livenessProbe"}, "spec.template.spec.containers[].livenessProbe", false, false},
		{"containers.livenessProbe", []string{"pod:spec.containers[].livenessProbe"}, "containers.livenessProbe", false, false},
		{"livenessprobe", []string{"pod:spec.containers[].livenessProbe", "pod:spec.initContainers[].livenessProbe"}, "livenessprobe", false, false},
		// An ECS field finds the rules towards ECS that name it, then its rule of the way back.
		{"containerDefinitions.healthCheck", []string{
			"pod:spec.containers[].livenessProbe", "pod:spec.containers[].readinessProbe", "pod:spec.containers[].startupProbe",
			"pod:spec.initContainers[].livenessProbe", "pod:spec.initContainers[].readinessProbe", "pod:spec.initContainers[].startupProbe",
			"mesh:spec.containers[].livenessProbe.httpGet.path /app-health", "ecs-task-definition:containerDefinitions[].healthCheck",
		}, "containerDefinitions.healthCheck", false, false},
		{"stopTimeout", []string{"pod:spec.terminationGracePeriodSeconds", "ecs-task-definition:containerDefinitions[].stopTimeout"}, "stopTimeout", false, false},
		{"containerDefinitions[].stopTimeout", []string{"pod:spec.terminationGracePeriodSeconds", "ecs-task-definition:containerDefinitions[].stopTimeout"}, "containerDefinitions[].stopTimeout", false, false},
		{"desiredCount", []string{"service:spec.replicas", "ecs-service:desiredCount"}, "desiredCount", false, false},
		// K8s command becomes entryPoint, K8s args becomes command: both sides are listed.
		{"command", []string{"pod:spec.containers[].command", "pod:spec.containers[].args", "pod:spec.initContainers[].command", "pod:spec.initContainers[].args", "ecs-task-definition:containerDefinitions[].command"}, "command", false, false},
		// Only the way back knows an ECS field.
		{"environmentFiles", []string{"ecs-task-definition:containerDefinitions[].environmentFiles"}, "environmentFiles", false, false},
		// The Job, CronJob, Service and HorizontalPodAutoscaler tables.
		{"spec.schedule", []string{"cronjob:spec.schedule"}, "spec.schedule", false, false},
		{"scheduleExpression", []string{"cronjob:spec.schedule"}, "scheduleExpression", false, false},
		{"spec.backoffLimit", []string{"job:spec.backoffLimit"}, "spec.backoffLimit", false, false},
		{"CronJob.spec.jobTemplate.spec.backoffLimit", []string{"job:spec.backoffLimit"}, "spec.jobTemplate.spec.backoffLimit", false, false},
		{"CronJob.spec.jobTemplate.spec.parallelism", []string{"job:spec.parallelism", "cronjob:spec.jobTemplate.spec.parallelism"}, "spec.jobTemplate.spec.parallelism", false, false},
		{"CronJob.spec.backoffLimit", nil, "spec.backoffLimit", false, false},
		{"spec.suspend", []string{"job:spec.suspend", "cronjob:spec.suspend"}, "spec.suspend", false, false},
		{"(always)", []string{"job:(always)", "cronjob:(always)"}, "(always)", false, false},
		{"Job.metadata.name", []string{"pod:metadata.name", "job:metadata.name"}, "metadata.name", false, false},
		{"spec.scaleTargetRef", []string{"autoscaler:spec.scaleTargetRef"}, "spec.scaleTargetRef", false, false},
		{"spec.metrics", []string{"autoscaler:spec.metrics"}, "spec.metrics", false, false},
		{"spec.metrics[0].resource.target", []string{"autoscaler:spec.metrics"}, "spec.metrics[]", true, false},
		{"targetTrackingScalingPolicyConfiguration", []string{
			"autoscaler:spec.metrics", "autoscaler:spec.behavior.scaleUp.stabilizationWindowSeconds",
			"autoscaler:spec.behavior.scaleDown.stabilizationWindowSeconds", "autoscaler:spec.behavior.scaleDown.selectPolicy",
		}, "targetTrackingScalingPolicyConfiguration", false, false},
		{"TargetTrackingScalingPolicyConfiguration.ScaleInCooldown", []string{"autoscaler:spec.behavior.scaleDown.stabilizationWindowSeconds"}, "TargetTrackingScalingPolicyConfiguration.ScaleInCooldown", false, false},
		{"HorizontalPodAutoscaler.metadata.name", nil, "metadata.name", false, false}, // no pod template
		{"spec.ports[].targetPort", []string{"kubernetes-service:spec.ports[].targetPort"}, "spec.ports[].targetPort", false, false},
		{"targetPort", []string{"kubernetes-service:spec.ports[].targetPort"}, "targetPort", false, false},
		{"spec.type", []string{"kubernetes-service:spec.type ClusterIP", "kubernetes-service:spec.type LoadBalancer, NodePort", "kubernetes-service:spec.type ExternalName"}, "spec.type", false, false},
		{"Service spec.type NodePort", []string{"kubernetes-service:spec.type LoadBalancer, NodePort"}, "spec.type NodePort", false, false},
		{"spec.type Foo", nil, "spec.type Foo", false, false},
		{"Service.spec.selector", []string{"kubernetes-service:spec.selector"}, "spec.selector", false, false},
		{"spec.selector", []string{"service:spec.selector", "kubernetes-service:spec.selector"}, "spec.selector", false, false},
		{"loadBalancers", []string{"kubernetes-service:spec.type LoadBalancer, NodePort", "kubernetes-service:--config targetGroups", "ecs-service:loadBalancers"}, "loadBalancers", false, false},
		{"serviceConnectConfiguration", []string{
			"kubernetes-service:spec.type ClusterIP", "kubernetes-service:spec.ports[].targetPort",
			"kubernetes-service:--config serviceConnectNamespace", "ecs-service:serviceConnectConfiguration",
		}, "serviceConnectConfiguration", false, false},
		{"spec.behavior", []string{
			"autoscaler:spec.behavior.scaleUp.stabilizationWindowSeconds", "autoscaler:spec.behavior.scaleDown.stabilizationWindowSeconds",
			"autoscaler:spec.behavior.scaleDown.selectPolicy", "autoscaler:spec.behavior.scaleUp.selectPolicy",
			"autoscaler:spec.behavior.scaleUp.policies", "autoscaler:spec.behavior.scaleDown.policies", "autoscaler:spec.behavior.scaleUp.tolerance",
		}, "spec.behavior", false, true},
		{"Deployment.spec.replicas", []string{"service:spec.replicas"}, "spec.replicas", false, false},
		{"statefulset spec.updateStrategy.type", []string{"service:spec.updateStrategy.type"}, "spec.updateStrategy.type", false, false},
		{"spec.minReadySeconds", []string{"service:spec.minReadySeconds"}, "spec.minReadySeconds", false, false},
		{"spec.template.spec.affinity.podAntiAffinity", []string{"service:spec.template.spec.affinity.podAntiAffinity"}, "spec.template.spec.affinity.podAntiAffinity", false, false},
		{"CronJob.spec.jobTemplate.spec.template.spec.containers[1].image", []string{"pod:spec.containers[].image"}, "spec.jobTemplate.spec.template.spec.containers[].image", false, false},
		{"config.network.subnets", []string{"service:--config network", "job:--config network", "cronjob:--config network"}, "config.network.subnets", false, false},
		{"--config network", []string{"service:--config network", "job:--config network", "cronjob:--config network"}, "config.network", false, false},
		{"spec", []string{"pod:spec", "service:spec"}, "spec", false, false},
		// Deeper than any rule: the nearest parent with a rule of its own answers.
		{"spec.template.spec.containers[0].livenessProbe.periodSeconds", []string{"pod:spec.containers[].livenessProbe"}, "spec.template.spec.containers[].livenessProbe", true, false},
		{"containerDefinitions.healthCheck.startPeriod", []string{"pod:spec.containers[].startupProbe", "pod:spec.initContainers[].startupProbe"}, "containerDefinitions.healthCheck.startPeriod", false, false},
		{`metadata.labels["app.kubernetes.io/name"]`, []string{"pod:metadata.labels", "service:metadata.labels"}, "metadata.labels[]", false, false},
		// A path without a rule of its own but with rules under it lists those.
		{"metadata", []string{
			"pod:metadata.name", "pod:metadata.namespace", "pod:metadata.labels", "pod:metadata.annotations", "service:metadata.name", "service:metadata.labels",
			"job:metadata.name", "cronjob:metadata.name", "kubernetes-service:metadata.name",
			"launch-type:metadata.annotations podecs.io/launch-type", "mesh:metadata.annotations linkerd.io/inject, sidecar.istio.io/inject",
		}, "metadata", false, true},
		// The launch type rules of a field are found beside its pod template rule.
		{"spec.template.spec.hostNetwork", []string{"pod:spec.hostNetwork", "launch-type:spec.hostNetwork"}, "spec.template.spec.hostNetwork", false, false},
		{"Deployment.spec.template.spec.containers[0].securityContext.privileged", []string{"launch-type:spec.containers[].securityContext.privileged"}, "spec.template.spec.containers[].securityContext.privileged", false, false},
		{"--config launchType", []string{"service:--config launchType", "job:--config launchType", "launch-type:--config launchType"}, "config.launchType", false, false},
		{"spec.initContainers.name", []string{"pod:spec.initContainers[].name", "mesh:spec.initContainers[].name linkerd-init, linkerd-network-validator, linkerd-proxy", "mesh:spec.initContainers[].name istio-init, istio-validation, istio-proxy"}, "spec.initContainers.name", false, false},
		{"deploymentConfiguration.maximumPercent", []string{
			"service:spec.strategy.type", "service:spec.strategy.rollingUpdate", "service:spec.strategy.rollingUpdate.maxSurge",
			"service:spec.updateStrategy.rollingUpdate.maxUnavailable", "service:spec.updateStrategy.rollingUpdate", "ecs-service:deploymentConfiguration.maximumPercent",
		}, "deploymentConfiguration.maximumPercent", false, false},
		// The rule of the way back whose Kubernetes side is spec.strategy does not hide the rules under it.
		{"spec.strategy", []string{"service:spec.strategy.type", "service:spec.strategy.rollingUpdate", "service:spec.strategy.rollingUpdate.maxSurge", "service:spec.strategy.rollingUpdate.maxUnavailable"}, "spec.strategy", false, true},
		{"DaemonSet.updateStrategy", []string{"service:spec.updateStrategy.rollingUpdate", "service:spec.updateStrategy.type"}, "updateStrategy", false, true},
		{"spec.template.spec.containers[0].lifecycle", []string{"pod:spec.containers[].lifecycle"}, "spec.template.spec.containers[].lifecycle", false, false},
		// Partial parents do not answer for unknown children.
		{"spec.containers[0].noSuchField", nil, "spec.containers[].noSuchField", false, false},
		{"spec.noSuchField", nil, "spec.noSuchField", false, false},
		// A kind filters the service rules: a DaemonSet has no replicas.
		{"DaemonSet.spec.replicas", nil, "spec.replicas", false, false},
		{"", nil, "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			x := Explain(tt.query)
			if tt.want == nil {
				assert.Empty(t, x.Entries, "%v", names(x.Entries))
			} else {
				assert.Equal(t, tt.want, names(x.Entries))
			}
			assert.Equal(t, tt.path, x.Path)
			assert.Equal(t, tt.parent, x.Parent)
			assert.Equal(t, tt.below, x.Below)
		})
	}
}

func TestExplainKind(t *testing.T) {
	t.Run("service kind lists its service rules", func(t *testing.T) {
		x := Explain("deployment")
		require.NotEmpty(t, x.Entries)
		assert.Equal(t, "Deployment", x.Path)
		got := names(x.Entries)
		assert.Contains(t, got, "service:spec.strategy.rollingUpdate.maxSurge")
		assert.Contains(t, got, "service:--config network")
		assert.NotContains(t, got, "service:spec.volumeClaimTemplates")
		for _, e := range x.Entries {
			assert.Contains(t, e.Kinds, "Deployment")
		}
	})
	for _, tt := range []struct {
		kind  string
		table Table
		rules []ServiceRule
	}{
		{"Job", JobTable, JobRules}, {"cronjob", CronJobTable, CronJobRules},
		{"Service", KubernetesServiceTable, KubernetesServiceRules}, {"HorizontalPodAutoscaler", AutoscalerTable, AutoscalerRules},
	} {
		t.Run(tt.kind+" lists its table", func(t *testing.T) {
			x := Explain(tt.kind)
			require.Len(t, x.Entries, len(tt.rules))
			for i, e := range x.Entries {
				assert.Equal(t, tt.table, e.Table)
				assert.Equal(t, tt.rules[i].Rule, e.Rule)
			}
		})
	}
	t.Run("Pod lists the pod template rules", func(t *testing.T) {
		x := Explain("Pod")
		assert.Len(t, x.Entries, len(PodRules))
		for _, e := range x.Entries {
			assert.Equal(t, PodTable, e.Table)
		}
	})
}

func TestSuggest(t *testing.T) {
	tests := []struct {
		query string
		n     int
		first []string
	}{
		{"spec.containers.livenesProbe", 8, []string{"spec.containers[].livenessProbe", "spec.initContainers[].livenessProbe"}},
		{"Deployment.spec.replica", 8, []string{"spec.replicas"}},
		{"spec.containers.probe", 3, []string{"spec.containers[].livenessProbe", "spec.containers[].readinessProbe", "spec.containers[].startupProbe"}},
		{"containerDefinitions.helthCheck", 1, []string{"containerDefinitions[].healthCheck"}},
		{"spec.backofLimit", 1, []string{"spec.backoffLimit"}},
		{"scaleOutCooldwn", 1, []string{"TargetTrackingScalingPolicyConfiguration.ScaleOutCooldown"}},
		{"environmentFile", 1, []string{"containerDefinitions[].environmentFiles"}},
		// A kind keeps its own rules: the autoscaler's minReplicas is not offered for a Deployment.
		{"HorizontalPodAutoscaler.spec.replica", 2, []string{"spec.maxReplicas", "spec.minReplicas"}},
		// Rule texts that are not paths are not offered.
		{"always", 8, nil},
		{"spec.qqqqqqqq", 8, nil},
		{"spec.image", 0, nil},
		{"", 8, nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got := Suggest(tt.query, tt.n)
			assert.LessOrEqual(t, len(got), tt.n)
			if tt.first == nil {
				assert.Empty(t, got)
				return
			}
			require.GreaterOrEqual(t, len(got), len(tt.first), "%v", got)
			assert.Equal(t, tt.first, got[:len(tt.first)])
		})
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"", "abc", 3},
		{"livenessprobe", "livenesprobe", 1},
		{"kitten", "sitting", 3},
		{"×a", "a", 1}, // runes, not bytes
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, editDistance(tt.a, tt.b), "%q %q", tt.a, tt.b)
		assert.Equal(t, tt.want, editDistance(tt.b, tt.a), "%q %q", tt.b, tt.a)
	}
}

func TestFindingText(t *testing.T) {
	tests := []struct {
		name string
		e    Entry
		want string
	}{
		{"level", Entry{Rule: Rule{How: Dropped, Level: Unsupported}}, "unsupported"},
		{"defaults", Entry{Rule: Rule{How: Dropped, Level: Lossy, Defaults: []string{"ClusterFirst", "Default"}}}, "lossy (not raised for ClusterFirst or Default)"},
		{"mapped with level", Entry{Rule: Rule{How: Mapped, Level: Info}}, "info"},
		{"dropped, not reported", Entry{Rule: Rule{How: Dropped}}, "none (not reported)"},
		{"partial", Entry{Rule: Rule{How: Partial}}, "- (each member has its own rule)"},
		{"mapped", Entry{Rule: Rule{How: Mapped}}, "- (the rule reports what it rounds, clamps or cannot carry)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, FindingText(tt.e)) })
	}
}

func TestWriteEntry(t *testing.T) {
	t.Run("pod rule with defaults, wrapped", func(t *testing.T) {
		r, ok := LookupRule("spec.dnsPolicy")
		require.True(t, ok)
		var b strings.Builder
		require.NoError(t, WriteEntry(&b, Entry{Table: PodTable, Rule: r}, 60))
		assert.Equal(t, `spec.dnsPolicy
  applies to: pod template → task definition
  ECS:        none
  treatment:  dropped
  finding:    lossy (not raised for ClusterFirst or Default)
  rule:       ECS tasks use the VPC resolver; cluster DNS
              (*.svc.cluster.local) does not exist — use
              Service Connect or Cloud Map
`, b.String())
	})
	t.Run("kind rule", func(t *testing.T) {
		var b strings.Builder
		require.NoError(t, WriteEntry(&b, Explain("spec.backoffLimit").Entries[0], 100))
		assert.Equal(t, `spec.backoffLimit
  applies to: Job → RunTask input (N.runtask.json)
  ECS:        none
  treatment:  dropped
  finding:    lossy (not raised for 0)
  rule:       ECS does not retry the failed tasks of a run-task call (0 is what ECS does);
              restartPolicy OnFailure becomes a container restart policy that restarts in place
`, b.String())
	})
	t.Run("rule of the way back", func(t *testing.T) {
		r, ok := LookupECSRule(TaskDefinitionRules, "containerDefinitions[].stopTimeout")
		require.True(t, ok)
		var b strings.Builder
		require.NoError(t, WriteEntry(&b, Entry{Table: TaskDefinitionTable, Rule: Rule{K8s: r.K8s, ECS: r.ECS, How: r.How, Level: r.Level, Note: r.Note}}, 100))
		assert.Equal(t, "containerDefinitions[].stopTimeout\n"+
			"  applies to: task definition → pod template\n"+
			"  Kubernetes: spec.terminationGracePeriodSeconds\n"+
			"  treatment:  mapped\n"+
			"  finding:    - (the rule reports what it rounds, clamps or cannot carry)\n"+
			"  rule:       "+r.Note+"\n", b.String())
	})
	t.Run("carried rule", func(t *testing.T) {
		var b strings.Builder
		require.NoError(t, WriteEntry(&b, Explain("serviceRegistries").Entries[0], 100))
		assert.True(t, strings.HasPrefix(b.String(), "serviceRegistries\n  applies to: ECS service → workload\n  Kubernetes: none\n  treatment:  carried\n  finding:    lossy\n"), b.String())
	})
	t.Run("config rule", func(t *testing.T) {
		var b strings.Builder
		e := Entry{Table: ServiceTable, Kinds: []string{"Deployment", "ReplicaSet"}, Config: "cluster", Rule: Rule{ECS: "cluster", How: Mapped, Note: "default \"default\""}}
		require.NoError(t, WriteEntry(&b, e, 100))
		assert.Equal(t, `--config cluster
  applies to: Deployment, ReplicaSet → service
  ECS:        cluster
  --config:   cluster
  treatment:  mapped
  finding:    - (the rule reports what it rounds, clamps or cannot carry)
  rule:       default "default"
`, b.String())
	})
}

func TestWrap(t *testing.T) {
	tests := []struct {
		s     string
		width int
		want  []string
	}{
		{"", 10, nil},
		{"a b c", 3, []string{"a b", "c"}},
		{"a b c", 5, []string{"a b c"}},
		{"a  b\tc", 100, []string{"a b c"}},
		{"short averyveryverylongword x", 6, []string{"short", "averyveryverylongword", "x"}},
		{"→→ →→", 5, []string{"→→ →→"}}, // width counts runes
		{"→→ →→", 4, []string{"→→", "→→"}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, wrap(tt.s, tt.width), "%q at %d", tt.s, tt.width)
	}
}

func TestWriteList(t *testing.T) {
	es := Entries()
	var b strings.Builder
	require.NoError(t, WriteList(&b, es))
	out := b.String()
	groups := strings.Split(strings.TrimSuffix(out, "\n"), "\n\n")
	require.Len(t, groups, len(ruleTables), "one group per table, a blank line between groups")
	i := 0
	for g, group := range groups {
		ti := ruleTables[g]
		lines := strings.Split(group, "\n")
		require.GreaterOrEqual(t, len(lines), 3, group)
		assert.Equal(t, ti.title+" (table "+string(ti.table)+")", lines[0])
		header := "KUBERNETES "
		if ti.reverse {
			header = "ECS "
		}
		assert.True(t, strings.HasPrefix(lines[1], header), lines[1])
		col := strings.Index(lines[1], "TREATMENT")
		require.Positive(t, col)
		for _, line := range lines[2:] {
			require.Less(t, i, len(es))
			e := es[i]
			i++
			assert.Equal(t, ti.table, e.Table)
			assert.True(t, strings.HasPrefix(line, e.Name()+" "), line)
			assert.Equal(t, string(e.How), strings.Fields(line[col:])[0], line)
			assert.Equal(t, line, strings.TrimRight(line, " "), "no trailing blanks")
		}
	}
	assert.Equal(t, len(es), i, "every entry is listed once")
	assert.Contains(t, out, "\nJob → RunTask input (table job)\nKUBERNETES ")
	assert.Contains(t, out, "\nECS service → workload (table ecs-service)\nECS ")

	var again strings.Builder
	require.NoError(t, WriteList(&again, Entries()))
	assert.Equal(t, out, again.String(), "deterministic")
}

func TestEntriesJSON(t *testing.T) {
	a, err := json.Marshal(Entries())
	require.NoError(t, err)
	b, err := json.Marshal(Entries())
	require.NoError(t, err)
	assert.Equal(t, a, b)
	var back []Entry
	require.NoError(t, json.Unmarshal(a, &back))
	assert.Equal(t, Entries(), back)
	assert.True(t, strings.HasPrefix(string(a), `[{"table":"pod","kubernetes":"metadata.name","ecs":"family","treatment":"mapped","note":`), string(a[:120]))
	// The kind and the table of every rule are in the JSON form.
	for _, e := range back {
		assert.NotEmpty(t, e.Table)
	}
	job, err := json.Marshal(Explain("spec.backoffLimit").Entries)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(job), `[{"table":"job","kinds":["Job"],"kubernetes":"spec.backoffLimit",`), string(job))
	back2, err := json.Marshal(Explain("environmentFiles").Entries)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(back2), `[{"table":"ecs-task-definition","kubernetes":"","ecs":"containerDefinitions[].environmentFiles","treatment":"carried","level":"unsupported",`), string(back2))
}

func TestPaths(t *testing.T) {
	paths := Paths()
	assert.IsIncreasing(t, paths, "sorted, once each")
	for _, want := range []string{"spec.containers[].livenessProbe", "spec.strategy.rollingUpdate.maxSurge", "spec.schedule", "spec.backoffLimit", "spec.metrics", "spec.type", "containerDefinitions[].stopTimeout", "loadBalancers"} {
		assert.Contains(t, paths, want)
	}
	for _, p := range paths {
		assert.NotContains(t, p, " ", "a path is one word")
		assert.False(t, strings.HasPrefix(p, "(") || strings.HasPrefix(p, "-"), p)
		x := Explain(p)
		assert.NotEmpty(t, x.Entries, p)
		assert.False(t, x.Parent, p)
	}
}
