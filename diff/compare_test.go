package diff

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podecs/podecs/convert/ecsjson"
)

// taskDef returns a small Fargate task definition with one container "web"; edit changes it.
func taskDef(edit ...func(*ecs.RegisterTaskDefinitionInput)) *ecs.RegisterTaskDefinitionInput {
	td := &ecs.RegisterTaskDefinitionInput{
		Family:                  aws.String("web"),
		Cpu:                     aws.String("512"),
		Memory:                  aws.String("1024"),
		NetworkMode:             types.NetworkModeAwsvpc,
		RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate},
		ContainerDefinitions: []types.ContainerDefinition{{
			Name:         aws.String("web"),
			Image:        aws.String("ghcr.io/example/web:1.0"),
			PortMappings: []types.PortMapping{{ContainerPort: aws.Int32(8080)}},
			Environment:  []types.KeyValuePair{{Name: aws.String("MODE"), Value: aws.String("prod")}},
		}},
	}
	for _, e := range edit {
		e(td)
	}
	return td
}

func service(edit ...func(*ecs.CreateServiceInput)) *ecs.CreateServiceInput {
	s := &ecs.CreateServiceInput{
		ServiceName:    aws.String("web"),
		TaskDefinition: aws.String("web"),
		Cluster:        aws.String("prod"),
		DesiredCount:   aws.Int32(2),
		LaunchType:     types.LaunchTypeFargate,
	}
	for _, e := range edit {
		e(s)
	}
	return s
}

func web(td *ecs.RegisterTaskDefinitionInput, svc *ecs.CreateServiceInput) Workload {
	return Workload{Name: "web", TaskDefinition: td, Service: svc}
}

func container(td *ecs.RegisterTaskDefinitionInput) *types.ContainerDefinition {
	return &td.ContainerDefinitions[0]
}

