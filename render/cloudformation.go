package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	cfnscaling "github.com/awslabs/goformation/v7/cloudformation/applicationautoscaling"
	cfnecs "github.com/awslabs/goformation/v7/cloudformation/ecs"
	cfnelb "github.com/awslabs/goformation/v7/cloudformation/elasticloadbalancingv2"
	cfnscheduler "github.com/awslabs/goformation/v7/cloudformation/scheduler"
	cfntags "github.com/awslabs/goformation/v7/cloudformation/tags"
	"gopkg.in/yaml.v3"

	"github.com/podecs/podecs/convert"
	"github.com/podecs/podecs/mapping"
)

// CloudFormation writes one template: per workload an AWS::ECS::TaskDefinition, an
// AWS::ECS::Service, AWS::ElasticLoadBalancingV2::TargetGroup, AWS::ApplicationAutoScaling::
// ScalableTarget and ScalingPolicy, AWS::Scheduler::Schedule; Parameters for what the manifests
// cannot know and Outputs with the ARNs. The resources are the typed structs of goformation's
// per-service packages, so property names are the CloudFormation resource specification's
// (EFSVolumeConfiguration.FilesystemId, ProxyConfigurationProperties, …), not the API's. The
// template document around them is built here, in a fixed order: the library's Template type
// links every resource type of CloudFormation into the binary.
//
// Parameters follow the same rule as the Terraform variables: the environment-wide settings of
// --config are parameters with the configured values as defaults; a setting the conversion needed
// and did not get, and the ARN of a Secret that had only a placeholder, are parameters without
// default. The schedule's cluster and task definition ARNs are built with the pseudo parameters
// AWS::Partition, AWS::Region and AWS::AccountId.
type cloudFormation struct {
	o         Options
	ids       names
	set       settings
	intr      []any // the intrinsic functions the markers in typed fields stand for
	resources []member
	outputs   []member
}

// member is one entry of an ordered mapping of the template.
type member struct {
	key   string
	value any
}

// ordered is a mapping written in the order of its members.
type ordered []member

func newCloudFormation(o Options) *cloudFormation {
	return &cloudFormation{o: o, ids: names{}, set: settings{}}
}

// Properties that CloudFormation has and goformation v7.14.9 predates: podecs writes them under
// their CloudFormation names next to the typed properties.
var cfnLibraryGaps = map[string][]string{
	"AWS::ECS::TaskDefinition.ContainerDefinitions": {"RestartPolicy", "VersionConsistency"},
	"AWS::ECS::TaskDefinition":                      {"EnableFaultInjection"},
	"AWS::ECS::Service":                             {"AvailabilityZoneRebalancing"},
}

// logicalID is the CloudFormation name of a workload: its name in PascalCase ("web-api" →
// "WebApi"), alphanumeric as logical IDs must be.
func logicalID(name string) string {
	var b strings.Builder
	up := true
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z':
			if up {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			up = false
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
			up = false
		default:
			up = true
		}
	}
	if b.Len() == 0 {
		return "Workload"
	}
	return b.String()
}

// paramName is the CloudFormation spelling of a setting: execution_role_arn → ExecutionRoleArn.
func paramName(key string) string { return logicalID(strings.ReplaceAll(key, "_", "-")) }

func (c *cloudFormation) Add(it convert.Item) error {
	o := it.Output
	if o == nil {
		return nil
	}
	// A workload that cannot be written leaves no trace: its logical IDs, parameters, resources
	// and outputs are kept only once all of it is written.
	ids, set, nres, nout := maps.Clone(c.ids), maps.Clone(c.set), len(c.resources), len(c.outputs)
	if err := c.workload(o, missing(it)); err != nil {
		c.ids, c.set, c.resources, c.outputs = ids, set, c.resources[:nres], c.outputs[:nout]
		return fmt.Errorf("cloudformation: %w", err)
	}
	return nil
}

// marker stands for an intrinsic function in a typed string field; resolve swaps it back.
func (c *cloudFormation) marker(fn any) string {
	c.intr = append(c.intr, fn)
	return "\x00cfn:" + strconv.Itoa(len(c.intr)-1)
}

func (c *cloudFormation) ref(name string) string { return c.marker(map[string]any{"Ref": name}) }
func (c *cloudFormation) param(st setting) string {
	return c.ref(paramName(c.set.use(st)))
}
func (c *cloudFormation) sub(s string) string { return c.marker(map[string]any{"Fn::Sub": s}) }

// workload adds the resources of one workload.
func (c *cloudFormation) workload(o *convert.Output, miss map[string]bool) error {
	id := c.ids.claim(logicalID(o.Name))
	cfg := c.o.Config
	td, extras, err := c.taskDefinition(o.TaskDefinition)
	if err != nil {
		return err
	}
	if td.ExecutionRoleArn != nil && *td.ExecutionRoleArn == cfg.ExecutionRoleArn || td.ExecutionRoleArn == nil && miss["executionRoleArn"] {
		td.ExecutionRoleArn = ptr(c.param(executionRoleSetting(cfg)))
	}
	tdID := c.ids.claim(id + "TaskDefinition")
	if err := c.add(tdID, td.AWSCloudFormationType(), td, extras); err != nil {
		return err
	}
	c.output(tdID+"Arn", "ARN of the task definition "+o.Name, map[string]any{"Ref": tdID})
	svcID := ""
	tgs := map[string]string{}
	if o.Service != nil {
		for _, lb := range o.Service.LoadBalancers {
			arn := deref(lb.TargetGroupArn)
			if arn == "" || tgs[arn] != "" {
				continue
			}
			tgID := c.ids.claim(id + "TargetGroup")
			spec := targetGroupSpec(o, arn, deref32(lb.ContainerPort))
			if err := c.add(tgID, "AWS::ElasticLoadBalancingV2::TargetGroup", c.targetGroup(spec), nil); err != nil {
				return err
			}
			tgs[arn] = tgID
			c.output(tgID+"Arn", "ARN of the target group "+spec.name+" (attach it to a listener)", map[string]any{"Ref": tgID})
		}
		svc, extras, err := c.service(o, tdID, tgs, miss)
		if err != nil {
			return err
		}
		svcID = c.ids.claim(id + "Service")
		if err := c.add(svcID, svc.AWSCloudFormationType(), svc, extras); err != nil {
			return err
		}
		c.output(svcID+"Arn", "ARN of the ECS service "+o.Name, map[string]any{"Ref": svcID})
	}
	if o.Scaling != nil {
		if err := c.scaling(o, id, svcID); err != nil {
			return err
		}
	}
	for i, s := range schedulesOf(o) {
		sid := id + "Schedule"
		if i > 0 {
			sid += strconv.Itoa(i + 1)
		}
		sid = c.ids.claim(sid)
		sc, err := c.schedule(s, o, tdID, miss)
		if err != nil {
			return err
		}
		if err := c.add(sid, "AWS::Scheduler::Schedule", sc, nil); err != nil {
			return err
		}
		c.output(sid+"Arn", "ARN of the schedule "+s.Name, map[string]any{"Fn::GetAtt": []any{sid, "Arn"}})
	}
	return nil
}

