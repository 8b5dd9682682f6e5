package convert

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/podecs/podecs/mapping"
)

func TestClassifyWrittenInputs(t *testing.T) {
	tests := []struct {
		name, in   string
		format     Format
		kind, docN string
	}{
		{"schedule", `{"Name":"r","ScheduleExpression":"rate(1 hour)","Target":{"Arn":"a","RoleArn":"b"}}`, FormatSchedule, "Schedule", "r"},
		{"scaling", `{"RegisterScalableTarget":{"ResourceId":"service/c/web"},"PutScalingPolicy":[]}`, FormatScaling, "ScalableTarget", "service/c/web"},
		{"run task", `{"taskDefinition":"job","count":2}`, FormatRunTask, "RunTask", "job"},
		{"target group", `{"HealthCheckPath":"/","HealthyThresholdCount":2,"Matcher":{"HttpCode":"200"}}`, FormatTargetGroup, "TargetGroup", ""},
		{"service input wins over run task", `{"serviceName":"s","taskDefinition":"t"}`, FormatService, "Service", "s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var docs []Document
			require.NoError(t, ReadDocuments(strings.NewReader(tt.in), "x.json", ReadOptions{}, func(d Document) { docs = append(docs, d) }, func(e *DocError) { t.Fatal(e) }))
			require.Len(t, docs, 1)
			assert.Equal(t, tt.format, docs[0].Format)
			assert.Equal(t, tt.kind, docs[0].Kind)
			assert.Equal(t, tt.docN, docs[0].Name)
			assert.NotEqual(t, "unknown", docs[0].Format.String())
		})
	}
	var errs []string
	require.NoError(t, ReadDocuments(strings.NewReader(`{"HealthCheckPath":"/","Other":1}`), "x.json", ReadOptions{}, func(Document) { t.Fatal("classified") }, func(e *DocError) { errs = append(errs, e.Error()) }))
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0], "neither a Kubernetes object")
}

const exportTD = `{"family":"export","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"256","memory":"512",
 "containerDefinitions":[{"name":"export","image":"busybox","essential":true,"memory":512,
   "restartPolicy":{"enabled":true}}]}`

func TestReverseScheduleRoundTrip(t *testing.T) {
	schedule := `{"Name":"export","ScheduleExpression":"cron(0 3 ? * SUN *)","ScheduleExpressionTimezone":"Europe/Paris","State":"DISABLED",
 "FlexibleTimeWindow":{"Mode":"FLEXIBLE","MaximumWindowInMinutes":15},"GroupName":"ops",
 "Target":{"Arn":"arn:aws:ecs:eu-west-3:123456789012:cluster/batch","RoleArn":"arn:aws:iam::123456789012:role/r",
   "EcsParameters":{"TaskDefinitionArn":"export","TaskCount":4}}}`
	res := rvConvertString(t, exportTD+"\n---\n"+schedule, Options{})
	require.Empty(t, res.Errors)
	require.Len(t, res.Manifests, 1, "the task definition the schedule runs becomes no Pod of its own")
	m := res.Manifests[0]
	assert.Equal(t, "Schedule", m.Doc.Kind)
	cj := rvFindObject[*batchv1.CronJob](t, m.Objects)
	assert.Equal(t, "0 3 * * SUN", cj.Spec.Schedule)
	assert.Equal(t, "Europe/Paris", aws.ToString(cj.Spec.TimeZone))
	assert.True(t, aws.ToBool(cj.Spec.Suspend))
	job := cj.Spec.JobTemplate.Spec
	assert.Equal(t, int32(4), aws.ToInt32(job.Parallelism))
	assert.Equal(t, int32(4), aws.ToInt32(job.Completions))
	assert.Equal(t, int32(0), aws.ToInt32(job.BackoffLimit))
	assert.Equal(t, corev1.RestartPolicyOnFailure, job.Template.Spec.RestartPolicy, "a Job's pods cannot restart Always")
	for _, p := range []string{"FlexibleTimeWindow", "GroupName", "Target"} {
		found := false
		for _, f := range res.Findings {
			found = found || f.Doc.Kind == "Schedule" && f.Path == p
		}
		assert.True(t, found, "a finding at %s", p)
	}

	y, err := m.YAML()
	require.NoError(t, err)
	out, _ := rvBackToECS(t, y)
	rvRequireSameECS(t, m.in.TaskDefinition, out.TaskDefinition, "task definition")
	require.NotNil(t, out.Schedule)
	assert.Equal(t, "cron(0 3 ? * SUN *)", out.Schedule.ScheduleExpression)
	assert.Equal(t, "Europe/Paris", out.Schedule.ScheduleExpressionTimezone)
	assert.Equal(t, mapping.ScheduleStateDisabled, out.Schedule.State)
	assert.Equal(t, int32(4), aws.ToInt32(out.Schedule.Target.EcsParameters.TaskCount))
}

