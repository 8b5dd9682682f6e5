package render

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/podecs/podecs/convert"
	"github.com/podecs/podecs/internal/k8srender"
)

// writeFiles writes rendered files under a new directory named name and returns it.
func writeFiles(t *testing.T, files map[string][]byte, name string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	for n, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(n))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, data, 0o644))
	}
	return dir
}

// objectsOf decodes a multi-document YAML stream into objects keyed "Kind/name".
func objectsOf(t *testing.T, streams ...string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, s := range streams {
		for _, doc := range strings.Split(s, "\n---") {
			doc = strings.TrimPrefix(strings.TrimSpace(doc), "---")
			var obj map[string]any
			require.NoError(t, yaml.Unmarshal([]byte(doc), &obj), doc)
			if obj == nil {
				continue
			}
			meta, _ := obj["metadata"].(map[string]any)
			key := obj["kind"].(string) + "/" + meta["name"].(string)
			require.NotContains(t, out, key)
			out[key] = obj
		}
	}
	return out
}

// apiObjects are the objects the api format writes for the manifests of a run.
func apiObjects(t *testing.T, items []convert.Item) map[string]map[string]any {
	t.Helper()
	var streams []string
	for _, it := range items {
		if it.Manifest != nil {
			y, err := it.Manifest.YAML()
			require.NoError(t, err)
			streams = append(streams, string(y))
		}
	}
	return objectsOf(t, streams...)
}

// helmTemplate renders a chart directory as helm template does, with the chart's default values.
func helmTemplate(t *testing.T, dir string) map[string]map[string]any {
	t.Helper()
	return objectsOf(t, k8srender.HelmTemplate(t, dir, nil))
}

// kustomizeBuild builds a base as kustomize build does.
func kustomizeBuild(t *testing.T, dir string) map[string]map[string]any {
	t.Helper()
	return objectsOf(t, k8srender.KustomizeBuild(t, dir))
}

// TestHelmChartRendersTheAPIObjects: for every ECS fixture (with and without
// --external-secrets), the chart rendered with its default values gives exactly the objects of
// the api format.
func TestHelmChartRendersTheAPIObjects(t *testing.T) {
	for _, fx := range ecsFixtures(t) {
		for _, es := range []bool{false, true} {
			t.Run(fx.name+map[bool]string{true: "/external-secrets"}[es], func(t *testing.T) {
				items := fx.run(t, convert.ReverseOptions{Kind: convert.KindDeployment, ExternalSecrets: es})
				want := apiObjects(t, items)
				require.NotEmpty(t, want)
				dir := writeFiles(t, render(t, Helm, Options{Name: "shop"}, items), "shop")
				assert.Equal(t, want, helmTemplate(t, dir))
			})
		}
	}
}

