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
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go"
)

// The read-only AWS client of `podecs verify`. It makes the few describe calls verify needs to
// IAM, STS, EC2, Elastic Load Balancing, Secrets Manager, SSM, CloudWatch Logs, ECR, Cloud Map and
// EFS on the SDK's core — the credentials, region, profile, HTTP client and standard retryer of
// the same aws.Config the ECS client uses, and its SigV4 signer — and speaks the three wire
// protocols itself (JSON 1.1, query with XML answers, REST-JSON) with the standard library.
//
// It does not link the SDK's service packages: each of those runs the initialisation of its
// schemas and endpoint tables at every start of every podecs command, which made a one-file
// `podecs convert` about 65 % slower. This file costs nothing until a Reader is made.

// Reader makes read-only calls to the AWS services verify checks. Make it with NewReader; it is
// safe for concurrent use.
type Reader struct {
	cfg      aws.Config
	endpoint string // --endpoint-url: every service at one address (an emulator)
	retryer  aws.Retryer
	signer   *v4.Signer
	now      func() time.Time
	// OnCall, when set, is called before each request (not each retry) with the service, the
	// operation and its main parameters as key, value pairs; --verbose prints them.
	OnCall func(service, operation string, params ...string)
}

// NewReader builds a Reader from the standard AWS configuration chain and o, as NewClient does
// for ECS. o.EndpointURL, when set, is the endpoint of every service; otherwise each service
// honours AWS_ENDPOINT_URL_<SERVICE>, the services section of the profile, AWS_ENDPOINT_URL and
// the profile's endpoint_url as the SDK does, then its standard regional endpoint.
func NewReader(ctx context.Context, o Options) (*Reader, error) {
	cfg, err := awsConfig(ctx, o)
	if err != nil {
		return nil, err
	}
	r := &Reader{cfg: cfg, endpoint: o.EndpointURL, signer: v4.NewSigner(), now: time.Now}
	if cfg.Retryer != nil {
		r.retryer = cfg.Retryer()
	} else {
		r.retryer = retry.NewStandard()
	}
	return r, nil
}

// CheckCredentials retrieves the credentials once, so that missing ones are one error up front
// rather than the error of every call.
func (r *Reader) CheckCredentials(ctx context.Context) error {
	if r.cfg.Credentials == nil {
		return errors.New("no AWS credentials")
	}
	if _, err := r.cfg.Credentials.Retrieve(ctx); err != nil {
		return fmt.Errorf("no AWS credentials: %w", err)
	}
	return nil
}

// Region is the region calls go to when they name none.
func (r *Reader) Region() string { return r.cfg.Region }

// awsService is one AWS API as the Reader calls it.
type awsService struct {
	// id is the SDK service ID (AWS_ENDPOINT_URL_<ID> with spaces as underscores, upper case).
	id string
	// name is the signing name; host is the endpoint's first label(s) when it differs from name.
	name, host string
	protocol   protocol
	// target is the X-Amz-Target prefix of JSON 1.1 services; version the query API version.
	target, version string
}

type protocol int

const (
	protoJSON protocol = iota
	protoQuery
	protoEC2
	protoREST
)

// The services verify calls.
var (
	svcIAM            = awsService{id: "IAM", name: "iam", protocol: protoQuery, version: "2010-05-08"}
	svcSTS            = awsService{id: "STS", name: "sts", protocol: protoQuery, version: "2011-06-15"}
	svcEC2            = awsService{id: "EC2", name: "ec2", protocol: protoEC2, version: "2016-11-15"}
	svcELB            = awsService{id: "Elastic Load Balancing v2", name: "elasticloadbalancing", protocol: protoQuery, version: "2015-12-01"}
	svcSecretsManager = awsService{id: "Secrets Manager", name: "secretsmanager", protocol: protoJSON, target: "secretsmanager"}
	svcSSM            = awsService{id: "SSM", name: "ssm", protocol: protoJSON, target: "AmazonSSM"}
	svcLogs           = awsService{id: "CloudWatch Logs", name: "logs", protocol: protoJSON, target: "Logs_20140328"}
	svcECR            = awsService{id: "ECR", name: "ecr", host: "api.ecr", protocol: protoJSON, target: "AmazonEC2ContainerRegistry_V20150921"}
	svcCloudMap       = awsService{id: "ServiceDiscovery", name: "servicediscovery", protocol: protoJSON, target: "Route53AutoNaming_v20170314"}
	svcEFS            = awsService{id: "EFS", name: "elasticfilesystem", protocol: protoREST}
)

// partition is what endpoints and ARNs depend on beyond the region.
type partition struct {
	prefix, name, dnsSuffix string
	// iamHost and iamRegion are IAM's global endpoint and signing region ("": regional).
	iamHost, iamRegion string
}

