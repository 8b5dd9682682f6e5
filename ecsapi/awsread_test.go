package ecsapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// run makes the names of one test run unique, so that the tests can run again on the same moto.
var run = strconv.FormatInt(time.Now().UnixNano()%(1<<40), 36)

// motoReader returns a Reader for the moto endpoint, made as the CLI makes it.
func motoReader(t *testing.T) (*Reader, string) {
	t.Helper()
	_, endpoint := motoClient(t)
	r, err := NewReader(context.Background(), Options{EndpointURL: endpoint})
	require.NoError(t, err)
	return r, endpoint
}

func jstr(m map[string]any, path ...string) string {
	var v any = m
	for _, p := range path {
		v = v.(map[string]any)[p]
	}
	return v.(string)
}

func TestReaderIAM(t *testing.T) {
	r, endpoint := motoReader(t)
	ctx := context.Background()
	const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role := "reader-exec-" + run
	awsCLI(t, endpoint, "iam", "create-role", "--role-name", role, "--path", "/ecs/", "--assume-role-policy-document", trust)
	const inline = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:us-east-1:123456789012:secret:a+b c"}]}`
	awsCLI(t, endpoint, "iam", "put-role-policy", "--role-name", role, "--policy-name", "secrets", "--policy-document", inline)
	managed := jstr(awsCLI(t, endpoint, "iam", "create-policy", "--policy-name", "reader-pull-"+run, "--policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:BatchGetImage"],"Resource":"*"}]}`), "Policy", "Arn")
	awsCLI(t, endpoint, "iam", "attach-role-policy", "--role-name", role, "--policy-arn", managed)

	got, err := r.GetRole(ctx, role)
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:iam::123456789012:role/ecs/"+role, got.ARN)
	assert.JSONEq(t, trust, got.TrustPolicy, "the URL-encoded trust policy is decoded")

	names, err := r.ListRolePolicies(ctx, role)
	require.NoError(t, err)
	assert.Equal(t, []string{"secrets"}, names)
	doc, err := r.GetRolePolicy(ctx, role, "secrets")
	require.NoError(t, err)
	assert.JSONEq(t, inline, doc, "a + and a space in the document survive decoding")
	arns, err := r.ListAttachedRolePolicies(ctx, role)
	require.NoError(t, err)
	assert.Equal(t, []string{managed}, arns)
	doc, err = r.ManagedPolicyDocument(ctx, managed)
	require.NoError(t, err)
	assert.Contains(t, doc, `"ecr:BatchGetImage"`)

	_, err = r.GetRole(ctx, "reader-missing")
	require.Error(t, err)
	assert.Equal(t, "NoSuchEntity", ErrorCode(err))
	assert.Contains(t, err.Error(), "GetRole: NoSuchEntity: ")

	id, err := r.GetCallerIdentity(ctx)
	require.NoError(t, err)
	assert.Equal(t, "123456789012", id.Account)
}

func TestReaderSecretsAndParameters(t *testing.T) {
	r, endpoint := motoReader(t)
	ctx := context.Background()
	arn := jstr(awsCLI(t, endpoint, "secretsmanager", "create-secret", "--name", "reader/db-"+run, "--secret-string", "never-read"), "ARN")
	s, err := r.DescribeSecret(ctx, "", arn)
	require.NoError(t, err)
	assert.Equal(t, arn, s.ARN)
	assert.False(t, s.Deleted)
	require.Len(t, s.VersionStages, 1)
	for _, stages := range s.VersionStages {
		assert.Equal(t, []string{"AWSCURRENT"}, stages)
	}
	partial := strings.TrimSuffix(arn, arn[len(arn)-7:])
	s, err = r.DescribeSecret(ctx, "us-east-1", partial)
	require.NoError(t, err, "a partial ARN (without the random suffix) names the secret")
	assert.Equal(t, arn, s.ARN)
	_, err = r.DescribeSecret(ctx, "", "arn:aws:secretsmanager:us-east-1:123456789012:secret:reader/missing-AbCdEf")
	assert.Equal(t, "ResourceNotFoundException", ErrorCode(err), "%v", err)

	awsCLI(t, endpoint, "ssm", "put-parameter", "--name", "/reader/key-"+run, "--value", "never-read", "--type", "SecureString")
	p, err := r.FindParameter(ctx, "", "/reader/key-"+run)
	require.NoError(t, err)
	require.NotNil(t, p)
	assert.Equal(t, "SecureString", p.Type)
	assert.Equal(t, "alias/aws/ssm", p.KeyID)
	p, err = r.FindParameter(ctx, "", "/reader/missing")
	require.NoError(t, err)
	assert.Nil(t, p)
}

func TestReaderLogsAndImages(t *testing.T) {
	r, endpoint := motoReader(t)
	ctx := context.Background()
	awsCLI(t, endpoint, "logs", "create-log-group", "--log-group-name", "/reader/web-"+run+"-2")
	awsCLI(t, endpoint, "logs", "create-log-group", "--log-group-name", "/reader/web-"+run)
	g, err := r.FindLogGroup(ctx, "", "/reader/web-"+run)
	require.NoError(t, err)
	require.NotNil(t, g, "the exact name among those with the prefix")
	assert.Equal(t, "/reader/web-"+run, g.Name)
	assert.True(t, strings.HasPrefix(g.ARN, "arn:aws:logs:us-east-1:123456789012:log-group:/reader/web-"+run), g.ARN)
	g, err = r.FindLogGroup(ctx, "", "/reader/web-"+run[:len(run)-1])
	require.NoError(t, err)
	assert.Nil(t, g)

	repo := "reader/web-" + run
	awsCLI(t, endpoint, "ecr", "create-repository", "--repository-name", repo)
	img := awsCLI(t, endpoint, "ecr", "put-image", "--repository-name", repo, "--image-tag", "1.0", "--image-manifest", imageManifest)
	digest := jstr(img, "image", "imageId", "imageDigest")
	for _, id := range [][2]string{{"1.0", ""}, {"", digest}} {
		got, err := r.DescribeImage(ctx, "us-east-1", "123456789012", repo, id[0], id[1])
		require.NoError(t, err, "%v", id)
		assert.Equal(t, digest, got.Digest)
	}
	_, err = r.DescribeImage(ctx, "", "", repo, "2.0", "")
	assert.Equal(t, "ImageNotFoundException", ErrorCode(err), "%v", err)
	_, err = r.DescribeImage(ctx, "", "", "reader/none", "1.0", "")
	assert.Equal(t, "RepositoryNotFoundException", ErrorCode(err), "%v", err)
}

// imageManifest is a minimal Docker image manifest for ECR PutImage.
const imageManifest = `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",` +
	`"config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7023,"digest":"sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"},"layers":[]}`

