package convert

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/podecs/podecs/convert/ecsjson"
	"github.com/podecs/podecs/mapping"
)

// Workload kinds a task definition without a service can become (ReverseOptions.Kind).
const (
	KindPod        = "pod"
	KindDeployment = "deployment"
)

// ReverseOptions control the ECS → Kubernetes direction.
type ReverseOptions struct {
	// Kind is what a task definition that no service runs becomes: KindPod (the default) or
	// KindDeployment. A task definition with a service becomes a Deployment, or a DaemonSet for a
	// DAEMON service.
	Kind string
	// ExternalSecrets adds an External Secrets Operator ExternalSecret for every Secret that ECS
	// secrets become, pointing at the Secrets Manager secret or SSM parameter.
	ExternalSecrets bool
}

// Object is a Kubernetes object podecs writes: a k8s.io/api type, or an *ExternalSecret.
type Object interface {
	metav1.Object
	GetObjectKind() schema.ObjectKind
}

// Manifest is what one ECS task definition, with the service that runs it if any, becomes on
// Kubernetes.
type Manifest struct {
	// Doc is the input document of the service, or of the task definition when there is none.
	Doc DocRef
	// Name is the workload's Kubernetes name, also the stem of its output file.
	Name string
	// Objects are in apply order: ServiceAccount, ExternalSecrets, PersistentVolumeClaims, the
	// workload (Pod, Deployment or DaemonSet), its Service.
	Objects []Object
	// in is what the manifest was converted from.
	in ReverseInput
}

// YAML renders the objects as one multi-document YAML stream, separated by "---".
func (m *Manifest) YAML() ([]byte, error) { return RenderYAML(m.Objects...) }

// ReverseInput is one ECS task definition and the service that runs it, if any, with where they
// came from so that findings name the right document and field.
type ReverseInput struct {
	TaskDefinition    *ecs.RegisterTaskDefinitionInput
	TaskDefinitionDoc DocRef
	// TaskDefinitionPath is the path of the task definition in its document: "" for the
	// RegisterTaskDefinition input form, "taskDefinition" for a describe output.
	TaskDefinitionPath string
	Service            *ecs.CreateServiceInput
	ServiceDoc         DocRef
	// ServicePath is "" for the CreateService input form, "services[N]" or "service" for outputs.
	ServicePath string
	// Schedule, when set, runs the task definition: it becomes a CronJob (without a service).
	Schedule    *mapping.ScheduleInput
	ScheduleDoc DocRef
}

// ecsInputTD is a task definition read from the input.
type ecsInputTD struct {
	doc      DocRef
	path     string
	td       *ecs.RegisterTaskDefinitionInput
	arn      string
	revision int32
	fs       mapping.Findings
	used     bool
}

// ecsInputService is a service read from the input.
type ecsInputService struct {
	doc  DocRef
	path string
	svc  *ecs.CreateServiceInput
	fs   mapping.Findings
}

// decodeECS reads an ECS document strictly (an unknown member is an error naming its path): a
// RegisterTaskDefinition input, a describe-task-definition output or the bare TaskDefinition
// object of one, a CreateService input, a create-service / describe-services output or the bare
// Service object of one. The findings a source reader left on the document go with the first
// object read from it.
func decodeECS(doc Document) ([]ecsInputTD, []ecsInputService, error) {
	tds, svcs, err := decodeECSObjects(doc)
	if err != nil || len(doc.Findings) == 0 {
		return tds, svcs, err
	}
	if len(tds) > 0 {
		tds[0].fs = append(append(mapping.Findings{}, doc.Findings...), tds[0].fs...)
	} else if len(svcs) > 0 {
		svcs[0].fs = append(append(mapping.Findings{}, doc.Findings...), svcs[0].fs...)
	}
	return tds, svcs, nil
}

