package convert

import (
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/podecs/podecs/mapping"
)

type volumeKind int

const (
	volumeTask    volumeKind = iota // a task volume containers mount with mountPoints
	volumeTmpfs                     // a memory emptyDir: a tmpfs mount in each container (EC2)
	volumeDropped                   // no ECS equivalent; mounts are dropped too
	volumeFiles                     // a task volume the files container fills (see files.go)
)

// DefaultTmpfsMiB sizes a memory-backed emptyDir without a sizeLimit (ECS needs a tmpfs size).
const DefaultTmpfsMiB = 64

type volumeSet struct {
	volumes   []types.Volume
	kind      map[string]volumeKind
	tmpfsMiB  map[string]int32
	sizeBytes int64 // emptyDir size limits, for the Fargate ephemeral storage
	files     *filesPlan
}

// volumes maps the pod's volumes. ECS volume names follow the same rules as container names; a
// Kubernetes volume name (a DNS-1123 label) is always valid.
func (pc *podConverter) volumes(spec *corev1.PodSpec) volumeSet {
	vs := volumeSet{kind: map[string]volumeKind{}, tmpfsMiB: map[string]int32{}}
	for i, v := range spec.Volumes {
		p := mapping.Index("spec.volumes", i)
		task := types.Volume{Name: aws.String(v.Name)}
		kind := volumeTask
		switch {
		case v.EmptyDir != nil:
			var limit int64
			if v.EmptyDir.SizeLimit != nil {
				limit = v.EmptyDir.SizeLimit.Value()
			}
			if v.EmptyDir.Medium == corev1.StorageMediumMemory {
				if pc.ec2 {
					kind = volumeTmpfs
					mib := int32(DefaultTmpfsMiB)
					if limit > 0 {
						m, _ := mapping.MemoryMiB(*v.EmptyDir.SizeLimit)
						mib = int32(m)
					} else {
						pc.add(p+".emptyDir", mapping.Info, "no sizeLimit; the tmpfs mount gets %d MiB", DefaultTmpfsMiB)
					}
					vs.tmpfsMiB[v.Name] = mib
					if mountCount(spec, v.Name) > 1 {
						pc.add(p+".emptyDir.medium", mapping.Lossy, "an ECS tmpfs mount belongs to one container: the containers no longer share this memory volume")
					}
				} else {
					pc.add(p+".emptyDir.medium", mapping.Lossy, "Fargate has no tmpfs mounts; the volume is on the task's disk instead of in memory")
					vs.sizeBytes += limit
				}
			} else {
				vs.sizeBytes += limit
			}
		case v.HostPath != nil:
			if pc.ec2 {
				task.Host = &types.HostVolumeProperties{SourcePath: aws.String(v.HostPath.Path)}
				if v.HostPath.Type != nil && *v.HostPath.Type != "" && *v.HostPath.Type != corev1.HostPathDirectoryOrCreate && *v.HostPath.Type != corev1.HostPathUnset {
					pc.add(p+".hostPath.type", mapping.Lossy, "ECS does not check the host path type (%s); Docker creates a missing directory", *v.HostPath.Type)
				}
			} else {
				pc.add(p+".hostPath", mapping.Unsupported, "Fargate has no host paths; %s becomes an empty task volume (use --launch-type EC2 to keep it)", v.HostPath.Path)
			}
		case v.PersistentVolumeClaim != nil:
			pc.claimVolume(&task, v.PersistentVolumeClaim.ClaimName, v.PersistentVolumeClaim.ReadOnly, p+".persistentVolumeClaim")
		case v.ConfigMap != nil || v.Secret != nil || v.Projected != nil || v.DownwardAPI != nil:
			kind = pc.filesVolume(spec, &vs, v, p)
		default:
			kind = volumeDropped
			pc.add(p, mapping.Unsupported, "%s volumes have no ECS equivalent (bake the files into the image, or put them on EFS); the volume and its mounts are dropped", volumeSourceName(v))
		}
		vs.kind[v.Name] = kind
		if kind == volumeTask || kind == volumeFiles {
			vs.volumes = append(vs.volumes, task)
		}
	}
	// A StatefulSet's claim templates are volumes its pods mount by the template's name.
	if sts, ok := pc.w.Object.(*appsv1.StatefulSet); ok {
		for i, ct := range sts.Spec.VolumeClaimTemplates {
			if _, dup := vs.kind[ct.Name]; dup {
				continue
			}
			task := types.Volume{Name: aws.String(ct.Name)}
			// Claim templates sit beside the pod template, not in it: the path is absolute.
			saved := pc.prefix
			pc.prefix = ""
			pc.claimVolume(&task, ct.Name, false, mapping.Index("spec.volumeClaimTemplates", i))
			pc.prefix = saved
			vs.kind[ct.Name] = volumeTask
			vs.volumes = append(vs.volumes, task)
		}
	}
	return vs
}

