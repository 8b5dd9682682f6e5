package convert_test

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/podecs/podecs/convert"
	"github.com/podecs/podecs/internal/k8srender"
	"github.com/podecs/podecs/render"
)

// TestHelmAndKustomizeObjectsValidate renders the Helm chart and the Kustomize base of every ECS
// fixture with the libraries that own the formats (helm template, kustomize build) and checks the
// objects with the Kubernetes API validation the reverse tests use.
func TestHelmAndKustomizeObjectsValidate(t *testing.T) {
	files, err := filepath.Glob("../testdata/fixtures/ecs/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var inputs []convert.Input
	for _, f := range files {
		inputs = append(inputs, convert.Input{Name: f, Open: func() (io.ReadCloser, error) { return os.Open(f) }})
	}
	for _, es := range []bool{false, true} {
		opts := convert.BatchOptions{Options: convert.Options{Reverse: convert.ReverseOptions{Kind: convert.KindDeployment, ExternalSecrets: es}}}
		for _, format := range []render.Format{render.Helm, render.Kustomize} {
			t.Run(string(format), func(t *testing.T) {
				c := render.NewCollector(format, render.Options{Name: "fixtures"})
				require.NoError(t, convert.Batch(inputs, opts, convert.BatchHandler{Item: func(it convert.Item) error {
					if it.Manifest == nil {
						return nil
					}
					return c.Add(it)
				}}))
				out, err := c.Files()
				require.NoError(t, err)
				dir := t.TempDir()
				for _, f := range out {
					p := filepath.Join(dir, filepath.FromSlash(f.Name))
					require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
					require.NoError(t, os.WriteFile(p, f.Data, 0o644))
				}
				var y string
				if format == render.Helm {
					y = k8srender.HelmTemplate(t, dir, nil)
				} else {
					y = k8srender.KustomizeBuild(t, dir)
				}
				require.Greater(t, strings.Count(y, "\nkind: "), 10)
				convert.ValidateManifest(t, []byte(y))
			})
		}
	}
}
