package ecsapi

import (
	"context"
	"encoding/xml"
	"net/url"
	"strconv"
	"strings"
)

// The calls of the Reader: each returns the few members verify reads. A resource that does not
// exist is the service's error (ErrorCode names it), except for the Find calls, which return nil.

// maxPages bounds a paginated listing, so that a service that keeps returning a token cannot hold
// a run.
const maxPages = 100

// memberList adds a query list parameter: name.member.1, name.member.2, ...
func memberList(v url.Values, name string, values []string) {
	for i, s := range values {
		v.Set(name+".member."+strconv.Itoa(i+1), s)
	}
}

// ec2Filter adds EC2 filter n: Filter.n.Name and Filter.n.Value.1, ...
func ec2Filter(v url.Values, n int, name string, values []string) {
	p := "Filter." + strconv.Itoa(n) + "."
	v.Set(p+"Name", name)
	for i, s := range values {
		v.Set(p+"Value."+strconv.Itoa(i+1), s)
	}
}

// CallerIdentity is the account and principal of the credentials (STS GetCallerIdentity).
type CallerIdentity struct {
	Account, ARN string
}

// GetCallerIdentity returns the account and principal the credentials belong to.
func (r *Reader) GetCallerIdentity(ctx context.Context) (*CallerIdentity, error) {
	var out struct {
		Account string `xml:"GetCallerIdentityResult>Account"`
		Arn     string `xml:"GetCallerIdentityResult>Arn"`
	}
	if err := r.xmlCall(ctx, request{svc: svcSTS, op: "GetCallerIdentity"}, &out); err != nil {
		return nil, err
	}
	return &CallerIdentity{Account: out.Account, ARN: out.Arn}, nil
}

// Role is an IAM role with its trust policy, URL-decoded.
type Role struct {
	Name, ARN, TrustPolicy string
}

// GetRole returns the role called name in the caller's account.
func (r *Reader) GetRole(ctx context.Context, name string) (*Role, error) {
	var out struct {
		Name  string `xml:"GetRoleResult>Role>RoleName"`
		Arn   string `xml:"GetRoleResult>Role>Arn"`
		Trust string `xml:"GetRoleResult>Role>AssumeRolePolicyDocument"`
	}
	req := request{svc: svcIAM, op: "GetRole", params: url.Values{"RoleName": {name}}, log: []string{"RoleName", name}}
	if err := r.xmlCall(ctx, req, &out); err != nil {
		return nil, err
	}
	return &Role{Name: out.Name, ARN: out.Arn, TrustPolicy: decodePolicy(out.Trust)}, nil
}

// iamPages runs a paginated IAM listing (Marker, IsTruncated) and collects what each page holds.
func (r *Reader) iamPages(ctx context.Context, op, role string, page func([]byte) ([]string, string, bool, error)) ([]string, error) {
	var all []string
	params := url.Values{"RoleName": {role}}
	for range maxPages {
		body, err := r.call(ctx, request{svc: svcIAM, op: op, params: params, log: []string{"RoleName", role, "page", pageMark(params.Get("Marker"))}})
		if err != nil {
			return nil, err
		}
		items, marker, more, err := page(body)
		if err != nil {
			return nil, callError(svcIAM, op, err)
		}
		all = append(all, items...)
		if !more || marker == "" {
			break
		}
		params.Set("Marker", marker)
	}
	return all, nil
}

// pageMark marks a call for a further page without printing its token.
func pageMark(token string) string {
	if token == "" {
		return ""
	}
	return "next"
}

// ListRolePolicies returns the names of the role's inline policies.
func (r *Reader) ListRolePolicies(ctx context.Context, role string) ([]string, error) {
	return r.iamPages(ctx, "ListRolePolicies", role, func(body []byte) ([]string, string, bool, error) {
		var out struct {
			Names     []string `xml:"ListRolePoliciesResult>PolicyNames>member"`
			Truncated bool     `xml:"ListRolePoliciesResult>IsTruncated"`
			Marker    string   `xml:"ListRolePoliciesResult>Marker"`
		}
		err := unmarshalXML(body, &out)
		return out.Names, out.Marker, out.Truncated, err
	})
}

// GetRolePolicy returns an inline policy of the role, URL-decoded.
func (r *Reader) GetRolePolicy(ctx context.Context, role, policy string) (string, error) {
	var out struct {
		Document string `xml:"GetRolePolicyResult>PolicyDocument"`
	}
	req := request{svc: svcIAM, op: "GetRolePolicy", params: url.Values{"RoleName": {role}, "PolicyName": {policy}}, log: []string{"RoleName", role, "PolicyName", policy}}
	if err := r.xmlCall(ctx, req, &out); err != nil {
		return "", err
	}
	return decodePolicy(out.Document), nil
}

