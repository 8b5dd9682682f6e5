// Package convert turns whole Kubernetes objects into Amazon ECS inputs and back, using the rules
// of package mapping: Pods and the pod templates of Deployments, StatefulSets, DaemonSets,
// ReplicaSets, Jobs and CronJobs become task definitions, services, RunTask inputs and
// EventBridge Scheduler schedules; Services become load balancers or Service Connect, and
// HorizontalPodAutoscalers Application Auto Scaling inputs. ECS task definitions and services
// become Pods or Deployments with their Services, ServiceAccounts, Secret references and claims.
// References between objects (ConfigMaps, Secrets, ServiceAccounts, claims, Services,
// autoscalers) resolve across all inputs, and every field that cannot be carried is reported as a
// finding with its path.
//
// There are two ways in. ReadDocuments splits a stream into documents; a Converter takes them
// with Add and converts everything with Finish, keeping every workload until then. Batch does the
// same for inputs of any size in two passes over a spool, on several goroutines, handing each
// result over in input order as soon as it is ready. The package does no file or network I/O of
// its own: Batch opens its Inputs with the functions they carry and spools through the Spool it
// is given (memory by default).
package convert

import (
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/podecs/podecs/mapping"
)

// Finding is a mapping finding tied to the document it came from.
type Finding struct {
	Doc DocRef
	mapping.Finding
}

// String renders the finding as the CLI prints it:
// "warning: app.yaml: doc 2 Deployment/web: spec.template…: message".
func (f Finding) String() string {
	label := "warning"
	switch f.Level {
	case mapping.Info:
		label = "info"
	case mapping.Error:
		label = "error"
	}
	if f.Path == "" {
		return fmt.Sprintf("%s: %s: %s", label, f.Doc, f.Message)
	}
	return fmt.Sprintf("%s: %s: %s: %s", label, f.Doc, f.Path, f.Message)
}

// Output is what one Kubernetes workload becomes on ECS.
type Output struct {
	Doc DocRef
	// Name is the ECS-safe name: the task definition family and the service name.
	Name           string
	TaskDefinition *ecs.RegisterTaskDefinitionInput
	Service        *ecs.CreateServiceInput
	// RunTask is the RunTask input of a Job (N.runtask.json).
	RunTask *ecs.RunTaskInput
	// Schedule is the EventBridge Scheduler CreateSchedule input of a CronJob (N.schedule.json).
	Schedule *mapping.ScheduleInput
	// ExtraSchedules are the further schedules of a CronJob that one EventBridge expression cannot
	// say (both day fields restricted): N-2.schedule.json, ….
	ExtraSchedules []*mapping.ScheduleInput
	// Scaling holds the Application Auto Scaling inputs of a HorizontalPodAutoscaler (N.scaling.json).
	Scaling *Scaling
	// TargetGroup is the target group health check a load-balanced Service needs (N.targetgroup.json).
	TargetGroup *mapping.TargetGroupHealthCheck
}

// Scaling is the RegisterScalableTarget input and the PutScalingPolicy inputs of one service.
type Scaling struct {
	ScalableTarget *mapping.RegisterScalableTargetInput `json:"RegisterScalableTarget"`
	Policies       []mapping.PutScalingPolicyInput      `json:"PutScalingPolicy"`
}

// Result is the outcome of converting a set of documents.
type Result struct {
	Outputs []Output
	// Manifests are the Kubernetes objects converted from ECS task definitions and services.
	Manifests []Manifest
	Findings  []Finding
	// Errors are the documents that could not be converted (each a *DocError).
	Errors []error
}

// Options control a conversion.
type Options struct {
	Config Config
	// Reverse controls the ECS → Kubernetes direction.
	Reverse ReverseOptions
}

// Converter converts a stream of documents. Supporting objects (ConfigMaps, Secrets,
// ServiceAccounts, claims) are indexed as they come; workloads are converted by Finish, once every
// document has been seen, so references across files resolve. It keeps every workload until
// Finish: Batch gives the same result in two passes without keeping them.
type Converter struct {
	opts      Options
	ix        *Index
	workloads []*Workload
	decoded   map[*Workload]mapping.Findings
	res       Result
	// ECS task definitions and services, converted to Kubernetes by Finish.
	ecsTDs      []*ecsInputTD
	ecsServices []*ecsInputService
	// ecsExtra are the schedules and scaling inputs, converted to CronJobs and autoscalers.
	ecsExtra ecsExtras
}

// NewConverter returns a converter with the given options.
func NewConverter(opts Options) *Converter {
	opts.Config = opts.Config.withDefaults()
	return &Converter{opts: opts, ix: NewIndex(), decoded: map[*Workload]mapping.Findings{}}
}