// TestEquivalentSpellings: the canonical form makes equal what ECS treats as equal.
func TestEquivalentSpellings(t *testing.T) {
	tests := []struct {
		name        string
		left, right Workload
	}{
		{"task cpu in vCPU and units", web(taskDef(), nil), web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) { td.Cpu = aws.String("0.5 vCPU") }), nil)},
		{"task memory in GB and MiB", web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) { td.Memory = aws.String("1GB") }), nil), web(taskDef(), nil)},
		{"task memory with spaces", web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) { td.Memory = aws.String(" 1 gb ") }), nil), web(taskDef(), nil)},
		{"Docker Hub image spellings", web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) { container(td).Image = aws.String("nginx") }), nil),
			web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) {
				container(td).Image = aws.String("docker.io/library/nginx:latest")
			}), nil)},
		{"essential left out is true", web(taskDef(), nil), web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) { container(td).Essential = aws.Bool(true) }), nil)},
		{"protocol tcp and host port under awsvpc", web(taskDef(), nil), web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) {
			container(td).PortMappings[0].Protocol = types.TransportProtocolTcp
			container(td).PortMappings[0].HostPort = aws.Int32(8080)
		}), nil)},
		{"health check defaults", web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) {
			container(td).HealthCheck = &types.HealthCheck{Command: []string{"CMD", "true"}}
		}), nil), web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) {
			container(td).HealthCheck = &types.HealthCheck{Command: []string{"CMD", "true"}, Interval: aws.Int32(30), Timeout: aws.Int32(5), Retries: aws.Int32(3), StartPeriod: aws.Int32(0)}
		}), nil)},
		{"empty lists, zero cpu, default stop timeout and version consistency", web(taskDef(), nil), web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) {
			c := container(td)
			c.MountPoints, c.VolumesFrom, c.Secrets = []types.MountPoint{}, []types.VolumeFrom{}, []types.Secret{}
			c.Cpu, c.StopTimeout, c.VersionConsistency = 0, aws.Int32(30), types.VersionConsistencyEnabled
			td.Volumes, td.PlacementConstraints = []types.Volume{}, []types.TaskDefinitionPlacementConstraint{}
			td.RuntimePlatform = &types.RuntimePlatform{OperatingSystemFamily: types.OSFamilyLinux}
		}), nil)},
		{"order of containers, env, secrets, ports, mounts, volumes and tags", web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) {
			c := container(td)
			c.Environment = append(c.Environment, types.KeyValuePair{Name: aws.String("A"), Value: aws.String("1")})
			c.Secrets = []types.Secret{{Name: aws.String("X"), ValueFrom: aws.String("arn:x")}, {Name: aws.String("Y"), ValueFrom: aws.String("arn:y")}}
			c.PortMappings = append(c.PortMappings, types.PortMapping{ContainerPort: aws.Int32(9090)})
			c.MountPoints = []types.MountPoint{{ContainerPath: aws.String("/a"), SourceVolume: aws.String("a")}, {ContainerPath: aws.String("/b"), SourceVolume: aws.String("b")}}
			td.Volumes = []types.Volume{{Name: aws.String("a")}, {Name: aws.String("b")}}
			td.Tags = []types.Tag{{Key: aws.String("team"), Value: aws.String("x")}, {Key: aws.String("app"), Value: aws.String("web")}}
			td.ContainerDefinitions = append(td.ContainerDefinitions, types.ContainerDefinition{Name: aws.String("sidecar"), Image: aws.String("envoy:1")})
		}), nil), web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) {
			c := container(td)
			c.Environment = []types.KeyValuePair{{Name: aws.String("A"), Value: aws.String("1")}, c.Environment[0]}
			c.Secrets = []types.Secret{{Name: aws.String("Y"), ValueFrom: aws.String("arn:y")}, {Name: aws.String("X"), ValueFrom: aws.String("arn:x")}}
			c.PortMappings = []types.PortMapping{{ContainerPort: aws.Int32(9090)}, c.PortMappings[0]}
			c.MountPoints = []types.MountPoint{{ContainerPath: aws.String("/b"), SourceVolume: aws.String("b")}, {ContainerPath: aws.String("/a"), SourceVolume: aws.String("a")}}
			td.Volumes = []types.Volume{{Name: aws.String("b")}, {Name: aws.String("a"), Host: &types.HostVolumeProperties{}}}
			td.Tags = []types.Tag{{Key: aws.String("app"), Value: aws.String("web")}, {Key: aws.String("team"), Value: aws.String("x")}, {Key: aws.String("aws:cloudformation:stack-name"), Value: aws.String("s")}}
			td.ContainerDefinitions = append([]types.ContainerDefinition{{Name: aws.String("sidecar"), Image: aws.String("envoy:1")}}, td.ContainerDefinitions...)
		}), nil)},
		{"EFS defaults", web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) {
			td.Volumes = []types.Volume{{Name: aws.String("data"), EfsVolumeConfiguration: &types.EFSVolumeConfiguration{FileSystemId: aws.String("fs-1")}}}
		}), nil), web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) {
			td.Volumes = []types.Volume{{Name: aws.String("data"), EfsVolumeConfiguration: &types.EFSVolumeConfiguration{
				FileSystemId: aws.String("fs-1"), RootDirectory: aws.String("/"), TransitEncryption: types.EFSTransitEncryptionDisabled,
				AuthorizationConfig: &types.EFSAuthorizationConfig{Iam: types.EFSAuthorizationConfigIAMDisabled},
			}}}
		}), nil)},
		{"service defaults as describe-services reports them", web(taskDef(), service()), web(taskDef(), service(func(s *ecs.CreateServiceInput) {
			s.Cluster = aws.String("arn:aws:ecs:eu-west-1:123456789012:cluster/prod")
			s.TaskDefinition = aws.String("arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7")
			s.Role = aws.String("arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS")
			s.SchedulingStrategy = types.SchedulingStrategyReplica
			s.DeploymentController = &types.DeploymentController{Type: types.DeploymentControllerTypeEcs}
			s.DeploymentConfiguration = &types.DeploymentConfiguration{
				MaximumPercent: aws.Int32(200), MinimumHealthyPercent: aws.Int32(100), Strategy: types.DeploymentStrategyRolling,
				DeploymentCircuitBreaker: &types.DeploymentCircuitBreaker{}, Alarms: &types.DeploymentAlarms{AlarmNames: []string{}},
			}
			s.PlatformVersion, s.PropagateTags = aws.String("LATEST"), types.PropagateTagsNone
			s.AvailabilityZoneRebalancing = types.AvailabilityZoneRebalancingEnabled
			s.HealthCheckGracePeriodSeconds = aws.Int32(0)
			s.ClientToken = aws.String("abc")
		}))},
		{"network sets and public IP default", web(taskDef(), service(func(s *ecs.CreateServiceInput) {
			s.NetworkConfiguration = &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{"b", "a"}, SecurityGroups: []string{"sg"}}}
		})), web(taskDef(), service(func(s *ecs.CreateServiceInput) {
			s.NetworkConfiguration = &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{"a", "b", "a"}, SecurityGroups: []string{"sg"}, AssignPublicIp: types.AssignPublicIpDisabled}}
		}))},
		{"daemon: desired count and rollout defaults", web(taskDef(), service(func(s *ecs.CreateServiceInput) {
			s.SchedulingStrategy, s.DesiredCount = types.SchedulingStrategyDaemon, nil
		})), web(taskDef(), service(func(s *ecs.CreateServiceInput) {
			s.SchedulingStrategy, s.DesiredCount = types.SchedulingStrategyDaemon, aws.Int32(5)
			s.DeploymentConfiguration = &types.DeploymentConfiguration{MaximumPercent: aws.Int32(100), MinimumHealthyPercent: aws.Int32(0)}
		}))},
		{"empty cluster is default", web(taskDef(), service(func(s *ecs.CreateServiceInput) { s.Cluster = nil })), web(taskDef(), service(func(s *ecs.CreateServiceInput) { s.Cluster = aws.String("default") }))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Empty(t, compareWorkloads(tt.left, tt.right))
			assert.Empty(t, compareWorkloads(tt.right, tt.left))
		})
	}
}

