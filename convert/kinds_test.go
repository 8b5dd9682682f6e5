package convert

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	batchv1 "k8s.io/api/batch/v1"

	"github.com/podecs/podecs/mapping"
)

// convertFiles runs the converter over several named inputs, in order, as podecs convert does.
func convertFiles(t *testing.T, cfg Config, files ...[2]string) Result {
	t.Helper()
	c := NewConverter(Options{Config: cfg.withDefaults()})
	for _, f := range files {
		require.NoError(t, ReadDocuments(strings.NewReader(f[1]), f[0], ReadOptions{}, c.Add, func(e *DocError) { c.AddError(e) }))
	}
	return c.Finish()
}

func outputNamed(t *testing.T, res Result, name string) Output {
	t.Helper()
	for _, o := range res.Outputs {
		if o.Name == name {
			return o
		}
	}
	require.Failf(t, "no output", "%s among %d outputs (errors: %v)", name, len(res.Outputs), res.Errors)
	return Output{}
}

// findingsOf lists "level path: message" of the findings of one document kind/name.
func findingsOf(res Result, kind, name string) []string {
	var out []string
	for _, f := range res.Findings {
		if f.Doc.Kind == kind && f.Doc.Name == name {
			out = append(out, string(f.Level)+" "+f.Path+": "+f.Message)
		}
	}
	return out
}

func hasFinding(res Result, kind, name string, level mapping.Level, path, substr string) bool {
	for _, f := range findingsOf(res, kind, name) {
		if strings.HasPrefix(f, string(level)+" "+path+": ") && strings.Contains(f, substr) {
			return true
		}
	}
	return false
}

func TestTaskCount(t *testing.T) {
	tests := []struct {
		name                     string
		parallelism, completions *int32
		want                     int32
		findings                 []string
	}{
		{"defaults to one", nil, nil, 1, nil},
		{"parallelism", aws.Int32(4), nil, 4, nil},
		{"at most completions", aws.Int32(5), aws.Int32(3), 3, nil},
		{"more completions than at once", aws.Int32(4), aws.Int32(12), 4, []string{"lossy spec.completions"}},
		{"ten is the most per call", aws.Int32(10), aws.Int32(10), 10, nil},
		{"eleven is cut to ten", aws.Int32(11), nil, 10, []string{"lossy spec.parallelism"}},
		{"cut to ten and more completions", aws.Int32(25), aws.Int32(30), 10, []string{"lossy spec.parallelism", "lossy spec.completions"}},
		{"zero starts one", aws.Int32(0), nil, 1, []string{"lossy spec.parallelism"}},
		{"zero completions start one", nil, aws.Int32(0), 1, []string{"lossy spec.parallelism"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fs mapping.Findings
			got := taskCount(&batchv1.JobSpec{Parallelism: tt.parallelism, Completions: tt.completions}, "spec", &fs)
			assert.Equal(t, tt.want, got)
			var paths []string
			for _, f := range fs {
				paths = append(paths, string(f.Level)+" "+f.Path)
			}
			assert.Equal(t, tt.findings, paths)
		})
	}
}

