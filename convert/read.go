package convert

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/podecs/podecs/mapping"
)

// Format says what a document is.
type Format int

// The document formats podecs recognises.
const (
	FormatUnknown Format = iota
	// FormatKubernetes is any object with apiVersion and kind.
	FormatKubernetes
	// FormatTaskDefinition is a RegisterTaskDefinition input or a describe-task-definition output.
	FormatTaskDefinition
	// FormatService is a CreateService input or a describe-services output.
	FormatService
	// FormatSchedule is an EventBridge Scheduler CreateSchedule input (N.schedule.json).
	FormatSchedule
	// FormatScaling is the Application Auto Scaling inputs podecs writes (N.scaling.json).
	FormatScaling
	// FormatRunTask is a RunTask input (N.runtask.json).
	FormatRunTask
	// FormatTargetGroup is the target group health check podecs writes (N.targetgroup.json).
	FormatTargetGroup
)

func (f Format) String() string {
	switch f {
	case FormatKubernetes:
		return "Kubernetes"
	case FormatTaskDefinition:
		return "ECS task definition"
	case FormatService:
		return "ECS service"
	case FormatSchedule:
		return "EventBridge Scheduler schedule"
	case FormatScaling:
		return "Application Auto Scaling"
	case FormatRunTask:
		return "ECS RunTask"
	case FormatTargetGroup:
		return "target group health check"
	}
	return "unknown"
}

// DocRef names one document of the input: the file, its 1-based position in the file, the item
// within a kind: List, and its kind and name once known. Resource names the resource of a
// CloudFormation template or Terraform module the document was read from ("Resources.WebTask",
// "aws_ecs_task_definition.web"); Index is then its position among the resources read.
type DocRef struct {
	Source   string `json:"file"`
	Index    int    `json:"document"`
	Item     int    `json:"item,omitempty"`
	Resource string `json:"resource,omitempty"`
	Kind     string `json:"kind,omitempty"`
	Name     string `json:"name,omitempty"`
}

// String renders the reference as "app.yaml: doc 2 Deployment/web", or for a resource of a
// template or module "main.tf: aws_ecs_task_definition.web TaskDefinition/web".
func (r DocRef) String() string {
	var b strings.Builder
	b.WriteString(r.Source)
	if r.Resource != "" {
		fmt.Fprintf(&b, ": %s", r.Resource)
	} else if r.Index > 0 { // 0: the file as a whole
		fmt.Fprintf(&b, ": doc %d", r.Index)
	}
	if r.Item > 0 {
		fmt.Fprintf(&b, " item %d", r.Item)
	}
	if r.Kind != "" || r.Name != "" {
		fmt.Fprintf(&b, " %s/%s", r.Kind, r.Name)
	}
	return b.String()
}

// Document is one decoded document of the input, as JSON.
type Document struct {
	DocRef
	Format     Format
	APIVersion string
	Namespace  string
	// JSON is the document converted to JSON.
	JSON []byte
	// Findings are what the reader of a source found in making the document (members it ignored,
	// values it could not resolve), with paths relative to the document.
	Findings mapping.Findings
}

// DocError is an error about one document, with the field path when known.
type DocError struct {
	Doc  DocRef
	Path string
	Err  error
}