// ListAttachedRolePolicies returns the ARNs of the managed policies attached to the role.
func (r *Reader) ListAttachedRolePolicies(ctx context.Context, role string) ([]string, error) {
	return r.iamPages(ctx, "ListAttachedRolePolicies", role, func(body []byte) ([]string, string, bool, error) {
		var out struct {
			ARNs      []string `xml:"ListAttachedRolePoliciesResult>AttachedPolicies>member>PolicyArn"`
			Truncated bool     `xml:"ListAttachedRolePoliciesResult>IsTruncated"`
			Marker    string   `xml:"ListAttachedRolePoliciesResult>Marker"`
		}
		err := unmarshalXML(body, &out)
		return out.ARNs, out.Marker, out.Truncated, err
	})
}

// ManagedPolicyDocument returns the default version of a managed policy, URL-decoded
// (GetPolicy, then GetPolicyVersion).
func (r *Reader) ManagedPolicyDocument(ctx context.Context, arn string) (string, error) {
	var pol struct {
		Version string `xml:"GetPolicyResult>Policy>DefaultVersionId"`
	}
	if err := r.xmlCall(ctx, request{svc: svcIAM, op: "GetPolicy", params: url.Values{"PolicyArn": {arn}}, log: []string{"PolicyArn", arn}}, &pol); err != nil {
		return "", err
	}
	var ver struct {
		Document string `xml:"GetPolicyVersionResult>PolicyVersion>Document"`
	}
	req := request{svc: svcIAM, op: "GetPolicyVersion", params: url.Values{"PolicyArn": {arn}, "VersionId": {pol.Version}}, log: []string{"PolicyArn", arn, "VersionId", pol.Version}}
	if err := r.xmlCall(ctx, req, &ver); err != nil {
		return "", err
	}
	return decodePolicy(ver.Document), nil
}

// Secret is a Secrets Manager secret as DescribeSecret shows it: never its value.
type Secret struct {
	ARN, Name string
	// KMSKeyID is the key that encrypts it ("": the account's aws/secretsmanager key).
	KMSKeyID string
	// Deleted: the secret is scheduled for deletion.
	Deleted bool
	// VersionStages maps each version ID to its staging labels (AWSCURRENT, ...).
	VersionStages map[string][]string
}

// DescribeSecret describes the secret id (an ARN, partial ARN or name) in region.
func (r *Reader) DescribeSecret(ctx context.Context, region, id string) (*Secret, error) {
	var out struct {
		ARN, Name          string
		KmsKeyID           string `json:"KmsKeyId"`
		DeletedDate        any
		VersionIdsToStages map[string][]string
	}
	req := request{svc: svcSecretsManager, op: "DescribeSecret", region: region, body: map[string]string{"SecretId": id}, log: []string{"SecretId", id}}
	if err := r.jsonCall(ctx, req, &out); err != nil {
		return nil, err
	}
	return &Secret{ARN: out.ARN, Name: out.Name, KMSKeyID: out.KmsKeyID, Deleted: out.DeletedDate != nil, VersionStages: out.VersionIdsToStages}, nil
}

// Parameter is an SSM parameter as DescribeParameters shows it: never its value.
type Parameter struct {
	Name, Type, KeyID, ARN string
}

// FindParameter looks the parameter name up in region with DescribeParameters and a Name filter;
// nil when there is none. GetParameter is never called: it can return the value.
func (r *Reader) FindParameter(ctx context.Context, region, name string) (*Parameter, error) {
	in := map[string]any{"ParameterFilters": []map[string]any{{"Key": "Name", "Option": "Equals", "Values": []string{name}}}}
	for range maxPages {
		var out struct {
			Parameters []struct {
				Name, Type, ARN string
				KeyID           string `json:"KeyId"`
			}
			NextToken string
		}
		req := request{svc: svcSSM, op: "DescribeParameters", region: region, body: in, log: []string{"Name", name, "page", pageMark(tokenOf(in))}}
		if err := r.jsonCall(ctx, req, &out); err != nil {
			return nil, err
		}
		for _, p := range out.Parameters {
			if p.Name == name {
				return &Parameter{Name: p.Name, Type: p.Type, KeyID: p.KeyID, ARN: p.ARN}, nil
			}
		}
		if out.NextToken == "" {
			break
		}
		in["NextToken"] = out.NextToken
	}
	return nil, nil
}

