package convert

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/podecs/podecs/mapping"
)

// Service converts a Deployment, StatefulSet, DaemonSet or ReplicaSet into a CreateService input
// for the task definition family. Other kinds return nil.
func Service(w *Workload, family string, td *ecs.RegisterTaskDefinitionInput, cfg Config) (*ecs.CreateServiceInput, mapping.Findings) {
	var fs mapping.Findings
	svc := &ecs.CreateServiceInput{
		ServiceName:          aws.String(family),
		Cluster:              aws.String(cfg.Cluster),
		TaskDefinition:       aws.String(family),
		SchedulingStrategy:   types.SchedulingStrategyReplica,
		DeploymentController: &types.DeploymentController{Type: types.DeploymentControllerTypeEcs},
		PropagateTags:        types.PropagateTagsTaskDefinition,
		EnableECSManagedTags: true,
		Tags:                 td.Tags,
	}
	ec2 := len(td.RequiresCompatibilities) == 1 && td.RequiresCompatibilities[0] == types.CompatibilityEc2
	if ec2 {
		svc.LaunchType = types.LaunchTypeEc2
	} else {
		svc.LaunchType = types.LaunchTypeFargate
		if cfg.PlatformVersion != "" {
			svc.PlatformVersion = aws.String(cfg.PlatformVersion)
		}
	}
	breaker := &types.DeploymentCircuitBreaker{Enable: true, Rollback: cfg.CircuitBreakerRollback}
	if r := specReplicas(w.Object); r != nil && *r < 0 {
		fs.Add("spec.replicas", mapping.Error, "%d is negative: a replica count is 0 or more", *r)
		return nil, fs
	}
	switch o := w.Object.(type) {
	case *appsv1.Deployment:
		replicas := replicasOf(o.Spec.Replicas)
		svc.DesiredCount = aws.Int32(replicas)
		svc.DeploymentConfiguration = rollout(replicas, o.Spec.Strategy, &fs)
		svc.DeploymentConfiguration.DeploymentCircuitBreaker = breaker
		if d := o.Spec.ProgressDeadlineSeconds; d != nil && *d != 600 { // 600 is the Kubernetes default
			fs.Add("spec.progressDeadlineSeconds", mapping.Lossy, "the time-based progress deadline becomes the ECS deployment circuit breaker, which counts failed tasks instead (rollback %v)", cfg.CircuitBreakerRollback)
		}
		if o.Spec.MinReadySeconds > 0 {
			fs.Add("spec.minReadySeconds", mapping.Lossy, "ECS has no minimum ready time; a health check start period is the nearest setting")
		}
		if o.Spec.Paused {
			fs.Add("spec.paused", mapping.Lossy, "ECS services cannot be paused; the service deploys at once")
		}
		if l := o.Spec.RevisionHistoryLimit; l != nil && *l != 10 { // 10 is the Kubernetes default
			fs.Add("spec.revisionHistoryLimit", mapping.Info, "ECS keeps every task definition revision; deregister old ones yourself")
		}
	case *appsv1.StatefulSet:
		replicas := replicasOf(o.Spec.Replicas)
		svc.DesiredCount = aws.Int32(replicas)
		svc.DeploymentConfiguration = &types.DeploymentConfiguration{DeploymentCircuitBreaker: breaker}
		if u := o.Spec.UpdateStrategy.RollingUpdate; u != nil && u.MaxUnavailable != nil {
			maxPct, minPct, err := mapping.DeploymentPercents(replicas, ptrIntStr(intstr.FromInt32(0)), u.MaxUnavailable)
			switch {
			case err == nil || errors.Is(err, mapping.ErrInexactRollout):
				svc.DeploymentConfiguration.MaximumPercent, svc.DeploymentConfiguration.MinimumHealthyPercent = aws.Int32(maxPct), aws.Int32(minPct)
				if err != nil {
					fs.Add("spec.updateStrategy.rollingUpdate.maxUnavailable", mapping.Lossy, "%v", err)
				}
			default:
				fs.Add("spec.updateStrategy.rollingUpdate.maxUnavailable", mapping.Error, "%v", err)
			}
		} else {
			// StatefulSets replace one pod at a time without surge.
			svc.DeploymentConfiguration.MaximumPercent, svc.DeploymentConfiguration.MinimumHealthyPercent = aws.Int32(100), aws.Int32(minHealthyOneAtATime(replicas))
		}
		fs.Add("spec", mapping.Lossy, "ECS tasks have no stable identity: no ordinal hostnames (pod-0, pod-1) and no ordered start or stop")
		if u := o.Spec.UpdateStrategy.RollingUpdate; u != nil && u.Partition != nil && *u.Partition > 0 {
			fs.Add("spec.updateStrategy.rollingUpdate.partition", mapping.Lossy, "ECS updates every task; partitioned rollouts are not possible")
		}
		if o.Spec.UpdateStrategy.Type == appsv1.OnDeleteStatefulSetStrategyType {
			fs.Add("spec.updateStrategy.type", mapping.Lossy, "ECS replaces tasks on every deployment; OnDelete is not possible")
		}
		for i, ct := range o.Spec.VolumeClaimTemplates {
			fs.Add(mapping.Index("spec.volumeClaimTemplates", i), mapping.Unsupported, "ECS has no per-task persistent volumes that follow a task: claim %q becomes an EFS volume shared by all tasks (when mapped in --config) or an empty task volume", ct.Name)
		}
		if o.Spec.ServiceName != "" {
			fs.Add("spec.serviceName", mapping.Lossy, "no per-pod DNS names; use Cloud Map service discovery (serviceRegistries) for %q", o.Spec.ServiceName)
		}
		if o.Spec.PodManagementPolicy != appsv1.ParallelPodManagement {
			fs.Add("spec.podManagementPolicy", mapping.Lossy, "ECS starts tasks in parallel; OrderedReady (the default) is not possible")
		}
		if o.Spec.MinReadySeconds > 0 {
			fs.Add("spec.minReadySeconds", mapping.Lossy, "ECS has no minimum ready time")
		}
		if o.Spec.Ordinals != nil {
			fs.Add("spec.ordinals", mapping.Unsupported, "ECS tasks have no ordinals")
		}
		if o.Spec.RevisionHistoryLimit != nil {
			fs.Add("spec.revisionHistoryLimit", mapping.Info, "ECS keeps every task definition revision; deregister old ones yourself")
		}
		if o.Spec.PersistentVolumeClaimRetentionPolicy != nil {
			fs.Add("spec.persistentVolumeClaimRetentionPolicy", mapping.Unsupported, "no per-task volumes to retain; dropped")
		}
	case *appsv1.DaemonSet:
		svc.SchedulingStrategy = types.SchedulingStrategyDaemon
		svc.DeploymentConfiguration = &types.DeploymentConfiguration{MaximumPercent: aws.Int32(100), MinimumHealthyPercent: aws.Int32(0), DeploymentCircuitBreaker: breaker}
		if u := o.Spec.UpdateStrategy.RollingUpdate; u != nil && !daemonSetDefaultRollout(u) {
			fs.Add("spec.updateStrategy.rollingUpdate", mapping.Lossy, "a DAEMON service replaces its tasks instance by instance (minimumHealthyPercent 0, maximumPercent 100); per-node surge and unavailability are not carried")
		}
		if o.Spec.MinReadySeconds > 0 {
			fs.Add("spec.minReadySeconds", mapping.Lossy, "ECS has no minimum ready time")
		}
		if o.Spec.UpdateStrategy.Type == appsv1.OnDeleteDaemonSetStrategyType {
			fs.Add("spec.updateStrategy.type", mapping.Lossy, "ECS replaces tasks on every deployment; OnDelete is not possible")
		}
		if o.Spec.RevisionHistoryLimit != nil {
			fs.Add("spec.revisionHistoryLimit", mapping.Info, "ECS keeps every task definition revision; deregister old ones yourself")
		}
	case *appsv1.ReplicaSet:
		svc.DesiredCount = aws.Int32(replicasOf(o.Spec.Replicas))
		svc.DeploymentConfiguration = &types.DeploymentConfiguration{DeploymentCircuitBreaker: breaker}
		if o.Spec.MinReadySeconds > 0 {
			fs.Add("spec.minReadySeconds", mapping.Lossy, "ECS has no minimum ready time")
		}
	default:
		return nil, nil
	}
	if td.NetworkMode == types.NetworkModeAwsvpc {
		if len(cfg.Network.Subnets) == 0 {
			fs.Add("config.network.subnets", mapping.Lossy, "an awsvpc service needs subnets: set network.subnets (and securityGroups) in --config; the service has no networkConfiguration")
		} else {
			svc.NetworkConfiguration = &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{
				Subnets:        cfg.Network.Subnets,
				SecurityGroups: cfg.Network.SecurityGroups,
				AssignPublicIp: assignPublicIPFor(td, cfg, &fs),
			}}
		}
	}
	if w.Template.Spec.Affinity != nil && w.Template.Spec.Affinity.PodAntiAffinity != nil && ec2 {
		for _, t := range w.Template.Spec.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution {
			if t.TopologyKey == "kubernetes.io/hostname" {
				svc.PlacementConstraints = []types.PlacementConstraint{{Type: types.PlacementConstraintTypeDistinctInstance}}
				fs.Add(mapping.Join(w.TemplatePath, "spec.affinity.podAntiAffinity"), mapping.Info, "required anti-affinity on kubernetes.io/hostname becomes a distinctInstance placement constraint")
				break
			}
		}
	}
	return svc, fs
}

