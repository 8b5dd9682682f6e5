package convert

import (
	batchv1 "k8s.io/api/batch/v1"

	"github.com/podecs/podecs/mapping"
)

// kindFindings reports the Job fields of Jobs and CronJobs that the task definition, the RunTask
// input and the schedule have no place for (the count and the schedule report on their own).
func kindFindings(w *Workload) mapping.Findings {
	var fs mapping.Findings
	switch o := w.Object.(type) {
	case *batchv1.Job:
		jobFindings(&o.Spec, "spec", &fs)
	case *batchv1.CronJob:
		jobFindings(&o.Spec.JobTemplate.Spec, "spec.jobTemplate.spec", &fs)
	}
	return fs
}

func jobFindings(s *batchv1.JobSpec, p string, fs *mapping.Findings) {
	if s.BackoffLimit != nil && *s.BackoffLimit != 0 {
		fs.Add(mapping.Join(p, "backoffLimit"), mapping.Lossy, "ECS does not retry failed tasks of a run-task call; the container restart policy (restartPolicy OnFailure) restarts in place")
	}
	if s.BackoffLimitPerIndex != nil || s.MaxFailedIndexes != nil {
		fs.Add(p, mapping.Unsupported, "per-index backoff limits have no ECS equivalent: ECS does not retry failed tasks")
	}
	if s.ActiveDeadlineSeconds != nil {
		fs.Add(mapping.Join(p, "activeDeadlineSeconds"), mapping.Unsupported, "ECS tasks have no deadline; stop a task that runs too long with ecs stop-task")
	}
	if s.TTLSecondsAfterFinished != nil {
		fs.Add(mapping.Join(p, "ttlSecondsAfterFinished"), mapping.Info, "stopped ECS tasks are removed by ECS itself")
	}
	if s.PodFailurePolicy != nil || s.SuccessPolicy != nil || s.CompletionMode != nil && *s.CompletionMode != batchv1.NonIndexedCompletion {
		fs.Add(p, mapping.Unsupported, "pod failure/success policies and indexed completion have no ECS equivalent")
	}
	if s.PodReplacementPolicy != nil {
		fs.Add(mapping.Join(p, "podReplacementPolicy"), mapping.Info, "ECS does not replace the tasks of a run-task call")
	}
}