// Add takes one document.
func (c *Converter) Add(doc Document) {
	switch doc.Format {
	case FormatKubernetes:
		if !IsWorkloadKind(doc.Kind) && !IsSupportingKind(doc.Kind) {
			c.finding(doc.DocRef, "", mapping.Info, fmt.Sprintf("%s is not a workload podecs converts; skipped", doc.Kind))
			return
		}
		w, fs, err := c.ix.AddObject(doc)
		if err != nil {
			c.AddError(docErr(doc.DocRef, err))
			return
		}
		if w == nil {
			c.findings(doc.DocRef, fs)
			return
		}
		c.workloads = append(c.workloads, w)
		c.decoded[w] = fs
		c.ix.workloadRefs = append(c.ix.workloadRefs, refOf(w))
	case FormatTaskDefinition, FormatService:
		c.addECS(doc)
	case FormatSchedule, FormatScaling, FormatRunTask, FormatTargetGroup:
		c.addECSExtra(doc)
	default:
		if len(doc.Findings) > 0 { // what a source reader says about a part it gives no document for
			c.findings(doc.DocRef, doc.Findings)
			return
		}
		c.finding(doc.DocRef, "", mapping.Info, fmt.Sprintf("%s input is not converted to ECS; skipped", doc.Format))
	}
}

// AddError records a document that could not be read.
func (c *Converter) AddError(err error) { c.res.Errors = append(c.res.Errors, err) }

func docErr(ref DocRef, err error) error {
	var de *DocError
	if errors.As(err, &de) {
		if de.Doc.Source == "" {
			de.Doc = ref
		}
		return de
	}
	return &DocError{Doc: ref, Err: err}
}

func (c *Converter) finding(ref DocRef, path string, level mapping.Level, msg string) {
	c.res.Findings = append(c.res.Findings, Finding{Doc: ref, Finding: mapping.Finding{Path: path, Level: level, Message: msg}})
}

func (c *Converter) findings(ref DocRef, fs mapping.Findings) {
	for _, f := range fs {
		c.res.Findings = append(c.res.Findings, Finding{Doc: ref, Finding: f})
	}
}

// Finish converts the workloads seen so far and returns the result. Two workloads that would get
// the same ECS name are both errors: nothing is silently overwritten.
func (c *Converter) Finish() Result {
	names := nameTable{}
	for _, w := range c.workloads {
		name, _ := mapping.ECSName(w.Meta.Name)
		if err := names.claim(name, w.Ref); err != nil {
			c.AddError(err)
			continue
		}
		r := c.convertWorkload(w, name, c.decoded[w])
		c.res.Findings = append(c.res.Findings, r.findings...)
		if r.err != nil {
			c.AddError(r.err)
			continue
		}
		c.res.Outputs = append(c.res.Outputs, *r.out)
	}
	c.afterWorkloads()
	return c.res
}

// afterWorkloads is what Finish does once every workload is converted: the ECS → Kubernetes
// conversions. Batches call it after their second pass.
func (c *Converter) afterWorkloads() {
	c.reportObjects()
	c.finishReverse()
}

// nameTable records which document took each ECS name.
type nameTable map[string]DocRef

// claim takes name for ref, or returns the error naming the document that took it first.
func (t nameTable) claim(name string, ref DocRef) error {
	if prev, dup := t[name]; dup {
		return &DocError{Doc: ref, Path: "metadata.name", Err: fmt.Errorf("the ECS name %q is already taken by %s (ECS has no namespaces: rename one of them)", name, prev)}
	}
	t[name] = ref
	return nil
}

// workloadResult is what converting one workload gives: its output, or the error that stops it,
// and its findings (those of decoding it first).
type workloadResult struct {
	out      *Output
	findings []Finding
	err      error
}

// convertWorkload converts one decoded workload. It only reads the converter (its options and
// index), so batches run it on several workloads at once.
func (c *Converter) convertWorkload(w *Workload, name string, decoded mapping.Findings) workloadResult {
	ref := w.Ref
	ref.Kind, ref.Name = w.Kind, w.Meta.Name
	var r workloadResult
	add := func(fs mapping.Findings) bool {
		for _, f := range fs {
			r.findings = append(r.findings, Finding{Doc: ref, Finding: f})
		}
		if fs.HasErrors() {
			r.err = &DocError{Doc: ref, Err: errors.New("cannot be converted (see the errors above)")}
			return false
		}
		return true
	}
	w, mesh := uninject(w)
	td, svc, fs := convertOne(w, name, c.ix, c.opts.Config)
	fs = append(mesh.remap(fs), mesh.report(svc)...)
	if !add(append(append(mapping.Findings{}, decoded...), fs...)) {
		return r
	}
	out := Output{Doc: ref, Name: name, TaskDefinition: td, Service: svc}
	if !add(mesh.remap(c.extend(&out, w))) {
		return r
	}
	r.out = &out
	return r
}

// convertOne converts one workload to a task definition and, for the kinds that have one, a
// service. The ECS → Kubernetes direction runs it too, to learn what the way back gives.
func convertOne(w *Workload, name string, ix *Index, cfg Config) (*ecs.RegisterTaskDefinitionInput, *ecs.CreateServiceInput, mapping.Findings) {
	cfg, fs := launchTypeFor(w, cfg)
	td, tfs := TaskDefinition(w, name, ix, cfg)
	net, nfs := ix.serviceNetwork(w, td, cfg)
	fs = append(fs, restoreTaskDefinition(td, w, append(tfs, nfs...))...)
	svc, sfs := Service(w, name, td, cfg)
	net.apply(svc)
	fs = append(fs, restoreService(svc, td, w, sfs)...)
	fs = append(fs, kindFindings(w)...)
	return td, svc, fs
}
