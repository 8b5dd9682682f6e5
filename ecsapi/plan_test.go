package ecsapi

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podecs/podecs/convert/ecsjson"
)

// TestGoldenTaskDefinitionsCompareEqualAfterRegistering registers every task definition podecs
// writes for its golden fixtures and checks that what the emulator gives back (with its defaults
// and read-only members) compares equal.
func TestGoldenTaskDefinitionsCompareEqualAfterRegistering(t *testing.T) {
	api, _ := motoClient(t)
	files, err := filepath.Glob("../testdata/fixtures/k8s/golden/*/*.taskdef.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			want := &ecs.RegisterTaskDefinitionInput{}
			require.NoError(t, ecsjson.Unmarshal(data, want))
			want.Family = aws.String("ecsapi-golden-" + aws.ToString(want.Family))
			_, err = api.RegisterTaskDefinition(context.Background(), want)
			require.NoError(t, err)
			have, tags, err := latestActive(context.Background(), api, aws.ToString(want.Family))
			require.NoError(t, err)
			require.NotNil(t, have)
			assert.Empty(t, TaskDefinitionDiff(want, have, tags))

			changed := *want
			changed.ContainerDefinitions = append([]types.ContainerDefinition(nil), want.ContainerDefinitions...)
			changed.ContainerDefinitions[0].Image = aws.String("example.com/other:1")
			assert.Equal(t, []string{"containerDefinitions[" + aws.ToString(want.ContainerDefinitions[0].Name) + "].image"}, fieldsOf(TaskDefinitionDiff(&changed, have, tags)))
		})
	}
}

func desired(family, cluster, image, subnet, sg string, replicas int32) Desired {
	td := &ecs.RegisterTaskDefinitionInput{
		Family:                  aws.String(family),
		NetworkMode:             types.NetworkModeAwsvpc,
		RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate},
		Cpu:                     aws.String("256"),
		Memory:                  aws.String("512"),
		Tags:                    []types.Tag{{Key: aws.String("app"), Value: aws.String(family)}},
		ContainerDefinitions: []types.ContainerDefinition{{
			Name:         aws.String("web"),
			Image:        aws.String(image),
			Memory:       aws.Int32(256),
			PortMappings: []types.PortMapping{{ContainerPort: aws.Int32(8080)}},
			Environment:  []types.KeyValuePair{{Name: aws.String("B"), Value: aws.String("2")}, {Name: aws.String("A"), Value: aws.String("1")}},
		}},
	}
	svc := &ecs.CreateServiceInput{
		ServiceName:    aws.String(family),
		Cluster:        aws.String(cluster),
		TaskDefinition: aws.String(family),
		DesiredCount:   aws.Int32(replicas),
		LaunchType:     types.LaunchTypeFargate,
		DeploymentConfiguration: &types.DeploymentConfiguration{
			MaximumPercent: aws.Int32(150), MinimumHealthyPercent: aws.Int32(50),
			DeploymentCircuitBreaker: &types.DeploymentCircuitBreaker{Enable: true},
		},
		NetworkConfiguration: &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{
			Subnets: []string{subnet}, SecurityGroups: []string{sg},
		}},
	}
	return Desired{TaskDefinitions: []*ecs.RegisterTaskDefinitionInput{td}, Services: []*ecs.CreateServiceInput{svc}}
}

func actions(steps []Step) []string {
	var out []string
	for _, s := range steps {
		a := string(s.Action)
		if s.Err != nil {
			a += " failed: " + s.Err.Error()
		}
		out = append(out, string(s.Kind)+" "+s.Name+" "+a)
	}
	return out
}

func service(t *testing.T, api ECS, cluster, name string) types.Service {
	t.Helper()
	out, err := api.DescribeServices(context.Background(), &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: []string{name}})
	require.NoError(t, err)
	require.Len(t, out.Services, 1)
	return out.Services[0]
}

