package verify

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/podecs/podecs/ecsapi"
)

// The checks of a service: its cluster and the capacity to run it, the task definition it names
// when that is not among the inputs, its network, load balancers, Service Connect namespace,
// service registries, and the EFS mount targets its subnets reach.

func (v *verifier) serviceChecks(w *workload, s *ecs.CreateServiceInput) {
	name, cluster := aws.ToString(s.ServiceName), clusterOf(s)
	if placeholder(cluster) {
		v.note(w.name, "cluster", cluster, skip("a template, not a cluster name"))
	} else {
		v.add(w.name, "cluster", cluster, "cluster\x00"+cluster, v.clusterCheck(cluster))
		v.add(w.name, "capacity", cluster, "capacity\x00"+cluster+"\x00"+name, v.capacityCheck(cluster, s, w.td))
	}
	if w.td == nil {
		ref := aws.ToString(s.TaskDefinition)
		v.add(w.name, "task definition", ref, "taskdef\x00"+ref, v.taskDefinitionCheck(ref))
	}
	var subnets, groups []string
	if nc := s.NetworkConfiguration; nc != nil && nc.AwsvpcConfiguration != nil {
		subnets, groups = nc.AwsvpcConfiguration.Subnets, nc.AwsvpcConfiguration.SecurityGroups
		v.networkChecks(w, s, subnets, groups)
	}
	for _, lb := range s.LoadBalancers {
		v.loadBalancerChecks(w, s, lb)
	}
	if sc := s.ServiceConnectConfiguration; sc != nil && sc.Enabled {
		ns := aws.ToString(sc.Namespace)
		resource := ns
		if ns == "" {
			resource = "default of cluster " + cluster
		}
		if placeholder(ns) {
			v.note(w.name, "service connect namespace", ns, skip("a template, not a namespace"))
		} else {
			v.add(w.name, "service connect namespace", resource, "namespace\x00"+cluster+"\x00"+ns, v.namespaceCheck(cluster, ns))
		}
		for _, svc := range sc.Services {
			if svc.Tls != nil {
				v.note(w.name, "service connect tls", aws.ToString(svc.PortName), skip("the TLS certificate authority and role are not checked"))
			}
		}
	}
	for _, r := range s.ServiceRegistries {
		arn := aws.ToString(r.RegistryArn)
		if placeholder(arn) {
			v.note(w.name, "service registry", arn, skip("a template, not a Cloud Map service ARN"))
			continue
		}
		v.add(w.name, "service registry", arn, "registry\x00"+arn, v.registryCheck(arn))
	}
	if w.td != nil && len(subnets) > 0 {
		for _, vol := range w.td.Volumes {
			if efs := vol.EfsVolumeConfiguration; efs != nil {
				fs := aws.ToString(efs.FileSystemId)
				v.add(w.name, "efs mount targets", fs, "mount-targets\x00"+fs+"\x00"+strings.Join(subnets, ","), v.mountTargetCheck(fs, subnets))
			}
		}
	}
	for _, vc := range s.VolumeConfigurations {
		if vc.ManagedEBSVolume != nil {
			v.note(w.name, "ebs volume", aws.ToString(vc.Name), skip("Amazon EBS volumes and their infrastructure role are not checked"))
		}
	}
}

// liveCluster is what verify reads of a cluster; nil when it does not exist.
func (v *verifier) liveCluster(ctx context.Context, name string) (*types.Cluster, error) {
	if v.in.Creating[name] {
		return &types.Cluster{ClusterName: aws.String(name), Status: aws.String("ACTIVE")}, nil
	}
	return memo(v, "describe-cluster\x00"+name, func() (*types.Cluster, error) {
		out, err := v.ecs.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{name}})
		if err != nil {
			return nil, ecsapi.WrapError("DescribeClusters", err)
		}
		for i := range out.Clusters {
			return &out.Clusters[i], nil
		}
		return nil, nil
	})
}

