package ecsapi

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wantTD is a task definition as podecs writes it.
func wantTD() *ecs.RegisterTaskDefinitionInput {
	return &ecs.RegisterTaskDefinitionInput{
		Family:                  aws.String("web"),
		NetworkMode:             types.NetworkModeAwsvpc,
		RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate},
		Cpu:                     aws.String("256"),
		Memory:                  aws.String("512"),
		Tags:                    []types.Tag{{Key: aws.String("app"), Value: aws.String("web")}, {Key: aws.String("team"), Value: aws.String("shop")}},
		ContainerDefinitions: []types.ContainerDefinition{
			{
				Name:         aws.String("web"),
				Image:        aws.String("nginx:1.25"),
				PortMappings: []types.PortMapping{{ContainerPort: aws.Int32(80)}},
				Environment:  []types.KeyValuePair{{Name: aws.String("A"), Value: aws.String("1")}, {Name: aws.String("PASSWORD"), Value: aws.String("s3cr3t")}},
				Secrets:      []types.Secret{{Name: aws.String("DB"), ValueFrom: aws.String("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf")}},
				MountPoints:  []types.MountPoint{{SourceVolume: aws.String("data"), ContainerPath: aws.String("/data")}},
				HealthCheck:  &types.HealthCheck{Command: []string{"CMD-SHELL", "curl -f localhost"}},
				LinuxParameters: &types.LinuxParameters{Capabilities: &types.KernelCapabilities{
					Drop: []string{"NET_RAW", "ALL"},
				}},
			},
			{
				Name:      aws.String("sidecar"),
				Image:     aws.String("busybox"),
				Essential: aws.Bool(false),
				Command:   []string{"sh", "-c", "sleep 1"},
			},
		},
		Volumes: []types.Volume{{Name: aws.String("data"), EfsVolumeConfiguration: &types.EFSVolumeConfiguration{FileSystemId: aws.String("fs-1")}}},
	}
}

// liveTD is wantTD as DescribeTaskDefinition gives it back: read-only members, defaults filled
// in, lists in another order.
func liveTD() (*types.TaskDefinition, []types.Tag) {
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	td := &types.TaskDefinition{
		TaskDefinitionArn:       aws.String("arn:aws:ecs:us-east-1:123456789012:task-definition/web:3"),
		Revision:                3,
		Status:                  types.TaskDefinitionStatusActive,
		Compatibilities:         []types.Compatibility{types.CompatibilityEc2, types.CompatibilityFargate},
		RequiresAttributes:      []types.Attribute{{Name: aws.String("com.amazonaws.ecs.capability.docker-remote-api.1.18")}},
		RegisteredAt:            &at,
		RegisteredBy:            aws.String("arn:aws:iam::123456789012:user/ci"),
		Family:                  aws.String("web"),
		NetworkMode:             types.NetworkModeAwsvpc,
		RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate},
		Cpu:                     aws.String("256"),
		Memory:                  aws.String("512"),
		PlacementConstraints:    []types.TaskDefinitionPlacementConstraint{},
		ContainerDefinitions: []types.ContainerDefinition{
			{
				Name:        aws.String("sidecar"),
				Image:       aws.String("busybox"),
				Cpu:         0,
				Essential:   aws.Bool(false),
				Command:     []string{"sh", "-c", "sleep 1"},
				Environment: []types.KeyValuePair{},
				MountPoints: []types.MountPoint{},
				VolumesFrom: []types.VolumeFrom{},
			},
			{
				Name:         aws.String("web"),
				Image:        aws.String("nginx:1.25"),
				Essential:    aws.Bool(true),
				PortMappings: []types.PortMapping{{ContainerPort: aws.Int32(80), HostPort: aws.Int32(80), Protocol: types.TransportProtocolTcp}},
				Environment:  []types.KeyValuePair{{Name: aws.String("PASSWORD"), Value: aws.String("s3cr3t")}, {Name: aws.String("A"), Value: aws.String("1")}},
				Secrets:      []types.Secret{{Name: aws.String("DB"), ValueFrom: aws.String("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf")}},
				MountPoints:  []types.MountPoint{{SourceVolume: aws.String("data"), ContainerPath: aws.String("/data"), ReadOnly: aws.Bool(false)}},
				VolumesFrom:  []types.VolumeFrom{},
				HealthCheck:  &types.HealthCheck{Command: []string{"CMD-SHELL", "curl -f localhost"}, Interval: aws.Int32(30), Timeout: aws.Int32(5), Retries: aws.Int32(3), StartPeriod: aws.Int32(0)},
				LinuxParameters: &types.LinuxParameters{Capabilities: &types.KernelCapabilities{
					Drop: []string{"ALL", "NET_RAW"},
				}},
				SystemControls:     []types.SystemControl{},
				VersionConsistency: types.VersionConsistencyEnabled,
			},
		},
		Volumes: []types.Volume{{Name: aws.String("data"), EfsVolumeConfiguration: &types.EFSVolumeConfiguration{
			FileSystemId: aws.String("fs-1"), RootDirectory: aws.String("/"), TransitEncryption: types.EFSTransitEncryptionDisabled,
		}}},
	}
	tags := []types.Tag{{Key: aws.String("team"), Value: aws.String("shop")}, {Key: aws.String("app"), Value: aws.String("web")}}
	return td, tags
}

