package verify

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podecs/podecs/ecsapi"
)

var (
	shared     *world
	sharedOnce sync.Once
)

// setup returns the clients and the shared world, made on first use.
func setup(t *testing.T) (*ecs.Client, *ecsapi.Reader, *world) {
	t.Helper()
	c, r, endpoint := clients(t)
	sharedOnce.Do(func() { shared = newWorld(t, endpoint) })
	require.NotNil(t, shared, "the AWS resources of the tests could not be made")
	return c, r, shared
}

// want is a line a report must hold: its status and a part of its message. An empty workload
// matches the one workload that has the check.
type want struct {
	workload, check, resource string
	status                    Status
	message                   string
}

// find returns the check of workload on resource, failing the test when there is not exactly one.
func find(t *testing.T, rep Report, workload, check, resource string) Check {
	t.Helper()
	var found []Check
	for _, c := range rep.Checks {
		if (workload == "" || c.Workload == workload) && c.Check == check && c.Resource == resource {
			found = append(found, c)
		}
	}
	require.Len(t, found, 1, "%s: %s %s in\n%s", workload, check, resource, dump(rep))
	return found[0]
}

func dump(rep Report) string {
	var b strings.Builder
	for _, c := range rep.Checks {
		b.WriteString(string(c.Status) + "  " + c.String() + "\n")
	}
	return b.String()
}

func with(f func(td *ecs.RegisterTaskDefinitionInput, c *types.ContainerDefinition)) func(*ecs.RegisterTaskDefinitionInput, *types.ContainerDefinition) {
	return f
}

