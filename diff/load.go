package diff

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/podecs/podecs/convert"
	"github.com/podecs/podecs/convert/ecsjson"
	"github.com/podecs/podecs/mapping"
)

// Loader builds one side of a comparison from documents in any mix: Kubernetes manifests are
// converted as `podecs convert` converts them, ECS documents are decoded strictly. ECS services
// are joined to the task definition they run; task definitions that no service runs are
// workloads of their own.
type Loader struct {
	conv *convert.Converter
	tds  []*ecsTaskDef
	svcs []*ecsService
	errs []error
}

type ecsTaskDef struct {
	doc      convert.DocRef
	td       *ecs.RegisterTaskDefinitionInput
	arn      string
	revision int32
}

type ecsService struct {
	doc convert.DocRef
	svc *ecs.CreateServiceInput
}

// NewLoader returns a loader that converts Kubernetes manifests with opts.
func NewLoader(opts convert.Options) *Loader {
	return &Loader{conv: convert.NewConverter(opts)}
}

// Add takes one document.
func (l *Loader) Add(doc convert.Document) {
	switch doc.Format {
	case convert.FormatTaskDefinition, convert.FormatService:
		if err := l.addECS(doc); err != nil {
			l.AddError(err)
		}
	case convert.FormatRunTask, convert.FormatSchedule, convert.FormatScaling, convert.FormatTargetGroup:
		// The other files convert writes (RunTask, schedule, scaling, target group) are not
		// compared: a workload is its task definition and service.
	default:
		l.conv.Add(doc)
	}
}

// AddError records a document that could not be read.
func (l *Loader) AddError(err error) { l.errs = append(l.errs, err) }

// Finish pairs services with their task definitions and returns the side, the findings of the
// Kubernetes conversion and the documents that could not be used (each a *convert.DocError). Two
// workloads of one side with the same name are an error: which one is meant cannot be known.
func (l *Loader) Finish(label string) (Side, []convert.Finding, []error) {
	res := l.conv.Finish()
	errs := append(l.errs, res.Errors...)
	side := Side{Label: label}
	owners := map[string]string{}
	addWorkload := func(w Workload, ref convert.DocRef) {
		if prev, dup := owners[w.Name]; dup {
			errs = append(errs, &convert.DocError{Doc: ref, Err: fmt.Errorf("the name %q is already taken by %s: workloads are paired by name, so each may appear once per side", w.Name, prev)})
			return
		}
		owners[w.Name] = ref.String()
		side.Workloads = append(side.Workloads, w)
	}
	for _, o := range res.Outputs {
		addWorkload(Workload{Name: o.Name, Sources: []string{o.Doc.String()}, TaskDefinition: o.TaskDefinition, Service: o.Service}, o.Doc)
	}
	usedFamilies := map[string]bool{}
	for _, s := range l.svcs {
		td, err := l.matchTaskDefinition(aws.ToString(s.svc.TaskDefinition))
		if err != nil {
			errs = append(errs, &convert.DocError{Doc: s.doc, Path: "taskDefinition", Err: err})
			continue
		}
		usedFamilies[aws.ToString(td.td.Family)] = true
		name, _ := mapping.ECSName(aws.ToString(s.svc.ServiceName))
		addWorkload(Workload{Name: name, Sources: []string{s.doc.String(), td.doc.String()}, TaskDefinition: td.td, Service: s.svc}, s.doc)
	}
	for _, td := range l.latestStandalone(usedFamilies) {
		name, _ := mapping.ECSName(aws.ToString(td.td.Family))
		addWorkload(Workload{Name: name, Sources: []string{td.doc.String()}, TaskDefinition: td.td}, td.doc)
	}
	return side, res.Findings, errs
}

// latestStandalone returns the task definitions of the families no service runs, one per family:
// the highest revision, or the last one read when the documents do not say their revision. Other
// revisions of a family a service runs are history, not workloads.
func (l *Loader) latestStandalone(usedFamilies map[string]bool) []*ecsTaskDef {
	best := map[string]*ecsTaskDef{}
	var order []string
	for _, td := range l.tds {
		fam := aws.ToString(td.td.Family)
		if usedFamilies[fam] {
			continue
		}
		prev, seen := best[fam]
		if !seen {
			order = append(order, fam)
		}
		if !seen || td.revision >= prev.revision {
			best[fam] = td
		}
	}
	out := make([]*ecsTaskDef, 0, len(order))
	for _, fam := range order {
		out = append(out, best[fam])
	}
	return out
}

// matchTaskDefinition finds the task definition a service runs: by ARN, else by family and
// revision, else the highest (or last read) revision of the family, as ECS runs a family's latest
// ACTIVE revision.
func (l *Loader) matchTaskDefinition(ref string) (*ecsTaskDef, error) {
	if ref == "" {
		return nil, errors.New("missing: a service needs a task definition")
	}
	family, revision := parseTaskDefRef(ref)
	var best *ecsTaskDef
	for _, td := range l.tds {
		switch {
		case strings.HasPrefix(ref, "arn:") && td.arn == ref:
			return td, nil
		case aws.ToString(td.td.Family) != family:
		case revision != 0 && td.revision != 0 && td.revision != revision:
		case best == nil || td.revision >= best.revision:
			best = td
		}
	}
	if best == nil {
		return nil, fmt.Errorf("%q: no task definition of family %q among the inputs (add its register input or describe-task-definition output)", ref, family)
	}
	return best, nil
}