func decodeECSObjects(doc Document) ([]ecsInputTD, []ecsInputService, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(doc.JSON, &top); err != nil {
		return nil, nil, err
	}
	ref := doc.DocRef
	switch {
	case doc.Format == FormatTaskDefinition && top["containerDefinitions"] != nil:
		d, err := decodeTaskDefinitionObject(doc.JSON)
		if err != nil {
			return nil, nil, err
		}
		d.doc = ref
		d.doc.Kind, d.doc.Name = "TaskDefinition", aws.ToString(d.td.Family)
		return []ecsInputTD{d}, nil, nil
	case doc.Format == FormatTaskDefinition:
		var out ecs.DescribeTaskDefinitionOutput
		if err := ecsjson.Unmarshal(doc.JSON, &out); err != nil {
			td, tags, ok := taggedTaskDefinition(top["taskDefinition"])
			if !ok || len(top) > 2 || len(top) == 2 && top["tags"] == nil {
				return nil, nil, ecsFieldError(err)
			}
			var outer struct{ Tags []types.Tag }
			if _, err := ecsjson.UnmarshalWith(doc.JSON, &outer, ecsjson.Options{AllowUnknown: true}); err != nil {
				return nil, nil, ecsFieldError(err)
			}
			out.TaskDefinition, out.Tags = td, append(outer.Tags, tags...)
		}
		if out.TaskDefinition == nil {
			return nil, nil, &DocError{Path: "taskDefinition", Err: errors.New("missing")}
		}
		d, err := fromDescribedTaskDefinition(out.TaskDefinition, out.Tags, "taskDefinition")
		if err != nil {
			return nil, nil, err
		}
		d.doc = ref
		d.doc.Kind, d.doc.Name = "TaskDefinition", aws.ToString(d.td.Family)
		return []ecsInputTD{d}, nil, nil
	case top["services"] != nil:
		var out ecs.DescribeServicesOutput
		if err := ecsjson.Unmarshal(doc.JSON, &out); err != nil {
			return nil, nil, ecsFieldError(err)
		}
		var svcs []ecsInputService
		for i := range out.Services {
			s, err := fromDescribedService(&out.Services[i], mapping.Index("services", i))
			if err != nil {
				return nil, nil, err
			}
			s.doc = ref
			s.doc.Kind, s.doc.Name = "Service", aws.ToString(s.svc.ServiceName)
			svcs = append(svcs, s)
		}
		if len(out.Failures) > 0 && len(svcs) > 0 {
			svcs[0].fs.Add("failures", mapping.Info, "%d failure entries of the describe call ignored", len(out.Failures))
		}
		return nil, svcs, nil
	case top["service"] != nil:
		var out ecs.CreateServiceOutput
		if err := ecsjson.Unmarshal(doc.JSON, &out); err != nil {
			return nil, nil, ecsFieldError(err)
		}
		if out.Service == nil {
			return nil, nil, &DocError{Path: "service", Err: errors.New("missing")}
		}
		s, err := fromDescribedService(out.Service, "service")
		if err != nil {
			return nil, nil, err
		}
		s.doc = ref
		s.doc.Kind, s.doc.Name = "Service", aws.ToString(s.svc.ServiceName)
		return nil, []ecsInputService{s}, nil
	default:
		s, err := decodeServiceObject(doc.JSON)
		if err != nil {
			return nil, nil, err
		}
		s.doc = ref
		s.doc.Kind, s.doc.Name = "Service", aws.ToString(s.svc.ServiceName)
		return nil, []ecsInputService{s}, nil
	}
}

// decodeTaskDefinitionObject reads a RegisterTaskDefinition input or, when it has members only
// ECS sets (taskDefinitionArn, revision, status, registeredAt, …), the bare TaskDefinition object
// the console shows and describe-task-definition --query taskDefinition prints.
func decodeTaskDefinitionObject(js []byte) (ecsInputTD, error) {
	td := &ecs.RegisterTaskDefinitionInput{}
	unknown, err := ecsjson.UnmarshalWith(js, td, ecsjson.Options{AllowUnknown: true})
	if err != nil || len(unknown) == 0 {
		return ecsInputTD{td: td}, ecsFieldError(err)
	}
	var described types.TaskDefinition
	if ecsjson.Unmarshal(js, &described) != nil {
		tagged, tags, ok := taggedTaskDefinition(js)
		if !ok {
			return ecsInputTD{}, ecsFieldError(ecsjson.Unmarshal(js, td))
		}
		return fromDescribedTaskDefinition(tagged, tags, "")
	}
	return fromDescribedTaskDefinition(&described, nil, "")
}