// claimVolume maps a PersistentVolumeClaim to the EFS file system configured for it.
func (pc *podConverter) claimVolume(task *types.Volume, claim string, readOnly bool, p string) {
	efs, ok := lookup(pc.cfg.Volumes, pc.namespace, claim)
	if !ok {
		pc.add(p, mapping.Unsupported, "no EFS file system for claim %q in --config (volumes); it becomes an empty, non-persistent task volume", claim)
		return
	}
	cfg := &types.EFSVolumeConfiguration{FileSystemId: aws.String(efs.FileSystemID)}
	if efs.RootDirectory != "" && efs.AccessPointID == "" {
		cfg.RootDirectory = aws.String(efs.RootDirectory)
	}
	transit := efs.TransitEncryption
	if efs.AccessPointID != "" || efs.IAM == "ENABLED" {
		transit = "ENABLED" // ECS requires it with an access point or IAM authorisation
	}
	if transit != "" {
		cfg.TransitEncryption = types.EFSTransitEncryption(transit)
	}
	if efs.AccessPointID != "" || efs.IAM != "" {
		cfg.AuthorizationConfig = &types.EFSAuthorizationConfig{}
		if efs.AccessPointID != "" {
			cfg.AuthorizationConfig.AccessPointId = aws.String(efs.AccessPointID)
		}
		if efs.IAM != "" {
			cfg.AuthorizationConfig.Iam = types.EFSAuthorizationConfigIAM(efs.IAM)
		}
	}
	task.EfsVolumeConfiguration = cfg
	if c, ok := pc.ix.claims[objKey(pc.namespace, claim)]; ok {
		for _, m := range c.Spec.AccessModes {
			if m == corev1.ReadWriteOnce || m == corev1.ReadWriteOncePod {
				pc.add(p, mapping.Info, "claim %q is %s; EFS is shared by every task of the service", claim, m)
				break
			}
		}
	}
	if readOnly {
		pc.add(p+".readOnly", mapping.Info, "read-only claim: the mounts of this volume are read-only")
	}
}

func mountCount(spec *corev1.PodSpec, name string) int {
	n := 0
	for _, list := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
		for _, c := range list {
			for _, m := range c.VolumeMounts {
				if m.Name == name {
					n++
				}
			}
		}
	}
	return n
}

// volumeSourceName names the source field that is set in a volume, e.g. configMap.
func volumeSourceName(v corev1.Volume) string {
	rv := reflect.ValueOf(v.VolumeSource)
	for i := 0; i < rv.NumField(); i++ {
		if !rv.Field(i).IsNil() {
			tag := rv.Type().Field(i).Tag.Get("json")
			for j := 0; j < len(tag); j++ {
				if tag[j] == ',' {
					return tag[:j]
				}
			}
			return tag
		}
	}
	return "empty"
}

// mounts maps volumeMounts to mountPoints (or tmpfs mounts for memory volumes on EC2).
func (pc *podConverter) mounts(def *types.ContainerDefinition, c *corev1.Container, p string, vs volumeSet) {
	claimRO := map[string]bool{}
	for _, v := range pc.w.Template.Spec.Volumes {
		if v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ReadOnly {
			claimRO[v.Name] = true
		}
	}
	for i, m := range c.VolumeMounts {
		mp := mapping.Index(p+".volumeMounts", i)
		kind, ok := vs.kind[m.Name]
		if !ok {
			pc.add(mp+".name", mapping.Error, "no volume named %q in spec.volumes", m.Name)
			continue
		}
		if (m.SubPath != "" || m.SubPathExpr != "") && kind != volumeFiles {
			pc.add(mp+".subPath", mapping.Lossy, "ECS mounts whole volumes; the whole volume is mounted at %s instead of its subpath", m.MountPath)
		}
		if m.MountPropagation != nil && *m.MountPropagation != corev1.MountPropagationNone {
			pc.add(mp+".mountPropagation", mapping.Lossy, "mount propagation is not configurable in ECS")
		}
		if m.RecursiveReadOnly != nil && *m.RecursiveReadOnly != corev1.RecursiveReadOnlyDisabled {
			pc.add(mp+".recursiveReadOnly", mapping.Lossy, "recursive read-only mounts are not configurable in ECS")
		}
		ro := m.ReadOnly || claimRO[m.Name]
		switch kind {
		case volumeFiles:
			// The kubelet mounts these volumes read-only whatever the mount says.
			if src := pc.filesMount(vs, m, mp); src != nil {
				def.MountPoints = append(def.MountPoints, types.MountPoint{SourceVolume: src, ContainerPath: aws.String(m.MountPath), ReadOnly: aws.Bool(true)})
			}
		case volumeDropped:
			pc.add(mp, mapping.Unsupported, "mount of the dropped volume %q at %s dropped", m.Name, m.MountPath)
		case volumeTmpfs:
			t := types.Tmpfs{ContainerPath: aws.String(m.MountPath), Size: vs.tmpfsMiB[m.Name]}
			if ro {
				t.MountOptions = []string{"ro"}
			}
			lp := linuxParams(def)
			lp.Tmpfs = append(lp.Tmpfs, t)
		default:
			mpt := types.MountPoint{SourceVolume: aws.String(m.Name), ContainerPath: aws.String(m.MountPath)}
			if ro {
				mpt.ReadOnly = aws.Bool(true)
			}
			def.MountPoints = append(def.MountPoints, mpt)
		}
	}
}
