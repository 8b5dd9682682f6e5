package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// objectsOf splits multi-document YAML and returns the documents of kind.
func objectsOf(t *testing.T, stream, kind string) []string {
	t.Helper()
	var out []string
	for _, doc := range strings.Split(stream, "---\n") {
		var meta struct{ Kind string }
		require.NoError(t, yaml.Unmarshal([]byte(doc), &meta), doc)
		if meta.Kind == kind {
			out = append(out, doc)
		}
	}
	return out
}

func TestExport(t *testing.T) {
	endpoint := motoEnv(t)
	const cluster = "podecs-export"
	cfg := registerFixture(t, endpoint, cluster)
	aws := []string{"--region", "us-east-1", "--endpoint-url", endpoint}
	for _, m := range []string{deployment(t, "exp-web", "nginx:1.25", 2, "t0k3n-1"), deployment(t, "exp-web", "nginx:1.26", 4, "t0k3n-2"), deployment(t, "exp-api", "api:7", 1, "t0k3n-3")} {
		code, _, errOut := runCLI(t, "", append([]string{"register", "-f", m, "--config", cfg, "--create-cluster"}, aws...)...)
		require.Equal(t, exitOK, code, errOut)
	}

	t.Run("the live service gives back the Deployment with the new image and replica count", func(t *testing.T) {
		code, out, errOut := runCLI(t, "", append([]string{"export", "--cluster", cluster, "--service", "exp-web"}, aws...)...)
		require.Equal(t, exitOK, code, errOut)
		assertNoSecrets(t, errOut)
		docs := objectsOf(t, out, "Deployment")
		require.Len(t, docs, 1)
		var d appsv1.Deployment
		require.NoError(t, yaml.Unmarshal([]byte(docs[0]), &d))
		assert.Equal(t, "exp-web", d.Name)
		require.NotNil(t, d.Spec.Replicas)
		assert.Equal(t, int32(4), *d.Spec.Replicas)
		require.Len(t, d.Spec.Template.Spec.Containers, 1)
		c := d.Spec.Template.Spec.Containers[0]
		assert.Equal(t, "nginx:1.26", c.Image)
		assert.Contains(t, c.Env, corev1.EnvVar{Name: "LOG_LEVEL", Value: "info"})
		assert.Equal(t, int32(8080), c.Ports[0].ContainerPort)
	})

	t.Run("--all writes one file per service", func(t *testing.T) {
		dir := t.TempDir()
		code, out, errOut := runCLI(t, "", append([]string{"export", "--cluster", cluster, "--all", "-o", dir, "-q"}, aws...)...)
		require.Equal(t, exitOK, code, errOut)
		assert.Empty(t, out)
		assert.Empty(t, errOut)
		files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
		require.NoError(t, err)
		assert.Equal(t, []string{filepath.Join(dir, "exp-api.yaml"), filepath.Join(dir, "exp-web.yaml")}, files)
		data, err := os.ReadFile(filepath.Join(dir, "exp-api.yaml"))
		require.NoError(t, err)
		assert.Contains(t, string(data), "image: api:7")
	})

	t.Run("a task definition revision on its own becomes a Pod", func(t *testing.T) {
		code, out, errOut := runCLI(t, "", append([]string{"export", "--task-definition", "exp-web:1", "-q"}, aws...)...)
		require.Equal(t, exitOK, code, errOut)
		pods := objectsOf(t, out, "Pod")
		require.Len(t, pods, 1)
		var p corev1.Pod
		require.NoError(t, yaml.Unmarshal([]byte(pods[0]), &p))
		assert.Equal(t, "nginx:1.25", p.Spec.Containers[0].Image, "revision 1 has the first image")
	})

	t.Run("the exported Deployment registers as the same objects", func(t *testing.T) {
		dir := t.TempDir()
		code, _, errOut := runCLI(t, "", append([]string{"export", "--cluster", cluster, "--service", "exp-web", "-o", dir, "-q"}, aws...)...)
		require.Equal(t, exitOK, code, errOut)
		code, out, errOut := runCLI(t, "", append([]string{"register", "-f", filepath.Join(dir, "exp-web.yaml"), "--config", cfg, "--dry-run"}, aws...)...)
		require.Equal(t, exitOK, code, errOut)
		assert.Equal(t, 3, strings.Count(out, "unchanged "), out)
		assert.Contains(t, out, "unchanged  cluster  podecs-export  arn:aws:ecs:us-east-1:123456789012:cluster/podecs-export\n", "the cluster ARN the manifest carries is shown by name")
	})

	t.Run("errors", func(t *testing.T) {
		tests := []struct {
			name string
			args []string
			want string
		}{
			{"missing service", []string{"--cluster", cluster, "--service", "nope"}, "podecs: export: cluster podecs-export: service nope (MISSING) not found\n"},
			{"missing cluster", []string{"--cluster", "podecs-export-none", "--all"}, "podecs: export: cluster podecs-export-none: ListServices: ClusterNotFoundException: "},
			{"missing task definition", []string{"--task-definition", "podecs-export-none"}, "podecs: export: task definition podecs-export-none: DescribeTaskDefinition: ClientException: "},
			{"nothing selected", []string{"--cluster", cluster}, "podecs: export: name what to export: --service NAME, --all or --task-definition FAMILY[:REV]\n"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				code, out, errOut := runCLI(t, "", append(append([]string{"export"}, tc.args...), aws...)...)
				assert.Equal(t, exitBadInput, code)
				assert.Empty(t, out)
				assert.Contains(t, errOut, tc.want)
			})
		}
	})
}
