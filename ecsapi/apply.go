package ecsapi

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// Apply runs a plan in order and returns its steps with their outcome: Applied and the resulting
// ARN, or Err. A failed step does not stop the others; a service whose cluster or task definition
// step failed is not attempted. Unchanged steps call nothing. Running Plan and Apply again after a
// failure picks up where this run stopped.
func Apply(ctx context.Context, api ECS, plan []Step) []Step {
	steps := make([]Step, len(plan))
	copy(steps, plan)
	failedClusters := map[string]bool{}
	for i := range steps {
		s := &steps[i]
		switch s.Kind {
		case KindCluster:
			s.Err = applyCluster(ctx, api, s)
			if s.Err != nil {
				failedClusters[s.Name] = true
			}
		case KindTaskDefinition:
			s.Err = applyTaskDefinition(ctx, api, s)
		case KindService:
			switch {
			case failedClusters[s.Cluster]:
				s.Err = &SkippedError{Reason: "cluster " + s.Cluster + " could not be created"}
			case s.dependsOn >= 0 && steps[s.dependsOn].Err != nil:
				s.Err = &SkippedError{Reason: "task definition " + steps[s.dependsOn].Name + " was not registered"}
			default:
				if s.dependsOn >= 0 {
					s.Ref = steps[s.dependsOn].Ref
					s.Changes = resolved(s.Changes, s.Ref)
				}
				s.Err = applyService(ctx, api, s)
			}
		}
		s.Applied = s.Err == nil
	}
	return steps
}

// resolved names the revision a service now runs in its taskDefinition change, in place of the
// "(new revision)" of the plan.
func resolved(changes []FieldChange, ref TaskDefinitionRef) []FieldChange {
	out := make([]FieldChange, len(changes))
	copy(out, changes)
	for i := range out {
		if out[i].Field == "taskDefinition" {
			out[i].Want = quote(ref.String())
		}
	}
	return out
}

// SkippedError marks a step not attempted because one it depends on failed.
type SkippedError struct {
	Reason string
}

// Error says why the step was not attempted.
func (e *SkippedError) Error() string { return "not attempted: " + e.Reason }

func applyCluster(ctx context.Context, api ECS, s *Step) error {
	if s.Action != Create {
		return nil
	}
	out, err := api.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(s.Name)})
	if err != nil {
		return opError("CreateCluster", err)
	}
	if out.Cluster != nil {
		s.ARN = aws.ToString(out.Cluster.ClusterArn)
	}
	return nil
}

func applyTaskDefinition(ctx context.Context, api ECS, s *Step) error {
	if s.Action != Register {
		return nil
	}
	out, err := api.RegisterTaskDefinition(ctx, s.TaskDefinition)
	if err != nil {
		return opError("RegisterTaskDefinition", err)
	}
	if out.TaskDefinition == nil {
		return &OpError{Operation: "RegisterTaskDefinition", Message: "the response holds no task definition"}
	}
	s.ARN = aws.ToString(out.TaskDefinition.TaskDefinitionArn)
	s.Ref = TaskDefinitionRef{Family: aws.ToString(out.TaskDefinition.Family), Revision: out.TaskDefinition.Revision}
	return nil
}

func applyService(ctx context.Context, api ECS, s *Step) error {
	want := *s.Service
	want.Cluster = aws.String(clusterOf(s.Service))
	want.TaskDefinition = aws.String(s.Ref.String())
	switch s.Action {
	case Create:
		out, err := api.CreateService(ctx, &want)
		if err != nil {
			return opError("CreateService", err)
		}
		if out.Service == nil {
			return &OpError{Operation: "CreateService", Message: "the response holds no service"}
		}
		s.ARN = aws.ToString(out.Service.ServiceArn)
		// An endpoint may ignore members of CreateService (moto drops deploymentConfiguration):
		// what the new service does not show is sent again, so the next run finds nothing to do.
		if rest := ServiceDiff(&want, out.Service); len(rest) > 0 {
			if _, err := api.UpdateService(ctx, updateInput(&want, rest)); err != nil {
				return fmt.Errorf("created, but setting %s failed: %w", fields(rest), opError("UpdateService", err))
			}
		}
	case Update:
		out, err := api.UpdateService(ctx, updateInput(&want, s.Changes))
		if err != nil {
			return opError("UpdateService", err)
		}
		if out.Service != nil {
			s.ARN = aws.ToString(out.Service.ServiceArn)
		}
	}
	return nil
}