func TestReaderNetwork(t *testing.T) {
	r, endpoint := motoReader(t)
	ctx := context.Background()
	subnet, sg := network(t, endpoint)
	subnets, err := r.DescribeSubnets(ctx, "", []string{subnet, "subnet-0000000000000dead"})
	require.NoError(t, err, "a missing subnet is left out, not an error")
	require.Len(t, subnets, 1)
	assert.Equal(t, subnet, subnets[0].ID)
	assert.NotEmpty(t, subnets[0].AvailabilityZone)
	vpc := subnets[0].VpcID
	groups, err := r.DescribeSecurityGroups(ctx, "", []string{sg, "sg-0000000000000dead"})
	require.NoError(t, err)
	require.Len(t, groups, 1)
	assert.Equal(t, vpc, groups[0].VpcID)

	igw := jstr(awsCLI(t, endpoint, "ec2", "create-internet-gateway"), "InternetGateway", "InternetGatewayId")
	awsCLI(t, endpoint, "ec2", "attach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", vpc)
	rt := jstr(awsCLI(t, endpoint, "ec2", "create-route-table", "--vpc-id", vpc), "RouteTable", "RouteTableId")
	awsCLI(t, endpoint, "ec2", "create-route", "--route-table-id", rt, "--destination-cidr-block", "0.0.0.0/0", "--gateway-id", igw)
	awsCLI(t, endpoint, "ec2", "associate-route-table", "--route-table-id", rt, "--subnet-id", subnet)
	tables, err := r.DescribeRouteTables(ctx, "", vpc)
	require.NoError(t, err)
	var main, assoc *RouteTable
	for i := range tables {
		switch {
		case tables[i].Main:
			main = &tables[i]
		case tables[i].ID == rt:
			assoc = &tables[i]
		}
	}
	require.NotNil(t, main)
	require.NotNil(t, assoc)
	assert.Equal(t, []string{subnet}, assoc.Subnets)
	assert.Contains(t, assoc.Routes, Route{Destination: "0.0.0.0/0", Target: igw})

	awsCLI(t, endpoint, "ec2", "create-vpc-endpoint", "--vpc-id", vpc, "--service-name", "com.amazonaws.us-east-1.s3", "--route-table-ids", rt)
	eps, err := r.DescribeVPCEndpoints(ctx, "", vpc)
	require.NoError(t, err)
	require.Len(t, eps, 1)
	assert.Equal(t, "com.amazonaws.us-east-1.s3", eps[0].ServiceName)
}

