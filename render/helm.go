package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"sigs.k8s.io/yaml"

	"github.com/podecs/podecs/convert"
)

// Helm writes a chart for the run: Chart.yaml, values.yaml and templates/N.yaml per workload,
// with the objects the api format writes. values.yaml holds, under each workload's name, what
// differs from one environment to the next: replicas, each container's image (repository, tag,
// digest), resources and plain env values, the names of the Secrets the containers read (and the
// remote keys, the ARNs, of their ExternalSecrets), and each Service's type. Rendered with its
// default values (helm template), the chart gives exactly the objects of the api format.
//
// The templates are the api format's YAML with those fields replaced by template actions that
// quote strings (quote) and write structures with toYaml; nothing is spliced together as text.
type helm struct {
	o         Options
	values    map[string]any
	order     []string
	templates []convert.File
}

func newHelm(o Options) *helm { return &helm{o: o, values: map[string]any{}} }

func (h *helm) Add(it convert.Item) error {
	m := it.Manifest
	if m == nil {
		return nil
	}
	objs, err := manifestObjects(m)
	if err != nil {
		return fmt.Errorf("helm: %w", err)
	}
	p := &parameterizer{values: map[string]any{}}
	var out bytes.Buffer
	fmt.Fprintf(&out, "{{- $w := index .Values %s }}\n", strconv.Quote(m.Name))
	for i, obj := range objs {
		p.object(obj)
		y, err := yaml.Marshal(obj)
		if err != nil {
			return fmt.Errorf("helm: %w", err)
		}
		if i > 0 {
			out.WriteString("---\n")
		}
		// Text that looks like a template action ({{ … }} in a value, an annotation) is text.
		y = bytes.ReplaceAll(y, []byte("{{"), []byte(`{{ "{{" }}`))
		out.Write(p.substitute(y))
	}
	h.values[m.Name] = p.values
	h.order = append(h.order, m.Name)
	h.templates = append(h.templates, convert.File{Name: "templates/" + convert.FileStem(m.Name) + ".yaml", Data: out.Bytes(), YAML: true})
	return nil
}

// manifestObjects are the objects of a manifest as the api format writes them, decoded
// generically.
func manifestObjects(m *convert.Manifest) ([]map[string]any, error) {
	y, err := m.YAML()
	if err != nil {
		return nil, err
	}
	var objs []map[string]any
	for _, doc := range bytes.Split(y, []byte("\n---\n")) {
		doc = bytes.TrimPrefix(doc, []byte("---\n"))
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		j, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, err
		}
		dec := json.NewDecoder(bytes.NewReader(j))
		dec.UseNumber()
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			return nil, err
		}
		objs = append(objs, obj)
	}
	return objs, nil
}

// parameterizer replaces the per-environment fields of a workload's objects with tokens, keeps
// their values, and swaps the tokens for template actions in the YAML.
type parameterizer struct {
	values  map[string]any
	actions []action
}

// action is what replaces one token: a quoted scalar, or a structure under its key.
type action struct {
	expr  string
	block bool
}

func (p *parameterizer) token(expr string, block bool) string {
	p.actions = append(p.actions, action{expr: expr, block: block})
	return fmt.Sprintf("podecs_value_%d_", len(p.actions)-1)
}

// set stores a value at a path of the workload's values and returns the token of its action.
func (p *parameterizer) set(value any, block bool, pipe string, path ...string) string {
	m := p.values
	for _, k := range path[:len(path)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[path[len(path)-1]] = value
	expr := "$w"
	for _, k := range path {
		expr = fmt.Sprintf("(index %s %s)", expr, strconv.Quote(k))
	}
	return p.token(expr+pipe, block)
}

// object parameterizes one object.
func (p *parameterizer) object(obj map[string]any) {
	kind, _ := obj["kind"].(string)
	spec, _ := obj["spec"].(map[string]any)
	meta, _ := obj["metadata"].(map[string]any)
	switch kind {
	case "Deployment", "StatefulSet", "ReplicaSet":
		if r, ok := spec["replicas"]; ok {
			spec["replicas"] = p.set(r, false, "", "replicas")
		}
		p.podSpec(dig(spec, "template", "spec"))
	case "DaemonSet", "Job":
		p.podSpec(dig(spec, "template", "spec"))
	case "CronJob":
		p.podSpec(dig(spec, "jobTemplate", "spec", "template", "spec"))
	case "Pod":
		p.podSpec(spec)
	case "Service":
		if t, ok := spec["type"]; ok {
			spec["type"] = p.set(t, false, " | quote", "services", fmt.Sprint(meta["name"]), "type")
		}
	case "ExternalSecret":
		name := fmt.Sprint(meta["name"])
		meta["name"] = p.secretName(name)
		if target, ok := spec["target"].(map[string]any); ok && target["name"] != nil {
			target["name"] = p.secretName(fmt.Sprint(target["name"]))
		}
		data, _ := spec["data"].([]any)
		for _, d := range data {
			d, _ := d.(map[string]any)
			ref, _ := d["remoteRef"].(map[string]any)
			if key, ok := ref["key"]; ok && ref != nil {
				ref["key"] = p.set(key, false, " | quote", "secrets", name, "remoteKeys", fmt.Sprint(d["secretKey"]))
			}
		}
	}
}

// secretName is the token of a Secret's name: values.secrets.NAME.name.
func (p *parameterizer) secretName(name string) string {
	return p.set(name, false, " | quote", "secrets", name, "name")
}

func (p *parameterizer) podSpec(spec map[string]any) {
	if spec == nil {
		return
	}
	for _, list := range []string{"initContainers", "containers"} {
		cs, _ := spec[list].([]any)
		for _, c := range cs {
			if c, ok := c.(map[string]any); ok {
				p.container(c)
			}
		}
	}
	vols, _ := spec["volumes"].([]any)
	for _, v := range vols {
		if s := dig(v, "secret"); s != nil && s["secretName"] != nil {
			s["secretName"] = p.secretName(fmt.Sprint(s["secretName"]))
		}
	}
}

func (p *parameterizer) container(c map[string]any) {
	name := fmt.Sprint(c["name"])
	if img, ok := c["image"].(string); ok {
		repo, tag, digest := splitImage(img)
		p.set(repo, false, "", "containers", name, "image", "repository")
		p.set(tag, false, "", "containers", name, "image", "tag")
		if digest != "" {
			p.set(digest, false, "", "containers", name, "image", "digest")
		}
		c["image"] = p.token(fmt.Sprintf("include \"podecs.image\" (index (index $w \"containers\") %s).image | quote", strconv.Quote(name)), false)
	}
	if r, ok := c["resources"].(map[string]any); ok && len(r) > 0 {
		c["resources"] = p.set(r, true, "", "containers", name, "resources")
	}
	env, _ := c["env"].([]any)
	seen := map[string]int{}
	for _, e := range env {
		if e, ok := e.(map[string]any); ok {
			seen[fmt.Sprint(e["name"])]++
		}
	}
	for _, e := range env {
		e, ok := e.(map[string]any)
		if !ok {
			continue
		}
		n := fmt.Sprint(e["name"])
		if v, ok := e["value"]; ok && seen[n] == 1 {
			e["value"] = p.set(v, false, " | quote", "containers", name, "env", n)
		}
		if ref := dig(e, "valueFrom", "secretKeyRef"); ref != nil && ref["name"] != nil {
			ref["name"] = p.secretName(fmt.Sprint(ref["name"]))
		}
	}
	from, _ := c["envFrom"].([]any)
	for _, f := range from {
		if ref := dig(f, "secretRef"); ref != nil && ref["name"] != nil {
			ref["name"] = p.secretName(fmt.Sprint(ref["name"]))
		}
	}
}

// dig follows object members.
func dig(v any, path ...string) map[string]any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	m, _ := v.(map[string]any)
	return m
}

