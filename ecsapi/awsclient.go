package ecsapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go"
)

// A small AWS client on the SDK's core, for the services podecs calls besides ECS: the
// credentials, region, profile, HTTP client and standard retryer of the same aws.Config the ECS
// client uses, and its SigV4 signer. It speaks the three wire protocols itself (JSON 1.1, query
// with XML answers, REST-JSON) with the standard library, and resolves endpoints as the SDK does.
// The Reader of `podecs verify` and the ScalingClient of `podecs register` are made of it.
//
// It does not link the SDK's service packages: each of those runs the initialisation of its
// schemas and endpoint tables at every start of every podecs command (the nine services verify
// calls made a one-file `podecs convert` about 65 % slower; Application Auto Scaling alone cost
// about 2.3 ms). This file costs nothing until a client is made.
//
// Each service lists the operations podecs calls on it, as reads or writes. A client refuses any
// other operation, and a read-only client (every Reader) any write, before a request is made; no
// client ever calls an operation that returns a secret value (neverCalled).

// awsClient makes the calls of the services it is given. It is safe for concurrent use.
type awsClient struct {
	cfg      aws.Config
	endpoint string // --endpoint-url: every service at one address (an emulator)
	retryer  aws.Retryer
	signer   *v4.Signer
	now      func() time.Time
	// readOnly refuses the operations a service lists as writes.
	readOnly bool
	// OnCall, when set, is called before each request (not each retry) with the service, the
	// operation and its main parameters as key, value pairs; --verbose prints them.
	OnCall func(service, operation string, params ...string)
}

// newAWSClient builds a client from the standard AWS configuration chain and o, as NewClient does
// for ECS. o.EndpointURL, when set, is the endpoint of every service; otherwise each service's
// endpoint is resolved as the SDK resolves it (endpointFor).
func newAWSClient(ctx context.Context, o Options, readOnly bool) (awsClient, error) {
	cfg, err := awsConfig(ctx, o)
	if err != nil {
		return awsClient{}, err
	}
	c := awsClient{cfg: cfg, endpoint: o.EndpointURL, signer: v4.NewSigner(), now: time.Now, readOnly: readOnly}
	if cfg.Retryer != nil {
		c.retryer = cfg.Retryer()
	} else {
		c.retryer = retry.NewStandard()
	}
	return c, nil
}

// CheckCredentials retrieves the credentials once, so that missing ones are one error up front
// rather than the error of every call.
func (c *awsClient) CheckCredentials(ctx context.Context) error {
	if c.cfg.Credentials == nil {
		return errors.New("no AWS credentials")
	}
	if _, err := c.cfg.Credentials.Retrieve(ctx); err != nil {
		return fmt.Errorf("no AWS credentials: %w", err)
	}
	return nil
}

// Region is the region calls go to when they name none.
func (c *awsClient) Region() string { return c.cfg.Region }

// awsService is one AWS API as the client calls it.
type awsService struct {
	// id is the SDK service ID (AWS_ENDPOINT_URL_<ID> with spaces as underscores, upper case).
	id string
	// name is the signing name; host is the endpoint's first label(s) when it differs from name.
	name, host string
	protocol   protocol
	// target is the X-Amz-Target prefix of JSON 1.1 services; version the query API version.
	target, version string
	// reads and writes are the operations podecs calls: reads only look, writes change
	// something. Any other operation is refused (permit).
	reads, writes []string
	// variants: the service's FIPS and dual-stack endpoints follow the standard rules, and the
	// SDK settings that ask for them (AWS_USE_FIPS_ENDPOINT, use_dualstack_endpoint, ...) apply.
	variants bool
}

type protocol int

const (
	protoJSON protocol = iota
	protoQuery
	protoEC2
	protoREST
)

// neverCalled are the operations that return secret values or credentials for them, as
// "signing name:operation". No service lists them, and permit refuses them whatever a service
// lists: podecs never reads a secret value.
var neverCalled = []string{
	"secretsmanager:GetSecretValue", "secretsmanager:BatchGetSecretValue",
	"ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:GetParameterHistory",
	"kms:Decrypt", "ecr:GetAuthorizationToken",
}

