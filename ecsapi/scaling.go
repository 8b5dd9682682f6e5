package ecsapi

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"

	"github.com/podecs/podecs/mapping"
)

// Scaling holds the Application Auto Scaling calls podecs makes to scale ECS services.
// *applicationautoscaling.Client satisfies it; tests use the real client against an emulator.
type Scaling interface {
	DescribeScalableTargets(ctx context.Context, in *aas.DescribeScalableTargetsInput, optFns ...func(*aas.Options)) (*aas.DescribeScalableTargetsOutput, error)
	RegisterScalableTarget(ctx context.Context, in *aas.RegisterScalableTargetInput, optFns ...func(*aas.Options)) (*aas.RegisterScalableTargetOutput, error)
	DescribeScalingPolicies(ctx context.Context, in *aas.DescribeScalingPoliciesInput, optFns ...func(*aas.Options)) (*aas.DescribeScalingPoliciesOutput, error)
	PutScalingPolicy(ctx context.Context, in *aas.PutScalingPolicyInput, optFns ...func(*aas.Options)) (*aas.PutScalingPolicyOutput, error)
}

var _ Scaling = (*aas.Client)(nil)

// NewScalingClient builds an Application Auto Scaling client from the standard AWS configuration
// chain and o, as NewClient does for ECS; o.EndpointURL, when set, replaces its endpoint.
func NewScalingClient(ctx context.Context, o Options) (*aas.Client, error) {
	cfg, err := awsConfig(ctx, o)
	if err != nil {
		return nil, err
	}
	return aas.NewFromConfig(cfg, func(ao *aas.Options) {
		if o.EndpointURL != "" {
			ao.BaseEndpoint = aws.String(o.EndpointURL)
		}
	}), nil
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
		live := map[string]*aastypes.ScalingPolicy{}
		if have == nil {
			ts.Action, ts.Notes = Register, []string{"the scalable target does not exist"}
		} else {
			ts.ARN = aws.ToString(have.ScalableTargetARN)
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
				ps.ARN = aws.ToString(hp.PolicyARN)
				ps.Changes = policyDiff(p, hp)
				ps.Action = actionFor(ps.Changes)
			}
			steps = append(steps, ps)
		}
	}
	return steps, nil
}

func describeTarget(ctx context.Context, api Scaling, t *mapping.RegisterScalableTargetInput) (*aastypes.ScalableTarget, error) {
	out, err := api.DescribeScalableTargets(ctx, &aas.DescribeScalableTargetsInput{
		ServiceNamespace:  aastypes.ServiceNamespace(t.ServiceNamespace),
		ResourceIds:       []string{t.ResourceId},
		ScalableDimension: aastypes.ScalableDimension(t.ScalableDimension),
	})
	if err != nil {
		return nil, opError("DescribeScalableTargets", err)
	}
	for i := range out.ScalableTargets {
		if st := &out.ScalableTargets[i]; aws.ToString(st.ResourceId) == t.ResourceId {
			return st, nil
		}
	}
	return nil, nil
}

// describePolicies returns the target's live policies among the wanted ones, by name.
func describePolicies(ctx context.Context, api Scaling, w ScalingWant) (map[string]*aastypes.ScalingPolicy, error) {
	live := map[string]*aastypes.ScalingPolicy{}
	if len(w.Policies) == 0 {
		return live, nil
	}
	in := &aas.DescribeScalingPoliciesInput{
		ServiceNamespace:  aastypes.ServiceNamespace(w.Target.ServiceNamespace),
		ResourceId:        aws.String(w.Target.ResourceId),
		ScalableDimension: aastypes.ScalableDimension(w.Target.ScalableDimension),
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
			live[aws.ToString(p.PolicyName)] = p
		}
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	return live, nil
}

// targetDiff lists the members of a scalable target that differ; unset wanted capacities and
// role are not compared, an unset suspended state means nothing suspended.
func targetDiff(want *mapping.RegisterScalableTargetInput, have *aastypes.ScalableTarget) []FieldChange {
	var out []FieldChange
	cmp := func(field string, w, h any) { addChange(&out, field, w, h) }
	if want.MinCapacity != nil {
		cmp("MinCapacity", want.MinCapacity, have.MinCapacity)
	}
	if want.MaxCapacity != nil {
		cmp("MaxCapacity", want.MaxCapacity, have.MaxCapacity)
	}
	if want.RoleARN != "" {
		cmp("RoleARN", want.RoleARN, aws.ToString(have.RoleARN))
	}
	w, h := suspended(want.SuspendedState), liveSuspended(have.SuspendedState)
	cmp("SuspendedState.DynamicScalingInSuspended", w[0], h[0])
	cmp("SuspendedState.DynamicScalingOutSuspended", w[1], h[1])
	cmp("SuspendedState.ScheduledScalingSuspended", w[2], h[2])
	return out
}

