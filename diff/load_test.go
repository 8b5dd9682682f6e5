package diff

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podecs/podecs/convert"
)

// k8sFixtures lists the Kubernetes fixtures with the config each is converted with.
func k8sFixtures(t *testing.T) map[string]convert.Config {
	t.Helper()
	files, err := filepath.Glob("testdata/fixtures/k8s/*.yaml")
	require.NoError(t, err)
	out := map[string]convert.Config{}
	for _, f := range files {
		if strings.HasSuffix(f, ".config.yaml") {
			continue
		}
		cfg := convert.DefaultConfig()
		if c := strings.TrimSuffix(f, ".yaml") + ".config.yaml"; fileExists(c) {
			cfg = readConfig(t, c)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".yaml")] = cfg
	}
	require.GreaterOrEqual(t, len(out), 15, "the fixture set shrank")
	return out
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// TestFixturesEqualTheirConversion compares every Kubernetes fixture with its golden ECS output,
// as written by `podecs convert` and as ECS would describe it after registration: every workload
// pairs up and is equal.
func TestFixturesEqualTheirConversion(t *testing.T) {
	t.Chdir("..")
	for name, cfg := range k8sFixtures(t) {
		t.Run(name, func(t *testing.T) {
			left := loadSide(t, cfg, "k8s", "testdata/fixtures/k8s/"+name+".yaml")
			golden := filepath.Join("testdata/fixtures/k8s/golden", name)
			files, err := filepath.Glob(filepath.Join(golden, "*.taskdef.json"))
			require.NoError(t, err)
			require.NotEmpty(t, files)
			services, err := filepath.Glob(filepath.Join(golden, "*.service.json"))
			require.NoError(t, err)
			files = append(files, services...)
			right := loadSide(t, cfg, "golden", golden)
			rep := Compare(left, right)
			assertAllEqual(t, rep, len(left.Workloads))

			described := describedSide(t, cfg, files)
			rep = Compare(left, described)
			assertAllEqual(t, rep, len(left.Workloads))
		})
	}
}

func assertAllEqual(t *testing.T, rep Report, n int) {
	t.Helper()
	require.NotZero(t, n)
	assert.Equal(t, Summary{Workloads: n, Equal: n}, rep.Summary)
	for _, w := range rep.Workloads {
		assert.Empty(t, w.Differences, w.Name)
	}
}

// describedSide turns golden register and create-service inputs into the describe outputs ECS
// returns for them: read-only members added, empty lists written out, tags beside the task
// definition, the cluster and task definition as ARNs, defaults ECS fills in spelled out.
func describedSide(t *testing.T, cfg convert.Config, files []string) Side {
	t.Helper()
	l := NewLoader(convert.Options{Config: cfg})
	const arn = "arn:aws:ecs:eu-west-1:123456789012:"
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		var doc map[string]any
		require.NoError(t, json.Unmarshal(data, &doc))
		var out map[string]any
		if strings.HasSuffix(f, ".taskdef.json") {
			tags := doc["tags"]
			delete(doc, "tags")
			doc["taskDefinitionArn"] = arn + "task-definition/" + doc["family"].(string) + ":4"
			doc["revision"], doc["status"] = 4, "ACTIVE"
			doc["compatibilities"] = []string{"EC2", "FARGATE"}
			doc["requiresAttributes"] = []map[string]string{{"name": "ecs.capability.task-eni"}}
			doc["registeredAt"] = "2026-01-01T00:00:00Z"
			doc["placementConstraints"] = orEmpty(doc["placementConstraints"])
			doc["volumes"] = orEmpty(doc["volumes"])
			for _, c := range doc["containerDefinitions"].([]any) {
				c := c.(map[string]any)
				for _, k := range []string{"environment", "mountPoints", "volumesFrom", "systemControls"} {
					c[k] = orEmpty(c[k])
				}
			}
			out = map[string]any{"taskDefinition": doc, "tags": tags}
		} else {
			doc["clusterArn"] = arn + "cluster/" + doc["cluster"].(string)
			delete(doc, "cluster")
			doc["taskDefinition"] = arn + "task-definition/" + doc["taskDefinition"].(string) + ":4"
			doc["serviceArn"] = arn + "service/" + doc["serviceName"].(string)
			doc["status"], doc["runningCount"], doc["pendingCount"] = "ACTIVE", 1, 0
			doc["roleArn"] = "arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"
			doc["loadBalancers"], doc["serviceRegistries"], doc["events"] = orEmpty(doc["loadBalancers"]), []any{}, []any{}
			if doc["healthCheckGracePeriodSeconds"] == nil {
				doc["healthCheckGracePeriodSeconds"] = 0
			}
			// ECS reports Service Connect on the deployments, not on the service.
			if sc, ok := doc["serviceConnectConfiguration"]; ok {
				delete(doc, "serviceConnectConfiguration")
				doc["deployments"] = []any{map[string]any{"status": "PRIMARY", "serviceConnectConfiguration": sc}}
			}
			if doc["launchType"] == "FARGATE" {
				if doc["platformVersion"] == nil { // ECS describes the version asked for, else LATEST
					doc["platformVersion"] = "LATEST"
				}
				doc["platformFamily"] = "Linux"
			}
			out = map[string]any{"services": []any{doc}, "failures": []any{}}
		}
		js, err := json.Marshal(out)
		require.NoError(t, err)
		require.NoError(t, convert.ReadDocuments(bytes.NewReader(js), f, convert.ReadOptions{}, l.Add, func(e *convert.DocError) { l.AddError(e) }))
	}
	side, _, errs := l.Finish("described")
	require.Empty(t, errs)
	return side
}

