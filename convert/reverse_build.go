package convert

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/podecs/podecs/convert/ecsjson"
	"github.com/podecs/podecs/mapping"
)

// Reverse converts one ECS task definition, and the service that runs it if any, to Kubernetes
// objects. What Kubernetes cannot express is reported and kept in podecs.io/ annotations, so that
// converting the objects back (podecs convert on the YAML) gives the same task definition and
// service. Findings carry the document of the field they are about; the manifest is nil only when
// the input is nil.
func Reverse(in ReverseInput, opts ReverseOptions) (*Manifest, []Finding) {
	return reverse(in, opts, true)
}

// reverse is Reverse; files says whether podecs' files container may become volumes again.
func reverse(in ReverseInput, opts ReverseOptions, files bool) (*Manifest, []Finding) {
	if in.TaskDefinition == nil {
		return nil, nil
	}
	r := &reverser{in: in, opts: opts, td: in.TaskDefinition, svc: in.Service, filesOff: !files}
	r.prepare()
	spec := r.podSpec()
	objs, wMeta, tMeta := r.objects(spec)
	if r.files.idx >= 0 && !r.filesMatch(objs) {
		m, fs := reverse(in, opts, false)
		f := mapping.Finding{Path: r.tdPath(cdPath(r.files.idx, "")), Level: mapping.Info,
			Message: fmt.Sprintf("labelled %s, but not the container podecs writes for the volumes of the label (edited?); it stays a container", FilesLabel)}
		return m, append(fs, Finding{Doc: in.TaskDefinitionDoc, Finding: f})
	}
	r.reportCarried()
	if !r.tdFs.HasErrors() && !r.svcFs.HasErrors() && !r.schedFs.HasErrors() {
		r.annotate(objs, wMeta, tMeta)
	}
	var out []Finding
	for _, f := range r.tdFs {
		out = append(out, Finding{Doc: in.TaskDefinitionDoc, Finding: f})
	}
	for _, f := range r.svcFs {
		out = append(out, Finding{Doc: in.ServiceDoc, Finding: f})
	}
	for _, f := range r.schedFs {
		out = append(out, Finding{Doc: in.ScheduleDoc, Finding: f})
	}
	doc := in.TaskDefinitionDoc
	switch {
	case in.Service != nil:
		doc = in.ServiceDoc
	case in.Schedule != nil:
		doc = in.ScheduleDoc
	}
	return &Manifest{Doc: doc, Name: r.name, Objects: objs, in: in}, out
}

// prepare picks the workload's kind, name, namespace and labels.
func (r *reverser) prepare() {
	src, field := aws.ToString(r.td.Family), r.tdPath("family")
	switch {
	case r.svc != nil:
		src, field = aws.ToString(r.svc.ServiceName), mapping.Join(r.in.ServicePath, "serviceName")
		r.kind = "Deployment"
		if r.svc.SchedulingStrategy == types.SchedulingStrategyDaemon {
			r.kind = "DaemonSet"
		}
	case r.in.Schedule != nil:
		src, field = r.in.Schedule.Name, "Name"
		r.kind = "CronJob"
	case r.opts.Kind == KindDeployment:
		r.kind = "Deployment"
	default:
		r.kind = "Pod"
	}
	name, changed := mapping.K8sName(src)
	r.name = name
	if changed {
		fs := &r.tdFs
		switch {
		case r.svc != nil:
			fs = &r.svcFs
		case r.in.Schedule != nil:
			fs = &r.schedFs
		}
		fs.Add(field, mapping.Info, "%q is not a valid Kubernetes name; the %s is named %q", src, r.kind, name)
	}
	labels, rest, fs := mapping.LabelsFromTags(r.td.Tags, r.tdPath("tags"))
	r.tdFs = append(r.tdFs, fs...)
	if ns, ok := labels[TagNamespace]; ok && len(validation.IsDNS1123Label(ns)) == 0 {
		r.namespace = ns
		delete(labels, TagNamespace)
		r.tdFinding("tags", mapping.Info, "the %s tag becomes the namespace %q", TagNamespace, ns)
	}
	if len(labels) == 0 {
		labels = nil
	}
	r.labels, r.extraTags = labels, rest
}

