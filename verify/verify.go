// Package verify checks, with read-only AWS calls, that every AWS resource a set of ECS task
// definitions and services refers to exists and fits: the cluster and its capacity, the execution
// and task roles and their trust, what the execution role may read, secrets and parameters, log
// groups, ECR images, subnets and security groups, target groups, Cloud Map namespaces and
// services, EFS file systems and access points. It never reads a secret value.
//
// Run returns one Check per workload and resource, in a stable order. A resource many workloads
// share is looked up once; independent look-ups run concurrently; one look-up's error is that
// check's result and never hides the others.
package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/podecs/podecs/ecsapi"
)

// Status is the outcome of a check.
type Status string

// The outcomes of a check, from best to worst. NotChecked says why a resource was not looked at
// (another registry than ECR, a value verify must not read, an account verify cannot see).
const (
	OK         Status = "ok"
	NotChecked Status = "not checked"
	Warning    Status = "warning"
	Fail       Status = "fail"
)

// Check is one line of a report: what was checked for which workload, and how it went.
type Check struct {
	// Workload is the task definition family (a service's, when the service runs a family among
	// the inputs), or the service name.
	Workload string `json:"workload"`
	// Check names what is checked: "cluster", "execution role", "secret", "image", ...
	Check string `json:"check"`
	// Resource is the ARN, name or ID checked.
	Resource string `json:"resource"`
	Status   Status `json:"status"`
	Message  string `json:"message"`
	// Error is the AWS error that kept the check from being made; its Status is Fail.
	Error *CallError `json:"error,omitempty"`
}

// CallError is a failed AWS call: the operation, the AWS error code (empty when no answer came)
// and the message.
type CallError struct {
	Operation string `json:"operation"`
	Code      string `json:"code,omitempty"`
	Message   string `json:"message"`
}

// Summary counts the checks of a report by status.
type Summary struct {
	Workloads  int `json:"workloads"`
	Checks     int `json:"checks"`
	OK         int `json:"ok"`
	Warning    int `json:"warning"`
	Fail       int `json:"fail"`
	NotChecked int `json:"notChecked"`
	// Errors counts the failed checks whose AWS call failed (they are in Fail too).
	Errors int `json:"errors"`
}

// Report is the result of Run.
type Report struct {
	Checks  []Check `json:"checks"`
	Summary Summary `json:"summary"`
}

// Failed returns the failed checks.
func (r Report) Failed() []Check {
	var out []Check
	for _, c := range r.Checks {
		if c.Status == Fail {
			out = append(out, c)
		}
	}
	return out
}

// String renders a check as one line: "fail secret ARN: message".
func (c Check) String() string {
	return fmt.Sprintf("%s: %s %s: %s", c.Workload, c.Check, c.Resource, c.Message)
}

// ECS holds the ECS calls verify makes; *ecs.Client satisfies it.
type ECS interface {
	DescribeClusters(ctx context.Context, in *ecs.DescribeClustersInput, optFns ...func(*ecs.Options)) (*ecs.DescribeClustersOutput, error)
	DescribeTaskDefinition(ctx context.Context, in *ecs.DescribeTaskDefinitionInput, optFns ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error)
}

