package convert

import (
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	corev1 "k8s.io/api/core/v1"

	"github.com/podecs/podecs/mapping"
)

// need is what one container asks for: its limits, or its requests where no limit is set.
func containerNeed(c *corev1.Container) (cpu, mem int64, cpuLimited bool) {
	if q, ok := c.Resources.Limits[corev1.ResourceCPU]; ok {
		cpu, cpuLimited = mapping.CPUUnits(q), true
	} else if q, ok := c.Resources.Requests[corev1.ResourceCPU]; ok {
		cpu = mapping.CPUUnits(q)
	}
	if q, ok := c.Resources.Limits[corev1.ResourceMemory]; ok {
		mem, _ = mapping.MemoryMiB(q)
	} else if q, ok := c.Resources.Requests[corev1.ResourceMemory]; ok {
		mem, _ = mapping.MemoryMiB(q)
	}
	return cpu, mem, cpuLimited
}

// taskSize sets the task-level cpu and memory from what the pod needs (podNeed).
func (pc *podConverter) taskSize(td *ecsTaskDef, spec *corev1.PodSpec, vols volumeSet) {
	needCPU, needMem, allCPULimited := podNeed(spec)
	pc.ephemeralStorage(td, spec, vols)
	if pc.ec2 {
		pc.ec2TaskSize(td, spec, needCPU, allCPULimited)
		return
	}
	size, err := mapping.FargateTaskSize(needCPU, needMem)
	if err != nil {
		pc.add("spec.containers", mapping.Error, "%v (use --launch-type EC2 for larger tasks)", err)
		return
	}
	td.Cpu, td.Memory = aws.String(strconv.FormatInt(size.CPU, 10)), aws.String(strconv.FormatInt(size.MemoryMiB, 10))
	switch {
	case needCPU == 0 && needMem == 0:
		pc.add("spec.containers", mapping.Info, "no resource requests or limits; the smallest Fargate size %d CPU units / %d MiB is used", size.CPU, size.MemoryMiB)
	case size.CPU != needCPU || size.MemoryMiB != needMem:
		pc.add("spec.containers", mapping.Info, "the containers need %d CPU units / %d MiB; rounded up to the Fargate size %d / %d", needCPU, needMem, size.CPU, size.MemoryMiB)
	}
}

// podNeed is the CPU units and MiB a pod needs, and whether every container caps its CPU. App
// containers and native sidecars run together; init containers run one at a time before them
// (next to the sidecars started so far), so the task needs the larger of the two sums, as
// Kubernetes computes a pod's effective request.
func podNeed(spec *corev1.PodSpec) (needCPU, needMem int64, allCPULimited bool) {
	var appCPU, appMem, initCPU, initMem, sideCPU, sideMem int64
	allCPULimited = true
	for i := range spec.InitContainers {
		c := &spec.InitContainers[i]
		cpu, mem, limited := containerNeed(c)
		allCPULimited = allCPULimited && limited
		if isSidecar(c) {
			sideCPU, sideMem = sideCPU+cpu, sideMem+mem
			continue
		}
		initCPU, initMem = max(initCPU, sideCPU+cpu), max(initMem, sideMem+mem)
	}
	for i := range spec.Containers {
		cpu, mem, limited := containerNeed(&spec.Containers[i])
		allCPULimited = allCPULimited && limited
		appCPU, appMem = appCPU+cpu, appMem+mem
	}
	needCPU, needMem = max(appCPU+sideCPU, initCPU), max(appMem+sideMem, initMem)
	if spec.Resources != nil {
		if q, ok := spec.Resources.Limits[corev1.ResourceCPU]; ok {
			needCPU, allCPULimited = max(needCPU, mapping.CPUUnits(q)), true
		}
		if q, ok := spec.Resources.Limits[corev1.ResourceMemory]; ok {
			m, _ := mapping.MemoryMiB(q)
			needMem = max(needMem, m)
		}
	}
	return needCPU, needMem, allCPULimited
}

// ec2TaskSize: on EC2 the task-level values are hard limits. Memory is always set (the sum of what
// the containers need, or the default) so that every container is covered by a memory value;
// CPU only when every container has a CPU limit, so that requests never become a cap.
func (pc *podConverter) ec2TaskSize(td *ecsTaskDef, spec *corev1.PodSpec, needCPU int64, allCPULimited bool) {
	var mem int64
	for _, def := range td.ContainerDefinitions {
		switch {
		case def.Memory != nil:
			mem += int64(*def.Memory)
		case def.MemoryReservation != nil:
			mem += int64(*def.MemoryReservation)
		}
	}
	if mem > 0 {
		td.Memory = aws.String(strconv.FormatInt(mem, 10))
	}
	if allCPULimited && needCPU > 0 {
		td.Cpu = aws.String(strconv.FormatInt(max(needCPU, 128), 10))
	}
}

func (pc *podConverter) ephemeralStorage(td *ecsTaskDef, spec *corev1.PodSpec, vols volumeSet) {
	total := vols.sizeBytes
	for _, list := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
		for _, c := range list {
			if q, ok := c.Resources.Limits[corev1.ResourceEphemeralStorage]; ok {
				total += q.Value()
			} else if q, ok := c.Resources.Requests[corev1.ResourceEphemeralStorage]; ok {
				total += q.Value()
			}
		}
	}
	if total == 0 {
		return
	}
	if pc.ec2 {
		pc.add("spec.containers", mapping.Lossy, "ephemeral storage sizes (%d bytes in all) are not set per task on EC2; the instance's disk applies", total)
		return
	}
	gib, ok := mapping.EphemeralStorageGiB(total)
	if !ok {
		return
	}
	if mapping.EphemeralStorageTooLarge(total) {
		pc.add("spec.containers", mapping.Lossy, "the task needs %d bytes of ephemeral storage; Fargate allows at most 200 GiB", total)
	}
	td.EphemeralStorage = &types.EphemeralStorage{SizeInGiB: gib}
}