// TestRealDifferences: what differs is reported once, with its path and both display values.
func TestRealDifferences(t *testing.T) {
	tests := []struct {
		name        string
		left, right Workload
		want        []Difference
	}{
		{"image", web(taskDef(), nil), web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) { container(td).Image = aws.String("ghcr.io/example/web:1.1") }), nil),
			[]Difference{{Path: "containers[web].image", Left: "ghcr.io/example/web:1.0", Right: "ghcr.io/example/web:1.1"}}},
		{"env value, env added, empty value is set", web(taskDef(), nil), web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) {
			container(td).Environment = []types.KeyValuePair{{Name: aws.String("MODE"), Value: aws.String("dev")}, {Name: aws.String("DEBUG"), Value: aws.String("")}}
		}), nil), []Difference{
			{Path: "containers[web].environment[DEBUG]", Right: `""`},
			{Path: "containers[web].environment[MODE]", Left: "prod", Right: "dev"},
		}},
		{"task size", web(taskDef(), nil), web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) { td.Cpu, td.Memory = aws.String("1 vCPU"), aws.String("3GB") }), nil),
			[]Difference{{Path: "cpu", Left: "512", Right: "1024"}, {Path: "memory", Left: "1024", Right: "3072"}}},
		{"health check interval against the default", web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) {
			container(td).HealthCheck = &types.HealthCheck{Command: []string{"CMD", "true"}}
		}), nil), web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) {
			container(td).HealthCheck = &types.HealthCheck{Command: []string{"CMD", "true"}, Interval: aws.Int32(10)}
		}), nil), []Difference{{Path: "containers[web].healthCheck.interval", Left: "30", Right: "10"}}},
		{"health check on one side is one difference", web(taskDef(), nil), web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) {
			container(td).HealthCheck = &types.HealthCheck{Command: []string{"CMD", "true"}}
		}), nil), []Difference{{Path: "containers[web].healthCheck", Right: `{"command":["CMD","true"],"interval":30,"retries":3,"startPeriod":0,"timeout":5}`}}},
		{"command order matters", web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) { container(td).Command = []string{"a", "b"} }), nil),
			web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) { container(td).Command = []string{"b", "a"} }), nil),
			[]Difference{{Path: "containers[web].command", Left: `["a","b"]`, Right: `["b","a"]`}}},
		{"host port is not the container port under bridge", web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) { td.NetworkMode = types.NetworkModeBridge }), nil),
			web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) {
				container(td).PortMappings[0].HostPort = aws.Int32(8080)
				td.NetworkMode = ""
			}), nil),
			[]Difference{{Path: "containers[web].portMappings[8080/tcp].hostPort", Right: "8080"}}},
		{"essential false", web(taskDef(), nil), web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) { container(td).Essential = aws.Bool(false) }), nil),
			[]Difference{{Path: "containers[web].essential", Left: "true", Right: "false"}}},
		{"a boolean left out reads false", web(taskDef(), nil), web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) { container(td).ReadonlyRootFilesystem = aws.Bool(true) }), nil),
			[]Difference{{Path: "containers[web].readonlyRootFilesystem", Left: "false", Right: "true"}}},
		{"container on one side", web(taskDef(), nil), web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) {
			td.ContainerDefinitions = append(td.ContainerDefinitions, types.ContainerDefinition{Name: aws.String("log"), Image: aws.String("fluent-bit:3")})
		}), nil), []Difference{{Path: "containers[log]", Right: `{"essential":true,"image":"fluent-bit:3","name":"log","stopTimeout":30,"versionConsistency":"enabled"}`}}},
		{"log options", web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) {
			container(td).LogConfiguration = &types.LogConfiguration{LogDriver: types.LogDriverAwslogs, Options: map[string]string{"awslogs-group": "/a", "x": ""}}
		}), nil), web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) {
			container(td).LogConfiguration = &types.LogConfiguration{LogDriver: types.LogDriverAwslogs, Options: map[string]string{"awslogs-group": "/b"}}
		}), nil), []Difference{
			{Path: "containers[web].logConfiguration.options[awslogs-group]", Left: "/a", Right: "/b"},
			{Path: "containers[web].logConfiguration.options[x]", Left: `""`},
		}},
		{"EFS file system", web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) {
			td.Volumes = []types.Volume{{Name: aws.String("data"), EfsVolumeConfiguration: &types.EFSVolumeConfiguration{FileSystemId: aws.String("fs-1")}}}
		}), nil), web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) {
			td.Volumes = []types.Volume{{Name: aws.String("data"), EfsVolumeConfiguration: &types.EFSVolumeConfiguration{FileSystemId: aws.String("fs-2")}}}
		}), nil), []Difference{{Path: "volumes[data].efsVolumeConfiguration.fileSystemId", Left: "fs-1", Right: "fs-2"}}},
		{"replicas and rollout", web(taskDef(), service()), web(taskDef(), service(func(s *ecs.CreateServiceInput) {
			s.DesiredCount = aws.Int32(3)
			s.DeploymentConfiguration = &types.DeploymentConfiguration{MaximumPercent: aws.Int32(150)}
		})), []Difference{
			{Path: "deploymentConfiguration.maximumPercent", Left: "200", Right: "150"},
			{Path: "desiredCount", Left: "2", Right: "3"},
		}},
		{"service tags do not mix with task definition tags", web(taskDef(), service()), web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) {
			td.Tags = []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}}
		}), service(func(s *ecs.CreateServiceInput) {
			s.Tags = []types.Tag{{Key: aws.String("team"), Value: aws.String("b")}}
		})), []Difference{
			{Path: "tags[team]", Right: "a"},
			{Path: "service.tags[team]", Right: "b"},
		}},
		{"service on one side", web(taskDef(), nil), web(taskDef(), service()), []Difference{{Path: "service", Right: `{"availabilityZoneRebalancing":"ENABLED","cluster":"prod","deploymentConfiguration":{"maximumPercent":200,"minimumHealthyPercent":100,"strategy":"ROLLING"},"deploymentController":{"type":"ECS"},"desiredCount":2,"launchType":"FARGATE","platformVersion":"LATEST","propagateTags":"NONE","schedulingStrategy":"REPLICA"}`}}},
		{"an entry on one side only with an unset boolean", web(taskDef(), nil), web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) {
			container(td).VolumesFrom = []types.VolumeFrom{{SourceContainer: aws.String("data")}}
		}), nil), []Difference{{Path: "containers[web].volumesFrom[data]", Right: "false"}}},
		{"repeated env names are told apart", web(taskDef(), nil), web(taskDef(func(td *ecs.RegisterTaskDefinitionInput) {
			container(td).Environment = append(container(td).Environment, types.KeyValuePair{Name: aws.String("MODE"), Value: aws.String("dev")})
		}), nil), []Difference{{Path: "containers[web].environment[MODE#2]", Right: "dev"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, compareWorkloads(tt.left, tt.right))
		})
	}
}

