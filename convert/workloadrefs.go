package convert

import (
	"encoding/json"
	"sort"
)

// workloadRef names a workload of the input with its pod labels: enough to match Services and
// autoscalers to it before, or without, converting it.
type workloadRef struct {
	kind, namespace, name string
	labels                packedMap
}

func refOf(w *Workload) workloadRef {
	return workloadRef{kind: w.Kind, namespace: nsOf(w.Meta.Namespace), name: w.Meta.Name, labels: packMap(w.Template.Labels)}
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
		r.labels = packMap(o.Metadata.Labels)
	case "CronJob":
		r.labels = packMap(o.Spec.JobTemplate.Spec.Template.Metadata.Labels)
	default:
		r.labels = packMap(o.Spec.Template.Metadata.Labels)
	}
	ix.workloadRefs = append(ix.workloadRefs, r)
}

// refPosition is a workload's position in the input, or len(workloadRefs) when it was not
// recorded (a workload converted on its own, as the way back does).
func (ix *Index) refPosition(r workloadRef) int {
	if p, ok := ix.links().pos[r.key()]; ok {
		return p
	}
	return len(ix.workloadRefs)
}

func (r workloadRef) key() string { return r.kind + "/" + r.namespace + "/" + r.name }

// indexLinks relates the Services and autoscalers of the input to its workloads. They are computed
// once every document is indexed, so that matching takes time in proportion to the input, not to
// the number of Services times the number of workloads.
type indexLinks struct {
	// counts of services, autoscalers and workloads the links were computed from
	services, hpas, refs int
	// byLabel files each Service under one of its selector's labels (namespace, key and value):
	// a workload can only be selected by the Services filed under one of its own labels.
	byLabel map[string][]*indexedService
	// owner is the position of the first workload of a kind that has an ECS service which a
	// Service selects; selected marks the Services that select any workload.
	owner    map[*indexedService]int
	selected map[*indexedService]bool
	// byTarget lists the autoscalers by the kind, namespace and name they scale.
	byTarget map[string][]*indexedHPA
	pos      map[string]int
}

func labelKey(namespace, k, v string) string { return namespace + "\x00" + k + "=" + v }

// links returns the links for the current index, computing them when it has grown. Workloads
// converting in parallel share them.
func (ix *Index) links() *indexLinks {
	ix.linkMu.Lock()
	defer ix.linkMu.Unlock()
	if l := ix.linked; l != nil && l.services == len(ix.services) && l.hpas == len(ix.hpas) && l.refs == len(ix.workloadRefs) {
		return l
	}
	l := &indexLinks{
		services: len(ix.services), hpas: len(ix.hpas), refs: len(ix.workloadRefs),
		byLabel: map[string][]*indexedService{}, owner: map[*indexedService]int{}, selected: map[*indexedService]bool{},
		byTarget: map[string][]*indexedHPA{}, pos: make(map[string]int, len(ix.workloadRefs)),
	}
	// Each Service is filed under the label of its selector that the fewest Services use, so that
	// a label many Services share (app.kubernetes.io/part-of, a Helm release) does not make
	// every workload check every Service.
	uses := map[string]int{}
	for _, s := range ix.services {
		for k, v := range s.selector {
			uses[labelKey(s.namespace, k, v)]++
		}
	}
	for _, s := range ix.services {
		best := ""
		for _, k := range sortedKeys(s.selector) {
			if key := labelKey(s.namespace, k, s.selector[k]); best == "" || uses[key] < uses[best] {
				best = key
			}
		}
		if best != "" {
			l.byLabel[best] = append(l.byLabel[best], s)
		}
	}
	for _, h := range ix.hpas {
		key := h.target().key()
		l.byTarget[key] = append(l.byTarget[key], h)
	}
	for i, r := range ix.workloadRefs {
		if _, dup := l.pos[r.key()]; !dup {
			l.pos[r.key()] = i
		}
		for _, s := range l.selecting(r) {
			l.selected[s] = true
			if _, ok := l.owner[s]; !ok && servedKind(r.kind) {
				l.owner[s] = i
			}
		}
	}
	ix.linked = l
	return l
}

// selecting returns the Services that select a workload's pods, in input order.
func (l *indexLinks) selecting(r workloadRef) []*indexedService {
	var out []*indexedService
	for i := range r.labels.Len() {
		k, v := r.labels.At(i)
		for _, s := range l.byLabel[labelKey(r.namespace, k, v)] {
			if s.selects(r) {
				out = append(out, s)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].pos < out[j].pos })
	return out
}

// targeting returns the autoscalers that scale a workload, in input order.
func (l *indexLinks) targeting(r workloadRef) []*indexedHPA { return l.byTarget[r.key()] }