func TestRunTask(t *testing.T) {
	fargate := &ecs.RegisterTaskDefinitionInput{NetworkMode: types.NetworkModeAwsvpc, RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate}}
	ec2 := &ecs.RegisterTaskDefinitionInput{NetworkMode: types.NetworkModeHost, RequiresCompatibilities: []types.Compatibility{types.CompatibilityEc2}}
	cfg := Config{Cluster: "batch", PlatformVersion: "1.4.0", Network: Network{Subnets: []string{"subnet-1"}, SecurityGroups: []string{"sg-1"}}}.withDefaults()

	in, fs := RunTask(&batchv1.JobSpec{}, "reindex", fargate, cfg, "spec")
	assert.Empty(t, fs)
	assert.Equal(t, "batch", aws.ToString(in.Cluster))
	assert.Equal(t, "reindex", aws.ToString(in.TaskDefinition), "the family: the latest ACTIVE revision")
	assert.Equal(t, types.LaunchTypeFargate, in.LaunchType)
	assert.Equal(t, "1.4.0", aws.ToString(in.PlatformVersion))
	assert.Equal(t, []string{"subnet-1"}, in.NetworkConfiguration.AwsvpcConfiguration.Subnets)
	assert.Equal(t, types.AssignPublicIpDisabled, in.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp)
	assert.Equal(t, types.PropagateTagsTaskDefinition, in.PropagateTags)
	assert.Nil(t, in.Overrides)

	in, _ = RunTask(&batchv1.JobSpec{}, "agent", ec2, cfg, "spec")
	assert.Equal(t, types.LaunchTypeEc2, in.LaunchType)
	assert.Nil(t, in.PlatformVersion, "platform versions are Fargate's")
	assert.Nil(t, in.NetworkConfiguration, "host networking has no awsvpc configuration")

	long := strings.Repeat("j", 200)
	in, fs = RunTask(&batchv1.JobSpec{Suspend: aws.Bool(true)}, long, fargate, DefaultConfig(), "spec")
	assert.Len(t, aws.ToString(in.StartedBy), MaxStartedByLength)
	assert.Nil(t, in.NetworkConfiguration)
	require.Len(t, fs, 2)
	assert.Equal(t, "config.network.subnets", fs[0].Path)
	assert.Equal(t, mapping.Lossy, fs[0].Level)
	assert.Equal(t, "spec.suspend", fs[1].Path)
}

func TestJobFindings(t *testing.T) {
	res := convertFiles(t, DefaultConfig(), [2]string{"jobs.yaml", `apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  backoffLimit: 0
  completionMode: NonIndexed
  template:
    spec:
      restartPolicy: Never
      containers: [{name: a, image: busybox}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: retries}
spec:
  backoffLimit: 4
  completionMode: Indexed
  completions: 3
  podReplacementPolicy: Failed
  template:
    spec:
      restartPolicy: OnFailure
      containers: [{name: a, image: busybox}]
`})
	require.Empty(t, res.Errors)
	assert.False(t, hasFinding(res, "Job", "once", mapping.Lossy, "spec.backoffLimit", ""), "backoffLimit 0 is what ECS does")
	assert.False(t, hasFinding(res, "Job", "once", mapping.Unsupported, "spec", "indexed"))
	assert.True(t, hasFinding(res, "Job", "retries", mapping.Lossy, "spec.backoffLimit", "does not retry"))
	assert.True(t, hasFinding(res, "Job", "retries", mapping.Unsupported, "spec", "indexed completion"))
	assert.True(t, hasFinding(res, "Job", "retries", mapping.Info, "spec.podReplacementPolicy", ""))
	assert.Equal(t, int32(1), aws.ToInt32(outputNamed(t, res, "retries").RunTask.Count), "parallelism 1 with 3 completions")
	assert.True(t, hasFinding(res, "Job", "retries", mapping.Lossy, "spec.completions", "until 3 have succeeded"))
}

func cronJob(name, schedule string, edit func(*batchv1.CronJobSpec)) *batchv1.CronJob {
	cj := &batchv1.CronJob{}
	cj.Name = name
	cj.Spec.Schedule = schedule
	if edit != nil {
		edit(&cj.Spec)
	}
	return cj
}