func TestReaderTargetGroupsCloudMapEFS(t *testing.T) {
	r, endpoint := motoReader(t)
	ctx := context.Background()
	subnet, _ := network(t, endpoint)
	subnets, err := r.DescribeSubnets(ctx, "", []string{subnet})
	require.NoError(t, err)
	vpc := subnets[0].VpcID

	tg := awsCLI(t, endpoint, "elbv2", "create-target-group", "--name", "reader-"+run, "--protocol", "HTTP", "--port", "8080", "--vpc-id", vpc, "--target-type", "ip")
	arn := tg["TargetGroups"].([]any)[0].(map[string]any)["TargetGroupArn"].(string)
	got, err := r.DescribeTargetGroup(ctx, "", arn)
	require.NoError(t, err)
	assert.Equal(t, TargetGroup{ARN: arn, Name: "reader-" + run, Protocol: "HTTP", Port: 8080, TargetType: "ip", VpcID: vpc, HealthCheckPort: "traffic-port"}, *got)
	_, err = r.DescribeTargetGroup(ctx, "", arn+"0")
	assert.Equal(t, "TargetGroupNotFound", ErrorCode(err), "%v", err)

	awsCLI(t, endpoint, "servicediscovery", "create-http-namespace", "--name", run+".reader.local")
	ns, err := r.FindNamespace(ctx, "", run+".reader.local")
	require.NoError(t, err)
	require.NotNil(t, ns)
	byID, err := r.GetNamespace(ctx, "", ns.ID)
	require.NoError(t, err)
	assert.Equal(t, *ns, *byID)
	ns, err = r.FindNamespace(ctx, "", "reader.missing")
	require.NoError(t, err)
	assert.Nil(t, ns)
	_, err = r.GetNamespace(ctx, "", "ns-0000000000000000")
	assert.Equal(t, "NamespaceNotFound", ErrorCode(err), "%v", err)
	svc := awsCLI(t, endpoint, "servicediscovery", "create-service", "--name", "web", "--namespace-id", byID.ID)
	sd, err := r.GetCloudMapService(ctx, "", jstr(svc, "Service", "Id"))
	require.NoError(t, err)
	assert.Equal(t, byID.ID, sd.NamespaceID)
	_, err = r.GetCloudMapService(ctx, "", "srv-0000000000000000")
	assert.Equal(t, "ServiceNotFound", ErrorCode(err), "%v", err)

	fs := jstr(awsCLI(t, endpoint, "efs", "create-file-system", "--creation-token", "reader-"+run), "FileSystemId")
	ap := jstr(awsCLI(t, endpoint, "efs", "create-access-point", "--file-system-id", fs), "AccessPointId")
	awsCLI(t, endpoint, "efs", "create-mount-target", "--file-system-id", fs, "--subnet-id", subnet)
	f, err := r.DescribeFileSystem(ctx, "", fs)
	require.NoError(t, err)
	assert.Equal(t, "available", f.State)
	a, err := r.DescribeAccessPoint(ctx, "", ap)
	require.NoError(t, err)
	assert.Equal(t, fs, a.FileSystemID)
	mts, err := r.DescribeMountTargets(ctx, "", fs)
	require.NoError(t, err)
	require.Len(t, mts, 1)
	assert.Equal(t, subnet, mts[0].SubnetID)
	assert.Equal(t, subnets[0].AvailabilityZone, mts[0].AvailabilityZone)
	_, err = r.DescribeFileSystem(ctx, "", "fs-00000dead")
	assert.Equal(t, "FileSystemNotFound", ErrorCode(err), "%v", err)
	_, err = r.DescribeAccessPoint(ctx, "", "fsap-00000dead")
	assert.Equal(t, "AccessPointNotFound", ErrorCode(err), "%v", err)
}