// AWS holds the read-only calls to the other services; *ecsapi.Reader satisfies it.
type AWS interface {
	Region() string
	GetCallerIdentity(ctx context.Context) (*ecsapi.CallerIdentity, error)
	GetRole(ctx context.Context, name string) (*ecsapi.Role, error)
	ListRolePolicies(ctx context.Context, role string) ([]string, error)
	GetRolePolicy(ctx context.Context, role, policy string) (string, error)
	ListAttachedRolePolicies(ctx context.Context, role string) ([]string, error)
	ManagedPolicyDocument(ctx context.Context, arn string) (string, error)
	DescribeSecret(ctx context.Context, region, id string) (*ecsapi.Secret, error)
	FindParameter(ctx context.Context, region, name string) (*ecsapi.Parameter, error)
	FindLogGroup(ctx context.Context, region, name string) (*ecsapi.LogGroup, error)
	DescribeImage(ctx context.Context, region, registryID, repository, tag, digest string) (*ecsapi.Image, error)
	DescribeSubnets(ctx context.Context, region string, ids []string) ([]ecsapi.Subnet, error)
	DescribeSecurityGroups(ctx context.Context, region string, ids []string) ([]ecsapi.SecurityGroup, error)
	DescribeRouteTables(ctx context.Context, region, vpc string) ([]ecsapi.RouteTable, error)
	DescribeVPCEndpoints(ctx context.Context, region, vpc string) ([]ecsapi.VPCEndpoint, error)
	DescribeTargetGroup(ctx context.Context, region, arn string) (*ecsapi.TargetGroup, error)
	GetNamespace(ctx context.Context, region, id string) (*ecsapi.Namespace, error)
	FindNamespace(ctx context.Context, region, name string) (*ecsapi.Namespace, error)
	GetCloudMapService(ctx context.Context, region, id string) (*ecsapi.CloudMapService, error)
	DescribeFileSystem(ctx context.Context, region, id string) (*ecsapi.FileSystem, error)
	DescribeAccessPoint(ctx context.Context, region, id string) (*ecsapi.AccessPoint, error)
	DescribeMountTargets(ctx context.Context, region, fs string) ([]ecsapi.MountTarget, error)
}

var _ AWS = (*ecsapi.Reader)(nil)

// Input is what verify checks.
type Input struct {
	TaskDefinitions []*ecs.RegisterTaskDefinitionInput
	// Services name their task definition by family (one of TaskDefinitions), family:revision
	// or ARN; a missing cluster means "default".
	Services []*ecs.CreateServiceInput
	// Creating names the clusters about to be created (register --create-cluster): they are not
	// looked up, and count as empty ACTIVE clusters.
	Creating map[string]bool
}

// Options tune Run.
type Options struct {
	// Concurrency is how many look-ups run at once (default 8).
	Concurrency int
}

// Run checks every AWS resource in reaches and returns the report. It makes only read calls.
func Run(ctx context.Context, ecsAPI ECS, api AWS, in Input, o Options) Report {
	v := &verifier{ecs: ecsAPI, aws: api, region: api.Region(), in: in, probes: map[string]*probe{}, seen: map[string]bool{}}
	v.collect()
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	v.run(ctx, o.Concurrency)
	return v.report()
}

// result is the outcome of one probe.
type result struct {
	status  Status
	message string
	err     *CallError
}

func ok(format string, a ...any) result {
	return result{status: OK, message: fmt.Sprintf(format, a...)}
}
func warn(format string, a ...any) result {
	return result{status: Warning, message: fmt.Sprintf(format, a...)}
}
func fail(format string, a ...any) result {
	return result{status: Fail, message: fmt.Sprintf(format, a...)}
}
func skip(format string, a ...any) result {
	return result{status: NotChecked, message: fmt.Sprintf(format, a...)}
}

// errored is the result of a check whose AWS call failed: a failure naming the call.
func errored(err error) result {
	r := result{status: Fail, message: "could not check: " + err.Error()}
	ce := &CallError{Message: err.Error()}
	var oe *ecsapi.OpError
	if errors.As(err, &oe) {
		ce = &CallError{Operation: oe.Operation, Code: oe.Code, Message: oe.Message}
	}
	r.err = ce
	return r
}

// probe is one look-up: its result, computed once however many lines show it.
type probe struct {
	run func(ctx context.Context) result
	res result
}

// line is one check of one workload, waiting for its probe.
type line struct {
	workload, check, resource string
	probe                     *probe
}

// verifier collects the checks of every workload, runs the distinct probes and keeps what the
// probes share (a described cluster, a role's policies) in a memo.
type verifier struct {
	ecs    ECS
	aws    AWS
	region string
	in     Input

	lines     []line
	probes    map[string]*probe
	order     []*probe
	seen      map[string]bool
	workloads []string

	mu   sync.Mutex
	memo map[string]*memoEntry
}