// taggedTaskDefinition reads the TaskDefinition object with its tags inside, as ecspresso
// writes and reads task definitions (ecspresso init, render): the members of the object and
// tags, nothing else.
func taggedTaskDefinition(js []byte) (*types.TaskDefinition, []types.Tag, bool) {
	var described types.TaskDefinition
	extra, err := ecsjson.UnmarshalWith(js, &described, ecsjson.Options{AllowUnknown: true})
	if err != nil || len(extra) != 1 || extra[0] != "tags" {
		return nil, nil, false
	}
	var tagged struct{ Tags []types.Tag }
	if _, err := ecsjson.UnmarshalWith(js, &tagged, ecsjson.Options{AllowUnknown: true}); err != nil {
		return nil, nil, false
	}
	return &described, tagged.Tags, true
}

// decodeServiceObject reads a CreateService input or, when it has members only ECS sets
// (serviceArn, status, events, deployments, runningCount, …), the bare Service object of a
// describe-services output.
func decodeServiceObject(js []byte) (ecsInputService, error) {
	svc := &ecs.CreateServiceInput{}
	unknown, err := ecsjson.UnmarshalWith(js, svc, ecsjson.Options{AllowUnknown: true})
	if err != nil || len(unknown) == 0 {
		return ecsInputService{svc: svc}, ecsFieldError(err)
	}
	var described types.Service
	if ecsjson.Unmarshal(js, &described) != nil {
		return ecsInputService{}, ecsFieldError(ecsjson.Unmarshal(js, svc))
	}
	return fromDescribedService(&described, "")
}

// ECSInput is an ECS task definition or service read from a document, as the register input.
type ECSInput struct {
	Doc DocRef
	// Path is where the object sits in its document: "", "taskDefinition", "services[0]".
	Path           string
	TaskDefinition *ecs.RegisterTaskDefinitionInput
	Service        *ecs.CreateServiceInput
	// ARN and Revision are those of a described task definition.
	ARN      string
	Revision int32
	// Findings are what reading it found: read-only members ignored, unresolved values.
	Findings mapping.Findings
}

// DecodeECS reads the task definitions and services of an ECS document (FormatTaskDefinition or
// FormatService) in any of the forms convert takes; errors are *DocError values.
func DecodeECS(doc Document) ([]ECSInput, error) {
	tds, svcs, err := decodeECS(doc)
	if err != nil {
		return nil, docErr(doc.DocRef, err)
	}
	var out []ECSInput
	for _, d := range tds {
		out = append(out, ECSInput{Doc: d.doc, Path: d.path, TaskDefinition: d.td, ARN: d.arn, Revision: d.revision, Findings: d.fs})
	}
	for _, s := range svcs {
		out = append(out, ECSInput{Doc: s.doc, Path: s.path, Service: s.svc, Findings: s.fs})
	}
	return out, nil
}

// ecsFieldError turns an ecsjson error into a DocError carrying the field path.
func ecsFieldError(err error) error {
	if err == nil {
		return nil
	}
	var fe *ecsjson.FieldError
	if errors.As(err, &fe) {
		return &DocError{Path: fe.Path, Err: errors.New(fe.Msg)}
	}
	return err
}

// fromDescribedTaskDefinition turns the taskDefinition of a describe output into the register
// input: the members both share are copied, the read-only ones (ARN, revision, status, …) are
// reported once.
func fromDescribedTaskDefinition(td *types.TaskDefinition, tags []types.Tag, path string) (ecsInputTD, error) {
	d := ecsInputTD{path: path, td: &ecs.RegisterTaskDefinitionInput{}, arn: aws.ToString(td.TaskDefinitionArn), revision: td.Revision}
	ignored, err := copyMembers(td, d.td)
	if err != nil {
		return d, err
	}
	d.td.Tags = tags
	if len(ignored) > 0 {
		d.fs.Add(path, mapping.Info, "read-only fields set by ECS ignored: %s", strings.Join(ignored, ", "))
	}
	return d, nil
}