// objects assembles the objects in apply order and returns the workload's own metadata and its
// pod template's, where annotations go.
func (r *reverser) objects(spec corev1.PodSpec) (objs []Object, wMeta, tMeta *metav1.ObjectMeta) {
	if sa := r.serviceAccount(); sa != nil {
		spec.ServiceAccountName = sa.Name
		objs = append(objs, sa)
	}
	if r.opts.ExternalSecrets {
		for _, es := range r.secrets.externalSecrets(r.namespace) {
			objs = append(objs, es)
		}
	}
	for _, c := range r.claims {
		objs = append(objs, c)
	}
	for _, cm := range r.files.configMaps {
		objs = append(objs, cm)
	}
	tmplAnn := map[string]string{}
	if !fargateCapable(r.td) {
		tmplAnn[AnnotationLaunchType] = LaunchEC2
	}
	if keys := r.secretKeysAnnotation(); keys != "" {
		tmplAnn[AnnotationSecretKeys] = keys
	}
	meta := metav1.ObjectMeta{Name: r.name, Namespace: r.namespace, Labels: r.labels}
	sel := map[string]string{SelectorLabel: r.name}
	tmpl := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: mergeLabels(r.labels, sel), Annotations: tmplAnn}, Spec: spec}
	switch r.kind {
	case "Pod":
		meta.Annotations = tmplAnn
		pod := &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}, ObjectMeta: meta, Spec: spec}
		objs = append(objs, pod)
		wMeta, tMeta = &pod.ObjectMeta, &pod.ObjectMeta
	case "DaemonSet":
		ds := &appsv1.DaemonSet{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"}, ObjectMeta: meta,
			Spec: appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: sel}, Template: tmpl, UpdateStrategy: r.daemonStrategy()}}
		objs = append(objs, ds)
		wMeta, tMeta = &ds.ObjectMeta, &ds.Spec.Template.ObjectMeta
	case "CronJob":
		cj := r.cronJob(meta, tmpl)
		objs = append(objs, cj)
		wMeta, tMeta = &cj.ObjectMeta, &cj.Spec.JobTemplate.Spec.Template.ObjectMeta
	default:
		dep := &appsv1.Deployment{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"}, ObjectMeta: meta,
			Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: sel}, Template: tmpl}}
		if r.svc != nil {
			dep.Spec.Replicas = r.replicas()
			dep.Spec.Strategy = r.deploymentStrategy(dep.Spec.Replicas)
		}
		objs = append(objs, dep)
		wMeta, tMeta = &dep.ObjectMeta, &dep.Spec.Template.ObjectMeta
	}
	if r.svc != nil {
		for _, s := range r.k8sServices(&spec) {
			s.Labels = mergeLabels(r.labels, s.Labels)
			objs = append(objs, s)
		}
	}
	return objs, wMeta, tMeta
}

func mergeLabels(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func (r *reverser) replicas() *int32 {
	n := r.svc.DesiredCount
	if n != nil && *n < 0 {
		r.svcFinding("desiredCount", mapping.Lossy, "negative desiredCount %d dropped", *n)
		return nil
	}
	if n == nil {
		return nil
	}
	return aws.Int32(*n)
}

// deploymentPercents returns the service's maximumPercent and minimumHealthyPercent, with the
// ECS defaults for a REPLICA service.
func (r *reverser) deploymentPercents() (maxPct, minPct int32) {
	maxPct, minPct = mapping.DefaultMaximumPercent, mapping.DefaultMinimumHealthyPercent
	if dc := r.svc.DeploymentConfiguration; dc != nil {
		if dc.MaximumPercent != nil {
			maxPct = *dc.MaximumPercent
		}
		if dc.MinimumHealthyPercent != nil {
			minPct = *dc.MinimumHealthyPercent
		}
	}
	return maxPct, minPct
}

// deploymentStrategy turns the deployment percentages into a rolling update giving the same task
// counts, or Recreate.
func (r *reverser) deploymentStrategy(replicas *int32) appsv1.DeploymentStrategy {
	maxPct, minPct := r.deploymentPercents()
	n := int32(1)
	if replicas != nil {
		n = *replicas
	}
	surge, unavail, recreate := mapping.RollingUpdateFromPercents(n, maxPct, minPct)
	if recreate {
		return appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
	}
	if hi, lo := mapping.ECSTaskBounds(n, maxPct, minPct); n > 0 && hi <= n && lo >= n {
		r.svcFinding("deploymentConfiguration", mapping.Lossy, "maximumPercent %d with minimumHealthyPercent %d leaves ECS no room to replace a task; Kubernetes needs some, so maxUnavailable is 1", maxPct, minPct)
	}
	return appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType, RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: &surge, MaxUnavailable: &unavail}}
}

