// Package k8srender renders Helm charts and Kustomize bases in tests, with the libraries that own
// the formats (helm.sh/helm/v4's engine, as helm template does; sigs.k8s.io/kustomize/api's
// krusty, as kustomize build does). Only tests import it: the podecs binary links neither.
package k8srender

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/common/util"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/engine"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// HelmTemplate renders the chart in dir with its default values merged with values (nil: the
// defaults alone), and returns the manifests as one multi-document YAML stream, templates in
// name order; partials (_*.tpl) and empty renderings are left out, as helm template does.
func HelmTemplate(t testing.TB, dir string, values map[string]any) string {
	t.Helper()
	chart, err := loader.Load(dir)
	if err != nil {
		t.Fatalf("load chart %s: %v", dir, err)
	}
	vals, err := util.ToRenderValues(chart, values, common.ReleaseOptions{Name: "release", Namespace: "default", IsInstall: true}, nil)
	if err != nil {
		t.Fatalf("values of %s: %v", dir, err)
	}
	rendered, err := engine.Render(chart, vals)
	if err != nil {
		t.Fatalf("render %s: %v", dir, err)
	}
	names := make([]string, 0, len(rendered))
	for n := range rendered {
		names = append(names, n)
	}
	sort.Strings(names)
	var docs []string
	for _, n := range names {
		if strings.HasPrefix(filepath.Base(n), "_") || strings.TrimSpace(rendered[n]) == "" {
			continue
		}
		docs = append(docs, strings.TrimSpace(rendered[n]))
	}
	return strings.Join(docs, "\n---\n") + "\n"
}

// KustomizeBuild builds the kustomization in dir and returns its objects as YAML.
func KustomizeBuild(t testing.TB, dir string) string {
	t.Helper()
	res, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	y, err := res.AsYaml()
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	return string(y)
}
