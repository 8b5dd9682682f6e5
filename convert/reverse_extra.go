package convert

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	kjson "sigs.k8s.io/json"

	"github.com/podecs/podecs/mapping"
)

// The ECS → Kubernetes direction beyond task definitions and services: an ECS service's Service
// Connect configuration and load balancers become Kubernetes Services, an EventBridge Scheduler
// schedule with an ECS target becomes a CronJob, and the Application Auto Scaling inputs podecs
// writes become a HorizontalPodAutoscaler.

// ecsExtras are the schedules and scaling inputs read from the input.
type ecsExtras struct {
	schedules []*ecsInputSchedule
	scalings  []*ecsInputScaling
}

// ecsInputSchedule is a CreateSchedule input read from the input.
type ecsInputSchedule struct {
	doc DocRef
	in  *mapping.ScheduleInput
}

// ecsInputScaling is an N.scaling.json read from the input.
type ecsInputScaling struct {
	doc DocRef
	in  *Scaling
}

// addECSExtra reads a schedule or scaling document; RunTask inputs and target group settings
// have no Kubernetes object of their own and are skipped with a finding.
func (c *Converter) addECSExtra(doc Document) {
	ref := doc.DocRef
	switch doc.Format {
	case FormatSchedule:
		s := &mapping.ScheduleInput{}
		if err := decodeModelJSON(doc, s); err != nil {
			c.AddError(docErr(ref, err))
			return
		}
		c.ecsExtra.schedules = append(c.ecsExtra.schedules, &ecsInputSchedule{doc: ref, in: s})
	case FormatScaling:
		s, err := DecodeScaling(doc)
		if err != nil {
			c.AddError(err)
			return
		}
		c.ecsExtra.scalings = append(c.ecsExtra.scalings, &ecsInputScaling{doc: ref, in: s})
	case FormatRunTask:
		c.finding(ref, "", mapping.Info, "a RunTask input is not converted: the task definition it runs becomes the Pod (or, with its schedule, the CronJob); skipped")
	case FormatTargetGroup:
		c.finding(ref, "", mapping.Info, "target group health check settings are not converted: the load-balanced Service's pods keep their own readiness probe; skipped")
	}
}

// decodeModelJSON decodes a document podecs writes for another AWS API, strictly and
// case-sensitively: a member the model does not have is an error naming its path.
func decodeModelJSON(doc Document, into any) error {
	strict, err := kjson.UnmarshalStrict(doc.JSON, into)
	if err != nil {
		return fieldError(err)
	}
	if len(strict) > 0 {
		msg := strict[0].Error()
		if f, ok := strings.CutPrefix(msg, "unknown field \""); ok {
			return &DocError{Path: strings.TrimSuffix(f, "\""), Err: fmt.Errorf("unknown member (the %s input podecs writes has no such member)", doc.Format)}
		}
		return errors.New(msg)
	}
	return nil
}

// reverseSchedules converts every schedule with the task definition it runs into a CronJob; the
// task definition is then used and becomes no Pod of its own.
func (c *Converter) reverseSchedules(decodeFindings func(key any, ref DocRef, fs mapping.Findings), emit func(ReverseInput)) {
	for _, s := range c.ecsExtra.schedules {
		p := s.in.Target.EcsParameters
		if p == nil {
			c.AddError(&DocError{Doc: s.doc, Path: "Target.EcsParameters", Err: errors.New("missing: only a schedule with an ECS target becomes a CronJob")})
			continue
		}
		d, err := matchTaskDefinition(p.TaskDefinitionArn, c.ecsTDs)
		if err != nil {
			c.AddError(&DocError{Doc: s.doc, Path: "Target.EcsParameters.TaskDefinitionArn", Err: err})
			continue
		}
		d.used = true
		decodeFindings(d, d.doc, d.fs)
		emit(ReverseInput{TaskDefinition: d.td, TaskDefinitionDoc: d.doc, TaskDefinitionPath: d.path, Schedule: s.in, ScheduleDoc: s.doc})
	}
}