func TestReverseScheduleErrors(t *testing.T) {
	tests := []struct {
		name, schedule, want string
	}{
		{"no ECS target", `{"Name":"x","ScheduleExpression":"rate(1 day)","Target":{"Arn":"arn:aws:lambda:eu-west-1:1:function:f","RoleArn":"r"}}`, "Target.EcsParameters: missing"},
		{"unknown task definition", `{"Name":"x","ScheduleExpression":"rate(1 day)","Target":{"Arn":"a","RoleArn":"r","EcsParameters":{"TaskDefinitionArn":"arn:aws:ecs:eu-west-1:1:task-definition/other:2"}}}`, `family "other"`},
		{"unknown member", `{"Name":"x","ScheduleExpression":"rate(1 day)","StartDate":"2025-01-01","Target":{"Arn":"a","RoleArn":"r"}}`, "StartDate: unknown member"},
		{"a one-time schedule", `{"Name":"x","ScheduleExpression":"at(2025-01-01T00:00:00)","Target":{"Arn":"a","RoleArn":"r","EcsParameters":{"TaskDefinitionArn":"export"}}}`, "cannot be converted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := rvConvertString(t, exportTD+"\n---\n"+tt.schedule, Options{})
			var msgs []string
			for _, e := range res.Errors {
				msgs = append(msgs, e.Error())
			}
			assert.Contains(t, strings.Join(msgs, "\n"), tt.want)
		})
	}
}

func TestReverseScaling(t *testing.T) {
	scaling := func(resourceID string) string {
		return `{"RegisterScalableTarget":{"ServiceNamespace":"ecs","ResourceId":"` + resourceID + `","ScalableDimension":"ecs:service:DesiredCount","MinCapacity":2,"MaxCapacity":6},
 "PutScalingPolicy":[{"PolicyName":"p","ServiceNamespace":"ecs","ResourceId":"` + resourceID + `","ScalableDimension":"ecs:service:DesiredCount","PolicyType":"TargetTrackingScaling",
   "TargetTrackingScalingPolicyConfiguration":{"TargetValue":50,"PredefinedMetricSpecification":{"PredefinedMetricType":"ECSServiceAverageCPUUtilization"}}}]}`
	}
	svc := `{"serviceName":"web_api","cluster":"prod","taskDefinition":"export","desiredCount":2}`

	t.Run("into the manifest of its service", func(t *testing.T) {
		res := rvConvertString(t, exportTD+"\n---\n"+svc+"\n---\n"+scaling("service/prod/web_api"), Options{})
		require.Empty(t, res.Errors)
		require.Len(t, res.Manifests, 1)
		hpa := rvFindObject[*autoscalingv2.HorizontalPodAutoscaler](t, res.Manifests[0].Objects)
		assert.Equal(t, "web-api", hpa.Name, "named after the Deployment")
		assert.Equal(t, "web-api", hpa.Spec.ScaleTargetRef.Name)
		assert.Equal(t, int32(6), hpa.Spec.MaxReplicas)
		assert.Equal(t, int32(50), aws.ToInt32(hpa.Spec.Metrics[0].Resource.Target.AverageUtilization))
	})

	t.Run("another cluster's service is not it", func(t *testing.T) {
		res := rvConvertString(t, exportTD+"\n---\n"+svc+"\n---\n"+scaling("service/staging/web_api"), Options{})
		require.Empty(t, res.Errors)
		require.Len(t, res.Manifests, 2, "the HorizontalPodAutoscaler is written on its own")
		for _, o := range res.Manifests[0].Objects {
			assert.NotEqual(t, "HorizontalPodAutoscaler", o.GetObjectKind().GroupVersionKind().Kind, "not in the Deployment's manifest")
		}
		assert.Equal(t, "ScalableTarget", res.Manifests[1].Doc.Kind)
		assert.Equal(t, "staging-web-api", res.Manifests[1].Name, "the file name is taken by the Deployment's manifest")
		require.Len(t, res.Manifests[1].Objects, 1)
		assert.Equal(t, "web-api", res.Manifests[1].Objects[0].GetName())
	})

	t.Run("a DAEMON service cannot be scaled", func(t *testing.T) {
		daemon := `{"serviceName":"web_api","cluster":"prod","taskDefinition":"export","schedulingStrategy":"DAEMON"}`
		res := rvConvertString(t, exportTD+"\n---\n"+daemon+"\n---\n"+scaling("service/prod/web_api"), Options{})
		require.Empty(t, res.Errors)
		require.Len(t, res.Manifests, 1)
		for _, o := range res.Manifests[0].Objects {
			assert.NotEqual(t, "HorizontalPodAutoscaler", o.GetObjectKind().GroupVersionKind().Kind)
		}
		assert.True(t, rvHasFinding(res.Findings, "RegisterScalableTarget.ResourceId", "DaemonSet"))
	})

	t.Run("strict decoding", func(t *testing.T) {
		res := rvConvertString(t, `{"RegisterScalableTarget":{"ServiceNamespace":"ecs","ResourceId":"service/a/b","ScalableDimension":"ecs:service:DesiredCount","Bogus":1}}`, Options{})
		require.Len(t, res.Errors, 1)
		assert.Contains(t, res.Errors[0].Error(), "RegisterScalableTarget.Bogus: unknown member")
	})
}