// add appends a resource: the typed struct's properties, the markers swapped for their intrinsic
// functions, and the properties the library predates.
func (c *cloudFormation) add(id, typ string, res any, extras map[string]any) error {
	data, err := json.Marshal(res)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return err
	}
	props, _ := doc["Properties"].(map[string]any)
	for k, v := range extras {
		if k != "ContainerDefinitions" && !slices.Contains(cfnLibraryGaps[typ], k) {
			return fmt.Errorf("%s: %s is not a property podecs adds beside the typed ones", typ, k)
		}
		if k == "ContainerDefinitions" {
			cds, _ := props[k].([]any)
			for i, extra := range v.([]map[string]any) {
				if cd, ok := cds[i].(map[string]any); ok {
					for ek, ev := range extra {
						cd[ek] = ev
					}
				}
			}
			continue
		}
		props[k] = v
	}
	r := ordered{{"Type", typ}}
	if deps, ok := doc["DependsOn"]; ok {
		r = append(r, member{"DependsOn", deps})
	}
	r = append(r, member{"Properties", c.resolve(props)})
	c.resources = append(c.resources, member{id, r})
	return nil
}

// resolve swaps the markers of a decoded resource for their intrinsic functions: a marker string
// for the function, a list of one list marker for the function that gives the list.
func (c *cloudFormation) resolve(v any) any {
	switch x := v.(type) {
	case string:
		if n, ok := strings.CutPrefix(x, "\x00cfn:"); ok {
			i, _ := strconv.Atoi(n)
			return c.intr[i]
		}
	case []any:
		if len(x) == 1 {
			if s, ok := x[0].(string); ok && strings.HasPrefix(s, "\x00cfn:") {
				return c.resolve(s)
			}
		}
		for i := range x {
			x[i] = c.resolve(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = c.resolve(x[k])
		}
	}
	return v
}

func (c *cloudFormation) output(id, description string, value any) {
	c.outputs = append(c.outputs, member{id, ordered{{"Description", description}, {"Value", value}}})
}

// taskDefinition converts the RegisterTaskDefinition input to the typed resource, and returns the
// properties the library predates.
func (c *cloudFormation) taskDefinition(in *ecs.RegisterTaskDefinitionInput) (*cfnecs.TaskDefinition, map[string]any, error) {
	td := &cfnecs.TaskDefinition{
		Family:                  in.Family,
		Cpu:                     in.Cpu,
		Memory:                  in.Memory,
		ExecutionRoleArn:        in.ExecutionRoleArn,
		TaskRoleArn:             in.TaskRoleArn,
		NetworkMode:             enumPtr(in.NetworkMode),
		PidMode:                 enumPtr(in.PidMode),
		IpcMode:                 enumPtr(in.IpcMode),
		RequiresCompatibilities: enumStrings(in.RequiresCompatibilities),
		Tags:                    cfnTags(in.Tags),
	}
	extras := map[string]any{}
	if in.EnableFaultInjection != nil {
		extras["EnableFaultInjection"] = *in.EnableFaultInjection
	}
	if p := in.RuntimePlatform; p != nil {
		td.RuntimePlatform = &cfnecs.TaskDefinition_RuntimePlatform{CpuArchitecture: enumPtr(p.CpuArchitecture), OperatingSystemFamily: enumPtr(p.OperatingSystemFamily)}
	}
	if e := in.EphemeralStorage; e != nil {
		td.EphemeralStorage = &cfnecs.TaskDefinition_EphemeralStorage{SizeInGiB: nonZero(e.SizeInGiB)}
	}
	for _, pc := range in.PlacementConstraints {
		td.PlacementConstraints = append(td.PlacementConstraints, cfnecs.TaskDefinition_TaskDefinitionPlacementConstraint{Type: string(pc.Type), Expression: pc.Expression})
	}
	if p := in.ProxyConfiguration; p != nil {
		td.ProxyConfiguration = &cfnecs.TaskDefinition_ProxyConfiguration{ContainerName: deref(p.ContainerName), Type: enumPtr(p.Type), ProxyConfigurationProperties: keyValues(p.Properties)}
	}
	//lint:ignore SA1019 refused: Elastic Inference has ended
	if len(in.InferenceAccelerators) > 0 {
		return nil, nil, fmt.Errorf("inferenceAccelerators: Elastic Inference has ended; CloudFormation takes no accelerators")
	}
	for _, v := range in.Volumes {
		vol, err := volume(v)
		if err != nil {
			return nil, nil, err
		}
		td.Volumes = append(td.Volumes, vol)
	}
	var cdExtras []map[string]any
	gaps := false
	for i, cd := range in.ContainerDefinitions {
		out, extra, err := c.container(cd)
		if err != nil {
			return nil, nil, fmt.Errorf("containerDefinitions[%d]: %w", i, err)
		}
		td.ContainerDefinitions = append(td.ContainerDefinitions, out)
		cdExtras = append(cdExtras, extra)
		gaps = gaps || len(extra) > 0
	}
	if gaps {
		extras["ContainerDefinitions"] = cdExtras
	}
	return td, extras, nil
}

func volume(v types.Volume) (cfnecs.TaskDefinition_Volume, error) {
	out := cfnecs.TaskDefinition_Volume{Name: v.Name, ConfiguredAtLaunch: v.ConfiguredAtLaunch}
	if v.Host != nil {
		out.Host = &cfnecs.TaskDefinition_HostVolumeProperties{SourcePath: v.Host.SourcePath}
	}
	if d := v.DockerVolumeConfiguration; d != nil {
		out.DockerVolumeConfiguration = &cfnecs.TaskDefinition_DockerVolumeConfiguration{Autoprovision: d.Autoprovision, Driver: d.Driver, DriverOpts: d.DriverOpts, Labels: d.Labels, Scope: enumPtr(d.Scope)}
	}
	if e := v.EfsVolumeConfiguration; e != nil {
		out.EFSVolumeConfiguration = &cfnecs.TaskDefinition_EFSVolumeConfiguration{FilesystemId: deref(e.FileSystemId), RootDirectory: e.RootDirectory, TransitEncryption: enumPtr(e.TransitEncryption), TransitEncryptionPort: intp(e.TransitEncryptionPort)}
		if a := e.AuthorizationConfig; a != nil {
			out.EFSVolumeConfiguration.AuthorizationConfig = &cfnecs.TaskDefinition_AuthorizationConfig{AccessPointId: a.AccessPointId, IAM: enumPtr(a.Iam)}
		}
	}
	if f := v.FsxWindowsFileServerVolumeConfiguration; f != nil {
		out.FSxWindowsFileServerVolumeConfiguration = &cfnecs.TaskDefinition_FSxWindowsFileServerVolumeConfiguration{FileSystemId: deref(f.FileSystemId), RootDirectory: deref(f.RootDirectory)}
		if a := f.AuthorizationConfig; a != nil {
			out.FSxWindowsFileServerVolumeConfiguration.AuthorizationConfig = &cfnecs.TaskDefinition_FSxAuthorizationConfig{CredentialsParameter: deref(a.CredentialsParameter), Domain: deref(a.Domain)}
		}
	}
	if v.S3filesVolumeConfiguration != nil {
		return out, fmt.Errorf("volumes[%s].s3filesVolumeConfiguration has no CloudFormation property that podecs writes", deref(v.Name))
	}
	return out, nil
}

// container converts one container definition; secret ARNs that are placeholders become
// parameters.
func (c *cloudFormation) container(cd types.ContainerDefinition) (cfnecs.TaskDefinition_ContainerDefinition, map[string]any, error) {
	out := cfnecs.TaskDefinition_ContainerDefinition{
		Name:                   deref(cd.Name),
		Image:                  deref(cd.Image),
		Command:                cd.Command,
		EntryPoint:             cd.EntryPoint,
		Cpu:                    nonZero(cd.Cpu),
		Memory:                 intp(cd.Memory),
		MemoryReservation:      intp(cd.MemoryReservation),
		Essential:              cd.Essential,
		CredentialSpecs:        cd.CredentialSpecs,
		DisableNetworking:      cd.DisableNetworking,
		DnsSearchDomains:       cd.DnsSearchDomains,
		DnsServers:             cd.DnsServers,
		DockerLabels:           cd.DockerLabels,
		DockerSecurityOptions:  cd.DockerSecurityOptions,
		Hostname:               cd.Hostname,
		Interactive:            cd.Interactive,
		Links:                  cd.Links,
		Privileged:             cd.Privileged,
		PseudoTerminal:         cd.PseudoTerminal,
		ReadonlyRootFilesystem: cd.ReadonlyRootFilesystem,
		StartTimeout:           intp(cd.StartTimeout),
		StopTimeout:            intp(cd.StopTimeout),
		User:                   cd.User,
		WorkingDirectory:       cd.WorkingDirectory,
		Environment:            keyValues(cd.Environment),
	}
	for _, d := range cd.DependsOn {
		out.DependsOnProp = append(out.DependsOnProp, cfnecs.TaskDefinition_ContainerDependency{ContainerName: d.ContainerName, Condition: enumPtr(d.Condition)})
	}
	for _, f := range cd.EnvironmentFiles {
		out.EnvironmentFiles = append(out.EnvironmentFiles, cfnecs.TaskDefinition_EnvironmentFile{Type: enumPtr(f.Type), Value: f.Value})
	}
	for _, h := range cd.ExtraHosts {
		out.ExtraHosts = append(out.ExtraHosts, cfnecs.TaskDefinition_HostEntry{Hostname: h.Hostname, IpAddress: h.IpAddress})
	}
	if f := cd.FirelensConfiguration; f != nil {
		out.FirelensConfiguration = &cfnecs.TaskDefinition_FirelensConfiguration{Type: enumPtr(f.Type), Options: f.Options}
	}
	if h := cd.HealthCheck; h != nil {
		out.HealthCheck = &cfnecs.TaskDefinition_HealthCheck{Command: h.Command, Interval: intp(h.Interval), Retries: intp(h.Retries), StartPeriod: intp(h.StartPeriod), Timeout: intp(h.Timeout)}
	}
	if lp := cd.LinuxParameters; lp != nil {
		p := &cfnecs.TaskDefinition_LinuxParameters{InitProcessEnabled: lp.InitProcessEnabled, MaxSwap: intp(lp.MaxSwap), SharedMemorySize: intp(lp.SharedMemorySize), Swappiness: intp(lp.Swappiness)}
		if k := lp.Capabilities; k != nil {
			p.Capabilities = &cfnecs.TaskDefinition_KernelCapabilities{Add: k.Add, Drop: k.Drop}
		}
		for _, d := range lp.Devices {
			p.Devices = append(p.Devices, cfnecs.TaskDefinition_Device{ContainerPath: d.ContainerPath, HostPath: d.HostPath, Permissions: enumStrings(d.Permissions)})
		}
		for _, t := range lp.Tmpfs {
			p.Tmpfs = append(p.Tmpfs, cfnecs.TaskDefinition_Tmpfs{ContainerPath: t.ContainerPath, MountOptions: t.MountOptions, Size: int(t.Size)})
		}
		out.LinuxParameters = p
	}
	if l := cd.LogConfiguration; l != nil {
		out.LogConfiguration = &cfnecs.TaskDefinition_LogConfiguration{LogDriver: string(l.LogDriver), Options: l.Options, SecretOptions: c.secrets(l.SecretOptions)}
	}
	for _, m := range cd.MountPoints {
		out.MountPoints = append(out.MountPoints, cfnecs.TaskDefinition_MountPoint{ContainerPath: m.ContainerPath, ReadOnly: m.ReadOnly, SourceVolume: m.SourceVolume})
	}
	for _, p := range cd.PortMappings {
		out.PortMappings = append(out.PortMappings, cfnecs.TaskDefinition_PortMapping{AppProtocol: enumPtr(p.AppProtocol), ContainerPort: intp(p.ContainerPort), ContainerPortRange: p.ContainerPortRange, HostPort: intp(p.HostPort), Name: p.Name, Protocol: enumPtr(p.Protocol)})
	}
	if r := cd.RepositoryCredentials; r != nil {
		out.RepositoryCredentials = &cfnecs.TaskDefinition_RepositoryCredentials{CredentialsParameter: r.CredentialsParameter}
	}
	for _, r := range cd.ResourceRequirements {
		out.ResourceRequirements = append(out.ResourceRequirements, cfnecs.TaskDefinition_ResourceRequirement{Type: string(r.Type), Value: deref(r.Value)})
	}
	out.Secrets = c.secrets(cd.Secrets)
	for _, s := range cd.SystemControls {
		out.SystemControls = append(out.SystemControls, cfnecs.TaskDefinition_SystemControl{Namespace: s.Namespace, Value: s.Value})
	}
	for _, u := range cd.Ulimits {
		out.Ulimits = append(out.Ulimits, cfnecs.TaskDefinition_Ulimit{Name: string(u.Name), HardLimit: int(u.HardLimit), SoftLimit: int(u.SoftLimit)})
	}
	for _, v := range cd.VolumesFrom {
		out.VolumesFrom = append(out.VolumesFrom, cfnecs.TaskDefinition_VolumeFrom{ReadOnly: v.ReadOnly, SourceContainer: v.SourceContainer})
	}
	extra := map[string]any{}
	if rp := cd.RestartPolicy; rp != nil {
		p := ordered{{"Enabled", rp.Enabled != nil && *rp.Enabled}}
		if len(rp.IgnoredExitCodes) > 0 {
			p = append(p, member{"IgnoredExitCodes", rp.IgnoredExitCodes})
		}
		if rp.RestartAttemptPeriod != nil {
			p = append(p, member{"RestartAttemptPeriod", *rp.RestartAttemptPeriod})
		}
		extra["RestartPolicy"] = p
	}
	if cd.VersionConsistency != "" {
		extra["VersionConsistency"] = string(cd.VersionConsistency)
	}
	return out, extra, nil
}

// secrets converts container or log secrets; a placeholder ARN becomes the Secret's parameter
// with the key appended.
func (c *cloudFormation) secrets(in []types.Secret) []cfnecs.TaskDefinition_Secret {
	keys := map[string][]string{}
	for _, s := range in {
		if name, key, ok := convert.SecretPlaceholder(deref(s.ValueFrom)); ok {
			keys[name] = append(keys[name], key)
		}
	}
	var out []cfnecs.TaskDefinition_Secret
	for _, s := range in {
		v := deref(s.ValueFrom)
		if name, key, ok := convert.SecretPlaceholder(v); ok {
			v = c.sub("${" + paramName(c.set.use(secretSetting(name, keys[name]))) + "}:" + key + "::")
		}
		out = append(out, cfnecs.TaskDefinition_Secret{Name: deref(s.Name), ValueFrom: v})
	}
	return out
}

// service converts the CreateService input.
func (c *cloudFormation) service(o *convert.Output, tdID string, tgs map[string]string, miss map[string]bool) (*cfnecs.Service, map[string]any, error) {
	in, cfg := o.Service, c.o.Config
	svc := &cfnecs.Service{
		ServiceName:                   in.ServiceName,
		Cluster:                       in.Cluster,
		TaskDefinition:                in.TaskDefinition,
		DesiredCount:                  intp(in.DesiredCount),
		LaunchType:                    enumPtr(in.LaunchType),
		PlatformVersion:               in.PlatformVersion,
		SchedulingStrategy:            enumPtr(in.SchedulingStrategy),
		Role:                          in.Role,
		HealthCheckGracePeriodSeconds: intp(in.HealthCheckGracePeriodSeconds),
		PropagateTags:                 enumPtr(in.PropagateTags),
		Tags:                          cfnTags(in.Tags),
	}
	if in.EnableECSManagedTags {
		svc.EnableECSManagedTags = ptr(true)
	}
	if in.EnableExecuteCommand {
		svc.EnableExecuteCommand = ptr(true)
	}
	if deref(in.Cluster) == clusterOf(cfg) {
		svc.Cluster = ptr(c.param(clusterSetting(cfg)))
	}
	if deref(in.TaskDefinition) == o.Name {
		svc.TaskDefinition = ptr(c.ref(tdID))
	}
	if d := in.DeploymentConfiguration; d != nil {
		dc := &cfnecs.Service_DeploymentConfiguration{MaximumPercent: intp(d.MaximumPercent), MinimumHealthyPercent: intp(d.MinimumHealthyPercent)}
		if b := d.DeploymentCircuitBreaker; b != nil {
			dc.DeploymentCircuitBreaker = &cfnecs.Service_DeploymentCircuitBreaker{Enable: b.Enable, Rollback: b.Rollback}
		}
		if a := d.Alarms; a != nil {
			dc.Alarms = &cfnecs.Service_DeploymentAlarms{AlarmNames: a.AlarmNames, Enable: a.Enable, Rollback: a.Rollback}
		}
		if d.Strategy != "" || d.BakeTimeInMinutes != nil || len(d.LifecycleHooks) > 0 || d.LinearConfiguration != nil || d.CanaryConfiguration != nil {
			return nil, nil, fmt.Errorf("deploymentConfiguration: blue/green, linear and canary deployments have no CloudFormation property that podecs writes")
		}
		svc.DeploymentConfiguration = dc
	}
	if d := in.DeploymentController; d != nil {
		svc.DeploymentController = &cfnecs.Service_DeploymentController{Type: enumPtr(d.Type)}
	}
	for _, s := range in.CapacityProviderStrategy {
		svc.CapacityProviderStrategy = append(svc.CapacityProviderStrategy, cfnecs.Service_CapacityProviderStrategyItem{CapacityProvider: s.CapacityProvider, Weight: nonZero(s.Weight), Base: nonZero(s.Base)})
	}
	if n := in.NetworkConfiguration; n != nil && n.AwsvpcConfiguration != nil {
		a := n.AwsvpcConfiguration
		svc.NetworkConfiguration = &cfnecs.Service_NetworkConfiguration{AwsvpcConfiguration: c.awsvpc(a.Subnets, a.SecurityGroups, string(a.AssignPublicIp), ec2Only(o))}
	} else if miss["network.subnets"] {
		svc.NetworkConfiguration = &cfnecs.Service_NetworkConfiguration{AwsvpcConfiguration: c.awsvpcParams(ec2Only(o))}
	}
	for _, lb := range in.LoadBalancers {
		l := cfnecs.Service_LoadBalancer{ContainerName: lb.ContainerName, ContainerPort: intp(lb.ContainerPort), LoadBalancerName: lb.LoadBalancerName, TargetGroupArn: lb.TargetGroupArn}
		if tg := tgs[deref(lb.TargetGroupArn)]; tg != "" {
			l.TargetGroupArn = ptr(c.ref(tg))
		}
		if lb.AdvancedConfiguration != nil {
			return nil, nil, fmt.Errorf("loadBalancers: advancedConfiguration has no CloudFormation property that podecs writes")
		}
		svc.LoadBalancers = append(svc.LoadBalancers, l)
	}
	for _, r := range in.ServiceRegistries {
		svc.ServiceRegistries = append(svc.ServiceRegistries, cfnecs.Service_ServiceRegistry{RegistryArn: r.RegistryArn, Port: intp(r.Port), ContainerName: r.ContainerName, ContainerPort: intp(r.ContainerPort)})
	}
	for _, pc := range in.PlacementConstraints {
		svc.PlacementConstraints = append(svc.PlacementConstraints, cfnecs.Service_PlacementConstraint{Type: string(pc.Type), Expression: pc.Expression})
	}
	for _, ps := range in.PlacementStrategy {
		svc.PlacementStrategies = append(svc.PlacementStrategies, cfnecs.Service_PlacementStrategy{Type: string(ps.Type), Field: ps.Field})
	}
	if sc := in.ServiceConnectConfiguration; sc != nil {
		svc.ServiceConnectConfiguration = serviceConnect(sc)
		if sc.AccessLogConfiguration != nil {
			return nil, nil, fmt.Errorf("serviceConnectConfiguration.accessLogConfiguration has no CloudFormation property that podecs writes")
		}
	}
	if len(in.VolumeConfigurations) > 0 || len(in.VpcLatticeConfigurations) > 0 {
		return nil, nil, fmt.Errorf("volumeConfigurations and vpcLatticeConfigurations have no CloudFormation property that podecs writes")
	}
	extras := map[string]any{}
	if in.AvailabilityZoneRebalancing != "" {
		extras["AvailabilityZoneRebalancing"] = string(in.AvailabilityZoneRebalancing)
	}
	return svc, extras, nil
}

func serviceConnect(sc *types.ServiceConnectConfiguration) *cfnecs.Service_ServiceConnectConfiguration {
	out := &cfnecs.Service_ServiceConnectConfiguration{Enabled: sc.Enabled, Namespace: sc.Namespace}
	if l := sc.LogConfiguration; l != nil {
		lc := &cfnecs.Service_LogConfiguration{LogDriver: enumPtr(l.LogDriver), Options: l.Options}
		for _, s := range l.SecretOptions {
			lc.SecretOptions = append(lc.SecretOptions, cfnecs.Service_Secret{Name: deref(s.Name), ValueFrom: deref(s.ValueFrom)})
		}
		out.LogConfiguration = lc
	}
	for _, s := range sc.Services {
		svc := cfnecs.Service_ServiceConnectService{PortName: deref(s.PortName), DiscoveryName: s.DiscoveryName, IngressPortOverride: intp(s.IngressPortOverride)}
		for _, a := range s.ClientAliases {
			svc.ClientAliases = append(svc.ClientAliases, cfnecs.Service_ServiceConnectClientAlias{Port: int(deref32(a.Port)), DnsName: a.DnsName})
		}
		if t := s.Timeout; t != nil {
			svc.Timeout = &cfnecs.Service_TimeoutConfiguration{IdleTimeoutSeconds: intp(t.IdleTimeoutSeconds), PerRequestTimeoutSeconds: intp(t.PerRequestTimeoutSeconds)}
		}
		if t := s.Tls; t != nil {
			tls := &cfnecs.Service_ServiceConnectTlsConfiguration{KmsKey: t.KmsKey, RoleArn: t.RoleArn}
			if a := t.IssuerCertificateAuthority; a != nil {
				tls.IssuerCertificateAuthority = &cfnecs.Service_ServiceConnectTlsCertificateAuthority{AwsPcaAuthorityArn: a.AwsPcaAuthorityArn}
			}
			svc.Tls = tls
		}
		out.Services = append(out.Services, svc)
	}
	return out
}

// awsvpc is an awsvpc configuration whose --config values are the parameters.
func (c *cloudFormation) awsvpc(subnets, groups []string, public string, ec2 bool) *cfnecs.Service_AwsVpcConfiguration {
	cfg := c.o.Config
	a := &cfnecs.Service_AwsVpcConfiguration{Subnets: subnets, SecurityGroups: groups}
	if public != "" {
		a.AssignPublicIp = ptr(public)
	}
	if len(cfg.Network.Subnets) > 0 && slices.Equal(subnets, cfg.Network.Subnets) {
		a.Subnets = []string{c.param(subnetsSetting(cfg))}
	}
	if len(groups) > 0 && slices.Equal(groups, cfg.Network.SecurityGroups) {
		a.SecurityGroups = []string{c.param(securityGroupsSetting(cfg))}
	}
	if public != "" && public == assignPublicIP(cfg) && !ec2 {
		a.AssignPublicIp = ptr(c.param(assignPublicIPSetting(cfg)))
	}
	return a
}

// awsvpcParams is an awsvpc configuration of parameters alone, for a conversion that had no
// network in --config. An EC2 workload's tasks get no public IP (ECS gives one to Fargate tasks
// only), so theirs is DISABLED rather than the parameter the Fargate workloads share.
func (c *cloudFormation) awsvpcParams(ec2 bool) *cfnecs.Service_AwsVpcConfiguration {
	cfg := c.o.Config
	a := &cfnecs.Service_AwsVpcConfiguration{
		Subnets:        []string{c.param(subnetsSetting(cfg))},
		SecurityGroups: []string{c.param(securityGroupsSetting(cfg))},
		AssignPublicIp: ptr("DISABLED"),
	}
	if !ec2 {
		a.AssignPublicIp = ptr(c.param(assignPublicIPSetting(cfg)))
	}
	return a
}

func (c *cloudFormation) targetGroup(s tgSpec) *cfnelb.TargetGroup {
	tg := &cfnelb.TargetGroup{Name: ptr(s.name), Port: ptr(int(s.port)), Protocol: ptr(s.protocol), TargetType: ptr(s.targetType), VpcId: ptr(c.param(vpcSetting()))}
	if s.protocolVersion != "" {
		tg.ProtocolVersion = ptr(s.protocolVersion)
	}
	if hc := s.healthCheck; hc != nil {
		tg.HealthCheckEnabled = ptr(true)
		tg.HealthCheckProtocol = nonEmpty(hc.HealthCheckProtocol)
		tg.HealthCheckPort = nonEmpty(hc.HealthCheckPort)
		tg.HealthCheckPath = nonEmpty(hc.HealthCheckPath)
		tg.HealthCheckIntervalSeconds = nonZero(hc.HealthCheckIntervalSeconds)
		tg.HealthCheckTimeoutSeconds = nonZero(hc.HealthCheckTimeoutSeconds)
		tg.HealthyThresholdCount = nonZero(hc.HealthyThresholdCount)
		tg.UnhealthyThresholdCount = nonZero(hc.UnhealthyThresholdCount)
		if m := hc.Matcher; m != nil {
			tg.Matcher = &cfnelb.TargetGroup_Matcher{HttpCode: nonEmpty(m.HttpCode), GrpcCode: nonEmpty(m.GrpcCode)}
		}
	}
	return tg
}

// scaling adds the scalable target and its policies.
func (c *cloudFormation) scaling(o *convert.Output, id, svcID string) error {
	st := o.Scaling.ScalableTarget
	target := &cfnscaling.ScalableTarget{
		ServiceNamespace:  st.ServiceNamespace,
		ResourceId:        st.ResourceId,
		ScalableDimension: st.ScalableDimension,
		MinCapacity:       int(deref32(st.MinCapacity)),
		MaxCapacity:       int(deref32(st.MaxCapacity)),
		RoleARN:           nonEmpty(st.RoleARN),
	}
	if st.ResourceId == "service/"+clusterOf(c.o.Config)+"/"+o.Name && svcID != "" {
		c.set.use(clusterSetting(c.o.Config))
		target.ResourceId = c.sub("service/${" + paramName("cluster") + "}/${" + svcID + ".Name}")
	}
	if s := st.SuspendedState; s != nil {
		target.SuspendedState = &cfnscaling.ScalableTarget_SuspendedState{DynamicScalingInSuspended: s.DynamicScalingInSuspended, DynamicScalingOutSuspended: s.DynamicScalingOutSuspended, ScheduledScalingSuspended: s.ScheduledScalingSuspended}
	}
	if len(st.Tags) > 0 {
		return fmt.Errorf("RegisterScalableTarget.Tags has no CloudFormation property that podecs writes")
	}
	tid := c.ids.claim(id + "ScalableTarget")
	if err := c.add(tid, "AWS::ApplicationAutoScaling::ScalableTarget", target, nil); err != nil {
		return err
	}
	for _, p := range o.Scaling.Policies {
		pol := &cfnscaling.ScalingPolicy{PolicyName: p.PolicyName, PolicyType: p.PolicyType, ScalingTargetId: ptr(c.ref(tid))}
		if t := p.TargetTrackingScalingPolicyConfiguration; t != nil {
			tt := &cfnscaling.ScalingPolicy_TargetTrackingScalingPolicyConfiguration{TargetValue: t.TargetValue, DisableScaleIn: t.DisableScaleIn, ScaleInCooldown: intp(t.ScaleInCooldown), ScaleOutCooldown: intp(t.ScaleOutCooldown)}
			if m := t.PredefinedMetricSpecification; m != nil {
				tt.PredefinedMetricSpecification = &cfnscaling.ScalingPolicy_PredefinedMetricSpecification{PredefinedMetricType: m.PredefinedMetricType, ResourceLabel: nonEmpty(m.ResourceLabel)}
			}
			pol.TargetTrackingScalingPolicyConfiguration = tt
		}
		if err := c.add(c.ids.claim(logicalID(p.PolicyName)+"ScalingPolicy"), "AWS::ApplicationAutoScaling::ScalingPolicy", pol, nil); err != nil {
			return err
		}
	}
	return nil
}

// schedule converts a CreateSchedule input. The ECS target's cluster and task definition ARNs are
// built from the pseudo parameters, the cluster parameter and the family: each run starts the
// family's latest ACTIVE revision, as with the API's input.
func (c *cloudFormation) schedule(s *mapping.ScheduleInput, o *convert.Output, tdID string, miss map[string]bool) (*cfnscheduler.Schedule, error) {
	cfg := c.o.Config
	if s.ActionAfterCompletion != "" {
		return nil, fmt.Errorf("schedule %s: ActionAfterCompletion has no CloudFormation property that podecs writes", s.Name)
	}
	out := &cfnscheduler.Schedule{
		Name:                       nonEmpty(s.Name),
		GroupName:                  nonEmpty(s.GroupName),
		Description:                nonEmpty(s.Description),
		ScheduleExpression:         s.ScheduleExpression,
		ScheduleExpressionTimezone: nonEmpty(s.ScheduleExpressionTimezone),
		State:                      nonEmpty(s.State),
		FlexibleTimeWindow:         &cfnscheduler.Schedule_FlexibleTimeWindow{Mode: s.FlexibleTimeWindow.Mode, MaximumWindowInMinutes: floatp(s.FlexibleTimeWindow.MaximumWindowInMinutes)},
		AWSCloudFormationDependsOn: []string{tdID},
	}
	t := s.Target
	target := &cfnscheduler.Schedule_Target{Arn: t.Arn, RoleArn: t.RoleArn, Input: nonEmpty(t.Input)}
	if strings.HasSuffix(t.Arn, ":cluster/"+clusterOf(cfg)) {
		c.set.use(clusterSetting(cfg))
		target.Arn = c.sub("arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:cluster/${" + paramName("cluster") + "}")
	}
	if (t.RoleArn != "" && t.RoleArn == cfg.ScheduleRoleArn) || miss["scheduleRoleArn"] {
		target.RoleArn = c.param(scheduleRoleSetting(cfg))
	}
	if e := t.EcsParameters; e != nil {
		ep := &cfnscheduler.Schedule_EcsParameters{
			TaskDefinitionArn:    e.TaskDefinitionArn,
			TaskCount:            floatp(e.TaskCount),
			LaunchType:           nonEmpty(e.LaunchType),
			PlatformVersion:      nonEmpty(e.PlatformVersion),
			Group:                nonEmpty(e.Group),
			PropagateTags:        nonEmpty(e.PropagateTags),
			ReferenceId:          nonEmpty(e.ReferenceId),
			EnableECSManagedTags: e.EnableECSManagedTags,
			EnableExecuteCommand: e.EnableExecuteCommand,
		}
		if familyOf(e.TaskDefinitionArn) == o.Name {
			ep.TaskDefinitionArn = c.sub("arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task-definition/" + o.Name)
		}
		for _, cp := range e.CapacityProviderStrategy {
			ep.CapacityProviderStrategy = append(ep.CapacityProviderStrategy, cfnscheduler.Schedule_CapacityProviderStrategyItem{CapacityProvider: cp.CapacityProvider, Weight: floatp(cp.Weight), Base: floatp(cp.Base)})
		}
		if n := e.NetworkConfiguration; n != nil && n.AwsvpcConfiguration != nil {
			a := c.awsvpc(n.AwsvpcConfiguration.Subnets, n.AwsvpcConfiguration.SecurityGroups, n.AwsvpcConfiguration.AssignPublicIp, ec2Only(o))
			ep.NetworkConfiguration = &cfnscheduler.Schedule_NetworkConfiguration{AwsvpcConfiguration: &cfnscheduler.Schedule_AwsVpcConfiguration{Subnets: a.Subnets, SecurityGroups: a.SecurityGroups, AssignPublicIp: a.AssignPublicIp}}
		} else if miss["network.subnets"] {
			a := c.awsvpcParams(ec2Only(o))
			ep.NetworkConfiguration = &cfnscheduler.Schedule_NetworkConfiguration{AwsvpcConfiguration: &cfnscheduler.Schedule_AwsVpcConfiguration{Subnets: a.Subnets, SecurityGroups: a.SecurityGroups, AssignPublicIp: a.AssignPublicIp}}
		}
		for _, pc := range e.PlacementConstraints {
			ep.PlacementConstraints = append(ep.PlacementConstraints, cfnscheduler.Schedule_PlacementConstraint{Type: nonEmpty(pc.Type), Expression: nonEmpty(pc.Expression)})
		}
		for _, ps := range e.PlacementStrategy {
			ep.PlacementStrategy = append(ep.PlacementStrategy, cfnscheduler.Schedule_PlacementStrategy{Type: nonEmpty(ps.Type), Field: nonEmpty(ps.Field)})
		}
		if len(e.Tags) > 0 {
			ep.Tags = e.Tags
		}
		target.EcsParameters = ep
	}
	if r := t.RetryPolicy; r != nil {
		target.RetryPolicy = &cfnscheduler.Schedule_RetryPolicy{MaximumEventAgeInSeconds: floatp(r.MaximumEventAgeInSeconds), MaximumRetryAttempts: floatp(r.MaximumRetryAttempts)}
	}
	if d := t.DeadLetterConfig; d != nil {
		target.DeadLetterConfig = &cfnscheduler.Schedule_DeadLetterConfig{Arn: nonEmpty(d.Arn)}
	}
	out.Target = target
	return out, nil
}

func (c *cloudFormation) Files() ([]convert.File, error) {
	var params ordered
	for _, st := range c.set.sorted() {
		p := ordered{}
		switch st.kind {
		case kindList:
			p = append(p, member{"Type", "CommaDelimitedList"})
		default:
			p = append(p, member{"Type", "String"})
		}
		p = append(p, member{"Description", st.description})
		switch def := st.def.(type) {
		case string:
			p = append(p, member{"Default", def})
		case []string:
			if len(def) > 0 {
				p = append(p, member{"Default", strings.Join(def, ",")})
			}
		case bool:
			p = append(p, member{"AllowedValues", []any{"ENABLED", "DISABLED"}}, member{"Default", map[bool]string{true: "ENABLED", false: "DISABLED"}[def]})
		}
		params = append(params, member{paramName(st.key), p})
	}
	doc := ordered{{"AWSTemplateFormatVersion", "2010-09-09"}, {"Description", "ECS workloads converted from Kubernetes by podecs"}}
	if len(params) > 0 {
		doc = append(doc, member{"Parameters", params})
	}
	doc = append(doc, member{"Resources", ordered(c.resources)})
	if len(c.outputs) > 0 {
		doc = append(doc, member{"Outputs", ordered(c.outputs)})
	}
	if c.o.JSON {
		var b bytes.Buffer
		writeJSON(&b, doc, "")
		b.WriteByte('\n')
		return []convert.File{{Name: "template.json", Data: b.Bytes()}}, nil
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(yamlNode(doc)); err != nil {
		return nil, err
	}
	return []convert.File{{Name: "template.yaml", Data: b.Bytes()}}, nil
}

// writeJSON writes v as indented JSON, mappings in their order (maps sorted).
func writeJSON(b *bytes.Buffer, v any, indent string) {
	in := indent + "  "
	switch x := v.(type) {
	case ordered:
		if len(x) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{\n")
		for i, m := range x {
			k, _ := json.Marshal(m.key)
			b.WriteString(in)
			b.Write(k)
			b.WriteString(": ")
			writeJSON(b, m.value, in)
			if i < len(x)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(indent + "}")
	case map[string]any:
		writeJSON(b, sortedMembers(x), indent)
	case []any:
		if len(x) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[\n")
		for i, e := range x {
			b.WriteString(in)
			writeJSON(b, e, in)
			if i < len(x)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(indent + "]")
	default:
		data, _ := json.Marshal(normalize(x))
		b.Write(data)
	}
}

// normalize turns typed slices into []any for the writers.
func normalize(v any) any {
	switch x := v.(type) {
	case []int32:
		out := make([]any, len(x))
		for i, n := range x {
			out[i] = json.Number(strconv.Itoa(int(n)))
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	case int32:
		return json.Number(strconv.Itoa(int(x)))
	}
	return v
}

func sortedMembers(m map[string]any) ordered {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make(ordered, len(keys))
	for i, k := range keys {
		out[i] = member{k, m[k]}
	}
	return out
}

// yamlNode is the YAML of a template value; the intrinsic functions take their short forms
// (!Ref, !Sub, !GetAtt).
func yamlNode(v any) *yaml.Node {
	switch x := v.(type) {
	case ordered:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, m := range x {
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: m.key}, yamlNode(m.value))
		}
		return n
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				switch k {
				case "Ref":
					return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!Ref", Value: fmt.Sprint(arg)}
				case "Fn::Sub":
					if s, ok := arg.(string); ok {
						return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!Sub", Value: s, Style: yaml.DoubleQuotedStyle}
					}
				case "Fn::GetAtt":
					if l, ok := arg.([]any); ok && len(l) == 2 {
						return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!GetAtt", Value: fmt.Sprintf("%v.%v", l[0], l[1])}
					}
				}
			}
		}
		return yamlNode(sortedMembers(x))
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, e := range x {
			n.Content = append(n.Content, yamlNode(e))
		}
		return n
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: x}
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(x.String(), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: x.String()}
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(x)}
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	}
	return yamlNode(normalize(v))
}

func cfnTags(in []types.Tag) []cfntags.Tag {
	var out []cfntags.Tag
	for _, t := range in {
		out = append(out, cfntags.Tag{Key: deref(t.Key), Value: deref(t.Value)})
	}
	return out
}

func keyValues(in []types.KeyValuePair) []cfnecs.TaskDefinition_KeyValuePair {
	var out []cfnecs.TaskDefinition_KeyValuePair
	for _, kv := range in {
		out = append(out, cfnecs.TaskDefinition_KeyValuePair{Name: kv.Name, Value: kv.Value})
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func intp(p *int32) *int {
	if p == nil {
		return nil
	}
	return ptr(int(*p))
}

func nonZero(n int32) *int {
	if n == 0 {
		return nil
	}
	return ptr(int(n))
}

func floatp(p *int32) *float64 {
	if p == nil {
		return nil
	}
	return ptr(float64(*p))
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func enumPtr[E ~string](e E) *string { return nonEmpty(string(e)) }

func enumStrings[E ~string](in []E) []string {
	var out []string
	for _, e := range in {
		out = append(out, string(e))
	}
	return out
}
