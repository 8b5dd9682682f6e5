package ecsapi

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/podecs/podecs/mapping"
)

// Scaling holds the Application Auto Scaling calls podecs makes to scale ECS services, with the
// API's member names (scaling_client.go). *ScalingClient satisfies it; tests use it against an
// emulator.
type Scaling interface {
	DescribeScalableTargets(ctx context.Context, in *DescribeScalableTargetsInput) (*DescribeScalableTargetsOutput, error)
	RegisterScalableTarget(ctx context.Context, in *mapping.RegisterScalableTargetInput) (*RegisterScalableTargetOutput, error)
	DescribeScalingPolicies(ctx context.Context, in *DescribeScalingPoliciesInput) (*DescribeScalingPoliciesOutput, error)
	PutScalingPolicy(ctx context.Context, in *mapping.PutScalingPolicyInput) (*PutScalingPolicyOutput, error)
}

// The kinds of Application Auto Scaling objects register manages.
const (
	KindScalableTarget Kind = "scalable-target"
	KindScalingPolicy  Kind = "scaling-policy"
)

// ScalingWant is the scaling of one ECS service: its scalable target and target tracking
// policies, as N.scaling.json holds them.
type ScalingWant struct {
	Target   *mapping.RegisterScalableTargetInput
	Policies []mapping.PutScalingPolicyInput
}

// ScalingStep is a Step about a scalable target (Target set) or a scaling policy (Policy set).
// A policy step depends on the step of its target.
type ScalingStep struct {
	Step
	Target *mapping.RegisterScalableTargetInput
	Policy *mapping.PutScalingPolicyInput
}

// PlanScaling compares the wanted scaling with what Application Auto Scaling has: a missing
// target is registered and a missing policy put; an existing one is registered or put again only
// when a member podecs sets differs (capacities, suspended state, policy type, target value,
// metric, cooldowns, scale-in switch). Policies of the target that are not wanted are left alone.
// It calls only DescribeScalableTargets and DescribeScalingPolicies.
func PlanScaling(ctx context.Context, api Scaling, wants []ScalingWant) ([]ScalingStep, error) {
	seen := map[string]bool{}
	var steps []ScalingStep
	for i, w := range wants {
		if w.Target == nil || w.Target.ResourceId == "" {
			return nil, fmt.Errorf("scaling %d has no scalable target", i+1)
		}
		key := w.Target.ServiceNamespace + " " + w.Target.ResourceId + " " + w.Target.ScalableDimension
		if seen[key] {
			return nil, fmt.Errorf("scalable target %s is given twice", w.Target.ResourceId)
		}
		seen[key] = true
		have, err := describeTarget(ctx, api, w.Target)
		if err != nil {
			return nil, fmt.Errorf("scalable target %s: %w", w.Target.ResourceId, err)
		}
		ts := ScalingStep{Step: Step{Kind: KindScalableTarget, Name: w.Target.ResourceId, dependsOn: -1}, Target: w.Target}
		live := map[string]*ScalingPolicy{}
		if have == nil {
			ts.Action, ts.Notes = Register, []string{"the scalable target does not exist"}
		} else {
			ts.ARN = have.ScalableTargetARN
			ts.Changes = targetDiff(w.Target, have)
			ts.Action = actionFor(ts.Changes)
			if live, err = describePolicies(ctx, api, w); err != nil {
				return nil, fmt.Errorf("scalable target %s: %w", w.Target.ResourceId, err)
			}
		}
		ti := len(steps)
		steps = append(steps, ts)
		for j := range w.Policies {
			p := &w.Policies[j]
			ps := ScalingStep{Step: Step{Kind: KindScalingPolicy, Name: p.PolicyName, dependsOn: ti}, Policy: p}
			switch hp := live[p.PolicyName]; {
			case hp == nil:
				ps.Action, ps.Notes = Create, []string{"the policy does not exist on " + w.Target.ResourceId}
			default:
				ps.ARN = hp.PolicyARN
				ps.Changes = policyDiff(p, hp)
				ps.Action = actionFor(ps.Changes)
			}
			steps = append(steps, ps)
		}
	}
	return steps, nil
}

func describeTarget(ctx context.Context, api Scaling, t *mapping.RegisterScalableTargetInput) (*ScalableTarget, error) {
	out, err := api.DescribeScalableTargets(ctx, &DescribeScalableTargetsInput{
		ServiceNamespace:  t.ServiceNamespace,
		ResourceIds:       []string{t.ResourceId},
		ScalableDimension: t.ScalableDimension,
	})
	if err != nil {
		return nil, opError("DescribeScalableTargets", err)
	}
	for i := range out.ScalableTargets {
		if st := &out.ScalableTargets[i]; st.ResourceId == t.ResourceId {
			return st, nil
		}
	}
	return nil, nil
}

