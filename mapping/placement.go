package mapping

import (
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// Well-known node labels and the ECS built-in container-instance attributes they become.
var nodeLabelAttributes = map[string]string{
	"node.kubernetes.io/instance-type":       "ecs.instance-type",
	"beta.kubernetes.io/instance-type":       "ecs.instance-type",
	"topology.kubernetes.io/zone":            "ecs.availability-zone",
	"failure-domain.beta.kubernetes.io/zone": "ecs.availability-zone",
	"kubernetes.io/arch":                     "ecs.cpu-architecture",
	"beta.kubernetes.io/arch":                "ecs.cpu-architecture",
	"kubernetes.io/os":                       "ecs.os-type",
	"beta.kubernetes.io/os":                  "ecs.os-type",
}

// attribute values: Kubernetes arch names become the ECS instance attribute values.
var archAttribute = map[string]string{"amd64": "x86_64", "arm64": "arm64"}

// PlacementFromNodeSelector turns a nodeSelector into the task's runtime platform (architecture and
// OS work on Fargate and EC2) and, on EC2, memberOf placement constraints written in the cluster
// query language. Fargate has no container instances, so other labels are reported there.
func PlacementFromNodeSelector(sel map[string]string, ec2 bool, path string) (*types.RuntimePlatform, []types.TaskDefinitionPlacementConstraint, Findings) {
	var fs Findings
	var rp *types.RuntimePlatform
	platform := func() *types.RuntimePlatform {
		if rp == nil {
			rp = &types.RuntimePlatform{}
		}
		return rp
	}
	keys := make([]string, 0, len(sel))
	for k := range sel {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var exprs []string
	for _, k := range keys {
		v := sel[k]
		kp := fmt.Sprintf("%s[%q]", path, k)
		attr := nodeLabelAttributes[k]
		switch attr {
		case "ecs.cpu-architecture":
			switch v {
			case "amd64":
				platform().CpuArchitecture = types.CPUArchitectureX8664
			case "arm64":
				platform().CpuArchitecture = types.CPUArchitectureArm64
			default:
				fs.Add(kp, Unsupported, "ECS runs x86_64 and arm64 only; architecture %q dropped", v)
			}
			continue
		case "ecs.os-type":
			switch v {
			case "linux":
				platform().OperatingSystemFamily = types.OSFamilyLinux
			case "windows":
				platform().OperatingSystemFamily = types.OSFamilyWindowsServer2022Core
				fs.Add(kp, Lossy, "windows becomes WINDOWS_SERVER_2022_CORE; pick the Windows Server version your image needs")
			default:
				fs.Add(kp, Unsupported, "unknown OS %q dropped", v)
			}
			continue
		}
		if !ec2 {
			fs.Add(kp, Unsupported, "Fargate has no container instances to select; choose subnets (for a zone) or a launch type instead; dropped")
			continue
		}
		if attr == "" {
			attr = k
			fs.Add(kp, Info, "becomes the custom attribute %s: put it on your container instances (ecs put-attributes)", k)
		}
		if attr == "ecs.cpu-architecture" {
			if a, ok := archAttribute[v]; ok {
				v = a
			}
		}
		exprs = append(exprs, fmt.Sprintf("attribute:%s == %s", attr, quoteCQL(v)))
	}
	var pcs []types.TaskDefinitionPlacementConstraint
	if len(exprs) > 0 {
		pcs = append(pcs, types.TaskDefinitionPlacementConstraint{
			Type:       types.TaskDefinitionPlacementConstraintTypeMemberOf,
			Expression: aws.String(strings.Join(exprs, " and ")),
		})
	}
	return rp, pcs, fs
}

// quoteCQL quotes a cluster query language value when it holds characters outside a plain word.
func quoteCQL(v string) string {
	for _, r := range v {
		if !(r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return "'" + strings.ReplaceAll(v, "'", "") + "'"
		}
	}
	return v
}

// NodeSelectorFromPlacement is the inverse of PlacementFromNodeSelector for the expressions it
// writes (a conjunction of attribute:NAME == VALUE); anything else is returned in rest.
func NodeSelectorFromPlacement(rp *types.RuntimePlatform, pcs []types.TaskDefinitionPlacementConstraint) (sel map[string]string, rest []types.TaskDefinitionPlacementConstraint) {
	sel = map[string]string{}
	if rp != nil {
		switch rp.CpuArchitecture {
		case types.CPUArchitectureX8664:
			sel["kubernetes.io/arch"] = "amd64"
		case types.CPUArchitectureArm64:
			sel["kubernetes.io/arch"] = "arm64"
		}
		switch {
		case rp.OperatingSystemFamily == types.OSFamilyLinux:
			sel["kubernetes.io/os"] = "linux"
		case strings.HasPrefix(string(rp.OperatingSystemFamily), "WINDOWS"):
			sel["kubernetes.io/os"] = "windows"
		}
	}
	reverse := map[string]string{
		"ecs.instance-type": "node.kubernetes.io/instance-type", "ecs.availability-zone": "topology.kubernetes.io/zone",
		"ecs.cpu-architecture": "kubernetes.io/arch", "ecs.os-type": "kubernetes.io/os",
	}
	for _, pc := range pcs {
		terms := strings.Split(aws.ToString(pc.Expression), " and ")
		parsed := map[string]string{}
		ok := pc.Type == types.TaskDefinitionPlacementConstraintTypeMemberOf
		for _, t := range terms {
			name, val, found := strings.Cut(strings.TrimSpace(t), " == ")
			attr, isAttr := strings.CutPrefix(name, "attribute:")
			if !ok || !found || !isAttr {
				ok = false
				break
			}
			if k, known := reverse[attr]; known {
				attr = k
			}
			val = strings.Trim(val, "'")
			if attr == "kubernetes.io/arch" && val == "x86_64" {
				val = "amd64"
			}
			parsed[attr] = val
		}
		if !ok {
			rest = append(rest, pc)
			continue
		}
		for k, v := range parsed {
			sel[k] = v
		}
	}
	if len(sel) == 0 {
		sel = nil
	}
	return sel, rest
}