func orEmpty(v any) any {
	if v == nil {
		return []any{}
	}
	return v
}

func TestLoaderPairsServicesWithTaskDefinitions(t *testing.T) {
	td := func(family string, rev int, image string) string {
		return `{"taskDefinition": {"family": "` + family + `", "revision": ` + strconv.Itoa(rev) +
			`, "taskDefinitionArn": "arn:aws:ecs:eu-west-1:1:task-definition/` + family + `:` + strconv.Itoa(rev) +
			`", "containerDefinitions": [{"name": "app", "image": "` + image + `"}]}}`
	}
	svc := func(name, taskDef string) string {
		return `{"serviceName": "` + name + `", "taskDefinition": "` + taskDef + `"}`
	}
	tests := []struct {
		name      string
		docs      []string
		want      map[string]string // workload name -> image of its task definition
		wantError string
	}{
		{"service runs the highest revision of its family", []string{td("web", 3, "a"), td("web", 5, "b"), td("web", 4, "c"), svc("web", "web")}, map[string]string{"web": "b"}, ""},
		{"service names a revision", []string{td("web", 3, "a"), td("web", 5, "b"), svc("web", "web:3")}, map[string]string{"web": "a"}, ""},
		{"service names an ARN", []string{td("web", 3, "a"), td("web", 5, "b"), svc("web", "arn:aws:ecs:eu-west-1:1:task-definition/web:3")}, map[string]string{"web": "a"}, ""},
		{"service name differs from the family", []string{td("web-td", 1, "a"), svc("web", "web-td")}, map[string]string{"web": "a"}, ""},
		{"standalone task definition: the highest revision", []string{td("job", 2, "new"), td("job", 1, "old")}, map[string]string{"job": "new"}, ""},
		{"task definition missing", []string{svc("web", "web")}, nil, `no task definition of family "web"`},
		{"two services of one name", []string{td("web", 1, "a"), svc("web", "web"), svc("web", "web")}, map[string]string{"web": "a"}, `the name "web" is already taken`},
		{"a service without task definition", []string{`{"serviceName": "web"}`}, nil, "a service needs a task definition"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := NewLoader(convert.Options{Config: convert.DefaultConfig()})
			for i, d := range tt.docs {
				require.NoError(t, convert.ReadDocuments(strings.NewReader(d), "doc"+strconv.Itoa(i), convert.ReadOptions{}, l.Add, func(e *convert.DocError) { l.AddError(e) }))
			}
			side, _, errs := l.Finish("x")
			got := map[string]string{}
			for _, w := range side.Workloads {
				got[w.Name] = aws.ToString(w.TaskDefinition.ContainerDefinitions[0].Image)
			}
			if tt.want == nil {
				assert.Empty(t, got)
			} else {
				assert.Equal(t, tt.want, got)
			}
			if tt.wantError == "" {
				assert.Empty(t, errs)
				return
			}
			require.Len(t, errs, 1)
			assert.Contains(t, errs[0].Error(), tt.wantError)
		})
	}
}

func TestLoaderRejectsUnknownECSMembers(t *testing.T) {
	l := NewLoader(convert.Options{Config: convert.DefaultConfig()})
	doc := `{"family": "web", "containerDefinitions": [{"name": "app", "image": "x", "memroy": 512}]}`
	require.NoError(t, convert.ReadDocuments(strings.NewReader(doc), "web.json", convert.ReadOptions{}, l.Add, func(e *convert.DocError) { l.AddError(e) }))
	side, _, errs := l.Finish("x")
	assert.Empty(t, side.Workloads)
	require.Len(t, errs, 1)
	var de *convert.DocError
	require.ErrorAs(t, errs[0], &de)
	assert.Equal(t, "containerDefinitions[0].memroy", de.Path)
	assert.Contains(t, errs[0].Error(), "web.json: doc 1")
}