func (v *verifier) clusterCheck(name string) func(context.Context) result {
	return func(ctx context.Context) result {
		if v.in.Creating[name] {
			return ok("does not exist yet: register creates it (--create-cluster)")
		}
		c, err := v.liveCluster(ctx, name)
		switch {
		case err != nil:
			return errored(err)
		case c == nil:
			return fail("does not exist in %s: create it, or let register create it (--create-cluster)", v.region)
		case aws.ToString(c.Status) != "ACTIVE":
			return fail("is %s, not ACTIVE", aws.ToString(c.Status))
		}
		return ok("ACTIVE")
	}
}

// capacityCheck checks that the cluster can run the service's tasks: the launch type or capacity
// providers it names (else the cluster's default strategy, else EC2), and on EC2 that container
// instances are registered.
func (v *verifier) capacityCheck(name string, s *ecs.CreateServiceInput, td *ecs.RegisterTaskDefinitionInput) func(context.Context) result {
	return func(ctx context.Context) result {
		c, err := v.liveCluster(ctx, name)
		if err != nil || c == nil || aws.ToString(c.Status) != "ACTIVE" {
			return skip("the cluster cannot be used (see its own check)")
		}
		fargateOnly := td != nil && slices.Contains(td.RequiresCompatibilities, types.CompatibilityFargate) &&
			!slices.Contains(td.RequiresCompatibilities, types.CompatibilityEc2)
		var providers []string
		how := ""
		switch {
		case s.LaunchType != "":
			how = "launch type " + string(s.LaunchType)
		case len(s.CapacityProviderStrategy) > 0:
			how = "the service's capacity provider strategy"
			for _, p := range s.CapacityProviderStrategy {
				providers = append(providers, aws.ToString(p.CapacityProvider))
			}
		case len(c.DefaultCapacityProviderStrategy) > 0:
			how = "the cluster's default capacity provider strategy"
			for _, p := range c.DefaultCapacityProviderStrategy {
				providers = append(providers, aws.ToString(p.CapacityProvider))
			}
		default:
			how = "launch type EC2 (no launch type, no capacity provider strategy, and the cluster has no default strategy)"
		}
		var ec2 bool
		switch {
		case len(providers) > 0:
			for _, p := range providers {
				if !slices.Contains(c.CapacityProviders, p) {
					return fail("capacity provider %s (%s) is not associated with cluster %s", p, how, name)
				}
				if !strings.HasPrefix(p, "FARGATE") {
					ec2 = true
				}
			}
		case s.LaunchType == types.LaunchTypeFargate:
		default:
			ec2 = true
		}
		switch {
		case ec2 && fargateOnly:
			return fail("the task definition requires FARGATE, but the service runs on EC2 capacity (%s)", how)
		case ec2 && c.RegisteredContainerInstancesCount == 0:
			return warn("no container instances are registered (%s): tasks stay PENDING until one joins the cluster", how)
		case ec2:
			return ok("%d container instance(s) registered (%s)", c.RegisteredContainerInstancesCount, how)
		}
		return ok("Fargate (%s)", how)
	}
}

func (v *verifier) taskDefinitionCheck(ref string) func(context.Context) result {
	return func(ctx context.Context) result {
		out, err := v.ecs.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(ref)})
		switch {
		case err != nil && ecsapi.ErrorCode(err) == "ClientException":
			return fail("not among the inputs, and ECS does not know it")
		case err != nil:
			return errored(ecsapi.WrapError("DescribeTaskDefinition", err))
		case out.TaskDefinition == nil:
			return fail("not among the inputs, and ECS does not know it")
		case out.TaskDefinition.Status != types.TaskDefinitionStatusActive:
			return warn("revision %d is %s", out.TaskDefinition.Revision, out.TaskDefinition.Status)
		}
		return ok("%s:%d is ACTIVE", aws.ToString(out.TaskDefinition.Family), out.TaskDefinition.Revision)
	}
}