// partitions are matched by region prefix in order; the last is the standard partition.
var partitions = []partition{
	{"cn-", "aws-cn", "amazonaws.com.cn", "iam.cn-north-1.amazonaws.com.cn", "cn-north-1"},
	{"us-gov-", "aws-us-gov", "amazonaws.com", "iam.us-gov.amazonaws.com", "us-gov-west-1"},
	{"us-isob-", "aws-iso-b", "sc2s.sgov.gov", "iam.us-isob-east-1.sc2s.sgov.gov", "us-isob-east-1"},
	{"us-isof-", "aws-iso-f", "csp.hci.ic.gov", "iam.us-isof-south-1.csp.hci.ic.gov", "us-isof-south-1"},
	{"us-iso-", "aws-iso", "c2s.ic.gov", "iam.us-iso-east-1.c2s.ic.gov", "us-iso-east-1"},
	{"eu-isoe-", "aws-iso-e", "cloud.adc-e.uk", "", ""},
	{"eusc-", "aws-eusc", "amazonaws.eu", "", ""},
	{"", "aws", "amazonaws.com", "iam.amazonaws.com", "us-east-1"},
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

// endpointFor returns the base URL of svc in region and the region requests are signed for.
func (r *Reader) endpointFor(svc awsService, region string) (string, string) {
	signing := region
	p := partitionOf(region)
	if svc.name == "iam" && p.iamRegion != "" {
		signing = p.iamRegion
	}
	if r.endpoint != "" {
		return r.endpoint, signing
	}
	if u := r.configuredEndpoint(svc.id); u != "" {
		return u, signing
	}
	if svc.name == "iam" && p.iamHost != "" {
		return "https://" + p.iamHost, signing
	}
	host := svc.host
	if host == "" {
		host = svc.name
	}
	return "https://" + host + "." + region + "." + p.dnsSuffix, signing
}

// configuredEndpoint is the endpoint the AWS settings give a service, as the SDK resolves it:
// AWS_ENDPOINT_URL_<SERVICE> or the profile's services section first, then AWS_ENDPOINT_URL or
// the profile's endpoint_url; none when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is set.
func (r *Reader) configuredEndpoint(sdkID string) string {
	ctx := context.Background()
	for _, src := range r.cfg.ConfigSources {
		if p, ok := src.(interface {
			GetIgnoreConfiguredEndpoints(context.Context) (bool, bool, error)
		}); ok {
			if v, found, err := p.GetIgnoreConfiguredEndpoints(ctx); err == nil && found {
				if v {
					return ""
				}
				break
			}
		}
	}
	for _, src := range r.cfg.ConfigSources {
		if p, ok := src.(interface {
			GetServiceBaseEndpoint(context.Context, string) (string, bool, error)
		}); ok {
			if v, found, err := p.GetServiceBaseEndpoint(ctx, sdkID); err == nil && found {
				return v
			}
		}
	}
	return aws.ToString(r.cfg.BaseEndpoint)
}

// request is one call before it is encoded.
type request struct {
	svc    awsService
	op     string
	region string // "": the Reader's region
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
// *OpError: the operation with the AWS error code, or why no answer came.
func (r *Reader) call(ctx context.Context, req request) ([]byte, error) {
	if req.region == "" {
		req.region = r.cfg.Region
	}
	if r.OnCall != nil {
		r.OnCall(req.svc.name, req.op, req.log...)
	}
	body, err := r.retried(ctx, req)
	if err != nil {
		return nil, readError(req.svc, req.op, err)
	}
	return body, nil
}

// retried runs attempts as the SDK's retry middleware does: a send token, then on a retryable
// error a retry token from the retryer's quota and its backoff delay, up to MaxAttempts.
func (r *Reader) retried(ctx context.Context, req request) ([]byte, error) {
	release := func(error) error { return nil }
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		sendRelease := func(error) error { return nil }
		if v2, ok := r.retryer.(aws.RetryerV2); ok {
			rel, err := v2.GetAttemptToken(ctx)
			if err != nil {
				return nil, fmt.Errorf("failed to get retry send token: %w", err)
			}
			sendRelease = rel
		}
		body, err := r.attempt(ctx, req)
		_ = release(err)
		_ = sendRelease(err)
		if err == nil {
			return body, nil
		}
		if !r.retryer.IsErrorRetryable(err) {
			return nil, err
		}
		if attempt >= r.retryer.MaxAttempts() {
			return nil, &retry.MaxAttemptsError{Attempt: attempt, Err: err}
		}
		rel, terr := r.retryer.GetRetryToken(ctx, err)
		if terr != nil {
			return nil, errors.Join(err, terr)
		}
		release = rel
		delay, derr := r.retryer.RetryDelay(attempt, err)
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

// attempt sends one signed request and returns the body of a 2xx answer, an *APIError for an
// error answer, or the transport error.
func (r *Reader) attempt(ctx context.Context, req request) ([]byte, error) {
	base, signingRegion := r.endpointFor(req.svc, req.region)
	hr, payload, err := encode(ctx, base, req)
	if err != nil {
		return nil, err
	}
	if r.cfg.Credentials == nil {
		return nil, errors.New("no AWS credentials")
	}
	creds, err := r.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("AWS credentials: %w", err)
	}
	sum := sha256.Sum256(payload)
	if err := r.signer.SignHTTP(ctx, creds, hr, hex.EncodeToString(sum[:]), req.svc.name, signingRegion, r.now().UTC()); err != nil {
		return nil, err
	}
	client := r.cfg.HTTPClient
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

// readError wraps an error of the call op of svc as an *OpError naming both.
func readError(svc awsService, op string, err error) error {
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
func (r *Reader) jsonCall(ctx context.Context, req request, out any) error {
	body, err := r.call(ctx, req)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, out); err != nil {
		return readError(req.svc, req.op, fmt.Errorf("cannot read the answer: %w", err))
	}
	return nil
}

// xmlCall makes a query call and decodes its XML answer into out.
func (r *Reader) xmlCall(ctx context.Context, req request, out any) error {
	body, err := r.call(ctx, req)
	if err != nil {
		return err
	}
	if err := xml.Unmarshal(body, out); err != nil {
		return readError(req.svc, req.op, fmt.Errorf("cannot read the answer: %w", err))
	}
	return nil
}

// decodePolicy returns an IAM policy document as IAM returns it: URL-encoded JSON.
func decodePolicy(doc string) string {
	if s, err := url.PathUnescape(doc); err == nil {
		return s
	}
	return doc
}