// TestReaderEndpoints: --endpoint-url serves every service; otherwise AWS_ENDPOINT_URL_<SERVICE>,
// AWS_ENDPOINT_URL, the profile's services section and its endpoint_url, in the SDK's order, then
// the standard endpoint of the region's partition, with IAM's global endpoint and signing region.
func TestReaderEndpoints(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", "")
	t.Setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "")
	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	require.NoError(t, os.WriteFile(config, []byte("[profile edge]\nservices = edge\nendpoint_url = https://profile.example\n[services edge]\nelastic_load_balancing_v2 =\n  endpoint_url = https://elb.example\n"), 0o600))
	t.Setenv("AWS_CONFIG_FILE", config)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "none"))
	reader := func(t *testing.T, o Options) *Reader {
		t.Helper()
		r, err := NewReader(context.Background(), o)
		require.NoError(t, err)
		return r
	}
	type want struct{ url, signing string }
	at := func(r *Reader, svc awsService, region string) want {
		u, s, err := r.endpointFor(svc, region)
		require.NoError(t, err)
		return want{u, s}
	}

	r := reader(t, Options{Region: "eu-central-1"})
	assert.Equal(t, want{"https://iam.amazonaws.com", "us-east-1"}, at(r, svcIAM, "eu-central-1"))
	assert.Equal(t, want{"https://api.ecr.eu-central-1.amazonaws.com", "eu-central-1"}, at(r, svcECR, "eu-central-1"))
	assert.Equal(t, want{"https://iam.cn-north-1.amazonaws.com.cn", "cn-north-1"}, at(r, svcIAM, "cn-northwest-1"))
	assert.Equal(t, want{"https://logs.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1"}, at(r, svcLogs, "cn-northwest-1"))
	assert.Equal(t, want{"https://iam.us-gov.amazonaws.com", "us-gov-west-1"}, at(r, svcIAM, "us-gov-east-1"))
	assert.Equal(t, want{"https://elasticfilesystem.us-isob-east-1.sc2s.sgov.gov", "us-isob-east-1"}, at(r, svcEFS, "us-isob-east-1"))
	assert.Equal(t, "aws-cn", Partition("cn-north-1"))
	assert.Equal(t, "aws-us-gov", Partition("us-gov-west-1"))
	assert.Equal(t, "aws", Partition("eu-west-3"))

	t.Setenv("AWS_ENDPOINT_URL", "http://all.example")
	t.Setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://secrets.example")
	r = reader(t, Options{Region: "eu-central-1", Profile: "edge"})
	assert.Equal(t, want{"http://secrets.example", "eu-central-1"}, at(r, svcSecretsManager, "eu-central-1"))
	assert.Equal(t, want{"http://all.example", "eu-central-1"}, at(r, svcELB, "eu-central-1"), "AWS_ENDPOINT_URL before the profile's services section")
	assert.Equal(t, want{"http://all.example", "us-east-1"}, at(r, svcIAM, "eu-central-1"))

	require.NoError(t, os.Unsetenv("AWS_ENDPOINT_URL")) // t.Setenv restores it
	r = reader(t, Options{Region: "eu-central-1", Profile: "edge"})
	assert.Equal(t, want{"https://elb.example", "eu-central-1"}, at(r, svcELB, "eu-central-1"), "the profile's services section")
	assert.Equal(t, want{"https://profile.example", "us-east-1"}, at(r, svcIAM, "eu-central-1"), "the profile's endpoint_url")
	assert.Equal(t, want{"http://secrets.example", "eu-central-1"}, at(r, svcSecretsManager, "eu-central-1"))
	t.Setenv("AWS_ENDPOINT_URL", "http://all.example")

	r = reader(t, Options{Region: "eu-central-1", EndpointURL: "http://emulator.example"})
	assert.Equal(t, want{"http://emulator.example", "eu-central-1"}, at(r, svcSecretsManager, "eu-central-1"), "--endpoint-url wins")

	t.Setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
	r = reader(t, Options{Region: "eu-central-1"})
	assert.Equal(t, want{"https://secretsmanager.eu-central-1.amazonaws.com", "eu-central-1"}, at(r, svcSecretsManager, "eu-central-1"))
}

