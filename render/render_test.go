package render

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
