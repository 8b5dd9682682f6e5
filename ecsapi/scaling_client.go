package ecsapi

import (
	"context"

	"github.com/podecs/podecs/mapping"
)

// The Application Auto Scaling client of `podecs register`, on the client of awsclient.go: JSON
// 1.1 with the X-Amz-Target AnyScaleFrontendService.<operation>, signed for
// application-autoscaling, at application-autoscaling.<region>.<partition's DNS suffix> (FIPS and
// dual-stack as the SDK selects them). The SDK's applicationautoscaling package would initialise
// its schemas and endpoint table (about 2.3 ms) at every start of every podecs command.

// svcScaling is Application Auto Scaling (botocore model 2016-02-06).
var svcScaling = awsService{
	id: "Application Auto Scaling", name: "application-autoscaling", protocol: protoJSON, target: "AnyScaleFrontendService",
	reads:    []string{"DescribeScalableTargets", "DescribeScalingPolicies"},
	writes:   []string{"RegisterScalableTarget", "PutScalingPolicy"},
	variants: true,
}

// ScalingClient makes the Application Auto Scaling calls of Scaling. Make it with
// NewScalingClient; it is safe for concurrent use.
type ScalingClient struct {
	awsClient
}

var _ Scaling = (*ScalingClient)(nil)

// NewScalingClient builds an Application Auto Scaling client from the standard AWS configuration
// chain and o, as NewClient does for ECS. o.EndpointURL, when set, is its endpoint; otherwise
// AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING, AWS_ENDPOINT_URL, the profile's services section
// and endpoint_url are honoured as the SDK honours them, then the regional endpoint. A read-only
// client (a dry run's) refuses RegisterScalableTarget and PutScalingPolicy without sending them.
func NewScalingClient(ctx context.Context, o Options, readOnly bool) (*ScalingClient, error) {
	c, err := newAWSClient(ctx, o, readOnly)
	if err != nil {
		return nil, err
	}
	return &ScalingClient{awsClient: c}, nil
}

