package ecsjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/document"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sampleTaskDefinition is a realistic web + sidecar task definition touching
// the members podecs writes.
func sampleTaskDefinition() *ecs.RegisterTaskDefinitionInput {
	return &ecs.RegisterTaskDefinitionInput{
		Family:                  aws.String("web"),
		TaskRoleArn:             aws.String("arn:aws:iam::123456789012:role/web-task"),
		ExecutionRoleArn:        aws.String("arn:aws:iam::123456789012:role/ecsTaskExecutionRole"),
		NetworkMode:             types.NetworkModeAwsvpc,
		RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate},
		Cpu:                     aws.String("512"),
		Memory:                  aws.String("1024"),
		EphemeralStorage:        &types.EphemeralStorage{SizeInGiB: 30},
		RuntimePlatform: &types.RuntimePlatform{
			CpuArchitecture:       types.CPUArchitectureArm64,
			OperatingSystemFamily: types.OSFamilyLinux,
		},
		ContainerDefinitions: []types.ContainerDefinition{
			{
				Name:      aws.String("app"),
				Image:     aws.String("registry.example.com/web:1.4.2"),
				Essential: aws.Bool(true),
				Command:   []string{"sh", "-c", "exec ./server --listen :8080 && echo \"done\""},
				PortMappings: []types.PortMapping{{
					Name:          aws.String("http"),
					ContainerPort: aws.Int32(8080),
					Protocol:      types.TransportProtocolTcp,
					AppProtocol:   types.ApplicationProtocolHttp,
				}},
				Environment: []types.KeyValuePair{
					{Name: aws.String("LOG_LEVEL"), Value: aws.String("info")},
					{Name: aws.String("EMPTY"), Value: aws.String("")},
				},
				Secrets: []types.Secret{{
					Name:      aws.String("DB_PASSWORD"),
					ValueFrom: aws.String("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db:password::"),
				}},
				HealthCheck: &types.HealthCheck{
					Command:     []string{"CMD-SHELL", "curl -f http://localhost:8080/healthz || exit 1"},
					Interval:    aws.Int32(10),
					Timeout:     aws.Int32(5),
					Retries:     aws.Int32(3),
					StartPeriod: aws.Int32(30),
				},
				LinuxParameters: &types.LinuxParameters{
					Capabilities:       &types.KernelCapabilities{Add: []string{"NET_BIND_SERVICE"}, Drop: []string{"ALL"}},
					InitProcessEnabled: aws.Bool(true),
					Tmpfs:              []types.Tmpfs{{ContainerPath: aws.String("/tmp"), Size: 64, MountOptions: []string{"rw", "noexec"}}},
				},
				Ulimits: []types.Ulimit{
					{Name: types.UlimitNameNofile, SoftLimit: 65536, HardLimit: 65536},
					{Name: types.UlimitNameCore, SoftLimit: 0, HardLimit: 0},
				},
				DependsOn: []types.ContainerDependency{{
					ContainerName: aws.String("envoy"),
					Condition:     types.ContainerConditionHealthy,
				}},
				MountPoints: []types.MountPoint{{
					SourceVolume:  aws.String("data"),
					ContainerPath: aws.String("/data"),
					ReadOnly:      aws.Bool(false),
				}},
				LogConfiguration: &types.LogConfiguration{
					LogDriver: types.LogDriverAwslogs,
					Options: map[string]string{
						"awslogs-stream-prefix": "web",
						"awslogs-group":         "/ecs/web",
						"awslogs-region":        "eu-west-1",
					},
				},
				DockerLabels:           map[string]string{"app.kubernetes.io/name": "web"},
				ReadonlyRootFilesystem: aws.Bool(true),
				User:                   aws.String("1000:1000"),
				StopTimeout:            aws.Int32(30),
			},
			{
				Name:              aws.String("envoy"),
				Image:             aws.String("public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29"),
				Essential:         aws.Bool(false),
				Cpu:               128,
				MemoryReservation: aws.Int32(128),
				HealthCheck: &types.HealthCheck{
					Command: []string{"CMD-SHELL", "curl -s http://localhost:9901/ready | grep LIVE"},
				},
			},
		},
		Volumes: []types.Volume{{
			Name: aws.String("data"),
			EfsVolumeConfiguration: &types.EFSVolumeConfiguration{
				FileSystemId:      aws.String("fs-0123456789abcdef0"),
				RootDirectory:     aws.String("/"),
				TransitEncryption: types.EFSTransitEncryptionEnabled,
				AuthorizationConfig: &types.EFSAuthorizationConfig{
					AccessPointId: aws.String("fsap-0123456789abcdef0"),
					Iam:           types.EFSAuthorizationConfigIAMEnabled,
				},
			},
		}},
		Tags: []types.Tag{
			{Key: aws.String("team"), Value: aws.String("web")},
			{Key: aws.String("podecs.io/source"), Value: aws.String("Deployment/web")},
		},
	}
}

