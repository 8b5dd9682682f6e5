package mapping

import (
	"math"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// A HorizontalPodAutoscaler becomes an Application Auto Scaling scalable target (the ECS service's
// desired count, between min and max) and one target tracking policy per CPU or memory
// utilization metric. Both scale out when any policy asks for it and scale in only when all
// agree, as the HPA takes the highest recommendation of its metrics.

// RegisterScalableTargetInput is the Application Auto Scaling RegisterScalableTarget input, with
// the member names of the botocore model (2016-02-06) so that
// `aws application-autoscaling register-scalable-target --cli-input-json` accepts the JSON.
type RegisterScalableTargetInput struct {
	ServiceNamespace  string            `json:"ServiceNamespace"`
	ResourceId        string            `json:"ResourceId"`
	ScalableDimension string            `json:"ScalableDimension"`
	MinCapacity       *int32            `json:"MinCapacity,omitempty"`
	MaxCapacity       *int32            `json:"MaxCapacity,omitempty"`
	RoleARN           string            `json:"RoleARN,omitempty"`
	SuspendedState    *SuspendedState   `json:"SuspendedState,omitempty"`
	Tags              map[string]string `json:"Tags,omitempty"`
}

// SuspendedState is the Application Auto Scaling SuspendedState shape.
type SuspendedState struct {
	DynamicScalingInSuspended  *bool `json:"DynamicScalingInSuspended,omitempty"`
	DynamicScalingOutSuspended *bool `json:"DynamicScalingOutSuspended,omitempty"`
	ScheduledScalingSuspended  *bool `json:"ScheduledScalingSuspended,omitempty"`
}

// PutScalingPolicyInput is the Application Auto Scaling PutScalingPolicy input (botocore member
// names). podecs writes target tracking policies only.
type PutScalingPolicyInput struct {
	PolicyName                               string                                    `json:"PolicyName"`
	ServiceNamespace                         string                                    `json:"ServiceNamespace"`
	ResourceId                               string                                    `json:"ResourceId"`
	ScalableDimension                        string                                    `json:"ScalableDimension"`
	PolicyType                               string                                    `json:"PolicyType,omitempty"`
	TargetTrackingScalingPolicyConfiguration *TargetTrackingScalingPolicyConfiguration `json:"TargetTrackingScalingPolicyConfiguration,omitempty"`
}

// TargetTrackingScalingPolicyConfiguration is the Application Auto Scaling shape of that name.
// Cooldowns are seconds; unset, Application Auto Scaling uses 300 for ECS services.
type TargetTrackingScalingPolicyConfiguration struct {
	TargetValue                   float64                        `json:"TargetValue"`
	PredefinedMetricSpecification *PredefinedMetricSpecification `json:"PredefinedMetricSpecification,omitempty"`
	ScaleOutCooldown              *int32                         `json:"ScaleOutCooldown,omitempty"`
	ScaleInCooldown               *int32                         `json:"ScaleInCooldown,omitempty"`
	DisableScaleIn                *bool                          `json:"DisableScaleIn,omitempty"`
}

// PredefinedMetricSpecification is the Application Auto Scaling shape of that name.
type PredefinedMetricSpecification struct {
	PredefinedMetricType string `json:"PredefinedMetricType"`
	ResourceLabel        string `json:"ResourceLabel,omitempty"`
}

// Application Auto Scaling values for an ECS service (botocore enums).
const (
	ServiceNamespaceECS           = "ecs"
	ScalableDimensionECSService   = "ecs:service:DesiredCount"
	PolicyTypeTargetTracking      = "TargetTrackingScaling"
	MetricECSServiceAverageCPU    = "ECSServiceAverageCPUUtilization"
	MetricECSServiceAverageMemory = "ECSServiceAverageMemoryUtilization"
)

// Cooldown and stabilization defaults: Application Auto Scaling waits 300 s after a scaling
// activity of an ECS service by default; the HPA does not stabilize scale-up (0 s) and looks back
// 300 s before scaling down. Kubernetes caps a stabilization window at one hour.
const (
	ECSDefaultCooldownSeconds        = 300
	HPADefaultScaleUpWindowSeconds   = 0
	HPADefaultScaleDownWindowSeconds = 300
	HPAMaxStabilizationWindowSeconds = 3600
	HPADefaultCPUUtilizationPercent  = 80
	HPADefaultMinReplicas            = 1
)

const (
	maxPolicyNameLength        = 256 // PolicyName shape
	scalingDefaultCluster      = "default"
	scalingResourceIDPrefix    = "service/"
	scalingPolicySuffixCPU     = "-cpu"
	scalingPolicySuffixMemory  = "-memory"
	scalingTargetRefKind       = "Deployment"
	scalingTargetRefAPIVersion = "apps/v1"
	scalingHPAAPIVersion       = "autoscaling/v2"
	scalingHPAKind             = "HorizontalPodAutoscaler"
)

// ECSServiceResourceID is the Application Auto Scaling ResourceId of an ECS service:
// service/<cluster>/<service>. An empty cluster is ECS's "default" cluster.
func ECSServiceResourceID(cluster, service string) string {
	if cluster == "" {
		cluster = scalingDefaultCluster
	}
	return scalingResourceIDPrefix + cluster + "/" + service
}

// ParseECSServiceResourceID splits service/<cluster>/<service>; ok is false for any other form.
func ParseECSServiceResourceID(id string) (cluster, service string, ok bool) {
	rest, found := strings.CutPrefix(id, scalingResourceIDPrefix)
	if !found {
		return "", "", false
	}
	cluster, service, found = strings.Cut(rest, "/")
	if !found || cluster == "" || service == "" || strings.Contains(service, "/") {
		return "", "", false
	}
	return cluster, service, true
}

// ScalingFromHPA converts a HorizontalPodAutoscaler into the scalable target of the ECS service
// <cluster>/<service> and one target tracking policy per resource metric; path is the HPA's path
// prefix for findings ("" for a whole object).
//
// minReplicas (default 1) and maxReplicas become MinCapacity and MaxCapacity. A cpu or memory
// Utilization target becomes ECSServiceAverageCPUUtilization or ECSServiceAverageMemoryUtilization
// with the same TargetValue (policies "<service>-cpu", "<service>-memory"); an HPA without metrics
// gets the Kubernetes default, 80% CPU. ECS measures utilization against the task's reserved CPU
// and memory, Kubernetes against the pods' requests: the same target means the same thing only when
// requests became the task's cpu and memory reservation. AverageValue and Value targets, and Pods,
// Object, External and ContainerResource metrics, have no predefined ECS metric and are reported.
// The stabilization windows (defaults 0 s up, 300 s down) become ScaleOutCooldown and
// ScaleInCooldown, always set so that ECS does not fall back to its 300 s scale-out cooldown; a
// window and a cooldown differ (look back at recommendations vs wait after an activity), so
// windows the user set are Lossy. scaleDown.selectPolicy Disabled sets DisableScaleIn on every
// policy; scaleUp Disabled suspends dynamic scale-out on the target.
func ScalingFromHPA(hpa *autoscalingv2.HorizontalPodAutoscaler, cluster, service string, path string) (*RegisterScalableTargetInput, []PutScalingPolicyInput, Findings) {
	if hpa == nil {
		return nil, nil, nil
	}
	var fs Findings
	spec := hpa.Spec
	specPath := Join(path, "spec")
	resourceID := ECSServiceResourceID(cluster, service)
	minReplicas := int32(HPADefaultMinReplicas)
	if spec.MinReplicas != nil {
		minReplicas = *spec.MinReplicas
	}
	target := &RegisterScalableTargetInput{
		ServiceNamespace:  ServiceNamespaceECS,
		ResourceId:        resourceID,
		ScalableDimension: ScalableDimensionECSService,
		MinCapacity:       aws.Int32(minReplicas),
		MaxCapacity:       aws.Int32(spec.MaxReplicas),
	}
	if spec.MaxReplicas < minReplicas {
		fs.Add(Join(specPath, "maxReplicas"), Error, "maxReplicas %d is below minReplicas %d", spec.MaxReplicas, minReplicas)
	}

	scaleOut, scaleIn, disableIn, suspendOut := scalingBehavior(spec.Behavior, Join(specPath, "behavior"), &fs)
	if suspendOut {
		target.SuspendedState = &SuspendedState{DynamicScalingOutSuspended: aws.Bool(true)}
	}
	var policies []PutScalingPolicyInput
	add := func(metric string, suffix string, value int32) {
		cfg := &TargetTrackingScalingPolicyConfiguration{
			TargetValue:                   float64(value),
			PredefinedMetricSpecification: &PredefinedMetricSpecification{PredefinedMetricType: metric},
			ScaleOutCooldown:              aws.Int32(scaleOut),
			ScaleInCooldown:               aws.Int32(scaleIn),
		}
		if disableIn {
			cfg.DisableScaleIn = aws.Bool(true)
		}
		policies = append(policies, PutScalingPolicyInput{
			PolicyName:                               scalingPolicyName(service, suffix),
			ServiceNamespace:                         ServiceNamespaceECS,
			ResourceId:                               resourceID,
			ScalableDimension:                        ScalableDimensionECSService,
			PolicyType:                               PolicyTypeTargetTracking,
			TargetTrackingScalingPolicyConfiguration: cfg,
		})
	}
	metricsPath := Join(specPath, "metrics")
	if len(spec.Metrics) == 0 {
		fs.Add(metricsPath, Info, "no metrics: the Kubernetes default, %d%% average CPU utilization, becomes the %s policy", HPADefaultCPUUtilizationPercent, MetricECSServiceAverageCPU)
		add(MetricECSServiceAverageCPU, scalingPolicySuffixCPU, HPADefaultCPUUtilizationPercent)
	}
	seen := map[corev1.ResourceName]bool{}
	for i, m := range spec.Metrics {
		mp := Index(metricsPath, i)
		name, value, ok := scalingResourceMetric(m, mp, &fs)
		if !ok {
			continue
		}
		if seen[name] {
			fs.Add(mp, Lossy, "a second %s metric: Application Auto Scaling gets one policy per metric; dropped", name)
			continue
		}
		seen[name] = true
		if name == corev1.ResourceCPU {
			add(MetricECSServiceAverageCPU, scalingPolicySuffixCPU, value)
		} else {
			add(MetricECSServiceAverageMemory, scalingPolicySuffixMemory, value)
		}
	}
	if len(policies) > 0 {
		fs.Add(metricsPath, Info, "ECS service utilization is measured against the task's reserved CPU and memory, Kubernetes utilization against the pods' requests; the targets agree when requests became the task's cpu and memoryReservation")
	}
	return target, policies, fs
}

// scalingResourceMetric accepts a cpu or memory Resource metric with a Utilization target.
func scalingResourceMetric(m autoscalingv2.MetricSpec, path string, fs *Findings) (corev1.ResourceName, int32, bool) {
	if m.Type != autoscalingv2.ResourceMetricSourceType || m.Resource == nil {
		fs.Add(path, Unsupported, "%s metrics have no predefined ECS service metric (only cpu and memory utilization do); a CloudWatch customized metric policy must be written by hand", m.Type)
		return "", 0, false
	}
	r := m.Resource
	rp := Join(path, "resource")
	if r.Name != corev1.ResourceCPU && r.Name != corev1.ResourceMemory {
		fs.Add(Join(rp, "name"), Unsupported, "ECS services have predefined utilization metrics for cpu and memory only, not %s", r.Name)
		return "", 0, false
	}
	tp := Join(rp, "target")
	if r.Target.Type != autoscalingv2.UtilizationMetricType || r.Target.AverageUtilization == nil {
		fs.Add(Join(tp, "type"), Unsupported, "%s target of %s: ECS service metrics are utilization percentages, so only Utilization targets map", r.Target.Type, r.Name)
		return "", 0, false
	}
	return r.Name, *r.Target.AverageUtilization, true
}

// scalingBehavior turns the HPA behavior into cooldowns and the scale-in/out switches.
func scalingBehavior(b *autoscalingv2.HorizontalPodAutoscalerBehavior, path string, fs *Findings) (scaleOut, scaleIn int32, disableIn, suspendOut bool) {
	scaleOut, scaleIn = HPADefaultScaleUpWindowSeconds, HPADefaultScaleDownWindowSeconds
	if b == nil {
		return scaleOut, scaleIn, false, false
	}
	up, suspendOut := scalingRules(b.ScaleUp, Join(path, "scaleUp"), "ScaleOutCooldown", fs)
	down, disableIn := scalingRules(b.ScaleDown, Join(path, "scaleDown"), "ScaleInCooldown", fs)
	if up != nil {
		scaleOut = *up
	}
	if down != nil {
		scaleIn = *down
	}
	if suspendOut {
		fs.Add(Join(path, "scaleUp.selectPolicy"), Info, "Disabled: dynamic scale-out is suspended on the scalable target (SuspendedState.DynamicScalingOutSuspended)")
	}
	if disableIn {
		fs.Add(Join(path, "scaleDown.selectPolicy"), Info, "Disabled: DisableScaleIn is set on every target tracking policy")
	}
	return scaleOut, scaleIn, disableIn, suspendOut
}

// scalingRules reports what one direction's rules lose and returns its window and whether the
// direction is disabled.
func scalingRules(r *autoscalingv2.HPAScalingRules, path, cooldown string, fs *Findings) (*int32, bool) {
	if r == nil {
		return nil, false
	}
	if r.StabilizationWindowSeconds != nil {
		fs.Add(Join(path, "stabilizationWindowSeconds"), Lossy, "%d s becomes %s: a stabilization window looks back at recommendations, a cooldown waits after a scaling activity", *r.StabilizationWindowSeconds, cooldown)
	}
	disabled := r.SelectPolicy != nil && *r.SelectPolicy == autoscalingv2.DisabledPolicySelect
	if r.SelectPolicy != nil && !disabled {
		fs.Add(Join(path, "selectPolicy"), Lossy, "%s dropped: target tracking has no rate-limiting policies to choose from", *r.SelectPolicy)
	}
	if len(r.Policies) > 0 {
		fs.Add(Join(path, "policies"), Lossy, "rate limits dropped: target tracking adds or removes as many tasks as the metric asks for")
	}
	if r.Tolerance != nil {
		fs.Add(Join(path, "tolerance"), Lossy, "tolerance %s dropped: target tracking has no configurable tolerance", r.Tolerance.String())
	}
	return r.StabilizationWindowSeconds, disabled
}

// scalingPolicyName is "<service><suffix>", the service cut so the name fits 256 characters.
func scalingPolicyName(service, suffix string) string {
	if len(service)+len(suffix) > maxPolicyNameLength {
		service = service[:maxPolicyNameLength-len(suffix)]
	}
	return service + suffix
}

// HPAFromScaling converts an ECS service's scalable target and target tracking policies back into
// an autoscaling/v2 HorizontalPodAutoscaler named name that scales the Deployment of that name
// (an empty name is taken from the ResourceId). Findings point into the inputs as
// RegisterScalableTarget.<member> and PutScalingPolicy[i].<member>.
//
// MinCapacity and MaxCapacity become minReplicas and maxReplicas; ECSServiceAverageCPU/Memory
// Utilization policies become Utilization metrics (TargetValue rounded to a whole percent). Step
// scaling, predictive scaling, ALBRequestCountPerTarget and customized metrics have no resource
// metric form and are reported. The cooldowns become stabilization windows (omitted when they
// equal the HPA defaults; an unset cooldown is Application Auto Scaling's 300 s); DisableScaleIn
// and suspended dynamic scaling become selectPolicy Disabled.
func HPAFromScaling(target RegisterScalableTargetInput, policies []PutScalingPolicyInput, name string) (*autoscalingv2.HorizontalPodAutoscaler, Findings) {
	var fs Findings
	const tp = "RegisterScalableTarget"
	if target.ServiceNamespace != ServiceNamespaceECS || target.ScalableDimension != ScalableDimensionECSService {
		fs.Add(Join(tp, "ScalableDimension"), Error, "%s %s is not an ECS service's desired count", target.ServiceNamespace, target.ScalableDimension)
	}
	_, service, ok := ParseECSServiceResourceID(target.ResourceId)
	if !ok {
		fs.Add(Join(tp, "ResourceId"), Error, "%q is not service/<cluster>/<service>", target.ResourceId)
	}
	if name == "" {
		name = service
	}
	hpa := &autoscalingv2.HorizontalPodAutoscaler{
		TypeMeta:   metav1.TypeMeta{APIVersion: scalingHPAAPIVersion, Kind: scalingHPAKind},
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: scalingTargetRefAPIVersion, Kind: scalingTargetRefKind, Name: name},
		},
	}
	if target.MinCapacity != nil {
		hpa.Spec.MinReplicas = aws.Int32(*target.MinCapacity)
	}
	switch {
	case target.MaxCapacity != nil:
		hpa.Spec.MaxReplicas = *target.MaxCapacity
	case target.MinCapacity != nil:
		hpa.Spec.MaxReplicas = *target.MinCapacity
		fs.Add(Join(tp, "MaxCapacity"), Error, "no MaxCapacity: maxReplicas is required; set to MinCapacity %d", *target.MinCapacity)
	default:
		fs.Add(Join(tp, "MaxCapacity"), Error, "no MaxCapacity: maxReplicas is required")
	}

	var rev scalingReverse
	for i, p := range policies {
		rev.policy(p, target.ResourceId, Index("PutScalingPolicy", i), &fs)
	}
	hpa.Spec.Metrics = rev.metrics
	if len(rev.metrics) == 0 {
		fs.Add("PutScalingPolicy", Info, "no CPU or memory target tracking policy: without metrics the HPA scales on 80%% average CPU utilization")
	}
	hpa.Spec.Behavior = rev.behavior(target.SuspendedState, tp, &fs)
	return hpa, fs
}

