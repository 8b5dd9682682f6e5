package convert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"reflect"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/podecs/podecs/convert/ecsjson"
	"github.com/podecs/podecs/mapping"
)

// Besides the ECS API JSON, ECS task definitions and services live in the console's JSON, in
// CloudFormation templates (hand-written or cdk synth output), in Terraform modules and in
// ecspresso projects. Each source has a reader, one file each (source_*.go), that yields the same
// documents the API JSON gives: FormatTaskDefinition and FormatService documents holding the
// RegisterTaskDefinition and CreateService inputs, with the reader's findings. The ECS →
// Kubernetes conversion never knows where its input came from. Readers do no I/O of their own:
// files come through SourceOptions.Files and the environment through SourceOptions.Env.

// SourceOptions give the readers of CloudFormation templates, Terraform modules and ecspresso
// projects what the definitions refer to outside themselves.
type SourceOptions struct {
	// Files reads the files a source names: ecspresso definitions, the files of a Terraform
	// module, Terraform's file() and templatefile(), Jsonnet imports. Names are slash-separated
	// paths as the user gave them (relative to the working directory, or absolute). nil: none.
	Files fs.FS
	// Env looks up an environment variable, for ecspresso's env and must_env. nil: none is set.
	Env func(string) (string, bool)
	// Parameters override the defaults of CloudFormation parameters and the pseudo parameters
	// (AWS::AccountId, AWS::StackName, …) by name.
	Parameters map[string]string
	// Region is AWS::Region of CloudFormation and the region of Terraform's provider.
	Region string
	// WorkDir is the absolute path of the working directory, for Terraform's path.cwd and
	// abspath() (Terraform runs in the root module's directory). "": paths stay as given.
	WorkDir string
	// Vars are Terraform variable values (-var NAME=VALUE): a string for a string variable, an
	// HCL expression for other types. VarFiles are .tfvars files read after the ones Terraform
	// loads by itself (terraform.tfvars, *.auto.tfvars).
	Vars     map[string]string
	VarFiles []string
	// ExtStr and ExtCode are Jsonnet's external variables (std.extVar), as ecspresso's --ext-str
	// and --ext-code give them: a string, and Jsonnet code evaluated to its value.
	ExtStr, ExtCode map[string]string
}

func (o *SourceOptions) env(name string) (string, bool) {
	if o == nil || o.Env == nil {
		return "", false
	}
	return o.Env(name)
}

// sourceDocs gathers the documents a reader makes, with their positions in the source.
type sourceDocs struct {
	fn    func(Document)
	onErr func(*DocError)
	n     int
}

// add hands over the register input of a task definition or service as a document of its own.
func (s *sourceDocs) add(ref DocRef, v any, fs mapping.Findings) {
	s.n++
	ref.Index = s.n
	js, err := ecsjson.Marshal(v)
	if err != nil {
		s.onErr(&DocError{Doc: ref, Err: err})
		return
	}
	doc := Document{DocRef: ref, JSON: js, Findings: fs}
	switch in := v.(type) {
	case *ecs.RegisterTaskDefinitionInput:
		doc.Format, doc.Kind, doc.Name = FormatTaskDefinition, "TaskDefinition", aws.ToString(in.Family)
	case *ecs.CreateServiceInput:
		doc.Format, doc.Kind, doc.Name = FormatService, "Service", aws.ToString(in.ServiceName)
	}
	s.fn(doc)
}

// fail reports a document that cannot be made.
func (s *sourceDocs) fail(ref DocRef, path string, err error) {
	s.n++
	ref.Index = s.n
	s.onErr(&DocError{Doc: ref, Path: path, Err: err})
}

// note hands over findings about a source that gives no document (a template without ECS
// resources, say).
func (s *sourceDocs) note(ref DocRef, fs mapping.Findings) {
	s.n++
	ref.Index = s.n
	s.fn(Document{DocRef: ref, Findings: fs})
}

// placeholder is a value a reader could not know, kept in the output as its Text, a readable
// reference in the source's own syntax ("${TaskRole.Arn}", "${aws_iam_role.task.arn}",
// "{{ ssm `/app/db` }}").
type placeholder struct {
	Text string
	// What says what it stands for, for the finding: "the Arn attribute of resource TaskRole".
	What string
}

// placeholders records the placeholders of one source, once each.
type placeholders struct {
	list []placeholder
	seen map[string]bool
}

func (p *placeholders) add(text, what string) string {
	if p.seen == nil {
		p.seen = map[string]bool{}
	}
	if !p.seen[text] {
		p.seen[text] = true
		p.list = append(p.list, placeholder{Text: text, What: what})
	}
	return text
}

// is says whether a JSON value is a placeholder, or several side by side, and what it stands for.
func (p *placeholders) is(v any) (string, bool) {
	s, ok := v.(string)
	if !ok || len(p.list) == 0 {
		return "", false
	}
	var whats []string
	for _, part := range strings.Split(s, " ") {
		if !p.seen[part] {
			return "", false
		}
		for _, ph := range p.list {
			if ph.Text == part {
				whats = append(whats, ph.What)
			}
		}
	}
	return strings.Join(whats, "; "), true
}