// permit says why op of svc may not be called by c, or nil: an operation that reads secret
// values never, one the service does not list never, a write not on a read-only client.
func (c *awsClient) permit(svc awsService, op string) error {
	switch {
	case slices.Contains(neverCalled, svc.name+":"+op):
		return fmt.Errorf("%s:%s returns secret values: podecs never calls it", svc.name, op)
	case slices.Contains(svc.reads, op):
		return nil
	case slices.Contains(svc.writes, op) && c.readOnly:
		return fmt.Errorf("%s:%s changes something: this client only reads", svc.name, op)
	case slices.Contains(svc.writes, op):
		return nil
	}
	return fmt.Errorf("%s:%s is not an operation podecs calls", svc.name, op)
}

// partition is what endpoints and ARNs depend on beyond the region.
type partition struct {
	prefix, name, dnsSuffix, dualStackDNSSuffix string
	// iamHost and iamRegion are IAM's global endpoint and signing region ("": regional).
	iamHost, iamRegion string
}

// partitions are matched by region prefix in order; the last is the standard partition. The
// suffixes are those of the SDK's partitions.json; every partition supports FIPS and dual-stack.
var partitions = []partition{
	{"cn-", "aws-cn", "amazonaws.com.cn", "api.amazonwebservices.com.cn", "iam.cn-north-1.amazonaws.com.cn", "cn-north-1"},
	{"us-gov-", "aws-us-gov", "amazonaws.com", "api.aws", "iam.us-gov.amazonaws.com", "us-gov-west-1"},
	{"us-isob-", "aws-iso-b", "sc2s.sgov.gov", "api.aws.scloud", "iam.us-isob-east-1.sc2s.sgov.gov", "us-isob-east-1"},
	{"us-isof-", "aws-iso-f", "csp.hci.ic.gov", "api.aws.hci.ic.gov", "iam.us-isof-south-1.csp.hci.ic.gov", "us-isof-south-1"},
	{"us-iso-", "aws-iso", "c2s.ic.gov", "api.aws.ic.gov", "iam.us-iso-east-1.c2s.ic.gov", "us-iso-east-1"},
	{"eu-isoe-", "aws-iso-e", "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk", "", ""},
	{"eusc-", "aws-eusc", "amazonaws.eu", "api.amazonwebservices.eu", "", ""},
	{"", "aws", "amazonaws.com", "api.aws", "iam.amazonaws.com", "us-east-1"},
}

func partitionOf(region string) partition {
	for _, p := range partitions {
		if strings.HasPrefix(region, p.prefix) {
			return p
		}
	}
	return partitions[len(partitions)-1]
}

// Partition is the ARN partition of a region: aws, aws-cn, aws-us-gov, ...
func Partition(region string) string { return partitionOf(region).name }

// endpointFor returns the base URL of svc in region and the region requests are signed for: the
// client's endpoint (--endpoint-url), else the endpoint the AWS settings give the service
// (configuredEndpoint), else the service's endpoint in the region's partition. For a service with
// variants, FIPS and dual-stack select the endpoint as the SDK's rules do, and asking for either
// with an endpoint of one's own is the SDK's configuration error.
func (c *awsClient) endpointFor(svc awsService, region string) (string, string, error) {
	signing := region
	p := partitionOf(region)
	if svc.name == "iam" && p.iamRegion != "" {
		signing = p.iamRegion
	}
	var fips, dualStack bool
	if svc.variants {
		fips, dualStack = c.useFIPS(), c.useDualStack()
	}
	custom := c.endpoint
	if custom == "" {
		custom = c.configuredEndpoint(svc.id)
	}
	switch {
	case custom != "" && fips:
		return "", "", errors.New("invalid configuration: FIPS and custom endpoint are not supported")
	case custom != "" && dualStack:
		return "", "", errors.New("invalid configuration: dual-stack and custom endpoint are not supported")
	case custom != "":
		return custom, signing, nil
	case svc.name == "iam" && p.iamHost != "":
		return "https://" + p.iamHost, signing, nil
	}
	host, suffix := svc.host, p.dnsSuffix
	if host == "" {
		host = svc.name
	}
	if dualStack {
		suffix = p.dualStackDNSSuffix
	}
	// In AWS GovCloud (US) the standard endpoints are FIPS endpoints.
	if fips && (dualStack || p.name != "aws-us-gov") {
		host += "-fips"
	}
	return "https://" + host + "." + region + "." + suffix, signing, nil
}