func (e *DocError) Error() string {
	if e.Path != "" {
		return fmt.Sprintf("%s: %s: %v", e.Doc, e.Path, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Doc, e.Err)
}

func (e *DocError) Unwrap() error { return e.Err }

// ReadOptions bounds what the reader accepts.
type ReadOptions struct {
	// MaxDocumentBytes is the largest document accepted (0: DefaultMaxDocumentBytes).
	MaxDocumentBytes int
	// Sources resolve what CloudFormation templates in the stream refer to.
	Sources SourceOptions
}

// DefaultMaxDocumentBytes is generous: the largest real manifests are a few MiB.
const DefaultMaxDocumentBytes = 32 << 20

// ReadDocuments reads a stream of YAML or JSON documents (multi-document YAML, kind: List, JSON
// objects) one at a time and calls fn for each. A document that cannot be decoded is passed to
// onErr, and reading goes on with the next one; a stream that cannot be read at all returns an
// error. Empty documents are skipped.
func ReadDocuments(r io.Reader, source string, opts ReadOptions, fn func(Document), onErr func(*DocError)) error {
	limit := opts.MaxDocumentBytes
	if limit <= 0 {
		limit = DefaultMaxDocumentBytes
	}
	yr := utilyaml.NewYAMLReader(bufio.NewReaderSize(r, 64<<10))
	for index := 1; ; index++ {
		raw, err := yr.Read()
		if errors.Is(err, io.EOF) {
			if len(bytes.TrimSpace(raw)) == 0 {
				return nil
			}
		} else if err != nil {
			return fmt.Errorf("%s: doc %d: %w", source, index, err)
		}
		ref := DocRef{Source: source, Index: index}
		if len(raw) > limit {
			onErr(&DocError{Doc: ref, Err: fmt.Errorf("document is %d bytes, over the limit of %d (see --max-document-size)", len(raw), limit)})
		} else if !isBlankYAML(raw) {
			decodeDocument(raw, ref, &opts.Sources, fn, onErr)
		} else {
			index-- // a stray separator or comment-only block is not a document
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
	}
}

// isBlankYAML reports whether a document holds only white space, comments and separators.
func isBlankYAML(b []byte) bool {
	for _, line := range bytes.Split(b, []byte("\n")) {
		t := bytes.TrimSpace(line)
		if len(t) == 0 || t[0] == '#' || bytes.Equal(t, []byte("---")) || bytes.Equal(t, []byte("...")) {
			continue
		}
		return false
	}
	return true
}

func decodeDocument(raw []byte, ref DocRef, so *SourceOptions, fn func(Document), onErr func(*DocError)) {
	if !utf8.Valid(raw) {
		onErr(&DocError{Doc: ref, Err: errors.New("not UTF-8 text (binary data?)")})
		return
	}
	if mightBeCloudFormation(raw) && readCloudFormation(raw, ref, so, fn, onErr) {
		return
	}
	js, err := toJSON(raw)
	if err != nil {
		onErr(&DocError{Doc: ref, Err: err})
		return
	}
	if bytes.Equal(bytes.TrimSpace(js), []byte("null")) {
		return
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(js, &top); err != nil {
		onErr(&DocError{Doc: ref, Err: errors.New("a document must be a mapping (an object), not a list or a scalar")})
		return
	}
	doc, err := classify(top, js, ref)
	if err != nil {
		onErr(&DocError{Doc: doc.DocRef, Err: err})
		return
	}
	if doc.Format == FormatKubernetes && strings.HasSuffix(doc.Kind, "List") && top["items"] != nil {
		expandList(top["items"], doc, fn, onErr)
		return
	}
	fn(doc)
}

// toJSON converts YAML (or JSON, which is YAML) to JSON. Deep nesting and alias bombs are refused
// by the YAML library's own limits; its errors carry line numbers.
func toJSON(raw []byte) ([]byte, error) {
	t := bytes.TrimSpace(raw)
	if len(t) > 0 && t[0] == '{' && json.Valid(t) {
		return t, nil
	}
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "error converting YAML to JSON: ")
		if bytes.Contains(raw, []byte("{{")) {
			// yaml reads "{{ .Values.x }}" as a map used as a key, and says only that.
			return nil, fmt.Errorf("not valid YAML or JSON: it holds {{ }}, so it looks like a template that was not rendered (render it first, e.g. helm template … | podecs convert -f -): %s", msg)
		}
		return nil, fmt.Errorf("not valid YAML or JSON: %s", msg)
	}
	return js, nil
}

func expandList(items json.RawMessage, list Document, fn func(Document), onErr func(*DocError)) {
	var elems []json.RawMessage
	if err := json.Unmarshal(items, &elems); err != nil {
		onErr(&DocError{Doc: list.DocRef, Path: "items", Err: errors.New("must be a list of objects")})
		return
	}
	for i, e := range elems {
		ref := list.DocRef
		ref.Kind, ref.Name, ref.Item = "", "", i+1
		var top map[string]json.RawMessage
		if err := json.Unmarshal(e, &top); err != nil {
			onErr(&DocError{Doc: ref, Path: fmt.Sprintf("items[%d]", i), Err: errors.New("must be an object")})
			continue
		}
		doc, err := classify(top, e, ref)
		if err != nil {
			onErr(&DocError{Doc: doc.DocRef, Path: fmt.Sprintf("items[%d]", i), Err: err})
			continue
		}
		fn(doc)
	}
}

// classify detects the format of a document from its top-level members.
func classify(top map[string]json.RawMessage, js []byte, ref DocRef) (Document, error) {
	doc := Document{DocRef: ref, JSON: js}
	str := func(m map[string]json.RawMessage, k string) string {
		var s string
		_ = json.Unmarshal(m[k], &s)
		return s
	}
	switch {
	case top["apiVersion"] != nil || top["kind"] != nil:
		doc.Format = FormatKubernetes
		doc.APIVersion, doc.Kind = str(top, "apiVersion"), str(top, "kind")
		var meta map[string]json.RawMessage
		_ = json.Unmarshal(top["metadata"], &meta)
		doc.Name, doc.Namespace = str(meta, "name"), str(meta, "namespace")
		if doc.Kind == "" {
			return doc, errors.New("kind: missing (a Kubernetes object needs apiVersion and kind)")
		}
		if doc.APIVersion == "" {
			return doc, errors.New("apiVersion: missing (a Kubernetes object needs apiVersion and kind)")
		}
	case top["containerDefinitions"] != nil:
		doc.Format, doc.Kind, doc.Name = FormatTaskDefinition, "TaskDefinition", str(top, "family")
	case top["taskDefinition"] != nil && json.Valid(top["taskDefinition"]) && bytes.HasPrefix(bytes.TrimSpace(top["taskDefinition"]), []byte("{")):
		var td map[string]json.RawMessage
		_ = json.Unmarshal(top["taskDefinition"], &td)
		doc.Format, doc.Kind, doc.Name = FormatTaskDefinition, "TaskDefinition", str(td, "family")
	case top["serviceName"] != nil || top["services"] != nil || top["service"] != nil:
		doc.Format, doc.Kind, doc.Name = FormatService, "Service", str(top, "serviceName")
	case top["ScheduleExpression"] != nil && top["Target"] != nil:
		doc.Format, doc.Kind, doc.Name = FormatSchedule, "Schedule", str(top, "Name")
	case top["RegisterScalableTarget"] != nil:
		var target map[string]json.RawMessage
		_ = json.Unmarshal(top["RegisterScalableTarget"], &target)
		doc.Format, doc.Kind, doc.Name = FormatScaling, "ScalableTarget", str(target, "ResourceId")
	case top["taskDefinition"] != nil:
		doc.Format, doc.Kind, doc.Name = FormatRunTask, "RunTask", str(top, "taskDefinition")
	case isTargetGroupHealthCheck(top):
		doc.Format, doc.Kind = FormatTargetGroup, "TargetGroup"
	default:
		return doc, errors.New("neither a Kubernetes object (apiVersion, kind) nor ECS input (containerDefinitions, taskDefinition, serviceName, services) nor a schedule, scaling or target group file as podecs writes them")
	}
	return doc, nil
}

// isTargetGroupHealthCheck recognises the target group health check settings podecs writes: only
// ELBv2 health check members.
func isTargetGroupHealthCheck(top map[string]json.RawMessage) bool {
	if len(top) == 0 {
		return false
	}
	for k := range top {
		if !strings.HasPrefix(k, "HealthCheck") && k != "HealthyThresholdCount" && k != "UnhealthyThresholdCount" && k != "Matcher" {
			return false
		}
	}
	return true
}
