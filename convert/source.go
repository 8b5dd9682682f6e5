package convert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
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
	// Vars are Terraform variable values (-var NAME=VALUE): a string for a string variable, an
	// HCL expression for other types. VarFiles are .tfvars files read after the ones Terraform
	// loads by itself (terraform.tfvars, *.auto.tfvars).
	Vars     map[string]string
	VarFiles []string
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