// scalingReverse collects what the policies say.
type scalingReverse struct {
	metrics            []autoscalingv2.MetricSpec
	out, in            []int32 // cooldowns, unset ones as ECSDefaultCooldownSeconds
	outPath, inPath    string
	disableIn, enabled int
}

func (r *scalingReverse) policy(p PutScalingPolicyInput, resourceID, path string, fs *Findings) {
	if p.ResourceId != resourceID {
		fs.Add(Join(path, "ResourceId"), Unsupported, "policy %q scales %q, not the target %q; dropped", p.PolicyName, p.ResourceId, resourceID)
		return
	}
	cfg := p.TargetTrackingScalingPolicyConfiguration
	if p.PolicyType != PolicyTypeTargetTracking || cfg == nil {
		fs.Add(Join(path, "PolicyType"), Unsupported, "policy %q: only target tracking policies have an HPA form, not %q", p.PolicyName, p.PolicyType)
		return
	}
	cp := Join(path, "TargetTrackingScalingPolicyConfiguration")
	var res corev1.ResourceName
	switch {
	case cfg.PredefinedMetricSpecification == nil:
		fs.Add(Join(cp, "CustomizedMetricSpecification"), Unsupported, "policy %q tracks a customized CloudWatch metric, which needs an External metric and an adapter on Kubernetes; dropped", p.PolicyName)
		return
	case cfg.PredefinedMetricSpecification.PredefinedMetricType == MetricECSServiceAverageCPU:
		res = corev1.ResourceCPU
	case cfg.PredefinedMetricSpecification.PredefinedMetricType == MetricECSServiceAverageMemory:
		res = corev1.ResourceMemory
	default:
		fs.Add(Join(cp, "PredefinedMetricSpecification.PredefinedMetricType"), Unsupported, "policy %q tracks %s, which has no Kubernetes resource metric; dropped", p.PolicyName, cfg.PredefinedMetricSpecification.PredefinedMetricType)
		return
	}
	value := int32(max(1, min(math.Round(cfg.TargetValue), math.MaxInt32)))
	if float64(value) != cfg.TargetValue {
		fs.Add(Join(cp, "TargetValue"), Lossy, "%g%% becomes %d%%: Kubernetes utilization targets are whole percents of at least 1", cfg.TargetValue, value)
	}
	r.metrics = append(r.metrics, autoscalingv2.MetricSpec{
		Type: autoscalingv2.ResourceMetricSourceType,
		Resource: &autoscalingv2.ResourceMetricSource{
			Name:   res,
			Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: aws.Int32(value)},
		},
	})
	r.enabled++
	r.out = append(r.out, scalingCooldown(cfg.ScaleOutCooldown))
	r.in = append(r.in, scalingCooldown(cfg.ScaleInCooldown))
	if r.outPath == "" {
		r.outPath, r.inPath = Join(cp, "ScaleOutCooldown"), Join(cp, "ScaleInCooldown")
	}
	if cfg.DisableScaleIn != nil && *cfg.DisableScaleIn {
		r.disableIn++
	}
}

