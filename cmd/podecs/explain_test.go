package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podecs/podecs/mapping"
)

func decodeEntries(t *testing.T, out string) []mapping.Entry {
	t.Helper()
	var es []mapping.Entry
	require.NoError(t, json.Unmarshal([]byte(out), &es), out)
	return es
}

func hasEntry(es []mapping.Entry, want mapping.Entry) bool {
	for _, e := range es {
		if e.Table == want.Table && e.Name() == want.Name() && strings.Join(e.Kinds, ",") == strings.Join(want.Kinds, ",") && e.Note == want.Note {
			return true
		}
	}
	return false
}

func TestExplainReachesEveryRule(t *testing.T) {
	for _, e := range mapping.Entries() {
		query := e.Name() // what the list prints: a Kubernetes path, or the ECS field of a rule of the way back
		if e.Config != "" && e.K8s == "" {
			query = "config." + e.Config
		}
		t.Run(string(e.Table)+":"+strings.Join(e.Kinds, ",")+":"+query, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", "explain", "--output", "json", query)
			require.Equal(t, exitOK, code, errOut)
			assert.True(t, hasEntry(decodeEntries(t, out), e), out)

			code, out, errOut = runCLI(t, "", "explain", query)
			require.Equal(t, exitOK, code, errOut)
			assert.Contains(t, out, e.Name()+"\n  applies to: "+e.AppliesTo())
		})
	}
}

func TestExplainPaths(t *testing.T) {
	tests := []struct {
		args  []string
		first string // first line of the output
		names []string
	}{
		{[]string{"spec.containers.livenessProbe"}, "spec.containers[].livenessProbe", []string{"spec.containers[].livenessProbe"}},
		{[]string{"spec.template.spec.containers[0].livenessProbe"}, "spec.containers[].livenessProbe", []string{"spec.containers[].livenessProbe"}},
		{[]string{"containers.livenessProbe"}, "spec.containers[].livenessProbe", []string{"spec.containers[].livenessProbe"}},
		{[]string{"containerDefinitions.healthCheck"}, "spec.containers[].livenessProbe", []string{
			"spec.containers[].livenessProbe", "spec.containers[].readinessProbe", "spec.containers[].startupProbe",
			"spec.initContainers[].livenessProbe", "spec.initContainers[].readinessProbe", "spec.initContainers[].startupProbe",
			"spec.containers[].livenessProbe.httpGet.path /app-health", "containerDefinitions[].healthCheck",
		}},
		{[]string{"healthCheck"}, "spec.containers[].livenessProbe", nil},
		{[]string{"stopTimeout"}, "spec.terminationGracePeriodSeconds", []string{"spec.terminationGracePeriodSeconds", "containerDefinitions[].stopTimeout"}},
		{[]string{"spec.schedule"}, "spec.schedule", []string{"spec.schedule"}},
		{[]string{"CronJob.spec.jobTemplate.spec.backoffLimit"}, "spec.backoffLimit", []string{"spec.backoffLimit"}},
		{[]string{"loadBalancers"}, "spec.type LoadBalancer, NodePort", []string{"spec.type LoadBalancer, NodePort", "--config targetGroups", "loadBalancers"}},
		{[]string{"Deployment.spec.strategy.rollingUpdate.maxSurge"}, "spec.strategy.rollingUpdate.maxSurge", []string{"spec.strategy.rollingUpdate.maxSurge"}},
		{[]string{"metadata"}, "metadata has no rule of its own; the rules of the fields under it:", []string{
			"metadata.name", "metadata.namespace", "metadata.labels", "metadata.annotations", "metadata.name", "metadata.labels",
			"metadata.name", "metadata.name", "metadata.name", "metadata.annotations podecs.io/launch-type",
			"metadata.annotations linkerd.io/inject, sidecar.istio.io/inject",
		}},
		{[]string{"spec.containers[0].livenessProbe.periodSeconds"},
			"spec.containers[0].livenessProbe.periodSeconds has no rule of its own; it is covered by spec.containers[].livenessProbe:",
			[]string{"spec.containers[].livenessProbe"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := runCLI(t, "", append([]string{"explain"}, tt.args...)...)
			require.Equal(t, exitOK, code, errOut)
			assert.Empty(t, errOut)
			first, _, _ := strings.Cut(out, "\n")
			assert.Equal(t, tt.first, first)
			assert.True(t, strings.HasSuffix(out, "\n"))

			code, js, errOut := runCLI(t, "", append(append([]string{"explain"}, tt.args...), "--output=json")...)
			require.Equal(t, exitOK, code, errOut)
			es := decodeEntries(t, js)
			require.NotEmpty(t, es)
			if tt.names != nil {
				var got []string
				for _, e := range es {
					got = append(got, e.Name())
				}
				assert.Equal(t, tt.names, got)
			}
			// The text output shows every entry the JSON output lists.
			for _, e := range es {
				assert.Contains(t, out, e.Name()+"\n  applies to:")
			}
		})
	}
}