// TestReaderRetryClassification: the SDK's standard retryer retries the Reader's throttling,
// timeout and 5xx answers and unreachable endpoints, and nothing else.
func TestReaderRetryClassification(t *testing.T) {
	std := retry.NewStandard()
	answer := func(status int, body string, header ...string) error {
		h := http.Header{}
		for i := 0; i+1 < len(header); i += 2 {
			h.Set(header[i], header[i+1])
		}
		return decodeError(svcSecretsManager, &http.Response{StatusCode: status, Header: h}, []byte(body))
	}
	tests := []struct {
		name      string
		err       error
		retryable bool
	}{
		{"throttling", answer(400, `{"__type":"ThrottlingException","message":"Rate exceeded"}`), true},
		{"typed throttling", answer(400, `{"__type":"com.amazonaws.secretsmanager#ThrottlingException"}`), true},
		{"header code", answer(400, `{}`, "X-Amzn-ErrorType", "TooManyRequestsException:http://internal.amazon.com/"), true},
		{"429 without a code", answer(429, `<html/>`), true},
		{"503", answer(503, `<html>unavailable</html>`), true},
		{"500 with a code", answer(500, `{"__type":"InternalServiceError"}`), true},
		{"request timeout", answer(400, `{"__type":"RequestTimeoutException"}`), true},
		{"access denied", answer(400, `{"__type":"AccessDeniedException","Message":"no"}`), false},
		{"not found", answer(400, `{"__type":"ResourceNotFoundException"}`), false},
		{"connection refused", &url.Error{Op: "Post", URL: "http://127.0.0.1:1", Err: errors.New("dial tcp 127.0.0.1:1: connect: connection refused")}, true},
		{"cancelled", context.Canceled, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.retryable, std.IsErrorRetryable(tt.err), "%v", tt.err)
		})
	}
	q := decodeError(svcIAM, &http.Response{StatusCode: 400, Header: http.Header{}}, []byte(`<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r1</RequestId></ErrorResponse>`))
	assert.Equal(t, APIError{Code: "Throttling", Message: "Rate exceeded", StatusCode: 400, RequestID: "r1"}, *q)
	e := decodeError(svcEC2, &http.Response{StatusCode: 503, Header: http.Header{}}, []byte(`<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>slow down</Message></Error></Errors><RequestID>r2</RequestID></Response>`))
	assert.Equal(t, APIError{Code: "RequestLimitExceeded", Message: "slow down", StatusCode: 503, RequestID: "r2"}, *e)
	assert.True(t, std.IsErrorRetryable(e))
	assert.Equal(t, "Throttling: Rate exceeded", fmt.Sprint(q))
}

// TestReaderUnreachable: an endpoint that refuses connections is retried up to MaxAttempts and
// named in the error.
func TestReaderUnreachable(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	r, err := NewReader(context.Background(), Options{Region: "us-east-1", EndpointURL: "http://127.0.0.1:1"})
	require.NoError(t, err)
	var calls []string
	r.OnCall = func(service, op string, params ...string) {
		calls = append(calls, service+" "+op+" "+strings.Join(params, " "))
	}
	_, err = r.DescribeSecret(context.Background(), "", "arn:aws:secretsmanager:us-east-1:123456789012:secret:x")
	require.Error(t, err)
	assert.Equal(t, "DescribeSecret: cannot reach the Secrets Manager endpoint: dial tcp 127.0.0.1:1: connect: connection refused (gave up after 4 attempts)", err.Error())
	assert.Equal(t, []string{"secretsmanager DescribeSecret SecretId arn:aws:secretsmanager:us-east-1:123456789012:secret:x"}, calls, "OnCall once per call, not per attempt")
}

