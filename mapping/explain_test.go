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

func TestEntriesCoverBothTables(t *testing.T) {
	es := Entries()
	require.Len(t, es, len(PodRules)+len(ServiceRules))
	for i, r := range PodRules {
		assert.Equal(t, Entry{Table: PodTable, Rule: r}, es[i])
	}
	for i, r := range ServiceRules {
		e := es[len(PodRules)+i]
		assert.Equal(t, ServiceTable, e.Table)
		assert.Equal(t, r.Rule, e.Rule)
		assert.Equal(t, r.Kinds, e.Kinds)
		assert.Equal(t, r.Config, e.Config)
	}
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

func TestExplainFindsEveryRule(t *testing.T) {
	for _, e := range Entries() {
		t.Run(string(e.Table)+":"+strings.Join(e.Kinds, ",")+":"+e.Name(), func(t *testing.T) {
			var queries []string
			if e.K8s != "" {
				queries = append(queries, e.K8s, strings.ReplaceAll(e.K8s, "[]", "[0]"), strings.ReplaceAll(e.K8s, "[]", ""), strings.ToUpper(e.K8s))
				if e.Table == PodTable && strings.HasPrefix(e.K8s, "spec.") {
					queries = append(queries, "spec.template."+strings.ReplaceAll(e.K8s, "[]", "[2]"), "spec.jobTemplate.spec.template."+e.K8s)
				}
				for _, k := range e.Kinds {
					queries = append(queries, k+"."+e.K8s)
				}
			}
			if e.Config != "" {
				queries = append(queries, e.Config, "config."+e.Config, "config."+e.Config+".child")
			}
			for _, q := range queries {
				x := Explain(q)
				assert.False(t, x.Parent, "%q", q)
				assert.True(t, containsEntry(x.Entries, e), "%q found %v", q, names(x.Entries))
			}
		})
	}
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
		{"containerDefinitions.healthCheck", []string{
			"pod:spec.containers[].livenessProbe", "pod:spec.containers[].readinessProbe", "pod:spec.containers[].startupProbe",
			"pod:spec.initContainers[].livenessProbe", "pod:spec.initContainers[].readinessProbe", "pod:spec.initContainers[].startupProbe",
		}, "containerDefinitions.healthCheck", false, false},
		{"stopTimeout", []string{"pod:spec.terminationGracePeriodSeconds"}, "stopTimeout", false, false},
		{"containerDefinitions[].stopTimeout", []string{"pod:spec.terminationGracePeriodSeconds"}, "containerDefinitions[].stopTimeout", false, false},
		{"desiredCount", []string{"service:spec.replicas"}, "desiredCount", false, false},
		// K8s command becomes entryPoint, K8s args becomes command: both sides are listed.
		{"command", []string{"pod:spec.containers[].command", "pod:spec.containers[].args", "pod:spec.initContainers[].command", "pod:spec.initContainers[].args"}, "command", false, false},
		{"Deployment.spec.replicas", []string{"service:spec.replicas"}, "spec.replicas", false, false},
		{"statefulset spec.updateStrategy.type", []string{"service:spec.updateStrategy.type"}, "spec.updateStrategy.type", false, false},
		{"spec.minReadySeconds", []string{"service:spec.minReadySeconds"}, "spec.minReadySeconds", false, false},
		{"spec.template.spec.affinity.podAntiAffinity", []string{"service:spec.template.spec.affinity.podAntiAffinity"}, "spec.template.spec.affinity.podAntiAffinity", false, false},
		{"CronJob.spec.jobTemplate.spec.template.spec.containers[1].image", []string{"pod:spec.containers[].image"}, "spec.jobTemplate.spec.template.spec.containers[].image", false, false},
		{"config.network.subnets", []string{"service:--config network"}, "config.network.subnets", false, false},
		{"spec", []string{"pod:spec", "service:spec"}, "spec", false, false},
		// Deeper than any rule: the nearest parent with a rule of its own answers.
		{"spec.template.spec.containers[0].livenessProbe.periodSeconds", []string{"pod:spec.containers[].livenessProbe"}, "spec.template.spec.containers[].livenessProbe", true, false},
		{"containerDefinitions.healthCheck.startPeriod", []string{"pod:spec.containers[].startupProbe", "pod:spec.initContainers[].startupProbe"}, "containerDefinitions.healthCheck.startPeriod", false, false},
		{`metadata.labels["app.kubernetes.io/name"]`, []string{"pod:metadata.labels", "service:metadata.labels"}, "metadata.labels[]", false, false},
		// A path without a rule of its own but with rules under it lists those.
		{"metadata", []string{"pod:metadata.name", "pod:metadata.namespace", "pod:metadata.labels", "pod:metadata.annotations", "service:metadata.name", "service:metadata.labels"}, "metadata", false, true},
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
	for _, kind := range []string{"Pod", "Job", "CronJob"} {
		t.Run(kind+" lists the pod template rules", func(t *testing.T) {
			x := Explain(kind)
			assert.Len(t, x.Entries, len(PodRules))
			for _, e := range x.Entries {
				assert.Equal(t, PodTable, e.Table)
			}
		})
	}
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
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	require.Len(t, lines, len(es)+1)
	col := strings.Index(lines[0], "TREATMENT")
	require.Positive(t, col)
	for i, e := range es {
		line := lines[i+1]
		assert.True(t, strings.HasPrefix(line, e.Name()+" "), line)
		assert.Equal(t, string(e.How), strings.Fields(line[col:])[0], line)
		assert.Equal(t, line, strings.TrimRight(line, " "), "no trailing blanks")
	}
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
}
