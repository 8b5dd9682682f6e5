package ecsapi

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/podecs/podecs/convert/ecsjson"
)

// FieldChange is one difference between what podecs wants and what ECS has.
type FieldChange struct {
	// Field is the JSON path of the member. Entries of lists whose order carries no meaning are
	// named by their identity: containerDefinitions[web].environment[LOG_LEVEL].
	Field string `json:"field"`
	// Have and Want are the live and the wanted value as compact JSON, empty when absent.
	// Environment variable values and log driver options show as "(hidden)".
	Have string `json:"have,omitempty"`
	Want string `json:"want,omitempty"`
}

// String renders the change as `field: have → want`, with "(none)" for an absent value.
func (c FieldChange) String() string {
	none := func(s string) string {
		if s == "" {
			return "(none)"
		}
		return s
	}
	return fmt.Sprintf("%s: %s → %s", c.Field, none(c.Have), none(c.Want))
}

// TaskDefinitionDiff compares a task definition podecs would register with the live revision
// have (and its tags, which DescribeTaskDefinition returns apart). It ignores the read-only members
// ECS adds (taskDefinitionArn, revision, status, compatibilities, requiresAttributes,
// registeredAt/By, deregisteredAt), the defaults it fills in (container cpu 0, essential true,
// empty lists, portMappings protocol tcp and, under awsvpc and host networking, hostPort equal to
// containerPort, EFS rootDirectory "/", health check interval 30, timeout 5, retries 3, task cpu
// "1 vCPU" = "1024") and the order of lists where order means nothing (containers by name,
// environment, secrets, tags, ports, mount points, volumes, …). An empty result means registering
// want would give an identical revision.
func TaskDefinitionDiff(want *ecs.RegisterTaskDefinitionInput, have *types.TaskDefinition, haveTags []types.Tag) []FieldChange {
	if want == nil || have == nil {
		return []FieldChange{{Field: "taskDefinition", Have: presence(have != nil), Want: presence(want != nil)}}
	}
	live, err := RegisterInput(have, haveTags)
	if err != nil {
		return cannotCompare("taskDefinition", err)
	}
	w, err := toTree(want)
	if err != nil {
		return cannotCompare("taskDefinition", err)
	}
	h, err := toTree(live)
	if err != nil {
		return cannotCompare("taskDefinition", err)
	}
	wo, _ := w.(object)
	ho, _ := h.(object)
	normTaskDefinition(wo)
	normTaskDefinition(ho)
	wt, _ := prune(wo)
	ht, _ := prune(ho)
	var out []FieldChange
	diffTree("", ht, wt, &out)
	return out
}

func presence(ok bool) string {
	if ok {
		return "{…}"
	}
	return ""
}

// cannotCompare reports a comparison that failed as a difference, so the object is written
// again rather than wrongly left alone.
func cannotCompare(field string, err error) []FieldChange {
	return []FieldChange{{Field: field, Want: "cannot compare: " + err.Error()}}
}

// RegisterInput turns a described task definition and its tags into the RegisterTaskDefinition
// input that gives it, dropping the members ECS sets itself.
func RegisterInput(td *types.TaskDefinition, tags []types.Tag) (*ecs.RegisterTaskDefinitionInput, error) {
	b, err := ecsjson.Marshal(td)
	if err != nil {
		return nil, err
	}
	in := &ecs.RegisterTaskDefinitionInput{}
	if _, err := ecsjson.UnmarshalWith(b, in, ecsjson.Options{AllowUnknown: true}); err != nil {
		return nil, err
	}
	in.Tags = tags
	return in, nil
}

func normTaskDefinition(t object) {
	if t == nil {
		return
	}
	fillDefault(t, "networkMode", "bridge") // the default on Linux
	mode := str(t["networkMode"])
	t["cpu"] = units(t["cpu"], "vcpu")
	t["memory"] = units(t["memory"], "gb")
	set(t, "requiresCompatibilities")
	keyBy(t, "placementConstraints", func(m object) string { return str(m["type"]) + " " + str(m["expression"]) })
	pairs(t, "tags", "key", "value")
	keyBy(t, "inferenceAccelerators", member("deviceName"))
	if pc := obj(t, "proxyConfiguration"); pc != nil {
		dropDefault(pc, "type", "APPMESH")
		pairs(pc, "properties", "name", "value")
	}
	for _, v := range keyBy(t, "volumes", member("name")) {
		normVolume(v.(object))
	}
	for _, c := range keyBy(t, "containerDefinitions", member("name")) {
		normContainer(c.(object), mode)
	}
}

