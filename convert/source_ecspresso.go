package convert

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"
	"text/template"
	"text/template/parse"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/google/go-jsonnet"
	"github.com/google/go-jsonnet/ast"

	"github.com/podecs/podecs/convert/ecsjson"
	"github.com/podecs/podecs/mapping"
)

// ecspresso projects: a config (ecspresso.yml, .yaml, .json or .jsonnet) names the cluster, the
// service, and the files of the service and task definitions, relative to itself. ecspresso
// evaluates .jsonnet files with go-jsonnet, then renders every file as a Go text/template with
// env, must_env and json_escape (and the functions of its plugins: tfstate, ssm,
// secretsmanager_arn, …). podecs does the same: env and must_env from SourceOptions.Env (also
// as the Jsonnet native functions std.native('env') and std.native('must_env')); a plugin
// function cannot be evaluated offline, so its call is kept as written where the value belongs,
// with a finding. The service definition has no serviceName, cluster or taskDefinition:
// ecspresso fills them in from the config and the task definition, and so does podecs.

// IsEcspressoConfigName says whether a file name is one ecspresso looks for as its config, or a
// variant of it (ecspresso.yml, ecspresso-prod.yaml, ecspresso.jsonnet, …).
func IsEcspressoConfigName(name string) bool {
	base := path.Base(name)
	if !strings.HasPrefix(base, "ecspresso") {
		return false
	}
	switch path.Ext(base) {
	case ".yml", ".yaml", ".json", ".jsonnet":
		return true
	}
	return false
}

// IsEcspressoConfig says whether a file looks like an ecspresso config whatever its name, by
// the start of its text: a task_definition key at the top level of a YAML mapping or a JSON
// object, or in Jsonnet a field task_definition.
func IsEcspressoConfig(name string, data []byte) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".yml", ".yaml":
		for line := range strings.Lines(string(data)) {
			for _, k := range []string{"task_definition:", `"task_definition":`, `'task_definition':`} {
				if strings.HasPrefix(line, k) {
					return true
				}
			}
		}
	case ".json":
		return jsonTopLevelKey(data, "task_definition")
	case ".jsonnet":
		for line := range strings.Lines(string(data)) {
			l := strings.TrimLeft(line, " \t{")
			for _, k := range []string{"task_definition", `"task_definition"`, `'task_definition'`} {
				if rest, ok := strings.CutPrefix(l, k); ok && strings.HasPrefix(strings.TrimLeft(rest, " \t"), ":") {
					return true
				}
			}
		}
	}
	return false
}

// jsonTopLevelKey says whether the JSON object data starts with has the key (data may be cut
// short).
func jsonTopLevelKey(data []byte, key string) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return false
	}
	depth, expectKey := 1, true
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if depth == 1 && expectKey {
			k, ok := tok.(string)
			if !ok {
				return false // the end of the object
			}
			if k == key {
				return true
			}
			expectKey = false
			continue
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		expectKey = depth == 1
	}
}

// IsJsonnetFile says whether a file is Jsonnet that podecs evaluates as an input of its own.
func IsJsonnetFile(name string) bool { return path.Ext(name) == ".jsonnet" }

// ecspressoConfig holds the members of an ecspresso config podecs uses.
type ecspressoConfig struct {
	Region            string `json:"region"`
	Cluster           string `json:"cluster"`
	Service           string `json:"service"`
	ServiceDefinition string `json:"service_definition"`
	TaskDefinition    string `json:"task_definition"`
}

// EcspressoDefinitions lists the definition files an ecspresso config names, so that a directory
// walk reads them through the config only.
// An environment variable the config needs but that is not set counts as empty here, so that a
// config that fails to render for that (reading it reports it) still claims its files.
func EcspressoDefinitions(config string, so SourceOptions) ([]string, error) {
	env := so.Env
	so.Env = func(name string) (string, bool) {
		if env != nil {
			if v, ok := env(name); ok {
				return v, true
			}
		}
		return "", true
	}
	cfg, _, err := loadEcspressoConfig(config, &so)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range []string{cfg.TaskDefinition, cfg.ServiceDefinition} {
		if p != "" {
			out = append(out, p)
		}
	}
	return out, nil
}

func loadEcspressoConfig(config string, so *SourceOptions) (*ecspressoConfig, *ecspressoRender, error) {
	r := &ecspressoRender{so: so}
	js, err := r.file(config)
	if err != nil {
		return nil, r, err
	}
	cfg := &ecspressoConfig{}
	if err := json.Unmarshal(js, cfg); err != nil {
		return nil, r, fmt.Errorf("%s: %v", config, err)
	}
	if cfg.Cluster == "" {
		cfg.Cluster = "default"
	}
	dir := path.Dir(config)
	for _, p := range []*string{&cfg.TaskDefinition, &cfg.ServiceDefinition} {
		if *p != "" && !path.IsAbs(*p) {
			*p = path.Join(dir, *p)
		}
	}
	return cfg, r, nil
}

