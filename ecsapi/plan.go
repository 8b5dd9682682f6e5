package ecsapi

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// Kind is the kind of object a step is about.
type Kind string

// The kinds of objects register manages.
const (
	KindCluster        Kind = "cluster"
	KindTaskDefinition Kind = "taskdef"
	KindService        Kind = "service"
)

// Action is what a step does to its object.
type Action string

// The actions of a plan.
const (
	Register  Action = "register"
	Create    Action = "create"
	Update    Action = "update"
	Unchanged Action = "unchanged"
)

// Done returns the action in the past tense, as reported once it ran: registered, created,
// updated, unchanged.
func (a Action) Done() string {
	switch a {
	case Register:
		return "registered"
	case Create:
		return "created"
	case Update:
		return "updated"
	}
	return string(a)
}

// Desired is what register makes true: every task definition registered (or its identical latest
// revision reused), every service running the task definition of its family.
type Desired struct {
	TaskDefinitions []*ecs.RegisterTaskDefinitionInput
	// Services name their task definition by family (the revision registered or reused for it is
	// filled in), family:revision or ARN. A missing cluster means "default".
	Services []*ecs.CreateServiceInput
	// CreateClusters creates missing clusters; otherwise a missing cluster fails the plan.
	CreateClusters bool
}

// Step is one object of a plan: what will be (or was) done to it and why.
type Step struct {
	Kind Kind
	Name string
	// Cluster is the cluster of a service.
	Cluster string
	Action  Action
	// ARN is the object's ARN: the live one in a plan (none for objects to register or create),
	// the resulting one after Apply.
	ARN string
	// Changes are the field-level reasons for a register or an update.
	Changes []FieldChange
	// Notes are reasons without a field: there is nothing to compare with.
	Notes []string
	// Warnings are differences register does not change: a service's launch type or scheduling
	// strategy, which ECS cannot change in place.
	Warnings []string
	// TaskDefinition is the input of a task definition step.
	TaskDefinition *ecs.RegisterTaskDefinitionInput
	// Service is the wanted service of a service step.
	Service *ecs.CreateServiceInput
	// Ref is, for a task definition, the revision reused or registered; for a service, the task
	// definition it runs (known in a plan unless a new revision is to be registered).
	Ref TaskDefinitionRef
	// Applied is set by Apply on the steps that succeeded; Err on those that failed or could not
	// run because a step they depend on failed.
	Applied bool
	Err     error

	dependsOn int // index of the task definition step a service runs, -1 for none
}

// MissingClustersError is a plan that needs clusters that do not exist.
type MissingClustersError struct {
	Names []string
}

// Error names the missing clusters.
func (e *MissingClustersError) Error() string {
	return fmt.Sprintf("cluster %s not found (create it first, or let podecs create it)", strings.Join(e.Names, ", "))
}

// Plan compares d with what ECS has and returns the steps that make them equal: clusters first,
// then task definitions, then services. It calls only read operations (DescribeClusters,
// ListTaskDefinitions, DescribeTaskDefinition, DescribeServices).
func Plan(ctx context.Context, api ECS, d Desired) ([]Step, error) {
	if err := validate(d); err != nil {
		return nil, err
	}
	steps, err := planClusters(ctx, api, d)
	if err != nil {
		return nil, err
	}
	creating := map[string]bool{}
	for _, s := range steps {
		if s.Action == Create {
			creating[s.Name] = true
		}
	}
	byFamily := map[string]int{}
	for _, td := range d.TaskDefinitions {
		s, err := planTaskDefinition(ctx, api, td)
		if err != nil {
			return nil, err
		}
		byFamily[s.Name] = len(steps)
		steps = append(steps, s)
	}
	svcs, err := planServices(ctx, api, d.Services, steps, byFamily, creating)
	if err != nil {
		return nil, err
	}
	return append(steps, svcs...), nil
}

func clusterOf(s *ecs.CreateServiceInput) string {
	if c := aws.ToString(s.Cluster); c != "" {
		return c
	}
	return "default"
}

// clusterName is the name of a cluster given by name or ARN (arn:…:cluster/NAME).
func clusterName(c string) string {
	if _, name, ok := strings.Cut(c, ":cluster/"); ok && strings.HasPrefix(c, "arn:") {
		return name
	}
	return c
}

