package convert

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	batchv1 "k8s.io/api/batch/v1"

	"github.com/podecs/podecs/mapping"
)

// A Job becomes its task definition and the RunTask input that starts it (N.runtask.json); podecs
// writes the call, it does not make it.

// MaxRunTaskCount is the number of tasks one RunTask call (and one scheduled run) starts at most.
const MaxRunTaskCount = 10

// MaxStartedByLength is the longest startedBy RunTask accepts ([A-Za-z0-9-/_]).
const MaxStartedByLength = 128

// RunTask builds the RunTask input of a Job's task definition family: the cluster, launch type and
// network of --config, count from parallelism and completions, and the Job's name as startedBy so
// its tasks can be listed (ecs list-tasks --started-by). The task definition carries the rest, so
// there are no overrides. spec is the Job spec and path its path ("spec").
func RunTask(spec *batchv1.JobSpec, family string, td *ecs.RegisterTaskDefinitionInput, cfg Config, path string) (*ecs.RunTaskInput, mapping.Findings) {
	var fs mapping.Findings
	count := taskCount(spec, path, &fs)
	in := &ecs.RunTaskInput{
		Cluster:              aws.String(cfg.Cluster),
		TaskDefinition:       aws.String(family),
		Count:                aws.Int32(count),
		StartedBy:            aws.String(startedBy(family)),
		PropagateTags:        types.PropagateTagsTaskDefinition,
		EnableECSManagedTags: true,
	}
	in.LaunchType, in.PlatformVersion = launchOf(td, cfg)
	in.NetworkConfiguration = networkOf(td, cfg, "an awsvpc task needs subnets: set network.subnets (and securityGroups) in --config; the RunTask input has no networkConfiguration", &fs)
	if spec.Suspend != nil && *spec.Suspend {
		fs.Add(mapping.Join(path, "suspend"), mapping.Info, "the Job is suspended: the RunTask input is written, to be run when the Job should start")
	}
	return in, fs
}

// taskCount is the number of tasks a Job (or one run of a CronJob) starts at once: parallelism
// (default 1), at most completions, within the 1-10 ECS takes per call. ECS starts them once; it
// neither starts more as they finish nor replaces failed ones.
func taskCount(spec *batchv1.JobSpec, path string, fs *mapping.Findings) int32 {
	count := int32(1)
	if spec.Parallelism != nil {
		count = *spec.Parallelism
	}
	if c := spec.Completions; c != nil && *c < count {
		count = *c
	}
	switch {
	case count < 1:
		fs.Add(mapping.Join(path, "parallelism"), mapping.Lossy, "parallelism %d starts no pod; ECS starts 1 to %d tasks per call, so the count is 1", count, MaxRunTaskCount)
		count = 1
	case count > MaxRunTaskCount:
		fs.Add(mapping.Join(path, "parallelism"), mapping.Lossy, "ECS starts at most %d tasks per call; the count is %d: start the other %d with further calls", MaxRunTaskCount, MaxRunTaskCount, count-MaxRunTaskCount)
		count = MaxRunTaskCount
	}
	if c := spec.Completions; c != nil && *c > count {
		fs.Add(mapping.Join(path, "completions"), mapping.Lossy, "%d completions: ECS starts %d tasks once and starts no more as they finish; start tasks again until %d have succeeded", *c, count, *c)
	}
	return count
}

// startedBy is the Job's ECS name cut to the 128 characters RunTask allows; ECS names use only
// characters startedBy accepts.
func startedBy(name string) string {
	if len(name) > MaxStartedByLength {
		return name[:MaxStartedByLength]
	}
	return name
}

// launchOf is the launch type a task definition was converted for, and the Fargate platform
// version of --config.
func launchOf(td *ecs.RegisterTaskDefinitionInput, cfg Config) (types.LaunchType, *string) {
	if len(td.RequiresCompatibilities) == 1 && td.RequiresCompatibilities[0] == types.CompatibilityEc2 {
		return types.LaunchTypeEc2, nil
	}
	if cfg.PlatformVersion != "" {
		return types.LaunchTypeFargate, aws.String(cfg.PlatformVersion)
	}
	return types.LaunchTypeFargate, nil
}

// networkOf is the awsvpc configuration of --config for an awsvpc task definition; without subnets
// there is none, reported at config.network.subnets with msg.
func networkOf(td *ecs.RegisterTaskDefinitionInput, cfg Config, msg string, fs *mapping.Findings) *types.NetworkConfiguration {
	if td.NetworkMode != types.NetworkModeAwsvpc {
		return nil
	}
	if len(cfg.Network.Subnets) == 0 {
		fs.Add("config.network.subnets", mapping.Lossy, "%s", msg)
		return nil
	}
	return &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{
		Subnets:        cfg.Network.Subnets,
		SecurityGroups: cfg.Network.SecurityGroups,
		AssignPublicIp: assignPublicIPFor(td, cfg, fs),
	}}
}

// assignPublicIPFor is the assignPublicIp of --config for an awsvpc task, except on EC2: ECS gives
// a public IP to Fargate tasks only and refuses ENABLED for the EC2 launch type, so an EC2 workload
// (--launch-type EC2, or one that auto put on EC2 under a config written for Fargate) gets
// DISABLED, with a finding.
func assignPublicIPFor(td *ecs.RegisterTaskDefinitionInput, cfg Config, fs *mapping.Findings) types.AssignPublicIp {
	ip := types.AssignPublicIp(cfg.Network.AssignPublicIP)
	if ip == types.AssignPublicIpEnabled && len(td.RequiresCompatibilities) == 1 && td.RequiresCompatibilities[0] == types.CompatibilityEc2 {
		fs.Add("config.network.assignPublicIp", mapping.Lossy, "ENABLED is for Fargate only: ECS gives EC2 tasks in awsvpc mode no public IP, so this EC2 workload gets DISABLED (reach the internet through a NAT gateway)")
		return types.AssignPublicIpDisabled
	}
	return ip
}
