// Package render writes what a conversion gives in the formats teams deploy with: the ECS API's
// own JSON (api), Terraform and CloudFormation for what becomes ECS, a Helm chart and a Kustomize
// base for what becomes Kubernetes. Each format is one file of this package and renders the
// converter's result (convert.Output, convert.Manifest) as it is: no mapping decision is taken
// here. What a renderer adds is the syntax of its format and, for the infrastructure formats, the
// variables or parameters that stand for what the manifests cannot know (the cluster, subnets,
// roles, secret ARNs that --config does not give).
//
// The api format renders one workload at a time on the batch's workers (convert.Output.Files,
// convert.Manifest.Files). The other formats write files for the whole run: a Collector takes
// the items of a batch in input order and gives the files at the end.
package render

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/podecs/podecs/convert"
	"github.com/podecs/podecs/mapping"
)

// Format is an output format of podecs convert.
type Format string

// The output formats.
const (
	API            Format = "api"
	Terraform      Format = "terraform"
	CloudFormation Format = "cloudformation"
	Helm           Format = "helm"
	Kustomize      Format = "kustomize"
)

// Formats lists every format, the default first.
var Formats = []Format{API, Terraform, CloudFormation, Helm, Kustomize}

// ParseFormat returns the format named s.
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(s))
	if slices.Contains(Formats, f) {
		return f, nil
	}
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return "", fmt.Errorf("%q is not one of %s", s, strings.Join(names, ", "))
}

// ToECS reports whether the format writes what Kubernetes workloads become on ECS.
func (f Format) ToECS() bool { return f == API || f == Terraform || f == CloudFormation }

// ToKubernetes reports whether the format writes what ECS task definitions and services become on
// Kubernetes.
func (f Format) ToKubernetes() bool { return f == API || f == Helm || f == Kustomize }

// NeedsDir reports whether the format writes several files and so needs an output directory.
func (f Format) NeedsDir() bool { return f == Terraform || f == Helm || f == Kustomize }

// Check returns an error when doc converts in a direction the format does not write: a Kubernetes
// workload (which becomes ECS) with helm or kustomize, an ECS document (which becomes Kubernetes)
// with terraform or cloudformation. Other documents only support the conversion of others.
func (f Format) Check(doc convert.Document) error {
	switch {
	case doc.Format == convert.FormatKubernetes && convert.IsWorkloadKind(doc.Kind) && !f.ToECS():
		return fmt.Errorf("--format %s writes Kubernetes manifests from ECS input, but %s is a Kubernetes %s, which converts to ECS: use --format terraform, cloudformation or api", f, doc.DocRef, doc.Kind)
	case doc.Format != convert.FormatKubernetes && doc.Format != convert.FormatUnknown && !f.ToKubernetes():
		return fmt.Errorf("--format %s writes ECS infrastructure from Kubernetes input, but %s is an %s, which converts to Kubernetes: use --format helm, kustomize or api", f, doc.DocRef, doc.Format)
	}
	return nil
}

// Options are what the renderers need besides the converter's result.
type Options struct {
	// Config is the --config of the run (before defaults): its environment-wide settings
	// become the defaults of the variables or parameters the infrastructure formats declare.
	Config convert.Config
	// JSON writes the CloudFormation template as JSON instead of YAML.
	JSON bool
	// Name names what a run writes: the Helm chart (from the output directory).
	Name string
}

// A Collector renders a whole run: it takes the items of a batch in input order, then gives the
// files, with paths relative to the output directory.
type Collector interface {
	Add(convert.Item) error
	Files() ([]convert.File, error)
}

// NewCollector returns the collector of a format that writes files for the whole run, or nil
// for the api format, whose files the batch renders per workload.
func NewCollector(f Format, o Options) Collector {
	switch f {
	case Terraform:
		return newTerraform(o)
	case CloudFormation:
		return newCloudFormation(o)
	case Helm:
		return newHelm(o)
	case Kustomize:
		return newKustomize(o)
	}
	return nil
}

// missing is the set of --config settings a workload's conversion needed and did not get: the
// converter reports each at the path config.SETTING (config.executionRoleArn,
// config.network.subnets, config.scheduleRoleArn, config.accountId).
func missing(it convert.Item) map[string]bool {
	m := map[string]bool{}
	for _, f := range it.Findings {
		if s, ok := strings.CutPrefix(f.Path, "config."); ok {
			m[s] = true
		}
	}
	return m
}

// defaultCluster is the cluster the converter writes when --config names none.
const defaultCluster = "default"

// clusterOf is the cluster of the run.
func clusterOf(cfg convert.Config) string {
	if cfg.Cluster == "" {
		return defaultCluster
	}
	return cfg.Cluster
}

// setting is a value the manifests cannot know and every workload of a run shares: a Terraform
// variable or a CloudFormation parameter. A default comes from --config; without one the value is
// required.
type setting struct {
	key         string // snake_case; renderers spell it their way
	description string
	kind        settingKind
	def         any // string, []string or bool; nil: no default
}

type settingKind int

const (
	kindString settingKind = iota
	kindList
	kindBool
)

// settings collects the settings a run uses, each once.
type settings map[string]setting

func (s settings) use(st setting) string {
	if _, ok := s[st.key]; !ok {
		s[st.key] = st
	}
	return st.key
}

func (s settings) sorted() []setting {
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]setting, len(keys))
	for i, k := range keys {
		out[i] = s[k]
	}
	return out
}