func scalingCooldown(c *int32) int32 {
	if c == nil {
		return ECSDefaultCooldownSeconds
	}
	return *c
}

// behavior builds the HPA behavior; nil when everything matches the HPA defaults.
func (r *scalingReverse) behavior(s *SuspendedState, targetPath string, fs *Findings) *autoscalingv2.HorizontalPodAutoscalerBehavior {
	b := &autoscalingv2.HorizontalPodAutoscalerBehavior{}
	disabled := autoscalingv2.DisabledPolicySelect
	if len(r.out) > 0 {
		if w := scalingWindow(r.out, r.outPath, HPADefaultScaleUpWindowSeconds, fs); w != nil {
			b.ScaleUp = &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: w}
		}
		if w := scalingWindow(r.in, r.inPath, HPADefaultScaleDownWindowSeconds, fs); w != nil {
			b.ScaleDown = &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: w}
		}
	}
	downOff := r.enabled > 0 && r.disableIn == r.enabled
	if r.disableIn > 0 && !downOff {
		fs.Add("PutScalingPolicy", Lossy, "DisableScaleIn is set on %d of %d policies; the HPA can only disable scale-down as a whole, so it stays enabled", r.disableIn, r.enabled)
	}
	if s != nil {
		sp := Join(targetPath, "SuspendedState")
		if s.DynamicScalingInSuspended != nil && *s.DynamicScalingInSuspended {
			downOff = true
		}
		if s.DynamicScalingOutSuspended != nil && *s.DynamicScalingOutSuspended {
			if b.ScaleUp == nil {
				b.ScaleUp = &autoscalingv2.HPAScalingRules{}
			}
			b.ScaleUp.SelectPolicy = &disabled
		}
		if s.ScheduledScalingSuspended != nil && *s.ScheduledScalingSuspended {
			fs.Add(Join(sp, "ScheduledScalingSuspended"), Info, "scheduled scaling has no HPA equivalent; dropped")
		}
	}
	if downOff {
		if b.ScaleDown == nil {
			b.ScaleDown = &autoscalingv2.HPAScalingRules{}
		}
		b.ScaleDown.SelectPolicy = &disabled
	}
	if b.ScaleUp == nil && b.ScaleDown == nil {
		return nil
	}
	return b
}

// scalingWindow turns the policies' cooldowns for one direction into a stabilization window: the
// longest when they differ, cut to the Kubernetes maximum, nil when it is the HPA default.
func scalingWindow(cooldowns []int32, path string, def int32, fs *Findings) *int32 {
	w := slices.Max(cooldowns)
	if slices.Min(cooldowns) != w {
		fs.Add(path, Lossy, "the policies have different cooldowns %v; the HPA has one window per direction, the longest is kept", cooldowns)
	}
	if w > HPAMaxStabilizationWindowSeconds {
		fs.Add(path, Lossy, "cooldown %d s is above the %d s a stabilization window allows; set to %d", w, HPAMaxStabilizationWindowSeconds, HPAMaxStabilizationWindowSeconds)
		w = HPAMaxStabilizationWindowSeconds
	}
	if w < 0 {
		w = 0
	}
	if w == def {
		return nil
	}
	fs.Add(path, Lossy, "cooldown %d s becomes a %d s stabilization window: a window looks back at recommendations, a cooldown waits after a scaling activity", w, w)
	return &w
}
