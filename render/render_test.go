package render

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podecs/podecs/convert"
	"github.com/podecs/podecs/convert/ecsjson"
)

// fixture is one input of the test data with its --config.
type fixture struct {
	name  string
	files []string
	cfg   convert.Config
}

// k8sFixtures lists every Kubernetes fixture of the repository with its config.
func k8sFixtures(t *testing.T) []fixture {
	t.Helper()
	files, err := filepath.Glob("../testdata/fixtures/k8s/*.yaml")
	require.NoError(t, err)
	var out []fixture
	for _, f := range files {
		if strings.HasSuffix(f, ".config.yaml") {
			continue
		}
		fx := fixture{name: strings.TrimSuffix(filepath.Base(f), ".yaml"), files: []string{f}}
		if data, err := os.ReadFile(strings.TrimSuffix(f, ".yaml") + ".config.yaml"); err == nil {
			fx.cfg, err = convert.ParseConfig(data)
			require.NoError(t, err)
		}
		out = append(out, fx)
	}
	require.GreaterOrEqual(t, len(out), 15)
	return out
}

// ecsFixtures lists the ECS fixtures, grouped by workload (catalog.taskdef.json with
// catalog.service.json, …).
func ecsFixtures(t *testing.T) []fixture {
	t.Helper()
	files, err := filepath.Glob("../testdata/fixtures/ecs/*.json")
	require.NoError(t, err)
	groups := map[string][]string{}
	var order []string
	for _, f := range files {
		stem, _, _ := strings.Cut(filepath.Base(f), ".")
		if groups[stem] == nil {
			order = append(order, stem)
		}
		groups[stem] = append(groups[stem], f)
	}
	var out []fixture
	for _, s := range order {
		out = append(out, fixture{name: s, files: groups[s]})
	}
	require.GreaterOrEqual(t, len(out), 10)
	return out
}

// run converts a fixture and returns the items of the batch.
func (fx fixture) run(t *testing.T, ro convert.ReverseOptions) []convert.Item {
	t.Helper()
	var inputs []convert.Input
	for _, f := range fx.files {
		inputs = append(inputs, convert.Input{Name: f, Open: func() (io.ReadCloser, error) { return os.Open(f) }})
	}
	var items []convert.Item
	err := convert.Batch(inputs, convert.BatchOptions{Options: convert.Options{Config: fx.cfg, Reverse: ro}}, convert.BatchHandler{Item: func(it convert.Item) error {
		items = append(items, it)
		return nil
	}})
	require.NoError(t, err)
	return items
}

// render feeds the items to a format's collector and returns its files by name.
func render(t *testing.T, f Format, o Options, items []convert.Item) map[string][]byte {
	t.Helper()
	c := NewCollector(f, o)
	for _, it := range items {
		require.NoError(t, c.Add(it))
	}
	files, err := c.Files()
	require.NoError(t, err)
	out := map[string][]byte{}
	for _, fl := range files {
		out[fl.Name] = fl.Data
	}
	return out
}

// apiJSON is the api format's JSON of an SDK input (or a plain struct), decoded generically.
func apiJSON(t *testing.T, v any) map[string]any {
	t.Helper()
	data, err := ecsjson.Marshal(v)
	if err != nil {
		data, err = json.Marshal(v)
	}
	require.NoError(t, err)
	return decodeJSON(t, data)
}

func decodeJSON(t *testing.T, data []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	require.NoError(t, dec.Decode(&m), "%s", data)
	return m
}

// outputs are the converted workloads of a run.
func outputs(items []convert.Item) []*convert.Output {
	var out []*convert.Output
	for _, it := range items {
		if it.Output != nil {
			out = append(out, it.Output)
		}
	}
	return out
}

// TestUnwritableWorkloadLeavesNoTrace: a workload whose service has a member the format cannot
// write is an error naming the member, and nothing of it (resources, variables, outputs) is in
// the files; the workloads around it are written as usual.
func TestUnwritableWorkloadLeavesNoTrace(t *testing.T) {
	var fx fixture
	for _, f := range k8sFixtures(t) {
		if f.name == "deployment-rolling" {
			fx = f
		}
	}
	items := fx.run(t, convert.ReverseOptions{})
	outs := outputs(items)
	require.Len(t, outs, 1)
	good := *outs[0]
	bad := good
	bad.Name = "unwritable"
	svc := *good.Service
	svc.ServiceName = aws.String("unwritable")
	svc.VolumeConfigurations = []types.ServiceVolumeConfiguration{{Name: aws.String("data")}}
	svc.Cluster = aws.String("another-cluster")
	bad.Service = &svc
	for _, f := range []Format{Terraform, CloudFormation} {
		t.Run(string(f), func(t *testing.T) {
			c := NewCollector(f, Options{Config: fx.cfg})
			err := c.Add(convert.Item{Output: &bad})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "volumeConfigurations")
			require.NoError(t, c.Add(convert.Item{Output: &good}))
			files, err := c.Files()
			require.NoError(t, err)
			for _, fl := range files {
				assert.NotContains(t, string(fl.Data), "unwritable", fl.Name)
				assert.NotContains(t, strings.ToLower(string(fl.Data)), "unwritable", fl.Name)
			}
			want := render(t, f, Options{Config: fx.cfg}, items)
			for _, fl := range files {
				assert.Equal(t, string(want[fl.Name]), string(fl.Data), fl.Name)
			}
		})
	}
}
