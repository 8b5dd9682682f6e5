package ecsapi

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podecs/podecs/mapping"
)

// countingScaling counts the mutating Application Auto Scaling calls made through a real client.
type countingScaling struct {
	Scaling
	mu    sync.Mutex
	calls map[string]int
}

func (c *countingScaling) count(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls[op]++
}

func (c *countingScaling) RegisterScalableTarget(ctx context.Context, in *mapping.RegisterScalableTargetInput) (*RegisterScalableTargetOutput, error) {
	c.count("RegisterScalableTarget")
	return c.Scaling.RegisterScalableTarget(ctx, in)
}

func (c *countingScaling) PutScalingPolicy(ctx context.Context, in *mapping.PutScalingPolicyInput) (*PutScalingPolicyOutput, error) {
	c.count("PutScalingPolicy")
	return c.Scaling.PutScalingPolicy(ctx, in)
}

// pagingScaling asks for one scaling policy per page and records the NextToken of each request.
type pagingScaling struct {
	Scaling
	tokens []string
}

func (p *pagingScaling) DescribeScalingPolicies(ctx context.Context, in *DescribeScalingPoliciesInput) (*DescribeScalingPoliciesOutput, error) {
	page := *in
	page.MaxResults = aws.Int32(1)
	p.tokens = append(p.tokens, aws.ToString(in.NextToken))
	return p.Scaling.DescribeScalingPolicies(ctx, &page)
}

// scalingWant is what mapping.ScalingFromHPA gives for an HPA of min..max replicas with a CPU and
// a memory utilization target.
func scalingWant(cluster, service string, minCap, maxCap int32, cpu float64) ScalingWant {
	id := mapping.ECSServiceResourceID(cluster, service)
	policy := func(suffix, metric string, value float64) mapping.PutScalingPolicyInput {
		return mapping.PutScalingPolicyInput{
			PolicyName: service + suffix, ServiceNamespace: mapping.ServiceNamespaceECS, ResourceId: id,
			ScalableDimension: mapping.ScalableDimensionECSService, PolicyType: mapping.PolicyTypeTargetTracking,
			TargetTrackingScalingPolicyConfiguration: &mapping.TargetTrackingScalingPolicyConfiguration{
				TargetValue:                   value,
				PredefinedMetricSpecification: &mapping.PredefinedMetricSpecification{PredefinedMetricType: metric},
				ScaleOutCooldown:              aws.Int32(0), ScaleInCooldown: aws.Int32(300),
			},
		}
	}
	return ScalingWant{
		Target: &mapping.RegisterScalableTargetInput{
			ServiceNamespace: mapping.ServiceNamespaceECS, ResourceId: id, ScalableDimension: mapping.ScalableDimensionECSService,
			MinCapacity: aws.Int32(minCap), MaxCapacity: aws.Int32(maxCap),
		},
		Policies: []mapping.PutScalingPolicyInput{
			policy("-cpu", mapping.MetricECSServiceAverageCPU, cpu),
			policy("-memory", mapping.MetricECSServiceAverageMemory, 80),
		},
	}
}

func scalingActions(steps []ScalingStep) []string {
	out := make([]Step, len(steps))
	for i, s := range steps {
		out[i] = s.Step
	}
	return actions(out)
}