func TestSecretsShowNamesNeverValues(t *testing.T) {
	withSecret := func(arn string) *ecs.RegisterTaskDefinitionInput {
		return taskDef(func(td *ecs.RegisterTaskDefinitionInput) {
			container(td).Secrets = []types.Secret{{Name: aws.String("DB_PASSWORD"), ValueFrom: aws.String(arn)}}
		})
	}
	const sm = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:"
	tests := []struct {
		name        string
		left, right *ecs.RegisterTaskDefinitionInput
		want        []Difference
	}{
		{"other secret", withSecret(sm + "prod/db-AbCdEf"), withSecret(sm + "staging/db-XyZ123"),
			[]Difference{{Path: "containers[web].secrets[DB_PASSWORD]", Left: "prod/db-AbCdEf", Right: "staging/db-XyZ123", Secret: true}}},
		{"other JSON key", withSecret(sm + "prod/db-AbCdEf:password::"), withSecret(sm + "prod/db-AbCdEf:pw::"),
			[]Difference{{Path: "containers[web].secrets[DB_PASSWORD]", Left: "prod/db-AbCdEf:password", Right: "prod/db-AbCdEf:pw", Secret: true}}},
		{"same name in another account", withSecret(sm + "db-AbCdEf"), withSecret("arn:aws:secretsmanager:eu-west-1:999999999999:secret:db-AbCdEf"),
			[]Difference{{Path: "containers[web].secrets[DB_PASSWORD]", Left: "db-AbCdEf (eu-west-1 123456789012)", Right: "db-AbCdEf (eu-west-1 999999999999)", Secret: true}}},
		{"SSM parameter", withSecret("arn:aws:ssm:eu-west-1:123456789012:parameter/prod/db"), withSecret("/staging/db"),
			[]Difference{{Path: "containers[web].secrets[DB_PASSWORD]", Left: "/prod/db", Right: "/staging/db", Secret: true}}},
		{"secret on one side, plain variable on the other", withSecret(sm + "prod/db-AbCdEf"), taskDef(func(td *ecs.RegisterTaskDefinitionInput) {
			container(td).Environment = append(container(td).Environment, types.KeyValuePair{Name: aws.String("DB_PASSWORD"), Value: aws.String("hunter2")})
		}), []Difference{
			{Path: "containers[web].environment[DB_PASSWORD]", Right: "(hidden)", Secret: true},
			{Path: "containers[web].secrets[DB_PASSWORD]", Left: "prod/db-AbCdEf", Secret: true},
		}},
		{"same reference", withSecret(sm + "prod/db-AbCdEf"), withSecret(sm + "prod/db-AbCdEf"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := compareWorkloads(web(tt.left, nil), web(tt.right, nil))
			assert.Equal(t, tt.want, got)
			for _, d := range got {
				assert.NotContains(t, d.Left+d.Right, "hunter2")
			}
		})
	}
}

