package convert

import (
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
	corev1 "k8s.io/api/core/v1"

	"github.com/podecs/podecs/mapping"
)

// Annotations that carry what Kubernetes cannot express, so that converting back to ECS gives the
// same task definition and service.
const (
	// AnnotationTaskDefinition (on the pod template) holds the task definition fields whose ECS
	// value the Kubernetes spec cannot give, as a JSON object of patches (see docs/reverse.md).
	AnnotationTaskDefinition = "podecs.io/task-definition"
	// AnnotationService (on the Deployment or DaemonSet) holds the same for the service.
	AnnotationService = "podecs.io/service"
	// AnnotationTags (on the workload) lists the ECS tags that are not valid labels, as JSON.
	AnnotationTags = "podecs.io/tags"
	// AnnotationLaunchType (on the pod template) is EC2 for a task definition Fargate cannot run;
	// the way back then converts for EC2 whatever the default launch type.
	AnnotationLaunchType = "podecs.io/launch-type"
	annotationPrefix     = "podecs.io/"
)

// maxAnnotationBytes is the Kubernetes limit on the total size of an object's annotations.
const maxAnnotationBytes = 256 << 10

// restoreTaskDefinition applies the podecs.io/ annotations of a workload to the task definition
// converted from it, so that a task definition converted to Kubernetes by podecs comes back
// unchanged, and returns the findings with those the restored fields make moot removed. Workloads
// without the annotations are left alone.
func restoreTaskDefinition(td *ecs.RegisterTaskDefinitionInput, w *Workload, fs mapping.Findings) mapping.Findings {
	ann, hasPatches := w.Template.Annotations[AnnotationTaskDefinition]
	tags, hasTags := w.Meta.Annotations[AnnotationTags]
	if td == nil || (!hasPatches && !hasTags) {
		return fs
	}
	annPath := mapping.Join(w.TemplatePath, "metadata.annotations["+strconv.Quote(AnnotationTaskDefinition)+"]")
	// The tags of the annotation count as what the Kubernetes side gives: guards see them.
	raw, err := toGeneric(td)
	if err != nil {
		fs.Add(annPath, mapping.Error, "%v", err)
		return fs
	}
	res, _ := toGeneric(td)
	if hasTags {
		for _, m := range []map[string]any{raw, res} {
			if err := mergeExtraTags(m, tags); err != nil {
				fs.Add("metadata.annotations["+strconv.Quote(AnnotationTags)+"]", mapping.Error, "not a JSON list of ECS tags: %v", err)
				return fs
			}
		}
	}
	var result patchResult
	if hasPatches {
		ps, err := parsePatches(ann)
		if err != nil {
			fs.Add(annPath, mapping.Error, "not a JSON object of field patches: %v", err)
			return fs
		}
		if result, err = ps.apply(raw, res, secretRefsOf(w.Template.Spec, filesSecretRefs(td))); err != nil {
			fs.Add(annPath, mapping.Error, "%v", err)
			return fs
		}
	}
	restored := &ecs.RegisterTaskDefinitionInput{}
	if err := fromGeneric(res, restored); err != nil {
		fs.Add(annPath, mapping.Error, "the restored task definition is not valid: %v", err)
		return fs
	}
	*td = *restored
	fs = dropMootTaskFindings(fs, w, result)
	fs = dropMootFileSecrets(fs, td, result)
	reportRestore(&fs, annPath, result)
	return fs
}

// restoreService is restoreTaskDefinition for the service, from the podecs.io/service annotation;
// td is the (restored) task definition the service runs.
func restoreService(svc *ecs.CreateServiceInput, td *ecs.RegisterTaskDefinitionInput, w *Workload, fs mapping.Findings) mapping.Findings {
	ann, ok := w.Meta.Annotations[AnnotationService]
	if svc == nil || !ok {
		return fs
	}
	annPath := "metadata.annotations[" + strconv.Quote(AnnotationService) + "]"
	raw, err := toGeneric(svc)
	if err != nil {
		fs.Add(annPath, mapping.Error, "%v", err)
		return fs
	}
	res, _ := toGeneric(svc)
	raw["taskDefinition"] = taskDefinitionFingerprint(td)
	ps, err := parsePatches(ann)
	if err != nil {
		fs.Add(annPath, mapping.Error, "not a JSON object of field patches: %v", err)
		return fs
	}
	result, err := ps.apply(raw, res, nil)
	if err != nil {
		fs.Add(annPath, mapping.Error, "%v", err)
		return fs
	}
	restored := &ecs.CreateServiceInput{}
	if err := fromGeneric(res, restored); err != nil {
		fs.Add(annPath, mapping.Error, "the restored service is not valid: %v", err)
		return fs
	}
	*svc = *restored
	if result.has("networkConfiguration") {
		fs = dropFindings(fs, func(f mapping.Finding) bool { return f.Path == "config.network.subnets" })
	}
	reportRestore(&fs, annPath, result)
	return fs
}

