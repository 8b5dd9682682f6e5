package diff

import (
	"cmp"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/podecs/podecs/mapping"
)

// ECS defaults filled into the canonical form, so that a field left out compares equal to the
// value ECS uses for it.
const (
	// Container health checks: interval 30 s, timeout 5 s, 3 retries, no start period.
	defaultHealthInterval = 30
	defaultHealthTimeout  = 5
	defaultHealthRetries  = 3
	// Fargate gives containers 30 s between SIGTERM and SIGKILL when stopTimeout is unset (on EC2
	// the agent's ECS_CONTAINER_STOP_TIMEOUT decides, so nothing is filled there).
	defaultFargateStopTimeout = 30
	// Rolling deployments of REPLICA services: up to 200 % of the tasks, at least 100 % healthy;
	// DAEMON services: 100 % and 0 %.
	defaultReplicaMaxPercent  = 200
	defaultReplicaMinHealthy  = 100
	defaultDaemonMaxPercent   = 100
	defaultDaemonMinHealthy   = 0
	defaultCluster            = "default"
	defaultFargatePlatform    = "LATEST"
	serviceLinkedRoleFragment = ":role/aws-service-role/ecs.amazonaws.com/"
)

// canonicalTaskDefinition returns a copy of td in canonical form: task cpu and memory in units and
// MiB, defaults filled in, sets sorted, images spelled in full, tags ECS sets itself dropped.
func canonicalTaskDefinition(in *ecs.RegisterTaskDefinitionInput) *ecs.RegisterTaskDefinitionInput {
	if in == nil {
		return nil
	}
	td := deepCopy(in)
	td.Cpu = canonicalSize(td.Cpu, mapping.ParseTaskCPU)
	td.Memory = canonicalSize(td.Memory, mapping.ParseTaskMemory)
	td.RequiresCompatibilities = sortedSet(td.RequiresCompatibilities)
	fargate := slices.Contains(td.RequiresCompatibilities, types.CompatibilityFargate)
	windows := td.RuntimePlatform != nil && strings.HasPrefix(string(td.RuntimePlatform.OperatingSystemFamily), "WINDOWS")
	if td.NetworkMode == "" && !windows {
		// "If no network mode is specified, the default is bridge" (Linux); Windows has <default>.
		td.NetworkMode = types.NetworkModeBridge
	}
	if fargate {
		if td.RuntimePlatform == nil {
			td.RuntimePlatform = &types.RuntimePlatform{}
		}
		td.RuntimePlatform.CpuArchitecture = cmp.Or(td.RuntimePlatform.CpuArchitecture, types.CPUArchitectureX8664)
		td.RuntimePlatform.OperatingSystemFamily = cmp.Or(td.RuntimePlatform.OperatingSystemFamily, types.OSFamilyLinux)
	}
	td.Tags = userTags(td.Tags)
	slices.SortFunc(td.PlacementConstraints, func(a, b types.TaskDefinitionPlacementConstraint) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(aws.ToString(a.Expression), aws.ToString(b.Expression)))
	})
	for i := range td.Volumes {
		canonicalVolume(&td.Volumes[i])
	}
	for i := range td.ContainerDefinitions {
		canonicalContainer(&td.ContainerDefinitions[i], td.NetworkMode, fargate)
	}
	return td
}

// canonicalSize parses a task-level cpu or memory string; a value ECS would refuse is kept as
// written, trimmed, so that it still compares.
func canonicalSize(s *string, parse func(string) (int64, error)) *string {
	if s == nil || strings.TrimSpace(*s) == "" {
		return nil
	}
	n, err := parse(*s)
	if err != nil {
		return aws.String(strings.TrimSpace(*s))
	}
	return aws.String(strconv.FormatInt(n, 10))
}

