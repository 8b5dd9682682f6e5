package mapping

import (
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	corev1 "k8s.io/api/core/v1"
)

// EmptyDirFromTmpfs maps an ECS tmpfs mount (linuxParameters.tmpfs, a memory file system of size
// MiB private to one container) to a memory-backed emptyDir of the same size, the volume the
// forward rules turn back into a tmpfs mount on EC2. The "ro" mount option becomes a read-only
// volume mount and "rw" is the default; Kubernetes cannot set the other mount options (noexec,
// mode=…), so they are returned for the caller to report. A size of 0 or less leaves sizeLimit
// unset (the kubelet then uses the node's memory).
func EmptyDirFromTmpfs(t types.Tmpfs) (src corev1.EmptyDirVolumeSource, readOnly bool, unsupported []string) {
	src.Medium = corev1.StorageMediumMemory
	if t.Size > 0 {
		q := MemoryQuantity(int64(t.Size))
		src.SizeLimit = &q
	}
	for _, o := range t.MountOptions {
		switch o {
		case "ro":
			readOnly = true
		case "rw":
		default:
			unsupported = append(unsupported, o)
		}
	}
	return src, readOnly, unsupported
}

// GracePeriodFromStopTimeouts turns the containers' stopTimeout values (seconds ECS waits after
// SIGTERM before it kills each container) into the pod's one terminationGracePeriodSeconds. The
// largest value is used so that no container is killed sooner than on ECS; negative values are
// ignored. uniform is false when the containers had different timeouts, or only some had one:
// then Kubernetes gives the others more time than ECS did. Nil means no container set one (the
// ECS default of 30 seconds equals the Kubernetes default).
func GracePeriodFromStopTimeouts(timeouts []*int32) (grace *int64, uniform bool) {
	uniform = true
	var first *int32
	for i, t := range timeouts {
		if i == 0 {
			first = t
		} else if (t == nil) != (first == nil) || (t != nil && *t != *first) {
			uniform = false
		}
		if t == nil || *t < 0 {
			continue
		}
		if grace == nil || int64(*t) > *grace {
			v := int64(*t)
			grace = &v
		}
	}
	return grace, uniform
}