func TestPlanApplyScaling(t *testing.T) {
	ecsClient, endpoint := motoClient(t)
	subnet, sg := network(t, endpoint)
	ctx := context.Background()
	const family, cluster = "ecsapi-scaling", "ecsapi-scaling"
	client, err := NewScalingClient(ctx, Options{EndpointURL: endpoint}, false)
	require.NoError(t, err)
	id := "service/" + cluster + "/" + family

	t.Run("a target for a missing service fails and its policies are skipped", func(t *testing.T) {
		d := desired(family, cluster, "nginx:1.25", subnet, sg, 2)
		d.CreateClusters = true
		plan, err := Plan(ctx, ecsClient, d)
		require.NoError(t, err)
		for _, s := range Apply(ctx, ecsClient, plan[:1]) { // the cluster only
			require.NoError(t, s.Err)
		}
		splan, err := PlanScaling(ctx, client, []ScalingWant{scalingWant(cluster, family, 2, 6, 70)})
		require.NoError(t, err)
		done := ApplyScaling(ctx, client, splan, nil)
		var oe *OpError
		require.ErrorAs(t, done[0].Err, &oe)
		assert.Equal(t, "RegisterScalableTarget", oe.Operation)
		assert.Equal(t, "ValidationException", oe.Code)
		for _, p := range done[1:] {
			var sk *SkippedError
			assert.ErrorAs(t, p.Err, &sk, p.Name)
			assert.False(t, p.Applied)
		}
	})

	t.Run("the scaling of a service that failed is not attempted and names the service", func(t *testing.T) {
		const other = "ecsapi-scaling-failed"
		otherID := "service/" + cluster + "/" + other
		cause := &OpError{Operation: "CreateService", Code: "InvalidParameterException", Message: "subnet not found"}
		tests := []struct {
			name     string
			services []Step
			reason   string
		}{
			{"creation failed", []Step{{Kind: KindService, Name: other, Cluster: cluster, Action: Create, Err: cause}},
				"ECS service " + other + " in cluster " + cluster + " could not be created"},
			{"update failed", []Step{{Kind: KindService, Name: other, Cluster: cluster, Action: Update, Err: cause}},
				"ECS service " + other + " in cluster " + cluster + " could not be updated"},
			{"not attempted", []Step{{Kind: KindService, Name: other, Cluster: cluster, Action: Create, Err: &SkippedError{Reason: "task definition " + other + " was not registered"}}},
				"ECS service " + other + " in cluster " + cluster + " could not be created"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				api := &countingScaling{Scaling: client, calls: map[string]int{}}
				splan, err := PlanScaling(ctx, api, []ScalingWant{scalingWant(cluster, other, 1, 3, 50)})
				require.NoError(t, err)
				require.Len(t, splan, 3)
				// A service of another cluster with the same name, and a task definition step of the
				// same name, do not count.
				services := append([]Step{
					{Kind: KindService, Name: other, Cluster: "elsewhere", Action: Create, Err: cause},
					{Kind: KindTaskDefinition, Name: other, Action: Register, Err: cause},
				}, tt.services...)
				done := ApplyScaling(ctx, api, splan, services)
				assert.Empty(t, api.calls, "nothing is sent for a failed service")
				for _, s := range done {
					var sk *SkippedError
					require.ErrorAs(t, s.Err, &sk, s.Name)
					assert.Equal(t, tt.reason, sk.Reason, s.Name)
					assert.False(t, s.Applied)
				}
				assert.Equal(t, "not attempted: "+tt.reason, done[0].Err.Error())
				assert.Equal(t, otherID, done[0].Name)
			})
		}
		t.Run("a failed service elsewhere does not stop this one", func(t *testing.T) {
			splan, err := PlanScaling(ctx, client, []ScalingWant{scalingWant(cluster, other, 1, 3, 50)})
			require.NoError(t, err)
			failedElsewhere := []Step{
				{Kind: KindService, Name: other, Cluster: "elsewhere", Action: Create, Err: cause},
				{Kind: KindService, Name: other, Cluster: cluster, Action: Unchanged},
			}
			done := ApplyScaling(ctx, client, splan, failedElsewhere)
			var oe *OpError
			require.ErrorAs(t, done[0].Err, &oe, "attempted: the service does not exist in moto, so the call fails")
			assert.Equal(t, "RegisterScalableTarget", oe.Operation)
			for _, p := range done[1:] {
				assert.EqualError(t, p.Err, "not attempted: scalable target "+otherID+" was not registered")
			}
		})
	})

	require.True(t, t.Run("first run registers the target and puts both policies", func(t *testing.T) {
		plan, err := Plan(ctx, ecsClient, desired(family, cluster, "nginx:1.25", subnet, sg, 2))
		require.NoError(t, err)
		for _, s := range Apply(ctx, ecsClient, plan) {
			require.NoError(t, s.Err)
		}
		api := &countingScaling{Scaling: client, calls: map[string]int{}}
		splan, err := PlanScaling(ctx, api, []ScalingWant{scalingWant(cluster, family, 2, 6, 70)})
		require.NoError(t, err)
		want := []string{"scalable-target " + id + " register", "scaling-policy ecsapi-scaling-cpu create", "scaling-policy ecsapi-scaling-memory create"}
		assert.Equal(t, want, scalingActions(splan))
		assert.Empty(t, api.calls, "planning calls no mutating operation")
		done := ApplyScaling(ctx, api, splan, nil)
		assert.Equal(t, want, scalingActions(done))
		assert.Equal(t, map[string]int{"RegisterScalableTarget": 1, "PutScalingPolicy": 2}, api.calls)
		for _, s := range done[1:] {
			assert.True(t, s.Applied)
			assert.True(t, strings.HasPrefix(s.ARN, "arn:aws:autoscaling:"), s.ARN)
		}
		out, err := client.DescribeScalableTargets(ctx, &DescribeScalableTargetsInput{ServiceNamespace: mapping.ServiceNamespaceECS, ResourceIds: []string{id}})
		require.NoError(t, err)
		require.Len(t, out.ScalableTargets, 1)
		assert.Equal(t, int32(2), aws.ToInt32(out.ScalableTargets[0].MinCapacity))
		assert.Equal(t, int32(6), aws.ToInt32(out.ScalableTargets[0].MaxCapacity))
	}))

	t.Run("an unchanged re-run calls nothing", func(t *testing.T) {
		api := &countingScaling{Scaling: client, calls: map[string]int{}}
		splan, err := PlanScaling(ctx, api, []ScalingWant{scalingWant(cluster, family, 2, 6, 70)})
		require.NoError(t, err)
		done := ApplyScaling(ctx, api, splan, nil)
		assert.Equal(t, []string{"scalable-target " + id + " unchanged", "scaling-policy ecsapi-scaling-cpu unchanged", "scaling-policy ecsapi-scaling-memory unchanged"}, scalingActions(done))
		assert.Empty(t, api.calls)
	})

	t.Run("policies on several pages are all read", func(t *testing.T) {
		api := &pagingScaling{Scaling: client}
		splan, err := PlanScaling(ctx, api, []ScalingWant{scalingWant(cluster, family, 2, 6, 70)})
		require.NoError(t, err)
		assert.Equal(t, []string{"scalable-target " + id + " unchanged", "scaling-policy ecsapi-scaling-cpu unchanged", "scaling-policy ecsapi-scaling-memory unchanged"}, scalingActions(splan))
		assert.Equal(t, []string{"", "1"}, api.tokens, "the second page is asked for with the first page's NextToken")
	})

	t.Run("a capacity change registers the target again, a target value change puts one policy", func(t *testing.T) {
		api := &countingScaling{Scaling: client, calls: map[string]int{}}
		splan, err := PlanScaling(ctx, api, []ScalingWant{scalingWant(cluster, family, 2, 10, 55.5)})
		require.NoError(t, err)
		require.Equal(t, []string{"scalable-target " + id + " update", "scaling-policy ecsapi-scaling-cpu update", "scaling-policy ecsapi-scaling-memory unchanged"}, scalingActions(splan))
		assert.Equal(t, []FieldChange{{Field: "MaxCapacity", Have: "6", Want: "10"}}, splan[0].Changes)
		assert.Equal(t, []FieldChange{{Field: "TargetTrackingScalingPolicyConfiguration.TargetValue", Have: "70", Want: "55.5"}}, splan[1].Changes)
		ApplyScaling(ctx, api, splan, nil)
		assert.Equal(t, map[string]int{"RegisterScalableTarget": 1, "PutScalingPolicy": 1}, api.calls)
		again, err := PlanScaling(ctx, api, []ScalingWant{scalingWant(cluster, family, 2, 10, 55.5)})
		require.NoError(t, err)
		assert.Equal(t, []string{"scalable-target " + id + " unchanged", "scaling-policy ecsapi-scaling-cpu unchanged", "scaling-policy ecsapi-scaling-memory unchanged"}, scalingActions(again))
	})

	t.Run("a suspended scale-out is set and lifted again", func(t *testing.T) {
		w := scalingWant(cluster, family, 2, 10, 55.5)
		w.Target.SuspendedState = &mapping.SuspendedState{DynamicScalingOutSuspended: aws.Bool(true)}
		splan, err := PlanScaling(ctx, client, []ScalingWant{w})
		require.NoError(t, err)
		assert.Equal(t, []FieldChange{{Field: "SuspendedState.DynamicScalingOutSuspended", Have: "false", Want: "true"}}, splan[0].Changes)
		ApplyScaling(ctx, client, splan, nil)
		lifted, err := PlanScaling(ctx, client, []ScalingWant{scalingWant(cluster, family, 2, 10, 55.5)})
		require.NoError(t, err)
		assert.Equal(t, []FieldChange{{Field: "SuspendedState.DynamicScalingOutSuspended", Have: "true", Want: "false"}}, lifted[0].Changes)
		ApplyScaling(ctx, client, lifted, nil)
		again, err := PlanScaling(ctx, client, []ScalingWant{scalingWant(cluster, family, 2, 10, 55.5)})
		require.NoError(t, err)
		assert.Equal(t, Unchanged, again[0].Action)
	})

	t.Run("a target given twice is refused before any call", func(t *testing.T) {
		_, err := PlanScaling(ctx, client, []ScalingWant{scalingWant(cluster, family, 1, 2, 50), scalingWant(cluster, family, 1, 3, 50)})
		require.ErrorContains(t, err, "given twice")
		_, err = PlanScaling(ctx, client, []ScalingWant{{}})
		require.ErrorContains(t, err, "no scalable target")
	})
}