// describePolicies returns the target's live policies among the wanted ones, by name.
func describePolicies(ctx context.Context, api Scaling, w ScalingWant) (map[string]*ScalingPolicy, error) {
	live := map[string]*ScalingPolicy{}
	if len(w.Policies) == 0 {
		return live, nil
	}
	in := &DescribeScalingPoliciesInput{
		ServiceNamespace:  w.Target.ServiceNamespace,
		ResourceId:        w.Target.ResourceId,
		ScalableDimension: w.Target.ScalableDimension,
	}
	for _, p := range w.Policies {
		in.PolicyNames = append(in.PolicyNames, p.PolicyName)
	}
	for page := 0; page < 100; page++ {
		out, err := api.DescribeScalingPolicies(ctx, in)
		if err != nil {
			return nil, opError("DescribeScalingPolicies", err)
		}
		for i := range out.ScalingPolicies {
			p := &out.ScalingPolicies[i]
			live[p.PolicyName] = p
		}
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	return live, nil
}

// targetDiff lists the members of a scalable target that differ; unset wanted capacities and
// role are not compared, an unset suspended state means nothing suspended.
func targetDiff(want *mapping.RegisterScalableTargetInput, have *ScalableTarget) []FieldChange {
	var out []FieldChange
	cmp := func(field string, w, h any) { addChange(&out, field, w, h) }
	if want.MinCapacity != nil {
		cmp("MinCapacity", want.MinCapacity, have.MinCapacity)
	}
	if want.MaxCapacity != nil {
		cmp("MaxCapacity", want.MaxCapacity, have.MaxCapacity)
	}
	if want.RoleARN != "" {
		cmp("RoleARN", want.RoleARN, have.RoleARN)
	}
	w, h := suspended(want.SuspendedState), suspended(have.SuspendedState)
	cmp("SuspendedState.DynamicScalingInSuspended", w[0], h[0])
	cmp("SuspendedState.DynamicScalingOutSuspended", w[1], h[1])
	cmp("SuspendedState.ScheduledScalingSuspended", w[2], h[2])
	return out
}

// suspended is a suspended state as three booleans, unset as false.
func suspended(s *mapping.SuspendedState) [3]bool {
	if s == nil {
		return [3]bool{}
	}
	return [3]bool{aws.ToBool(s.DynamicScalingInSuspended), aws.ToBool(s.DynamicScalingOutSuspended), aws.ToBool(s.ScheduledScalingSuspended)}
}

// policyDiff lists the members of a target tracking policy that differ. A cooldown the policy does
// not set is not compared; DisableScaleIn unset means false.
func policyDiff(want *mapping.PutScalingPolicyInput, have *ScalingPolicy) []FieldChange {
	var out []FieldChange
	cmp := func(field string, w, h any) { addChange(&out, field, w, h) }
	cmp("PolicyType", want.PolicyType, have.PolicyType)
	const tt = "TargetTrackingScalingPolicyConfiguration"
	wc, hc := want.TargetTrackingScalingPolicyConfiguration, have.TargetTrackingScalingPolicyConfiguration
	switch {
	case wc == nil && hc == nil:
		return out
	case wc == nil || hc == nil:
		cmp(tt, wc != nil, hc != nil)
		return out
	}
	cmp(tt+".TargetValue", wc.TargetValue, aws.ToFloat64(hc.TargetValue))
	var wm, hm, wl, hl string
	if wc.PredefinedMetricSpecification != nil {
		wm, wl = wc.PredefinedMetricSpecification.PredefinedMetricType, wc.PredefinedMetricSpecification.ResourceLabel
	}
	if hc.PredefinedMetricSpecification != nil {
		hm, hl = hc.PredefinedMetricSpecification.PredefinedMetricType, hc.PredefinedMetricSpecification.ResourceLabel
	}
	cmp(tt+".PredefinedMetricSpecification.PredefinedMetricType", wm, hm)
	cmp(tt+".PredefinedMetricSpecification.ResourceLabel", wl, hl)
	if hc.CustomizedMetricSpecification != nil {
		cmp(tt+".CustomizedMetricSpecification", false, true)
	}
	if wc.ScaleOutCooldown != nil {
		cmp(tt+".ScaleOutCooldown", wc.ScaleOutCooldown, hc.ScaleOutCooldown)
	}
	if wc.ScaleInCooldown != nil {
		cmp(tt+".ScaleInCooldown", wc.ScaleInCooldown, hc.ScaleInCooldown)
	}
	cmp(tt+".DisableScaleIn", aws.ToBool(wc.DisableScaleIn), aws.ToBool(hc.DisableScaleIn))
	return out
}

// jsonValue renders a value as compact JSON for a FieldChange; nil pointers and empty strings
// are absent ("").
func jsonValue(v any) string {
	switch x := v.(type) {
	case string:
		if x == "" {
			return ""
		}
	case *int32:
		if x == nil {
			return ""
		}
		v = *x
	}
	return render(v)
}

// addChange appends a FieldChange to out when want and have render differently.
func addChange(out *[]FieldChange, field string, want, have any) {
	if wj, hj := jsonValue(want), jsonValue(have); wj != hj {
		*out = append(*out, FieldChange{Field: field, Have: hj, Want: wj})
	}
}

// ApplyScaling runs a scaling plan in order and returns its steps with their outcome, as Apply
// does: a target is registered (RegisterScalableTarget creates and updates), then its policies are
// put (PutScalingPolicy creates and replaces). services are the steps Apply returned: a target
// whose ECS service step failed or was not attempted is not attempted either, nor are its policies
// (Application Auto Scaling refuses a target for a missing service, and a service whose update
// failed is not the one the scaling was planned for). A policy whose target failed is not
// attempted; unchanged steps call nothing.
func ApplyScaling(ctx context.Context, api Scaling, plan []ScalingStep, services []Step) []ScalingStep {
	steps := make([]ScalingStep, len(plan))
	copy(steps, plan)
	failed := failedServices(services)
	for i := range steps {
		s := &steps[i]
		switch {
		case s.dependsOn >= 0 && steps[s.dependsOn].Err != nil:
			s.Err = policySkipped(steps[s.dependsOn])
		case s.Target != nil && failed[serviceKey(s.Target.ResourceId)] != "":
			s.Err = &SkippedError{Reason: failed[serviceKey(s.Target.ResourceId)]}
		case s.Action == Unchanged:
		case s.Target != nil:
			s.Err = registerTarget(ctx, api, s)
		case s.Policy != nil:
			s.Err = putPolicy(ctx, api, s)
		}
		s.Applied = s.Err == nil
	}
	return steps
}

// failedServices says, by "cluster/service", why each service step that has an error was not
// made what the input describes.
func failedServices(services []Step) map[string]string {
	out := map[string]string{}
	for _, s := range services {
		if s.Kind != KindService || s.Err == nil {
			continue
		}
		what := "created"
		if s.Action != Create {
			what = "updated"
		}
		out[s.Cluster+"/"+s.Name] = fmt.Sprintf("ECS service %s in cluster %s could not be %s", s.Name, s.Cluster, what)
	}
	return out
}

// serviceKey is the "cluster/service" of a scalable target's resource ID service/CLUSTER/SERVICE,
// or "" for another form.
func serviceKey(resourceID string) string {
	cluster, service, ok := mapping.ParseECSServiceResourceID(resourceID)
	if !ok {
		return ""
	}
	return clusterName(cluster) + "/" + service
}

// policySkipped is the error of a policy whose target step failed: the target's own reason when
// the target was not attempted either, so that it names the service.
func policySkipped(target ScalingStep) error {
	var sk *SkippedError
	if errors.As(target.Err, &sk) {
		return &SkippedError{Reason: sk.Reason}
	}
	return &SkippedError{Reason: "scalable target " + target.Name + " was not registered"}
}

func registerTarget(ctx context.Context, api Scaling, s *ScalingStep) error {
	in := *s.Target
	sus := suspended(in.SuspendedState)
	// Sent in full, so that a state suspended earlier is lifted when no longer wanted.
	in.SuspendedState = &mapping.SuspendedState{DynamicScalingInSuspended: aws.Bool(sus[0]), DynamicScalingOutSuspended: aws.Bool(sus[1]), ScheduledScalingSuspended: aws.Bool(sus[2])}
	out, err := api.RegisterScalableTarget(ctx, &in)
	if err != nil {
		return opError("RegisterScalableTarget", err)
	}
	s.ARN = out.ScalableTargetARN
	return nil
}

func putPolicy(ctx context.Context, api Scaling, s *ScalingStep) error {
	out, err := api.PutScalingPolicy(ctx, s.Policy)
	if err != nil {
		return opError("PutScalingPolicy", err)
	}
	s.ARN = out.PolicyARN
	return nil
}