func validate(d Desired) error {
	families := map[string]bool{}
	for i, td := range d.TaskDefinitions {
		f := aws.ToString(td.Family)
		if f == "" {
			return fmt.Errorf("task definition %d has no family", i+1)
		}
		if families[f] {
			return fmt.Errorf("task definition family %q is given twice", f)
		}
		families[f] = true
	}
	services := map[string]bool{}
	for i, s := range d.Services {
		n := aws.ToString(s.ServiceName)
		if n == "" {
			return fmt.Errorf("service %d has no serviceName", i+1)
		}
		if aws.ToString(s.TaskDefinition) == "" {
			return fmt.Errorf("service %s has no taskDefinition", n)
		}
		key := clusterOf(s) + "/" + n
		if services[key] {
			return fmt.Errorf("service %s in cluster %s is given twice", n, clusterOf(s))
		}
		services[key] = true
	}
	return nil
}

// planClusters checks the clusters the services need, in the order they first appear.
func planClusters(ctx context.Context, api ECS, d Desired) ([]Step, error) {
	var names []string
	seen := map[string]bool{}
	for _, s := range d.Services {
		if c := clusterOf(s); !seen[c] {
			seen[c] = true
			names = append(names, c)
		}
	}
	live := map[string]string{} // name or ARN → ARN of an ACTIVE cluster
	for start := 0; start < len(names); start += 100 {
		out, err := api.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: names[start:min(start+100, len(names))]})
		if err != nil {
			return nil, opError("DescribeClusters", err)
		}
		for _, c := range out.Clusters {
			if aws.ToString(c.Status) == "ACTIVE" {
				live[aws.ToString(c.ClusterName)] = aws.ToString(c.ClusterArn)
				live[aws.ToString(c.ClusterArn)] = aws.ToString(c.ClusterArn)
			}
		}
	}
	var steps []Step
	var missing []string
	for _, n := range names {
		switch arn, ok := live[n]; {
		case ok:
			steps = append(steps, Step{Kind: KindCluster, Name: clusterName(n), Action: Unchanged, ARN: arn, dependsOn: -1})
		case d.CreateClusters && !strings.HasPrefix(n, "arn:"):
			steps = append(steps, Step{Kind: KindCluster, Name: n, Action: Create, Notes: []string{"cluster does not exist"}, dependsOn: -1})
		default:
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return nil, &MissingClustersError{Names: missing}
	}
	return steps, nil
}

func planTaskDefinition(ctx context.Context, api ECS, want *ecs.RegisterTaskDefinitionInput) (Step, error) {
	family := aws.ToString(want.Family)
	s := Step{Kind: KindTaskDefinition, Name: family, TaskDefinition: want, dependsOn: -1}
	have, tags, err := latestActive(ctx, api, family)
	if err != nil {
		return s, fmt.Errorf("task definition %s: %w", family, err)
	}
	if have == nil {
		s.Action = Register
		s.Notes = []string{"the family has no ACTIVE revision"}
		return s, nil
	}
	latest := TaskDefinitionRef{Family: family, Revision: have.Revision}
	if s.Changes = TaskDefinitionDiff(want, have, tags); len(s.Changes) == 0 {
		s.Action, s.ARN, s.Ref = Unchanged, aws.ToString(have.TaskDefinitionArn), latest
		return s, nil
	}
	s.Action = Register
	s.Notes = []string{fmt.Sprintf("differs from the latest ACTIVE revision %s", latest)}
	return s, nil
}

// latestActive returns the latest ACTIVE revision of family with its tags, or nil when there is
// none. ListTaskDefinitions sorted newest first names it on the first page that holds the family.
func latestActive(ctx context.Context, api ECS, family string) (*types.TaskDefinition, []types.Tag, error) {
	in := &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String(family), Status: types.TaskDefinitionStatusActive, Sort: types.SortOrderDesc}
	var arn string
	var best int32
	for page := 0; arn == "" && page < 100; page++ {
		out, err := api.ListTaskDefinitions(ctx, in)
		if err != nil {
			return nil, nil, opError("ListTaskDefinitions", err)
		}
		for _, a := range out.TaskDefinitionArns {
			if r := ParseTaskDefinitionRef(a); r.Family == family && r.Revision > best {
				arn, best = a, r.Revision
			}
		}
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	if arn == "" {
		return nil, nil, nil
	}
	out, err := api.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(arn), Include: []types.TaskDefinitionField{types.TaskDefinitionFieldTags}})
	if err != nil {
		return nil, nil, opError("DescribeTaskDefinition", err)
	}
	return out.TaskDefinition, out.Tags, nil
}