func TestPolicyDiff(t *testing.T) {
	want := scalingWant("c", "s", 1, 2, 70).Policies[0]
	live := func(edit func(*ScalingPolicy)) *ScalingPolicy {
		p := &ScalingPolicy{
			PolicyName: "s-cpu", PolicyType: mapping.PolicyTypeTargetTracking,
			TargetTrackingScalingPolicyConfiguration: &TargetTrackingScalingPolicyConfiguration{
				TargetValue:                   aws.Float64(70),
				PredefinedMetricSpecification: &mapping.PredefinedMetricSpecification{PredefinedMetricType: mapping.MetricECSServiceAverageCPU},
				ScaleOutCooldown:              aws.Int32(0), ScaleInCooldown: aws.Int32(300),
			},
		}
		if edit != nil {
			edit(p)
		}
		return p
	}
	const tt = "TargetTrackingScalingPolicyConfiguration"
	tests := []struct {
		name string
		edit func(*ScalingPolicy)
		want []string
	}{
		{"equal", nil, nil},
		{"DisableScaleIn false equals unset", func(p *ScalingPolicy) {
			p.TargetTrackingScalingPolicyConfiguration.DisableScaleIn = aws.Bool(false)
		}, nil},
		{"DisableScaleIn true differs", func(p *ScalingPolicy) {
			p.TargetTrackingScalingPolicyConfiguration.DisableScaleIn = aws.Bool(true)
		}, []string{tt + ".DisableScaleIn"}},
		{"metric", func(p *ScalingPolicy) {
			p.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType = mapping.MetricECSServiceAverageMemory
		}, []string{tt + ".PredefinedMetricSpecification.PredefinedMetricType"}},
		{"cooldown unset on the live side", func(p *ScalingPolicy) { p.TargetTrackingScalingPolicyConfiguration.ScaleInCooldown = nil }, []string{tt + ".ScaleInCooldown"}},
		{"customized metric", func(p *ScalingPolicy) {
			p.TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification = &CustomizedMetricSpecification{}
		}, []string{tt + ".CustomizedMetricSpecification"}},
		{"step scaling", func(p *ScalingPolicy) {
			p.PolicyType, p.TargetTrackingScalingPolicyConfiguration = "StepScaling", nil
		}, []string{"PolicyType", tt}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var fields []string
			for _, c := range policyDiff(&want, live(tc.edit)) {
				fields = append(fields, c.Field)
			}
			assert.Equal(t, tc.want, fields)
		})
	}
}