func unmarshalXML(body []byte, v any) error { return xml.Unmarshal(body, v) }

func tokenOf(in map[string]any) string {
	s, _ := in["NextToken"].(string)
	return s
}

// LogGroup is a CloudWatch Logs log group.
type LogGroup struct {
	Name, ARN string
}

// FindLogGroup looks the log group name up in region (DescribeLogGroups by prefix); nil when
// there is none.
func (r *Reader) FindLogGroup(ctx context.Context, region, name string) (*LogGroup, error) {
	in := map[string]any{"logGroupNamePrefix": name}
	for range maxPages {
		var out struct {
			LogGroups []struct {
				LogGroupName, Arn, LogGroupArn string
			}
			NextToken string `json:"nextToken"`
		}
		next, _ := in["nextToken"].(string)
		req := request{svc: svcLogs, op: "DescribeLogGroups", region: region, body: in, log: []string{"logGroupNamePrefix", name, "page", pageMark(next)}}
		if err := r.jsonCall(ctx, req, &out); err != nil {
			return nil, err
		}
		for _, g := range out.LogGroups {
			if g.LogGroupName == name {
				return &LogGroup{Name: g.LogGroupName, ARN: firstOf(g.LogGroupArn, g.Arn)}, nil
			}
		}
		if out.NextToken == "" {
			break
		}
		in["nextToken"] = out.NextToken
	}
	return nil, nil
}

// Image is an image in an ECR repository.
type Image struct {
	Digest string
	Tags   []string
}

// DescribeImage describes one image of an ECR repository in region by tag or digest; the errors
// RepositoryNotFoundException and ImageNotFoundException say what is missing.
func (r *Reader) DescribeImage(ctx context.Context, region, registryID, repository, tag, digest string) (*Image, error) {
	id := map[string]string{}
	if digest != "" {
		id["imageDigest"] = digest
	} else {
		id["imageTag"] = tag
	}
	in := map[string]any{"repositoryName": repository, "imageIds": []map[string]string{id}}
	if registryID != "" {
		in["registryId"] = registryID
	}
	var out struct {
		ImageDetails []struct {
			ImageDigest string
			ImageTags   []string
		}
	}
	req := request{svc: svcECR, op: "DescribeImages", region: region, body: in, log: []string{"registryId", registryID, "repositoryName", repository, "imageTag", tag, "imageDigest", digest}}
	if err := r.jsonCall(ctx, req, &out); err != nil {
		return nil, err
	}
	if len(out.ImageDetails) == 0 {
		return nil, callError(svcECR, "DescribeImages", &APIError{Code: "ImageNotFoundException", Message: "no image details returned"})
	}
	return &Image{Digest: out.ImageDetails[0].ImageDigest, Tags: out.ImageDetails[0].ImageTags}, nil
}

// Subnet is an EC2 subnet.
type Subnet struct {
	ID, VpcID, AvailabilityZone string
}

// ec2Pages runs a paginated EC2 describe call with one filter and decodes each page with page.
func (r *Reader) ec2Pages(ctx context.Context, region, op, filter string, values []string, page func([]byte) (string, error)) error {
	params := url.Values{}
	ec2Filter(params, 1, filter, values)
	for range maxPages {
		body, err := r.call(ctx, request{svc: svcEC2, op: op, region: region, params: params, log: []string{filter, strings.Join(values, ","), "page", pageMark(params.Get("NextToken"))}})
		if err != nil {
			return err
		}
		next, err := page(body)
		if err != nil {
			return callError(svcEC2, op, err)
		}
		if next == "" {
			return nil
		}
		params.Set("NextToken", next)
	}
	return nil
}

// DescribeSubnets returns those of the subnets ids that exist in region (a filter on subnet-id:
// a missing one is left out rather than failing the call).
func (r *Reader) DescribeSubnets(ctx context.Context, region string, ids []string) ([]Subnet, error) {
	var all []Subnet
	err := r.ec2Pages(ctx, region, "DescribeSubnets", "subnet-id", ids, func(body []byte) (string, error) {
		var out struct {
			Items []struct {
				ID   string `xml:"subnetId"`
				Vpc  string `xml:"vpcId"`
				Zone string `xml:"availabilityZone"`
			} `xml:"subnetSet>item"`
			Next string `xml:"nextToken"`
		}
		err := unmarshalXML(body, &out)
		for _, s := range out.Items {
			all = append(all, Subnet{ID: s.ID, VpcID: s.Vpc, AvailabilityZone: s.Zone})
		}
		return out.Next, err
	})
	return all, err
}

