package ecsapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podecs/podecs/mapping"
)

// seenRequest is a request as it reached the proxy.
type seenRequest struct {
	header http.Header
	body   string
}

// scalingProxy stands in front of moto: it records every request, answers the first ones with
// the given status and body (an AWS error, a proxy's page) and forwards the others.
type scalingProxy struct {
	mu     sync.Mutex
	seen   []seenRequest
	faults []fault
}

type fault struct {
	status int
	body   string
}

func (p *scalingProxy) start(t *testing.T, endpoint string) string {
	t.Helper()
	target, err := url.Parse(endpoint)
	require.NoError(t, err)
	rp := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		p.mu.Lock()
		p.seen = append(p.seen, seenRequest{header: req.Header.Clone(), body: string(body)})
		var f *fault
		if len(p.faults) > 0 {
			f = &p.faults[0]
			p.faults = p.faults[1:]
		}
		p.mu.Unlock()
		if f != nil {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.WriteHeader(f.status)
			_, _ = io.WriteString(w, f.body)
			return
		}
		rp.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func (p *scalingProxy) requests() []seenRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]seenRequest(nil), p.seen...)
}

func scalingClient(t *testing.T, endpoint string, readOnly bool) *ScalingClient {
	t.Helper()
	c, err := NewScalingClient(context.Background(), Options{EndpointURL: endpoint}, readOnly)
	require.NoError(t, err)
	return c
}