// The subnets and security groups of every service are described in one call each.
func (v *verifier) allNetwork() (subnets, groups []string) {
	for _, s := range v.in.Services {
		if nc := s.NetworkConfiguration; nc != nil && nc.AwsvpcConfiguration != nil {
			for _, id := range nc.AwsvpcConfiguration.Subnets {
				if !slices.Contains(subnets, id) {
					subnets = append(subnets, id)
				}
			}
			for _, id := range nc.AwsvpcConfiguration.SecurityGroups {
				if !slices.Contains(groups, id) {
					groups = append(groups, id)
				}
			}
		}
	}
	slices.Sort(subnets)
	slices.Sort(groups)
	return subnets, groups
}

func (v *verifier) subnets(ctx context.Context) (map[string]ecsapi.Subnet, error) {
	return memo(v, "subnets", func() (map[string]ecsapi.Subnet, error) {
		ids, _ := v.allNetwork()
		out, err := v.aws.DescribeSubnets(ctx, v.region, ids)
		m := map[string]ecsapi.Subnet{}
		for _, s := range out {
			m[s.ID] = s
		}
		return m, err
	})
}

func (v *verifier) securityGroups(ctx context.Context) (map[string]ecsapi.SecurityGroup, error) {
	return memo(v, "security-groups", func() (map[string]ecsapi.SecurityGroup, error) {
		_, ids := v.allNetwork()
		out, err := v.aws.DescribeSecurityGroups(ctx, v.region, ids)
		m := map[string]ecsapi.SecurityGroup{}
		for _, g := range out {
			m[g.ID] = g
		}
		return m, err
	})
}

// networkChecks checks the awsvpc configuration: subnets and security groups exist and sit in one
// VPC, and (on Fargate) assignPublicIp fits the subnets' route to the internet.
func (v *verifier) networkChecks(w *workload, s *ecs.CreateServiceInput, subnets, groups []string) {
	for _, id := range subnets {
		v.add(w.name, "subnet", id, "subnet\x00"+id, func(ctx context.Context) result {
			all, err := v.subnets(ctx)
			if err != nil {
				return errored(err)
			}
			if sn, found := all[id]; found {
				return ok("in %s, %s", sn.VpcID, sn.AvailabilityZone)
			}
			return fail("does not exist in %s", v.region)
		})
	}
	for _, id := range groups {
		v.add(w.name, "security group", id, "security-group\x00"+id, func(ctx context.Context) result {
			all, err := v.securityGroups(ctx)
			if err != nil {
				return errored(err)
			}
			if g, found := all[id]; found {
				return ok("in %s", g.VpcID)
			}
			return fail("does not exist in %s", v.region)
		})
	}
	ids := strings.Join(append(append([]string(nil), subnets...), groups...), ",")
	v.add(w.name, "vpc", ids, "vpc\x00"+ids, func(ctx context.Context) result {
		vpc, r := v.serviceVPC(ctx, subnets, groups)
		if vpc == "" {
			return r
		}
		return ok("subnets and security groups are in %s", vpc)
	})
	publicIP := s.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp == types.AssignPublicIpEnabled
	switch {
	case s.LaunchType == types.LaunchTypeEc2 && publicIP:
		v.note(w.name, "internet access", strings.Join(subnets, ","), fail("assignPublicIp ENABLED is for Fargate only: EC2 tasks in awsvpc mode get no public IP"))
	case w.td != nil && onFargate(w.td, []*ecs.CreateServiceInput{s}):
		key := fmt.Sprintf("internet\x00%s\x00%t\x00%s", strings.Join(subnets, ","), publicIP, strings.Join(v.endpointsNeeded(w.td), ","))
		v.add(w.name, "internet access", strings.Join(subnets, ","), key, v.internetCheck(w.td, subnets, groups, publicIP))
	}
}