// roles sets the task role from the service account and the execution role from --config.
func (pc *podConverter) roles(td *ecsTaskDef, spec *corev1.PodSpec) {
	sa := spec.ServiceAccountName
	field := "spec.serviceAccountName"
	if sa == "" && spec.DeprecatedServiceAccount != "" {
		sa, field = spec.DeprecatedServiceAccount, "spec.serviceAccount"
	}
	switch {
	case sa == "":
	case hasKey(pc.cfg.ServiceAccounts, pc.namespace, sa):
		arn, _ := lookup(pc.cfg.ServiceAccounts, pc.namespace, sa)
		td.TaskRoleArn = aws.String(arn)
	case pc.ix.serviceAccounts[objKey(pc.namespace, sa)] != nil && pc.ix.serviceAccounts[objKey(pc.namespace, sa)].Annotations[IRSARoleAnnotation] != "":
		td.TaskRoleArn = aws.String(pc.ix.serviceAccounts[objKey(pc.namespace, sa)].Annotations[IRSARoleAnnotation])
		pc.add(field, mapping.Info, "task role from the ServiceAccount's %s annotation: its trust policy must allow ecs-tasks.amazonaws.com (not only the EKS OIDC provider)", IRSARoleAnnotation)
	case sa != "default":
		pc.add(field, mapping.Lossy, "no IAM role for ServiceAccount %q (no %s annotation in the input, no serviceAccounts entry in --config); the task gets taskRoleArn from --config or none", sa, IRSARoleAnnotation)
	}
	if td.TaskRoleArn == nil && pc.cfg.TaskRoleArn != "" {
		td.TaskRoleArn = aws.String(pc.cfg.TaskRoleArn)
	}
	if pc.cfg.ExecutionRoleArn != "" {
		td.ExecutionRoleArn = aws.String(pc.cfg.ExecutionRoleArn)
		return
	}
	var needs []string
	for _, def := range td.ContainerDefinitions {
		if len(def.Secrets) > 0 {
			needs = appendOnce(needs, "secrets")
		}
		if def.RepositoryCredentials != nil {
			needs = appendOnce(needs, "private registry credentials")
		}
		if def.LogConfiguration != nil && def.LogConfiguration.LogDriver == types.LogDriverAwslogs && !pc.ec2 {
			needs = appendOnce(needs, "awslogs on Fargate")
		}
	}
	if len(needs) > 0 {
		pc.fs.Add("config.executionRoleArn", mapping.Lossy, "no executionRoleArn in --config, but the task uses %s, which need one", strings.Join(needs, ", "))
	}
}

func hasKey(m map[string]string, namespace, name string) bool {
	_, ok := lookup(m, namespace, name)
	return ok
}

func appendOnce(list []string, s string) []string {
	if contains(list, s) {
		return list
	}
	return append(list, s)
}

// podLevel maps the pod-wide settings: process and IPC namespaces, placement, OS, tags.
func (pc *podConverter) podLevel(td *ecsTaskDef, spec *corev1.PodSpec) {
	if spec.ShareProcessNamespace != nil && *spec.ShareProcessNamespace {
		td.PidMode = types.PidModeTask
	}
	if spec.HostPID {
		if pc.ec2 {
			td.PidMode = types.PidModeHost
		} else {
			pc.add("spec.hostPID", mapping.Error, "the host PID namespace needs the EC2 launch type")
		}
	}
	if spec.HostIPC {
		if pc.ec2 {
			td.IpcMode = types.IpcModeHost
		} else {
			pc.add("spec.hostIPC", mapping.Error, "the host IPC namespace needs the EC2 launch type")
		}
	}
	rp, pcs, fs := mapping.PlacementFromNodeSelector(spec.NodeSelector, pc.ec2, pc.path("spec.nodeSelector"))
	pc.merge(fs)
	td.RuntimePlatform, td.PlacementConstraints = rp, pcs
	if spec.OS != nil {
		if td.RuntimePlatform == nil {
			td.RuntimePlatform = &types.RuntimePlatform{}
		}
		switch spec.OS.Name {
		case corev1.Linux:
			td.RuntimePlatform.OperatingSystemFamily = types.OSFamilyLinux
		case corev1.Windows:
			td.RuntimePlatform.OperatingSystemFamily = types.OSFamilyWindowsServer2022Core
			pc.add("spec.os.name", mapping.Lossy, "windows becomes WINDOWS_SERVER_2022_CORE; pick the Windows Server version your image needs")
		}
	}
	if spec.SecurityContext != nil {
		pc.merge(mapping.PodSecurityFindings(spec.SecurityContext, pc.path("spec")))
	}
	tags, fs := mapping.TagsFromLabels(pc.w.Meta.Labels, "metadata.labels")
	pc.merge(fs)
	if ns := pc.w.Meta.Namespace; ns != "" && len(tags) < 50 {
		tags = append(tags, types.Tag{Key: aws.String(TagNamespace), Value: aws.String(ns)})
	}
	td.Tags = tags
	if pc.w.Meta.Name != pc.family {
		pc.fs.Add("metadata.name", mapping.Info, "%q is not a valid ECS name; the family is %q", pc.w.Meta.Name, pc.family)
	}
}
