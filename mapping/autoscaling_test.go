package mapping

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func scalingTestResource(name corev1.ResourceName, pct int32) autoscalingv2.MetricSpec {
	return autoscalingv2.MetricSpec{
		Type: autoscalingv2.ResourceMetricSourceType,
		Resource: &autoscalingv2.ResourceMetricSource{
			Name:   name,
			Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: aws.Int32(pct)},
		},
	}
}

func scalingTestHPA(minR *int32, maxR int32, metrics ...autoscalingv2.MetricSpec) *autoscalingv2.HorizontalPodAutoscaler {
	return &autoscalingv2.HorizontalPodAutoscaler{
		TypeMeta:   metav1.TypeMeta{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler"},
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"},
			MinReplicas:    minR,
			MaxReplicas:    maxR,
			Metrics:        metrics,
		},
	}
}

// scalingTestAt returns the findings at one path.
func scalingTestAt(fs Findings, path string) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Path == path {
			out = append(out, f)
		}
	}
	return out
}

func TestScalingFromHPA(t *testing.T) {
	hpa := scalingTestHPA(aws.Int32(2), 10,
		scalingTestResource(corev1.ResourceCPU, 60),
		scalingTestResource(corev1.ResourceMemory, 75))
	target, policies, fs := ScalingFromHPA(hpa, "prod", "web", "")
	require.NotNil(t, target)
	assert.Equal(t, RegisterScalableTargetInput{
		ServiceNamespace:  "ecs",
		ResourceId:        "service/prod/web",
		ScalableDimension: "ecs:service:DesiredCount",
		MinCapacity:       aws.Int32(2),
		MaxCapacity:       aws.Int32(10),
	}, *target)
	require.Len(t, policies, 2)
	want := func(name, metric string, value float64) PutScalingPolicyInput {
		return PutScalingPolicyInput{
			PolicyName: name, ServiceNamespace: "ecs", ResourceId: "service/prod/web",
			ScalableDimension: "ecs:service:DesiredCount", PolicyType: "TargetTrackingScaling",
			TargetTrackingScalingPolicyConfiguration: &TargetTrackingScalingPolicyConfiguration{
				TargetValue:                   value,
				PredefinedMetricSpecification: &PredefinedMetricSpecification{PredefinedMetricType: metric},
				ScaleOutCooldown:              aws.Int32(0),
				ScaleInCooldown:               aws.Int32(300),
			},
		}
	}
	assert.Equal(t, want("web-cpu", "ECSServiceAverageCPUUtilization", 60), policies[0])
	assert.Equal(t, want("web-memory", "ECSServiceAverageMemoryUtilization", 75), policies[1])
	require.Len(t, fs, 1)
	assert.Equal(t, Info, fs[0].Level)
	assert.Equal(t, "spec.metrics", fs[0].Path)
	assert.Contains(t, fs[0].Message, "requests")

	// The JSON is what the CLI takes.
	b, err := json.Marshal(policies[0])
	require.NoError(t, err)
	assert.JSONEq(t, `{"PolicyName":"web-cpu","ServiceNamespace":"ecs","ResourceId":"service/prod/web",
		"ScalableDimension":"ecs:service:DesiredCount","PolicyType":"TargetTrackingScaling",
		"TargetTrackingScalingPolicyConfiguration":{"TargetValue":60,
		"PredefinedMetricSpecification":{"PredefinedMetricType":"ECSServiceAverageCPUUtilization"},
		"ScaleOutCooldown":0,"ScaleInCooldown":300}}`, string(b))
}

func TestScalingFromHPADefaults(t *testing.T) {
	target, policies, fs := ScalingFromHPA(scalingTestHPA(nil, 4), "", "api", "items[3]")
	assert.Equal(t, "service/default/api", target.ResourceId)
	assert.Equal(t, int32(1), *target.MinCapacity, "minReplicas defaults to 1")
	assert.Equal(t, int32(4), *target.MaxCapacity)
	require.Len(t, policies, 1)
	assert.Equal(t, "api-cpu", policies[0].PolicyName)
	assert.Equal(t, 80.0, policies[0].TargetTrackingScalingPolicyConfiguration.TargetValue)
	got := scalingTestAt(fs, "items[3].spec.metrics")
	require.Len(t, got, 2)
	assert.Contains(t, got[0].Message, "80%")

	none, nonePolicies, noneFs := ScalingFromHPA(nil, "c", "s", "")
	assert.Nil(t, none)
	assert.Nil(t, nonePolicies)
	assert.Nil(t, noneFs)
}

