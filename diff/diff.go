// Package diff compares workloads across Kubernetes and Amazon ECS. Both sides are brought to one
// canonical form, the ECS one: Kubernetes manifests go through the same converter as `podecs
// convert`, ECS documents (task definitions and services, as API inputs or describe outputs) are
// decoded as they are. Equivalent spellings then compare equal ("1 vCPU" and "1024", list order
// where order carries no meaning, defaults filled in), and what is left is reported field by field
// with a path such as containers[web].environment[MODE].
//
// The package does no file or network I/O of its own: documents come in through a Loader, a live
// cluster through an ECSClient the caller builds, and reports go out to an io.Writer.
package diff

import (
	"sort"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// Workload is one workload of one side: a task definition and, when something runs it as a
// service, that service.
type Workload struct {
	// Name is the ECS-safe name workloads are paired by: the service name, else the task
	// definition family.
	Name string
	// Sources say where the workload was read: documents ("app.yaml: doc 2 Deployment/web") or,
	// for a live cluster, ARNs.
	Sources []string
	// TaskDefinition is never nil in a workload of a Side.
	TaskDefinition *ecs.RegisterTaskDefinitionInput
	// Service is nil for workloads that no service runs (Pods, Jobs, standalone task definitions).
	Service *ecs.CreateServiceInput
}

// Side is one side of a comparison.
type Side struct {
	// Label names the side in reports: the paths given, or the live cluster.
	Label     string
	Workloads []Workload
}

// Status says how a workload compares.
type Status string

// The statuses of a workload in a report.
const (
	StatusEqual     Status = "equal"
	StatusDifferent Status = "different"
	StatusOnlyLeft  Status = "onlyLeft"
	StatusOnlyRight Status = "onlyRight"
)

// ReportVersion is the version of the JSON report schema (docs/diff.md). It changes only when a
// member is removed or changes meaning; new members may be added within a version.
const ReportVersion = 1

// Report is the outcome of a comparison. Its JSON form is the `--format json` output.
type Report struct {
	Version   int            `json:"version"`
	Left      string         `json:"left"`
	Right     string         `json:"right"`
	Summary   Summary        `json:"summary"`
	Workloads []WorkloadDiff `json:"workloads"`
}

// Summary counts workloads by status, and the differences of all different workloads.
type Summary struct {
	Workloads   int `json:"workloads"`
	Equal       int `json:"equal"`
	Different   int `json:"different"`
	OnlyLeft    int `json:"onlyLeft"`
	OnlyRight   int `json:"onlyRight"`
	Differences int `json:"differences"`
}

// WorkloadDiff is how one workload compares.
type WorkloadDiff struct {
	Name         string       `json:"name"`
	Status       Status       `json:"status"`
	LeftSources  []string     `json:"leftSources,omitempty"`
	RightSources []string     `json:"rightSources,omitempty"`
	Differences  []Difference `json:"differences,omitempty"`
}

// Difference is one field that differs. Left and Right are display values in the canonical form:
// strings as they are (JSON-quoted when empty or holding control characters or outer spaces),
// numbers and booleans in decimal, lists and objects as compact JSON. An empty Left or Right means
// the field is absent on that side.
type Difference struct {
	Path  string `json:"path"`
	Left  string `json:"left,omitempty"`
	Right string `json:"right,omitempty"`
	// Secret marks a secret-backed variable: Left and Right are then the names of the secrets
	// (from the Secrets Manager or SSM ARNs), or "(hidden)" for a plain variable that is
	// secret-backed on the other side; values are never shown.
	Secret bool `json:"secret,omitempty"`
}

// HasDifferences reports whether any workload is not equal on both sides.
func (r *Report) HasDifferences() bool {
	return r.Summary.Equal != r.Summary.Workloads
}

// Compare pairs the workloads of two sides by name and compares each pair in canonical form.
// Workloads are listed in name order. A side must not hold two workloads of the same name (a
// Loader reports that as an error); if it does, the last one is used.
func Compare(left, right Side) Report {
	l, r := byName(left.Workloads), byName(right.Workloads)
	names := make([]string, 0, len(l)+len(r))
	for n := range l {
		names = append(names, n)
	}
	for n := range r {
		if _, ok := l[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	rep := Report{Version: ReportVersion, Left: left.Label, Right: right.Label, Workloads: []WorkloadDiff{}}
	for _, n := range names {
		lw, inL := l[n]
		rw, inR := r[n]
		wd := WorkloadDiff{Name: n}
		switch {
		case !inR:
			wd.Status, wd.LeftSources = StatusOnlyLeft, lw.Sources
			rep.Summary.OnlyLeft++
		case !inL:
			wd.Status, wd.RightSources = StatusOnlyRight, rw.Sources
			rep.Summary.OnlyRight++
		default:
			wd.LeftSources, wd.RightSources = lw.Sources, rw.Sources
			wd.Differences = compareWorkloads(lw, rw)
			if len(wd.Differences) == 0 {
				wd.Status = StatusEqual
				rep.Summary.Equal++
			} else {
				wd.Status = StatusDifferent
				rep.Summary.Different++
				rep.Summary.Differences += len(wd.Differences)
			}
		}
		rep.Workloads = append(rep.Workloads, wd)
	}
	rep.Summary.Workloads = len(names)
	return rep
}

func byName(ws []Workload) map[string]Workload {
	m := make(map[string]Workload, len(ws))
	for _, w := range ws {
		m[w.Name] = w
	}
	return m
}
