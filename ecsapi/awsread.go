package ecsapi

import (
	"context"
	"net/url"
)

// Reader makes read-only calls to the AWS services `podecs verify` checks: IAM, STS, EC2, Elastic
// Load Balancing, Secrets Manager, SSM, CloudWatch Logs, ECR, Cloud Map and EFS, on the small
// client of awsclient.go. It only reads: its client refuses every operation a service lists as a
// write, and none of its services lists an operation that returns a secret value (no
// GetSecretValue, no GetParameter). Make it with NewReader; it is safe for concurrent use.
type Reader struct {
	awsClient
}

// NewReader builds a Reader from the standard AWS configuration chain and o, as NewClient does
// for ECS. o.EndpointURL, when set, is the endpoint of every service; otherwise each service
// honours AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the services section of the profile and
// the profile's endpoint_url as the SDK does, then its standard regional endpoint.
func NewReader(ctx context.Context, o Options) (*Reader, error) {
	c, err := newAWSClient(ctx, o, true)
	if err != nil {
		return nil, err
	}
	return &Reader{awsClient: c}, nil
}

// The services verify calls, with the operations the Reader calls on each: all of them reads.
var (
	svcIAM = awsService{id: "IAM", name: "iam", protocol: protoQuery, version: "2010-05-08",
		reads: []string{"GetRole", "ListRolePolicies", "GetRolePolicy", "ListAttachedRolePolicies", "GetPolicy", "GetPolicyVersion"}}
	svcSTS = awsService{id: "STS", name: "sts", protocol: protoQuery, version: "2011-06-15",
		reads: []string{"GetCallerIdentity"}}
	svcEC2 = awsService{id: "EC2", name: "ec2", protocol: protoEC2, version: "2016-11-15",
		reads: []string{"DescribeSubnets", "DescribeSecurityGroups", "DescribeRouteTables", "DescribeVpcEndpoints"}}
	svcELB = awsService{id: "Elastic Load Balancing v2", name: "elasticloadbalancing", protocol: protoQuery, version: "2015-12-01",
		reads: []string{"DescribeTargetGroups"}}
	svcSecretsManager = awsService{id: "Secrets Manager", name: "secretsmanager", protocol: protoJSON, target: "secretsmanager",
		reads: []string{"DescribeSecret"}}
	svcSSM = awsService{id: "SSM", name: "ssm", protocol: protoJSON, target: "AmazonSSM",
		reads: []string{"DescribeParameters"}}
	svcLogs = awsService{id: "CloudWatch Logs", name: "logs", protocol: protoJSON, target: "Logs_20140328",
		reads: []string{"DescribeLogGroups"}}
	svcECR = awsService{id: "ECR", name: "ecr", host: "api.ecr", protocol: protoJSON, target: "AmazonEC2ContainerRegistry_V20150921",
		reads: []string{"DescribeImages"}}
	svcCloudMap = awsService{id: "ServiceDiscovery", name: "servicediscovery", protocol: protoJSON, target: "Route53AutoNaming_v20170314",
		reads: []string{"GetNamespace", "ListNamespaces", "GetService"}}
	svcEFS = awsService{id: "EFS", name: "elasticfilesystem", protocol: protoREST,
		reads: []string{"DescribeFileSystems", "DescribeAccessPoints", "DescribeMountTargets"}}
)

// decodePolicy returns an IAM policy document as IAM returns it: URL-encoded JSON.
func decodePolicy(doc string) string {
	if s, err := url.PathUnescape(doc); err == nil {
		return s
	}
	return doc
}