// parseTaskDefRef takes apart a family, family:revision or task definition ARN.
func parseTaskDefRef(s string) (family string, revision int32) {
	rest := s
	if strings.HasPrefix(s, "arn:") {
		_, rest, _ = strings.Cut(s, ":task-definition/")
	}
	family, rev, ok := strings.Cut(rest, ":")
	if ok {
		if n, err := strconv.ParseInt(rev, 10, 32); err == nil {
			revision = int32(n)
		}
	}
	return family, revision
}

// addECS decodes an ECS document strictly: a RegisterTaskDefinition input, a
// describe-task-definition output, a CreateService input, a create-service output or a
// describe-services output.
func (l *Loader) addECS(doc convert.Document) error {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(doc.JSON, &top); err != nil {
		return &convert.DocError{Doc: doc.DocRef, Err: err}
	}
	ref := doc.DocRef
	decode := func(v any) error {
		if err := ecsjson.Unmarshal(doc.JSON, v); err != nil {
			var fe *ecsjson.FieldError
			if errors.As(err, &fe) {
				return &convert.DocError{Doc: ref, Path: fe.Path, Err: errors.New(fe.Msg)}
			}
			return &convert.DocError{Doc: ref, Err: err}
		}
		return nil
	}
	switch {
	case doc.Format == convert.FormatTaskDefinition && top["containerDefinitions"] != nil:
		td := &ecs.RegisterTaskDefinitionInput{}
		if err := decode(td); err != nil {
			return err
		}
		ref.Kind, ref.Name = "TaskDefinition", aws.ToString(td.Family)
		l.tds = append(l.tds, &ecsTaskDef{doc: ref, td: td})
	case doc.Format == convert.FormatTaskDefinition:
		var out ecs.DescribeTaskDefinitionOutput
		if err := decode(&out); err != nil {
			return err
		}
		if out.TaskDefinition == nil {
			return &convert.DocError{Doc: ref, Path: "taskDefinition", Err: errors.New("missing")}
		}
		td, err := taskDefinitionFromDescribe(out.TaskDefinition, out.Tags)
		if err != nil {
			return &convert.DocError{Doc: ref, Path: "taskDefinition", Err: err}
		}
		ref.Kind, ref.Name = "TaskDefinition", aws.ToString(td.Family)
		l.tds = append(l.tds, &ecsTaskDef{doc: ref, td: td, arn: aws.ToString(out.TaskDefinition.TaskDefinitionArn), revision: out.TaskDefinition.Revision})
	case top["services"] != nil:
		var out ecs.DescribeServicesOutput
		if err := decode(&out); err != nil {
			return err
		}
		for i := range out.Services {
			svc, err := serviceFromDescribe(&out.Services[i])
			if err != nil {
				return &convert.DocError{Doc: ref, Path: mapping.Index("services", i), Err: err}
			}
			r := ref
			r.Kind, r.Name = "Service", aws.ToString(svc.ServiceName)
			l.svcs = append(l.svcs, &ecsService{doc: r, svc: svc})
		}
	case top["service"] != nil:
		var out ecs.CreateServiceOutput
		if err := decode(&out); err != nil {
			return err
		}
		if out.Service == nil {
			return &convert.DocError{Doc: ref, Path: "service", Err: errors.New("missing")}
		}
		svc, err := serviceFromDescribe(out.Service)
		if err != nil {
			return &convert.DocError{Doc: ref, Path: "service", Err: err}
		}
		ref.Kind, ref.Name = "Service", aws.ToString(svc.ServiceName)
		l.svcs = append(l.svcs, &ecsService{doc: ref, svc: svc})
	default:
		svc := &ecs.CreateServiceInput{}
		if err := decode(svc); err != nil {
			return err
		}
		ref.Kind, ref.Name = "Service", aws.ToString(svc.ServiceName)
		l.svcs = append(l.svcs, &ecsService{doc: ref, svc: svc})
	}
	return nil
}

// taskDefinitionFromDescribe turns a described task definition into the register input: the
// members both share are kept, the ones ECS sets (ARN, revision, status, compatibilities,
// registeredAt, …) are dropped.
func taskDefinitionFromDescribe(td *types.TaskDefinition, tags []types.Tag) (*ecs.RegisterTaskDefinitionInput, error) {
	out := &ecs.RegisterTaskDefinitionInput{}
	if err := copyMembers(td, out); err != nil {
		return nil, err
	}
	out.Tags = tags
	return out, nil
}

// serviceFromDescribe turns a described service into the CreateService input: clusterArn and
// roleArn become cluster and role, the Service Connect, volume and VPC Lattice settings come from
// the PRIMARY deployment, where ECS reports them, and the members ECS sets (ARN, counts,
// deployments, events, …) are dropped.
func serviceFromDescribe(s *types.Service) (*ecs.CreateServiceInput, error) {
	out := &ecs.CreateServiceInput{}
	if err := copyMembers(s, out); err != nil {
		return nil, err
	}
	out.Cluster, out.Role = s.ClusterArn, s.RoleArn
	if s.SchedulingStrategy != types.SchedulingStrategyDaemon {
		out.DesiredCount = aws.Int32(s.DesiredCount)
	}
	for _, d := range s.Deployments {
		if aws.ToString(d.Status) == "PRIMARY" {
			out.ServiceConnectConfiguration = d.ServiceConnectConfiguration
			out.VolumeConfigurations = d.VolumeConfigurations
			out.VpcLatticeConfigurations = d.VpcLatticeConfigurations
		}
	}
	return out, nil
}

// copyMembers copies the members two ECS types share, through their JSON form.
func copyMembers(from, to any) error {
	b, err := ecsjson.Marshal(from)
	if err != nil {
		return err
	}
	_, err = ecsjson.UnmarshalWith(b, to, ecsjson.Options{AllowUnknown: true})
	return err
}