// units turns "1 vCPU" and "2 GB" into the unit counts ECS stores ("1024", "2048"); both forms
// are accepted by RegisterTaskDefinition and describe gives back the number.
func units(v any, suffix string) any {
	s := strings.ToLower(strings.TrimSpace(str(v)))
	if s == "" || !strings.HasSuffix(s, suffix) {
		return v
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(s, suffix)), 64)
	if err != nil {
		return v
	}
	return strconv.FormatInt(int64(math.Round(f*1024)), 10)
}

func normVolume(v object) {
	if efs := obj(v, "efsVolumeConfiguration"); efs != nil {
		dropDefault(efs, "rootDirectory", "/")
		dropDefault(efs, "transitEncryption", "DISABLED")
		if ac := obj(efs, "authorizationConfig"); ac != nil {
			dropDefault(ac, "iam", "DISABLED")
		}
	}
	if dv := obj(v, "dockerVolumeConfiguration"); dv != nil {
		dropDefault(dv, "scope", "task")
	}
}

// Health check defaults ECS fills in (HealthCheck in the API reference).
var healthCheckDefaults = map[string]string{"interval": "30", "timeout": "5", "retries": "3"}

func normContainer(c object, mode string) {
	fillDefault(c, "essential", true)
	dropDefault(c, "versionConsistency", "enabled")
	for _, p := range keyBy(c, "portMappings", portKey) {
		pm := p.(object)
		dropDefault(pm, "protocol", "tcp")
		// awsvpc and host networking bind the container port itself; ECS fills hostPort in.
		if (mode == "awsvpc" || mode == "host") && pm["hostPort"] != nil && str(pm["hostPort"]) == str(pm["containerPort"]) {
			delete(pm, "hostPort")
		}
	}
	pairs(c, "environment", "name", "value")
	pairs(c, "secrets", "name", "valueFrom")
	pairs(c, "extraHosts", "hostname", "ipAddress")
	pairs(c, "systemControls", "namespace", "value")
	pairs(c, "resourceRequirements", "type", "value")
	keyBy(c, "mountPoints", member("containerPath"))
	keyBy(c, "volumesFrom", member("sourceContainer"))
	keyBy(c, "dependsOn", member("containerName"))
	keyBy(c, "ulimits", member("name"))
	keyBy(c, "environmentFiles", member("value"))
	set(c, "dockerSecurityOptions")
	set(c, "links")
	set(c, "credentialSpecs")
	if hc := obj(c, "healthCheck"); hc != nil {
		for k, def := range healthCheckDefaults {
			dropDefault(hc, k, def)
		}
	}
	if lp := obj(c, "linuxParameters"); lp != nil {
		if caps := obj(lp, "capabilities"); caps != nil {
			set(caps, "add")
			set(caps, "drop")
		}
		keyBy(lp, "devices", member("hostPath"))
		keyBy(lp, "tmpfs", member("containerPath"))
	}
	if lc := obj(c, "logConfiguration"); lc != nil {
		pairs(lc, "secretOptions", "name", "valueFrom")
	}
	if rp := obj(c, "restartPolicy"); rp != nil {
		set(rp, "ignoredExitCodes")
	}
}

// portKey names a port mapping by its container port (or range) and protocol.
func portKey(m object) string {
	port := str(m["containerPort"])
	if port == "" {
		port = str(m["containerPortRange"])
	}
	proto := str(m["protocol"])
	if proto == "" {
		proto = "tcp"
	}
	return port + "/" + proto
}