func TestScalingFromHPAUnsupportedMetrics(t *testing.T) {
	q := resource.MustParse("500Mi")
	metrics := []autoscalingv2.MetricSpec{
		{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricSource{
			Name: corev1.ResourceMemory, Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: &q}}},
		{Type: autoscalingv2.PodsMetricSourceType, Pods: &autoscalingv2.PodsMetricSource{}},
		{Type: autoscalingv2.ObjectMetricSourceType, Object: &autoscalingv2.ObjectMetricSource{}},
		{Type: autoscalingv2.ExternalMetricSourceType, External: &autoscalingv2.ExternalMetricSource{}},
		{Type: autoscalingv2.ContainerResourceMetricSourceType, ContainerResource: &autoscalingv2.ContainerResourceMetricSource{Name: corev1.ResourceCPU}},
		scalingTestResource(corev1.ResourceEphemeralStorage, 50),
		scalingTestResource(corev1.ResourceCPU, 50),
		scalingTestResource(corev1.ResourceCPU, 70),
	}
	_, policies, fs := ScalingFromHPA(scalingTestHPA(nil, 3, metrics...), "c", "s", "")
	require.Len(t, policies, 1, "only the first cpu utilization metric maps")
	assert.Equal(t, 50.0, policies[0].TargetTrackingScalingPolicyConfiguration.TargetValue)
	wantLevels := map[string]Level{
		"spec.metrics[0].resource.target.type": Unsupported,
		"spec.metrics[1]":                      Unsupported,
		"spec.metrics[2]":                      Unsupported,
		"spec.metrics[3]":                      Unsupported,
		"spec.metrics[4]":                      Unsupported,
		"spec.metrics[5].resource.name":        Unsupported,
		"spec.metrics[7]":                      Lossy,
	}
	for path, level := range wantLevels {
		got := scalingTestAt(fs, path)
		if assert.Len(t, got, 1, path) {
			assert.Equal(t, level, got[0].Level, got[0].Message)
		}
	}
	assert.Contains(t, scalingTestAt(fs, "spec.metrics[1]")[0].Message, "Pods")
}

func TestScalingFromHPABehavior(t *testing.T) {
	disabled := autoscalingv2.DisabledPolicySelect
	maxSel := autoscalingv2.MaxChangePolicySelect
	tol := resource.MustParse("0.05")
	tests := []struct {
		name        string
		behavior    *autoscalingv2.HorizontalPodAutoscalerBehavior
		out, in     int32
		disableIn   bool
		suspendOut  bool
		wantFinding map[string]Level
	}{
		{name: "no behavior keeps the HPA defaults", out: 0, in: 300},
		{
			name: "windows become cooldowns",
			behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{
				ScaleUp:   &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: aws.Int32(60)},
				ScaleDown: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: aws.Int32(600)},
			},
			out: 60, in: 600,
			wantFinding: map[string]Level{
				"spec.behavior.scaleUp.stabilizationWindowSeconds":   Lossy,
				"spec.behavior.scaleDown.stabilizationWindowSeconds": Lossy,
			},
		},
		{
			name: "one direction set, the other default",
			behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{
				ScaleDown: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: aws.Int32(0)},
			},
			out: 0, in: 0,
			wantFinding: map[string]Level{"spec.behavior.scaleDown.stabilizationWindowSeconds": Lossy},
		},
		{
			name: "scale-down disabled",
			behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{
				ScaleDown: &autoscalingv2.HPAScalingRules{SelectPolicy: &disabled},
			},
			out: 0, in: 300, disableIn: true,
			wantFinding: map[string]Level{"spec.behavior.scaleDown.selectPolicy": Info},
		},
		{
			name: "scale-up disabled",
			behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{
				ScaleUp: &autoscalingv2.HPAScalingRules{SelectPolicy: &disabled},
			},
			out: 0, in: 300, suspendOut: true,
			wantFinding: map[string]Level{"spec.behavior.scaleUp.selectPolicy": Info},
		},
		{
			name: "rate limits, select policy and tolerance are lost",
			behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{
				ScaleUp: &autoscalingv2.HPAScalingRules{
					SelectPolicy: &maxSel,
					Policies:     []autoscalingv2.HPAScalingPolicy{{Type: autoscalingv2.PodsScalingPolicy, Value: 4, PeriodSeconds: 60}},
					Tolerance:    &tol,
				},
			},
			out: 0, in: 300,
			wantFinding: map[string]Level{
				"spec.behavior.scaleUp.selectPolicy": Lossy,
				"spec.behavior.scaleUp.policies":     Lossy,
				"spec.behavior.scaleUp.tolerance":    Lossy,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hpa := scalingTestHPA(nil, 5, scalingTestResource(corev1.ResourceCPU, 50))
			hpa.Spec.Behavior = tc.behavior
			target, policies, fs := ScalingFromHPA(hpa, "c", "s", "")
			require.Len(t, policies, 1)
			cfg := policies[0].TargetTrackingScalingPolicyConfiguration
			assert.Equal(t, tc.out, *cfg.ScaleOutCooldown)
			assert.Equal(t, tc.in, *cfg.ScaleInCooldown)
			assert.Equal(t, tc.disableIn, aws.ToBool(cfg.DisableScaleIn))
			if tc.suspendOut {
				require.NotNil(t, target.SuspendedState)
				assert.True(t, *target.SuspendedState.DynamicScalingOutSuspended)
			} else {
				assert.Nil(t, target.SuspendedState)
			}
			for _, f := range fs {
				if f.Path == "spec.metrics" {
					continue
				}
				level, ok := tc.wantFinding[f.Path]
				if assert.True(t, ok, "unexpected finding %s", f) {
					assert.Equal(t, level, f.Level, f.Message)
				}
			}
			for path := range tc.wantFinding {
				assert.Len(t, scalingTestAt(fs, path), 1, path)
			}
		})
	}
}

