package convert

import (
	batchv1 "k8s.io/api/batch/v1"

	"github.com/podecs/podecs/mapping"
)

// extend adds to a workload's output what other objects of the input make of it: a Job's RunTask
// input, a CronJob's schedule, the scaling of the HorizontalPodAutoscaler that targets it and the
// target group health check its load balancers need. (The load balancers and Service Connect
// configuration of the Services that select it are part of the service itself; see
// Index.serviceNetwork.) It only reads the converter's state, so workloads may convert in parallel.
func (c *Converter) extend(out *Output, w *Workload) mapping.Findings {
	var fs mapping.Findings
	cfg := c.opts.Config
	switch o := w.Object.(type) {
	case *batchv1.Job:
		var rfs mapping.Findings
		out.RunTask, rfs = RunTask(&o.Spec, out.Name, out.TaskDefinition, cfg, "spec")
		fs = append(fs, rfs...)
	case *batchv1.CronJob:
		schedules, sfs := Schedules(o, out.Name, out.TaskDefinition, cfg)
		fs = append(fs, sfs...)
		if len(schedules) > 0 {
			out.Schedule, out.ExtraSchedules = schedules[0], schedules[1:]
		}
	}
	c.ix.scaling(out, w)
	fs = append(fs, targetGroup(out, w)...)
	return fs
}