// useFIPS and useDualStack read AWS_USE_FIPS_ENDPOINT and AWS_USE_DUALSTACK_ENDPOINT, or the
// profile's use_fips_endpoint and use_dualstack_endpoint, as the SDK does.
func (c *awsClient) useFIPS() bool {
	for _, src := range c.cfg.ConfigSources {
		if p, ok := src.(interface {
			GetUseFIPSEndpoint(context.Context) (aws.FIPSEndpointState, bool, error)
		}); ok {
			if v, found, err := p.GetUseFIPSEndpoint(context.Background()); err != nil || found {
				return v == aws.FIPSEndpointStateEnabled
			}
		}
	}
	return false
}

func (c *awsClient) useDualStack() bool {
	for _, src := range c.cfg.ConfigSources {
		if p, ok := src.(interface {
			GetUseDualStackEndpoint(context.Context) (aws.DualStackEndpointState, bool, error)
		}); ok {
			if v, found, err := p.GetUseDualStackEndpoint(context.Background()); err != nil || found {
				return v == aws.DualStackEndpointStateEnabled
			}
		}
	}
	return false
}

// configuredEndpoint is the endpoint the AWS settings give a service, in the SDK's order:
// AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL, then the services section of the profile,
// then the profile's endpoint_url; none when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is set. (The
// SDK's service clients skip the services section whenever AWS_ENDPOINT_URL is in the
// environment and AWS_ENDPOINT_URL_<SERVICE> is not, even when it is empty.)
func (c *awsClient) configuredEndpoint(sdkID string) string {
	ctx := context.Background()
	// The global endpoint: AWS_ENDPOINT_URL, else endpoint_url; nil when the settings say to
	// ignore configured endpoints (config.LoadDefaultConfig).
	global := aws.ToString(c.cfg.BaseEndpoint)
	_, globalEnv := os.LookupEnv("AWS_ENDPOINT_URL")
	_, ownEnv := os.LookupEnv("AWS_ENDPOINT_URL_" + strings.ToUpper(strings.ReplaceAll(sdkID, " ", "_")))
	if globalEnv && !ownEnv {
		return global
	}
	for _, src := range c.cfg.ConfigSources {
		if p, ok := src.(interface {
			GetIgnoreConfiguredEndpoints(context.Context) (bool, bool, error)
		}); ok {
			if v, found, err := p.GetIgnoreConfiguredEndpoints(ctx); err == nil && found {
				if v {
					return global
				}
				break
			}
		}
	}
	for _, src := range c.cfg.ConfigSources {
		if p, ok := src.(interface {
			GetServiceBaseEndpoint(context.Context, string) (string, bool, error)
		}); ok {
			if v, found, err := p.GetServiceBaseEndpoint(ctx, sdkID); err != nil || found {
				if err == nil {
					return v
				}
				break
			}
		}
	}
	return global
}

// request is one call before it is encoded.
type request struct {
	svc    awsService
	op     string
	region string // "": the client's region
	// params: the query parameters (query protocols), or the URL query of a REST GET.
	params url.Values
	// path is the REST path; body the JSON input of JSON 1.1 calls.
	path string
	body any
	// log are the key, value pairs OnCall shows.
	log []string
}

// APIError is an error answer of an AWS API. It satisfies smithy.APIError, and the standard
// retryer's checks read its code (throttling, RequestTimeout) and HTTP status (500, 502, 503,
// 504), so that those are retried as the SDK's own clients retry them.
type APIError struct {
	Code       string
	Message    string
	StatusCode int
	RequestID  string
}

// Error renders "Code: message".
func (e *APIError) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

// ErrorCode is the AWS error code, or "HTTP <status>" when the answer carried none.
func (e *APIError) ErrorCode() string { return e.Code }

// ErrorMessage is the message of the answer.
func (e *APIError) ErrorMessage() string { return e.Message }

// ErrorFault says whether the caller or the service is at fault.
func (e *APIError) ErrorFault() smithy.ErrorFault {
	if e.StatusCode >= 500 {
		return smithy.FaultServer
	}
	return smithy.FaultClient
}