// SecurityGroup is an EC2 security group.
type SecurityGroup struct {
	ID, VpcID string
}

// DescribeSecurityGroups returns those of the security groups ids that exist in region.
func (r *Reader) DescribeSecurityGroups(ctx context.Context, region string, ids []string) ([]SecurityGroup, error) {
	var all []SecurityGroup
	err := r.ec2Pages(ctx, region, "DescribeSecurityGroups", "group-id", ids, func(body []byte) (string, error) {
		var out struct {
			Items []struct {
				ID  string `xml:"groupId"`
				Vpc string `xml:"vpcId"`
			} `xml:"securityGroupInfo>item"`
			Next string `xml:"nextToken"`
		}
		err := unmarshalXML(body, &out)
		for _, g := range out.Items {
			all = append(all, SecurityGroup{ID: g.ID, VpcID: g.Vpc})
		}
		return out.Next, err
	})
	return all, err
}

// RouteTable is a VPC route table: the subnets associated with it (Main: the VPC's main table,
// used by subnets without an association) and its routes.
type RouteTable struct {
	ID      string
	Main    bool
	Subnets []string
	Routes  []Route
}

// Route is one route of a route table: its destination and where it leads.
type Route struct {
	// Destination is an IPv4 or IPv6 CIDR block or a prefix list.
	Destination string
	// Target is the gateway, NAT gateway, transit gateway, network interface, peering
	// connection or instance the route leads to ("local" for the VPC).
	Target string
	// Blackhole: the target is gone.
	Blackhole bool
}

// DescribeRouteTables returns the route tables of a VPC in region.
func (r *Reader) DescribeRouteTables(ctx context.Context, region, vpc string) ([]RouteTable, error) {
	var all []RouteTable
	err := r.ec2Pages(ctx, region, "DescribeRouteTables", "vpc-id", []string{vpc}, func(body []byte) (string, error) {
		var out struct {
			Items []struct {
				ID    string `xml:"routeTableId"`
				Assoc []struct {
					Main   bool   `xml:"main"`
					Subnet string `xml:"subnetId"`
				} `xml:"associationSet>item"`
				Routes []struct {
					Cidr       string `xml:"destinationCidrBlock"`
					Cidr6      string `xml:"destinationIpv6CidrBlock"`
					PrefixList string `xml:"destinationPrefixListId"`
					Gateway    string `xml:"gatewayId"`
					Nat        string `xml:"natGatewayId"`
					Transit    string `xml:"transitGatewayId"`
					Interface  string `xml:"networkInterfaceId"`
					Peering    string `xml:"vpcPeeringConnectionId"`
					Instance   string `xml:"instanceId"`
					EIG        string `xml:"egressOnlyInternetGatewayId"`
					Core       string `xml:"coreNetworkArn"`
					Carrier    string `xml:"carrierGatewayId"`
					Local      string `xml:"localGatewayId"`
					State      string `xml:"state"`
				} `xml:"routeSet>item"`
			} `xml:"routeTableSet>item"`
			Next string `xml:"nextToken"`
		}
		err := unmarshalXML(body, &out)
		for _, t := range out.Items {
			rt := RouteTable{ID: t.ID}
			for _, a := range t.Assoc {
				rt.Main = rt.Main || a.Main
				if a.Subnet != "" {
					rt.Subnets = append(rt.Subnets, a.Subnet)
				}
			}
			for _, x := range t.Routes {
				rt.Routes = append(rt.Routes, Route{
					Destination: firstOf(x.Cidr, x.Cidr6, x.PrefixList),
					Target:      firstOf(x.Gateway, x.Nat, x.Transit, x.Interface, x.Peering, x.Instance, x.EIG, x.Core, x.Carrier, x.Local),
					Blackhole:   x.State == "blackhole",
				})
			}
			all = append(all, rt)
		}
		return out.Next, err
	})
	return all, err
}

// VPCEndpoint is an interface or gateway endpoint of a VPC.
type VPCEndpoint struct {
	ServiceName, Type, State string
}

