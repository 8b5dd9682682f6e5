package convert

import (
	"cmp"
	"errors"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	batchv1 "k8s.io/api/batch/v1"

	"github.com/podecs/podecs/mapping"
)

// A CronJob becomes its task definition and an EventBridge Scheduler schedule that runs it
// (N.schedule.json, the CreateSchedule input with an ECS target). podecs writes the schedule; it
// does not create it.

// Scheduler limits (botocore scheduler 2021-06-30): schedule names are 1-64 characters of
// [0-9a-zA-Z-_.]; a retry policy keeps trying for 60 to 86400 seconds.
const (
	MaxScheduleNameLength = 64
	MinScheduleEventAge   = 60
	MaxScheduleEventAge   = 86400
)

// Placeholders written into ARNs that --config does not give the parts of.
const (
	placeholderRegion    = "REGION"
	placeholderAccount   = "ACCOUNT_ID"
	defaultScheduleRole  = "ecsEventsRole"
	schedulePropagateTag = "TASK_DEFINITION"
)

// Schedules builds the CreateSchedule input of a CronJob whose task definition family is family.
// It returns one schedule, or two when the CronJob restricts both day fields (Kubernetes then runs
// on days matching either, which takes one EventBridge schedule per field; the second is named
// "<name>-2").
//
// schedule becomes ScheduleExpression (mapping.ScheduleExpressionsFromCron), timeZone (or a TZ=
// prefix) ScheduleExpressionTimezone, suspend State DISABLED, startingDeadlineSeconds the retry
// policy's MaximumEventAgeInSeconds (both bound how late a run may start); the ECS target is the
// cluster of --config, the role scheduleRoleArn, and the RunTask parameters of a Job.
// concurrencyPolicy Forbid and Replace have no equivalent: every occurrence starts its tasks.
func Schedules(cj *batchv1.CronJob, family string, td *ecs.RegisterTaskDefinitionInput, cfg Config) ([]*mapping.ScheduleInput, mapping.Findings) {
	var fs mapping.Findings
	spec := &cj.Spec
	exprs, efs, err := mapping.ScheduleExpressionsFromCron(spec.Schedule, "spec.schedule")
	fs = append(fs, efs...)
	if err != nil {
		level := mapping.Error
		if errors.Is(err, mapping.ErrCronUnsupported) {
			level = mapping.Unsupported
		}
		fs.Add("spec.schedule", level, "%v; no schedule is written", err)
		return nil, fs
	}
	base := &mapping.ScheduleInput{
		Name:               scheduleName(family, ""),
		State:              mapping.ScheduleStateEnabled,
		FlexibleTimeWindow: mapping.FlexibleTimeWindow{Mode: mapping.FlexibleTimeWindowOff},
		Target:             scheduleTarget(&spec.JobTemplate.Spec, family, td, cfg, &fs),
	}
	base.ScheduleExpressionTimezone = scheduleTimeZone(spec, &fs)
	if spec.Suspend != nil && *spec.Suspend {
		base.State = mapping.ScheduleStateDisabled
	}
	scheduleReport(spec, base, &fs)
	var out []*mapping.ScheduleInput
	for i, expr := range exprs {
		s := *base
		s.ScheduleExpression = expr
		if i > 0 {
			s.Name = scheduleName(family, "-"+strconv.Itoa(i+1))
		}
		out = append(out, &s)
	}
	if len(out) > 1 {
		fs.Add("spec.schedule", mapping.Info, "written as two schedules: %q (day of month, %s.schedule.json) and %q (day of week, %s-2.schedule.json)", out[0].Name, family, out[1].Name, family)
	}
	return out, fs
}

// scheduleName is the family cut to the 64 characters a schedule name takes, with suffix.
func scheduleName(family, suffix string) string {
	if n := MaxScheduleNameLength - len(suffix); len(family) > n {
		family = family[:n]
	}
	return family + suffix
}

// scheduleTimeZone is spec.timeZone, else the zone of a TZ= prefix. Without either, Kubernetes
// uses the kube-controller-manager's zone and EventBridge Scheduler UTC.
func scheduleTimeZone(spec *batchv1.CronJobSpec, fs *mapping.Findings) string {
	if spec.TimeZone != nil && *spec.TimeZone != "" {
		return *spec.TimeZone
	}
	if tz, _ := mapping.SplitCronTimeZone(spec.Schedule); tz != "" {
		return tz
	}
	fs.Add("spec.timeZone", mapping.Info, "no timeZone: Kubernetes runs the schedule in the kube-controller-manager's time zone, EventBridge Scheduler in UTC")
	return ""
}