// add appends a check of workload on resource; key identifies the probe, so that the same key is
// looked up once for every workload that has it, and listed once per workload.
func (v *verifier) add(workload, check, resource, key string, run func(ctx context.Context) result) {
	if v.seen[workload+"\x00"+key] {
		return
	}
	v.seen[workload+"\x00"+key] = true
	p := v.probes[key]
	if p == nil {
		p = &probe{run: run}
		v.probes[key] = p
		v.order = append(v.order, p)
	}
	v.lines = append(v.lines, line{workload: workload, check: check, resource: resource, probe: p})
}

// note adds a line whose result is known without a call.
func (v *verifier) note(workload, check, resource string, r result) {
	v.add(workload, check, resource, "note\x00"+check+"\x00"+resource+"\x00"+r.message, func(context.Context) result { return r })
}

// run runs the probes, at most n at once.
func (v *verifier) run(ctx context.Context, n int) {
	work := make(chan *probe)
	var wg sync.WaitGroup
	for range min(n, len(v.order)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				p.res = p.run(ctx)
			}
		}()
	}
	for _, p := range v.order {
		work <- p
	}
	close(work)
	wg.Wait()
}

func (v *verifier) report() Report {
	rep := Report{Checks: make([]Check, 0, len(v.lines))}
	for _, l := range v.lines {
		r := l.probe.res
		c := Check{Workload: l.workload, Check: l.check, Resource: l.resource, Status: r.status, Message: r.message, Error: r.err}
		rep.Checks = append(rep.Checks, c)
		s := &rep.Summary
		s.Checks++
		switch c.Status {
		case OK:
			s.OK++
		case Warning:
			s.Warning++
		case Fail:
			s.Fail++
			if c.Error != nil {
				s.Errors++
			}
		case NotChecked:
			s.NotChecked++
		}
	}
	rep.Summary.Workloads = len(v.workloads)
	return rep
}

// memoEntry is a shared look-up: the first caller computes it, the others wait for it.
type memoEntry struct {
	once sync.Once
	val  any
	err  error
}

// once returns the value of key, computing it with fn the first time.
func (v *verifier) once(key string, fn func() (any, error)) (any, error) {
	v.mu.Lock()
	if v.memo == nil {
		v.memo = map[string]*memoEntry{}
	}
	e := v.memo[key]
	if e == nil {
		e = &memoEntry{}
		v.memo[key] = e
	}
	v.mu.Unlock()
	e.once.Do(func() { e.val, e.err = fn() })
	return e.val, e.err
}

// memo is once with a typed result.
func memo[T any](v *verifier, key string, fn func() (T, error)) (T, error) {
	val, err := v.once(key, func() (any, error) { return fn() })
	t, _ := val.(T)
	return t, err
}

// workload is one task definition and the services that run it.
type workload struct {
	name     string
	td       *ecs.RegisterTaskDefinitionInput
	services []*ecs.CreateServiceInput
}

// workloadsOf groups the input: a task definition with the services that run its family, then
// each service whose task definition is not among the inputs.
func workloadsOf(in Input) []*workload {
	var out []*workload
	byFamily := map[string]*workload{}
	for _, td := range in.TaskDefinitions {
		w := &workload{name: aws.ToString(td.Family), td: td}
		byFamily[w.name] = w
		out = append(out, w)
	}
	for _, s := range in.Services {
		ref := ecsapi.ParseTaskDefinitionRef(aws.ToString(s.TaskDefinition))
		if w := byFamily[ref.Family]; w != nil && ref.Revision == 0 {
			w.services = append(w.services, s)
			continue
		}
		out = append(out, &workload{name: aws.ToString(s.ServiceName), services: []*ecs.CreateServiceInput{s}})
	}
	return out
}

// collect lists every check of every workload, in order.
func (v *verifier) collect() {
	for _, w := range workloadsOf(v.in) {
		v.workloads = append(v.workloads, w.name)
		if w.td != nil {
			v.taskDefinitionChecks(w)
		}
		for _, s := range w.services {
			v.serviceChecks(w, s)
		}
	}
}

// clusterOf is the cluster of a service ("default" when unset), by name.
func clusterOf(s *ecs.CreateServiceInput) string {
	c := aws.ToString(s.Cluster)
	if c == "" {
		return "default"
	}
	if _, name, found := strings.Cut(c, ":cluster/"); found && strings.HasPrefix(c, "arn:") {
		return name
	}
	return c
}
