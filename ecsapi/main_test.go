package ecsapi

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/stretchr/testify/require"

	"github.com/podecs/podecs/internal/motoserver"
)

func TestMain(m *testing.M) {
	code := m.Run()
	motoserver.Stop()
	os.Exit(code)
}

// motoClient returns an ECS client for the moto endpoint, configured the way the CLI configures
// its own: through the standard chain, here fed by environment variables.
func motoClient(t *testing.T) (*ecs.Client, string) {
	t.Helper()
	endpoint := motoserver.Endpoint(t)
	for _, kv := range motoserver.Env(endpoint) {
		if k, v, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, v)
		}
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	c, err := NewClient(context.Background(), Options{EndpointURL: endpoint})
	require.NoError(t, err)
	return c, endpoint
}

// countingECS counts the mutating calls made through a real client.
type countingECS struct {
	ECS
	mu    sync.Mutex
	calls map[string]int
}

func counting(api ECS) *countingECS { return &countingECS{ECS: api, calls: map[string]int{}} }

func (c *countingECS) count(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls[op]++
}

func (c *countingECS) RegisterTaskDefinition(ctx context.Context, in *ecs.RegisterTaskDefinitionInput, o ...func(*ecs.Options)) (*ecs.RegisterTaskDefinitionOutput, error) {
	c.count("RegisterTaskDefinition")
	return c.ECS.RegisterTaskDefinition(ctx, in, o...)
}

func (c *countingECS) CreateCluster(ctx context.Context, in *ecs.CreateClusterInput, o ...func(*ecs.Options)) (*ecs.CreateClusterOutput, error) {
	c.count("CreateCluster")
	return c.ECS.CreateCluster(ctx, in, o...)
}

func (c *countingECS) CreateService(ctx context.Context, in *ecs.CreateServiceInput, o ...func(*ecs.Options)) (*ecs.CreateServiceOutput, error) {
	c.count("CreateService")
	return c.ECS.CreateService(ctx, in, o...)
}

func (c *countingECS) UpdateService(ctx context.Context, in *ecs.UpdateServiceInput, o ...func(*ecs.Options)) (*ecs.UpdateServiceOutput, error) {
	c.count("UpdateService")
	return c.ECS.UpdateService(ctx, in, o...)
}

// awsCLI runs the aws command line against moto and returns its JSON output.
func awsCLI(t *testing.T, endpoint string, args ...string) map[string]any {
	t.Helper()
	motoserver.RequireAWSCLI(t)
	cmd := exec.Command("aws", append([]string{"--endpoint-url", endpoint, "--output", "json"}, args...)...)
	cmd.Env = motoserver.Env(endpoint)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "aws %s: %s", strings.Join(args, " "), out)
	var v map[string]any
	if len(strings.TrimSpace(string(out))) > 0 {
		require.NoError(t, json.Unmarshal(out, &v), "%s", out)
	}
	return v
}

// network creates a VPC, a subnet and a security group in moto, as awsvpc services need.
func network(t *testing.T, endpoint string) (subnet, sg string) {
	t.Helper()
	vpc := awsCLI(t, endpoint, "ec2", "create-vpc", "--cidr-block", "10.1.0.0/16")["Vpc"].(map[string]any)["VpcId"].(string)
	subnet = awsCLI(t, endpoint, "ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.1.1.0/24")["Subnet"].(map[string]any)["SubnetId"].(string)
	sg = awsCLI(t, endpoint, "ec2", "create-security-group", "--group-name", "ecsapi-"+strings.ReplaceAll(t.Name(), "/", "-"), "--description", "ecsapi test", "--vpc-id", vpc)["GroupId"].(string)
	return subnet, sg
}

// revisions counts the task definition revisions of a family.
func revisions(t *testing.T, api ECS, family string) int {
	t.Helper()
	out, err := api.ListTaskDefinitions(context.Background(), &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String(family)})
	require.NoError(t, err)
	return len(out.TaskDefinitionArns)
}