// ServiceDiff compares a service podecs would create with the live one, on what register keeps
// up to date: the task definition (family and revision; a want without a revision matches any
// revision of the family), the desired count (not for DAEMON services), the deployment
// configuration and the network configuration. Members want leaves unset are not compared.
// Defaults ECS fills in (maximumPercent 200 and minimumHealthyPercent 100, or 100 and 0 for
// DAEMON; strategy ROLLING; a disabled circuit breaker and alarms; assignPublicIp DISABLED) and
// the order of subnets, security groups and alarm names are ignored.
func ServiceDiff(want *ecs.CreateServiceInput, have *types.Service) []FieldChange {
	if want == nil || have == nil {
		return []FieldChange{{Field: "service", Have: presence(have != nil), Want: presence(want != nil)}}
	}
	var out []FieldChange
	wr, hr := ParseTaskDefinitionRef(aws.ToString(want.TaskDefinition)), ParseTaskDefinitionRef(aws.ToString(have.TaskDefinition))
	if wr.Family != "" && (wr.Family != hr.Family || (wr.Revision != 0 && wr.Revision != hr.Revision)) {
		out = append(out, FieldChange{Field: "taskDefinition", Have: quote(hr.String()), Want: quote(wr.String())})
	}
	daemon := want.SchedulingStrategy == types.SchedulingStrategyDaemon || have.SchedulingStrategy == types.SchedulingStrategyDaemon
	if !daemon && want.DesiredCount != nil && *want.DesiredCount != have.DesiredCount {
		out = append(out, FieldChange{Field: "desiredCount", Have: strconv.Itoa(int(have.DesiredCount)), Want: strconv.Itoa(int(*want.DesiredCount))})
	}
	if want.DeploymentConfiguration != nil {
		out = append(out, subDiff("deploymentConfiguration", want.DeploymentConfiguration, have.DeploymentConfiguration, func(o object) { normDeployment(o, daemon) })...)
	}
	if want.NetworkConfiguration != nil {
		out = append(out, subDiff("networkConfiguration", want.NetworkConfiguration, have.NetworkConfiguration, normNetwork)...)
	}
	return out
}

func quote(s string) string {
	if s == "" {
		return ""
	}
	return strconv.Quote(s)
}

// subDiff compares two SDK structs (either may be a nil pointer) after norm.
func subDiff[T any](field string, want, have *T, norm func(object)) []FieldChange {
	tree := func(v *T) (object, error) {
		o := object{}
		if v != nil {
			t, err := toTree(v)
			if err != nil {
				return nil, err
			}
			o, _ = t.(object)
		}
		norm(o)
		p, _ := prune(o)
		po, _ := p.(object)
		return po, nil
	}
	w, err := tree(want)
	if err != nil {
		return cannotCompare(field, err)
	}
	h, err := tree(have)
	if err != nil {
		return cannotCompare(field, err)
	}
	var out []FieldChange
	diffTree(field, h, w, &out)
	return out
}

func normDeployment(o object, daemon bool) {
	maxPct, minPct := "200", "100"
	if daemon {
		maxPct, minPct = "100", "0"
	}
	fillDefault(o, "maximumPercent", json.Number(maxPct))
	fillDefault(o, "minimumHealthyPercent", json.Number(minPct))
	dropDefault(o, "strategy", string(types.DeploymentStrategyRolling))
	if a := obj(o, "alarms"); a != nil {
		set(a, "alarmNames")
	}
}

func normNetwork(o object) {
	if vpc := obj(o, "awsvpcConfiguration"); vpc != nil {
		set(vpc, "subnets")
		set(vpc, "securityGroups")
		dropDefault(vpc, "assignPublicIp", string(types.AssignPublicIpDisabled))
	}
}

// TaskDefinitionRef is a task definition named by family and revision (0: the latest ACTIVE).
type TaskDefinitionRef struct {
	Family   string
	Revision int32
}

// ParseTaskDefinitionRef reads "family", "family:revision" or a task definition ARN.
func ParseTaskDefinitionRef(s string) TaskDefinitionRef {
	if strings.HasPrefix(s, "arn:") {
		_, s, _ = strings.Cut(s, ":task-definition/")
	}
	fam, rev, ok := strings.Cut(s, ":")
	ref := TaskDefinitionRef{Family: fam}
	if ok {
		if n, err := strconv.ParseInt(rev, 10, 32); err == nil && n > 0 {
			ref.Revision = int32(n)
		}
	}
	return ref
}

// String renders "family:revision", or the family alone when the revision is not known.
func (r TaskDefinitionRef) String() string {
	if r.Revision == 0 {
		return r.Family
	}
	return fmt.Sprintf("%s:%d", r.Family, r.Revision)
}
