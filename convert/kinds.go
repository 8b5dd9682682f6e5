package convert

import (
	batchv1 "k8s.io/api/batch/v1"

	"github.com/podecs/podecs/mapping"
)

// kindFindings reports the workload-level fields of kinds that become only a task definition.
func kindFindings(w *Workload) mapping.Findings {
	var fs mapping.Findings
	switch o := w.Object.(type) {
	case *batchv1.Job:
		jobFindings(&o.Spec, "spec", &fs)
	case *batchv1.CronJob:
		fs.Add("spec.schedule", mapping.Unsupported, "the schedule %q is not converted: only the task definition is written (run it with EventBridge Scheduler)", o.Spec.Schedule)
		jobFindings(&o.Spec.JobTemplate.Spec, "spec.jobTemplate.spec", &fs)
	}
	return fs
}

func jobFindings(s *batchv1.JobSpec, p string, fs *mapping.Findings) {
	if s.Parallelism != nil || s.Completions != nil {
		fs.Add(mapping.Join(p, "parallelism"), mapping.Unsupported, "only the task definition is written; start the tasks with ecs run-task (count = parallelism)")
	}
	if s.BackoffLimit != nil {
		fs.Add(mapping.Join(p, "backoffLimit"), mapping.Lossy, "ECS does not retry failed tasks of a run-task call; the container restart policy (restartPolicy OnFailure) restarts in place")
	}
	if s.ActiveDeadlineSeconds != nil {
		fs.Add(mapping.Join(p, "activeDeadlineSeconds"), mapping.Unsupported, "ECS tasks have no deadline")
	}
	if s.TTLSecondsAfterFinished != nil {
		fs.Add(mapping.Join(p, "ttlSecondsAfterFinished"), mapping.Info, "stopped ECS tasks are removed by ECS itself")
	}
	if s.PodFailurePolicy != nil || s.SuccessPolicy != nil || s.CompletionMode != nil {
		fs.Add(p, mapping.Unsupported, "pod failure/success policies and completion modes have no ECS equivalent")
	}
}
