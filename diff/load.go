package diff

import (
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

// addECS decodes an ECS document strictly, in any form convert takes: a RegisterTaskDefinition
// input, a describe-task-definition output or its bare TaskDefinition object, a CreateService
// input, a create-service or describe-services output or a bare Service object.
func (l *Loader) addECS(doc convert.Document) error {
	ins, err := convert.DecodeECS(doc)
	if err != nil {
		return err
	}
	for _, in := range ins {
		if in.TaskDefinition != nil {
			l.tds = append(l.tds, &ecsTaskDef{doc: in.Doc, td: in.TaskDefinition, arn: in.ARN, revision: in.Revision})
		} else {
			l.svcs = append(l.svcs, &ecsService{doc: in.Doc, svc: in.Service})
		}
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