func TestPlanApply(t *testing.T) {
	client, endpoint := motoClient(t)
	subnet, sg := network(t, endpoint)
	ctx := context.Background()
	const family, cluster = "ecsapi-flow", "ecsapi-flow"

	t.Run("a missing cluster fails the plan", func(t *testing.T) {
		_, err := Plan(ctx, client, desired(family, cluster, "nginx:1.25", subnet, sg, 2))
		var mc *MissingClustersError
		require.ErrorAs(t, err, &mc)
		assert.Equal(t, []string{cluster}, mc.Names)
		assert.Zero(t, revisions(t, client, family), "nothing is registered when the plan fails")
	})

	t.Run("first run creates the cluster, one revision and the service", func(t *testing.T) {
		api := counting(client)
		d := desired(family, cluster, "nginx:1.25", subnet, sg, 2)
		d.CreateClusters = true
		plan, err := Plan(ctx, api, d)
		require.NoError(t, err)
		assert.Equal(t, []string{"cluster ecsapi-flow create", "taskdef ecsapi-flow register", "service ecsapi-flow create"}, actions(plan))
		assert.Empty(t, api.calls, "planning calls no mutating operation")
		done := Apply(ctx, api, plan)
		assert.Equal(t, []string{"cluster ecsapi-flow create", "taskdef ecsapi-flow register", "service ecsapi-flow create"}, actions(done))
		for _, s := range done {
			assert.True(t, s.Applied)
			assert.True(t, strings.HasPrefix(s.ARN, "arn:aws:ecs:us-east-1:"), s.ARN)
		}
		assert.Equal(t, TaskDefinitionRef{Family: family, Revision: 1}, done[1].Ref)
		assert.Equal(t, 1, revisions(t, client, family))
		svc := service(t, client, cluster, family)
		assert.Equal(t, family+":1", ParseTaskDefinitionRef(aws.ToString(svc.TaskDefinition)).String())
		assert.Equal(t, int32(2), svc.DesiredCount)
		require.NotNil(t, svc.DeploymentConfiguration, "the deployment configuration the emulator ignored on create is set")
		assert.Equal(t, int32(150), aws.ToInt32(svc.DeploymentConfiguration.MaximumPercent))
	})

	t.Run("an unchanged re-run registers and updates nothing", func(t *testing.T) {
		api := counting(client)
		start := time.Now()
		plan, err := Plan(ctx, api, desired(family, cluster, "nginx:1.25", subnet, sg, 2))
		require.NoError(t, err)
		done := Apply(ctx, api, plan)
		t.Logf("unchanged plan and apply: %v", time.Since(start))
		assert.Equal(t, []string{"cluster ecsapi-flow unchanged", "taskdef ecsapi-flow unchanged", "service ecsapi-flow unchanged"}, actions(done))
		assert.Empty(t, api.calls)
		assert.Equal(t, 1, revisions(t, client, family))
		assert.Equal(t, family+":1", done[1].Ref.String())
	})

	t.Run("an image change registers one revision and updates the service to it", func(t *testing.T) {
		api := counting(client)
		plan, err := Plan(ctx, api, desired(family, cluster, "nginx:1.26", subnet, sg, 2))
		require.NoError(t, err)
		require.Equal(t, []string{"cluster ecsapi-flow unchanged", "taskdef ecsapi-flow register", "service ecsapi-flow update"}, actions(plan))
		assert.Equal(t, []FieldChange{{Field: "containerDefinitions[web].image", Have: `"nginx:1.25"`, Want: `"nginx:1.26"`}}, plan[1].Changes)
		assert.Equal(t, []FieldChange{{Field: "taskDefinition", Have: `"ecsapi-flow:1"`, Want: `"ecsapi-flow (new revision)"`}}, plan[2].Changes)
		done := Apply(ctx, api, plan)
		assert.Equal(t, map[string]int{"RegisterTaskDefinition": 1, "UpdateService": 1}, api.calls)
		assert.Equal(t, 2, revisions(t, client, family))
		assert.Equal(t, family+":2", done[1].Ref.String())
		svc := service(t, client, cluster, family)
		assert.Equal(t, family+":2", ParseTaskDefinitionRef(aws.ToString(svc.TaskDefinition)).String())
	})

	t.Run("a replica change updates only the service", func(t *testing.T) {
		api := counting(client)
		plan, err := Plan(ctx, api, desired(family, cluster, "nginx:1.26", subnet, sg, 5))
		require.NoError(t, err)
		require.Equal(t, []string{"cluster ecsapi-flow unchanged", "taskdef ecsapi-flow unchanged", "service ecsapi-flow update"}, actions(plan))
		assert.Equal(t, []FieldChange{{Field: "desiredCount", Have: "2", Want: "5"}}, plan[2].Changes)
		Apply(ctx, api, plan)
		assert.Equal(t, map[string]int{"UpdateService": 1}, api.calls)
		assert.Equal(t, int32(5), service(t, client, cluster, family).DesiredCount)
		again, err := Plan(ctx, api, desired(family, cluster, "nginx:1.26", subnet, sg, 5))
		require.NoError(t, err)
		assert.Equal(t, []string{"cluster ecsapi-flow unchanged", "taskdef ecsapi-flow unchanged", "service ecsapi-flow unchanged"}, actions(again))
	})

	t.Run("a failed call names the operation and the AWS error; the rest is still applied", func(t *testing.T) {
		d := desired(family, cluster, "nginx:1.27", subnet, sg, 5)
		// moto checks that subnets exist on CreateService: the new service b fails there.
		other := desired(family+"-b", cluster, "nginx:1", "subnet-missing", sg, 1)
		d.TaskDefinitions = append(d.TaskDefinitions, other.TaskDefinitions...)
		d.Services = append(d.Services, other.Services...)
		plan, err := Plan(ctx, client, d)
		require.NoError(t, err)
		require.Equal(t, []string{"cluster ecsapi-flow unchanged", "taskdef ecsapi-flow register", "taskdef ecsapi-flow-b register", "service ecsapi-flow update", "service ecsapi-flow-b create"}, actions(plan))
		done := Apply(ctx, client, plan)
		b := done[len(done)-1]
		var oe *OpError
		require.ErrorAs(t, b.Err, &oe)
		assert.Equal(t, "CreateService", oe.Operation)
		assert.Equal(t, "InvalidParameterException", oe.Code)
		assert.False(t, b.Applied)
		for _, s := range done[:len(done)-1] {
			assert.True(t, s.Applied, "%s %s: %v", s.Kind, s.Name, s.Err)
		}
		assert.Equal(t, 3, revisions(t, client, family))
		assert.Equal(t, 1, revisions(t, client, family+"-b"), "registered before the service failed")
	})
}

