package convert

import (
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/podecs/podecs/mapping"
)

// objectNotes collects the findings about Services and HorizontalPodAutoscalers that come up while
// the workloads they select are converted, so that Finish reports them under the object's own
// document. It is safe for concurrent use: workloads may convert in parallel.
type objectNotes struct {
	mu      sync.Mutex
	notes   map[any][]objectNote
	applied map[any]bool
}

// objectNote is the findings one object (an *indexedService or *indexedHPA) raised about one
// workload, with where that workload is in the input. It does not keep the workload: a batch
// converts tens of thousands and must not hold on to them.
type objectNote struct {
	pos int
	ref DocRef
	fs  mapping.Findings
}

// addNote records that obj applied to w, with the findings it raised.
func (ix *Index) addNote(obj any, w *Workload, fs mapping.Findings) {
	pos := ix.refPosition(workloadRef{kind: w.Kind, namespace: nsOf(w.Meta.Namespace), name: w.Meta.Name})
	n := ix.notes
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.applied == nil {
		n.notes, n.applied = map[any][]objectNote{}, map[any]bool{}
	}
	n.applied[obj] = true
	if len(fs) > 0 {
		n.notes[obj] = append(n.notes[obj], objectNote{pos: pos, ref: w.Ref, fs: fs})
	}
}

// has reports whether obj applied to any workload converted so far.
func (n *objectNotes) has(obj any) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.applied[obj]
}

// of returns the findings about obj, ordered by the workloads' position in the input (then by
// document), so the report does not depend on the order in which workloads were converted.
func (n *objectNotes) of(obj any) mapping.Findings {
	n.mu.Lock()
	mine := append([]objectNote(nil), n.notes[obj]...)
	n.mu.Unlock()
	sort.SliceStable(mine, func(i, j int) bool {
		if a, b := mine[i], mine[j]; a.pos != b.pos {
			return a.pos < b.pos
		}
		return docBefore(mine[i].ref, mine[j].ref)
	})
	var fs mapping.Findings
	for _, x := range mine {
		fs = append(fs, x.fs...)
	}
	return fs
}

func docBefore(a, b DocRef) bool {
	if a.Source != b.Source {
		return a.Source < b.Source
	}
	if a.Index != b.Index {
		return a.Index < b.Index
	}
	return a.Item < b.Item
}

// reportObjects reports the findings about Services and HorizontalPodAutoscalers under their own
// documents, including those that select no workload of the input. An object with an error is a
// document that could not be converted.
func (c *Converter) reportObjects() {
	report := func(ref DocRef, obj any, fs mapping.Findings) {
		fs = append(fs, c.ix.notes.of(obj)...)
		c.findings(ref, fs)
		if fs.HasErrors() {
			c.AddError(&DocError{Doc: ref, Err: errors.New("cannot be converted (see the errors above)")})
		}
	}
	for _, s := range c.ix.services {
		var fs mapping.Findings
		if len(s.selector) == 0 {
			fs.Add("spec.selector", mapping.Info, "no selector: the Service's endpoints are managed by hand, and no ECS service gets its ports")
		} else if !c.ix.selectsAny(s) {
			fs.Add("spec.selector", mapping.Info, "selects no workload of the input in namespace %q (%s); nothing is converted for it", s.namespace, selectorString(s.selector))
		}
		report(s.ref, s, fs)
	}
	for _, h := range c.ix.hpas {
		var fs mapping.Findings
		if !c.ix.targetsAny(h) {
			t := h.hpa.Spec.ScaleTargetRef
			fs.Add("spec.scaleTargetRef", mapping.Info, "scales %s %q, which is not among the input's workloads in namespace %q; nothing is converted for it", t.Kind, t.Name, nsOf(h.hpa.Namespace))
		}
		report(h.ref, h, fs)
	}
}

// nsOf is a namespace with the Kubernetes default filled in.
func nsOf(namespace string) string {
	if namespace == "" {
		return "default"
	}
	return namespace
}

func selectorString(sel map[string]string) string {
	s := ""
	for i, k := range sortedKeys(sel) {
		if i > 0 {
			s += ","
		}
		s += fmt.Sprintf("%s=%s", k, sel[k])
	}
	return s
}