// cronJob builds the CronJob of a schedule around the pod template. The schedule's target (cluster,
// role, launch type, network) comes from --config on the way back and is not kept.
func (r *reverser) cronJob(meta metav1.ObjectMeta, tmpl corev1.PodTemplateSpec) *batchv1.CronJob {
	s := r.in.Schedule
	cron, fs, err := mapping.CronFromScheduleExpression(s.ScheduleExpression, "ScheduleExpression")
	r.schedFs = append(r.schedFs, fs...)
	if err != nil {
		r.schedFs.Add("ScheduleExpression", mapping.Error, "%v", err)
	}
	job := batchv1.JobSpec{Template: tmpl, BackoffLimit: aws.Int32(0)}
	cj := &batchv1.CronJob{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "CronJob"},
		ObjectMeta: meta,
		Spec:       batchv1.CronJobSpec{Schedule: cron, JobTemplate: batchv1.JobTemplateSpec{Spec: job}},
	}
	if tz := s.ScheduleExpressionTimezone; tz != "" {
		cj.Spec.TimeZone = aws.String(tz)
	}
	if s.State == mapping.ScheduleStateDisabled {
		cj.Spec.Suspend = aws.Bool(true)
	}
	if s.FlexibleTimeWindow.Mode == mapping.FlexibleTimeWindowFlex {
		r.schedFs.Add("FlexibleTimeWindow", mapping.Lossy, "a flexible window of %d minutes: a CronJob starts at the scheduled time", aws.ToInt32(s.FlexibleTimeWindow.MaximumWindowInMinutes))
	}
	t := s.Target
	if p := t.EcsParameters; p != nil && aws.ToInt32(p.TaskCount) > 1 {
		n := aws.ToInt32(p.TaskCount)
		cj.Spec.JobTemplate.Spec.Parallelism, cj.Spec.JobTemplate.Spec.Completions = aws.Int32(n), aws.Int32(n)
	}
	if rp := t.RetryPolicy; rp != nil && rp.MaximumEventAgeInSeconds != nil {
		cj.Spec.StartingDeadlineSeconds = aws.Int64(int64(*rp.MaximumEventAgeInSeconds))
		r.schedFs.Add("Target.RetryPolicy.MaximumEventAgeInSeconds", mapping.Lossy, "becomes startingDeadlineSeconds: Kubernetes skips a run missed by more than that, where the scheduler keeps retrying a run for that long")
	}
	if t.RetryPolicy != nil && t.RetryPolicy.MaximumRetryAttempts != nil {
		r.schedFs.Add("Target.RetryPolicy.MaximumRetryAttempts", mapping.Lossy, "a CronJob does not retry starting a run; dropped")
	}
	r.schedFs.Add("Target", mapping.Info, "the cluster, role, launch type and network of the ECS target are not kept: on the way back they come from --config (cluster, scheduleRoleArn, launchType, network)")
	for _, f := range []struct {
		path string
		set  bool
	}{
		{"GroupName", s.GroupName != "" && s.GroupName != "default"},
		{"Description", s.Description != ""},
		{"ActionAfterCompletion", s.ActionAfterCompletion != "" && s.ActionAfterCompletion != "NONE"},
		{"Target.DeadLetterConfig", t.DeadLetterConfig != nil},
		{"Target.Input", t.Input != ""},
	} {
		if f.set {
			r.schedFs.Add(f.path, mapping.Info, "no CronJob equivalent; dropped")
		}
	}
	return cj
}

// reverseScaling adds a HorizontalPodAutoscaler to the manifest of the service each scaling input
// scales, or writes it on its own when that service is not among the inputs.
func (c *Converter) reverseScaling() {
	for _, s := range c.ecsExtra.scalings {
		cluster, service, _ := mapping.ParseECSServiceResourceID(s.in.ScalableTarget.ResourceId)
		m := c.manifestOfService(cluster, service)
		name, _ := mapping.K8sName(service)
		if m != nil {
			name = m.Name
		}
		file := name
		if m == nil && c.manifestNamed(file) {
			file, _ = mapping.K8sName(cluster + "-" + service)
		}
		hpa, fs := mapping.HPAFromScaling(*s.in.ScalableTarget, s.in.Policies, name)
		if m != nil && m.kind() != "Deployment" {
			fs.Add("RegisterScalableTarget.ResourceId", mapping.Unsupported, "%s scales a %s, which a HorizontalPodAutoscaler cannot scale; dropped", s.in.ScalableTarget.ResourceId, m.kind())
		}
		c.findings(s.doc, fs)
		if fs.HasErrors() {
			c.AddError(&DocError{Doc: s.doc, Err: errors.New("cannot be converted (see the errors above)")})
			continue
		}
		switch {
		case m == nil:
			c.finding(s.doc, "RegisterScalableTarget.ResourceId", mapping.Info, fmt.Sprintf("the service %q of cluster %q is not among the inputs: the HorizontalPodAutoscaler is written on its own (%s.yaml) and scales the Deployment %q", service, cluster, file, name))
			if c.manifestNamed(file) {
				c.AddError(&DocError{Doc: s.doc, Err: fmt.Errorf("the Kubernetes name %q is already taken", file)})
				continue
			}
			c.res.Manifests = append(c.res.Manifests, Manifest{Doc: s.doc, Name: file, Objects: []Object{hpa}})
		case m.kind() == "Deployment":
			hpa.Namespace = m.namespace()
			m.Objects = append(m.Objects, hpa)
		}
	}
}

// manifestOfService finds the manifest converted from the ECS service cluster/service.
func (c *Converter) manifestOfService(cluster, service string) *Manifest {
	for i := range c.res.Manifests {
		m := &c.res.Manifests[i]
		if s := m.in.Service; s != nil && aws.ToString(s.ServiceName) == service && clusterNameOf(aws.ToString(s.Cluster)) == cluster {
			return m
		}
	}
	return nil
}