func TestPlanUnknownTaskDefinition(t *testing.T) {
	client, _ := motoClient(t)
	ctx := context.Background()
	_, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("ecsapi-unknown-td")})
	require.NoError(t, err)
	_, err = Plan(ctx, client, Desired{Services: []*ecs.CreateServiceInput{{
		ServiceName: aws.String("web"), Cluster: aws.String("ecsapi-unknown-td"), TaskDefinition: aws.String("ecsapi-no-such-family"),
	}}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `service web: taskDefinition: "ecsapi-no-such-family" is not among the inputs`)
	var oe *OpError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "DescribeTaskDefinition", oe.Operation)
	assert.Equal(t, "ClientException", oe.Code)
}

func TestPlanRejectsDuplicates(t *testing.T) {
	td := &ecs.RegisterTaskDefinitionInput{Family: aws.String("a")}
	svc := &ecs.CreateServiceInput{ServiceName: aws.String("a"), TaskDefinition: aws.String("a")}
	tests := []struct {
		name string
		d    Desired
		want string
	}{
		{"family twice", Desired{TaskDefinitions: []*ecs.RegisterTaskDefinitionInput{td, td}}, `task definition family "a" is given twice`},
		{"no family", Desired{TaskDefinitions: []*ecs.RegisterTaskDefinitionInput{{}}}, "task definition 1 has no family"},
		{"service twice", Desired{Services: []*ecs.CreateServiceInput{svc, svc}}, "service a in cluster default is given twice"},
		{"no task definition", Desired{Services: []*ecs.CreateServiceInput{{ServiceName: aws.String("a")}}}, "service a has no taskDefinition"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Plan(context.Background(), nil, tc.d)
			assert.EqualError(t, err, tc.want)
		})
	}
}