// serviceVPC returns the one VPC of the subnets and security groups, or "" with the result that
// says why there is none.
func (v *verifier) serviceVPC(ctx context.Context, subnets, groups []string) (string, result) {
	sns, err := v.subnets(ctx)
	if err != nil {
		return "", errored(err)
	}
	sgs, err := v.securityGroups(ctx)
	if err != nil {
		return "", errored(err)
	}
	in := map[string][]string{}
	var vpcs []string
	note := func(vpc, id string) {
		if in[vpc] == nil {
			vpcs = append(vpcs, vpc)
		}
		in[vpc] = append(in[vpc], id)
	}
	for _, id := range subnets {
		sn, found := sns[id]
		if !found {
			return "", skip("subnet %s does not exist", id)
		}
		note(sn.VpcID, id)
	}
	for _, id := range groups {
		g, found := sgs[id]
		if !found {
			return "", skip("security group %s does not exist", id)
		}
		note(g.VpcID, id)
	}
	if len(vpcs) > 1 {
		var parts []string
		for _, vpc := range vpcs {
			parts = append(parts, strings.Join(in[vpc], ", ")+" in "+vpc)
		}
		return "", fail("not in one VPC: %s", strings.Join(parts, "; "))
	}
	if len(vpcs) == 0 {
		return "", skip("no subnets")
	}
	return vpcs[0], result{}
}