// suspended is a wanted suspended state as three booleans, unset as false.
func suspended(s *mapping.SuspendedState) [3]bool {
	if s == nil {
		return [3]bool{}
	}
	return [3]bool{aws.ToBool(s.DynamicScalingInSuspended), aws.ToBool(s.DynamicScalingOutSuspended), aws.ToBool(s.ScheduledScalingSuspended)}
}

func liveSuspended(s *aastypes.SuspendedState) [3]bool {
	if s == nil {
		return [3]bool{}
	}
	return [3]bool{aws.ToBool(s.DynamicScalingInSuspended), aws.ToBool(s.DynamicScalingOutSuspended), aws.ToBool(s.ScheduledScalingSuspended)}
}

// policyDiff lists the members of a target tracking policy that differ. A cooldown the policy does
// not set is not compared; DisableScaleIn unset means false.
func policyDiff(want *mapping.PutScalingPolicyInput, have *aastypes.ScalingPolicy) []FieldChange {
	var out []FieldChange
	cmp := func(field string, w, h any) { addChange(&out, field, w, h) }
	cmp("PolicyType", want.PolicyType, string(have.PolicyType))
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
		hm, hl = string(hc.PredefinedMetricSpecification.PredefinedMetricType), aws.ToString(hc.PredefinedMetricSpecification.ResourceLabel)
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
	t := s.Target
	sus := suspended(t.SuspendedState)
	in := &aas.RegisterScalableTargetInput{
		ServiceNamespace:  aastypes.ServiceNamespace(t.ServiceNamespace),
		ResourceId:        aws.String(t.ResourceId),
		ScalableDimension: aastypes.ScalableDimension(t.ScalableDimension),
		MinCapacity:       t.MinCapacity,
		MaxCapacity:       t.MaxCapacity,
		// Sent in full, so that a state suspended earlier is lifted when no longer wanted.
		SuspendedState: &aastypes.SuspendedState{DynamicScalingInSuspended: aws.Bool(sus[0]), DynamicScalingOutSuspended: aws.Bool(sus[1]), ScheduledScalingSuspended: aws.Bool(sus[2])},
		Tags:           t.Tags,
	}
	if t.RoleARN != "" {
		in.RoleARN = aws.String(t.RoleARN)
	}
	out, err := api.RegisterScalableTarget(ctx, in)
	if err != nil {
		return opError("RegisterScalableTarget", err)
	}
	s.ARN = aws.ToString(out.ScalableTargetARN)
	return nil
}

func putPolicy(ctx context.Context, api Scaling, s *ScalingStep) error {
	p := s.Policy
	in := &aas.PutScalingPolicyInput{
		PolicyName:        aws.String(p.PolicyName),
		ServiceNamespace:  aastypes.ServiceNamespace(p.ServiceNamespace),
		ResourceId:        aws.String(p.ResourceId),
		ScalableDimension: aastypes.ScalableDimension(p.ScalableDimension),
		PolicyType:        aastypes.PolicyType(p.PolicyType),
	}
	if c := p.TargetTrackingScalingPolicyConfiguration; c != nil {
		tc := &aastypes.TargetTrackingScalingPolicyConfiguration{
			TargetValue:      aws.Float64(c.TargetValue),
			ScaleOutCooldown: c.ScaleOutCooldown,
			ScaleInCooldown:  c.ScaleInCooldown,
			DisableScaleIn:   c.DisableScaleIn,
		}
		if m := c.PredefinedMetricSpecification; m != nil {
			tc.PredefinedMetricSpecification = &aastypes.PredefinedMetricSpecification{PredefinedMetricType: aastypes.MetricType(m.PredefinedMetricType)}
			if m.ResourceLabel != "" {
				tc.PredefinedMetricSpecification.ResourceLabel = aws.String(m.ResourceLabel)
			}
		}
		in.TargetTrackingScalingPolicyConfiguration = tc
	}
	out, err := api.PutScalingPolicy(ctx, in)
	if err != nil {
		return opError("PutScalingPolicy", err)
	}
	s.ARN = aws.ToString(out.PolicyARN)
	return nil
}
