package render

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podecs/podecs/convert"
)

// osFiles reads files by path, as the CLI gives them to the source readers.
type osFiles struct{}

func (osFiles) Open(name string) (fs.File, error) { return os.Open(filepath.FromSlash(name)) }

// readBack reads what a format wrote with podecs' own source readers and returns the task
// definitions and services it holds, as API JSON, by family and service name.
func readBack(t *testing.T, f Format, files map[string][]byte) (tds, svcs map[string]map[string]any) {
	t.Helper()
	dir := writeFiles(t, files, "out")
	tds, svcs = map[string]map[string]any{}, map[string]map[string]any{}
	so := convert.SourceOptions{Files: osFiles{}}
	add := func(d convert.Document) {
		m := decodeJSON(t, d.JSON)
		switch d.Format {
		case convert.FormatTaskDefinition:
			tds[m["family"].(string)] = m
		case convert.FormatService:
			svcs[m["serviceName"].(string)] = m
		}
	}
	onErr := func(e *convert.DocError) { t.Errorf("reading back: %v", e) }
	switch f {
	case Terraform:
		require.NoError(t, convert.ReadTerraform(filepath.ToSlash(dir), so, add, onErr))
	case CloudFormation:
		for name, data := range files {
			require.NoError(t, convert.ReadDocuments(bytes.NewReader(data), filepath.Join(dir, name), convert.ReadOptions{Sources: so}, add, onErr))
		}
	}
	return tds, svcs
}

// TestIaCReadsBackToTheAPIOutput: what the Terraform and CloudFormation formats write, podecs
// reads back (as an ECS team's module or stack) to the very task definitions and services the api
// format writes. The one expected difference: a target group the IaC creates is referenced by
// the resource that creates it, not by the ARN from --config.
func TestIaCReadsBackToTheAPIOutput(t *testing.T) {
	tgRef := map[Format]*regexp.Regexp{
		Terraform:      regexp.MustCompile(`^\$\{aws_lb_target_group\.[a-z0-9_]+\.arn\}$`),
		CloudFormation: regexp.MustCompile(`^\$\{[A-Za-z0-9]+\}$`),
	}
	for _, fx := range k8sFixtures(t) {
		items := fx.run(t, convert.ReverseOptions{})
		outs := outputs(items)
		if len(outs) == 0 {
			continue
		}
		for _, f := range []Format{Terraform, CloudFormation} {
			t.Run(fx.name+"/"+string(f), func(t *testing.T) {
				tds, svcs := readBack(t, f, render(t, f, Options{}, items))
				for _, o := range outs {
					want := apiJSON(t, o.TaskDefinition)
					got, ok := tds[*o.TaskDefinition.Family]
					require.True(t, ok, "task definition %s not read back", *o.TaskDefinition.Family)
					onlyInputs(t, want, got)
					assert.Equal(t, jsonText(t, want), jsonText(t, got), "task definition %s", *o.TaskDefinition.Family)
					if o.Service == nil {
						continue
					}
					want = apiJSON(t, o.Service)
					got, ok = svcs[*o.Service.ServiceName]
					require.True(t, ok, "service %s not read back", *o.Service.ServiceName)
					wlbs, _ := want["loadBalancers"].([]any)
					glbs, _ := got["loadBalancers"].([]any)
					require.Len(t, glbs, len(wlbs))
					for i := range wlbs {
						w, g := wlbs[i].(map[string]any), glbs[i].(map[string]any)
						if w["targetGroupArn"] != nil {
							assert.Regexp(t, tgRef[f], g["targetGroupArn"])
							g["targetGroupArn"] = w["targetGroupArn"]
						}
					}
					onlyInputs(t, want, got)
					assert.Equal(t, jsonText(t, want), jsonText(t, got), "service %s", *o.Service.ServiceName)
				}
			})
		}
	}
}

// onlyInputs checks the members the IaC has and the api output has not: they are what the
// manifests cannot know (the execution role, the subnets …), asked for as variables or parameters,
// so every value in them is a placeholder the reader made of one; they are then left out of the
// comparison.
func onlyInputs(t *testing.T, want, got map[string]any) {
	t.Helper()
	for k, v := range got {
		if _, ok := want[k]; ok {
			continue
		}
		walkLeaves(v, func(leaf any) {
			s, _ := leaf.(string)
			if k == "networkConfiguration" && (s == "DISABLED" || s == "ENABLED") {
				return // assignPublicIp: a variable with a default
			}
			assert.Regexp(t, `^\$\{[A-Za-z0-9_.]+\}$`, leaf, "%s: a value the api output does not have", k)
		})
		delete(got, k)
	}
}

func walkLeaves(v any, fn func(any)) {
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			walkLeaves(e, fn)
		}
	case []any:
		for _, e := range x {
			walkLeaves(e, fn)
		}
	default:
		fn(x)
	}
}

func jsonText(t *testing.T, v any) string {
	t.Helper()
	data, err := json.MarshalIndent(v, "", "  ")
	require.NoError(t, err)
	return string(data)
}