func TestExplainText(t *testing.T) {
	code, out, _ := runCLI(t, "", "explain", "spec.dnsPolicy")
	require.Equal(t, exitOK, code)
	assert.Equal(t, `spec.dnsPolicy
  applies to: pod template → task definition
  ECS:        none
  treatment:  dropped
  finding:    lossy (not raised for ClusterFirst or Default)
  rule:       ECS tasks use the VPC resolver; cluster DNS (*.svc.cluster.local) does not exist — use
              Service Connect or Cloud Map
`, out)
}

func TestExplainUnknownPath(t *testing.T) {
	for _, args := range [][]string{
		{"explain", "spec.containers.livenesProbe"},
		{"explain", "--output", "json", "spec.containers.livenesProbe"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, errOut := runCLI(t, "", args...)
			assert.Equal(t, exitBadInput, code)
			assert.Empty(t, out)
			assert.Contains(t, errOut, `podecs: no rule for "spec.containers.livenesProbe"; did you mean:`+"\n  spec.containers[].livenessProbe\n")
		})
	}
	code, _, errOut := runCLI(t, "", "explain", "qqqqqqqqqq")
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errOut, `no rule for "qqqqqqqqqq"`)
	assert.NotContains(t, errOut, "did you mean")
}

func TestExplainBadUsage(t *testing.T) {
	tests := []struct {
		args []string
		msg  string
	}{
		{[]string{"explain", "--output", "yaml"}, `--output "yaml": use text or json`},
		{[]string{"explain", "spec", "--output", "yaml"}, `--output "yaml": use text or json`},
		{[]string{"explain", "spec", "--output"}, "flag needs an argument: --output"},
		{[]string{"explain", "spec", "metadata"}, "explain takes one PATH, got 2"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := runCLI(t, "", tt.args...)
			assert.Equal(t, exitBadInput, code)
			assert.Empty(t, out)
			assert.Contains(t, errOut, tt.msg)
		})
	}
}

func TestExplainListsEveryRule(t *testing.T) {
	code, out, errOut := runCLI(t, "", "explain")
	require.Equal(t, exitOK, code, errOut)
	var want strings.Builder
	require.NoError(t, mapping.WriteList(&want, mapping.Entries()))
	assert.Equal(t, want.String(), out)
	// One group per table, headed by the table, then one line per rule in table order.
	assert.True(t, strings.HasPrefix(out, "Pod template → task definition (table pod)\nKUBERNETES "), out[:80])
	assert.Contains(t, out, "\n\nHorizontalPodAutoscaler → Application Auto Scaling (table autoscaler)\nKUBERNETES ")
	assert.Contains(t, out, "\n\nECS task definition → pod template (table ecs-task-definition)\nECS ")
	rest := out
	for _, e := range mapping.Entries() {
		i := strings.Index(rest, "\n"+e.Name()+" ")
		require.GreaterOrEqual(t, i, 0, "%s:%s listed in order", e.Table, e.Name())
		rest = rest[i+1:]
	}
}

func TestExplainJSONIsStable(t *testing.T) {
	code, first, _ := runCLI(t, "", "explain", "--output", "json")
	require.Equal(t, exitOK, code)
	code, second, _ := runCLI(t, "", "explain", "--output", "json")
	require.Equal(t, exitOK, code)
	assert.Equal(t, first, second)
	assert.Equal(t, mapping.Entries(), decodeEntries(t, first))
	assert.True(t, strings.HasPrefix(first, "[\n  {\n    \"table\": \"pod\",\n    \"kubernetes\": \"metadata.name\",\n"), first[:80])
	assert.True(t, strings.HasSuffix(first, "]\n"))
	assert.NotContains(t, first, `\u003c`, "< is not escaped")
}

func TestExplainShellCompletion(t *testing.T) {
	code, out, _ := runCLI(t, "", "explain", "--generate-bash-completion")
	require.Equal(t, exitOK, code)
	words := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	assert.Contains(t, words, "spec.containers[].livenessProbe")
	assert.Contains(t, words, "spec.strategy.rollingUpdate.maxSurge")
	assert.IsNonDecreasing(t, words)
}