// sampleTaskDefinitionJSON is sampleTaskDefinition as written by Marshal:
// members in SDK declaration order, map keys sorted, zero ulimits kept.
const sampleTaskDefinitionJSON = `{
  "containerDefinitions": [
    {
      "command": [
        "sh",
        "-c",
        "exec ./server --listen :8080 && echo \"done\""
      ],
      "dependsOn": [
        {
          "condition": "HEALTHY",
          "containerName": "envoy"
        }
      ],
      "dockerLabels": {
        "app.kubernetes.io/name": "web"
      },
      "environment": [
        {
          "name": "LOG_LEVEL",
          "value": "info"
        },
        {
          "name": "EMPTY",
          "value": ""
        }
      ],
      "essential": true,
      "healthCheck": {
        "command": [
          "CMD-SHELL",
          "curl -f http://localhost:8080/healthz || exit 1"
        ],
        "interval": 10,
        "retries": 3,
        "startPeriod": 30,
        "timeout": 5
      },
      "image": "registry.example.com/web:1.4.2",
      "linuxParameters": {
        "capabilities": {
          "add": [
            "NET_BIND_SERVICE"
          ],
          "drop": [
            "ALL"
          ]
        },
        "initProcessEnabled": true,
        "tmpfs": [
          {
            "containerPath": "/tmp",
            "size": 64,
            "mountOptions": [
              "rw",
              "noexec"
            ]
          }
        ]
      },
      "logConfiguration": {
        "logDriver": "awslogs",
        "options": {
          "awslogs-group": "/ecs/web",
          "awslogs-region": "eu-west-1",
          "awslogs-stream-prefix": "web"
        }
      },
      "mountPoints": [
        {
          "containerPath": "/data",
          "readOnly": false,
          "sourceVolume": "data"
        }
      ],
      "name": "app",
      "portMappings": [
        {
          "appProtocol": "http",
          "containerPort": 8080,
          "name": "http",
          "protocol": "tcp"
        }
      ],
      "readonlyRootFilesystem": true,
      "secrets": [
        {
          "name": "DB_PASSWORD",
          "valueFrom": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db:password::"
        }
      ],
      "stopTimeout": 30,
      "ulimits": [
        {
          "hardLimit": 65536,
          "name": "nofile",
          "softLimit": 65536
        },
        {
          "hardLimit": 0,
          "name": "core",
          "softLimit": 0
        }
      ],
      "user": "1000:1000"
    },
    {
      "cpu": 128,
      "essential": false,
      "healthCheck": {
        "command": [
          "CMD-SHELL",
          "curl -s http://localhost:9901/ready | grep LIVE"
        ]
      },
      "image": "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29",
      "memoryReservation": 128,
      "name": "envoy"
    }
  ],
  "family": "web",
  "cpu": "512",
  "ephemeralStorage": {
    "sizeInGiB": 30
  },
  "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
  "memory": "1024",
  "networkMode": "awsvpc",
  "requiresCompatibilities": [
    "FARGATE"
  ],
  "runtimePlatform": {
    "cpuArchitecture": "ARM64",
    "operatingSystemFamily": "LINUX"
  },
  "tags": [
    {
      "key": "team",
      "value": "web"
    },
    {
      "key": "podecs.io/source",
      "value": "Deployment/web"
    }
  ],
  "taskRoleArn": "arn:aws:iam::123456789012:role/web-task",
  "volumes": [
    {
      "efsVolumeConfiguration": {
        "fileSystemId": "fs-0123456789abcdef0",
        "authorizationConfig": {
          "accessPointId": "fsap-0123456789abcdef0",
          "iam": "ENABLED"
        },
        "rootDirectory": "/",
        "transitEncryption": "ENABLED"
      },
      "name": "data"
    }
  ]
}
`

func TestRoundTripTaskDefinition(t *testing.T) {
	t.Run("Go to JSON to Go", func(t *testing.T) {
		in := sampleTaskDefinition()
		out, err := Marshal(in)
		require.NoError(t, err)
		assert.Equal(t, sampleTaskDefinitionJSON, string(out))

		var back ecs.RegisterTaskDefinitionInput
		require.NoError(t, Unmarshal(out, &back))
		assert.Equal(t, in, &back)
	})
	t.Run("JSON to Go to JSON", func(t *testing.T) {
		var td ecs.RegisterTaskDefinitionInput
		require.NoError(t, Unmarshal([]byte(sampleTaskDefinitionJSON), &td))
		assert.Equal(t, int32(0), td.ContainerDefinitions[0].Ulimits[1].SoftLimit)
		assert.Equal(t, types.EFSAuthorizationConfigIAMEnabled, td.Volumes[0].EfsVolumeConfiguration.AuthorizationConfig.Iam)
		out, err := Marshal(&td)
		require.NoError(t, err)
		assert.Equal(t, sampleTaskDefinitionJSON, string(out))
	})
	t.Run("compact input gives the same output", func(t *testing.T) {
		var compact bytes.Buffer
		require.NoError(t, json.Compact(&compact, []byte(sampleTaskDefinitionJSON)))
		var td ecs.RegisterTaskDefinitionInput
		require.NoError(t, Unmarshal(compact.Bytes(), &td))
		out, err := Marshal(td) // a struct value works as well as a pointer
		require.NoError(t, err)
		assert.Equal(t, sampleTaskDefinitionJSON, string(out))
	})
}