func container(cs []types.ContainerDefinition, name string) *types.ContainerDefinition {
	for i := range cs {
		if aws.ToString(cs[i].Name) == name {
			return &cs[i]
		}
	}
	return nil
}

func fieldsOf(cs []FieldChange) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Field)
	}
	return out
}

func TestTaskDefinitionDiff(t *testing.T) {
	type mutate func(w *ecs.RegisterTaskDefinitionInput, h *types.TaskDefinition, tags *[]types.Tag)
	tests := []struct {
		name   string
		mutate mutate
		want   []string // changed fields; nil: identical
	}{
		{"as described, with read-only members, defaults and other order", func(*ecs.RegisterTaskDefinitionInput, *types.TaskDefinition, *[]types.Tag) {}, nil},
		{"task cpu and memory in vCPU and GB", func(w *ecs.RegisterTaskDefinitionInput, h *types.TaskDefinition, _ *[]types.Tag) {
			w.Cpu, w.Memory = aws.String("0.25 vCPU"), aws.String("1 GB")
			h.Memory = aws.String("1024")
		}, nil},
		{"defaults written out", func(w *ecs.RegisterTaskDefinitionInput, _ *types.TaskDefinition, _ *[]types.Tag) {
			c := container(w.ContainerDefinitions, "web")
			c.Essential = aws.Bool(true)
			c.PortMappings[0].Protocol = types.TransportProtocolTcp
			c.PortMappings[0].HostPort = aws.Int32(80)
			c.HealthCheck.Interval, c.HealthCheck.Retries = aws.Int32(30), aws.Int32(3)
			container(w.ContainerDefinitions, "sidecar").Environment = []types.KeyValuePair{}
			w.Volumes[0].EfsVolumeConfiguration.RootDirectory = aws.String("/")
		}, nil},
		{"a different revision and registration time", func(_ *ecs.RegisterTaskDefinitionInput, h *types.TaskDefinition, _ *[]types.Tag) {
			h.Revision, h.TaskDefinitionArn, h.RegisteredAt = 9, aws.String("arn:aws:ecs:us-east-1:123456789012:task-definition/web:9"), nil
		}, nil},
		{"image", func(w *ecs.RegisterTaskDefinitionInput, _ *types.TaskDefinition, _ *[]types.Tag) {
			container(w.ContainerDefinitions, "web").Image = aws.String("nginx:1.26")
		}, []string{"containerDefinitions[web].image"}},
		{"environment value", func(w *ecs.RegisterTaskDefinitionInput, _ *types.TaskDefinition, _ *[]types.Tag) {
			container(w.ContainerDefinitions, "web").Environment[1].Value = aws.String("other")
		}, []string{"containerDefinitions[web].environment[PASSWORD]"}},
		{"environment variable removed", func(w *ecs.RegisterTaskDefinitionInput, _ *types.TaskDefinition, _ *[]types.Tag) {
			c := container(w.ContainerDefinitions, "web")
			c.Environment = c.Environment[:1]
		}, []string{"containerDefinitions[web].environment[PASSWORD]"}},
		{"environment variable set to empty is still set", func(w *ecs.RegisterTaskDefinitionInput, _ *types.TaskDefinition, _ *[]types.Tag) {
			c := container(w.ContainerDefinitions, "sidecar")
			c.Environment = []types.KeyValuePair{{Name: aws.String("EMPTY"), Value: aws.String("")}}
		}, []string{"containerDefinitions[sidecar].environment[EMPTY]"}},
		{"port added", func(w *ecs.RegisterTaskDefinitionInput, _ *types.TaskDefinition, _ *[]types.Tag) {
			c := container(w.ContainerDefinitions, "web")
			c.PortMappings = append(c.PortMappings, types.PortMapping{ContainerPort: aws.Int32(8080)})
		}, []string{"containerDefinitions[web].portMappings[8080/tcp]"}},
		{"udp is not tcp", func(w *ecs.RegisterTaskDefinitionInput, _ *types.TaskDefinition, _ *[]types.Tag) {
			container(w.ContainerDefinitions, "web").PortMappings[0].Protocol = types.TransportProtocolUdp
		}, []string{"containerDefinitions[web].portMappings[80/tcp]", "containerDefinitions[web].portMappings[80/udp]"}},
		{"a fixed host port under bridge is not the dynamic default", func(w *ecs.RegisterTaskDefinitionInput, h *types.TaskDefinition, _ *[]types.Tag) {
			w.NetworkMode, h.NetworkMode = types.NetworkModeBridge, types.NetworkModeBridge
		}, []string{"containerDefinitions[web].portMappings[80/tcp].hostPort"}},
		{"no network mode is bridge", func(w *ecs.RegisterTaskDefinitionInput, h *types.TaskDefinition, _ *[]types.Tag) {
			w.NetworkMode, h.NetworkMode = "", types.NetworkModeBridge
			container(w.ContainerDefinitions, "web").PortMappings[0].HostPort = aws.Int32(80)
		}, nil},
		{"essential unset is true, not false", func(w *ecs.RegisterTaskDefinitionInput, _ *types.TaskDefinition, _ *[]types.Tag) {
			container(w.ContainerDefinitions, "sidecar").Essential = nil
		}, []string{"containerDefinitions[sidecar].essential"}},
		{"command order matters", func(w *ecs.RegisterTaskDefinitionInput, _ *types.TaskDefinition, _ *[]types.Tag) {
			container(w.ContainerDefinitions, "sidecar").Command = []string{"-c", "sh", "sleep 1"}
		}, []string{"containerDefinitions[sidecar].command[0]", "containerDefinitions[sidecar].command[1]"}},
		{"capability order does not", func(w *ecs.RegisterTaskDefinitionInput, _ *types.TaskDefinition, _ *[]types.Tag) {
			container(w.ContainerDefinitions, "web").LinuxParameters.Capabilities.Drop = []string{"ALL", "NET_RAW"}
		}, nil},
		{"container cpu 0 is unset, 256 is not", func(w *ecs.RegisterTaskDefinitionInput, _ *types.TaskDefinition, _ *[]types.Tag) {
			container(w.ContainerDefinitions, "web").Cpu = 256
		}, []string{"containerDefinitions[web].cpu"}},
		{"health check interval", func(w *ecs.RegisterTaskDefinitionInput, _ *types.TaskDefinition, _ *[]types.Tag) {
			container(w.ContainerDefinitions, "web").HealthCheck.Interval = aws.Int32(10)
		}, []string{"containerDefinitions[web].healthCheck.interval"}},
		{"EFS root directory", func(w *ecs.RegisterTaskDefinitionInput, _ *types.TaskDefinition, _ *[]types.Tag) {
			w.Volumes[0].EfsVolumeConfiguration.RootDirectory = aws.String("/export")
		}, []string{"volumes[data].efsVolumeConfiguration.rootDirectory"}},
		{"tag value", func(_ *ecs.RegisterTaskDefinitionInput, _ *types.TaskDefinition, tags *[]types.Tag) {
			(*tags)[0].Value = aws.String("other")
		}, []string{"tags[team]"}},
		{"task memory", func(w *ecs.RegisterTaskDefinitionInput, _ *types.TaskDefinition, _ *[]types.Tag) {
			w.Memory = aws.String("1024")
		}, []string{"memory"}},
		{"secret source", func(w *ecs.RegisterTaskDefinitionInput, _ *types.TaskDefinition, _ *[]types.Tag) {
			container(w.ContainerDefinitions, "web").Secrets[0].ValueFrom = aws.String("arn:aws:ssm:us-east-1:123456789012:parameter/db")
		}, []string{"containerDefinitions[web].secrets[DB]"}},
		{"container added", func(w *ecs.RegisterTaskDefinitionInput, _ *types.TaskDefinition, _ *[]types.Tag) {
			w.ContainerDefinitions = append(w.ContainerDefinitions, types.ContainerDefinition{Name: aws.String("extra"), Image: aws.String("x")})
		}, []string{"containerDefinitions[extra]"}},
		{"execution role", func(w *ecs.RegisterTaskDefinitionInput, _ *types.TaskDefinition, _ *[]types.Tag) {
			w.ExecutionRoleArn = aws.String("arn:aws:iam::123456789012:role/exec")
		}, []string{"executionRoleArn"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := wantTD()
			h, tags := liveTD()
			tc.mutate(w, h, &tags)
			got := TaskDefinitionDiff(w, h, tags)
			assert.Equal(t, tc.want, fieldsOf(got), "%v", got)
		})
	}
}