func TestCanonicalImage(t *testing.T) {
	tests := map[string]string{
		"nginx":                              "nginx:latest",
		"nginx:1.27":                         "nginx:1.27",
		"docker.io/library/nginx":            "nginx:latest",
		"index.docker.io/library/nginx:1.27": "nginx:1.27",
		"docker.io/bitnami/redis:7":          "bitnami/redis:7",
		"ghcr.io/example/api":                "ghcr.io/example/api:latest",
		"localhost:5000/app":                 "localhost:5000/app:latest",
		"localhost:5000/app:2":               "localhost:5000/app:2",
		"nginx@sha256:abc":                   "nginx@sha256:abc",
		"docker.io/library/nginx@sha256:abc": "nginx@sha256:abc",
		"123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1",
		" nginx ": "nginx:latest",
		"":        "",
	}
	for in, want := range tests {
		assert.Equal(t, want, canonicalImage(in), in)
	}
}

func TestCanonicalSizeKeepsWhatItCannotParse(t *testing.T) {
	td := canonicalTaskDefinition(taskDef(func(td *ecs.RegisterTaskDefinitionInput) { td.Cpu, td.Memory = aws.String(" lots "), aws.String("") }))
	assert.Equal(t, "lots", aws.ToString(td.Cpu))
	assert.Nil(t, td.Memory)
}

