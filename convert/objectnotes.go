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
	mu    sync.Mutex
	notes []objectNote
}

// objectNote is what one object (an *indexedService or *indexedHPA) made of one workload; a note
// without findings records that the object applied to the workload.
type objectNote struct {
	obj      any
	workload *Workload
	fs       mapping.Findings
}

func (n *objectNotes) add(obj any, w *Workload, fs mapping.Findings) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.notes = append(n.notes, objectNote{obj: obj, workload: w, fs: fs})
}

// has reports whether obj applied to any workload converted so far.
func (n *objectNotes) has(obj any) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, x := range n.notes {
		if x.obj == obj {
			return true
		}
	}
	return false
}

// of returns the findings about obj, ordered by the workloads' position in the input (then by
// document), so the report does not depend on the order in which workloads were converted.
func (n *objectNotes) of(obj any, ix *Index) mapping.Findings {
	n.mu.Lock()
	var mine []objectNote
	for _, x := range n.notes {
		if x.obj == obj {
			mine = append(mine, x)
		}
	}
	n.mu.Unlock()
	sort.SliceStable(mine, func(i, j int) bool {
		a, b := mine[i].workload, mine[j].workload
		if pa, pb := ix.refPosition(refOf(a)), ix.refPosition(refOf(b)); pa != pb {
			return pa < pb
		}
		return docBefore(a.Ref, b.Ref)
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
		fs = append(fs, c.ix.notes.of(obj, c.ix)...)
		c.findings(ref, fs)
		if fs.HasErrors() {
			c.AddError(&DocError{Doc: ref, Err: errors.New("cannot be converted (see the errors above)")})
		}
	}
	for _, s := range c.ix.services {
		var fs mapping.Findings
		if len(s.svc.Spec.Selector) == 0 {
			fs.Add("spec.selector", mapping.Info, "no selector: the Service's endpoints are managed by hand, and no ECS service gets its ports")
		} else if !c.ix.selectsAny(s) {
			fs.Add("spec.selector", mapping.Info, "selects no workload of the input in namespace %q (%s); nothing is converted for it", nsOf(s.svc.Namespace), selectorString(s.svc.Spec.Selector))
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