func canonicalContainer(c *types.ContainerDefinition, mode types.NetworkMode, fargate bool) {
	if c.Image != nil {
		c.Image = aws.String(canonicalImage(*c.Image))
	}
	if c.Essential == nil {
		c.Essential = aws.Bool(true)
	}
	if c.VersionConsistency == "" {
		c.VersionConsistency = types.VersionConsistencyEnabled
	}
	if fargate && c.StopTimeout == nil {
		c.StopTimeout = aws.Int32(defaultFargateStopTimeout)
	}
	for i := range c.PortMappings {
		pm := &c.PortMappings[i]
		if pm.Protocol == "" {
			pm.Protocol = types.TransportProtocolTcp
		}
		// Under awsvpc and host networking the host port is the container port.
		if (mode == types.NetworkModeAwsvpc || mode == types.NetworkModeHost) && aws.ToInt32(pm.HostPort) == 0 && pm.ContainerPort != nil {
			pm.HostPort = aws.Int32(*pm.ContainerPort)
		}
	}
	if hc := c.HealthCheck; hc != nil {
		hc.Interval = orInt32(hc.Interval, defaultHealthInterval)
		hc.Timeout = orInt32(hc.Timeout, defaultHealthTimeout)
		hc.Retries = orInt32(hc.Retries, defaultHealthRetries)
		hc.StartPeriod = orInt32(hc.StartPeriod, 0)
	}
	if lp := c.LinuxParameters; lp != nil && lp.Capabilities != nil {
		lp.Capabilities.Add = sortedSet(lp.Capabilities.Add)
		lp.Capabilities.Drop = sortedSet(lp.Capabilities.Drop)
	}
	c.DockerSecurityOptions = sortedSet(c.DockerSecurityOptions)
	c.Links = sortedSet(c.Links)
	c.CredentialSpecs = sortedSet(c.CredentialSpecs)
}

func canonicalVolume(v *types.Volume) {
	if v.Host != nil && aws.ToString(v.Host.SourcePath) == "" {
		v.Host = nil // describe outputs write "host": {} for a task-scoped bind volume
	}
	if e := v.EfsVolumeConfiguration; e != nil {
		if aws.ToString(e.RootDirectory) == "" {
			e.RootDirectory = aws.String("/") // "Specifying / will have the same effect as omitting"
		}
		if e.TransitEncryption == "" {
			e.TransitEncryption = types.EFSTransitEncryptionDisabled
		}
		if a := e.AuthorizationConfig; a != nil && a.Iam == "" {
			a.Iam = types.EFSAuthorizationConfigIAMDisabled
		}
		if a := e.AuthorizationConfig; a != nil && a.Iam == types.EFSAuthorizationConfigIAMDisabled && aws.ToString(a.AccessPointId) == "" {
			e.AuthorizationConfig = nil
		}
	}
	if d := v.DockerVolumeConfiguration; d != nil {
		if d.Scope == "" {
			d.Scope = types.ScopeTask
		}
		if aws.ToString(d.Driver) == "" {
			d.Driver = aws.String("local")
		}
	}
}

// canonicalService returns a copy of svc in canonical form. The service name and the task
// definition it runs are dropped: the first is what workloads are paired by, the second is the
// workload's own task definition, compared field by field.
func canonicalService(in *ecs.CreateServiceInput) *ecs.CreateServiceInput {
	if in == nil {
		return nil
	}
	svc := deepCopy(in)
	svc.ServiceName, svc.TaskDefinition, svc.ClientToken = nil, nil, nil
	svc.Cluster = aws.String(clusterName(aws.ToString(svc.Cluster)))
	if strings.Contains(aws.ToString(svc.Role), serviceLinkedRoleFragment) {
		svc.Role = nil // ECS reports its service-linked role for services created without one
	}
	if svc.SchedulingStrategy == "" {
		svc.SchedulingStrategy = types.SchedulingStrategyReplica
	}
	daemon := svc.SchedulingStrategy == types.SchedulingStrategyDaemon
	if daemon {
		svc.DesiredCount = nil // ECS sets it to the number of instances
	}
	if svc.DeploymentController == nil || svc.DeploymentController.Type == "" {
		svc.DeploymentController = &types.DeploymentController{Type: types.DeploymentControllerTypeEcs}
	}
	if svc.DeploymentConfiguration == nil {
		svc.DeploymentConfiguration = &types.DeploymentConfiguration{}
	}
	dc := svc.DeploymentConfiguration
	if daemon {
		dc.MaximumPercent = orInt32(dc.MaximumPercent, defaultDaemonMaxPercent)
		dc.MinimumHealthyPercent = orInt32(dc.MinimumHealthyPercent, defaultDaemonMinHealthy)
	} else {
		dc.MaximumPercent = orInt32(dc.MaximumPercent, defaultReplicaMaxPercent)
		dc.MinimumHealthyPercent = orInt32(dc.MinimumHealthyPercent, defaultReplicaMinHealthy)
	}
	if svc.DeploymentController.Type == types.DeploymentControllerTypeEcs && dc.Strategy == "" {
		dc.Strategy = types.DeploymentStrategyRolling
	}
	if dc.Alarms != nil {
		dc.Alarms.AlarmNames = sortedSet(dc.Alarms.AlarmNames)
	}
	if svc.LaunchType == types.LaunchTypeFargate && aws.ToString(svc.PlatformVersion) == "" {
		svc.PlatformVersion = aws.String(defaultFargatePlatform)
	}
	if svc.PropagateTags == "" {
		svc.PropagateTags = types.PropagateTagsNone
	}
	if svc.AvailabilityZoneRebalancing == "" && !daemon {
		// "For create service requests, when no value is specified … ECS defaults the value to ENABLED."
		svc.AvailabilityZoneRebalancing = types.AvailabilityZoneRebalancingEnabled
	}
	if nc := svc.NetworkConfiguration; nc != nil && nc.AwsvpcConfiguration != nil {
		aw := nc.AwsvpcConfiguration
		aw.Subnets = sortedSet(aw.Subnets)
		aw.SecurityGroups = sortedSet(aw.SecurityGroups)
		if aw.AssignPublicIp == "" {
			aw.AssignPublicIp = types.AssignPublicIpDisabled
		}
	}
	svc.Tags = userTags(svc.Tags)
	slices.SortFunc(svc.PlacementConstraints, func(a, b types.PlacementConstraint) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(aws.ToString(a.Expression), aws.ToString(b.Expression)))
	})
	return svc
}