func TestSchedules(t *testing.T) {
	td := &ecs.RegisterTaskDefinitionInput{NetworkMode: types.NetworkModeAwsvpc, RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate}}
	full := Config{Cluster: "batch", Region: "eu-west-1", AccountID: "123456789012", ScheduleRoleArn: "arn:aws:iam::123456789012:role/run", Network: Network{Subnets: []string{"subnet-1"}}}.withDefaults()
	paths := func(fs mapping.Findings) []string {
		var out []string
		for _, f := range fs {
			out = append(out, string(f.Level)+" "+f.Path)
		}
		return out
	}

	t.Run("a full configuration", func(t *testing.T) {
		ss, fs := Schedules(cronJob("nightly", "30 2 * * 1-5", func(s *batchv1.CronJobSpec) { s.TimeZone = aws.String("Europe/Berlin") }), "nightly", td, full)
		assert.Empty(t, fs)
		require.Len(t, ss, 1)
		s := ss[0]
		assert.Equal(t, "cron(30 2 ? * 2-6 *)", s.ScheduleExpression)
		assert.Equal(t, "Europe/Berlin", s.ScheduleExpressionTimezone)
		assert.Equal(t, mapping.ScheduleStateEnabled, s.State)
		assert.Equal(t, mapping.FlexibleTimeWindowOff, s.FlexibleTimeWindow.Mode)
		assert.Equal(t, "arn:aws:ecs:eu-west-1:123456789012:cluster/batch", s.Target.Arn)
		assert.Equal(t, "arn:aws:iam::123456789012:role/run", s.Target.RoleArn)
		assert.Equal(t, "arn:aws:ecs:eu-west-1:123456789012:task-definition/nightly", s.Target.EcsParameters.TaskDefinitionArn)
		assert.Equal(t, int32(1), aws.ToInt32(s.Target.EcsParameters.TaskCount))
		assert.Equal(t, "FARGATE", s.Target.EcsParameters.LaunchType)
		assert.Equal(t, []string{"subnet-1"}, s.Target.EcsParameters.NetworkConfiguration.AwsvpcConfiguration.Subnets)
		assert.Nil(t, s.Target.RetryPolicy)
	})

	t.Run("placeholders without region, account and role", func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.Cluster = "arn:aws:ecs:us-east-1:111122223333:cluster/given"
		ss, fs := Schedules(cronJob("x", "@daily", nil), "x", td, cfg)
		require.Len(t, ss, 1)
		assert.Equal(t, "cron(0 0 * * ? *)", ss[0].ScheduleExpression)
		assert.Equal(t, cfg.Cluster, ss[0].Target.Arn, "a cluster ARN is used as it is")
		assert.Equal(t, "arn:aws:ecs:REGION:ACCOUNT_ID:task-definition/x", ss[0].Target.EcsParameters.TaskDefinitionArn)
		assert.Equal(t, "arn:aws:iam::ACCOUNT_ID:role/ecsEventsRole", ss[0].Target.RoleArn)
		assert.Equal(t, []string{"lossy config.network.subnets", "lossy config.accountId", "lossy config.scheduleRoleArn", "info spec.timeZone"}, paths(fs))
	})

	t.Run("both day fields give two schedules", func(t *testing.T) {
		long := strings.Repeat("r", 70)
		ss, fs := Schedules(cronJob(long, "0 8 1 * MON", func(s *batchv1.CronJobSpec) { s.TimeZone = aws.String("UTC") }), long, td, full)
		require.Len(t, ss, 2)
		assert.Equal(t, "cron(0 8 1 * ? *)", ss[0].ScheduleExpression)
		assert.Equal(t, "cron(0 8 ? * MON *)", ss[1].ScheduleExpression)
		assert.Equal(t, strings.Repeat("r", 64), ss[0].Name, "cut to 64")
		assert.Equal(t, strings.Repeat("r", 62)+"-2", ss[1].Name)
		assert.Equal(t, ss[0].Target, ss[1].Target)
		assert.Equal(t, []string{"lossy spec.schedule", "info spec.schedule"}, paths(fs))
	})

	t.Run("a TZ prefix gives the zone", func(t *testing.T) {
		ss, fs := Schedules(cronJob("x", "CRON_TZ=Asia/Tokyo 0 9 * * *", nil), "x", td, full)
		require.Len(t, ss, 1)
		assert.Equal(t, "Asia/Tokyo", ss[0].ScheduleExpressionTimezone)
		assert.Equal(t, "cron(0 9 * * ? *)", ss[0].ScheduleExpression)
		assert.Equal(t, []string{"info spec.schedule"}, paths(fs))
	})

	t.Run("suspend, concurrency, deadline and history", func(t *testing.T) {
		tests := []struct {
			deadline int64
			want     int32
		}{{10, 60}, {60, 60}, {300, 300}, {86400, 86400}, {100000, 86400}}
		for _, tt := range tests {
			ss, fs := Schedules(cronJob("x", "*/5 * * * *", func(s *batchv1.CronJobSpec) {
				s.TimeZone = aws.String("UTC")
				s.Suspend = aws.Bool(true)
				s.ConcurrencyPolicy = batchv1.ForbidConcurrent
				s.StartingDeadlineSeconds = aws.Int64(tt.deadline)
				s.FailedJobsHistoryLimit = aws.Int32(1)
			}), "x", td, full)
			require.Len(t, ss, 1)
			assert.Equal(t, "cron(0/5 * * * ? *)", ss[0].ScheduleExpression)
			assert.Equal(t, mapping.ScheduleStateDisabled, ss[0].State)
			assert.Equal(t, tt.want, aws.ToInt32(ss[0].Target.RetryPolicy.MaximumEventAgeInSeconds), "deadline %d", tt.deadline)
			assert.Equal(t, []string{"lossy spec.concurrencyPolicy", "lossy spec.startingDeadlineSeconds", "info spec"}, paths(fs))
		}
	})

	t.Run("Allow is what the scheduler does", func(t *testing.T) {
		_, fs := Schedules(cronJob("x", "0 * * * *", func(s *batchv1.CronJobSpec) {
			s.TimeZone, s.ConcurrencyPolicy = aws.String("UTC"), batchv1.AllowConcurrent
		}), "x", td, full)
		assert.Empty(t, fs)
	})

	t.Run("no EventBridge form, and invalid", func(t *testing.T) {
		ss, fs := Schedules(cronJob("x", "@every 90s", nil), "x", td, full)
		assert.Empty(t, ss)
		require.NotEmpty(t, fs)
		last := fs[len(fs)-1]
		assert.Equal(t, mapping.Unsupported, last.Level)
		assert.Contains(t, last.Message, "no schedule is written")
		ss, fs = Schedules(cronJob("x", "61 * * * *", nil), "x", td, full)
		assert.Empty(t, ss)
		assert.True(t, fs.HasErrors())
	})
}