// daemonStrategy: a DAEMON service replaces its tasks one instance at a time, as a DaemonSet's
// rolling update with maxUnavailable 1 does.
func (r *reverser) daemonStrategy() appsv1.DaemonSetUpdateStrategy {
	one := intstr.FromInt32(1)
	if dc := r.svc.DeploymentConfiguration; dc != nil && (dc.MaximumPercent != nil || dc.MinimumHealthyPercent != nil) {
		r.svcFinding("deploymentConfiguration", mapping.Info, "a DaemonSet replaces one pod per node at a time (maxUnavailable 1); the DAEMON service's percentages are kept in the annotation")
	}
	return appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType, RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &one}}
}

// reportCarried reports every set ECS field that Kubernetes cannot express, from the rule
// tables; a field without a rule is reported as unsupported.
func (r *reverser) reportCarried() {
	if o, err := toGeneric(r.td); err == nil {
		report := func(path, rule string) {
			r.reportRule(mapping.TaskDefinitionRules, path, rule, r.tdFinding)
		}
		o, _ := normalizeECS(o).(map[string]any)
		for _, k := range unionKeys(o, nil) {
			switch k {
			case containersKey:
				list, _ := o[k].([]any)
				for i, c := range list {
					if i != r.files.idx {
						walkMembers(c, mapping.Index(k, i), k+"[]", "linuxParameters", report)
					}
				}
			case "volumes":
				list, _ := o[k].([]any)
				for i, v := range list {
					walkMembers(v, mapping.Index(k, i), k+"[]", "", report)
				}
			default:
				report(k, k)
			}
		}
	}
	if r.svc != nil {
		if o, err := toGeneric(r.svc); err == nil {
			walkMembers(o, "", "", "deploymentConfiguration", func(path, rule string) {
				r.reportRule(mapping.ECSServiceRules, path, rule, r.svcFinding)
			})
		}
	}
}

// walkMembers calls fn for each set member of an object, and for the members of its member
// deeper; empty lists and objects count as unset, as ECS reads them.
func walkMembers(v any, path, rule, deeper string, fn func(path, rule string)) {
	m, _ := normalizeECS(v).(map[string]any)
	for _, k := range unionKeys(m, nil) {
		fn(mapping.Join(path, k), mapping.Join(rule, k))
		if k == deeper {
			sub, _ := m[k].(map[string]any)
			for _, s := range unionKeys(sub, nil) {
				fn(mapping.Join(mapping.Join(path, k), s), mapping.Join(mapping.Join(rule, k), s))
			}
		}
	}
}

func (r *reverser) reportRule(table []mapping.ECSRule, path, rule string, add func(string, mapping.Level, string, ...any)) {
	ru, ok := mapping.LookupECSRule(table, rule)
	switch {
	case !ok:
		add(path, mapping.Unsupported, "podecs has no rule for this ECS field; it is kept in the annotation only")
	case ru.How == mapping.Carried:
		add(path, ru.Level, "%s (kept for the way back)", ru.Note)
	}
}