// HTTPStatusCode is the status of the answer.
func (e *APIError) HTTPStatusCode() int { return e.StatusCode }

var _ smithy.APIError = (*APIError)(nil)

// maxBody bounds what is read of an answer: describe calls answer in kilobytes.
const maxBody = 16 << 20

// call sends req with retries and returns the body of the successful answer. Errors are
// *OpError: the operation with the AWS error code, or why no answer came. An operation the client
// may not call (permit) is refused before anything is sent.
func (c *awsClient) call(ctx context.Context, req request) ([]byte, error) {
	if req.region == "" {
		req.region = c.cfg.Region
	}
	if err := c.permit(req.svc, req.op); err != nil {
		return nil, &OpError{Operation: req.op, Message: err.Error(), Err: err}
	}
	base, signing, err := c.endpointFor(req.svc, req.region)
	if err != nil {
		return nil, &OpError{Operation: req.op, Message: err.Error(), Err: err}
	}
	if c.OnCall != nil {
		c.OnCall(req.svc.name, req.op, req.log...)
	}
	body, err := c.retried(ctx, req, base, signing)
	if err != nil {
		return nil, callError(req.svc, req.op, err)
	}
	return body, nil
}

// retried runs attempts as the SDK's retry middleware does: a send token, then on a retryable
// error a retry token from the retryer's quota and its backoff delay, up to MaxAttempts.
func (c *awsClient) retried(ctx context.Context, req request, base, signingRegion string) ([]byte, error) {
	release := func(error) error { return nil }
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		sendRelease := func(error) error { return nil }
		if v2, ok := c.retryer.(aws.RetryerV2); ok {
			rel, err := v2.GetAttemptToken(ctx)
			if err != nil {
				return nil, fmt.Errorf("failed to get retry send token: %w", err)
			}
			sendRelease = rel
		}
		body, err := c.attempt(ctx, req, base, signingRegion)
		_ = release(err)
		_ = sendRelease(err)
		if err == nil {
			return body, nil
		}
		if !c.retryer.IsErrorRetryable(err) {
			return nil, err
		}
		if attempt >= c.retryer.MaxAttempts() {
			return nil, &retry.MaxAttemptsError{Attempt: attempt, Err: err}
		}
		rel, terr := c.retryer.GetRetryToken(ctx, err)
		if terr != nil {
			return nil, errors.Join(err, terr)
		}
		release = rel
		delay, derr := c.retryer.RetryDelay(attempt, err)
		if derr != nil {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(delay):
		}
	}
}

// attempt sends one signed request to base and returns the body of a 2xx answer, an *APIError for an
// error answer, or the transport error.
func (c *awsClient) attempt(ctx context.Context, req request, base, signingRegion string) ([]byte, error) {
	hr, payload, err := encode(ctx, base, req)
	if err != nil {
		return nil, err
	}
	if c.cfg.Credentials == nil {
		return nil, errors.New("no AWS credentials")
	}
	creds, err := c.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("AWS credentials: %w", err)
	}
	sum := sha256.Sum256(payload)
	if err := c.signer.SignHTTP(ctx, creds, hr, hex.EncodeToString(sum[:]), req.svc.name, signingRegion, c.now().UTC()); err != nil {
		return nil, err
	}
	client := c.cfg.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(hr)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, decodeError(req.svc, resp, body)
	}
	return body, nil
}

// encode builds the HTTP request of req at base and returns it with its payload.
func encode(ctx context.Context, base string, req request) (*http.Request, []byte, error) {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return nil, nil, fmt.Errorf("endpoint %q is not a URL", base)
	}
	var payload []byte
	method, contentType := http.MethodPost, ""
	switch req.svc.protocol {
	case protoJSON:
		in := req.body
		if in == nil {
			in = struct{}{}
		}
		if payload, err = json.Marshal(in); err != nil {
			return nil, nil, err
		}
		contentType = "application/x-amz-json-1.1"
	case protoQuery, protoEC2:
		v := url.Values{}
		for k, vs := range req.params {
			v[k] = vs
		}
		v.Set("Action", req.op)
		v.Set("Version", req.svc.version)
		payload = []byte(v.Encode())
		contentType = "application/x-www-form-urlencoded; charset=utf-8"
	case protoREST:
		method = http.MethodGet
		u.Path = strings.TrimSuffix(u.Path, "/") + req.path
		u.RawQuery = req.params.Encode()
	}
	if u.Path == "" {
		u.Path = "/"
	}
	hr, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(payload))
	if err != nil {
		return nil, nil, err
	}
	if contentType != "" {
		hr.Header.Set("Content-Type", contentType)
	}
	if req.svc.protocol == protoJSON {
		hr.Header.Set("X-Amz-Target", req.svc.target+"."+req.op)
	}
	hr.Header.Set("Accept", "application/json, text/xml")
	return hr, payload, nil
}