// endpointsNeeded are the VPC endpoint services a task without a route to the internet needs:
// ECR (api, dkr and the S3 gateway) for ECR images, Secrets Manager and SSM for its secrets,
// CloudWatch Logs for awslogs.
func (v *verifier) endpointsNeeded(td *ecs.RegisterTaskDefinitionInput) []string {
	var out []string
	add := func(names ...string) {
		for _, n := range names {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	for _, c := range td.ContainerDefinitions {
		if parseImage(aws.ToString(c.Image)).ecr {
			add("ecr.api", "ecr.dkr", "s3")
		}
		secrets := c.Secrets
		if lc := c.LogConfiguration; lc != nil {
			secrets = append(append([]types.Secret(nil), secrets...), lc.SecretOptions...)
			if lc.LogDriver == types.LogDriverAwslogs {
				add("logs")
			}
		}
		for _, s := range secrets {
			if parseSecretRef(aws.ToString(s.ValueFrom)).kind == "secretsmanager" {
				add("secretsmanager")
			} else {
				add("ssm")
			}
		}
	}
	slices.Sort(out)
	return out
}

// route says how a subnet reaches the internet: "igw-…" (an internet gateway), "nat" (a NAT
// gateway or another target of its default route), or "" (no default route).
func defaultRoute(tables []ecsapi.RouteTable, subnet string) string {
	var table *ecsapi.RouteTable
	for i := range tables {
		if slices.Contains(tables[i].Subnets, subnet) {
			table = &tables[i]
		}
	}
	if table == nil {
		for i := range tables {
			if tables[i].Main {
				table = &tables[i]
			}
		}
	}
	if table == nil {
		return ""
	}
	for _, r := range table.Routes {
		if r.Destination == "0.0.0.0/0" && !r.Blackhole {
			if strings.HasPrefix(r.Target, "igw-") {
				return r.Target
			}
			return "nat"
		}
	}
	return ""
}

// internetCheck compares assignPublicIp with the subnets' default routes: a public IP needs an
// internet gateway; without one, tasks reach ECR, Secrets Manager and CloudWatch Logs through a
// NAT gateway or VPC endpoints.
func (v *verifier) internetCheck(td *ecs.RegisterTaskDefinitionInput, subnets, groups []string, publicIP bool) func(context.Context) result {
	return func(ctx context.Context) result {
		vpc, _ := v.serviceVPC(ctx, subnets, groups)
		if vpc == "" {
			return skip("the network cannot be read (see the vpc check)")
		}
		tables, err := memo(v, "routes\x00"+vpc, func() ([]ecsapi.RouteTable, error) { return v.aws.DescribeRouteTables(ctx, v.region, vpc) })
		switch {
		case accessDenied(err):
			return skip("cannot read the route tables of %s: %v", vpc, err)
		case err != nil:
			return errored(err)
		}
		var public, private, isolated []string
		for _, sn := range subnets {
			switch route := defaultRoute(tables, sn); {
			case strings.HasPrefix(route, "igw-"):
				public = append(public, sn)
			case route != "":
				private = append(private, sn)
			default:
				isolated = append(isolated, sn)
			}
		}
		switch {
		case publicIP && len(public) == len(subnets):
			return ok("public IPs, and the subnets route to an internet gateway")
		case publicIP:
			return warn("assignPublicIp is ENABLED, but %s to no internet gateway: the public IP is of no use there", subjects(append(private, isolated...), "routes", "route"))
		case len(public) > 0:
			return warn("%s to an internet gateway, but assignPublicIp is DISABLED: tasks there cannot reach ECR, Secrets Manager or other registries (set assignPublicIp ENABLED, or use private subnets with a NAT gateway or VPC endpoints)", subjects(public, "routes", "route"))
		case len(isolated) == 0:
			return ok("no public IPs; the subnets route to the internet through %s", "a NAT gateway")
		}
		need := v.endpointsNeeded(td)
		eps, err := memo(v, "endpoints\x00"+vpc, func() ([]ecsapi.VPCEndpoint, error) { return v.aws.DescribeVPCEndpoints(ctx, v.region, vpc) })
		switch {
		case accessDenied(err):
			return skip("cannot read the VPC endpoints of %s: %v", vpc, err)
		case err != nil:
			return errored(err)
		}
		var missing []string
		for _, n := range need {
			found := false
			for _, e := range eps {
				found = found || (strings.HasSuffix(e.ServiceName, "."+n) && e.State != "deleted" && e.State != "rejected" && e.State != "failed")
			}
			if !found {
				missing = append(missing, n)
			}
		}
		for _, c := range td.ContainerDefinitions {
			if ref := parseImage(aws.ToString(c.Image)); !ref.ecr && !placeholder(aws.ToString(c.Image)) {
				return warn("%s no route to the internet: the image %s cannot be pulled from %s", subjects(isolated, "has", "have"), aws.ToString(c.Image), ref.registry)
			}
		}
		if len(missing) > 0 {
			return warn("%s no route to the internet, and %s has no VPC endpoint for %s", subjects(isolated, "has", "have"), vpc, strings.Join(missing, ", "))
		}
		return ok("no route to the internet; %s has VPC endpoints for %s", vpc, strings.Join(need, ", "))
	}
}

// subjects words subnets as the subject of verb: "subnet-a routes", "subnet-a, subnet-b route".
func subjects(subnets []string, one, many string) string {
	if len(subnets) == 1 {
		return subnets[0] + " " + one
	}
	return strings.Join(subnets, ", ") + " " + many
}

// loadBalancerChecks checks a load balancer of a service: its target group exists, is attached
// to a load balancer, and fits the container port, the protocol and the network mode.
func (v *verifier) loadBalancerChecks(w *workload, s *ecs.CreateServiceInput, lb types.LoadBalancer) {
	arn := aws.ToString(lb.TargetGroupArn)
	switch {
	case arn == "":
		v.note(w.name, "load balancer", aws.ToString(lb.LoadBalancerName), skip("Classic Load Balancers are not checked"))
		return
	case placeholder(arn):
		v.note(w.name, "target group", arn, skip("a template, not a target group ARN"))
		return
	}
	key := fmt.Sprintf("target-group\x00%s\x00%s\x00%s\x00%d", aws.ToString(s.ServiceName), arn, aws.ToString(lb.ContainerName), aws.ToInt32(lb.ContainerPort))
	v.add(w.name, "target group", arn, key, v.targetGroupCheck(w.td, s, lb, arn))
	if ac := lb.AdvancedConfiguration; ac != nil && aws.ToString(ac.AlternateTargetGroupArn) != "" {
		alt := aws.ToString(ac.AlternateTargetGroupArn)
		v.add(w.name, "target group", alt, key+"\x00"+alt, v.targetGroupCheck(w.td, s, lb, alt))
	}
}

func (v *verifier) targetGroupCheck(td *ecs.RegisterTaskDefinitionInput, s *ecs.CreateServiceInput, lb types.LoadBalancer, arn string) func(context.Context) result {
	return func(ctx context.Context) result {
		a, _ := parseARN(arn)
		region := firstOf(a.region, v.region)
		tg, err := memo(v, "tg\x00"+arn, func() (*ecsapi.TargetGroup, error) { return v.aws.DescribeTargetGroup(ctx, region, arn) })
		switch code := ecsapi.ErrorCode(err); {
		case code == "TargetGroupNotFound":
			return fail("does not exist")
		case code == "ValidationError":
			return fail("not a target group ARN: %v", err)
		case err != nil:
			return errored(err)
		}
		if len(tg.LoadBalancers) == 0 {
			return fail("target group %s is attached to no load balancer: ECS refuses it (add a listener rule that forwards to it)", tg.Name)
		}
		var problems []string
		mode := types.NetworkModeBridge
		if td != nil && td.NetworkMode != "" {
			mode = td.NetworkMode
		}
		switch {
		case td == nil:
		case mode == types.NetworkModeAwsvpc && tg.TargetType != "ip":
			problems = append(problems, fmt.Sprintf("target type is %s: tasks in awsvpc mode need ip", tg.TargetType))
		case mode != types.NetworkModeAwsvpc && tg.TargetType != "instance":
			problems = append(problems, fmt.Sprintf("target type is %s: tasks in %s mode need instance", tg.TargetType, mode))
		}
		port := aws.ToInt32(lb.ContainerPort)
		if td != nil {
			pm, found := portMapping(td, aws.ToString(lb.ContainerName), port)
			switch {
			case !found:
				problems = append(problems, fmt.Sprintf("container %s has no port mapping for port %d", aws.ToString(lb.ContainerName), port))
			case pm.Protocol == types.TransportProtocolUdp && tg.Protocol != "UDP" && tg.Protocol != "TCP_UDP":
				problems = append(problems, fmt.Sprintf("protocol %s cannot carry the container's UDP port %d", tg.Protocol, port))
			case pm.Protocol != types.TransportProtocolUdp && tg.Protocol == "UDP":
				problems = append(problems, fmt.Sprintf("protocol UDP, but container port %d is TCP", port))
			}
		}
		if tg.Protocol == "GENEVE" {
			problems = append(problems, "GENEVE target groups (Gateway Load Balancer) cannot take ECS tasks")
		}
		if len(problems) > 0 {
			return fail("%s", strings.Join(problems, "; "))
		}
		if nc := s.NetworkConfiguration; nc != nil && nc.AwsvpcConfiguration != nil && tg.VpcID != "" {
			vpc, _ := v.serviceVPC(ctx, nc.AwsvpcConfiguration.Subnets, nc.AwsvpcConfiguration.SecurityGroups)
			if vpc != "" && vpc != tg.VpcID {
				return warn("in %s, the tasks in %s: targets of type ip must be reachable from the target group's VPC", tg.VpcID, vpc)
			}
		}
		if hc := tg.HealthCheckPort; hc != "" && hc != "traffic-port" && hc != strconv.Itoa(int(port)) {
			return warn("health checks go to port %s, the container listens on %d", hc, port)
		}
		return ok("%s %s, target type %s; ECS registers the tasks on port %d", tg.Protocol, tg.Name, tg.TargetType, port)
	}
}

// portMapping finds the port mapping of container name for containerPort.
func portMapping(td *ecs.RegisterTaskDefinitionInput, name string, port int32) (types.PortMapping, bool) {
	for _, c := range td.ContainerDefinitions {
		if aws.ToString(c.Name) != name {
			continue
		}
		for _, pm := range c.PortMappings {
			if aws.ToInt32(pm.ContainerPort) == port {
				return pm, true
			}
		}
	}
	return types.PortMapping{}, false
}

// namespaceCheck checks a Service Connect namespace (a name or an ARN), or the cluster's default
// when the service names none.
func (v *verifier) namespaceCheck(cluster, ns string) func(context.Context) result {
	return func(ctx context.Context) result {
		if ns == "" {
			c, err := v.liveCluster(ctx, cluster)
			if err != nil || c == nil {
				return skip("the cluster cannot be read (see its own check)")
			}
			if c.ServiceConnectDefaults == nil || aws.ToString(c.ServiceConnectDefaults.Namespace) == "" {
				return fail("the service names no namespace, and cluster %s has no default Service Connect namespace", cluster)
			}
			ns = aws.ToString(c.ServiceConnectDefaults.Namespace)
		}
		var n *ecsapi.Namespace
		var err error
		if a, isARN := parseARN(ns); isARN {
			id := a.resource[strings.LastIndexByte(a.resource, '/')+1:]
			n, err = memo(v, "namespace-id\x00"+ns, func() (*ecsapi.Namespace, error) { return v.aws.GetNamespace(ctx, firstOf(a.region, v.region), id) })
			if ecsapi.ErrorCode(err) == "NamespaceNotFound" {
				n, err = nil, nil
			}
		} else {
			n, err = memo(v, "namespace\x00"+ns, func() (*ecsapi.Namespace, error) { return v.aws.FindNamespace(ctx, v.region, ns) })
		}
		switch {
		case err != nil:
			return errored(err)
		case n == nil:
			return fail("Cloud Map namespace %s does not exist", ns)
		}
		return ok("Cloud Map namespace %s (%s, %s)", n.Name, n.ID, n.Type)
	}
}

func (v *verifier) registryCheck(arn string) func(context.Context) result {
	return func(ctx context.Context) result {
		a, isARN := parseARN(arn)
		if !isARN || !strings.HasPrefix(a.resource, "service/") {
			return fail("not a Cloud Map service ARN")
		}
		svc, err := v.aws.GetCloudMapService(ctx, firstOf(a.region, v.region), strings.TrimPrefix(a.resource, "service/"))
		switch {
		case ecsapi.ErrorCode(err) == "ServiceNotFound":
			return fail("Cloud Map service does not exist")
		case err != nil:
			return errored(err)
		}
		return ok("Cloud Map service %s", svc.Name)
	}
}

// mountTargetCheck checks that the file system has an available mount target in the service's
// VPC in each Availability Zone of its subnets.
func (v *verifier) mountTargetCheck(fs string, subnets []string) func(context.Context) result {
	return func(ctx context.Context) result {
		if f, err := v.fileSystem(ctx, fs); err != nil || f == nil {
			return skip("the file system cannot be described (see its own check)")
		}
		sns, err := v.subnets(ctx)
		if err != nil {
			return skip("the subnets cannot be described (see their own checks)")
		}
		mts, err := memo(v, "mount-targets\x00"+fs, func() ([]ecsapi.MountTarget, error) { return v.aws.DescribeMountTargets(ctx, v.region, fs) })
		if err != nil {
			return errored(err)
		}
		var missing []string
		for _, id := range subnets {
			sn, found := sns[id]
			if !found {
				continue
			}
			has := false
			for _, mt := range mts {
				has = has || (mt.VpcID == sn.VpcID && mt.AvailabilityZone == sn.AvailabilityZone && mt.State == "available")
			}
			if !has && !slices.Contains(missing, sn.AvailabilityZone) {
				missing = append(missing, sn.AvailabilityZone)
			}
		}
		if len(missing) > 0 {
			return warn("no available mount target in %s of the service's VPC: tasks there cannot mount it", strings.Join(missing, ", "))
		}
		return ok("a mount target in every Availability Zone of the service's subnets")
	}
}