// The environment-wide settings. Their defaults are the --config values, when given.
func clusterSetting(cfg convert.Config) setting {
	return setting{key: "cluster", description: "Name or ARN of the ECS cluster the services run in and the schedules start tasks on", def: clusterOf(cfg)}
}

func subnetsSetting(cfg convert.Config) setting {
	st := setting{key: "subnets", kind: kindList, description: "Subnets of the awsvpc tasks (1 to 16)"}
	if len(cfg.Network.Subnets) > 0 {
		st.def = cfg.Network.Subnets
	}
	return st
}

func securityGroupsSetting(cfg convert.Config) setting {
	def := cfg.Network.SecurityGroups
	if def == nil {
		def = []string{}
	}
	return setting{key: "security_groups", kind: kindList, description: "Security groups of the awsvpc tasks (at most 5; none: the VPC's default group)", def: def}
}

func assignPublicIPSetting(cfg convert.Config) setting {
	return setting{key: "assign_public_ip", kind: kindBool, description: "Whether awsvpc tasks get a public IP address (Fargate only)", def: cfg.Network.AssignPublicIP == "ENABLED"}
}

func executionRoleSetting(cfg convert.Config) setting {
	st := setting{key: "execution_role_arn", description: "ARN of the task execution role: image pulls, awslogs, secrets"}
	if cfg.ExecutionRoleArn != "" {
		st.def = cfg.ExecutionRoleArn
	}
	return st
}

func scheduleRoleSetting(cfg convert.Config) setting {
	st := setting{key: "schedule_role_arn", description: "ARN of the role EventBridge Scheduler assumes to start the CronJobs' tasks (ecs:RunTask, iam:PassRole for the task roles)"}
	if cfg.ScheduleRoleArn != "" {
		st.def = cfg.ScheduleRoleArn
	}
	return st
}

func vpcSetting() setting {
	return setting{key: "vpc_id", description: "VPC of the target groups the load-balanced services register in"}
}

func secretSetting(name string, keys []string) setting {
	return setting{key: "secret_" + snake(name) + "_arn", description: fmt.Sprintf("ARN of the Secrets Manager secret holding the keys of Kubernetes Secret %q (%s)", name, strings.Join(keys, ", "))}
}

// snake turns a name into lower snake case: "web-api.v2" → "web_api_v2".
func snake(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r - 'A' + 'a')
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// names gives each workload of a run one identifier, stable across runs: the same input gives the
// same names, and a collision (two names that spell alike) takes a numbered suffix in input order.
type names map[string]bool

func (n names) claim(id string) string {
	out := id
	for i := 2; n[out]; i++ {
		out = fmt.Sprintf("%s%s%d", id, sep(id), i)
	}
	n[out] = true
	return out
}

func sep(id string) string {
	if strings.Contains(id, "_") || (len(id) > 0 && id[0] >= 'a' && id[0] <= 'z') {
		return "_"
	}
	return ""
}

// targetGroupName is the name in a target group ARN (arn:…:targetgroup/NAME/ID).
func targetGroupName(arn string) string {
	_, rest, ok := strings.Cut(arn, ":targetgroup/")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}

// schedulesOf lists the schedules of a CronJob's output.
func schedulesOf(o *convert.Output) []*mapping.ScheduleInput {
	var out []*mapping.ScheduleInput
	if o.Schedule != nil {
		out = append(out, o.Schedule)
	}
	for _, s := range o.ExtraSchedules {
		if s != nil {
			out = append(out, s)
		}
	}
	return out
}

// tgSpec is a target group the infrastructure formats declare for a load-balanced service.
type tgSpec struct {
	name            string
	port            int32
	protocol        string
	protocolVersion string
	targetType      string
	healthCheck     *mapping.TargetGroupHealthCheck
}

// targetGroupSpec describes the target group of one of a service's load balancers: named as the
// group of the ARN in --config, on the container port, with the health check the converter took
// from the readiness probe. Its protocol is the health check's (HTTP, HTTPS; TCP otherwise, and
// HTTP without a health check); a gRPC check makes it a GRPC group. awsvpc tasks register by IP
// address (target type ip), others by instance.
func targetGroupSpec(o *convert.Output, arn string, port int32) tgSpec {
	s := tgSpec{name: targetGroupName(arn), port: port, protocol: "HTTP", targetType: "instance", healthCheck: o.TargetGroup}
	if s.name == "" {
		s.name = o.Name
	}
	if o.TaskDefinition != nil && o.TaskDefinition.NetworkMode == types.NetworkModeAwsvpc {
		s.targetType = "ip"
	}
	if hc := o.TargetGroup; hc != nil {
		switch hc.HealthCheckProtocol {
		case "HTTP", "HTTPS":
			s.protocol = hc.HealthCheckProtocol
		case "":
		default:
			s.protocol = "TCP"
		}
		if hc.Matcher != nil && hc.Matcher.GrpcCode != "" {
			s.protocolVersion = "GRPC"
		}
	}
	return s
}

// ec2Only tells a workload whose task definition runs on EC2 alone: its awsvpc tasks get no public
// IP, whatever the Fargate workloads of the same run are given.
func ec2Only(o *convert.Output) bool {
	td := o.TaskDefinition
	return td != nil && len(td.RequiresCompatibilities) > 0 && !slices.Contains(td.RequiresCompatibilities, types.CompatibilityFargate)
}