// splitImage cuts an image reference into repository, tag and digest: "reg:5000/app:1.2@sha256:…"
// → "reg:5000/app", "1.2", "sha256:…".
func splitImage(img string) (repo, tag, digest string) {
	repo, digest, _ = strings.Cut(img, "@")
	if i := strings.LastIndex(repo, ":"); i > strings.LastIndex(repo, "/") {
		repo, tag = repo[:i], repo[i+1:]
	}
	return repo, tag, digest
}

// tokenRE finds a token; compiled on first use, as every regular expression of podecs.
var tokenRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`podecs_value_(\d+)_`) })

// substitute swaps the tokens of a rendered object for their template actions: a scalar in place,
// a structure as toYaml indented under its key.
func (p *parameterizer) substitute(y []byte) []byte {
	lines := strings.SplitAfter(string(y), "\n")
	var out strings.Builder
	for _, l := range lines {
		loc := tokenRE().FindStringSubmatchIndex(l)
		if loc == nil {
			out.WriteString(l)
			continue
		}
		i, _ := strconv.Atoi(l[loc[2]:loc[3]])
		a := p.actions[i]
		if !a.block {
			out.WriteString(l[:loc[0]] + "{{ " + a.expr + " }}" + l[loc[1]:])
			continue
		}
		key := strings.TrimLeft(l[:loc[0]], " -")
		indent := len(l[:loc[0]]) - len(key) + 2
		out.WriteString(strings.TrimRight(l[:loc[0]], " ") + " {{- toYaml " + a.expr + " | nindent " + strconv.Itoa(indent) + " }}" + l[loc[1]:])
	}
	return []byte(out.String())
}

// helmHelpers is templates/_helpers.tpl: the image reference from its parts.
const helmHelpers = `{{/* An image reference from repository, tag and digest. */}}
{{- define "podecs.image" -}}
{{- .repository -}}
{{- with .tag }}:{{ . }}{{ end -}}
{{- with .digest }}@{{ . }}{{ end -}}
{{- end -}}
`

// chartName is the chart's name from the output directory: lower case letters, digits and
// hyphens, starting with a letter.
func chartName(dir string) string {
	n := strings.Trim(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, strings.ToLower(dir)), "-")
	if n == "" || n[0] < 'a' || n[0] > 'z' {
		n = "podecs-" + n
	}
	return strings.TrimSuffix(n, "-")
}

func (h *helm) Files() ([]convert.File, error) {
	chart := fmt.Sprintf("apiVersion: v2\nname: %s\ndescription: Kubernetes workloads converted from ECS by podecs\ntype: application\nversion: 0.1.0\n", chartName(h.o.Name))
	values, err := yaml.Marshal(h.values)
	if err != nil {
		return nil, err
	}
	header := "# Per workload: replicas, each container's image, resources and env values, the Secrets\n# the containers read (name, and the remote keys of their ExternalSecrets), each Service's type.\n"
	if len(h.values) == 0 {
		values = nil
	}
	files := []convert.File{
		{Name: "Chart.yaml", Data: []byte(chart), YAML: true},
		{Name: "values.yaml", Data: append([]byte(header), values...), YAML: true},
		{Name: "templates/_helpers.tpl", Data: []byte(helmHelpers)},
	}
	return append(files, h.templates...), nil
}