// DescribeVPCEndpoints returns the endpoints of a VPC in region.
func (r *Reader) DescribeVPCEndpoints(ctx context.Context, region, vpc string) ([]VPCEndpoint, error) {
	var all []VPCEndpoint
	err := r.ec2Pages(ctx, region, "DescribeVpcEndpoints", "vpc-id", []string{vpc}, func(body []byte) (string, error) {
		var out struct {
			Items []struct {
				Service string `xml:"serviceName"`
				Type    string `xml:"vpcEndpointType"`
				State   string `xml:"state"`
			} `xml:"vpcEndpointSet>item"`
			Next string `xml:"nextToken"`
		}
		err := unmarshalXML(body, &out)
		for _, e := range out.Items {
			all = append(all, VPCEndpoint{ServiceName: e.Service, Type: e.Type, State: e.State})
		}
		return out.Next, err
	})
	return all, err
}

// TargetGroup is an Elastic Load Balancing target group.
type TargetGroup struct {
	ARN, Name, Protocol string
	Port                int
	TargetType, VpcID   string
	// HealthCheckPort is "traffic-port" or a port number.
	HealthCheckPort string
	LoadBalancers   []string
}

// DescribeTargetGroup describes the target group arn in region; TargetGroupNotFound when it does
// not exist.
func (r *Reader) DescribeTargetGroup(ctx context.Context, region, arn string) (*TargetGroup, error) {
	params := url.Values{}
	memberList(params, "TargetGroupArns", []string{arn})
	var out struct {
		Groups []struct {
			Arn             string   `xml:"TargetGroupArn"`
			Name            string   `xml:"TargetGroupName"`
			Protocol        string   `xml:"Protocol"`
			Port            int      `xml:"Port"`
			TargetType      string   `xml:"TargetType"`
			VpcID           string   `xml:"VpcId"`
			HealthCheckPort string   `xml:"HealthCheckPort"`
			LoadBalancers   []string `xml:"LoadBalancerArns>member"`
		} `xml:"DescribeTargetGroupsResult>TargetGroups>member"`
	}
	req := request{svc: svcELB, op: "DescribeTargetGroups", region: region, params: params, log: []string{"TargetGroupArns", arn}}
	if err := r.xmlCall(ctx, req, &out); err != nil {
		return nil, err
	}
	for _, g := range out.Groups {
		if g.Arn == arn {
			return &TargetGroup{ARN: g.Arn, Name: g.Name, Protocol: g.Protocol, Port: g.Port, TargetType: g.TargetType, VpcID: g.VpcID, HealthCheckPort: g.HealthCheckPort, LoadBalancers: g.LoadBalancers}, nil
		}
	}
	return nil, callError(svcELB, "DescribeTargetGroups", &APIError{Code: "TargetGroupNotFound", Message: "the answer does not hold " + arn})
}

// Namespace is an AWS Cloud Map namespace.
type Namespace struct {
	ID, ARN, Name, Type string
}

// GetNamespace returns the Cloud Map namespace id in region; NamespaceNotFound when it does not
// exist.
func (r *Reader) GetNamespace(ctx context.Context, region, id string) (*Namespace, error) {
	var out struct {
		Namespace struct{ Id, Arn, Name, Type string }
	}
	req := request{svc: svcCloudMap, op: "GetNamespace", region: region, body: map[string]string{"Id": id}, log: []string{"Id", id}}
	if err := r.jsonCall(ctx, req, &out); err != nil {
		return nil, err
	}
	n := out.Namespace
	return &Namespace{ID: n.Id, ARN: n.Arn, Name: n.Name, Type: n.Type}, nil
}

// FindNamespace looks a Cloud Map namespace up by name in region (ListNamespaces with a NAME
// filter, matched again here); nil when there is none.
func (r *Reader) FindNamespace(ctx context.Context, region, name string) (*Namespace, error) {
	in := map[string]any{"Filters": []map[string]any{{"Name": "NAME", "Values": []string{name}, "Condition": "EQ"}}}
	for range maxPages {
		var out struct {
			Namespaces []struct{ Id, Arn, Name, Type string }
			NextToken  string
		}
		req := request{svc: svcCloudMap, op: "ListNamespaces", region: region, body: in, log: []string{"Name", name, "page", pageMark(tokenOf(in))}}
		if err := r.jsonCall(ctx, req, &out); err != nil {
			return nil, err
		}
		for _, n := range out.Namespaces {
			if n.Name == name {
				return &Namespace{ID: n.Id, ARN: n.Arn, Name: n.Name, Type: n.Type}, nil
			}
		}
		if out.NextToken == "" {
			break
		}
		in["NextToken"] = out.NextToken
	}
	return nil, nil
}