func planServices(ctx context.Context, api ECS, wants []*ecs.CreateServiceInput, steps []Step, byFamily map[string]int, creating map[string]bool) ([]Step, error) {
	live, err := describeServices(ctx, api, wants, creating)
	if err != nil {
		return nil, err
	}
	var out []Step
	for _, want := range wants {
		name, cluster := aws.ToString(want.ServiceName), clusterOf(want)
		s := Step{Kind: KindService, Name: name, Cluster: clusterName(cluster), Service: want, dependsOn: -1}
		ref := ParseTaskDefinitionRef(aws.ToString(want.TaskDefinition))
		pending := false
		if i, ok := byFamily[ref.Family]; ok && ref.Revision == 0 {
			s.dependsOn = i
			s.Ref = steps[i].Ref
			pending = steps[i].Action == Register
		} else {
			r, err := existingTaskDefinition(ctx, api, aws.ToString(want.TaskDefinition))
			if err != nil {
				return nil, fmt.Errorf("service %s: taskDefinition: %w", name, err)
			}
			s.Ref = r
		}
		have := live[cluster+"/"+name]
		if have == nil {
			s.Action = Create
			s.Notes = []string{"the service does not exist in cluster " + s.Cluster}
			out = append(out, s)
			continue
		}
		s.ARN = aws.ToString(have.ServiceArn)
		cmp := *want
		cmp.TaskDefinition = aws.String(s.Ref.String())
		if pending {
			cmp.TaskDefinition = have.TaskDefinition
			s.Changes = append(s.Changes, FieldChange{Field: "taskDefinition", Have: quote(ParseTaskDefinitionRef(aws.ToString(have.TaskDefinition)).String()), Want: quote(ref.Family + " (new revision)")})
		}
		s.Changes = append(s.Changes, ServiceDiff(&cmp, have)...)
		s.Warnings = immutableDiff(want, have)
		s.Action = actionFor(s.Changes)
		out = append(out, s)
	}
	return out, nil
}

// describeServices returns the ACTIVE services among wants by "cluster/name". Services in clusters
// about to be created are not looked up.
func describeServices(ctx context.Context, api ECS, wants []*ecs.CreateServiceInput, creating map[string]bool) (map[string]*types.Service, error) {
	byCluster := map[string][]string{}
	var clusters []string
	for _, w := range wants {
		c := clusterOf(w)
		if creating[c] {
			continue
		}
		if byCluster[c] == nil {
			clusters = append(clusters, c)
		}
		byCluster[c] = append(byCluster[c], aws.ToString(w.ServiceName))
	}
	live := map[string]*types.Service{}
	for _, c := range clusters {
		names := byCluster[c]
		for start := 0; start < len(names); start += 10 { // DescribeServices takes up to 10
			out, err := api.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(c), Services: names[start:min(start+10, len(names))]})
			if err != nil {
				return nil, fmt.Errorf("cluster %s: %w", c, opError("DescribeServices", err))
			}
			for i := range out.Services {
				if svc := &out.Services[i]; aws.ToString(svc.Status) == "ACTIVE" {
					live[c+"/"+aws.ToString(svc.ServiceName)] = svc
				}
			}
		}
	}
	return live, nil
}

// existingTaskDefinition resolves a task definition that is not among the inputs.
func existingTaskDefinition(ctx context.Context, api ECS, name string) (TaskDefinitionRef, error) {
	out, err := api.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(name)})
	if err != nil {
		return TaskDefinitionRef{}, fmt.Errorf("%q is not among the inputs and cannot be described: %w", name, opError("DescribeTaskDefinition", err))
	}
	if out.TaskDefinition == nil {
		return TaskDefinitionRef{}, fmt.Errorf("%q: %w", name, errors.New("DescribeTaskDefinition returned no task definition"))
	}
	return TaskDefinitionRef{Family: aws.ToString(out.TaskDefinition.Family), Revision: out.TaskDefinition.Revision}, nil
}

// immutableDiff lists differences UpdateService cannot make: the service must be deleted and
// created again to change them.
func immutableDiff(want *ecs.CreateServiceInput, have *types.Service) []string {
	var notes []string
	if want.LaunchType != "" && have.LaunchType != "" && want.LaunchType != have.LaunchType {
		notes = append(notes, fmt.Sprintf("launchType is %s, want %s: ECS cannot change it on an existing service (delete and re-create the service)", have.LaunchType, want.LaunchType))
	}
	if want.SchedulingStrategy != "" && have.SchedulingStrategy != "" && want.SchedulingStrategy != have.SchedulingStrategy {
		notes = append(notes, fmt.Sprintf("schedulingStrategy is %s, want %s: ECS cannot change it on an existing service (delete and re-create the service)", have.SchedulingStrategy, want.SchedulingStrategy))
	}
	sort.Strings(notes)
	return notes
}

// actionFor is what an existing object with these changes needs: nothing, or an update.
func actionFor(changes []FieldChange) Action {
	if len(changes) > 0 {
		return Update
	}
	return Unchanged
}