// TestHelmValuesChangeTheObjects: values given at install time reach the fields they stand for,
// and a value with YAML's special characters stays one string.
func TestHelmValuesChangeTheObjects(t *testing.T) {
	var fx fixture
	for _, f := range ecsFixtures(t) {
		if f.name == "cms" {
			fx = f
		}
	}
	items := fx.run(t, convert.ReverseOptions{ExternalSecrets: true})
	dir := writeFiles(t, render(t, Helm, Options{Name: "cms"}, items), "cms")
	override := map[string]any{"cms": map[string]any{
		"replicas": 5,
		"containers": map[string]any{
			"nginx":   map[string]any{"image": map[string]any{"tag": "1.28-alpine"}, "resources": map[string]any{"limits": map[string]any{"memory": "1Gi"}}},
			"php-fpm": map[string]any{"env": map[string]any{"WORDPRESS_DB_HOST": "db: \"prod\" # not a comment\n- not a list"}},
		},
		"secrets":  map[string]any{"cms-db-8hg2kl": map[string]any{"name": "prod-db", "remoteKeys": map[string]any{"password": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf"}}},
		"services": map[string]any{"cms": map[string]any{"type": "LoadBalancer"}},
	}}
	objs := objectsOf(t, k8srender.HelmTemplate(t, dir, override))
	d := objs["Deployment/cms"]
	assert.EqualValues(t, 5, d["spec"].(map[string]any)["replicas"])
	containers := dig(d, "spec", "template", "spec")["containers"].([]any)
	byName := map[string]map[string]any{}
	for _, c := range containers {
		byName[c.(map[string]any)["name"].(string)] = c.(map[string]any)
	}
	assert.Equal(t, "public.ecr.aws/nginx/nginx:1.28-alpine", byName["nginx"]["image"])
	assert.Equal(t, map[string]any{"limits": map[string]any{"memory": "1Gi"}, "requests": map[string]any{"cpu": "125m"}}, byName["nginx"]["resources"], "Helm merges the value into the chart's")
	var host, dbSecret string
	for _, e := range byName["php-fpm"]["env"].([]any) {
		e := e.(map[string]any)
		switch e["name"] {
		case "WORDPRESS_DB_HOST":
			host = e["value"].(string)
		case "WORDPRESS_DB_PASSWORD":
			dbSecret = dig(e, "valueFrom", "secretKeyRef")["name"].(string)
		}
	}
	assert.Equal(t, "db: \"prod\" # not a comment\n- not a list", host)
	assert.Equal(t, "prod-db", dbSecret)
	es := objs["ExternalSecret/prod-db"]
	require.NotNil(t, es, "the ExternalSecret follows the Secret's name")
	assert.Equal(t, "prod-db", dig(es, "spec", "target")["name"])
	assert.Equal(t, "LoadBalancer", dig(objs["Service/cms"], "spec")["type"])
}

// TestKustomizeBaseBuildsTheAPIObjects: kustomize build of the base gives the api format's objects,
// and an overlay's images: entry changes the tag.
func TestKustomizeBaseBuildsTheAPIObjects(t *testing.T) {
	for _, fx := range ecsFixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			items := fx.run(t, convert.ReverseOptions{Kind: convert.KindDeployment, ExternalSecrets: true})
			want := apiObjects(t, items)
			files := render(t, Kustomize, Options{}, items)
			base := writeFiles(t, files, "base")
			assert.Equal(t, want, kustomizeBuild(t, base))

			var k kustomization
			require.NoError(t, yaml.Unmarshal(files["kustomization.yaml"], &k))
			if len(k.Images) == 0 || k.Images[0].NewTag == "" {
				return
			}
			img := k.Images[0]
			overlay := filepath.Join(filepath.Dir(base), "overlay")
			require.NoError(t, os.MkdirAll(overlay, 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(overlay, "kustomization.yaml"), []byte("resources: [../base]\nimages:\n- name: "+img.Name+"\n  newTag: overlay-tag\n"), 0o644))
			got := kustomizeBuild(t, overlay)
			y, err := yaml.Marshal(got)
			require.NoError(t, err)
			assert.Contains(t, string(y), img.Name+":overlay-tag")
			assert.False(t, bytes.Contains(y, []byte(img.Name+":"+img.NewTag+"\n")))
		})
	}
}

// TestHelmKeepsBracesAsText: values that look like template actions ({{ … }}, as ECS task
// definitions kept as templates hold) come out of the chart as the same text.
func TestHelmKeepsBracesAsText(t *testing.T) {
	td := `{"family": "tpl", "containerDefinitions": [{"name": "app", "image": "nginx:1.27", "memory": 256,
	  "environment": [{"name": "GREETING", "value": "{{ .Values.x }} and {{- ecsTaskRoleArn }}"}],
	  "dockerLabels": {"x": "{{"}}]}`
	fx := fixture{name: "tpl", files: []string{filepath.Join(t.TempDir(), "tpl.taskdef.json")}}
	require.NoError(t, os.WriteFile(fx.files[0], []byte(td), 0o644))
	items := fx.run(t, convert.ReverseOptions{})
	want := apiObjects(t, items)
	dir := writeFiles(t, render(t, Helm, Options{Name: "tpl"}, items), "tpl")
	assert.Equal(t, want, helmTemplate(t, dir))
	y, err := yaml.Marshal(want)
	require.NoError(t, err)
	assert.Contains(t, string(y), "{{ .Values.x }} and {{- ecsTaskRoleArn }}")
}