// ReadEcspresso reads the ecspresso project of a config and hands over its task definition and
// service as documents. A file that cannot be read, evaluated or rendered is an error naming it
// and the place; nothing is handed over for it.
func ReadEcspresso(config string, so SourceOptions, fn func(Document), onErr func(*DocError)) error {
	cfg, r, err := loadEcspressoConfig(config, &so)
	if err != nil {
		onErr(&DocError{Doc: DocRef{Source: config, Index: 1}, Err: err})
		return nil
	}
	if cfg.TaskDefinition == "" {
		onErr(&DocError{Doc: DocRef{Source: config, Index: 1}, Path: "task_definition", Err: errors.New("missing: ecspresso needs a task definition file")})
		return nil
	}
	ref := DocRef{Source: cfg.TaskDefinition, Index: 1}
	td, tdNotes, err := r.definition(cfg.TaskDefinition)
	if err != nil {
		onErr(&DocError{Doc: ref, Err: err})
		return nil
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(td, &top) == nil && top["containerDefinitions"] == nil && top["taskDefinition"] != nil {
		td = top["taskDefinition"] // {"taskDefinition": {...}}, as describe-task-definition prints it
	}
	d, err := decodeTaskDefinitionObject(td)
	if err != nil {
		onErr(docErr(ref, err).(*DocError))
		return nil
	}
	family := aws.ToString(d.td.Family)
	tdDoc := Document{DocRef: ref, Format: FormatTaskDefinition, JSON: td, Findings: tdNotes}
	tdDoc.Kind, tdDoc.Name = "TaskDefinition", family
	fn(tdDoc)
	if cfg.ServiceDefinition == "" {
		return nil
	}
	ref = DocRef{Source: cfg.ServiceDefinition, Index: 1, Kind: "Service", Name: cfg.Service}
	sv, svNotes, err := r.definition(cfg.ServiceDefinition)
	if err != nil {
		onErr(&DocError{Doc: ref, Err: err})
		return nil
	}
	svc, fs, err := ecspressoService(sv)
	if err != nil {
		onErr(docErr(ref, err).(*DocError))
		return nil
	}
	svc.ServiceName, svc.Cluster, svc.TaskDefinition = aws.String(cfg.Service), aws.String(cfg.Cluster), aws.String(family)
	js, err := ecsjson.Marshal(svc)
	if err != nil {
		onErr(&DocError{Doc: ref, Err: err})
		return nil
	}
	fn(Document{DocRef: ref, Format: FormatService, JSON: js, Findings: append(svNotes, fs...)})
	return nil
}

// ecspressoService reads a service definition: ecspresso takes the Service object of
// describe-services with serviceConnectConfiguration, volumeConfigurations and desiredCount
// beside it, so members of either the CreateService input or the Service object are accepted;
// those only ECS sets are reported and left out.
func ecspressoService(js []byte) (*ecs.CreateServiceInput, mapping.Findings, error) {
	svc := &ecs.CreateServiceInput{}
	unknown, err := ecsjson.UnmarshalWith(js, svc, ecsjson.Options{AllowUnknown: true})
	if err != nil {
		return nil, nil, ecsFieldError(err)
	}
	var fs mapping.Findings
	if len(unknown) == 0 {
		return svc, fs, nil
	}
	var described types.Service
	known, err := ecsjson.UnmarshalWith(js, &described, ecsjson.Options{AllowUnknown: true})
	if err != nil {
		return nil, nil, ecsFieldError(err)
	}
	inService := map[string]bool{}
	for _, u := range known {
		inService[u] = true
	}
	var readOnly []string
	for _, u := range unknown {
		if inService[u] {
			return nil, nil, &DocError{Path: u, Err: errors.New("unknown field")}
		}
		if u != "clusterArn" && u != "serviceName" && u != "taskDefinition" {
			readOnly = append(readOnly, u)
		}
	}
	if described.RoleArn != nil {
		svc.Role = described.RoleArn
	}
	if len(readOnly) > 0 {
		sort.Strings(readOnly)
		fs.Add("", mapping.Info, "read-only fields set by ECS ignored: %s", strings.Join(readOnly, ", "))
	}
	return svc, fs, nil
}

// ecspressoRender evaluates and renders the files of one project.
type ecspressoRender struct {
	so *SourceOptions
	ph placeholders
}

// definition reads a definition file as JSON, with the findings of what it could not resolve.
func (r *ecspressoRender) definition(name string) ([]byte, mapping.Findings, error) {
	r.ph = placeholders{}
	js, err := r.file(name)
	if err != nil {
		return nil, nil, err
	}
	var fs mapping.Findings
	var tree any
	if err := json.Unmarshal(js, &tree); err != nil {
		return nil, nil, fmt.Errorf("not valid JSON after rendering: %v", err)
	}
	walkStrings(tree, "", func(p, s string) {
		for _, ph := range r.ph.list {
			if strings.Contains(s, ph.Text) {
				fs.Add(p, mapping.Lossy, "not known offline, kept as written to fill in: %s (%s)", ph.Text, ph.What)
			}
		}
	})
	return js, fs, nil
}

// file evaluates a file as ecspresso does: Jsonnet first for .jsonnet (and .json configs), then
// the template functions; YAML becomes JSON.
func (r *ecspressoRender) file(name string) ([]byte, error) {
	data, err := fs.ReadFile(r.so.Files, name)
	if err != nil {
		return nil, err
	}
	src := string(data)
	if path.Ext(name) == ".jsonnet" {
		if src, err = r.jsonnet(name); err != nil {
			return nil, err
		}
	}
	out, err := r.template(name, src)
	if err != nil {
		if path.Ext(name) == ".jsonnet" {
			return nil, fmt.Errorf("in the JSON the Jsonnet gives, %w", err)
		}
		return nil, err
	}
	js, err := toJSON([]byte(out))
	if err != nil {
		return nil, err
	}
	return js, nil
}

// EvaluateJsonnet evaluates a Jsonnet file with the env and must_env native functions, for a
// .jsonnet input that is not part of an ecspresso project.
func EvaluateJsonnet(name string, so SourceOptions) ([]byte, error) {
	r := &ecspressoRender{so: &so}
	out, err := r.jsonnet(name)
	return []byte(out), err
}

func (r *ecspressoRender) jsonnet(name string) (string, error) {
	vm := jsonnet.MakeVM()
	vm.Importer(&fsImporter{files: r.so.Files})
	for k, v := range r.so.ExtStr {
		vm.ExtVar(k, v)
	}
	for k, v := range r.so.ExtCode {
		vm.ExtCode(k, v)
	}
	vm.NativeFunction(&jsonnet.NativeFunction{Name: "env", Params: ast.Identifiers{"name", "default"}, Func: func(args []any) (any, error) {
		name, _ := args[0].(string)
		if v, ok := r.so.env(name); ok {
			return v, nil
		}
		return args[1], nil
	}})
	vm.NativeFunction(&jsonnet.NativeFunction{Name: "must_env", Params: ast.Identifiers{"name"}, Func: func(args []any) (any, error) {
		name, _ := args[0].(string)
		if v, ok := r.so.env(name); ok {
			return v, nil
		}
		return nil, fmt.Errorf("must_env: the environment variable %s is not set", name)
	}})
	out, err := vm.EvaluateFile(name)
	if err != nil {
		return "", jsonnetError(err)
	}
	return out, nil
}

// jsonnetError keeps of a Jsonnet error its message and the first place in the user's files,
// not the stack trace through the standard library.
func jsonnetError(err error) error {
	lines := strings.Split(strings.TrimSpace(err.Error()), "\n")
	msg, runtime := strings.CutPrefix(lines[0], "RUNTIME ERROR: ")
	if !runtime { // a static error names its place first
		return fmt.Errorf("evaluating Jsonnet: %s", msg)
	}
	for _, l := range lines[1:] {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "<std>") && strings.Contains(l, ":") && !strings.HasPrefix(l, "Field") && !strings.HasPrefix(l, "Array") {
			loc, _, _ := strings.Cut(l, "\t")
			return fmt.Errorf("evaluating Jsonnet: %s: %s", strings.TrimSpace(loc), msg)
		}
	}
	return fmt.Errorf("evaluating Jsonnet: %s", msg)
}