func TestTaskDefinitionDiffHidesEnvironmentValues(t *testing.T) {
	w := wantTD()
	h, tags := liveTD()
	container(w.ContainerDefinitions, "web").Environment[1].Value = aws.String("n3w-s3cr3t")
	w.ContainerDefinitions = append(w.ContainerDefinitions, types.ContainerDefinition{
		Name: aws.String("extra"), Image: aws.String("x"),
		Environment: []types.KeyValuePair{{Name: aws.String("TOKEN"), Value: aws.String("t0k3n")}},
	})
	got := TaskDefinitionDiff(w, h, tags)
	require.Len(t, got, 2)
	assert.Equal(t, FieldChange{Field: "containerDefinitions[web].environment[PASSWORD]", Have: hidden, Want: hidden}, got[1])
	assert.Equal(t, "containerDefinitions[extra]", got[0].Field)
	for _, c := range got {
		for _, secret := range []string{"s3cr3t", "t0k3n"} {
			assert.NotContains(t, c.String(), secret)
		}
	}
	assert.Contains(t, got[0].Want, `"TOKEN":"(hidden)"`)
	assert.Contains(t, got[0].Want, `"image":"x"`)
}

func TestTaskDefinitionDiffShowsValues(t *testing.T) {
	w := wantTD()
	h, tags := liveTD()
	container(w.ContainerDefinitions, "web").Image = aws.String("nginx:1.26")
	container(w.ContainerDefinitions, "web").Memory = aws.Int32(256)
	got := TaskDefinitionDiff(w, h, tags)
	require.Len(t, got, 2)
	assert.Equal(t, `containerDefinitions[web].image: "nginx:1.25" → "nginx:1.26"`, got[0].String())
	assert.Equal(t, `containerDefinitions[web].memory: (none) → 256`, got[1].String())
}

