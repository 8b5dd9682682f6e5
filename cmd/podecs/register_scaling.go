package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/podecs/podecs/convert"
	"github.com/podecs/podecs/ecsapi"
	"github.com/podecs/podecs/mapping"
)

// The Application Auto Scaling part of `podecs register`: the scalable targets and target tracking
// policies of HorizontalPodAutoscalers (or N.scaling.json files), planned and applied after the ECS
// services they scale.

// scalingClient builds the Application Auto Scaling client; --scaling-endpoint-url, else
// --endpoint-url, replaces its endpoint. A dry run's client is read-only: it refuses
// RegisterScalableTarget and PutScalingPolicy without sending them. With --verbose each call is
// printed on w.
func scalingClient(ctx context.Context, o registerOptions, cfg convert.Config, w io.Writer) (ecsapi.Scaling, error) {
	endpoint := o.ScalingEndpointURL
	if endpoint == "" {
		endpoint = o.EndpointURL
	}
	api, err := ecsapi.NewScalingClient(ctx, ecsapi.Options{Region: cfg.Region, Profile: o.Profile, EndpointURL: endpoint, Timeout: min(o.Timeout, ecsapi.DefaultRequestTimeout)}, o.DryRun)
	if err != nil {
		return nil, cli.Exit(err.Error(), exitBadInput)
	}
	if o.Verbose {
		return verboseScaling{Scaling: api, w: w}, nil
	}
	return api, nil
}

// verboseScaling prints each Application Auto Scaling call before it is made.
type verboseScaling struct {
	ecsapi.Scaling
	w io.Writer
}

func (v verboseScaling) log(op string, detail ...string) {
	logCall(v.w, "application-autoscaling", op, detail...)
}

func (v verboseScaling) DescribeScalableTargets(ctx context.Context, in *ecsapi.DescribeScalableTargetsInput) (*ecsapi.DescribeScalableTargetsOutput, error) {
	v.log("DescribeScalableTargets", "resourceIds", strings.Join(in.ResourceIds, ","), "page", nextPage(in.NextToken))
	return v.Scaling.DescribeScalableTargets(ctx, in)
}

func (v verboseScaling) RegisterScalableTarget(ctx context.Context, in *mapping.RegisterScalableTargetInput) (*ecsapi.RegisterScalableTargetOutput, error) {
	v.log("RegisterScalableTarget", "resourceId", in.ResourceId)
	return v.Scaling.RegisterScalableTarget(ctx, in)
}

func (v verboseScaling) DescribeScalingPolicies(ctx context.Context, in *ecsapi.DescribeScalingPoliciesInput) (*ecsapi.DescribeScalingPoliciesOutput, error) {
	v.log("DescribeScalingPolicies", "resourceId", in.ResourceId, "page", nextPage(in.NextToken))
	return v.Scaling.DescribeScalingPolicies(ctx, in)
}

func (v verboseScaling) PutScalingPolicy(ctx context.Context, in *mapping.PutScalingPolicyInput) (*ecsapi.PutScalingPolicyOutput, error) {
	v.log("PutScalingPolicy", "resourceId", in.ResourceId, "policyName", in.PolicyName)
	return v.Scaling.PutScalingPolicy(ctx, in)
}

// planScaling plans the scaling without changing anything (a dry run).
func planScaling(ctx context.Context, o registerOptions, cfg convert.Config, w io.Writer, wants []ecsapi.ScalingWant) ([]ecsapi.Step, error) {
	_, plan, err := scalingPlan(ctx, o, cfg, w, wants)
	return scalingSteps(plan), err
}

// applyScaling plans and applies the scaling; the failures are in the steps. services are the
// steps ecsapi.Apply returned: the scaling of a service whose step failed is not attempted, and
// says which service it waits for.
func applyScaling(ctx context.Context, o registerOptions, cfg convert.Config, w io.Writer, wants []ecsapi.ScalingWant, services ...ecsapi.Step) ([]ecsapi.Step, error) {
	api, plan, err := scalingPlan(ctx, o, cfg, w, wants)
	if err != nil || len(plan) == 0 {
		return nil, err
	}
	return scalingSteps(ecsapi.ApplyScaling(ctx, api, plan, services)), nil
}

// scalingPlan builds the client and compares wants with what Application Auto Scaling has; with
// no wants it makes no client and no call.
func scalingPlan(ctx context.Context, o registerOptions, cfg convert.Config, w io.Writer, wants []ecsapi.ScalingWant) (ecsapi.Scaling, []ecsapi.ScalingStep, error) {
	if len(wants) == 0 {
		return nil, nil, nil
	}
	api, err := scalingClient(ctx, o, cfg, w)
	if err != nil {
		return nil, nil, err
	}
	plan, err := ecsapi.PlanScaling(ctx, api, wants)
	if err != nil {
		return nil, nil, cli.Exit("cannot plan the scaling: "+err.Error()+timeoutHint(ctx, err, o.Timeout), exitBadInput)
	}
	return api, plan, nil
}

func scalingSteps(steps []ecsapi.ScalingStep) []ecsapi.Step {
	if len(steps) == 0 {
		return nil
	}
	out := make([]ecsapi.Step, len(steps))
	for i, s := range steps {
		out[i] = s.Step
	}
	return out
}

// withCluster moves the scaling to the cluster --cluster names, as it does the services.
func withCluster(wants []ecsapi.ScalingWant, cluster string) []ecsapi.ScalingWant {
	move := func(id string) string {
		if _, service, ok := mapping.ParseECSServiceResourceID(id); ok {
			return mapping.ECSServiceResourceID(cluster, service)
		}
		return id
	}
	out := make([]ecsapi.ScalingWant, len(wants))
	for i, w := range wants {
		t := *w.Target
		t.ResourceId = move(t.ResourceId)
		ps := make([]mapping.PutScalingPolicyInput, len(w.Policies))
		for j, p := range w.Policies {
			p.ResourceId = move(p.ResourceId)
			ps[j] = p
		}
		out[i] = ecsapi.ScalingWant{Target: &t, Policies: ps}
	}
	return out
}

// notRegistered says why a document register reads is not sent anywhere.
func notRegistered(f convert.Format) string {
	switch f {
	case convert.FormatRunTask:
		return "a RunTask input is not run: register runs no task (start it with aws ecs run-task --cli-input-json)"
	case convert.FormatSchedule:
		return "a schedule is not created: register talks to ECS and Application Auto Scaling only (create it with aws scheduler create-schedule --cli-input-json)"
	}
	return "target group health check settings are not applied: target groups are outside ECS (apply them with aws elbv2 modify-target-group)"
}

// writtenOnly notes what convert writes for a workload that register does not send.
func writtenOnly(w io.Writer, out convert.Output) {
	var what []string
	if out.RunTask != nil {
		what = append(what, "its RunTask input is not run")
	}
	if out.Schedule != nil {
		what = append(what, "its schedule is not created (EventBridge Scheduler)")
	}
	if out.TargetGroup != nil {
		what = append(what, "its target group health check is not applied")
	}
	if len(what) > 0 {
		fmt.Fprintf(w, "info: %s: %s; podecs convert writes them as files\n", out.Doc, strings.Join(what, ", "))
	}
}
