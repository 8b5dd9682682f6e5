package mapping

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

// With --launch-type auto every workload gets the launch type it can run on: Fargate, unless its pod
// template asks for something Fargate cannot give. Each such field is an EC2 reason, reported as an
// info finding at its path. The reasons are exactly the fields the Fargate conversion refuses
// (errors) or would drop for want of a host (hostPath, GPUs); the task size and the DaemonSet kind
// are decided by package convert, which computes the size.

// GPUResource is the extended resource ECS can give a container (EC2 with GPU instances only).
const GPUResource corev1.ResourceName = "nvidia.com/gpu"

// EC2Reasons reports, in field order, what in a pod spec keeps the workload off Fargate; path is the
// path of the spec ("spec", or "spec.template.spec" in a Deployment). It returns nil when Fargate can
// run the pod, as far as the spec alone says.
func EC2Reasons(spec *corev1.PodSpec, path string) Findings {
	var fs Findings
	add := func(p, why string) { fs.Add(Join(path, p), Info, "%s: %s", AutoEC2, why) }
	if spec.HostNetwork {
		add("hostNetwork", "Fargate tasks cannot use host networking")
	}
	if spec.HostPID {
		add("hostPID", "Fargate tasks cannot share the host PID namespace")
	}
	if spec.HostIPC {
		add("hostIPC", "Fargate tasks cannot share the host IPC namespace")
	}
	for _, l := range []struct {
		field string
		list  []corev1.Container
	}{{"initContainers", spec.InitContainers}, {"containers", spec.Containers}} {
		for i := range l.list {
			c := &l.list[i]
			cp := Index(l.field, i)
			if sc := c.SecurityContext; sc != nil {
				if sc.Privileged != nil && *sc.Privileged {
					add(cp+".securityContext.privileged", "Fargate runs no privileged containers")
				}
				if sc.Capabilities != nil {
					for j, raw := range sc.Capabilities.Add {
						if FargateRefusesCapability(raw) {
							add(Index(cp+".securityContext.capabilities.add", j), fmt.Sprintf("Fargate can add %s only, not %s", FargateAddableCapability, NormalizeCapability(raw)))
						}
					}
				}
			}
			if p := gpuPath(c); p != "" {
				add(cp+".resources."+p, "Fargate has no GPUs")
			}
		}
	}
	for i, v := range spec.Volumes {
		if v.HostPath != nil {
			add(Index("volumes", i)+".hostPath", fmt.Sprintf("Fargate has no host paths to mount (%s)", v.HostPath.Path))
		}
	}
	return fs
}

// AutoEC2 starts the finding of each field that makes --launch-type auto choose EC2.
const AutoEC2 = "converted for the EC2 launch type (--launch-type auto)"

// gpuPath is the resources field in which a container asks for NVIDIA GPUs, which ECS gives on EC2
// only: limits["nvidia.com/gpu"], else requests[…]; "" when it asks for none.
func gpuPath(c *corev1.Container) string {
	if _, ok := c.Resources.Limits[GPUResource]; ok {
		return fmt.Sprintf("limits[%q]", GPUResource)
	}
	if _, ok := c.Resources.Requests[GPUResource]; ok {
		return fmt.Sprintf("requests[%q]", GPUResource)
	}
	return ""
}

// LaunchTypeRules is the table of what decides a workload's launch type: --launch-type (or
// launchType in --config) and, with auto, the fields that need EC2. Paths under spec are those of
// the pod template, as in PodRules.
var LaunchTypeRules = []ServiceRule{
	svcConfig(nil, "launchType", svcLevel(mapped("", "requiresCompatibilities, launchType",
		"FARGATE (the default), EC2 or auto, from --launch-type or launchType in --config. FARGATE and EC2 convert every workload for that launch type, and the fields below are errors on Fargate (or dropped: host paths, GPUs). auto converts each workload for Fargate, with the same output as FARGATE, unless one of the fields below needs EC2: then the task definition, the service, the RunTask input and the schedule all get EC2, and each such field is an info finding"), Info)),
	svcRule(nil, svcLevel(mapped("spec.hostNetwork", "requiresCompatibilities EC2, networkMode host",
		"auto: EC2, as Fargate tasks use awsvpc networking"), Info)),
	svcRule(nil, svcLevel(mapped("spec.hostPID", "requiresCompatibilities EC2, pidMode host",
		"auto: EC2, as Fargate tasks cannot share the host's PID namespace"), Info)),
	svcRule(nil, svcLevel(mapped("spec.hostIPC", "requiresCompatibilities EC2, ipcMode host",
		"auto: EC2, as Fargate tasks cannot share the host's IPC namespace"), Info)),
	svcRule(nil, svcLevel(mapped("spec.containers[].securityContext.privileged", "requiresCompatibilities EC2, containerDefinitions[].privileged",
		"auto: EC2 for true, in any container or init container, as Fargate runs no privileged containers"), Info)),
	svcRule(nil, svcLevel(mapped("spec.containers[].securityContext.capabilities.add", "requiresCompatibilities EC2, linuxParameters.capabilities.add",
		"auto: EC2 for any capability ECS knows other than SYS_PTRACE (the one Fargate adds) and the runtime's default set (kept on Fargate by not dropping it), in any container or init container: NET_ADMIN, SYS_ADMIN, …"), Info)),
	svcRule(nil, svcLevel(mapped("spec.containers[].resources.limits nvidia.com/gpu", "requiresCompatibilities EC2, containerDefinitions[].resourceRequirements GPU",
		"auto: EC2, as Fargate has no GPUs (requests as well as limits)"), Info)),
	svcRule(nil, svcLevel(mapped("spec.volumes[].hostPath", "requiresCompatibilities EC2, volumes[].host.sourcePath",
		"auto: EC2, as Fargate has no host paths to mount"), Info)),
	svcRule(nil, svcLevel(mapped("spec.containers[].resources", "requiresCompatibilities EC2, cpu, memory",
		"auto: EC2 when no Fargate task size holds what the pod needs (more than 16 vCPU or 120 GiB, counted as for the task size)"), Info)),
	svcRule(svcDaemonSet, svcLevel(mapped("kind", "requiresCompatibilities EC2, schedulingStrategy DAEMON, launchType EC2",
		"a DaemonSet is always EC2, whatever the launch type asked for: Fargate cannot run DAEMON services"), Info)),
	svcRule(nil, svcLevel(mapped("metadata.annotations podecs.io/launch-type", "requiresCompatibilities EC2, launchType EC2",
		"EC2 on the pod template: always EC2, whatever the launch type asked for; the ECS → Kubernetes conversion sets it for a task definition Fargate cannot run, and it keeps any workload on EC2"), Info)),
}