func TestTaskDefinitionDiffLongValueIsCut(t *testing.T) {
	w := wantTD()
	h, tags := liveTD()
	container(w.ContainerDefinitions, "web").Image = aws.String(strings.Repeat("x", 300))
	got := TaskDefinitionDiff(w, h, tags)
	require.Len(t, got, 1)
	assert.Len(t, got[0].Want, maxDisplay)
	assert.True(t, strings.HasSuffix(got[0].Want, "..."))
}

func TestServiceDiff(t *testing.T) {
	want := func() *ecs.CreateServiceInput {
		return &ecs.CreateServiceInput{
			ServiceName:        aws.String("web"),
			TaskDefinition:     aws.String("web:3"),
			DesiredCount:       aws.Int32(3),
			SchedulingStrategy: types.SchedulingStrategyReplica,
			DeploymentConfiguration: &types.DeploymentConfiguration{
				MaximumPercent:           aws.Int32(200),
				DeploymentCircuitBreaker: &types.DeploymentCircuitBreaker{Enable: false},
			},
			NetworkConfiguration: &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{
				Subnets: []string{"subnet-a", "subnet-b"}, SecurityGroups: []string{"sg-1"},
			}},
		}
	}
	have := func() *types.Service {
		return &types.Service{
			ServiceName:        aws.String("web"),
			TaskDefinition:     aws.String("arn:aws:ecs:us-east-1:123456789012:task-definition/web:3"),
			DesiredCount:       3,
			SchedulingStrategy: types.SchedulingStrategyReplica,
			DeploymentConfiguration: &types.DeploymentConfiguration{
				MaximumPercent: aws.Int32(200), MinimumHealthyPercent: aws.Int32(100),
				DeploymentCircuitBreaker: &types.DeploymentCircuitBreaker{},
				Alarms:                   &types.DeploymentAlarms{AlarmNames: []string{}},
				Strategy:                 types.DeploymentStrategyRolling,
			},
			NetworkConfiguration: &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{
				Subnets: []string{"subnet-b", "subnet-a"}, SecurityGroups: []string{"sg-1"}, AssignPublicIp: types.AssignPublicIpDisabled,
			}},
		}
	}
	tests := []struct {
		name   string
		mutate func(w *ecs.CreateServiceInput, h *types.Service)
		want   []string
	}{
		{"as described", func(*ecs.CreateServiceInput, *types.Service) {}, nil},
		{"family alone matches any revision", func(w *ecs.CreateServiceInput, _ *types.Service) { w.TaskDefinition = aws.String("web") }, nil},
		{"revision", func(w *ecs.CreateServiceInput, _ *types.Service) { w.TaskDefinition = aws.String("web:4") }, []string{"taskDefinition"}},
		{"family:revision as UpdateService stored it", func(_ *ecs.CreateServiceInput, h *types.Service) { h.TaskDefinition = aws.String("web:3") }, nil},
		{"desired count", func(w *ecs.CreateServiceInput, _ *types.Service) { w.DesiredCount = aws.Int32(5) }, []string{"desiredCount"}},
		{"desired count unset is not compared", func(w *ecs.CreateServiceInput, _ *types.Service) { w.DesiredCount = nil }, nil},
		{"desired count of a DAEMON service", func(w *ecs.CreateServiceInput, h *types.Service) {
			w.SchedulingStrategy, h.SchedulingStrategy, h.DesiredCount = types.SchedulingStrategyDaemon, types.SchedulingStrategyDaemon, 7
			w.DeploymentConfiguration = nil
		}, nil},
		{"deployment configuration the endpoint did not keep", func(w *ecs.CreateServiceInput, h *types.Service) {
			w.DeploymentConfiguration.MaximumPercent = aws.Int32(125)
			h.DeploymentConfiguration = nil
		}, []string{"deploymentConfiguration.maximumPercent"}},
		{"defaults against nothing", func(_ *ecs.CreateServiceInput, h *types.Service) { h.DeploymentConfiguration = nil }, nil},
		{"DAEMON defaults", func(w *ecs.CreateServiceInput, h *types.Service) {
			w.SchedulingStrategy = types.SchedulingStrategyDaemon
			w.DeploymentConfiguration = &types.DeploymentConfiguration{MaximumPercent: aws.Int32(100), MinimumHealthyPercent: aws.Int32(0)}
			h.DeploymentConfiguration = nil
		}, nil},
		{"minimum healthy 0 is not the default 100", func(w *ecs.CreateServiceInput, _ *types.Service) {
			w.DeploymentConfiguration.MinimumHealthyPercent = aws.Int32(0)
		}, []string{"deploymentConfiguration.minimumHealthyPercent"}},
		{"circuit breaker", func(w *ecs.CreateServiceInput, _ *types.Service) {
			w.DeploymentConfiguration.DeploymentCircuitBreaker = &types.DeploymentCircuitBreaker{Enable: true, Rollback: true}
		}, []string{"deploymentConfiguration.deploymentCircuitBreaker"}},
		{"deployment configuration unset is not compared", func(w *ecs.CreateServiceInput, h *types.Service) {
			w.DeploymentConfiguration = nil
			h.DeploymentConfiguration.MaximumPercent = aws.Int32(150)
		}, nil},
		{"public IP", func(w *ecs.CreateServiceInput, _ *types.Service) {
			w.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp = types.AssignPublicIpEnabled
		}, []string{"networkConfiguration.awsvpcConfiguration.assignPublicIp"}},
		{"subnets", func(w *ecs.CreateServiceInput, _ *types.Service) {
			w.NetworkConfiguration.AwsvpcConfiguration.Subnets = []string{"subnet-a", "subnet-c"}
		}, []string{"networkConfiguration.awsvpcConfiguration.subnets[1]"}},
		{"network configuration missing live", func(_ *ecs.CreateServiceInput, h *types.Service) { h.NetworkConfiguration = nil }, []string{"networkConfiguration.awsvpcConfiguration"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, h := want(), have()
			tc.mutate(w, h)
			got := ServiceDiff(w, h)
			assert.Equal(t, tc.want, fieldsOf(got), "%v", got)
		})
	}
}