// decodeError reads the error answer of each protocol: JSON {"__type", "message"} (or the
// X-Amzn-ErrorType header), query <ErrorResponse><Error><Code>, EC2 <Response><Errors><Error>.
// An answer that is neither (a proxy's HTML page) keeps its HTTP status, so that 5xx are retried.
func decodeError(svc awsService, resp *http.Response, body []byte) *APIError {
	e := &APIError{StatusCode: resp.StatusCode, RequestID: resp.Header.Get("X-Amzn-Requestid")}
	switch svc.protocol {
	case protoJSON, protoREST:
		var j struct {
			Type      string `json:"__type"`
			Code      string `json:"code"`
			ErrorCode string `json:"ErrorCode"`
			Message   string `json:"message"`
			MessageU  string `json:"Message"`
		}
		_ = json.Unmarshal(body, &j)
		e.Code = firstOf(resp.Header.Get("X-Amzn-ErrorType"), j.Type, j.Code, j.ErrorCode)
		e.Message = firstOf(j.Message, j.MessageU)
	default:
		var x struct {
			Code      string `xml:"Error>Code"`
			Message   string `xml:"Error>Message"`
			EC2Code   string `xml:"Errors>Error>Code"`
			EC2Msg    string `xml:"Errors>Error>Message"`
			RequestID string `xml:"RequestId"`
			EC2ReqID  string `xml:"RequestID"`
		}
		_ = xml.Unmarshal(body, &x)
		e.Code, e.Message = firstOf(x.Code, x.EC2Code), firstOf(x.Message, x.EC2Msg)
		e.RequestID = firstOf(e.RequestID, x.RequestID, x.EC2ReqID)
	}
	// "aws.protocoltests#Code:http://…" and "prefix#Code" name the code after the marks.
	if i := strings.IndexByte(e.Code, ':'); i >= 0 {
		e.Code = e.Code[:i]
	}
	if i := strings.LastIndexByte(e.Code, '#'); i >= 0 {
		e.Code = e.Code[i+1:]
	}
	if e.Code == "" {
		e.Code = fmt.Sprintf("HTTP %d", resp.StatusCode)
		if resp.StatusCode == http.StatusTooManyRequests {
			e.Code = "TooManyRequestsException"
		}
		if e.Message == "" {
			e.Message = http.StatusText(resp.StatusCode)
		}
	}
	return e
}

func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// callError wraps an error of the call op of svc as an *OpError naming both.
func callError(svc awsService, op string, err error) error {
	e := &OpError{Operation: op, Err: err}
	var ae *APIError
	if errors.As(err, &ae) {
		e.Code, e.Message = ae.Code, ae.Message
		return e
	}
	e.Message = transportMessage(err, svc.id)
	return e
}

// ErrorCode is the AWS error code of err, or "" when no answer came.
func ErrorCode(err error) string {
	var oe *OpError
	if errors.As(err, &oe) {
		return oe.Code
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// jsonCall makes a JSON 1.1 call and decodes its answer into out.
func (c *awsClient) jsonCall(ctx context.Context, req request, out any) error {
	body, err := c.call(ctx, req)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, out); err != nil {
		return callError(req.svc, req.op, fmt.Errorf("cannot read the answer: %w", err))
	}
	return nil
}

// xmlCall makes a query call and decodes its XML answer into out.
func (c *awsClient) xmlCall(ctx context.Context, req request, out any) error {
	body, err := c.call(ctx, req)
	if err != nil {
		return err
	}
	if err := xml.Unmarshal(body, out); err != nil {
		return callError(req.svc, req.op, fmt.Errorf("cannot read the answer: %w", err))
	}
	return nil
}