// annotate converts the objects back to ECS, as `podecs convert` does with the default
// configuration, and stores in annotations what differs from the original. The task definition
// comes first: the service is converted from the restored task definition.
func (r *reverser) annotate(objs []Object, wMeta, tMeta *metav1.ObjectMeta) {
	td, _, err := forwardOf(objs)
	if err != nil {
		r.tdFinding("", mapping.Error, "the Kubernetes objects cannot be read back: %v", err)
		return
	}
	o, err1 := toGeneric(r.td)
	f, err2 := toGeneric(td)
	if err := errors.Join(err1, err2); err != nil {
		r.tdFinding("", mapping.Error, "%v", err)
		return
	}
	if len(r.extraTags) > 0 {
		b, _ := ecsjson.Marshal(r.extraTags)
		var compact bytes.Buffer
		_ = json.Compact(&compact, b)
		setAnnotation(wMeta, AnnotationTags, compact.String())
		if err := mergeExtraTags(f, compact.String()); err != nil {
			r.tdFinding("tags", mapping.Error, "%v", err)
			return
		}
	}
	refs := r.secretRefs(objs)
	for c, m := range filesSecretRefs(td) {
		refs[c] = m
	}
	if ps := diffTaskDefinition(o, f, r.names, refs); len(ps) > 0 {
		setAnnotation(tMeta, AnnotationTaskDefinition, ps.String())
	}
	if r.svc != nil {
		restored, svc, err := forwardOf(objs)
		os, err1 := toGeneric(r.svc)
		fsv, err2 := toGeneric(svc)
		if err := errors.Join(err, err1, err2); err != nil {
			r.svcFinding("", mapping.Error, "%v", err)
			return
		}
		fsv["taskDefinition"] = taskDefinitionFingerprint(restored)
		ps := patchSet{}
		diffMembers(ps, "", "", os, fsv, serviceSpec, "")
		if len(ps) > 0 {
			setAnnotation(wMeta, AnnotationService, ps.String())
		}
	}
	for _, m := range []*metav1.ObjectMeta{wMeta, tMeta} {
		size := 0
		for k, v := range m.Annotations {
			size += len(k) + len(v)
		}
		if size > maxAnnotationBytes {
			r.tdFinding("", mapping.Error, "the annotations come to %d bytes, over the Kubernetes limit of %d", size, maxAnnotationBytes)
		}
	}
	r.verify(objs)
}

// secretRefs lists the Secret references of the workload's containers, by container and variable.
func (r *reverser) secretRefs(objs []Object) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, o := range objs {
		var spec *corev1.PodSpec
		switch x := o.(type) {
		case *corev1.Pod:
			spec = &x.Spec
		case *appsv1.Deployment:
			spec = &x.Spec.Template.Spec
		case *appsv1.DaemonSet:
			spec = &x.Spec.Template.Spec
		case *batchv1.CronJob:
			spec = &x.Spec.JobTemplate.Spec.Template.Spec
		default:
			continue
		}
		for _, list := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
			for _, c := range list {
				for _, e := range c.Env {
					if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
						if out[c.Name] == nil {
							out[c.Name] = map[string]string{}
						}
						out[c.Name][e.Name] = secretRefString(e.ValueFrom.SecretKeyRef)
					}
				}
			}
		}
	}
	return out
}

func setAnnotation(m *metav1.ObjectMeta, k, v string) {
	if m.Annotations == nil {
		m.Annotations = map[string]string{}
	}
	m.Annotations[k] = v
}

// verify converts the annotated objects back and reports any difference from the original, which
// would be a podecs defect: the annotations are built to make the way back exact.
func (r *reverser) verify(objs []Object) {
	td, svc, err := forwardOf(objs)
	if err != nil {
		r.tdFinding("", mapping.Error, "the Kubernetes objects cannot be read back: %v", err)
		return
	}
	if d := ecsDifference(r.td, td); d != "" {
		r.tdFinding(d, mapping.Lossy, "converting the Kubernetes objects back does not give this field back")
	}
	if r.svc != nil {
		if d := ecsDifference(r.svc, svc); d != "" {
			r.svcFinding(d, mapping.Lossy, "converting the Kubernetes objects back does not give this field back")
		}
	}
}