func TestUnreachableEndpointFailsInBoundedTime(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	api, err := NewClient(context.Background(), Options{Region: "us-east-1", EndpointURL: "http://127.0.0.1:1"})
	require.NoError(t, err)
	start := time.Now()
	_, err = Plan(context.Background(), api, desired("x", "x", "x", "s", "g", 1))
	elapsed := time.Since(start)
	t.Logf("unreachable endpoint failed after %v", elapsed)
	var oe *OpError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "DescribeClusters", oe.Operation)
	assert.Empty(t, oe.Code)
	assert.Contains(t, oe.Message, "cannot reach the ECS endpoint")
	assert.Contains(t, oe.Message, "connection refused")
	assert.Contains(t, oe.Message, "gave up after 4 attempts")
	assert.Less(t, elapsed, 20*time.Second)
}

// silentEndpoint accepts connections and never answers, like an endpoint behind a firewall that
// drops replies.
func silentEndpoint(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return "http://" + l.Addr().String()
}

func TestHangingEndpointIsBounded(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	endpoint := silentEndpoint(t)

	t.Run("by the context deadline", func(t *testing.T) {
		api, err := NewClient(context.Background(), Options{Region: "us-east-1", EndpointURL: endpoint})
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err = Plan(ctx, api, desired("x", "x", "x", "s", "g", 1))
		assert.Less(t, time.Since(start), 3*time.Second)
		var oe *OpError
		require.ErrorAs(t, err, &oe)
		assert.Equal(t, "DescribeClusters: timed out", oe.Error())
	})
	t.Run("by the per-request timeout", func(t *testing.T) {
		api, err := NewClient(context.Background(), Options{Region: "us-east-1", EndpointURL: endpoint, Timeout: 200 * time.Millisecond})
		require.NoError(t, err)
		start := time.Now()
		_, err = Plan(context.Background(), api, desired("x", "x", "x", "s", "g", 1))
		elapsed := time.Since(start)
		t.Logf("hanging endpoint with a 200ms request timeout failed after %v", elapsed)
		assert.Less(t, elapsed, MaxAttempts*200*time.Millisecond+(MaxAttempts-1)*MaxBackoff+time.Second)
		var oe *OpError
		require.ErrorAs(t, err, &oe)
		assert.Contains(t, oe.Message, "timed out")
		assert.Contains(t, oe.Message, "gave up after 4 attempts")
	})
}

func TestNewClientNeedsARegion(t *testing.T) {
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	t.Setenv("AWS_PROFILE", "")
	_, err := NewClient(context.Background(), Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no AWS region")
}

func TestNewClientUnknownProfile(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	_, err := NewClient(context.Background(), Options{Profile: "no-such-profile", Region: "us-east-1"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no-such-profile")
}

func TestWaitStable(t *testing.T) {
	client, endpoint := motoClient(t)
	subnet, sg := network(t, endpoint)
	ctx := context.Background()
	d := desired("ecsapi-wait", "ecsapi-wait", "nginx:1", subnet, sg, 0)
	more := desired("ecsapi-wait-2", "ecsapi-wait", "nginx:1", subnet, sg, 2)
	d.TaskDefinitions = append(d.TaskDefinitions, more.TaskDefinitions...)
	d.Services = append(d.Services, more.Services...)
	d.CreateClusters = true
	plan, err := Plan(ctx, client, d)
	require.NoError(t, err)
	done := Apply(ctx, client, plan)

	zero := []Step{done[2]}
	require.NoError(t, WaitStable(ctx, client, zero, 10*time.Second), "0 of 0 tasks is stable")

	// moto starts no tasks for a created service: 0 of 2 never becomes stable.
	start := time.Now()
	err = WaitStable(ctx, client, done, 2*time.Second)
	require.ErrorIs(t, err, ErrNotStable)
	assert.Contains(t, err.Error(), "services ecsapi-wait, ecsapi-wait-2 in cluster ecsapi-wait: not stable within 2s")
	assert.Less(t, time.Since(start), 5*time.Second)
}