// DescribeScalableTargets describes the scalable targets of a namespace, one page.
func (c *ScalingClient) DescribeScalableTargets(ctx context.Context, in *DescribeScalableTargetsInput) (*DescribeScalableTargetsOutput, error) {
	var out DescribeScalableTargetsOutput
	if err := c.jsonCall(ctx, request{svc: svcScaling, op: "DescribeScalableTargets", body: in}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RegisterScalableTarget registers a scalable target or updates a registered one.
func (c *ScalingClient) RegisterScalableTarget(ctx context.Context, in *mapping.RegisterScalableTargetInput) (*RegisterScalableTargetOutput, error) {
	var out RegisterScalableTargetOutput
	if err := c.jsonCall(ctx, request{svc: svcScaling, op: "RegisterScalableTarget", body: in}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DescribeScalingPolicies describes the scaling policies of a namespace, one page.
func (c *ScalingClient) DescribeScalingPolicies(ctx context.Context, in *DescribeScalingPoliciesInput) (*DescribeScalingPoliciesOutput, error) {
	var out DescribeScalingPoliciesOutput
	if err := c.jsonCall(ctx, request{svc: svcScaling, op: "DescribeScalingPolicies", body: in}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// PutScalingPolicy creates a scaling policy or replaces the one of that name.
func (c *ScalingClient) PutScalingPolicy(ctx context.Context, in *mapping.PutScalingPolicyInput) (*PutScalingPolicyOutput, error) {
	var out PutScalingPolicyOutput
	if err := c.jsonCall(ctx, request{svc: svcScaling, op: "PutScalingPolicy", body: in}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// The shapes of those calls, with the member names and types of the botocore model; the inputs
// of RegisterScalableTarget and PutScalingPolicy are mapping's. Only the members podecs sends or
// reads are here: the others of an answer are not decoded.

// DescribeScalableTargetsInput is the DescribeScalableTargets request.
type DescribeScalableTargetsInput struct {
	ServiceNamespace  string   `json:"ServiceNamespace"`
	ResourceIds       []string `json:"ResourceIds,omitempty"`
	ScalableDimension string   `json:"ScalableDimension,omitempty"`
	MaxResults        *int32   `json:"MaxResults,omitempty"`
	NextToken         *string  `json:"NextToken,omitempty"`
}

// DescribeScalableTargetsOutput is the DescribeScalableTargets answer.
type DescribeScalableTargetsOutput struct {
	ScalableTargets []ScalableTarget `json:"ScalableTargets"`
	NextToken       *string          `json:"NextToken"`
}

// ScalableTarget is the ScalableTarget shape.
type ScalableTarget struct {
	ServiceNamespace  string                  `json:"ServiceNamespace"`
	ResourceId        string                  `json:"ResourceId"`
	ScalableDimension string                  `json:"ScalableDimension"`
	MinCapacity       *int32                  `json:"MinCapacity"`
	MaxCapacity       *int32                  `json:"MaxCapacity"`
	RoleARN           string                  `json:"RoleARN"`
	SuspendedState    *mapping.SuspendedState `json:"SuspendedState"`
	ScalableTargetARN string                  `json:"ScalableTargetARN"`
}

// RegisterScalableTargetOutput is the RegisterScalableTarget answer.
type RegisterScalableTargetOutput struct {
	ScalableTargetARN string `json:"ScalableTargetARN"`
}

// DescribeScalingPoliciesInput is the DescribeScalingPolicies request.
type DescribeScalingPoliciesInput struct {
	PolicyNames       []string `json:"PolicyNames,omitempty"`
	ServiceNamespace  string   `json:"ServiceNamespace"`
	ResourceId        string   `json:"ResourceId,omitempty"`
	ScalableDimension string   `json:"ScalableDimension,omitempty"`
	MaxResults        *int32   `json:"MaxResults,omitempty"`
	NextToken         *string  `json:"NextToken,omitempty"`
}

// DescribeScalingPoliciesOutput is the DescribeScalingPolicies answer.
type DescribeScalingPoliciesOutput struct {
	ScalingPolicies []ScalingPolicy `json:"ScalingPolicies"`
	NextToken       *string         `json:"NextToken"`
}

// ScalingPolicy is the ScalingPolicy shape.
type ScalingPolicy struct {
	PolicyARN                                string                                    `json:"PolicyARN"`
	PolicyName                               string                                    `json:"PolicyName"`
	ServiceNamespace                         string                                    `json:"ServiceNamespace"`
	ResourceId                               string                                    `json:"ResourceId"`
	ScalableDimension                        string                                    `json:"ScalableDimension"`
	PolicyType                               string                                    `json:"PolicyType"`
	TargetTrackingScalingPolicyConfiguration *TargetTrackingScalingPolicyConfiguration `json:"TargetTrackingScalingPolicyConfiguration"`
}

// TargetTrackingScalingPolicyConfiguration is the shape of that name as an answer holds it: the
// members mapping's input sets, and the customized metric a policy made elsewhere may have.
type TargetTrackingScalingPolicyConfiguration struct {
	TargetValue                   *float64                               `json:"TargetValue"`
	PredefinedMetricSpecification *mapping.PredefinedMetricSpecification `json:"PredefinedMetricSpecification"`
	CustomizedMetricSpecification *CustomizedMetricSpecification         `json:"CustomizedMetricSpecification"`
	ScaleOutCooldown              *int32                                 `json:"ScaleOutCooldown"`
	ScaleInCooldown               *int32                                 `json:"ScaleInCooldown"`
	DisableScaleIn                *bool                                  `json:"DisableScaleIn"`
}

// CustomizedMetricSpecification is the shape of that name: a CloudWatch metric of one's own
// (podecs only notes that a policy has one; its dimensions and metric queries are not decoded).
type CustomizedMetricSpecification struct {
	MetricName string `json:"MetricName"`
	Namespace  string `json:"Namespace"`
	Statistic  string `json:"Statistic"`
	Unit       string `json:"Unit"`
}

// PutScalingPolicyOutput is the PutScalingPolicy answer.
type PutScalingPolicyOutput struct {
	PolicyARN string `json:"PolicyARN"`
}