// TestCanonicalFormLeavesInputAlone: canonicalisation works on a copy.
func TestCanonicalFormLeavesInputAlone(t *testing.T) {
	td := taskDef(func(td *ecs.RegisterTaskDefinitionInput) {
		container(td).HealthCheck = &types.HealthCheck{Command: []string{"CMD", "true"}}
		td.Cpu = aws.String("1 vCPU")
	})
	svc := service(func(s *ecs.CreateServiceInput) {
		s.NetworkConfiguration = &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{"b", "a"}}}
	})
	beforeTD, err := ecsjson.Marshal(td)
	require.NoError(t, err)
	beforeSvc, err := ecsjson.Marshal(svc)
	require.NoError(t, err)
	require.NotEmpty(t, compareWorkloads(web(td, svc), web(taskDef(), nil)))
	afterTD, err := ecsjson.Marshal(td)
	require.NoError(t, err)
	afterSvc, err := ecsjson.Marshal(svc)
	require.NoError(t, err)
	assert.Equal(t, string(beforeTD), string(afterTD))
	assert.Equal(t, string(beforeSvc), string(afterSvc))
}

func TestCompareSummary(t *testing.T) {
	left := Side{Label: "l", Workloads: []Workload{
		{Name: "same", TaskDefinition: taskDef()},
		{Name: "changed", TaskDefinition: taskDef()},
		{Name: "gone", TaskDefinition: taskDef()},
	}}
	right := Side{Label: "r", Workloads: []Workload{
		{Name: "new", TaskDefinition: taskDef()},
		{Name: "changed", TaskDefinition: taskDef(func(td *ecs.RegisterTaskDefinitionInput) { td.Cpu, td.Memory = aws.String("1024"), aws.String("2048") })},
		{Name: "same", TaskDefinition: taskDef()},
	}}
	rep := Compare(left, right)
	assert.Equal(t, Summary{Workloads: 4, Equal: 1, Different: 1, OnlyLeft: 1, OnlyRight: 1, Differences: 2}, rep.Summary)
	var names []string
	var statuses []Status
	for _, w := range rep.Workloads {
		names, statuses = append(names, w.Name), append(statuses, w.Status)
	}
	assert.Equal(t, []string{"changed", "gone", "new", "same"}, names)
	assert.Equal(t, []Status{StatusDifferent, StatusOnlyLeft, StatusOnlyRight, StatusEqual}, statuses)
	assert.True(t, rep.HasDifferences())

	same := Compare(Side{Workloads: left.Workloads[:1]}, Side{Workloads: right.Workloads[2:]})
	assert.False(t, same.HasDifferences())
	empty := Compare(Side{}, Side{})
	assert.False(t, empty.HasDifferences())
	assert.NotNil(t, empty.Workloads, "an empty comparison still lists its workloads as []")
}