// fromDescribedService turns a service of a describe-services output into the CreateService input.
// clusterArn and roleArn become cluster and role; the Service Connect, volume and VPC Lattice
// settings are taken from the PRIMARY deployment, where ECS reports them.
func fromDescribedService(s *types.Service, path string) (ecsInputService, error) {
	out := ecsInputService{path: path, svc: &ecs.CreateServiceInput{}}
	ignored, err := copyMembers(s, out.svc)
	if err != nil {
		return out, err
	}
	out.svc.Cluster, out.svc.Role = s.ClusterArn, s.RoleArn
	if s.SchedulingStrategy != types.SchedulingStrategyDaemon {
		out.svc.DesiredCount = aws.Int32(s.DesiredCount)
	}
	for _, d := range s.Deployments {
		if aws.ToString(d.Status) == "PRIMARY" {
			out.svc.ServiceConnectConfiguration = d.ServiceConnectConfiguration
			out.svc.VolumeConfigurations = d.VolumeConfigurations
			out.svc.VpcLatticeConfigurations = d.VpcLatticeConfigurations
		}
	}
	var readOnly []string
	for _, f := range ignored {
		if f != "clusterArn" && f != "roleArn" {
			readOnly = append(readOnly, f)
		}
	}
	if len(readOnly) > 0 {
		out.fs.Add(path, mapping.Info, "read-only fields set by ECS ignored: %s", strings.Join(readOnly, ", "))
	}
	return out, nil
}

// copyMembers copies the members two ECS types share, through their JSON form, and returns the
// top-level members of from that to has not.
func copyMembers(from, to any) ([]string, error) {
	b, err := ecsjson.Marshal(from)
	if err != nil {
		return nil, err
	}
	unknown, err := ecsjson.UnmarshalWith(b, to, ecsjson.Options{AllowUnknown: true})
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var top []string
	for _, u := range unknown {
		name, _, _ := strings.Cut(u, ".")
		name, _, _ = strings.Cut(name, "[")
		if !seen[name] {
			seen[name] = true
			top = append(top, name)
		}
	}
	sort.Strings(top)
	return top, nil
}

// taskDefRef is a service's taskDefinition taken apart: a family, family:revision or ARN.
type taskDefRef struct {
	arn      string
	family   string
	revision int32 // 0: latest
}

func parseTaskDefRef(s string) taskDefRef {
	ref := taskDefRef{}
	rest := s
	if strings.HasPrefix(s, "arn:") {
		ref.arn = s
		_, rest, _ = strings.Cut(s, ":task-definition/")
	}
	fam, rev, ok := strings.Cut(rest, ":")
	ref.family = fam
	if ok {
		if n, err := strconv.ParseInt(rev, 10, 32); err == nil {
			ref.revision = int32(n)
		}
	}
	return ref
}

// matchTaskDefinition finds the task definition a service runs: by ARN, then by family and
// revision, then by family alone (the highest revision, or the last one read when the inputs do
// not say their revision, as ECS runs the latest ACTIVE revision).
func matchTaskDefinition(taskDef string, tds []*ecsInputTD) (*ecsInputTD, error) {
	ref := parseTaskDefRef(taskDef)
	if ref.family == "" {
		return nil, errors.New("missing: a service needs a task definition")
	}
	var best *ecsInputTD
	for _, d := range tds {
		switch {
		case ref.arn != "" && d.arn == ref.arn:
			return d, nil
		case aws.ToString(d.td.Family) != ref.family:
		case ref.revision != 0 && d.revision != 0 && d.revision != ref.revision:
		case best == nil || d.revision >= best.revision:
			best = d
		}
	}
	if best == nil {
		return nil, fmt.Errorf("%q: no task definition of family %q among the inputs (add its register input or describe-task-definition output)", taskDef, ref.family)
	}
	return best, nil
}

// RenderYAML writes objects as multi-document YAML: fields in sorted order, without the empty
// status, resources and strategy members and the null creationTimestamp the typed objects carry.
func RenderYAML(objs ...Object) ([]byte, error) {
	var out bytes.Buffer
	for i, o := range objs {
		b, err := renderObject(o)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", o.GetObjectKind().GroupVersionKind().Kind, o.GetName(), err)
		}
		if i > 0 {
			out.WriteString("---\n")
		}
		out.Write(b)
	}
	return out.Bytes(), nil
}
