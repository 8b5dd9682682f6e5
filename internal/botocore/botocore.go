// Package botocore reads the AWS service models shipped with the botocore Python package, the
// authoritative list of fields, enums and limits that the awscli validates against. Tests use it
// to check podecs' output against the real service model.
package botocore

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Shapes decodes the shapes of the newest model of service (e.g. "ecs",
// "application-autoscaling", "scheduler") into the caller's shape type S, which names the parts
// of a shape it needs. Without python3 and botocore the test is skipped, except under CI=true,
// where it fails: there the check must run.
func Shapes[S any](t testing.TB, service string) map[string]S {
	t.Helper()
	shapes, err := load[S](service)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("botocore model needed in CI: %v", err)
		}
		t.Skipf("botocore model not available: %v", err)
	}
	return shapes
}

func load[S any](service string) (map[string]S, error) {
	out, err := exec.Command("python3", "-c", "import botocore,os;print(os.path.dirname(botocore.__file__))").Output()
	if err != nil {
		return nil, fmt.Errorf("python3/botocore not found: %w", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "data", service)
	versions, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	if len(versions) == 0 {
		return nil, fmt.Errorf("%s: no model", dir)
	}
	f, err := os.Open(filepath.Join(dir, versions[len(versions)-1].Name(), "service-2.json.gz"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	var model struct {
		Shapes map[string]S `json:"shapes"`
	}
	if err := json.NewDecoder(zr).Decode(&model); err != nil {
		return nil, fmt.Errorf("%s model: %w", service, err)
	}
	if len(model.Shapes) == 0 {
		return nil, fmt.Errorf("%s model: no shapes", service)
	}
	return model.Shapes, nil
}
