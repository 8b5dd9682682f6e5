package convert

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/podecs/podecs/mapping"
)

// A HorizontalPodAutoscaler that scales a Deployment, StatefulSet or ReplicaSet of the input
// becomes the Application Auto Scaling inputs of that workload's ECS service (N.scaling.json).

// indexedHPA is a HorizontalPodAutoscaler of the input, as autoscaling/v2.
type indexedHPA struct {
	ref DocRef
	hpa *autoscalingv2.HorizontalPodAutoscaler
	// v1 marks an autoscaling/v1 object: its one metric is targetCPUUtilizationPercentage.
	v1 bool
}

// hpaV1MetricPath is where an autoscaling/v1 HorizontalPodAutoscaler keeps its metric.
const hpaV1MetricPath = "spec.targetCPUUtilizationPercentage"

// addHPA decodes an autoscaling/v2 (or v2beta2) HorizontalPodAutoscaler, or an autoscaling/v1 one
// converted to v2 as the API server does, and indexes it.
func (ix *Index) addHPA(doc Document) (mapping.Findings, error) {
	h := &indexedHPA{ref: doc.DocRef}
	var fs mapping.Findings
	var err error
	switch doc.APIVersion {
	case "autoscaling/v2", "autoscaling/v2beta2":
		h.hpa = &autoscalingv2.HorizontalPodAutoscaler{}
		fs, err = decodeStrict(doc, h.hpa)
	case "autoscaling/v1":
		o := &autoscalingv1.HorizontalPodAutoscaler{}
		fs, err = decodeStrict(doc, o)
		h.hpa, h.v1 = hpaFromV1(o), true
	default:
		return nil, &DocError{Path: "apiVersion", Err: fmt.Errorf("%q: podecs reads HorizontalPodAutoscalers of autoscaling/v2 and autoscaling/v1", doc.APIVersion)}
	}
	if err != nil {
		return fs, err
	}
	if h.hpa.Name == "" {
		return fs, &DocError{Path: "metadata.name", Err: errors.New("missing: a HorizontalPodAutoscaler needs a name")}
	}
	h.ref.Kind, h.ref.Name = "HorizontalPodAutoscaler", h.hpa.Name
	ix.hpas = append(ix.hpas, h)
	return fs, nil
}

// hpaFromV1 converts an autoscaling/v1 HorizontalPodAutoscaler to v2: its CPU target becomes a cpu
// Utilization resource metric; without one the v2 default (80% CPU) applies, as in v1.
func hpaFromV1(o *autoscalingv1.HorizontalPodAutoscaler) *autoscalingv2.HorizontalPodAutoscaler {
	out := &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: o.ObjectMeta,
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{Kind: o.Spec.ScaleTargetRef.Kind, Name: o.Spec.ScaleTargetRef.Name, APIVersion: o.Spec.ScaleTargetRef.APIVersion},
			MinReplicas:    o.Spec.MinReplicas,
			MaxReplicas:    o.Spec.MaxReplicas,
		},
	}
	if t := o.Spec.TargetCPUUtilizationPercentage; t != nil {
		out.Spec.Metrics = []autoscalingv2.MetricSpec{{
			Type: autoscalingv2.ResourceMetricSourceType,
			Resource: &autoscalingv2.ResourceMetricSource{
				Name:   corev1.ResourceCPU,
				Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: aws.Int32(*t)},
			},
		}}
	}
	return out
}

// target is the workload the autoscaler scales: same namespace, kind and name.
func (h *indexedHPA) target() workloadRef {
	t := h.hpa.Spec.ScaleTargetRef
	return workloadRef{kind: t.Kind, namespace: nsOf(h.hpa.Namespace), name: t.Name}
}

// targetsAny reports whether the autoscaler scales a workload of the input.
func (ix *Index) targetsAny(h *indexedHPA) bool {
	_, ok := ix.links().pos[h.target().key()]
	return ok || ix.notes.has(h)
}

// scaling sets out.Scaling from the autoscaler that scales w. Its findings go to the autoscaler's
// document. The ResourceId names the service and cluster the output actually has (restored from
// the podecs.io/service annotation when the manifest came from ECS).
func (ix *Index) scaling(out *Output, w *Workload) {
	for _, h := range ix.links().targeting(refOf(w)) {
		var fs mapping.Findings
		switch {
		case out.Service == nil || !servedKind(w.Kind):
			fs.Add("spec.scaleTargetRef", mapping.Unsupported, "scales %s %q, which has no ECS service whose desired count Application Auto Scaling could set", w.Kind, w.Meta.Name)
		case out.Scaling != nil:
			fs.Add("spec.scaleTargetRef", mapping.Lossy, "%s %q is already scaled by another HorizontalPodAutoscaler; an ECS service has one scalable target, so this one is ignored", w.Kind, w.Meta.Name)
		default:
			cluster := clusterNameOf(aws.ToString(out.Service.Cluster))
			target, policies, sfs := mapping.ScalingFromHPA(h.hpa, cluster, aws.ToString(out.Service.ServiceName), "")
			fs = append(fs, sfs...)
			out.Scaling = &Scaling{ScalableTarget: target, Policies: policies}
		}
		if h.v1 {
			fs = v1MetricPaths(fs)
		}
		ix.addNote(h, w, fs)
	}
}

// v1MetricPaths points findings about the v2 metrics list at the v1 field they came from.
func v1MetricPaths(fs mapping.Findings) mapping.Findings {
	for i, f := range fs {
		if f.Path == "spec.metrics" || strings.HasPrefix(f.Path, "spec.metrics[") {
			fs[i].Path = hpaV1MetricPath
		}
	}
	return fs
}

// clusterNameOf is the name of a cluster given by name or ARN (arn:…:cluster/NAME); empty is
// ECS's default cluster.
func clusterNameOf(c string) string {
	if _, name, ok := strings.Cut(c, ":cluster/"); ok && strings.HasPrefix(c, "arn:") {
		return name
	}
	if c == "" {
		return "default"
	}
	return c
}
