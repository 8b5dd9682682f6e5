package convert

import (
	"github.com/podecs/podecs/mapping"
)

// LaunchAuto (--launch-type auto, launchType: auto in --config) converts each workload for the
// launch type it can run on: Fargate, unless it needs EC2.
const LaunchAuto = "AUTO"

// launchTypeFor returns the configuration a workload converts with, its launch type resolved to
// FARGATE or EC2, and the findings that say why it is EC2 when that was not asked for. A DaemonSet
// and a pod template annotated podecs.io/launch-type: EC2 always get EC2. With auto, a workload gets
// EC2 when its pod template has an EC2 reason (mapping.EC2Reasons) or needs a task larger than
// Fargate's largest, each reason reported at its field; Fargate otherwise, with the same output as
// --launch-type FARGATE. Services, RunTask inputs and schedules follow the task definition's
// requiresCompatibilities.
func launchTypeFor(w *Workload, cfg Config) (Config, mapping.Findings) {
	var fs mapping.Findings
	auto := cfg.LaunchType == LaunchAuto
	if auto {
		cfg.LaunchType = LaunchFargate
	}
	if w.Kind == "DaemonSet" && cfg.LaunchType != LaunchEC2 {
		cfg.LaunchType = LaunchEC2
		fs.Add("kind", mapping.Info, "Fargate cannot run DAEMON services; this DaemonSet is converted for the EC2 launch type")
	}
	cfg, lfs := launchTypeFromAnnotations(w, cfg)
	fs = append(fs, lfs...)
	if auto && cfg.LaunchType != LaunchEC2 {
		if reasons := ec2Reasons(w); len(reasons) > 0 {
			cfg.LaunchType = LaunchEC2
			fs = append(fs, reasons...)
		}
	}
	return cfg, fs
}

// ec2Reasons are the fields of a workload's pod template that Fargate cannot run, and its size
// when no Fargate task size holds it.
func ec2Reasons(w *Workload) mapping.Findings {
	spec := &w.Template.Spec
	fs := mapping.EC2Reasons(spec, mapping.Join(w.TemplatePath, "spec"))
	cpu, mem, _ := podNeed(spec)
	if _, err := mapping.FargateTaskSize(cpu, mem); err != nil {
		fs.Add(mapping.Join(w.TemplatePath, "spec.containers"), mapping.Info, "%s: %v", mapping.AutoEC2, err)
	}
	return fs
}