func TestScalingFromHPAErrorsAndNames(t *testing.T) {
	_, _, fs := ScalingFromHPA(scalingTestHPA(aws.Int32(5), 2, scalingTestResource(corev1.ResourceCPU, 50)), "c", "s", "")
	require.True(t, fs.HasErrors())
	assert.Equal(t, "spec.maxReplicas", scalingTestAt(fs, "spec.maxReplicas")[0].Path)

	long := strings.Repeat("a", 255)
	_, policies, _ := ScalingFromHPA(scalingTestHPA(nil, 2, scalingTestResource(corev1.ResourceMemory, 50)), "c", long, "")
	require.Len(t, policies, 1)
	assert.Len(t, policies[0].PolicyName, 256)
	assert.True(t, strings.HasSuffix(policies[0].PolicyName, "-memory"))
	assert.Equal(t, "service/c/"+long, policies[0].ResourceId, "the resource id keeps the full name")
}

func TestECSServiceResourceID(t *testing.T) {
	assert.Equal(t, "service/prod/web", ECSServiceResourceID("prod", "web"))
	assert.Equal(t, "service/default/web", ECSServiceResourceID("", "web"))
	tests := []struct {
		id               string
		cluster, service string
		ok               bool
	}{
		{"service/prod/web", "prod", "web", true},
		{"service/prod/", "", "", false},
		{"service//web", "", "", false},
		{"service/a/b/c", "", "", false},
		{"table/prod", "", "", false},
	}
	for _, tc := range tests {
		c, s, ok := ParseECSServiceResourceID(tc.id)
		assert.Equal(t, tc.ok, ok, tc.id)
		assert.Equal(t, tc.cluster, c, tc.id)
		assert.Equal(t, tc.service, s, tc.id)
	}
}

func scalingTestPolicy(metric string, value float64, out, in *int32) PutScalingPolicyInput {
	return PutScalingPolicyInput{
		PolicyName: "p", ServiceNamespace: "ecs", ResourceId: "service/prod/web",
		ScalableDimension: "ecs:service:DesiredCount", PolicyType: "TargetTrackingScaling",
		TargetTrackingScalingPolicyConfiguration: &TargetTrackingScalingPolicyConfiguration{
			TargetValue:                   value,
			PredefinedMetricSpecification: &PredefinedMetricSpecification{PredefinedMetricType: metric},
			ScaleOutCooldown:              out,
			ScaleInCooldown:               in,
		},
	}
}

func scalingTestTarget() RegisterScalableTargetInput {
	return RegisterScalableTargetInput{
		ServiceNamespace: "ecs", ResourceId: "service/prod/web", ScalableDimension: "ecs:service:DesiredCount",
		MinCapacity: aws.Int32(2), MaxCapacity: aws.Int32(8),
	}
}

