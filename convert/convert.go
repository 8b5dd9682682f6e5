// Package convert turns whole Kubernetes objects into Amazon ECS task definitions and services
// (and back), using the rules of package mapping. It reads and classifies manifests, resolves
// references between objects (ConfigMaps, Secrets, ServiceAccounts, claims) and reports every
// field it cannot carry. It does no file or network I/O of its own.
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
// document has been seen, so references across files resolve.
type Converter struct {
	opts      Options
	ix        *Index
	workloads []*Workload
	decoded   map[*Workload]mapping.Findings
	res       Result
	// ECS task definitions and services, converted to Kubernetes by Finish.
	ecsTDs      []*ecsInputTD
	ecsServices []*ecsInputService
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
	case FormatTaskDefinition, FormatService:
		c.addECS(doc)
	default:
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
	owners := map[string]*Workload{}
	for _, w := range c.workloads {
		name, _ := mapping.ECSName(w.Meta.Name)
		if prev, dup := owners[name]; dup {
			c.AddError(&DocError{Doc: w.Ref, Path: "metadata.name", Err: fmt.Errorf("the ECS name %q is already taken by %s (ECS has no namespaces: rename one of them)", name, prev.Ref)})
			continue
		}
		owners[name] = w
		c.convertWorkload(w, name)
	}
	c.finishReverse()
	return c.res
}

func (c *Converter) convertWorkload(w *Workload, name string) {
	ref := w.Ref
	ref.Kind, ref.Name = w.Kind, w.Meta.Name
	td, svc, fs := convertOne(w, name, c.ix, c.opts.Config)
	fs = append(c.decoded[w], fs...)
	c.findings(ref, fs)
	if fs.HasErrors() {
		c.AddError(&DocError{Doc: ref, Err: errors.New("cannot be converted (see the errors above)")})
		return
	}
	out := Output{Doc: ref, Name: name, TaskDefinition: td, Service: svc}
	efs := c.extend(&out, w)
	c.findings(ref, efs)
	if efs.HasErrors() {
		c.AddError(&DocError{Doc: ref, Err: errors.New("cannot be converted (see the errors above)")})
		return
	}
	c.res.Outputs = append(c.res.Outputs, out)
}

// convertOne converts one workload to a task definition and, for the kinds that have one, a
// service. The ECS → Kubernetes direction runs it too, to learn what the way back gives.
func convertOne(w *Workload, name string, ix *Index, cfg Config) (*ecs.RegisterTaskDefinitionInput, *ecs.CreateServiceInput, mapping.Findings) {
	var fs mapping.Findings
	if w.Kind == "DaemonSet" && cfg.LaunchType != LaunchEC2 {
		cfg.LaunchType = LaunchEC2
		fs.Add("kind", mapping.Info, "Fargate cannot run DAEMON services; this DaemonSet is converted for the EC2 launch type")
	}
	cfg, lfs := launchTypeFromAnnotations(w, cfg)
	fs = append(fs, lfs...)
	td, tfs := TaskDefinition(w, name, ix, cfg)
	fs = append(fs, restoreTaskDefinition(td, w, tfs)...)
	svc, sfs := Service(w, name, td, cfg)
	fs = append(fs, restoreService(svc, td, w, sfs)...)
	fs = append(fs, kindFindings(w)...)
	return td, svc, fs
}