// CloudMapService is a service of a Cloud Map namespace.
type CloudMapService struct {
	ID, ARN, Name, NamespaceID string
}

// GetCloudMapService returns the Cloud Map service id in region; ServiceNotFound when it does not
// exist.
func (r *Reader) GetCloudMapService(ctx context.Context, region, id string) (*CloudMapService, error) {
	var out struct {
		Service struct{ Id, Arn, Name, NamespaceId string }
	}
	req := request{svc: svcCloudMap, op: "GetService", region: region, body: map[string]string{"Id": id}, log: []string{"Id", id}}
	if err := r.jsonCall(ctx, req, &out); err != nil {
		return nil, err
	}
	s := out.Service
	return &CloudMapService{ID: s.Id, ARN: s.Arn, Name: s.Name, NamespaceID: s.NamespaceId}, nil
}

// FileSystem is an EFS file system.
type FileSystem struct {
	ID, ARN, State string
}

// DescribeFileSystem describes the EFS file system id in region; FileSystemNotFound when it does
// not exist.
func (r *Reader) DescribeFileSystem(ctx context.Context, region, id string) (*FileSystem, error) {
	var out struct {
		FileSystems []struct{ FileSystemId, FileSystemArn, LifeCycleState string }
	}
	req := request{svc: svcEFS, op: "DescribeFileSystems", region: region, path: "/2015-02-01/file-systems", params: url.Values{"FileSystemId": {id}}, log: []string{"FileSystemId", id}}
	if err := r.jsonCall(ctx, req, &out); err != nil {
		return nil, err
	}
	for _, f := range out.FileSystems {
		if f.FileSystemId == id {
			return &FileSystem{ID: f.FileSystemId, ARN: f.FileSystemArn, State: f.LifeCycleState}, nil
		}
	}
	return nil, callError(svcEFS, "DescribeFileSystems", &APIError{Code: "FileSystemNotFound", Message: "the answer does not hold " + id})
}

// AccessPoint is an EFS access point.
type AccessPoint struct {
	ID, ARN, FileSystemID, State string
}

// DescribeAccessPoint describes the EFS access point id in region; AccessPointNotFound when it
// does not exist.
func (r *Reader) DescribeAccessPoint(ctx context.Context, region, id string) (*AccessPoint, error) {
	var out struct {
		AccessPoints []struct{ AccessPointId, AccessPointArn, FileSystemId, LifeCycleState string }
	}
	req := request{svc: svcEFS, op: "DescribeAccessPoints", region: region, path: "/2015-02-01/access-points", params: url.Values{"AccessPointId": {id}}, log: []string{"AccessPointId", id}}
	if err := r.jsonCall(ctx, req, &out); err != nil {
		return nil, err
	}
	for _, a := range out.AccessPoints {
		if a.AccessPointId == id {
			return &AccessPoint{ID: a.AccessPointId, ARN: a.AccessPointArn, FileSystemID: a.FileSystemId, State: a.LifeCycleState}, nil
		}
	}
	return nil, callError(svcEFS, "DescribeAccessPoints", &APIError{Code: "AccessPointNotFound", Message: "the answer does not hold " + id})
}

// MountTarget is a mount target of an EFS file system.
type MountTarget struct {
	ID, SubnetID, VpcID, AvailabilityZone, State string
}

// DescribeMountTargets returns the mount targets of the EFS file system fs in region.
func (r *Reader) DescribeMountTargets(ctx context.Context, region, fs string) ([]MountTarget, error) {
	var all []MountTarget
	params := url.Values{"FileSystemId": {fs}}
	for range maxPages {
		var out struct {
			MountTargets []struct {
				MountTargetId, SubnetId, VpcId, AvailabilityZoneName, LifeCycleState string
			}
			NextMarker string
		}
		req := request{svc: svcEFS, op: "DescribeMountTargets", region: region, path: "/2015-02-01/mount-targets", params: params, log: []string{"FileSystemId", fs, "page", pageMark(params.Get("Marker"))}}
		if err := r.jsonCall(ctx, req, &out); err != nil {
			return nil, err
		}
		for _, m := range out.MountTargets {
			all = append(all, MountTarget{ID: m.MountTargetId, SubnetID: m.SubnetId, VpcID: m.VpcId, AvailabilityZone: m.AvailabilityZoneName, State: m.LifeCycleState})
		}
		if out.NextMarker == "" {
			break
		}
		params.Set("Marker", out.NextMarker)
	}
	return all, nil
}
