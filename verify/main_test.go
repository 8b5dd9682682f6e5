package verify

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/stretchr/testify/require"

	"github.com/podecs/podecs/ecsapi"
	"github.com/podecs/podecs/internal/motoserver"
)

func TestMain(m *testing.M) {
	code := m.Run()
	motoserver.Stop()
	os.Exit(code)
}

// run makes the names of one test run unique, so that the tests can run again on the same moto.
var run = strconv.FormatInt(time.Now().UnixNano()%(1<<40), 36)

const account = "123456789012"

// clients returns the ECS client and the Reader for moto, made as the CLI makes them.
func clients(t *testing.T) (*ecs.Client, *ecsapi.Reader, string) {
	t.Helper()
	endpoint := motoserver.Endpoint(t)
	for _, kv := range motoserver.Env(endpoint) {
		if k, v, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, v)
		}
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	o := ecsapi.Options{EndpointURL: endpoint}
	c, err := ecsapi.NewClient(context.Background(), o)
	require.NoError(t, err)
	r, err := ecsapi.NewReader(context.Background(), o)
	require.NoError(t, err)
	return c, r, endpoint
}

// world is the AWS side the tests check against: each resource exists once, with a twin that is
// wrong in one way.
type world struct {
	endpoint string

	cluster, ec2Cluster, scCluster, hostCluster string

	execRole, irsaRole, otherRole, bareRole, denyRole, condRole string

	secretARN, paramName, logGroup, repo, digest string

	vpcA, vpcB                              string
	publicSubnet, natSubnet, isolatedSubnet string
	vpcEndpointSubnet, sgA, sgB, sgC        string

	tgIP, tgInstance, tgLonely, tgHealth string
	namespace, namespaceARN, registry    string
	fs, ap, otherAP, fsNoTargets         string
	zone, otherZone                      string
}

// iam, ec2, elb, ... make the setup calls.
func (w *world) iam(t *testing.T, action string, params ...string) string {
	return motoserver.Query(t, w.endpoint, "iam", "2010-05-08", action, params...)
}

func (w *world) ec2(t *testing.T, action string, params ...string) string {
	return motoserver.Query(t, w.endpoint, "ec2", "2016-11-15", action, params...)
}

func (w *world) elb(t *testing.T, action string, params ...string) string {
	return motoserver.Query(t, w.endpoint, "elasticloadbalancing", "2015-12-01", action, params...)
}

func (w *world) json(t *testing.T, service, target string, body any) map[string]any {
	return motoserver.JSON(t, w.endpoint, service, target, body)
}

func (w *world) efs(t *testing.T, path string, body any) map[string]any {
	return motoserver.REST(t, w.endpoint, "elasticfilesystem", "POST", "/2015-02-01/"+path, body)
}