// scheduleReport maps or reports the CronJob fields that concern when and how often runs start.
func scheduleReport(spec *batchv1.CronJobSpec, s *mapping.ScheduleInput, fs *mapping.Findings) {
	if p := spec.ConcurrencyPolicy; p == batchv1.ForbidConcurrent || p == batchv1.ReplaceConcurrent {
		fs.Add("spec.concurrencyPolicy", mapping.Lossy, "%s has no EventBridge Scheduler equivalent: every occurrence starts its tasks, whether the previous run still runs or not (Allow)", p)
	}
	if d := spec.StartingDeadlineSeconds; d != nil {
		age := min(max(*d, MinScheduleEventAge), MaxScheduleEventAge)
		s.Target.RetryPolicy = &mapping.ScheduleRetryPolicy{MaximumEventAgeInSeconds: aws.Int32(int32(age))}
		fs.Add("spec.startingDeadlineSeconds", mapping.Lossy, "%d s becomes the retry policy's MaximumEventAgeInSeconds %d (60-86400): the scheduler gives up on a run it could not start within that time, where Kubernetes skips a run missed by more than the deadline", *d, age)
	}
	if spec.SuccessfulJobsHistoryLimit != nil || spec.FailedJobsHistoryLimit != nil {
		fs.Add("spec", mapping.Info, "successfulJobsHistoryLimit and failedJobsHistoryLimit have no equivalent: ECS keeps stopped tasks for a while by itself")
	}
}

// scheduleTarget is the ECS target: the cluster ARN, the role the scheduler assumes, and the
// RunTask parameters of each run.
func scheduleTarget(job *batchv1.JobSpec, family string, td *ecs.RegisterTaskDefinitionInput, cfg Config, fs *mapping.Findings) mapping.ScheduleTarget {
	jobPath := "spec.jobTemplate.spec"
	count := taskCount(job, jobPath, fs)
	launch, platform := launchOf(td, cfg)
	p := &mapping.ScheduleEcsParameters{
		TaskDefinitionArn:    ecsARN(cfg, "task-definition/"+family),
		TaskCount:            aws.Int32(count),
		LaunchType:           string(launch),
		PlatformVersion:      aws.ToString(platform),
		PropagateTags:        schedulePropagateTag,
		EnableECSManagedTags: aws.Bool(true),
	}
	if nc := networkOf(td, cfg, "an awsvpc task needs subnets: set network.subnets (and securityGroups) in --config; the schedule's ECS target has no NetworkConfiguration", fs); nc != nil {
		a := nc.AwsvpcConfiguration
		p.NetworkConfiguration = &mapping.ScheduleNetworkConfiguration{AwsvpcConfiguration: &mapping.ScheduleAwsVpcConfiguration{
			Subnets: a.Subnets, SecurityGroups: a.SecurityGroups, AssignPublicIp: string(a.AssignPublicIp),
		}}
	}
	if cfg.Region == "" || cfg.AccountID == "" {
		fs.Add("config.accountId", mapping.Lossy, "region and accountId are not both in --config: the schedule's cluster and task definition ARNs hold %s and %s placeholders; replace them before creating the schedule", placeholderRegion, placeholderAccount)
	}
	role := cfg.ScheduleRoleArn
	if role == "" {
		role = "arn:aws:iam::" + cmp.Or(cfg.AccountID, placeholderAccount) + ":role/" + defaultScheduleRole
		fs.Add("config.scheduleRoleArn", mapping.Lossy, "no scheduleRoleArn in --config: the schedule assumes %s, which must exist and allow ecs:RunTask, and iam:PassRole for the task's roles", role)
	}
	return mapping.ScheduleTarget{Arn: clusterARN(cfg), RoleArn: role, EcsParameters: p}
}

// clusterARN is the ARN of the cluster of --config (the scheduler's ECS target is a cluster ARN).
func clusterARN(cfg Config) string {
	if strings.HasPrefix(cfg.Cluster, "arn:") {
		return cfg.Cluster
	}
	return ecsARN(cfg, "cluster/"+cfg.Cluster)
}

// ecsARN is an ECS resource ARN in the region and account of --config, placeholders otherwise.
func ecsARN(cfg Config, resource string) string {
	return "arn:aws:ecs:" + cmp.Or(cfg.Region, placeholderRegion) + ":" + cmp.Or(cfg.AccountID, placeholderAccount) + ":" + resource
}