func TestHPAFromScaling(t *testing.T) {
	hpa, fs := HPAFromScaling(scalingTestTarget(), []PutScalingPolicyInput{
		scalingTestPolicy(MetricECSServiceAverageCPU, 60, aws.Int32(0), aws.Int32(300)),
		scalingTestPolicy(MetricECSServiceAverageMemory, 70.4, aws.Int32(0), aws.Int32(300)),
	}, "")
	require.NotNil(t, hpa)
	assert.Equal(t, "autoscaling/v2", hpa.APIVersion)
	assert.Equal(t, "HorizontalPodAutoscaler", hpa.Kind)
	assert.Equal(t, "web", hpa.Name, "the name comes from the ResourceId")
	assert.Equal(t, autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"}, hpa.Spec.ScaleTargetRef)
	assert.Equal(t, int32(2), *hpa.Spec.MinReplicas)
	assert.Equal(t, int32(8), hpa.Spec.MaxReplicas)
	assert.Equal(t, []autoscalingv2.MetricSpec{
		scalingTestResource(corev1.ResourceCPU, 60),
		scalingTestResource(corev1.ResourceMemory, 70),
	}, hpa.Spec.Metrics)
	assert.Nil(t, hpa.Spec.Behavior, "default cooldowns leave the HPA defaults")
	require.Len(t, fs, 1)
	assert.Equal(t, "PutScalingPolicy[1].TargetTrackingScalingPolicyConfiguration.TargetValue", fs[0].Path)
	assert.Equal(t, Lossy, fs[0].Level)
}

func TestHPAFromScalingCooldowns(t *testing.T) {
	disabled := autoscalingv2.DisabledPolicySelect
	tests := []struct {
		name     string
		policies []PutScalingPolicyInput
		state    *SuspendedState
		want     *autoscalingv2.HorizontalPodAutoscalerBehavior
		lossy    int
	}{
		{
			name:     "unset cooldowns are 300 s, so scale-up gets a window",
			policies: []PutScalingPolicyInput{scalingTestPolicy(MetricECSServiceAverageCPU, 50, nil, nil)},
			want:     &autoscalingv2.HorizontalPodAutoscalerBehavior{ScaleUp: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: aws.Int32(300)}},
			lossy:    1,
		},
		{
			name: "different cooldowns keep the longest",
			policies: []PutScalingPolicyInput{
				scalingTestPolicy(MetricECSServiceAverageCPU, 50, aws.Int32(30), aws.Int32(300)),
				scalingTestPolicy(MetricECSServiceAverageMemory, 50, aws.Int32(90), aws.Int32(300)),
			},
			want:  &autoscalingv2.HorizontalPodAutoscalerBehavior{ScaleUp: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: aws.Int32(90)}},
			lossy: 2,
		},
		{
			name:     "a cooldown above an hour is cut",
			policies: []PutScalingPolicyInput{scalingTestPolicy(MetricECSServiceAverageCPU, 50, aws.Int32(0), aws.Int32(7200))},
			want:     &autoscalingv2.HorizontalPodAutoscalerBehavior{ScaleDown: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: aws.Int32(3600)}},
			lossy:    2,
		},
		{
			name:     "suspended scale-out and scale-in",
			policies: []PutScalingPolicyInput{scalingTestPolicy(MetricECSServiceAverageCPU, 50, aws.Int32(0), aws.Int32(300))},
			state:    &SuspendedState{DynamicScalingOutSuspended: aws.Bool(true), DynamicScalingInSuspended: aws.Bool(true)},
			want: &autoscalingv2.HorizontalPodAutoscalerBehavior{
				ScaleUp:   &autoscalingv2.HPAScalingRules{SelectPolicy: &disabled},
				ScaleDown: &autoscalingv2.HPAScalingRules{SelectPolicy: &disabled},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			target := scalingTestTarget()
			target.SuspendedState = tc.state
			hpa, fs := HPAFromScaling(target, tc.policies, "web")
			assert.Equal(t, tc.want, hpa.Spec.Behavior)
			n := 0
			for _, f := range fs {
				if f.Level == Lossy {
					n++
				}
			}
			assert.Equal(t, tc.lossy, n, "%v", fs)
		})
	}
}