// clusterName takes the name out of a cluster ARN (arn:aws:ecs:REGION:ACCOUNT:cluster/NAME); an
// empty cluster is the one ECS calls "default".
func clusterName(s string) string {
	if strings.HasPrefix(s, "arn:") {
		if _, name, ok := strings.Cut(s, ":cluster/"); ok {
			return name
		}
	}
	return cmp.Or(s, defaultCluster)
}

// userTags drops the tags whose keys start with "aws:": AWS sets those (CloudFormation, ECS
// managed tags), users cannot.
func userTags(tags []types.Tag) []types.Tag {
	var out []types.Tag
	for _, t := range tags {
		if !strings.HasPrefix(strings.ToLower(aws.ToString(t.Key)), "aws:") {
			out = append(out, t)
		}
	}
	return out
}

// canonicalImage spells a Docker Hub image in its short form with its tag: "nginx",
// "docker.io/library/nginx" and "index.docker.io/library/nginx:latest" are all "nginx:latest".
// ECS pulls an image reference without a tag or digest as :latest.
func canonicalImage(s string) string {
	ref := strings.TrimSpace(s)
	if ref == "" {
		return ref
	}
	name, digest, hasDigest := strings.Cut(ref, "@")
	if first, rest, ok := strings.Cut(name, "/"); ok {
		switch first {
		case "docker.io", "index.docker.io", "registry-1.docker.io":
			name = strings.TrimPrefix(rest, "library/")
		}
	}
	lastSlash := strings.LastIndex(name, "/")
	if !hasDigest && !strings.Contains(name[lastSlash+1:], ":") {
		name += ":latest"
	}
	if hasDigest {
		return name + "@" + digest
	}
	return name
}

func orInt32(p *int32, def int32) *int32 {
	if p == nil {
		return aws.Int32(def)
	}
	return p
}

// sortedSet sorts a list whose order carries no meaning and drops repeated entries.
func sortedSet[S ~[]E, E cmp.Ordered](s S) S {
	if len(s) == 0 {
		return nil
	}
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

// deepCopy copies an SDK value: structs, pointers, slices and maps are copied all the way down, so
// that canonicalisation never changes the caller's objects. Interface members (unions, documents)
// are shared; nothing here changes them.
func deepCopy[T any](p *T) *T {
	if p == nil {
		return nil
	}
	out := copyValue(reflect.ValueOf(p))
	return out.Interface().(*T)
}

func copyValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		n := reflect.New(v.Type().Elem())
		n.Elem().Set(copyValue(v.Elem()))
		return n
	case reflect.Struct:
		n := reflect.New(v.Type()).Elem()
		n.Set(v) // unexported members included
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				n.Field(i).Set(copyValue(v.Field(i)))
			}
		}
		return n
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			n.Index(i).Set(copyValue(v.Index(i)))
		}
		return n
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			n.SetMapIndex(it.Key(), copyValue(it.Value()))
		}
		return n
	}
	return v
}