func TestMarshal(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{
			name: "member names of the model",
			in: &ecs.CreateServiceInput{
				ServiceName:          aws.String("web"),
				TaskDefinition:       aws.String("web:3"),
				DesiredCount:         aws.Int32(2),
				EnableECSManagedTags: true,
				NetworkConfiguration: &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{
					Subnets:        []string{"subnet-1"},
					AssignPublicIp: types.AssignPublicIpDisabled,
				}},
			},
			want: `{
  "serviceName": "web",
  "desiredCount": 2,
  "enableECSManagedTags": true,
  "networkConfiguration": {
    "awsvpcConfiguration": {
      "subnets": [
        "subnet-1"
      ],
      "assignPublicIp": "DISABLED"
    }
  },
  "taskDefinition": "web:3"
}
`,
		},
		{
			name: "zero value-type members the SDK omits",
			in: &ecs.CreateServiceInput{
				ServiceName:              aws.String("web"),
				EnableExecuteCommand:     false,
				LaunchType:               "",
				CapacityProviderStrategy: []types.CapacityProviderStrategyItem{{CapacityProvider: aws.String("FARGATE"), Base: 0, Weight: 0}},
			},
			want: `{
  "serviceName": "web",
  "capacityProviderStrategy": [
    {
      "capacityProvider": "FARGATE"
    }
  ]
}
`,
		},
		{
			name: "zero value-type members the SDK always sends",
			in: &ecs.RegisterTaskDefinitionInput{
				EphemeralStorage: &types.EphemeralStorage{},
				ContainerDefinitions: []types.ContainerDefinition{{
					Ulimits:         []types.Ulimit{{Name: types.UlimitNameCore}},
					LinuxParameters: &types.LinuxParameters{Tmpfs: []types.Tmpfs{{ContainerPath: aws.String("/tmp")}}},
				}},
			},
			want: `{
  "containerDefinitions": [
    {
      "linuxParameters": {
        "tmpfs": [
          {
            "containerPath": "/tmp",
            "size": 0
          }
        ]
      },
      "ulimits": [
        {
          "hardLimit": 0,
          "name": "core",
          "softLimit": 0
        }
      ]
    }
  ],
  "ephemeralStorage": {
    "sizeInGiB": 0
  }
}
`,
		},
		{
			name: "deployment circuit breaker flags are always sent",
			in: &types.DeploymentConfiguration{
				DeploymentCircuitBreaker: &types.DeploymentCircuitBreaker{Enable: true},
				MaximumPercent:           aws.Int32(200),
				MinimumHealthyPercent:    aws.Int32(0),
			},
			want: `{
  "deploymentCircuitBreaker": {
    "enable": true,
    "rollback": false
  },
  "maximumPercent": 200,
  "minimumHealthyPercent": 0
}
`,
		},
		{
			name: "empty lists are kept: they clear a list in UpdateService",
			in: &ecs.UpdateServiceInput{
				Service:       aws.String("web"),
				LoadBalancers: []types.LoadBalancer{},
				Cluster:       nil,
			},
			want: `{
  "service": "web",
  "loadBalancers": []
}
`,
		},
		{
			name: "empty struct and empty map",
			in:   &types.LogConfiguration{LogDriver: types.LogDriverAwslogs, Options: map[string]string{}},
			want: `{
  "logDriver": "awslogs",
  "options": {}
}
`,
		},
		{
			name: "nothing set",
			in:   &types.ContainerDefinition{},
			want: "{}\n",
		},
		{
			name: "strings are escaped for JSON but not for HTML",
			in:   &types.KeyValuePair{Name: aws.String("A"), Value: aws.String("a<b>&\"\\\n\t\x01\u2028\xff")},
			want: `{
  "name": "A",
  "value": "a<b>&\"\\\n\t\u0001\u2028\ufffd"
}
`,
		},
		{
			name: "timestamps in UTC with fractional seconds",
			in: &types.TaskDefinition{
				Revision:     7,
				RegisteredAt: aws.Time(time.Date(2023, 1, 5, 13, 0, 0, 123000000, time.FixedZone("CET", 3600))),
			},
			want: `{
  "registeredAt": "2023-01-05T12:00:00.123Z",
  "revision": 7
}
`,
		},
		{
			name: "floats",
			in: &types.ManagedApplicationAutoScalingPolicy{
				PolicyType:  aws.String("TargetTrackingScaling"),
				TargetValue: 0.5,
			},
			want: `{
  "policyType": "TargetTrackingScaling",
  "targetValue": 0.5
}
`,
		},
		{
			name: "union member",
			in: &types.ResourceRequirement{
				Type:            types.ResourceTypeGpu,
				Value:           aws.String("1"),
				SharingStrategy: &types.SharingStrategyMemberNvidiaMps{Value: types.NvidiaMpsAllocation{Memory: aws.Int32(4096)}},
			},
			want: `{
  "type": "GPU",
  "sharingStrategy": {
    "nvidiaMps": {
      "memory": 4096
    }
  },
  "value": "1"
}
`,
		},
		{
			name: "document with sorted keys",
			in: &types.DeploymentLifecycleHook{
				HookTargetArn: aws.String("arn:aws:lambda:eu-west-1:123456789012:function:hook"),
				HookDetails:   document.NewLazyDocument(map[string]any{"z": 1, "a": []any{true, "x", nil}}),
			},
			want: `{
  "hookDetails": {
    "a": [
      true,
      "x",
      null
    ],
    "z": 1
  },
  "hookTargetArn": "arn:aws:lambda:eu-west-1:123456789012:function:hook"
}
`,
		},
		{
			name: "slice of structs keeps its order",
			in:   []types.Tag{{Key: aws.String("b")}, {Key: aws.String("a")}},
			want: `[
  {
    "key": "b"
  },
  {
    "key": "a"
  }
]
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Marshal(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(out))
		})
	}
}

func TestMarshalErrors(t *testing.T) {
	tests := []struct {
		name     string
		in       any
		wantPath string
		wantMsg  string
	}{
		{name: "nil", in: nil, wantMsg: "cannot encode nil"},
		{name: "nil pointer", in: (*ecs.RegisterTaskDefinitionInput)(nil), wantMsg: "cannot encode nil *ecs.RegisterTaskDefinitionInput"},
		{
			name:     "NaN",
			in:       &types.ManagedApplicationAutoScalingPolicy{TargetValue: nan()},
			wantPath: "targetValue",
			wantMsg:  "number NaN cannot be written as JSON",
		},
		{
			name:     "timestamp beyond year 9999",
			in:       &types.TaskDefinition{RegisteredAt: aws.Time(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))},
			wantPath: "registeredAt",
			wantMsg:  "timestamp year 10000 outside 0000-9999",
		},
		{
			name:     "unknown union member",
			in:       &types.ResourceRequirement{SharingStrategy: &types.UnknownUnionMember{Tag: "future"}},
			wantPath: "sharingStrategy",
			wantMsg:  `unknown SharingStrategy union member "future" cannot be encoded`,
		},
		{
			name:     "nil union member",
			in:       &types.ResourceRequirement{SharingStrategy: (*types.SharingStrategyMemberNvidiaMps)(nil)},
			wantPath: "sharingStrategy",
			wantMsg:  "nil SharingStrategy union member",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Marshal(tt.in)
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tt.wantPath, fe.Path)
			assert.Equal(t, tt.wantMsg, fe.Msg)
		})
	}
}

func nan() float64 {
	zero := 0.0
	return zero / zero
}

func TestUnmarshalErrors(t *testing.T) {
	tests := []struct {
		name     string
		json     string
		wantPath string
		wantMsg  string
	}{
		{
			name:     "unknown field with a suggestion",
			json:     `{"family": "web", "containerDefinitions": [{"name": "a"}, {"name": "b", "essentail": true}]}`,
			wantPath: "containerDefinitions[1].essentail",
			wantMsg:  `unknown field (did you mean "essential"?)`,
		},
		{
			name:     "unknown field with the wrong case",
			json:     `{"Family": "web"}`,
			wantPath: "Family",
			wantMsg:  `unknown field (did you mean "family"?)`,
		},
		{
			name:     "unknown field without a close name",
			json:     `{"family": "web", "replicas": 3}`,
			wantPath: "replicas",
			wantMsg:  "unknown field",
		},
		{
			name:     "string for an integer",
			json:     `{"containerDefinitions": [{"portMappings": [{"containerPort": "eighty"}]}]}`,
			wantPath: "containerDefinitions[0].portMappings[0].containerPort",
			wantMsg:  `want integer, got string "eighty"`,
		},
		{
			name:     "enum value not in the SDK list",
			json:     `{"networkMode": "bridged"}`,
			wantPath: "networkMode",
			wantMsg:  `"bridged" is not a valid NetworkMode; want one of: bridge, host, awsvpc, none`,
		},
		{
			name:     "empty enum value",
			json:     `{"containerDefinitions": [{"ulimits": [{"name": "", "softLimit": 1, "hardLimit": 1}]}]}`,
			wantPath: "containerDefinitions[0].ulimits[0].name",
			wantMsg:  `"" is not a valid UlimitName; want one of: core, cpu, data, fsize, locks, memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack`,
		},
		{
			name:     "int32 overflow",
			json:     `{"containerDefinitions": [{"memory": 2147483648}]}`,
			wantPath: "containerDefinitions[0].memory",
			wantMsg:  "integer 2147483648 out of range for int32 [-2147483648, 2147483647]",
		},
		{
			name:     "int32 underflow",
			json:     `{"containerDefinitions": [{"ulimits": [{"softLimit": -2147483649}]}]}`,
			wantPath: "containerDefinitions[0].ulimits[0].softLimit",
			wantMsg:  "integer -2147483649 out of range for int32 [-2147483648, 2147483647]",
		},
		{
			name:     "fraction for an integer",
			json:     `{"containerDefinitions": [{"cpu": 0.5}]}`,
			wantPath: "containerDefinitions[0].cpu",
			wantMsg:  "want integer, got number 0.5",
		},
		{
			name:     "exponent for an integer",
			json:     `{"containerDefinitions": [{"cpu": 1e3}]}`,
			wantPath: "containerDefinitions[0].cpu",
			wantMsg:  "want integer, got number 1e3",
		},
		{
			name:     "null for a value-type integer",
			json:     `{"containerDefinitions": [{"ulimits": [{"softLimit": null}]}]}`,
			wantPath: "containerDefinitions[0].ulimits[0].softLimit",
			wantMsg:  "want integer, got null",
		},
		{
			name:     "number for a string",
			json:     `{"cpu": 256}`,
			wantPath: "cpu",
			wantMsg:  "want string, got number 256",
		},
		{
			name:     "string for a boolean",
			json:     `{"containerDefinitions": [{"essential": "true"}]}`,
			wantPath: "containerDefinitions[0].essential",
			wantMsg:  `want boolean, got string "true"`,
		},
		{
			name:     "object for a list",
			json:     `{"containerDefinitions": {"name": "a"}}`,
			wantPath: "containerDefinitions",
			wantMsg:  "want array, got object",
		},
		{
			name:     "list for an object",
			json:     `{"ephemeralStorage": [21]}`,
			wantPath: "ephemeralStorage",
			wantMsg:  "want object, got array",
		},
		{
			name:     "number in a string map",
			json:     `{"containerDefinitions": [{"dockerLabels": {"a.b": 1}}]}`,
			wantPath: `containerDefinitions[0].dockerLabels["a.b"]`,
			wantMsg:  "want string, got number 1",
		},
		{
			name:     "duplicate member",
			json:     `{"family": "a", "family": "b"}`,
			wantPath: "family",
			wantMsg:  "duplicate field",
		},
		{
			name:     "duplicate map key",
			json:     `{"containerDefinitions": [{"dockerLabels": {"a": "1", "a": "2"}}]}`,
			wantPath: `containerDefinitions[0].dockerLabels["a"]`,
			wantMsg:  "duplicate key",
		},
		{
			name:    "top-level list",
			json:    `[]`,
			wantMsg: "want object, got array",
		},
		{
			name:    "trailing data",
			json:    `{"family": "web"} {}`,
			wantMsg: "unexpected data after the top-level value",
		},
		{
			name:     "truncated document",
			json:     `{"family": "web", "containerDefinitions": [{"name": "a"`,
			wantPath: "containerDefinitions[0]",
			wantMsg:  "unexpected end of JSON input",
		},
		{
			name:     "syntax error",
			json:     `{"family": "web",}`,
			wantPath: "",
			wantMsg:  "invalid JSON: invalid character '}' looking for beginning of object key string",
		},
		{
			name:     "two members of a union",
			json:     `{"containerDefinitions": [{"resourceRequirements": [{"type": "GPU", "value": "1", "sharingStrategy": {"nvidiaMps": {}, "other": {}}}]}]}`,
			wantPath: "containerDefinitions[0].resourceRequirements[0].sharingStrategy.other",
			wantMsg:  "unknown SharingStrategy member; want one of: nvidiaMps",
		},
		{
			name:     "empty union",
			json:     `{"containerDefinitions": [{"resourceRequirements": [{"sharingStrategy": {}}]}]}`,
			wantPath: "containerDefinitions[0].resourceRequirements[0].sharingStrategy",
			wantMsg:  "SharingStrategy is a union and takes exactly one member, one of: nvidiaMps",
		},
		{
			name:     "timestamp that is no RFC 3339",
			json:     `{"taskDefinition": {"registeredAt": "05/01/2023"}}`,
			wantPath: "taskDefinition.registeredAt",
			wantMsg:  `want RFC 3339 timestamp, got string "05/01/2023"`,
		},
		{
			name:     "timestamp of the wrong type",
			json:     `{"taskDefinition": {"registeredAt": true}}`,
			wantPath: "taskDefinition.registeredAt",
			wantMsg:  "want timestamp (RFC 3339 string or epoch seconds), got boolean true",
		},
		{
			name:     "epoch seconds beyond year 9999",
			json:     `{"taskDefinition": {"registeredAt": 253402300800}}`,
			wantPath: "taskDefinition.registeredAt",
			wantMsg:  "epoch seconds 253402300800 out of range",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v any = &ecs.RegisterTaskDefinitionInput{}
			if strings.Contains(tt.json, `"taskDefinition"`) {
				v = &ecs.DescribeTaskDefinitionOutput{}
			}
			err := Unmarshal([]byte(tt.json), v)
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tt.wantPath, fe.Path)
			assert.Equal(t, tt.wantMsg, fe.Msg)
			if tt.wantPath != "" {
				assert.Equal(t, tt.wantPath+": "+tt.wantMsg, err.Error())
			} else {
				assert.Equal(t, tt.wantMsg, err.Error())
			}
		})
	}
}

func TestUnmarshalTarget(t *testing.T) {
	var td ecs.RegisterTaskDefinitionInput
	err := Unmarshal([]byte(`{}`), td)
	require.Error(t, err)
	assert.False(t, errors.As(err, new(*FieldError)), "a wrong target is a programming error, not a document error")
	assert.Contains(t, err.Error(), "non-nil pointer")

	require.Error(t, Unmarshal([]byte(`{}`), (*ecs.RegisterTaskDefinitionInput)(nil)))

	// The target is reset first: nothing of its old content survives.
	td = ecs.RegisterTaskDefinitionInput{Family: aws.String("old"), Cpu: aws.String("256")}
	require.NoError(t, Unmarshal([]byte(`{"family": "new"}`), &td))
	assert.Equal(t, ecs.RegisterTaskDefinitionInput{Family: aws.String("new")}, td)
}

func TestUnmarshalValues(t *testing.T) {
	var td ecs.RegisterTaskDefinitionInput
	require.NoError(t, Unmarshal([]byte(`{
		"family": "web",
		"cpu": null,
		"volumes": null,
		"tags": [],
		"containerDefinitions": [{
			"name": "app",
			"essential": false,
			"memory": 2147483647,
			"dockerLabels": {},
			"ulimits": [{"name": "nofile", "softLimit": -2147483648, "hardLimit": 0}],
			"resourceRequirements": [{"type": "GPU", "value": "1", "sharingStrategy": {"nvidiaMps": {"memory": 4096}}}]
		}]
	}`), &td))
	assert.Nil(t, td.Cpu, "null leaves a pointer nil")
	assert.Nil(t, td.Volumes, "null leaves a list nil")
	assert.Equal(t, []types.Tag{}, td.Tags, "[] is an empty, non-nil list")
	c := td.ContainerDefinitions[0]
	assert.Equal(t, aws.Bool(false), c.Essential)
	assert.Equal(t, aws.Int32(2147483647), c.Memory)
	assert.Equal(t, map[string]string{}, c.DockerLabels)
	assert.Equal(t, []types.Ulimit{{Name: types.UlimitNameNofile, SoftLimit: -2147483648}}, c.Ulimits)
	assert.Equal(t, &types.SharingStrategyMemberNvidiaMps{Value: types.NvidiaMpsAllocation{Memory: aws.Int32(4096)}},
		c.ResourceRequirements[0].SharingStrategy)
}

func TestUnmarshalAllowUnknown(t *testing.T) {
	doc := `{
		"family": "web",
		"x-comment": {"nested": [1, {"a": 2}]},
		"containerDefinitions": [{"name": "app", "essentail": true, "image": "nginx"}],
		"volumes": [{"name": "data", "host": {"sourcePath": "/srv", "mode": "rw"}}]
	}`
	var td ecs.RegisterTaskDefinitionInput
	unknown, err := UnmarshalWith([]byte(doc), &td, Options{AllowUnknown: true})
	require.NoError(t, err)
	assert.Equal(t, []string{"x-comment", "containerDefinitions[0].essentail", "volumes[0].host.mode"}, unknown)
	assert.Equal(t, &ecs.RegisterTaskDefinitionInput{
		Family:               aws.String("web"),
		ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("nginx")}},
		Volumes:              []types.Volume{{Name: aws.String("data"), Host: &types.HostVolumeProperties{SourcePath: aws.String("/srv")}}},
	}, &td)

	t.Run("unknown union member", func(t *testing.T) {
		var rr types.ResourceRequirement
		unknown, err := UnmarshalWith([]byte(`{"type": "GPU", "sharingStrategy": {"future": {"x": 1}}}`), &rr, Options{AllowUnknown: true})
		require.NoError(t, err)
		assert.Equal(t, []string{"sharingStrategy.future"}, unknown)
		assert.Nil(t, rr.SharingStrategy)
	})
	t.Run("other errors stay errors", func(t *testing.T) {
		_, err := UnmarshalWith([]byte(`{"family": 1, "x": 2}`), &td, Options{AllowUnknown: true})
		assert.EqualError(t, err, "family: want string, got number 1")
	})
	t.Run("without the option nothing is reported", func(t *testing.T) {
		unknown, err := UnmarshalWith([]byte(`{"family": "web"}`), &td, Options{})
		require.NoError(t, err)
		assert.Empty(t, unknown)
	})
}

// describeTaskDefinitionJSON is shaped like `aws ecs describe-task-definition`
// output, including the read-only members a registration does not take.
const describeTaskDefinitionJSON = `{
    "taskDefinition": {
        "taskDefinitionArn": "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7",
        "containerDefinitions": [
            {
                "name": "app",
                "image": "nginx:1.25",
                "cpu": 0,
                "portMappings": [
                    {
                        "containerPort": 80,
                        "hostPort": 80,
                        "protocol": "tcp"
                    }
                ],
                "essential": true,
                "environment": [],
                "mountPoints": [],
                "volumesFrom": [],
                "systemControls": []
            }
        ],
        "family": "web",
        "networkMode": "awsvpc",
        "revision": 7,
        "volumes": [],
        "status": "ACTIVE",
        "requiresAttributes": [
            {
                "name": "com.amazonaws.ecs.capability.docker-remote-api.1.18"
            },
            {
                "name": "ecs.capability.task-eni"
            }
        ],
        "placementConstraints": [],
        "compatibilities": [
            "EC2",
            "FARGATE"
        ],
        "requiresCompatibilities": [
            "FARGATE"
        ],
        "cpu": "256",
        "memory": "512",
        "registeredAt": "2023-01-05T12:00:00.123000+00:00",
        "registeredBy": "arn:aws:iam::123456789012:user/deployer"
    },
    "tags": [
        {
            "key": "team",
            "value": "web"
        }
    ]
}`

func TestUnmarshalDescribeTaskDefinition(t *testing.T) {
	var out ecs.DescribeTaskDefinitionOutput
	require.NoError(t, Unmarshal([]byte(describeTaskDefinitionJSON), &out))
	td := out.TaskDefinition
	require.NotNil(t, td)
	assert.Equal(t, "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7", aws.ToString(td.TaskDefinitionArn))
	assert.Equal(t, int32(7), td.Revision)
	assert.Equal(t, types.TaskDefinitionStatusActive, td.Status)
	assert.Equal(t, []types.Compatibility{types.CompatibilityEc2, types.CompatibilityFargate}, td.Compatibilities)
	assert.Equal(t, time.Date(2023, 1, 5, 12, 0, 0, 123000000, time.UTC), *td.RegisteredAt)
	assert.Equal(t, time.UTC, td.RegisteredAt.Location())
	assert.Len(t, td.RequiresAttributes, 2)
	assert.Equal(t, []types.Volume{}, td.Volumes)
	assert.Equal(t, []types.Tag{{Key: aws.String("team"), Value: aws.String("web")}}, out.Tags)

	t.Run("registeredAt as epoch seconds", func(t *testing.T) {
		tests := []struct {
			epoch string
			want  time.Time
		}{
			{"1672920000.123", time.Date(2023, 1, 5, 12, 0, 0, 123000000, time.UTC)},
			{"1672920000", time.Date(2023, 1, 5, 12, 0, 0, 0, time.UTC)},
			{"1.672920000123e9", time.Date(2023, 1, 5, 12, 0, 0, 123000000, time.UTC)},
			{"-1.5", time.Date(1969, 12, 31, 23, 59, 58, 500000000, time.UTC)},
			{"0.1234567891", time.Date(1970, 1, 1, 0, 0, 0, 123456789, time.UTC)},
		}
		for _, tt := range tests {
			t.Run(tt.epoch, func(t *testing.T) {
				var out ecs.DescribeTaskDefinitionOutput
				require.NoError(t, Unmarshal([]byte(`{"taskDefinition": {"registeredAt": `+tt.epoch+`}}`), &out))
				assert.Equal(t, tt.want, *out.TaskDefinition.RegisteredAt)
			})
		}
	})
	t.Run("timestamps with an offset are stored in UTC", func(t *testing.T) {
		var out ecs.DescribeTaskDefinitionOutput
		require.NoError(t, Unmarshal([]byte(`{"taskDefinition": {"registeredAt": "2023-01-05T13:30:00+01:30"}}`), &out))
		assert.Equal(t, time.Date(2023, 1, 5, 12, 0, 0, 0, time.UTC), *out.TaskDefinition.RegisteredAt)
	})
}

func TestUnmarshalDocument(t *testing.T) {
	doc := `{"deploymentConfiguration": {"lifecycleHooks": [{
		"hookTargetArn": "arn:aws:lambda:eu-west-1:123456789012:function:hook",
		"lifecycleStages": ["POST_SCALE_UP"],
		"hookDetails": {"b": [1, 1.5, 1.0, "s", false, null], "a": {"n": 9007199254740993}}
	}]}}`
	var in ecs.CreateServiceInput
	require.NoError(t, Unmarshal([]byte(doc), &in))
	hook := in.DeploymentConfiguration.LifecycleHooks[0]
	valuer, ok := hook.HookDetails.(interface{ Value() any })
	require.True(t, ok, "document %T has no Value method", hook.HookDetails)
	assert.Equal(t, map[string]any{
		"a": map[string]any{"n": int64(9007199254740993)},
		"b": []any{int64(1), 1.5, int64(1), "s", false, nil},
	}, valuer.Value(), "integral numbers are int64, others float64")

	out, err := Marshal(&in)
	require.NoError(t, err)
	assert.Equal(t, `{
  "deploymentConfiguration": {
    "lifecycleHooks": [
      {
        "hookDetails": {
          "a": {
            "n": 9007199254740993
          },
          "b": [
            1,
            1.5,
            1,
            "s",
            false,
            null
          ]
        },
        "hookTargetArn": "arn:aws:lambda:eu-west-1:123456789012:function:hook",
        "lifecycleStages": [
          "POST_SCALE_UP"
        ]
      }
    ]
  }
}
`, string(out))
	var back ecs.CreateServiceInput
	require.NoError(t, Unmarshal(out, &back))
	assert.Equal(t, in, back)

	t.Run("empty keys are refused: the SDK cannot send them", func(t *testing.T) {
		err := Unmarshal([]byte(`{"deploymentConfiguration": {"lifecycleHooks": [{"hookDetails": {"a": {"": 1}}}]}}`), &in)
		assert.EqualError(t, err, `deploymentConfiguration.lifecycleHooks[0].hookDetails["a"][""]: empty key in a document`)
	})
}

func TestMemberName(t *testing.T) {
	tests := map[string]string{
		"Family":                     "family",
		"SizeInGiB":                  "sizeInGiB",
		"AwsvpcConfiguration":        "awsvpcConfiguration",
		"EnableECSManagedTags":       "enableECSManagedTags",
		"S3filesVolumeConfiguration": "s3filesVolumeConfiguration",
		"":                           "",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			assert.Equal(t, want, MemberName(in))
		})
	}
}

func TestMarshalDeterministic(t *testing.T) {
	in := sampleTaskDefinition()
	first, err := Marshal(in)
	require.NoError(t, err)
	for range 20 {
		again, err := Marshal(in)
		require.NoError(t, err)
		require.Equal(t, string(first), string(again))
	}
}

func BenchmarkMarshalTaskDefinition(b *testing.B) {
	in := sampleTaskDefinition()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Marshal(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalTaskDefinition(b *testing.B) {
	data := []byte(sampleTaskDefinitionJSON)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var td ecs.RegisterTaskDefinitionInput
		if err := Unmarshal(data, &td); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzUnmarshal checks that decoding never panics and that whatever decodes
// survives Marshal and a second Unmarshal unchanged.
func FuzzUnmarshal(f *testing.F) {
	f.Add(uint8(0), []byte(sampleTaskDefinitionJSON))
	f.Add(uint8(1), []byte(describeTaskDefinitionJSON))
	f.Add(uint8(2), []byte(`{"serviceName": "web", "enableECSManagedTags": true, "loadBalancers": [],
		"networkConfiguration": {"awsvpcConfiguration": {"subnets": ["s"], "assignPublicIp": "DISABLED"}},
		"deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": true, "rollback": true},
		"lifecycleHooks": [{"hookDetails": {"a": [1, 2.5, null, {"b": "c"}]}}]},
		"serviceConnectConfiguration": {"enabled": true, "containerConfigurations": [{"logLevel": "debug"}]}}`))
	f.Add(uint8(3), []byte(`{"services": [{"serviceName": "web", "createdAt": 1672920000.5, "deployments": [{"id": "d", "updatedAt": "2023-01-05T12:00:00Z"}]}]}`))
	f.Add(uint8(0), []byte(`{"containerDefinitions": [{"resourceRequirements": [{"type": "GPU", "sharingStrategy": {"nvidiaMps": {"memory": 1}}}]}]}`))
	f.Add(uint8(0), []byte(`{"family": "a\u2028\ud800\"", "cpu": null, "ephemeralStorage": {"sizeInGiB": 0}}`))
	newTarget := []func() any{
		func() any { return &ecs.RegisterTaskDefinitionInput{} },
		func() any { return &ecs.DescribeTaskDefinitionOutput{} },
		func() any { return &ecs.CreateServiceInput{} },
		func() any { return &ecs.DescribeServicesOutput{} },
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		newV := newTarget[int(which)%len(newTarget)]
		x := newV()
		if err := Unmarshal(data, x); err != nil {
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
			return
		}
		out, err := Marshal(x)
		require.NoError(t, err)
		y := newV()
		require.NoError(t, Unmarshal(out, y), "re-decoding\n%s", out)
		require.Equal(t, x, y)
		again, err := Marshal(y)
		require.NoError(t, err)
		require.Equal(t, string(out), string(again))
	})
}