func TestCronJobWritesTwoScheduleFiles(t *testing.T) {
	res := convertFiles(t, DefaultConfig(), [2]string{"cron.yaml", `apiVersion: batch/v1
kind: CronJob
metadata: {name: report}
spec:
  schedule: "0 8 1 * 1"
  jobTemplate:
    spec:
      parallelism: 3
      template:
        spec:
          restartPolicy: Never
          containers: [{name: a, image: busybox}]
`})
	require.Empty(t, res.Errors)
	out := outputNamed(t, res, "report")
	files, err := out.Files()
	require.NoError(t, err)
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
	}
	assert.Equal(t, []string{"report.taskdef.json", "report.schedule.json", "report-2.schedule.json"}, names)
	assert.Equal(t, int32(3), aws.ToInt32(out.Schedule.Target.EcsParameters.TaskCount))
	assert.Contains(t, string(files[2].Data), `"Name": "report-2"`)
	assert.Contains(t, string(files[2].Data), `"ScheduleExpression": "cron(0 8 ? * 2 *)"`)
}

func TestConfigServiceSettings(t *testing.T) {
	tests := []struct {
		name, yaml, err string
	}{
		{"all set", "serviceConnectNamespace: shop.local\nscheduleRoleArn: arn:aws:iam::123456789012:role/run\ntargetGroups:\n  web:443: arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef\n", ""},
		{"role not an ARN", "scheduleRoleArn: ecsEventsRole\n", `scheduleRoleArn: "ecsEventsRole" is not an ARN`},
		{"target group not an ARN", "targetGroups:\n  web: web-tg\n", `targetGroups["web"]: "web-tg" is not an ARN`},
		{"unknown field", "targetGroup: {}\n", "unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := ParseConfig([]byte(tt.yaml))
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "shop.local", cfg.ServiceConnectNamespace)
			assert.Len(t, cfg.TargetGroups, 1)
		})
	}
}