// FuzzDecodeError: any error answer, in any of the three protocols, decodes to an APIError with
// a code, without a panic.
func FuzzDecodeError(f *testing.F) {
	for _, s := range []string{`{"__type":"a#B:c","message":"m"}`, `<ErrorResponse><Error><Code>X</Code></Error></ErrorResponse>`,
		`<Response><Errors><Error><Code>Y</Code></Error></Errors></Response>`, `<html>`, ``} {
		f.Add(s, 400, "")
	}
	f.Add(`{}`, 429, "TooManyRequestsException:http://x")
	f.Fuzz(func(t *testing.T, body string, status int, header string) {
		for _, svc := range []awsService{svcSecretsManager, svcIAM, svcEC2, svcEFS} {
			e := decodeError(svc, &http.Response{StatusCode: status, Header: http.Header{"X-Amzn-Errortype": {header}}}, []byte(body))
			assert.NotEmpty(t, e.Code)
			assert.Equal(t, status, e.HTTPStatusCode())
		}
		_ = decodePolicy(body)
	})
}

// readerServices are the services the Reader calls.
var readerServices = []awsService{svcIAM, svcSTS, svcEC2, svcELB, svcSecretsManager, svcSSM, svcLogs, svcECR, svcCloudMap, svcEFS}

// TestReaderOnlyReads: every operation the Reader's services list is a read (Describe, Get,
// List), no service lists an operation that returns a secret value, and a Reader refuses a write
// or such an operation before any request is made or printed.
func TestReaderOnlyReads(t *testing.T) {
	for _, svc := range append(readerServices, svcScaling) {
		for _, op := range append(svc.reads, svc.writes...) {
			assert.NotContains(t, neverCalled, svc.name+":"+op)
		}
	}
	for _, svc := range readerServices {
		assert.Empty(t, svc.writes, svc.name)
		for _, op := range svc.reads {
			assert.Regexp(t, `^(Describe|Get|List)[A-Z]`, op, svc.name)
		}
	}

	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests.Add(1)
		_, _ = io.WriteString(w, "{}")
	}))
	defer srv.Close()
	r, err := NewReader(context.Background(), Options{Region: "us-east-1", EndpointURL: srv.URL})
	require.NoError(t, err)
	var printed []string
	r.OnCall = func(service, op string, _ ...string) { printed = append(printed, service+" "+op) }
	ctx := context.Background()
	// A service that lists GetSecretValue among its reads, as a mistake would.
	careless := svcSecretsManager
	careless.reads = append([]string{"GetSecretValue"}, careless.reads...)
	tests := []struct {
		svc  awsService
		op   string
		want string
	}{
		{svcScaling, "PutScalingPolicy", "PutScalingPolicy: application-autoscaling:PutScalingPolicy changes something: this client only reads"},
		{careless, "GetSecretValue", "GetSecretValue: secretsmanager:GetSecretValue returns secret values: podecs never calls it"},
		{svcSSM, "GetParameter", "GetParameter: ssm:GetParameter returns secret values: podecs never calls it"},
		{svcSSM, "PutParameter", "PutParameter: ssm:PutParameter is not an operation podecs calls"},
	}
	for _, tt := range tests {
		_, err := r.call(ctx, request{svc: tt.svc, op: tt.op, body: map[string]string{"Name": "x"}})
		assert.EqualError(t, err, tt.want)
	}
	assert.Zero(t, requests.Load(), "nothing is sent")
	assert.Empty(t, printed, "nothing is printed as called")

	s, err := NewScalingClient(ctx, Options{Region: "us-east-1", EndpointURL: srv.URL}, false)
	require.NoError(t, err)
	_, err = s.call(ctx, request{svc: careless, op: "GetSecretValue"})
	assert.EqualError(t, err, "GetSecretValue: secretsmanager:GetSecretValue returns secret values: podecs never calls it", "whatever the client")
	_, err = s.call(ctx, request{svc: svcScaling, op: "PutScalingPolicy"})
	require.NoError(t, err, "a client that writes")
	assert.Equal(t, int32(1), requests.Load())
}
