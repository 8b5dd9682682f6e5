package convert

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readAll(t *testing.T, in string) ([]Document, []*DocError) {
	t.Helper()
	var docs []Document
	var errs []*DocError
	err := ReadDocuments(strings.NewReader(in), "in.yaml", ReadOptions{}, func(d Document) { docs = append(docs, d) }, func(e *DocError) { errs = append(errs, e) })
	require.NoError(t, err)
	return docs, errs
}

func TestReadDocuments(t *testing.T) {
	in := `# leading comment
---
apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: ns}
---
---
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Pod, metadata: {name: p}}
- {apiVersion: apps/v1, kind: Deployment, metadata: {name: d}}
---
{"family": "td", "containerDefinitions": []}
---
{"taskDefinition": {"family": "described", "containerDefinitions": []}}
---
{"services": [{"serviceName": "s"}]}
---
: : not yaml
---
hello: world
`
	docs, errs := readAll(t, in)
	require.Len(t, docs, 6)
	assert.Equal(t, DocRef{Source: "in.yaml", Index: 1, Kind: "ConfigMap", Name: "a"}, docs[0].DocRef)
	assert.Equal(t, "ns", docs[0].Namespace)
	assert.Equal(t, FormatKubernetes, docs[1].Format)
	assert.Equal(t, DocRef{Source: "in.yaml", Index: 2, Item: 1, Kind: "Pod", Name: "p"}, docs[1].DocRef)
	assert.Equal(t, 2, docs[2].Item)
	assert.Equal(t, FormatTaskDefinition, docs[3].Format)
	assert.Equal(t, "td", docs[3].Name)
	assert.Equal(t, "described", docs[4].Name)
	assert.Equal(t, FormatService, docs[5].Format)
	require.Len(t, errs, 2)
	assert.Equal(t, 6, errs[0].Doc.Index, "empty documents do not count")
	assert.Contains(t, errs[0].Error(), "in.yaml: doc 6: not valid YAML")
	assert.Contains(t, errs[1].Error(), "neither a Kubernetes object")
}

// TestUnrenderedTemplate: a chart template that was not rendered is named as such.
func TestUnrenderedTemplate(t *testing.T) {
	_, errs := readAll(t, "apiVersion: v1\nkind: Pod\nmetadata: {name: {{ .Release.Name }}}\n---\n: : not yaml\n")
	require.Len(t, errs, 2)
	assert.Contains(t, errs[0].Error(), "in.yaml: doc 1: not valid YAML or JSON: it holds {{ }}, so it looks like a template that was not rendered")
	assert.NotContains(t, errs[1].Error(), "template", "only documents with {{ are called templates")
}

func TestReadDocumentLimits(t *testing.T) {
	big := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  k: " + strings.Repeat("x", 2000) + "\n"
	var errs []*DocError
	err := ReadDocuments(strings.NewReader(big), "big.yaml", ReadOptions{MaxDocumentBytes: 1000}, func(Document) { t.Fatal("an oversized document must not be passed on") }, func(e *DocError) { errs = append(errs, e) })
	require.NoError(t, err)
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Error(), "over the limit of 1000")
}

func TestAliasBombIsRefused(t *testing.T) {
	in := `a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`
	docs, errs := readAll(t, in)
	assert.Empty(t, docs)
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Error(), "doc 1")
}

func TestConverterNameCollision(t *testing.T) {
	in := `apiVersion: v1
kind: Pod
metadata: {name: web.v1, namespace: a}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-v1, namespace: b}
spec: {containers: [{name: c, image: nginx}]}
`
	docs, errs := readAll(t, in)
	require.Empty(t, errs)
	c := NewConverter(Options{})
	for _, d := range docs {
		c.Add(d)
	}
	res := c.Finish()
	require.Len(t, res.Outputs, 1)
	require.Len(t, res.Errors, 1)
	assert.Contains(t, res.Errors[0].Error(), `the ECS name "web-v1" is already taken by in.yaml: doc 1`)
}

func TestEnvPrecedenceAcrossFiles(t *testing.T) {
	c := NewConverter(Options{})
	add := func(src, in string) {
		require.NoError(t, ReadDocuments(strings.NewReader(in), src, ReadOptions{}, c.Add, func(e *DocError) { t.Fatal(e) }))
	}
	add("deploy.yaml", `apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx
        envFrom: [{configMapRef: {name: cfg}, prefix: CFG_}]
        env:
        - {name: CFG_MODE, value: from-env}
        - {name: URL, value: "http://$(CFG_HOST):$(PORT)"}
        - {name: PORT, value: "80"}
`)
	add("cm.yaml", `apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {MODE: from-configmap, HOST: db}
`)
	res := c.Finish()
	require.Empty(t, res.Errors)
	require.Len(t, res.Outputs, 1)
	env := map[string]string{}
	for _, kv := range res.Outputs[0].TaskDefinition.ContainerDefinitions[0].Environment {
		env[*kv.Name] = *kv.Value
	}
	assert.Equal(t, map[string]string{"CFG_MODE": "from-env", "CFG_HOST": "db", "URL": "http://db:$(PORT)", "PORT": "80"}, env,
		"env wins over envFrom; $(VAR) expands only variables defined before it, as in Kubernetes")
}