// contains says whether a string holds a placeholder.
func (p *placeholders) contains(s string) bool {
	for _, ph := range p.list {
		if strings.Contains(s, ph.Text) {
			return true
		}
	}
	return false
}

// fitPlaceholders makes the JSON tree of a register input (t is its SDK type) hold placeholders
// only where the API takes a string: one that stands for a list of strings becomes a list of
// it; one where the API takes a number, a boolean, an enumerated value, an object or a list of
// objects is left out with a finding, since no value of that type can stand for it.
func fitPlaceholders(v any, t reflect.Type, path string, is func(any) (string, bool), fs *mapping.Findings) any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if what, ok := is(v); ok {
		switch {
		case t.Kind() == reflect.String && !isEnumType(t):
			return v
		case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String && !isEnumType(t.Elem()):
			return []any{v}
		}
		fs.Add(path, mapping.Lossy, "not known before deployment: %s (%s); left out, as the API takes %s here: fill it in by hand", v, what, apiKind(t))
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		fields := map[string]reflect.Type{}
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() {
				fields[ecsjson.MemberName(f.Name)] = f.Type
			}
		}
		for _, k := range sortedKeys(m) {
			ft, known := fields[k]
			if !known {
				continue
			}
			if fitted := fitPlaceholders(m[k], ft, mapping.Join(path, k), is, fs); fitted != nil {
				m[k] = fitted
			} else {
				delete(m, k)
			}
		}
	case reflect.Slice:
		l, ok := v.([]any)
		if !ok {
			return v
		}
		out := l[:0]
		for i, e := range l {
			if fitted := fitPlaceholders(e, t.Elem(), mapping.Index(path, i), is, fs); fitted != nil {
				out = append(out, fitted)
			}
		}
		return out
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		for _, k := range sortedKeys(m) {
			if fitted := fitPlaceholders(m[k], t.Elem(), mapping.Join(path, k), is, fs); fitted != nil {
				m[k] = fitted
			} else {
				delete(m, k)
			}
		}
	}
	return v
}

// isEnumType says whether an SDK string type is an enumeration (it has a Values method).
func isEnumType(t reflect.Type) bool {
	_, ok := t.MethodByName("Values")
	return t.Kind() == reflect.String && ok
}

func apiKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "one of " + strings.Join(enumValues(t), ", ")
	case reflect.Slice:
		return "a list of " + strings.TrimPrefix(apiKind(t.Elem()), "a ")
	}
	return "an object"
}

// enumValues are the values of an SDK enumeration.
func enumValues(t reflect.Type) []string {
	m, ok := t.MethodByName("Values")
	if !ok {
		return nil
	}
	out := m.Func.Call([]reflect.Value{reflect.Zero(t)})[0]
	var vals []string
	for i := range out.Len() {
		vals = append(vals, out.Index(i).String())
	}
	return vals
}

// findings reports each string of an ECS input that holds a placeholder, by its path in the
// register input: the value has to be filled in by hand before the manifests are applied.
func (p *placeholders) findings(v any) mapping.Findings {
	if len(p.list) == 0 {
		return nil
	}
	js, err := ecsjson.Marshal(v)
	if err != nil {
		return nil
	}
	var tree any
	if json.Unmarshal(js, &tree) != nil {
		return nil
	}
	var fs mapping.Findings
	walkStrings(tree, "", func(path, s string) {
		var whats []string
		for _, ph := range p.list {
			if strings.Contains(s, ph.Text) {
				whats = append(whats, fmt.Sprintf("%s (%s)", ph.Text, ph.What))
			}
		}
		if len(whats) > 0 {
			fs.Add(path, mapping.Lossy, "not known before deployment, kept as a placeholder to fill in: %s", strings.Join(whats, ", "))
		}
	})
	return fs
}

// walkStrings calls fn for every string of a decoded JSON value, with its path, in a fixed order.
func walkStrings(v any, path string, fn func(path, s string)) {
	switch x := v.(type) {
	case string:
		fn(path, x)
	case []any:
		for i, e := range x {
			walkStrings(e, mapping.Index(path, i), fn)
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			walkStrings(x[k], mapping.Join(path, k), fn)
		}
	}
}

// ReadJsonnet evaluates a Jsonnet file (with the env and must_env native functions) and reads
// the JSON it gives as documents.
func ReadJsonnet(name string, so SourceOptions, fn func(Document), onErr func(*DocError)) error {
	js, err := EvaluateJsonnet(name, so)
	if err != nil {
		onErr(&DocError{Doc: DocRef{Source: name, Index: 1}, Err: err})
		return nil
	}
	return ReadDocuments(bytes.NewReader(js), name, ReadOptions{Sources: so}, fn, onErr)
}