// TestScalingClientWire: the calls are JSON 1.1 requests with the AnyScaleFrontendService target,
// signed for application-autoscaling in the region, and moto's answers decode into the shapes.
func TestScalingClientWire(t *testing.T) {
	_, endpoint := motoClient(t)
	var proxy scalingProxy
	c := scalingClient(t, proxy.start(t, endpoint), false)
	ctx := context.Background()
	id := mapping.ECSServiceResourceID("wire-"+run, "web")

	out, err := c.DescribeScalableTargets(ctx, &DescribeScalableTargetsInput{ServiceNamespace: mapping.ServiceNamespaceECS, ResourceIds: []string{id}})
	require.NoError(t, err)
	assert.Empty(t, out.ScalableTargets)
	seen := proxy.requests()
	require.Len(t, seen, 1)
	assert.Equal(t, "AnyScaleFrontendService.DescribeScalableTargets", seen[0].header.Get("X-Amz-Target"))
	assert.Equal(t, "application/x-amz-json-1.1", seen[0].header.Get("Content-Type"))
	assert.Regexp(t, `^AWS4-HMAC-SHA256 Credential=\w+/\d{8}/us-east-1/application-autoscaling/aws4_request, `, seen[0].header.Get("Authorization"))
	assert.JSONEq(t, `{"ServiceNamespace":"ecs","ResourceIds":["`+id+`"]}`, seen[0].body)

	_, err = c.DescribeScalingPolicies(ctx, &DescribeScalingPoliciesInput{ServiceNamespace: mapping.ServiceNamespaceECS, ResourceId: id, PolicyNames: []string{"web-cpu"}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"ServiceNamespace":"ecs","ResourceId":"`+id+`","PolicyNames":["web-cpu"]}`, proxy.requests()[1].body)

	_, err = c.RegisterScalableTarget(ctx, &mapping.RegisterScalableTargetInput{ServiceNamespace: mapping.ServiceNamespaceECS, ResourceId: id, ScalableDimension: mapping.ScalableDimensionECSService, MinCapacity: aws.Int32(1)})
	var oe *OpError
	require.ErrorAs(t, err, &oe, "the service does not exist")
	assert.Equal(t, "RegisterScalableTarget", oe.Operation)
	assert.NotEmpty(t, oe.Code, "the error answer's code")
	assert.Equal(t, oe.Code, ErrorCode(err))
	assert.NotEmpty(t, oe.Message)
	assert.Equal(t, "RegisterScalableTarget: "+oe.Code+": "+oe.Message, err.Error())
	assert.Equal(t, "AnyScaleFrontendService.RegisterScalableTarget", proxy.requests()[2].header.Get("X-Amz-Target"))
}

// TestScalingClientRetries: throttling and 5xx answers are retried by the standard retryer and
// the call then succeeds; a validation error is not retried and names the operation.
func TestScalingClientRetries(t *testing.T) {
	_, endpoint := motoClient(t)
	ctx := context.Background()
	in := &DescribeScalableTargetsInput{ServiceNamespace: mapping.ServiceNamespaceECS}
	tests := []struct {
		name     string
		faults   []fault
		requests int
		code     string
	}{
		{"throttling", []fault{{400, `{"__type":"ThrottlingException","Message":"Rate exceeded"}`}}, 2, ""},
		{"service unavailable, then an internal error", []fault{{503, `<html>unavailable</html>`}, {500, `{"__type":"InternalServiceException","Message":"oops"}`}}, 3, ""},
		{"concurrent update is the caller's to resolve", []fault{{400, `{"__type":"ConcurrentUpdateException","Message":"pending"}`}}, 1, "ConcurrentUpdateException"},
		{"validation", []fault{{400, `{"__type":"ValidationException","Message":"bad resource id"}`}}, 1, "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proxy := scalingProxy{faults: tt.faults}
			c := scalingClient(t, proxy.start(t, endpoint), false)
			_, err := c.DescribeScalableTargets(ctx, in)
			assert.Len(t, proxy.requests(), tt.requests)
			if tt.code == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.code, ErrorCode(err))
			assert.Contains(t, err.Error(), "DescribeScalableTargets: "+tt.code+": ")
		})
	}
	t.Run("an unreachable endpoint is retried and named", func(t *testing.T) {
		c := scalingClient(t, "http://127.0.0.1:1", false)
		_, err := c.DescribeScalableTargets(ctx, in)
		require.Error(t, err)
		assert.Empty(t, ErrorCode(err))
		assert.Regexp(t, `^DescribeScalableTargets: cannot reach the Application Auto Scaling endpoint: dial tcp 127\.0\.0\.1:1: .*\(gave up after 4 attempts\)$`, err.Error())
	})
	t.Run("PlanScaling reports the operation once", func(t *testing.T) {
		proxy := scalingProxy{faults: []fault{{400, `{"__type":"AccessDeniedException","Message":"not allowed"}`}}}
		c := scalingClient(t, proxy.start(t, endpoint), false)
		_, err := PlanScaling(ctx, c, []ScalingWant{scalingWant("retries", "web", 1, 2, 50)})
		assert.EqualError(t, err, "scalable target service/retries/web: DescribeScalableTargets: AccessDeniedException: not allowed")
	})
}

// TestScalingClientReadOnly: a read-only client (a dry run's) describes, and refuses the calls
// that change something without sending them.
func TestScalingClientReadOnly(t *testing.T) {
	_, endpoint := motoClient(t)
	var proxy scalingProxy
	c := scalingClient(t, proxy.start(t, endpoint), true)
	ctx := context.Background()
	w := scalingWant("read-only", "web", 1, 2, 50)
	plan, err := PlanScaling(ctx, c, []ScalingWant{w})
	require.NoError(t, err)
	sent := len(proxy.requests())
	require.Positive(t, sent)
	done := ApplyScaling(ctx, c, plan, nil)
	assert.Len(t, proxy.requests(), sent, "nothing is sent")
	var oe *OpError
	require.ErrorAs(t, done[0].Err, &oe)
	assert.Equal(t, "RegisterScalableTarget", oe.Operation)
	assert.Equal(t, "application-autoscaling:RegisterScalableTarget changes something: this client only reads", oe.Message)
	_, err = c.PutScalingPolicy(ctx, &w.Policies[0])
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "PutScalingPolicy", oe.Operation)
	assert.Len(t, proxy.requests(), sent)
}

// TestScalingEndpoints: without --endpoint-url the endpoint is resolved as the SDK's
// applicationautoscaling client resolves it: AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING,
// AWS_ENDPOINT_URL, the profile's services section and endpoint_url, else the regional endpoint,
// FIPS and dual-stack as its rule set selects them (GovCloud's standard endpoint is its FIPS one),
// and an error for FIPS or dual-stack with an endpoint of one's own.
func TestScalingEndpoints(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	require.NoError(t, os.WriteFile(config, []byte("[profile svc]\nservices = s\nendpoint_url = https://profile.example\n[services s]\napplication_auto_scaling =\n  endpoint_url = https://profile-aas.example\n[profile fips]\nuse_fips_endpoint = true\n"), 0o600))
	t.Setenv("AWS_CONFIG_FILE", config)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "none"))
	vars := []string{"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT"}
	for _, v := range vars {
		t.Setenv(v, "")
	}
	tests := []struct {
		name, region, profile, flag string
		env                         map[string]string
		want                        string // "error: ..." for an error
	}{
		{"regional", "eu-central-1", "", "", nil, "https://application-autoscaling.eu-central-1.amazonaws.com"},
		{"China", "cn-north-1", "", "", nil, "https://application-autoscaling.cn-north-1.amazonaws.com.cn"},
		{"ISO-B", "us-isob-east-1", "", "", nil, "https://application-autoscaling.us-isob-east-1.sc2s.sgov.gov"},
		{"FIPS", "us-east-1", "", "", map[string]string{"AWS_USE_FIPS_ENDPOINT": "true"}, "https://application-autoscaling-fips.us-east-1.amazonaws.com"},
		{"FIPS from the profile", "us-east-1", "fips", "", nil, "https://application-autoscaling-fips.us-east-1.amazonaws.com"},
		{"FIPS in GovCloud", "us-gov-west-1", "", "", map[string]string{"AWS_USE_FIPS_ENDPOINT": "true"}, "https://application-autoscaling.us-gov-west-1.amazonaws.com"},
		{"dual-stack", "eu-west-1", "", "", map[string]string{"AWS_USE_DUALSTACK_ENDPOINT": "true"}, "https://application-autoscaling.eu-west-1.api.aws"},
		{"FIPS and dual-stack in GovCloud", "us-gov-east-1", "", "", map[string]string{"AWS_USE_FIPS_ENDPOINT": "true", "AWS_USE_DUALSTACK_ENDPOINT": "true"}, "https://application-autoscaling-fips.us-gov-east-1.api.aws"},
		{"dual-stack in China", "cn-northwest-1", "", "", map[string]string{"AWS_USE_DUALSTACK_ENDPOINT": "true"}, "https://application-autoscaling.cn-northwest-1.api.amazonwebservices.com.cn"},
		{"the service's variable", "us-east-1", "", "", map[string]string{"AWS_ENDPOINT_URL": "http://all.example", "AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING": "http://aas.example"}, "http://aas.example"},
		{"AWS_ENDPOINT_URL before the services section", "us-east-1", "svc", "", map[string]string{"AWS_ENDPOINT_URL": "http://all.example"}, "http://all.example"},
		{"the services section", "us-east-1", "svc", "", nil, "https://profile-aas.example"},
		{"configured endpoints ignored", "us-east-1", "svc", "", map[string]string{"AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING": "http://aas.example", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}, "https://application-autoscaling.us-east-1.amazonaws.com"},
		{"--scaling-endpoint-url wins", "us-east-1", "svc", "http://flag.example", map[string]string{"AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING": "http://aas.example"}, "http://flag.example"},
		{"FIPS with an endpoint of one's own", "us-east-1", "", "http://flag.example", map[string]string{"AWS_USE_FIPS_ENDPOINT": "true"}, "error: invalid configuration: FIPS and custom endpoint are not supported"},
		{"dual-stack with a configured endpoint", "us-east-1", "", "", map[string]string{"AWS_USE_DUALSTACK_ENDPOINT": "true", "AWS_ENDPOINT_URL": "http://all.example"}, "error: invalid configuration: dual-stack and custom endpoint are not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, v := range vars {
				require.NoError(t, os.Unsetenv(v))
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			c, err := NewScalingClient(context.Background(), Options{Region: tt.region, Profile: tt.profile, EndpointURL: tt.flag}, false)
			require.NoError(t, err)
			got, signing, err := c.endpointFor(svcScaling, tt.region)
			if want, ok := strings.CutPrefix(tt.want, "error: "); ok {
				assert.EqualError(t, err, want)
				_, err = c.DescribeScalableTargets(context.Background(), &DescribeScalableTargetsInput{ServiceNamespace: "ecs"})
				assert.EqualError(t, err, "DescribeScalableTargets: "+want, "no request is made")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.region, signing)
		})
	}
}

// TestScalingShapes: the request and answer shapes carry exactly the member names of the
// botocore model, so that an answer decodes and a request is what the API reads.
func TestScalingShapes(t *testing.T) {
	answer := `{"ScalingPolicies":[{"PolicyARN":"arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:x","PolicyName":"web-cpu",
		"ServiceNamespace":"ecs","ResourceId":"service/c/web","ScalableDimension":"ecs:service:DesiredCount","PolicyType":"TargetTrackingScaling",
		"TargetTrackingScalingPolicyConfiguration":{"TargetValue":55.5,"PredefinedMetricSpecification":{"PredefinedMetricType":"ECSServiceAverageCPUUtilization"},
		"CustomizedMetricSpecification":{"MetricName":"m","Namespace":"n","Statistic":"Average"},"ScaleOutCooldown":0,"ScaleInCooldown":300,"DisableScaleIn":true},
		"Alarms":[],"CreationTime":1.7e9}],"NextToken":"t"}`
	var out DescribeScalingPoliciesOutput
	require.NoError(t, json.Unmarshal([]byte(answer), &out))
	require.Len(t, out.ScalingPolicies, 1)
	p := out.ScalingPolicies[0]
	assert.Equal(t, "web-cpu", p.PolicyName)
	assert.Equal(t, "t", aws.ToString(out.NextToken))
	c := p.TargetTrackingScalingPolicyConfiguration
	require.NotNil(t, c)
	assert.Equal(t, 55.5, aws.ToFloat64(c.TargetValue))
	assert.Equal(t, mapping.MetricECSServiceAverageCPU, c.PredefinedMetricSpecification.PredefinedMetricType)
	assert.Equal(t, "m", c.CustomizedMetricSpecification.MetricName)
	assert.Equal(t, int32(0), aws.ToInt32(c.ScaleOutCooldown))
	assert.Equal(t, int32(300), aws.ToInt32(c.ScaleInCooldown))
	assert.True(t, aws.ToBool(c.DisableScaleIn))

	var targets DescribeScalableTargetsOutput
	require.NoError(t, json.Unmarshal([]byte(`{"ScalableTargets":[{"ServiceNamespace":"ecs","ResourceId":"service/c/web","ScalableDimension":"ecs:service:DesiredCount",
		"MinCapacity":2,"MaxCapacity":6,"RoleARN":"arn:aws:iam::123456789012:role/r","CreationTime":1.7e9,"SuspendedState":{"DynamicScalingInSuspended":false,
		"DynamicScalingOutSuspended":true,"ScheduledScalingSuspended":false},"ScalableTargetARN":"arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target/x"}]}`), &targets))
	require.Len(t, targets.ScalableTargets, 1)
	st := targets.ScalableTargets[0]
	assert.Equal(t, ScalableTarget{ServiceNamespace: "ecs", ResourceId: "service/c/web", ScalableDimension: "ecs:service:DesiredCount", MinCapacity: aws.Int32(2), MaxCapacity: aws.Int32(6),
		RoleARN: "arn:aws:iam::123456789012:role/r", SuspendedState: &mapping.SuspendedState{DynamicScalingInSuspended: aws.Bool(false), DynamicScalingOutSuspended: aws.Bool(true), ScheduledScalingSuspended: aws.Bool(false)},
		ScalableTargetARN: "arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target/x"}, st)
	assert.Nil(t, targets.NextToken)

	in, err := json.Marshal(DescribeScalingPoliciesInput{ServiceNamespace: "ecs", ResourceId: "service/c/web", ScalableDimension: mapping.ScalableDimensionECSService, MaxResults: aws.Int32(1), NextToken: aws.String("t")})
	require.NoError(t, err)
	assert.JSONEq(t, `{"ServiceNamespace":"ecs","ResourceId":"service/c/web","ScalableDimension":"ecs:service:DesiredCount","MaxResults":1,"NextToken":"t"}`, string(in))
}