func (c *Converter) manifestNamed(name string) bool {
	for _, m := range c.res.Manifests {
		if m.Name == name {
			return true
		}
	}
	return false
}

// kind is the kind of the manifest's workload.
func (m *Manifest) kind() string {
	for _, o := range m.Objects {
		switch o.(type) {
		case *appsv1.Deployment, *appsv1.DaemonSet, *corev1.Pod, *batchv1.CronJob:
			return o.GetObjectKind().GroupVersionKind().Kind
		}
	}
	return ""
}

// namespace is the namespace of the manifest's objects.
func (m *Manifest) namespace() string {
	for _, o := range m.Objects {
		if ns := o.GetNamespace(); ns != "" {
			return ns
		}
	}
	return ""
}

// k8sServices are the Services of an ECS service: one from its Service Connect configuration
// (ClusterIP), one from its load balancers (LoadBalancer; "<name>-lb" when both exist), or, with
// neither, a ClusterIP Service over the containers' ports. Target ports are container port numbers.
func (r *reverser) k8sServices(spec *corev1.PodSpec) []*corev1.Service {
	var ports []types.PortMapping
	for _, d := range r.td.ContainerDefinitions {
		ports = append(ports, d.PortMappings...)
	}
	sel := map[string]string{SelectorLabel: r.name}
	name := r.serviceName()
	var out []*corev1.Service
	if sc := r.svc.ServiceConnectConfiguration; sc != nil {
		s, fs := mapping.ServiceFromServiceConnect(sc, ports, name, sel, mapping.Join(r.in.ServicePath, "serviceConnectConfiguration"))
		r.svcFs = append(r.svcFs, fs...)
		if s != nil {
			out = append(out, s)
		}
	}
	if len(r.svc.LoadBalancers) > 0 {
		lbName := name
		if len(out) > 0 {
			lbName = strings.TrimRight(name[:min(len(name), validation.DNS1035LabelMaxLength-3)], "-") + "-lb"
		}
		s, arns, fs := mapping.ServiceFromLoadBalancers(r.svc.LoadBalancers, ports, lbName, sel, mapping.Join(r.in.ServicePath, "loadBalancers"))
		r.svcFs = append(r.svcFs, fs...)
		if s != nil {
			out = append(out, s)
			for _, k := range sortedKeys(arns) {
				r.svcFinding("loadBalancers", mapping.Info, "to attach target group %s again without the annotation, map %q to it in targetGroups of --config", arns[k], k)
			}
		}
	}
	if len(out) == 0 {
		if s := r.k8sService(spec, name); s != nil {
			out = append(out, s)
		}
		return out
	}
	for _, s := range out {
		s.Namespace = r.namespace
		s.Labels = mergeLabels(r.labels, map[string]string{SelectorLabel: r.name})
		r.numericTargets(s, spec)
	}
	return out
}

// numericTargets turns named target ports into the container port numbers they name, and adds
// the port mapping's appProtocol.
func (r *reverser) numericTargets(s *corev1.Service, spec *corev1.PodSpec) {
	for i := range s.Spec.Ports {
		sp := &s.Spec.Ports[i]
		if name := sp.TargetPort.StrVal; sp.TargetPort.Type == intstr.String && name != "" {
			for _, c := range append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...) {
				for _, p := range c.Ports {
					if p.Name == name {
						sp.TargetPort = intstr.FromInt32(p.ContainerPort)
					}
				}
			}
		}
		if ap := r.appProtocols[sp.TargetPort.IntVal]; ap != "" && sp.AppProtocol == nil {
			sp.AppProtocol = aws.String(ap)
		}
	}
}

// serviceName is the name of the workload's Service: its name, "svc-" in front when it does not
// start with a letter (DNS-1035).
func (r *reverser) serviceName() string {
	name := r.name
	if len(validation.IsDNS1035Label(name)) > 0 {
		name = strings.TrimRight(("svc-" + name)[:min(len(name)+4, validation.DNS1035LabelMaxLength)], "-")
		r.svcFinding("serviceName", mapping.Info, "a Kubernetes Service name must start with a letter; the Service is named %q", name)
	}
	return name
}

// DecodeScaling reads an N.scaling.json (the Application Auto Scaling inputs podecs writes)
// strictly; register takes it as it is.
func DecodeScaling(doc Document) (*Scaling, error) {
	s := &Scaling{}
	if err := decodeModelJSON(doc, s); err != nil {
		return nil, docErr(doc.DocRef, err)
	}
	if s.ScalableTarget == nil {
		return nil, &DocError{Doc: doc.DocRef, Path: "RegisterScalableTarget", Err: errors.New("missing")}
	}
	return s, nil
}