func TestRunTaskAndTargetGroupInputsAreSkipped(t *testing.T) {
	res := rvConvertString(t, `{"taskDefinition":"job","count":1}`+"\n---\n"+`{"HealthCheckPath":"/ready"}`, Options{})
	require.Empty(t, res.Errors)
	assert.Empty(t, res.Manifests)
	require.Len(t, res.Findings, 2)
	for _, f := range res.Findings {
		assert.Equal(t, mapping.Info, f.Level)
		assert.Contains(t, f.Message, "skipped")
	}
}

func TestReverseServiceConnectAndLoadBalancerServices(t *testing.T) {
	td := `{"family":"api","networkMode":"awsvpc","containerDefinitions":[{"name":"api","image":"nginx","essential":true,"memory":256,
 "portMappings":[{"containerPort":8080,"name":"http_main","appProtocol":"http"},{"containerPort":9090}]}]}`
	svc := `{"serviceName":"2api","taskDefinition":"api","desiredCount":1,
 "serviceConnectConfiguration":{"enabled":true,"services":[{"portName":"http_main","clientAliases":[{"port":80}]}]},
 "loadBalancers":[{"targetGroupArn":"arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/a/1","containerName":"api","containerPort":9090}]}`
	res := rvConvertString(t, td+"\n---\n"+svc, Options{})
	require.Empty(t, res.Errors)
	require.Len(t, res.Manifests, 1)
	var services []*corev1.Service
	for _, o := range res.Manifests[0].Objects {
		if s, ok := o.(*corev1.Service); ok {
			services = append(services, s)
		}
	}
	require.Len(t, services, 2)
	sc, lb := services[0], services[1]
	assert.Equal(t, "svc-2api", sc.Name, "Service names start with a letter")
	assert.Equal(t, corev1.ServiceTypeClusterIP, sc.Spec.Type)
	require.Len(t, sc.Spec.Ports, 1)
	assert.Equal(t, int32(80), sc.Spec.Ports[0].Port)
	assert.Equal(t, int32(8080), sc.Spec.Ports[0].TargetPort.IntVal, "target ports are numbers")
	assert.Equal(t, "http", aws.ToString(sc.Spec.Ports[0].AppProtocol))
	assert.Equal(t, "svc-2api-lb", lb.Name)
	assert.Equal(t, corev1.ServiceTypeLoadBalancer, lb.Spec.Type)
	assert.Equal(t, int32(9090), lb.Spec.Ports[0].Port)
	assert.Equal(t, map[string]string{SelectorLabel: "2api"}, lb.Spec.Selector)

	y, err := res.Manifests[0].YAML()
	require.NoError(t, err)
	out, _ := rvBackToECS(t, y)
	rvRequireSameECS(t, res.Manifests[0].in.Service, out.Service, "service")
	rvRequireSameECS(t, res.Manifests[0].in.TaskDefinition, out.TaskDefinition, "task definition")
}
