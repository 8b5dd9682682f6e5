package mapping_test

import (
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/podecs/podecs/mapping"
)

// CPU requests become ECS CPU units, 1024 per core, rounded up so that a task never gets less
// than the pod asked for.
func ExampleCPUUnits() {
	for _, q := range []string{"250m", "100m", "1", "1.5"} {
		fmt.Printf("%s -> %d\n", q, mapping.CPUUnits(resource.MustParse(q)))
	}
	// Output:
	// 250m -> 256
	// 100m -> 103
	// 1 -> 1024
	// 1.5 -> 1536
}

// Memory becomes whole MiB, rounded up; exact is false when the quantity was not a whole number
// of MiB (decimal suffixes such as M and G almost never are).
func ExampleMemoryMiB() {
	for _, q := range []string{"512Mi", "1Gi", "500M", "100Ki"} {
		mib, exact := mapping.MemoryMiB(resource.MustParse(q))
		fmt.Printf("%s -> %d MiB (exact: %t)\n", q, mib, exact)
	}
	// Output:
	// 512Mi -> 512 MiB (exact: true)
	// 1Gi -> 1024 MiB (exact: true)
	// 500M -> 477 MiB (exact: false)
	// 100Ki -> 1 MiB (exact: false)
}

// Fargate runs only fixed cpu/memory combinations: what the containers need is rounded up to the
// smallest one that holds it.
func ExampleFargateTaskSize() {
	for _, need := range []struct{ cpu, mem int64 }{{0, 0}, {615, 960}, {1024, 4096}, {2048, 1024}} {
		size, err := mapping.FargateTaskSize(need.cpu, need.mem)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("need %d units, %d MiB -> cpu %d, memory %d\n", need.cpu, need.mem, size.CPU, size.MemoryMiB)
	}
	// More than the largest size is an error.
	_, err := mapping.FargateTaskSize(32768, 1024)
	fmt.Println(err)
	// Output:
	// need 0 units, 0 MiB -> cpu 256, memory 512
	// need 615 units, 960 MiB -> cpu 1024, memory 2048
	// need 1024 units, 4096 MiB -> cpu 1024, memory 4096
	// need 2048 units, 1024 MiB -> cpu 2048, memory 4096
	// no Fargate task size holds 32768 CPU units and 1024 MiB: the largest is 16384 CPU units with 122880 MiB
}

// A Deployment's maxSurge and maxUnavailable become the ECS percentages that allow exactly the
// same task counts during a rollout.
func ExampleDeploymentPercents() {
	surge, unavailable := intstr.FromInt32(1), intstr.FromInt32(0)
	maxPct, minPct, err := mapping.DeploymentPercents(3, &surge, &unavailable)
	fmt.Println(maxPct, minPct, err)

	// The Kubernetes defaults, 25% and 25%.
	maxPct, minPct, err = mapping.DeploymentPercents(10, nil, nil)
	fmt.Println(maxPct, minPct, err)

	// ECS task bounds for those percentages: 13 tasks at most, 8 healthy at least.
	fmt.Println(mapping.ECSTaskBounds(10, maxPct, minPct))
	// Output:
	// 134 100 <nil>
	// 130 80 <nil>
	// 13 8
}

// ECS runs one health check per container and replaces the task when it fails, so the liveness
// probe becomes the health check; an HTTP probe becomes a curl command, and the timings are
// clamped into the ECS ranges with a finding for each clamped value.
func ExampleHealthCheckFromProbes() {
	liveness := &corev1.Probe{
		ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
			Path: "/healthz",
			Port: intstr.FromString("http"),
		}},
		PeriodSeconds:  2,
		TimeoutSeconds: 1,
	}
	readiness := &corev1.Probe{
		ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(8080)}},
	}
	ports := []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}}

	hc, findings := mapping.HealthCheckFromProbes(liveness, readiness, nil, ports, "spec.containers[0]")
	fmt.Printf("%q\n", hc.Command)
	fmt.Println("interval", aws.ToInt32(hc.Interval), "timeout", aws.ToInt32(hc.Timeout),
		"retries", aws.ToInt32(hc.Retries), "startPeriod", aws.ToInt32(hc.StartPeriod))
	for _, f := range findings {
		fmt.Println(f)
	}
	// Output:
	// ["CMD-SHELL" "curl -fsS http://localhost:8080/healthz || exit 1"]
	// interval 5 timeout 2 retries 3 startPeriod 0
	// lossy: spec.containers[0].readinessProbe: dropped: ECS runs one health check per container and the liveness probe was kept; gate traffic with the load balancer target group health check instead
	// info: spec.containers[0].livenessProbe.httpGet.port: named port "http" resolved to 8080
	// info: spec.containers[0].livenessProbe.httpGet: ECS runs the check inside the container: the image must provide curl
	// lossy: spec.containers[0].livenessProbe.periodSeconds: 2 is outside the ECS healthCheck.interval range 5-300; set to 5
	// lossy: spec.containers[0].livenessProbe.timeoutSeconds: 1 is outside the ECS healthCheck.timeout range 2-60; set to 2
}

// CronJob schedules become EventBridge Scheduler cron expressions, which have a year field and
// "?" in one of the two day fields.
func ExampleScheduleExpressionFromCron() {
	for _, schedule := range []string{"*/15 * * * *", "0 3 * * 1-5", "CRON_TZ=Europe/Berlin 30 6 1 * *", "@daily"} {
		expr, findings, err := mapping.ScheduleExpressionFromCron(schedule, "spec.schedule")
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s -> %s\n", schedule, expr)
		for _, f := range findings {
			fmt.Println("  ", f)
		}
	}

	// Day of month and day of week together mean "either" in cron; one EventBridge expression
	// cannot say that.
	_, _, err := mapping.ScheduleExpressionFromCron("0 0 1 * 1", "spec.schedule")
	fmt.Println(errors.Is(err, mapping.ErrCronEitherDay))
	// Output:
	// */15 * * * * -> cron(0/15 * * * ? *)
	// 0 3 * * 1-5 -> cron(0 3 ? * 2-6 *)
	// CRON_TZ=Europe/Berlin 30 6 1 * * -> cron(30 6 1 * ? *)
	//    info: spec.schedule: time zone prefix "Europe/Berlin": Kubernetes rejects TZ= and CRON_TZ= in new CronJobs (spec.timeZone replaces them); the zone belongs in ScheduleExpressionTimezone
	// @daily -> cron(0 0 * * ? *)
	// true
}

// Rules report what they cannot carry as findings: the JSON path of the source field, a level
// and a sentence. Callers collect them and decide what to do; HasErrors says whether the object
// can be converted at all.
func ExampleFindings() {
	var fs mapping.Findings
	fs.Add(mapping.Join(mapping.Index("spec.containers", 1), "lifecycle.preStop"), mapping.Unsupported,
		"ECS has no pre-stop hook")
	fs.Add("spec.containers[0].resources.limits.memory", mapping.Error, "%q is not a quantity", "12Qi")
	for _, f := range fs {
		fmt.Println(f)
	}
	fmt.Println("has errors:", fs.HasErrors())
	// Output:
	// unsupported: spec.containers[1].lifecycle.preStop: ECS has no pre-stop hook
	// error: spec.containers[0].resources.limits.memory: "12Qi" is not a quantity
	// has errors: true
}