func TestParseTaskDefinitionRef(t *testing.T) {
	tests := []struct {
		in   string
		want TaskDefinitionRef
		str  string
	}{
		{"web", TaskDefinitionRef{Family: "web"}, "web"},
		{"web:12", TaskDefinitionRef{Family: "web", Revision: 12}, "web:12"},
		{"arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7", TaskDefinitionRef{Family: "web", Revision: 7}, "web:7"},
		{"arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/a-b_c:1", TaskDefinitionRef{Family: "a-b_c", Revision: 1}, "a-b_c:1"},
		{"web:latest", TaskDefinitionRef{Family: "web"}, "web"},
		{"web:0", TaskDefinitionRef{Family: "web"}, "web"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got := ParseTaskDefinitionRef(tc.in)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.str, got.String())
		})
	}
}

func TestUnits(t *testing.T) {
	tests := []struct {
		in   any
		want any
	}{
		{"1 vCPU", "1024"},
		{"0.25 vcpu", "256"},
		{"512", "512"},
		{"2 GB", "2048"},
		{"0.5GB", "512"},
		{"x vCPU", "x vCPU"},
		{nil, nil},
	}
	for _, tc := range tests {
		suffix := "vcpu"
		if s, _ := tc.in.(string); strings.HasSuffix(strings.ToLower(s), "gb") {
			suffix = "gb"
		}
		assert.Equal(t, tc.want, units(tc.in, suffix), "%v", tc.in)
	}
}

func TestClusterName(t *testing.T) {
	for in, want := range map[string]string{
		"shop":    "shop",
		"default": "default",
		"arn:aws:ecs:eu-central-1:123456789012:cluster/shop":        "shop",
		"arn:aws-us-gov:ecs:us-gov-west-1:123456789012:cluster/a-b": "a-b",
		"not-an-arn:cluster/x": "not-an-arn:cluster/x",
	} {
		assert.Equal(t, want, clusterName(in), in)
	}
}