// ecsDifference compares two ECS values after normalizeECS and returns the first differing path.
func ecsDifference(a, b any) string {
	ga, err1 := toGeneric(a)
	gb, err2 := toGeneric(b)
	if err1 != nil || err2 != nil {
		return "(document)"
	}
	return firstDifference(normalizeECS(ga), normalizeECS(gb), "")
}

// forwardOf converts rendered objects back to ECS as `podecs convert` does with the default
// configuration.
func forwardOf(objs []Object) (*ecs.RegisterTaskDefinitionInput, *ecs.CreateServiceInput, error) {
	y, err := RenderYAML(objs...)
	if err != nil {
		return nil, nil, err
	}
	ix := NewIndex()
	var w *Workload
	var errs []error
	err = ReadDocuments(bytes.NewReader(y), "reverse", ReadOptions{}, func(doc Document) {
		if doc.Format != FormatKubernetes {
			return
		}
		got, _, err := ix.AddObject(doc)
		if err != nil {
			errs = append(errs, err)
		}
		if got != nil {
			w = got
		}
	}, func(e *DocError) { errs = append(errs, e) })
	if err := errors.Join(append(errs, err)...); err != nil {
		return nil, nil, err
	}
	if w == nil {
		return nil, nil, errors.New("no workload")
	}
	name, _ := mapping.ECSName(w.Meta.Name)
	td, svc, _ := convertOne(w, name, ix, DefaultConfig())
	return td, svc, nil
}

// addECS reads an ECS document; task definitions and services are converted by Finish.
func (c *Converter) addECS(doc Document) {
	tds, svcs, err := decodeECS(doc)
	if err != nil {
		c.AddError(docErr(doc.DocRef, err))
		return
	}
	for i := range tds {
		c.ecsTDs = append(c.ecsTDs, &tds[i])
	}
	for i := range svcs {
		c.ecsServices = append(c.ecsServices, &svcs[i])
	}
}

// finishReverse first reports the Kubernetes Services and autoscalers, once every workload is
// converted; then it converts the ECS inputs: every service with the task definition it runs,
// every schedule with its task definition, then the task definitions nothing runs, and adds the
// autoscalers of the scaling inputs. Two workloads with the same Kubernetes name are both errors.
func (c *Converter) finishReverse() {
	taken := map[string]DocRef{}
	reported := map[any]bool{}
	decodeFindings := func(key any, ref DocRef, fs mapping.Findings) {
		if !reported[key] {
			reported[key] = true
			c.findings(ref, fs)
		}
	}
	emit := func(in ReverseInput) {
		m, fs := Reverse(in, c.opts.Reverse)
		c.res.Findings = append(c.res.Findings, fs...)
		for _, f := range fs {
			if f.Level == mapping.Error {
				c.AddError(&DocError{Doc: m.Doc, Err: errors.New("cannot be converted (see the errors above)")})
				return
			}
		}
		if prev, dup := taken[m.Name]; dup {
			c.AddError(&DocError{Doc: m.Doc, Err: fmt.Errorf("the Kubernetes name %q is already taken by %s", m.Name, prev)})
			return
		}
		taken[m.Name] = m.Doc
		c.res.Manifests = append(c.res.Manifests, *m)
	}
	for _, s := range c.ecsServices {
		decodeFindings(s, s.doc, s.fs)
		d, err := matchTaskDefinition(aws.ToString(s.svc.TaskDefinition), c.ecsTDs)
		if err != nil {
			c.AddError(&DocError{Doc: s.doc, Path: mapping.Join(s.path, "taskDefinition"), Err: err})
			continue
		}
		d.used = true
		decodeFindings(d, d.doc, d.fs)
		emit(ReverseInput{TaskDefinition: d.td, TaskDefinitionDoc: d.doc, TaskDefinitionPath: d.path,
			Service: s.svc, ServiceDoc: s.doc, ServicePath: s.path})
	}
	c.reverseSchedules(decodeFindings, emit)
	for _, d := range c.ecsTDs {
		if !d.used {
			decodeFindings(d, d.doc, d.fs)
			emit(ReverseInput{TaskDefinition: d.td, TaskDefinitionDoc: d.doc, TaskDefinitionPath: d.path})
		}
	}
	c.reverseScaling()
}