// trust is a trust policy for the principal of the given kind and name and action.
func trust(kind, name, action string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{%q:%q},"Action":%q}]}`, kind, name, action)
}

func (w *world) role(t *testing.T, name, trustPolicy string, policies ...string) string {
	t.Helper()
	arn := motoserver.XMLValue(t, w.iam(t, "CreateRole", "RoleName", name, "AssumeRolePolicyDocument", trustPolicy), "Arn")
	for i, p := range policies {
		w.iam(t, "PutRolePolicy", "RoleName", name, "PolicyName", "p"+strconv.Itoa(i), "PolicyDocument", p)
	}
	return arn
}

// newWorld creates the resources; it is made once and shared by the tests of this package.
func newWorld(t *testing.T, endpoint string) *world {
	t.Helper()
	w := &world{endpoint: endpoint}
	ecsTrust := trust("Service", "ecs-tasks.amazonaws.com", "sts:AssumeRole")

	w.cluster, w.ec2Cluster, w.scCluster = "vfy-"+run, "vfy-ec2-"+run, "vfy-sc-"+run
	w.json(t, "ecs", "AmazonEC2ContainerServiceV20141113.CreateCluster", map[string]any{"clusterName": w.cluster, "capacityProviders": []string{"FARGATE"}})
	w.json(t, "ecs", "AmazonEC2ContainerServiceV20141113.CreateCluster", map[string]any{"clusterName": w.ec2Cluster})
	// A cluster with one EC2 container instance.
	w.hostCluster = "vfy-hosts-" + run
	w.json(t, "ecs", "AmazonEC2ContainerServiceV20141113.CreateCluster", map[string]any{"clusterName": w.hostCluster})
	instance := motoserver.XMLValue(t, w.ec2(t, "RunInstances", "ImageId", "ami-12c6146b", "MinCount", "1", "MaxCount", "1"), "instanceId")
	w.json(t, "ecs", "AmazonEC2ContainerServiceV20141113.RegisterContainerInstance", map[string]any{"cluster": w.hostCluster, "instanceIdentityDocument": `{"instanceId": "` + instance + `"}`})

	// Secrets Manager, SSM, CloudWatch Logs, ECR.
	w.secretARN = w.json(t, "secretsmanager", "secretsmanager.CreateSecret", map[string]any{"Name": "vfy/db-" + run, "SecretString": `{"password":"never-read"}`})["ARN"].(string)
	w.paramName = "/vfy/" + run + "/key"
	w.json(t, "ssm", "AmazonSSM.PutParameter", map[string]any{"Name": w.paramName, "Value": "never-read", "Type": "SecureString"})
	w.logGroup = "/ecs/vfy-" + run
	w.json(t, "logs", "Logs_20140328.CreateLogGroup", map[string]any{"logGroupName": w.logGroup})
	w.repo = "vfy/web-" + run
	w.json(t, "ecr", "AmazonEC2ContainerRegistry_V20150921.CreateRepository", map[string]any{"repositoryName": w.repo})
	img := w.json(t, "ecr", "AmazonEC2ContainerRegistry_V20150921.PutImage", map[string]any{"repositoryName": w.repo, "imageTag": "1.0", "imageManifest": imageManifest})
	w.digest = img["image"].(map[string]any)["imageId"].(map[string]any)["imageDigest"].(string)

	// IAM: an execution role that may read all of the above; roles that trust the wrong
	// principal; one without policies; one with a Deny; one allowed only under a condition.
	allow := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[`+
		`{"Effect":"Allow","Action":["secretsmanager:GetSecretValue"],"Resource":"arn:aws:secretsmanager:us-east-1:%[1]s:secret:vfy/*"},`+
		`{"Effect":"Allow","Action":"ssm:GetParameters","Resource":"arn:aws:ssm:us-east-1:%[1]s:parameter/vfy/*"},`+
		`{"Effect":"Allow","Action":["ecr:GetAuthorizationToken","ecr:BatchCheckLayerAvailability","ecr:GetDownloadUrlForLayer","ecr:BatchGetImage"],"Resource":"*"}]}`, account)
	managed := motoserver.XMLValue(t, w.iam(t, "CreatePolicy", "PolicyName", "vfy-logs-"+run, "PolicyDocument",
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:*:*:log-group:/ecs/*"}}`), "Arn")
	w.execRole = w.role(t, "vfy-exec-"+run, ecsTrust, allow)
	w.iam(t, "AttachRolePolicy", "RoleName", "vfy-exec-"+run, "PolicyArn", managed)
	w.irsaRole = w.role(t, "vfy-irsa-"+run, trust("Federated", "arn:aws:iam::"+account+":oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789", "sts:AssumeRoleWithWebIdentity"))
	w.otherRole = w.role(t, "vfy-lambda-"+run, trust("Service", "lambda.amazonaws.com", "sts:AssumeRole"))
	w.bareRole = w.role(t, "vfy-bare-"+run, ecsTrust)
	w.denyRole = w.role(t, "vfy-deny-"+run, ecsTrust, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"secretsmanager:*","Resource":"*"}]}`)
	w.condRole = w.role(t, "vfy-cond-"+run, ecsTrust, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"shop"}}}]}`)

	// Two VPCs: in A a public subnet (default route to an internet gateway), a private one (to a
	// NAT gateway), an isolated one (no default route) and one whose VPC has endpoints; B holds a
	// security group of the wrong VPC.
	w.vpcA = motoserver.XMLValue(t, w.ec2(t, "CreateVpc", "CidrBlock", "10.30.0.0/16"), "vpcId")
	w.vpcB = motoserver.XMLValue(t, w.ec2(t, "CreateVpc", "CidrBlock", "10.31.0.0/16"), "vpcId")
	vpcC := motoserver.XMLValue(t, w.ec2(t, "CreateVpc", "CidrBlock", "10.32.0.0/16"), "vpcId")
	subnet := func(vpc, cidr, zone string) string {
		return motoserver.XMLValue(t, w.ec2(t, "CreateSubnet", "VpcId", vpc, "CidrBlock", cidr, "AvailabilityZone", zone), "subnetId")
	}
	w.zone, w.otherZone = "us-east-1a", "us-east-1b"
	w.publicSubnet = subnet(w.vpcA, "10.30.1.0/24", w.zone)
	w.natSubnet = subnet(w.vpcA, "10.30.2.0/24", w.otherZone)
	w.isolatedSubnet = subnet(w.vpcA, "10.30.3.0/24", w.zone)
	w.vpcEndpointSubnet = subnet(vpcC, "10.32.1.0/24", w.zone)
	w.sgA = motoserver.XMLValue(t, w.ec2(t, "CreateSecurityGroup", "GroupName", "vfy-a-"+run, "GroupDescription", "verify", "VpcId", w.vpcA), "groupId")
	w.sgB = motoserver.XMLValue(t, w.ec2(t, "CreateSecurityGroup", "GroupName", "vfy-b-"+run, "GroupDescription", "verify", "VpcId", w.vpcB), "groupId")
	w.sgC = motoserver.XMLValue(t, w.ec2(t, "CreateSecurityGroup", "GroupName", "vfy-c-"+run, "GroupDescription", "verify", "VpcId", vpcC), "groupId")
	igw := motoserver.XMLValue(t, w.ec2(t, "CreateInternetGateway"), "internetGatewayId")
	w.ec2(t, "AttachInternetGateway", "InternetGatewayId", igw, "VpcId", w.vpcA)
	routes := func(subnet string, target ...string) {
		rt := motoserver.XMLValue(t, w.ec2(t, "CreateRouteTable", "VpcId", w.vpcA), "routeTableId")
		w.ec2(t, "AssociateRouteTable", "RouteTableId", rt, "SubnetId", subnet)
		if len(target) == 2 {
			w.ec2(t, "CreateRoute", "RouteTableId", rt, "DestinationCidrBlock", "0.0.0.0/0", target[0], target[1])
		}
	}
	routes(w.publicSubnet, "GatewayId", igw)
	eip := motoserver.XMLValue(t, w.ec2(t, "AllocateAddress", "Domain", "vpc"), "allocationId")
	nat := motoserver.XMLValue(t, w.ec2(t, "CreateNatGateway", "SubnetId", w.publicSubnet, "AllocationId", eip), "natGatewayId")
	routes(w.natSubnet, "NatGatewayId", nat)
	routes(w.isolatedSubnet)
	for _, svc := range []string{"ecr.api", "ecr.dkr", "s3", "logs", "secretsmanager", "ssm"} {
		w.ec2(t, "CreateVpcEndpoint", "VpcId", vpcC, "ServiceName", "com.amazonaws.us-east-1."+svc, "VpcEndpointType", "Interface", "SubnetId.1", w.vpcEndpointSubnet)
	}

	// Target groups: of type ip behind a load balancer; of type instance; behind none; with a
	// health check port of its own.
	lb := motoserver.XMLValue(t, w.elb(t, "CreateLoadBalancer", "Name", "vfy-"+run, "Subnets.member.1", w.publicSubnet, "Subnets.member.2", w.natSubnet), "LoadBalancerArn")
	tg := func(name, targetType string, extra ...string) string {
		arn := motoserver.XMLValue(t, w.elb(t, "CreateTargetGroup", append([]string{"Name", name + "-" + run, "Protocol", "HTTP", "Port", "8080", "VpcId", w.vpcA, "TargetType", targetType}, extra...)...), "TargetGroupArn")
		return arn
	}
	w.tgIP, w.tgInstance, w.tgLonely = tg("vfy-ip", "ip"), tg("vfy-inst", "instance"), tg("vfy-lonely", "ip")
	w.tgHealth = tg("vfy-hc", "ip", "HealthCheckPort", "9090")
	for i, arn := range []string{w.tgIP, w.tgInstance, w.tgHealth} {
		w.elb(t, "CreateListener", "LoadBalancerArn", lb, "Protocol", "HTTP", "Port", strconv.Itoa(80+i),
			"DefaultActions.member.1.Type", "forward", "DefaultActions.member.1.TargetGroupArn", arn)
	}

	// Cloud Map: a namespace with a service; a cluster whose Service Connect default is it.
	w.namespace = "vfy-" + run + ".local"
	w.json(t, "servicediscovery", "Route53AutoNaming_v20170314.CreateHttpNamespace", map[string]any{"Name": w.namespace})
	for _, n := range w.json(t, "servicediscovery", "Route53AutoNaming_v20170314.ListNamespaces", map[string]any{})["Namespaces"].([]any) {
		if m := n.(map[string]any); m["Name"] == w.namespace {
			w.namespaceARN = m["Arn"].(string)
			svc := w.json(t, "servicediscovery", "Route53AutoNaming_v20170314.CreateService", map[string]any{"Name": "web", "NamespaceId": m["Id"]})
			w.registry = svc["Service"].(map[string]any)["Arn"].(string)
		}
	}
	require.NotEmpty(t, w.namespaceARN)
	w.json(t, "ecs", "AmazonEC2ContainerServiceV20141113.CreateCluster", map[string]any{"clusterName": w.scCluster, "serviceConnectDefaults": map[string]string{"namespace": w.namespaceARN}})

	// EFS: a file system with an access point and a mount target in the public subnet's zone;
	// another file system with an access point and no mount target.
	w.fs = w.efs(t, "file-systems", map[string]any{"CreationToken": "vfy-" + run})["FileSystemId"].(string)
	w.ap = w.efs(t, "access-points", map[string]any{"ClientToken": "vfy-" + run, "FileSystemId": w.fs})["AccessPointId"].(string)
	w.efs(t, "mount-targets", map[string]any{"FileSystemId": w.fs, "SubnetId": w.publicSubnet})
	w.fsNoTargets = w.efs(t, "file-systems", map[string]any{"CreationToken": "vfy-2-" + run})["FileSystemId"].(string)
	w.otherAP = w.efs(t, "access-points", map[string]any{"ClientToken": "vfy-2-" + run, "FileSystemId": w.fsNoTargets})["AccessPointId"].(string)
	return w
}

// imageManifest is a minimal Docker image manifest for ECR PutImage.
const imageManifest = `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",` +
	`"config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7023,"digest":"sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"},"layers":[]}`

// taskDef is a Fargate task definition with one container web listening on 8080.
func taskDef(family string, edit ...func(*ecs.RegisterTaskDefinitionInput, *types.ContainerDefinition)) *ecs.RegisterTaskDefinitionInput {
	c := types.ContainerDefinition{Name: aws.String("web"), Image: aws.String("nginx:1.27"),
		PortMappings: []types.PortMapping{{ContainerPort: aws.Int32(8080), Protocol: types.TransportProtocolTcp}}}
	td := &ecs.RegisterTaskDefinitionInput{Family: aws.String(family), NetworkMode: types.NetworkModeAwsvpc,
		RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate}, Cpu: aws.String("256"), Memory: aws.String("512")}
	for _, e := range edit {
		e(td, &c)
	}
	td.ContainerDefinitions = append([]types.ContainerDefinition{c}, td.ContainerDefinitions...)
	return td
}

// service is a Fargate service of family in cluster, in subnets with security groups.
func service(name, cluster string, subnets, groups []string, edit ...func(*ecs.CreateServiceInput)) *ecs.CreateServiceInput {
	s := &ecs.CreateServiceInput{ServiceName: aws.String(name), Cluster: aws.String(cluster), TaskDefinition: aws.String(name),
		LaunchType: types.LaunchTypeFargate, DesiredCount: aws.Int32(1),
		NetworkConfiguration: &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: subnets, SecurityGroups: groups}}}
	for _, e := range edit {
		e(s)
	}
	return s
}
