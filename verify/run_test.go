package verify

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countingECS counts the ECS calls made through a real client.
type countingECS struct {
	ECS
	mu    sync.Mutex
	calls map[string]int
}

func (c *countingECS) DescribeClusters(ctx context.Context, in *ecs.DescribeClustersInput, o ...func(*ecs.Options)) (*ecs.DescribeClustersOutput, error) {
	c.mu.Lock()
	c.calls["DescribeClusters"]++
	c.mu.Unlock()
	return c.ECS.DescribeClusters(ctx, in, o...)
}

// TestSharedResourcesOnce: three workloads share a cluster, an execution role, a secret, a log
// group, an image and a subnet: each is looked up once, listed under each workload, and the
// report is the same however many look-ups run at once.
func TestSharedResourcesOnce(t *testing.T) {
	ecsAPI, reader, w := setup(t)
	var in Input
	for _, name := range []string{"s-one", "s-two", "s-three"} {
		in.TaskDefinitions = append(in.TaskDefinitions, taskDef(name, func(td *ecs.RegisterTaskDefinitionInput, c *types.ContainerDefinition) {
			td.ExecutionRoleArn = aws.String(w.execRole)
			c.Image = aws.String(account + ".dkr.ecr.us-east-1.amazonaws.com/" + w.repo + ":1.0")
			c.Secrets = []types.Secret{{Name: aws.String("DB"), ValueFrom: aws.String(w.secretARN)}}
			c.LogConfiguration = &types.LogConfiguration{LogDriver: types.LogDriverAwslogs, Options: map[string]string{"awslogs-group": w.logGroup, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ecs"}}
		}))
		in.Services = append(in.Services, service(name, w.cluster, []string{w.publicSubnet}, []string{w.sgA}))
	}
	var mu sync.Mutex
	calls := map[string]int{}
	reader.OnCall = func(service, op string, _ ...string) {
		mu.Lock()
		defer mu.Unlock()
		calls[service+":"+op]++
	}
	counted := &countingECS{ECS: ecsAPI, calls: map[string]int{}}
	rep := Run(context.Background(), counted, reader, in, Options{Concurrency: 8})

	assert.Equal(t, 1, counted.calls["DescribeClusters"])
	for _, op := range []string{"iam:GetRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:GetPolicy",
		"secretsmanager:DescribeSecret", "logs:DescribeLogGroups", "ecr:DescribeImages", "ec2:DescribeSubnets",
		"ec2:DescribeSecurityGroups", "ec2:DescribeRouteTables", "sts:GetCallerIdentity"} {
		assert.Equal(t, 1, calls[op], "%s: %v", op, calls)
	}
	per := map[string]int{}
	for _, c := range rep.Checks {
		per[c.Workload]++
	}
	require.Len(t, per, 3)
	assert.Equal(t, per["s-one"], per["s-two"], "each workload lists every check it has")
	assert.Equal(t, per["s-one"], per["s-three"])
	assert.Equal(t, 3, rep.Summary.Workloads)
	assert.Equal(t, len(rep.Checks), rep.Summary.Checks)
	assert.Equal(t, rep.Summary.Checks, rep.Summary.OK+rep.Summary.Warning+rep.Summary.Fail+rep.Summary.NotChecked)

	reader.OnCall = nil
	for _, n := range []int{1, 3, 16} {
		again := Run(context.Background(), ecsAPI, reader, in, Options{Concurrency: n})
		assert.Equal(t, rep, again, "concurrency %d", n)
	}
}