// fsImporter resolves Jsonnet imports relative to the importing file, through SourceOptions.Files.
type fsImporter struct {
	files fs.FS
	cache map[string]jsonnet.Contents
}

func (i *fsImporter) Import(from, imported string) (jsonnet.Contents, string, error) {
	p := imported
	if !path.IsAbs(imported) {
		p = path.Join(path.Dir(from), imported)
	}
	if c, ok := i.cache[p]; ok {
		return c, p, nil
	}
	data, err := fs.ReadFile(i.files, p)
	if err != nil {
		return jsonnet.Contents{}, "", err
	}
	if i.cache == nil {
		i.cache = map[string]jsonnet.Contents{}
	}
	c := jsonnet.MakeContentsRaw(data)
	i.cache[p] = c
	return c, p, nil
}

// templateBuiltins are text/template's own functions.
var templateBuiltins = map[string]bool{"and": true, "call": true, "html": true, "index": true, "slice": true, "js": true, "len": true, "not": true, "or": true, "print": true, "printf": true, "println": true, "urlquery": true, "eq": true, "ge": true, "gt": true, "le": true, "lt": true, "ne": true, "break": true, "continue": true}

// template renders ecspresso's template functions: env and must_env from the environment,
// json_escape; any other function (a plugin's) gives its own call back, as written.
func (r *ecspressoRender) template(name, src string) (string, error) {
	if !strings.Contains(src, "{{") {
		return src, nil
	}
	funcs := template.FuncMap{
		"env": func(key string, def ...string) string {
			if v, ok := r.so.env(key); ok {
				return v
			}
			if len(def) > 0 {
				return def[0]
			}
			return ""
		},
		"must_env": func(key string) (string, error) {
			if v, ok := r.so.env(key); ok {
				return v, nil
			}
			return "", fmt.Errorf("the environment variable %s is not set", key)
		},
		"json_escape": func(s string) string {
			b, _ := json.Marshal(s)
			return string(b[1 : len(b)-1])
		},
	}
	trees := map[string]*parse.Tree{}
	t := parse.New(name)
	t.Mode = parse.SkipFuncCheck
	if _, err := t.Parse(src, "", "", trees); err != nil {
		return "", templateError(err)
	}
	for _, t := range trees {
		walkTemplate(t.Root, func(id string) {
			if _, ok := funcs[id]; !ok && !templateBuiltins[id] {
				funcs[id] = r.unresolved(id)
			}
		})
	}
	tmpl, err := template.New(name).Funcs(funcs).Option("missingkey=zero").Parse(src)
	if err != nil {
		return "", templateError(err)
	}
	var b strings.Builder
	if err := tmpl.Execute(&b, nil); err != nil {
		return "", templateError(err)
	}
	return b.String(), nil
}

