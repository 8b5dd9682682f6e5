package convert

import (
	"encoding/json"
)

// workloadRef names a workload of the input with its pod labels: enough to match Services and
// autoscalers to it before, or without, converting it.
type workloadRef struct {
	kind, namespace, name string
	labels                map[string]string
}

func refOf(w *Workload) workloadRef {
	return workloadRef{kind: w.Kind, namespace: nsOf(w.Meta.Namespace), name: w.Meta.Name, labels: w.Template.Labels}
}

func (r workloadRef) same(o workloadRef) bool {
	return r.kind == o.kind && r.namespace == o.namespace && r.name == o.name
}

// addWorkloadDoc records a workload document in input order. It decodes only the kind, name,
// namespace and pod template labels; a document that does not decode is reported when the
// workload itself is decoded.
func (ix *Index) addWorkloadDoc(doc Document) {
	type meta struct {
		Name      string            `json:"name"`
		Namespace string            `json:"namespace"`
		Labels    map[string]string `json:"labels"`
	}
	type template struct {
		Metadata meta `json:"metadata"`
	}
	var o struct {
		Metadata meta `json:"metadata"`
		Spec     struct {
			Template    template `json:"template"`
			JobTemplate struct {
				Spec struct {
					Template template `json:"template"`
				} `json:"spec"`
			} `json:"jobTemplate"`
		} `json:"spec"`
	}
	if json.Unmarshal(doc.JSON, &o) != nil || o.Metadata.Name == "" {
		return
	}
	r := workloadRef{kind: doc.Kind, namespace: nsOf(o.Metadata.Namespace), name: o.Metadata.Name}
	switch doc.Kind {
	case "Pod":
		r.labels = o.Metadata.Labels
	case "CronJob":
		r.labels = o.Spec.JobTemplate.Spec.Template.Metadata.Labels
	default:
		r.labels = o.Spec.Template.Metadata.Labels
	}
	ix.workloadRefs = append(ix.workloadRefs, r)
}

// refPosition is a workload's position in the input, or len(workloadRefs) when it was not
// recorded (a workload converted on its own, as the way back does).
func (ix *Index) refPosition(r workloadRef) int {
	for i, x := range ix.workloadRefs {
		if x.same(r) {
			return i
		}
	}
	return len(ix.workloadRefs)
}