// TestChecks runs each check on a setup where it passes and on setups where it does not.
func TestChecks(t *testing.T) {
	ecsAPI, reader, w := setup(t)
	ecr := account + ".dkr.ecr.us-east-1.amazonaws.com/"
	secretOf := func(valueFrom string) func(*ecs.RegisterTaskDefinitionInput, *types.ContainerDefinition) {
		return with(func(td *ecs.RegisterTaskDefinitionInput, c *types.ContainerDefinition) {
			c.Secrets = append(c.Secrets, types.Secret{Name: aws.String("S"), ValueFrom: aws.String(valueFrom)})
		})
	}
	execRole := func(arn string) func(*ecs.RegisterTaskDefinitionInput, *types.ContainerDefinition) {
		return with(func(td *ecs.RegisterTaskDefinitionInput, _ *types.ContainerDefinition) {
			td.ExecutionRoleArn = aws.String(arn)
		})
	}
	awslogs := func(group string, create bool) func(*ecs.RegisterTaskDefinitionInput, *types.ContainerDefinition) {
		return with(func(_ *ecs.RegisterTaskDefinitionInput, c *types.ContainerDefinition) {
			opts := map[string]string{"awslogs-group": group, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ecs"}
			if create {
				opts["awslogs-create-group"] = "true"
			}
			c.LogConfiguration = &types.LogConfiguration{LogDriver: types.LogDriverAwslogs, Options: opts}
		})
	}
	image := func(ref string) func(*ecs.RegisterTaskDefinitionInput, *types.ContainerDefinition) {
		return with(func(_ *ecs.RegisterTaskDefinitionInput, c *types.ContainerDefinition) { c.Image = aws.String(ref) })
	}
	efs := func(fs, ap string) func(*ecs.RegisterTaskDefinitionInput, *types.ContainerDefinition) {
		return with(func(td *ecs.RegisterTaskDefinitionInput, _ *types.ContainerDefinition) {
			cfg := &types.EFSVolumeConfiguration{FileSystemId: aws.String(fs), TransitEncryption: types.EFSTransitEncryptionEnabled}
			if ap != "" {
				cfg.AuthorizationConfig = &types.EFSAuthorizationConfig{AccessPointId: aws.String(ap)}
			}
			td.Volumes = append(td.Volumes, types.Volume{Name: aws.String("data"), EfsVolumeConfiguration: cfg})
		})
	}
	partialSecret := w.secretARN[:len(w.secretARN)-7]
	paramARN := "arn:aws:ssm:us-east-1:" + account + ":parameter" + w.paramName
	tdOnly := func(td *ecs.RegisterTaskDefinitionInput) Input {
		return Input{TaskDefinitions: []*ecs.RegisterTaskDefinitionInput{td}}
	}
	withService := func(td *ecs.RegisterTaskDefinitionInput, s *ecs.CreateServiceInput) Input {
		return Input{TaskDefinitions: []*ecs.RegisterTaskDefinitionInput{td}, Services: []*ecs.CreateServiceInput{s}}
	}
	publicA := []string{w.publicSubnet}
	ec2Task := with(func(td *ecs.RegisterTaskDefinitionInput, c *types.ContainerDefinition) {
		td.RequiresCompatibilities, td.NetworkMode = []types.Compatibility{types.CompatibilityEc2}, types.NetworkModeBridge
	})

	tests := []struct {
		name  string
		in    Input
		wants []want
	}{
		{"execution role that trusts ECS tasks and may read everything",
			tdOnly(taskDef("c-exec", execRole(w.execRole), secretOf(w.secretARN), secretOf(paramARN), awslogs(w.logGroup, false), image(ecr+w.repo+":1.0"))),
			[]want{
				{"", "execution role", w.execRole, OK, "trusts ecs-tasks.amazonaws.com"},
				{"", "secret", w.secretARN, OK, "exists"},
				{"", "execution role access", w.secretARN, OK, "may secretsmanager:GetSecretValue"},
				{"", "secret", paramARN, OK, "parameter " + w.paramName + " exists (SecureString)"},
				{"", "execution role access", paramARN, OK, "may ssm:GetParameters"},
				{"", "log group", w.logGroup, OK, "exists"},
				{"", "execution role access", w.logGroup, OK, "logs:CreateLogStream, logs:PutLogEvents"},
				{"", "image", ecr + w.repo + ":1.0", OK, "tag 1.0 exists (" + w.digest + ")"},
				{"", "execution role access", "arn:aws:ecr:us-east-1:" + account + ":repository/" + w.repo, OK, "ecr:BatchGetImage"},
			}},
		{"roles that do not trust ECS tasks, or do not exist",
			tdOnly(taskDef("c-roles", execRole(w.irsaRole), with(func(td *ecs.RegisterTaskDefinitionInput, _ *types.ContainerDefinition) {
				td.TaskRoleArn = aws.String(w.otherRole)
			}))),
			[]want{
				{"", "execution role", w.irsaRole, Fail, "trusts only the EKS OIDC provider oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789 (an IAM role for a Kubernetes service account): add ecs-tasks.amazonaws.com"},
				{"", "task role", w.otherRole, Fail, "lets lambda.amazonaws.com assume it, not ecs-tasks.amazonaws.com"},
			}},
		{"a missing role, a placeholder, a role of another account",
			Input{TaskDefinitions: []*ecs.RegisterTaskDefinitionInput{
				taskDef("c-missing-role", execRole("arn:aws:iam::"+account+":role/vfy-none-"+run)),
				taskDef("c-placeholder-role", execRole("arn:aws:iam::ACCOUNT_ID:role/ecsTaskExecutionRole")),
				taskDef("c-foreign-role", execRole("arn:aws:iam::210987654321:role/ecsTaskExecutionRole")),
				taskDef("c-path-role", execRole(strings.Replace(w.bareRole, ":role/", ":role/other/", 1))),
			}},
			[]want{
				{"", "execution role", "arn:aws:iam::" + account + ":role/vfy-none-" + run, Fail, "does not exist: create it, with a trust policy that lets ecs-tasks.amazonaws.com assume it"},
				{"", "execution role", "arn:aws:iam::ACCOUNT_ID:role/ecsTaskExecutionRole", Fail, "a placeholder"},
				{"", "execution role", "arn:aws:iam::210987654321:role/ecsTaskExecutionRole", NotChecked, "in account 210987654321; the credentials are of account " + account},
				{"", "execution role", strings.Replace(w.bareRole, ":role/", ":role/other/", 1), Fail, "does not exist: the role vfy-bare-" + run + " of this account is " + w.bareRole},
			}},
		{"an execution role whose policies allow nothing, deny, or allow under a condition",
			Input{TaskDefinitions: []*ecs.RegisterTaskDefinitionInput{
				taskDef("c-bare", execRole(w.bareRole), secretOf(w.secretARN), image(ecr+w.repo+":1.0")),
				taskDef("c-deny", execRole(w.denyRole), secretOf(w.secretARN)),
				taskDef("c-cond", execRole(w.condRole), secretOf(w.secretARN)),
			}},
			[]want{
				{"c-bare", "execution role", w.bareRole, OK, "trusts ecs-tasks.amazonaws.com"},
				{"c-bare", "execution role access", w.secretARN, Fail, "no policy of role vfy-bare-" + run + " allows secretsmanager:GetSecretValue on " + w.secretARN + ": the task cannot start"},
				{"c-bare", "execution role access", "arn:aws:ecr:us-east-1:" + account + ":repository/" + w.repo, Fail, "ecr:GetAuthorizationToken on *, ecr:BatchGetImage on arn:aws:ecr:us-east-1:" + account + ":repository/" + w.repo},
				{"c-deny", "execution role access", w.secretARN, Fail, "a Deny in the policies of role vfy-deny-" + run + " refuses secretsmanager:GetSecretValue on " + w.secretARN},
				{"c-cond", "execution role access", w.secretARN, Warning, "the policies of role vfy-cond-" + run + " allow secretsmanager:GetSecretValue on " + w.secretARN + " only under conditions verify does not evaluate"},
			}},
		{"no execution role, though secrets and awslogs need one",
			tdOnly(taskDef("c-no-exec", secretOf(w.secretARN), awslogs(w.logGroup, false))),
			[]want{{"", "execution role", "-", Fail, "none set, but secrets, the awslogs log driver on Fargate need one"}}},
		{"secrets and parameters that do not exist, and references verify cannot follow",
			tdOnly(taskDef("c-secrets",
				secretOf("arn:aws:secretsmanager:us-east-1:"+account+":secret:vfy/none-"+run+"-AbCdEf"),
				secretOf(partialSecret+":password::"),
				secretOf(w.secretARN+"::AWSPREVIOUS:"),
				secretOf("/vfy/none-"+run),
				secretOf("arn:aws:secretsmanager:REGION:ACCOUNT_ID:secret:db:password::"),
				secretOf("/aws/reference/secretsmanager/vfy/db-"+run),
			)),
			[]want{
				{"", "secret", "arn:aws:secretsmanager:us-east-1:" + account + ":secret:vfy/none-" + run + "-AbCdEf", Fail, "no such secret in Secrets Manager (us-east-1)"},
				{"", "secret", partialSecret + ":password::", OK, "exists"},
				{"", "secret key", partialSecret + ":password::", NotChecked, `key "password": only the secret's value holds its keys`},
				{"", "secret", w.secretARN + "::AWSPREVIOUS:", Fail, "has the stage AWSPREVIOUS"},
				{"", "secret", "/vfy/none-" + run, Fail, "no such parameter in SSM Parameter Store (us-east-1)"},
				{"", "secret", "arn:aws:secretsmanager:REGION:ACCOUNT_ID:secret:db:password::", Fail, "a placeholder"},
				{"", "secret", "/aws/reference/secretsmanager/vfy/db-" + run, OK, "exists"},
			}},
		{"log groups: missing, or created at the first start",
			Input{TaskDefinitions: []*ecs.RegisterTaskDefinitionInput{
				taskDef("c-logs-missing", awslogs("/ecs/vfy-none-"+run, false)),
				taskDef("c-logs-create", awslogs("/ecs/vfy-none-"+run, true)),
			}},
			[]want{
				{"c-logs-missing", "log group", "/ecs/vfy-none-" + run, Fail, "does not exist in us-east-1: create it, or let the task create it (awslogs-create-group"},
				{"c-logs-create", "log group", "/ecs/vfy-none-" + run, OK, "does not exist yet: created at the first start (awslogs-create-group)"},
			}},
		{"images: a digest, a tag never pushed, a repository that does not exist, other registries",
			tdOnly(taskDef("c-images", image(ecr+w.repo+"@"+w.digest), with(func(td *ecs.RegisterTaskDefinitionInput, _ *types.ContainerDefinition) {
				for i, ref := range []string{ecr + w.repo + ":2.0", ecr + "vfy/none-" + run, "ghcr.io/example/web:1", "public.ecr.aws/nginx/nginx:1"} {
					td.ContainerDefinitions = append(td.ContainerDefinitions, types.ContainerDefinition{Name: aws.String("c" + string(rune('0'+i))), Image: aws.String(ref)})
				}
			}))),
			[]want{
				{"", "image", ecr + w.repo + "@" + w.digest, OK, "digest " + w.digest + " exists"},
				{"", "image", ecr + w.repo + ":2.0", Fail, "tag 2.0 is not in repository " + w.repo + ": push it first"},
				{"", "image", ecr + "vfy/none-" + run, Fail, "repository vfy/none-" + run + " does not exist in registry " + account + " (us-east-1)"},
				{"", "image", "ghcr.io/example/web:1", NotChecked, "registry ghcr.io is not a private Amazon ECR registry"},
				{"", "image", "public.ecr.aws/nginx/nginx:1", NotChecked, "Amazon ECR Public"},
			}},
		{"EFS: file system and access point; a missing one; an access point of another file system",
			Input{TaskDefinitions: []*ecs.RegisterTaskDefinitionInput{
				taskDef("c-efs", efs(w.fs, w.ap)),
				taskDef("c-efs-bad", efs("fs-00000dead", ""), efs(w.fs, w.otherAP), efs(w.fs, "fsap-00000dead")),
			}},
			[]want{
				{"c-efs", "efs file system", w.fs, OK, "available"},
				{"c-efs", "efs access point", w.ap, OK, "available, on " + w.fs},
				{"", "efs file system", "fs-00000dead", Fail, "does not exist"},
				{"", "efs access point", w.otherAP, Fail, "belongs to file system " + w.fsNoTargets + ", not " + w.fs},
				{"", "efs access point", "fsap-00000dead", Fail, "does not exist"},
			}},
		{"a service in a public subnet with a public IP, behind a target group, with Service Connect and a registry",
			withService(taskDef("c-web", efs(w.fs, "")), service("c-web", w.cluster, publicA, []string{w.sgA}, func(s *ecs.CreateServiceInput) {
				s.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp = types.AssignPublicIpEnabled
				s.LoadBalancers = []types.LoadBalancer{{TargetGroupArn: aws.String(w.tgIP), ContainerName: aws.String("web"), ContainerPort: aws.Int32(8080)}}
				s.ServiceConnectConfiguration = &types.ServiceConnectConfiguration{Enabled: true, Namespace: aws.String(w.namespace)}
				s.ServiceRegistries = []types.ServiceRegistry{{RegistryArn: aws.String(w.registry)}}
			})),
			[]want{
				{"", "cluster", w.cluster, OK, "ACTIVE"},
				{"", "capacity", w.cluster, OK, "Fargate (launch type FARGATE)"},
				{"", "subnet", w.publicSubnet, OK, "in " + w.vpcA + ", us-east-1a"},
				{"", "security group", w.sgA, OK, "in " + w.vpcA},
				{"", "vpc", w.publicSubnet + "," + w.sgA, OK, "subnets and security groups are in " + w.vpcA},
				{"", "internet access", w.publicSubnet, OK, "public IPs, and the subnets route to an internet gateway"},
				{"", "target group", w.tgIP, OK, "target type ip; ECS registers the tasks on port 8080"},
				{"", "service connect namespace", w.namespace, OK, "Cloud Map namespace " + w.namespace},
				{"", "service registry", w.registry, OK, "Cloud Map service web"},
				{"", "efs mount targets", w.fs, OK, "a mount target in every Availability Zone"},
			}},
		{"a service that cannot run: missing cluster, subnets and groups of two VPCs, bad target groups",
			withService(taskDef("c-bad", efs(w.fsNoTargets, "")), service("c-bad", "vfy-none-"+run, []string{w.publicSubnet, "subnet-0000000000000dead"}, []string{w.sgA, "sg-0000000000000dead"}, func(s *ecs.CreateServiceInput) {
				s.LoadBalancers = []types.LoadBalancer{
					{TargetGroupArn: aws.String(w.tgInstance), ContainerName: aws.String("web"), ContainerPort: aws.Int32(8080)},
					{TargetGroupArn: aws.String(w.tgLonely), ContainerName: aws.String("web"), ContainerPort: aws.Int32(8080)},
					{TargetGroupArn: aws.String(w.tgIP), ContainerName: aws.String("web"), ContainerPort: aws.Int32(9000)},
					{TargetGroupArn: aws.String(w.tgIP + "0"), ContainerName: aws.String("web"), ContainerPort: aws.Int32(8080)},
					{TargetGroupArn: aws.String(w.tgHealth), ContainerName: aws.String("web"), ContainerPort: aws.Int32(8080)},
				}
				s.ServiceConnectConfiguration = &types.ServiceConnectConfiguration{Enabled: true, Namespace: aws.String("vfy-none-" + run + ".local")}
				s.ServiceRegistries = []types.ServiceRegistry{{RegistryArn: aws.String(strings.Replace(w.registry, "srv-", "srv-0", 1))}}
			})),
			[]want{
				{"", "cluster", "vfy-none-" + run, Fail, "does not exist in us-east-1: create it, or let register create it (--create-cluster)"},
				{"", "capacity", "vfy-none-" + run, NotChecked, "the cluster cannot be used"},
				{"", "subnet", "subnet-0000000000000dead", Fail, "does not exist in us-east-1"},
				{"", "security group", "sg-0000000000000dead", Fail, "does not exist in us-east-1"},
				{"", "vpc", w.publicSubnet + ",subnet-0000000000000dead," + w.sgA + ",sg-0000000000000dead", NotChecked, "subnet subnet-0000000000000dead does not exist"},
				{"", "target group", w.tgInstance, Fail, "target type is instance: tasks in awsvpc mode need ip"},
				{"", "target group", w.tgLonely, Fail, "is attached to no load balancer"},
				{"", "target group", w.tgIP, Fail, "container web has no port mapping for port 9000"},
				{"", "target group", w.tgIP + "0", Fail, "does not exist"},
				{"", "target group", w.tgHealth, Warning, "health checks go to port 9090, the container listens on 8080"},
				{"", "service connect namespace", "vfy-none-" + run + ".local", Fail, "does not exist"},
				{"", "service registry", strings.Replace(w.registry, "srv-", "srv-0", 1), Fail, "Cloud Map service does not exist"},
			}},
		{"subnets and security groups of two VPCs; EFS without a mount target in the zone",
			withService(taskDef("c-vpcs", efs(w.fsNoTargets, "")), service("c-vpcs", w.cluster, publicA, []string{w.sgB})),
			[]want{
				{"", "vpc", w.publicSubnet + "," + w.sgB, Fail, "not in one VPC: " + w.publicSubnet + " in " + w.vpcA + "; " + w.sgB + " in " + w.vpcB},
				{"", "efs mount targets", w.fsNoTargets, Warning, "no available mount target in us-east-1a"},
			}},
		{"the route to the internet against assignPublicIp",
			Input{
				TaskDefinitions: []*ecs.RegisterTaskDefinitionInput{
					taskDef("c-public-noip", image(ecr+w.repo+":1.0")), taskDef("c-nat", image(ecr+w.repo+":1.0")),
					taskDef("c-isolated", image(ecr+w.repo+":1.0"), secretOf(w.secretARN)), taskDef("c-endpoints", image(ecr+w.repo+":1.0"), secretOf(w.secretARN)),
					taskDef("c-private-ip", image(ecr+w.repo+":1.0")), taskDef("c-isolated-hub"),
				},
				Services: []*ecs.CreateServiceInput{
					service("c-public-noip", w.cluster, publicA, []string{w.sgA}),
					service("c-nat", w.cluster, []string{w.natSubnet}, []string{w.sgA}),
					service("c-isolated", w.cluster, []string{w.isolatedSubnet}, []string{w.sgA}),
					service("c-endpoints", w.cluster, []string{w.vpcEndpointSubnet}, []string{w.sgC}),
					service("c-private-ip", w.cluster, []string{w.natSubnet}, []string{w.sgA}, func(s *ecs.CreateServiceInput) {
						s.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp = types.AssignPublicIpEnabled
					}),
					service("c-isolated-hub", w.cluster, []string{w.isolatedSubnet}, []string{w.sgA}),
				},
			},
			[]want{
				{"c-public-noip", "internet access", w.publicSubnet, Warning, w.publicSubnet + " routes to an internet gateway, but assignPublicIp is DISABLED"},
				{"c-nat", "internet access", w.natSubnet, OK, "no public IPs; the subnets route to the internet through a NAT gateway"},
				{"c-isolated", "internet access", w.isolatedSubnet, Warning, "has no route to the internet, and " + w.vpcA + " has no VPC endpoint for ecr.api, ecr.dkr, s3, secretsmanager"},
				{"c-endpoints", "internet access", w.vpcEndpointSubnet, OK, "has VPC endpoints for ecr.api, ecr.dkr, s3, secretsmanager"},
				{"c-private-ip", "internet access", w.natSubnet, Warning, "assignPublicIp is ENABLED, but " + w.natSubnet + " routes to no internet gateway"},
				{"c-isolated-hub", "internet access", w.isolatedSubnet, Warning, "the image nginx:1.27 cannot be pulled from docker.io"},
			}},
		{"capacity: providers the cluster lacks, EC2 without instances, Fargate tasks on EC2",
			Input{
				TaskDefinitions: []*ecs.RegisterTaskDefinitionInput{taskDef("c-spot"), taskDef("c-ec2-only"), taskDef("c-default-ec2"), taskDef("c-ec2", ec2Task)},
				Services: []*ecs.CreateServiceInput{
					service("c-spot", w.cluster, publicA, []string{w.sgA}, func(s *ecs.CreateServiceInput) {
						s.LaunchType = ""
						s.CapacityProviderStrategy = []types.CapacityProviderStrategyItem{{CapacityProvider: aws.String("FARGATE_SPOT"), Weight: 1}}
					}),
					service("c-ec2-only", w.ec2Cluster, publicA, []string{w.sgA}, func(s *ecs.CreateServiceInput) { s.LaunchType = types.LaunchTypeEc2 }),
					service("c-default-ec2", w.ec2Cluster, publicA, []string{w.sgA}, func(s *ecs.CreateServiceInput) { s.LaunchType = "" }),
					service("c-ec2", w.ec2Cluster, nil, nil, func(s *ecs.CreateServiceInput) { s.LaunchType, s.NetworkConfiguration = types.LaunchTypeEc2, nil }),
					service("c-hosts", w.hostCluster, nil, nil, func(s *ecs.CreateServiceInput) {
						s.TaskDefinition, s.LaunchType, s.NetworkConfiguration = aws.String("c-ec2"), types.LaunchTypeEc2, nil
					}),
				},
			},
			[]want{
				{"c-spot", "capacity", w.cluster, Fail, "capacity provider FARGATE_SPOT (the service's capacity provider strategy) is not associated with cluster " + w.cluster},
				{"c-ec2-only", "capacity", w.ec2Cluster, Fail, "the task definition requires FARGATE, but the service runs on EC2 capacity (launch type EC2)"},
				{"c-default-ec2", "capacity", w.ec2Cluster, Fail, "requires FARGATE, but the service runs on EC2 capacity (launch type EC2 (no launch type, no capacity provider strategy, and the cluster has no default strategy))"},
				{"c-ec2", "capacity", w.ec2Cluster, Warning, "no container instances are registered (launch type EC2): tasks stay PENDING until one joins the cluster"},
				{"c-ec2", "capacity", w.hostCluster, OK, "1 container instance(s) registered (launch type EC2)"},
			}},
		{"Service Connect: the cluster's default namespace, by ARN; a cluster without one",
			Input{
				TaskDefinitions: []*ecs.RegisterTaskDefinitionInput{taskDef("c-sc-default"), taskDef("c-sc-none")},
				Services: []*ecs.CreateServiceInput{
					service("c-sc-default", w.scCluster, publicA, []string{w.sgA}, func(s *ecs.CreateServiceInput) {
						s.ServiceConnectConfiguration = &types.ServiceConnectConfiguration{Enabled: true}
					}),
					service("c-sc-none", w.cluster, publicA, []string{w.sgA}, func(s *ecs.CreateServiceInput) {
						s.ServiceConnectConfiguration = &types.ServiceConnectConfiguration{Enabled: true}
					}),
				},
			},
			[]want{
				{"", "service connect namespace", "default of cluster " + w.scCluster, OK, "Cloud Map namespace " + w.namespace + " (ns-"},
				{"", "service connect namespace", "default of cluster " + w.cluster, Fail, "cluster " + w.cluster + " has no default Service Connect namespace"},
			}},
		{"a service whose task definition is not among the inputs",
			Input{Services: []*ecs.CreateServiceInput{
				service("c-external", w.cluster, publicA, []string{w.sgA}, func(s *ecs.CreateServiceInput) { s.TaskDefinition = aws.String("vfy-registered-" + run) }),
				service("c-unknown", w.cluster, publicA, []string{w.sgA}, func(s *ecs.CreateServiceInput) { s.TaskDefinition = aws.String("vfy-none-" + run + ":3") }),
			}},
			[]want{
				{"", "task definition", "vfy-registered-" + run, OK, "vfy-registered-" + run + ":1 is ACTIVE"},
				{"", "task definition", "vfy-none-" + run + ":3", Fail, "not among the inputs, and ECS does not know it"},
			}},
		{"what verify lists without checking it, and what it checks of it",
			withService(taskDef("c-notes", execRole(w.execRole), with(func(td *ecs.RegisterTaskDefinitionInput, c *types.ContainerDefinition) {
				c.EnvironmentFiles = []types.EnvironmentFile{{Type: types.EnvironmentFileTypeS3, Value: aws.String("arn:aws:s3:::vfy-config/web.env")}}
				c.RepositoryCredentials = &types.RepositoryCredentials{CredentialsParameter: aws.String(w.secretARN)}
				td.ContainerDefinitions = append(td.ContainerDefinitions, types.ContainerDefinition{Name: aws.String("log-router"), Image: aws.String("public.ecr.aws/aws-observability/aws-for-fluent-bit:2"),
					FirelensConfiguration: &types.FirelensConfiguration{Type: types.FirelensConfigurationTypeFluentbit, Options: map[string]string{"config-file-type": "s3", "config-file-value": "arn:aws:s3:::vfy-config/fluent.conf"}}})
				c.LogConfiguration = &types.LogConfiguration{LogDriver: types.LogDriverAwsfirelens, Options: map[string]string{"Name": "datadog"},
					SecretOptions: []types.Secret{{Name: aws.String("apikey"), ValueFrom: aws.String(paramARN)}}}
				td.Volumes = append(td.Volumes, types.Volume{Name: aws.String("win"), FsxWindowsFileServerVolumeConfiguration: &types.FSxWindowsFileServerVolumeConfiguration{FileSystemId: aws.String("fs-0123456789abcdef0"), RootDirectory: aws.String("share")}})
				td.ProxyConfiguration = &types.ProxyConfiguration{ContainerName: aws.String("envoy")}
			})), service("c-notes", w.cluster, publicA, []string{w.sgA}, func(s *ecs.CreateServiceInput) {
				s.LoadBalancers = []types.LoadBalancer{{LoadBalancerName: aws.String("classic"), ContainerName: aws.String("web"), ContainerPort: aws.Int32(8080)}}
			})),
			[]want{
				{"", "environment file", "arn:aws:s3:::vfy-config/web.env", NotChecked, "an S3 object: verify reads no S3 objects"},
				{"", "execution role access", "arn:aws:s3:::vfy-config/web.env", Fail, "no policy of role vfy-exec-" + run + " allows s3:GetObject on arn:aws:s3:::vfy-config/web.env, s3:GetBucketLocation on arn:aws:s3:::vfy-config"},
				{"", "registry credentials", w.secretARN, OK, "exists"},
				{"", "execution role access", w.secretARN, OK, "may secretsmanager:GetSecretValue"},
				{"", "log destination", "datadog", NotChecked, "FireLens output datadog"},
				{"", "secret", paramARN, OK, "exists"},
				{"", "log router configuration", "arn:aws:s3:::vfy-config/fluent.conf", NotChecked, "an S3 object"},
				{"", "fsx file system", "fs-0123456789abcdef0", NotChecked, "FSx for Windows File Server is not checked"},
				{"", "proxy configuration", "envoy", NotChecked, "App Mesh"},
				{"", "load balancer", "classic", NotChecked, "Classic Load Balancers are not checked"},
				{"", "image", "public.ecr.aws/aws-observability/aws-for-fluent-bit:2", NotChecked, "Amazon ECR Public"},
			}},
		{"templates an ECS JSON input still holds are not looked up",
			withService(taskDef("c-templates", with(func(_ *ecs.RegisterTaskDefinitionInput, c *types.ContainerDefinition) {
				c.LogConfiguration = &types.LogConfiguration{LogDriver: types.LogDriverAwslogs, Options: map[string]string{"awslogs-group": "/ecs/web", "awslogs-region": "{{region}}"}}
			})), service("c-templates", "${CLUSTER}", publicA, []string{w.sgA}, func(s *ecs.CreateServiceInput) {
				s.LoadBalancers = []types.LoadBalancer{{TargetGroupArn: aws.String("{{ tg_arn }}"), ContainerName: aws.String("web"), ContainerPort: aws.Int32(8080)}}
			})),
			[]want{
				{"", "log group", "/ecs/web", NotChecked, "the region {{region}} is a template"},
				{"", "cluster", "${CLUSTER}", NotChecked, "a template"},
				{"", "target group", "{{ tg_arn }}", NotChecked, "a template"},
			}},
		{"a cluster register is about to create",
			Input{TaskDefinitions: []*ecs.RegisterTaskDefinitionInput{taskDef("c-new")}, Services: []*ecs.CreateServiceInput{service("c-new", "vfy-new-"+run, publicA, []string{w.sgA})},
				Creating: map[string]bool{"vfy-new-" + run: true}},
			[]want{
				{"", "cluster", "vfy-new-" + run, OK, "does not exist yet: register creates it (--create-cluster)"},
				{"", "capacity", "vfy-new-" + run, OK, "Fargate"},
			}},
	}
	_, err := ecsAPI.RegisterTaskDefinition(context.Background(), taskDef("vfy-registered-"+run))
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := Run(context.Background(), ecsAPI, reader, tt.in, Options{Concurrency: 4})
			for _, wt := range tt.wants {
				c := find(t, rep, wt.workload, wt.check, wt.resource)
				assert.Equal(t, wt.status, c.Status, "%s %s: %s", wt.check, wt.resource, c.Message)
				assert.Contains(t, c.Message, wt.message, "%s %s", wt.check, wt.resource)
			}
			t.Log("\n" + dump(rep))
		})
	}
}