// unresolved is the stand-in of a function podecs cannot evaluate: it gives its call back.
func (r *ecspressoRender) unresolved(fn string) func(args ...any) string {
	return func(args ...any) string {
		parts := []string{fn}
		for _, a := range args {
			if s, ok := a.(string); ok && !strings.Contains(s, "`") {
				parts = append(parts, "`"+s+"`")
			} else {
				parts = append(parts, fmt.Sprintf("%q", fmt.Sprint(a)))
			}
		}
		text := "{{ " + strings.Join(parts, " ") + " }}"
		return r.ph.add(text, "the template function "+fn+", a look-up ecspresso's plugins make at deploy time")
	}
}

// walkTemplate calls fn with the identifier of every function a template calls.
func walkTemplate(n parse.Node, fn func(string)) {
	switch x := n.(type) {
	case *parse.ListNode:
		if x == nil {
			return
		}
		for _, c := range x.Nodes {
			walkTemplate(c, fn)
		}
	case *parse.ActionNode:
		walkTemplate(x.Pipe, fn)
	case *parse.PipeNode:
		if x == nil {
			return
		}
		for _, c := range x.Cmds {
			walkTemplate(c, fn)
		}
	case *parse.CommandNode:
		for _, a := range x.Args {
			walkTemplate(a, fn)
		}
	case *parse.IdentifierNode:
		fn(x.Ident)
	case *parse.IfNode:
		walkTemplate(x.Pipe, fn)
		walkTemplate(x.List, fn)
		walkTemplate(x.ElseList, fn)
	case *parse.RangeNode:
		walkTemplate(x.Pipe, fn)
		walkTemplate(x.List, fn)
		walkTemplate(x.ElseList, fn)
	case *parse.WithNode:
		walkTemplate(x.Pipe, fn)
		walkTemplate(x.List, fn)
		walkTemplate(x.ElseList, fn)
	}
}

var templateErrorRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^template: [^:]*:(\d+):(\d+): executing "[^"]*" at <(.*)>: error calling ([a-z_]+): (.*)$`)
})

// templateError makes a template error read "line 12: must_env: the environment variable X is not
// set" rather than in text/template's own words.
func templateError(err error) error {
	msg := err.Error()
	if m := templateErrorRE().FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("line %s: {{ %s }}: %s", m[1], m[3], m[5])
	}
	return errors.New(strings.TrimPrefix(msg, "template: "))
}