// updateInput sends the groups of members that changed, and only those: an unchanged task
// definition or network configuration is not sent again.
func updateInput(want *ecs.CreateServiceInput, changes []FieldChange) *ecs.UpdateServiceInput {
	in := &ecs.UpdateServiceInput{Cluster: want.Cluster, Service: want.ServiceName}
	for _, c := range changes {
		switch top, _, _ := strings.Cut(c.Field, "."); top {
		case "taskDefinition":
			in.TaskDefinition = want.TaskDefinition
		case "desiredCount":
			in.DesiredCount = want.DesiredCount
		case "deploymentConfiguration":
			in.DeploymentConfiguration = want.DeploymentConfiguration
		case "networkConfiguration":
			in.NetworkConfiguration = want.NetworkConfiguration
		}
	}
	return in
}

func fields(cs []FieldChange) string {
	seen := map[string]bool{}
	var out []string
	for _, c := range cs {
		top, _, _ := strings.Cut(c.Field, ".")
		if !seen[top] {
			seen[top] = true
			out = append(out, top)
		}
	}
	return strings.Join(out, ", ")
}

// ErrNotStable is returned by WaitStable when services are not stable in time.
var ErrNotStable = errors.New("not stable")

// WaitStable waits, with the SDK's ServicesStable waiter, until every service step that applied
// has one deployment whose running count equals its desired count, or until timeout.
func WaitStable(ctx context.Context, api ECS, steps []Step, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	byCluster := map[string][]string{}
	var clusters []string
	for _, s := range steps {
		if s.Kind != KindService || !s.Applied {
			continue
		}
		if byCluster[s.Cluster] == nil {
			clusters = append(clusters, s.Cluster)
		}
		byCluster[s.Cluster] = append(byCluster[s.Cluster], s.Name)
	}
	// Poll often enough for short timeouts, no more than the waiter's default for long ones.
	minDelay := min(max(timeout/10, time.Second), 15*time.Second)
	w := ecs.NewServicesStableWaiter(api, func(o *ecs.ServicesStableWaiterOptions) {
		o.MinDelay, o.MaxDelay = minDelay, max(minDelay, time.Minute)
	})
	for _, c := range clusters {
		names := byCluster[c]
		for start := 0; start < len(names); start += 10 {
			batch := names[start:min(start+10, len(names))]
			remaining := time.Until(deadline(ctx))
			if remaining <= 0 {
				return fmt.Errorf("services %s in cluster %s: %w within %s", strings.Join(batch, ", "), c, ErrNotStable, timeout)
			}
			err := w.Wait(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(c), Services: batch}, remaining)
			if err != nil {
				return fmt.Errorf("services %s in cluster %s: %w", strings.Join(batch, ", "), c, waitError(err, timeout))
			}
		}
	}
	return nil
}

func deadline(ctx context.Context) time.Time {
	d, _ := ctx.Deadline()
	return d
}

func waitError(err error, timeout time.Duration) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "exceeded max wait time"), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w within %s", ErrNotStable, timeout)
	case strings.Contains(msg, "transitioned to Failure"):
		return fmt.Errorf("%w: a service is missing or draining", ErrNotStable)
	}
	var oe *OpError
	if errors.As(err, &oe) {
		return oe
	}
	return opError("DescribeServices", err)
}