func TestHPAFromScalingUnsupported(t *testing.T) {
	other := scalingTestPolicy(MetricECSServiceAverageCPU, 50, nil, nil)
	other.ResourceId = "service/prod/other"
	step := PutScalingPolicyInput{PolicyName: "step", ResourceId: "service/prod/web", PolicyType: "StepScaling"}
	alb := scalingTestPolicy("ALBRequestCountPerTarget", 1000, nil, nil)
	custom := scalingTestPolicy(MetricECSServiceAverageCPU, 50, nil, nil)
	custom.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification = nil
	partial := scalingTestPolicy(MetricECSServiceAverageMemory, 50, aws.Int32(0), aws.Int32(300))
	partial.TargetTrackingScalingPolicyConfiguration.DisableScaleIn = aws.Bool(true)
	kept := scalingTestPolicy(MetricECSServiceAverageCPU, 50, aws.Int32(0), aws.Int32(300))

	hpa, fs := HPAFromScaling(scalingTestTarget(), []PutScalingPolicyInput{other, step, alb, custom, partial, kept}, "web")
	require.Len(t, hpa.Spec.Metrics, 2)
	assert.Nil(t, hpa.Spec.Behavior, "scale-in stays on when only some policies disable it")
	want := map[string]Level{
		"PutScalingPolicy[0].ResourceId": Unsupported,
		"PutScalingPolicy[1].PolicyType": Unsupported,
		"PutScalingPolicy[2].TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType": Unsupported,
		"PutScalingPolicy[3].TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification":                      Unsupported,
		"PutScalingPolicy": Lossy,
	}
	for path, level := range want {
		got := scalingTestAt(fs, path)
		if assert.Len(t, got, 1, path) {
			assert.Equal(t, level, got[0].Level, got[0].Message)
		}
	}

	bad := RegisterScalableTargetInput{ServiceNamespace: "dynamodb", ResourceId: "table/x", ScalableDimension: "dynamodb:table:ReadCapacityUnits"}
	hpa, fs = HPAFromScaling(bad, nil, "x")
	assert.True(t, fs.HasErrors())
	assert.Len(t, scalingTestAt(fs, "RegisterScalableTarget.MaxCapacity"), 1)
	assert.Len(t, scalingTestAt(fs, "RegisterScalableTarget.ResourceId"), 1)
	assert.Equal(t, "x", hpa.Name)
}

func TestScalingRoundTrip(t *testing.T) {
	disabled := autoscalingv2.DisabledPolicySelect
	hpas := map[string]*autoscalingv2.HorizontalPodAutoscaler{
		"cpu only":        scalingTestHPA(aws.Int32(1), 3, scalingTestResource(corev1.ResourceCPU, 80)),
		"cpu and memory":  scalingTestHPA(aws.Int32(3), 30, scalingTestResource(corev1.ResourceCPU, 65), scalingTestResource(corev1.ResourceMemory, 90)),
		"scale to zero":   scalingTestHPA(aws.Int32(0), 2, scalingTestResource(corev1.ResourceMemory, 40)),
		"custom windows":  scalingTestHPA(aws.Int32(2), 4, scalingTestResource(corev1.ResourceCPU, 50)),
		"both directions": scalingTestHPA(aws.Int32(2), 4, scalingTestResource(corev1.ResourceCPU, 50)),
	}
	hpas["custom windows"].Spec.Behavior = &autoscalingv2.HorizontalPodAutoscalerBehavior{
		ScaleUp:   &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: aws.Int32(120)},
		ScaleDown: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: aws.Int32(900)},
	}
	hpas["both directions"].Spec.Behavior = &autoscalingv2.HorizontalPodAutoscalerBehavior{
		ScaleUp:   &autoscalingv2.HPAScalingRules{SelectPolicy: &disabled},
		ScaleDown: &autoscalingv2.HPAScalingRules{SelectPolicy: &disabled, StabilizationWindowSeconds: aws.Int32(60)},
	}
	for name, hpa := range hpas {
		t.Run(name, func(t *testing.T) {
			target, policies, fs := ScalingFromHPA(hpa, "prod", "web", "")
			require.False(t, fs.HasErrors(), "%v", fs)
			back, fs := HPAFromScaling(*target, policies, "web")
			require.False(t, fs.HasErrors(), "%v", fs)
			assert.Equal(t, hpa, back)
		})
	}
}

func TestScalingInputsMatchApplicationAutoScalingModel(t *testing.T) {
	shapes := botocoreModel(t, "application-autoscaling")
	botoCheckStruct(t, shapes, "RegisterScalableTargetRequest", reflect.TypeFor[RegisterScalableTargetInput](), true)
	botoCheckStruct(t, shapes, "PutScalingPolicyRequest", reflect.TypeFor[PutScalingPolicyInput](), true)
	assert.Contains(t, shapes["ServiceNamespace"].Enum, ServiceNamespaceECS)
	assert.Contains(t, shapes["ScalableDimension"].Enum, ScalableDimensionECSService)
	assert.Contains(t, shapes["PolicyType"].Enum, PolicyTypeTargetTracking)
	assert.Contains(t, shapes["MetricType"].Enum, MetricECSServiceAverageCPU)
	assert.Contains(t, shapes["MetricType"].Enum, MetricECSServiceAverageMemory)
	require.NotNil(t, shapes["PolicyName"].Max)
	assert.Equal(t, float64(maxPolicyNameLength), *shapes["PolicyName"].Max)
}