// taskDefinitionFingerprint stands for the service's taskDefinition when guards are checked: a
// restored revision or ARN (billing:12) applies only while the task definition converted from the
// pod template is still the original one; after an edit the service runs the family's latest
// revision, the one registered from the edited template.
func taskDefinitionFingerprint(td *ecs.RegisterTaskDefinitionInput) string {
	g, err := toGeneric(td)
	if err != nil || td == nil {
		return ""
	}
	return "task-definition " + digest(normalizeECS(g))
}

// secretRefsOf looks up the Secret reference ("secret/key") of a container's variable; files
// holds those of the files container (filesSecretRefs).
func secretRefsOf(spec corev1.PodSpec, files map[string]map[string]string) func(container, name string) (string, bool) {
	return func(container, name string) (string, bool) {
		if ref, ok := files[container][name]; ok {
			return ref, true
		}
		for _, list := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
			for _, c := range list {
				if c.Name != container {
					continue
				}
				for _, e := range c.Env {
					if e.Name == name && e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
						return secretRefString(e.ValueFrom.SecretKeyRef), true
					}
				}
			}
		}
		return "", false
	}
}

func secretRefString(r *corev1.SecretKeySelector) string { return r.Name + "/" + r.Key }

func reportRestore(fs *mapping.Findings, annPath string, r patchResult) {
	if len(r.applied) > 0 {
		fs.Add(annPath, mapping.Info, "ECS fields restored from the annotation: %s", strings.Join(r.applied, ", "))
	}
	for _, s := range r.stale {
		fs.Add(annPath, mapping.Info, "%s not restored: the Kubernetes spec was changed and now gives a different value, which is kept", s)
	}
}

func dropFindings(fs mapping.Findings, drop func(mapping.Finding) bool) mapping.Findings {
	var out mapping.Findings
	for _, f := range fs {
		if !drop(f) {
			out = append(out, f)
		}
	}
	return out
}

// dropMootTaskFindings removes the findings about values the annotation replaced: a missing
// execution role, placeholder secret ARNs, claims without an EFS file system, rounded task sizes,
// probe timings, and the annotations themselves.
func dropMootTaskFindings(fs mapping.Findings, w *Workload, r patchResult) mapping.Findings {
	tp := w.TemplatePath
	var prefixes []string
	if r.has("volumes") {
		prefixes = append(prefixes, mapping.Join(tp, "spec.volumes["))
	}
	for _, list := range []struct {
		field string
		cs    []containerRef
	}{{"initContainers", refs(w.Template.Spec.InitContainers)}, {"containers", refs(w.Template.Spec.Containers)}} {
		for i, c := range list.cs {
			cp := mapping.Join(tp, mapping.Index("spec."+list.field, i))
			base := containersKey + "[" + c.name + "]"
			if r.has(base + ".healthCheck") {
				prefixes = append(prefixes, cp+".livenessProbe", cp+".readinessProbe", cp+".startupProbe")
			}
			for j, e := range c.env {
				if r.has(base+".secrets") && (containsString(r.applied, base+".secrets") || containsString(r.applied, base+".secrets["+e+"]")) {
					prefixes = append(prefixes, mapping.Index(cp+".env", j)+".valueFrom.secretKeyRef")
				}
			}
		}
	}
	allOurs := true
	for k := range w.Template.Annotations {
		allOurs = allOurs && strings.HasPrefix(k, annotationPrefix)
	}
	return dropFindings(fs, func(f mapping.Finding) bool {
		switch {
		case allOurs && f.Path == mapping.Join(tp, "metadata.annotations"):
			return true
		case r.has("executionRoleArn") && f.Path == "config.executionRoleArn":
			return true
		case (r.has("cpu") || r.has("memory")) && f.Path == mapping.Join(tp, "spec.containers") && f.Level == mapping.Info:
			return true
		}
		for _, p := range prefixes {
			if strings.HasPrefix(f.Path, p) {
				return true
			}
		}
		return false
	})
}

type containerRef struct {
	name string
	env  []string
}

func refs(cs []corev1.Container) []containerRef {
	out := make([]containerRef, len(cs))
	for i, c := range cs {
		out[i].name = c.Name
		for _, e := range c.Env {
			out[i].env = append(out[i].env, e.Name)
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// launchTypeFromAnnotations converts a workload annotated podecs.io/launch-type: EC2 for EC2, as
// a DaemonSet is: its task definition cannot run on Fargate.
func launchTypeFromAnnotations(w *Workload, cfg Config) (Config, mapping.Findings) {
	var fs mapping.Findings
	if w.Template.Annotations[AnnotationLaunchType] == LaunchEC2 && cfg.LaunchType != LaunchEC2 {
		cfg.LaunchType = LaunchEC2
		fs.Add(mapping.Join(w.TemplatePath, "metadata.annotations["+strconv.Quote(AnnotationLaunchType)+"]"), mapping.Info, "the task definition came from ECS and cannot run on Fargate; converted for the EC2 launch type")
	}
	return cfg, fs
}