// specReplicas is spec.replicas of a Deployment, StatefulSet or ReplicaSet.
func specReplicas(obj any) *int32 {
	switch o := obj.(type) {
	case *appsv1.Deployment:
		return o.Spec.Replicas
	case *appsv1.StatefulSet:
		return o.Spec.Replicas
	case *appsv1.ReplicaSet:
		return o.Spec.Replicas
	}
	return nil
}

func replicasOf(r *int32) int32 {
	if r == nil {
		return 1 // the Kubernetes default
	}
	return *r
}

func ptrIntStr(v intstr.IntOrString) *intstr.IntOrString { return &v }

// minHealthyOneAtATime is the minimumHealthyPercent that lets ECS stop one task at a time.
func minHealthyOneAtATime(replicas int32) int32 {
	if replicas <= 1 {
		return 0
	}
	_, minPct, err := mapping.DeploymentPercents(replicas, ptrIntStr(intstr.FromInt32(0)), ptrIntStr(intstr.FromInt32(1)))
	if err != nil {
		return 0
	}
	return minPct
}

// rollout maps a Deployment strategy to ECS percentages that allow exactly the task counts
// Kubernetes would (see mapping.DeploymentPercents).
func rollout(replicas int32, s appsv1.DeploymentStrategy, fs *mapping.Findings) *types.DeploymentConfiguration {
	dc := &types.DeploymentConfiguration{}
	if s.Type == appsv1.RecreateDeploymentStrategyType {
		dc.MaximumPercent, dc.MinimumHealthyPercent = aws.Int32(mapping.RecreateMaximumPercent), aws.Int32(mapping.RecreateMinimumHealthyPercent)
		return dc
	}
	var surge, unavail *intstr.IntOrString
	if s.RollingUpdate != nil {
		surge, unavail = s.RollingUpdate.MaxSurge, s.RollingUpdate.MaxUnavailable
	}
	maxPct, minPct, err := mapping.DeploymentPercents(replicas, surge, unavail)
	switch {
	case errors.Is(err, mapping.ErrInexactRollout):
		fs.Add("spec.strategy.rollingUpdate", mapping.Lossy, "%v", err)
	case err != nil:
		fs.Add("spec.strategy.rollingUpdate", mapping.Error, "%v", err)
		return dc
	}
	dc.MaximumPercent, dc.MinimumHealthyPercent = aws.Int32(maxPct), aws.Int32(minPct)
	return dc
}

// daemonSetDefaultRollout reports whether a DaemonSet rollout is the Kubernetes default (one node
// at a time, no surge), which is what a DAEMON service does.
func daemonSetDefaultRollout(u *appsv1.RollingUpdateDaemonSet) bool {
	unavail := u.MaxUnavailable == nil || u.MaxUnavailable.String() == "1"
	surge := u.MaxSurge == nil || u.MaxSurge.String() == "0" || u.MaxSurge.String() == "0%"
	return unavail && surge
}
