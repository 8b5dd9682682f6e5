package convert

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// Config holds what Kubernetes manifests cannot know about the ECS side: the cluster, the network,
// IAM roles, where Secrets live in AWS, which EFS file system backs a claim, and log settings.
// It is read from the YAML file given with --config; docs/config.md documents every field.
type Config struct {
	// Cluster is the ECS cluster that services are created in (default "default").
	Cluster string `json:"cluster,omitempty"`
	// LaunchType is FARGATE (default) or EC2.
	LaunchType string `json:"launchType,omitempty"`
	// Region and AccountID complete ARNs that are derived rather than configured (secrets).
	Region    string `json:"region,omitempty"`
	AccountID string `json:"accountId,omitempty"`
	// PlatformVersion for Fargate services (e.g. LATEST, 1.4.0); omitted when empty.
	PlatformVersion string `json:"platformVersion,omitempty"`
	// Network is the awsvpc configuration of services and tasks.
	Network Network `json:"network,omitempty"`
	// ExecutionRoleArn lets ECS pull images, write logs and read secrets.
	ExecutionRoleArn string `json:"executionRoleArn,omitempty"`
	// TaskRoleArn is the role of tasks whose ServiceAccount maps to no role.
	TaskRoleArn string `json:"taskRoleArn,omitempty"`
	// ServiceAccounts maps "name" or "namespace/name" to an IAM role ARN for the task role.
	ServiceAccounts map[string]string `json:"serviceAccounts,omitempty"`
	// Secrets maps a Kubernetes Secret ("name" or "namespace/name") or one key of it
	// ("name/key", "namespace/name/key") to a Secrets Manager or SSM Parameter Store ARN.
	Secrets map[string]string `json:"secrets,omitempty"`
	// RegistryCredentials maps an imagePullSecret name to a Secrets Manager secret ARN.
	RegistryCredentials map[string]string `json:"registryCredentials,omitempty"`
	// Volumes maps a PersistentVolumeClaim name ("name" or "namespace/name") to an EFS volume.
	Volumes map[string]EFSVolume `json:"volumes,omitempty"`
	// Logging is the log configuration given to every container.
	Logging Logging `json:"logging,omitempty"`
	// DefaultMemoryMiB is the memoryReservation given to EC2 containers that declare no memory
	// (the API requires one of memory or memoryReservation when the task has no memory). Default 512.
	DefaultMemoryMiB int32 `json:"defaultMemoryMiB,omitempty"`
	// CircuitBreakerRollback turns on rollback in the deployment circuit breaker (default false:
	// Kubernetes never rolls back by itself).
	CircuitBreakerRollback bool `json:"circuitBreakerRollback,omitempty"`
	// TargetGroups maps a LoadBalancer or NodePort Service to the ELBv2 target group its ECS
	// service registers tasks in: "name" (the first port), "name:port" or "name:portName", each
	// optionally "namespace/"-prefixed. ECS attaches services to existing target groups only.
	TargetGroups map[string]string `json:"targetGroups,omitempty"`
	// ServiceConnectNamespace is the Cloud Map namespace (name or ARN) ClusterIP Services join
	// through Service Connect; empty leaves it to the cluster's default namespace.
	ServiceConnectNamespace string `json:"serviceConnectNamespace,omitempty"`
	// ScheduleRoleArn is the IAM role EventBridge Scheduler assumes to run a CronJob's tasks
	// (ecs:RunTask, and iam:PassRole for the task's roles).
	ScheduleRoleArn string `json:"scheduleRoleArn,omitempty"`

	// Files configures the files container that writes configMap, secret, projected and
	// downwardAPI volumes (see files.go).
	Files FilesConfig `json:"files,omitempty"`
}

// Network is the awsvpc network configuration of a service or task.
type Network struct {
	Subnets        []string `json:"subnets,omitempty"`
	SecurityGroups []string `json:"securityGroups,omitempty"`
	// AssignPublicIP is ENABLED or DISABLED (default DISABLED).
	AssignPublicIP string `json:"assignPublicIp,omitempty"`
}

// EFSVolume is the EFS file system that backs a PersistentVolumeClaim.
type EFSVolume struct {
	FileSystemID  string `json:"fileSystemId"`
	RootDirectory string `json:"rootDirectory,omitempty"`
	AccessPointID string `json:"accessPointId,omitempty"`
	// TransitEncryption is ENABLED or DISABLED; it is forced on with an access point or IAM.
	TransitEncryption string `json:"transitEncryption,omitempty"`
	// IAM is ENABLED or DISABLED: use the task role to authorise the mount.
	IAM string `json:"iam,omitempty"`
}

// Logging is the log configuration given to every container.
type Logging struct {
	// Disabled leaves containers without a logConfiguration.
	Disabled bool `json:"disabled,omitempty"`
	// Driver is the ECS log driver (default awslogs).
	Driver string `json:"driver,omitempty"`
	// Group is the awslogs group; "{family}" is replaced by the task family (default /ecs/{family}).
	Group string `json:"group,omitempty"`
	// StreamPrefix is the awslogs stream prefix (default ecs; required on Fargate).
	StreamPrefix string `json:"streamPrefix,omitempty"`
	// CreateGroup sets awslogs-create-group so the group is created on first use.
	CreateGroup bool `json:"createGroup,omitempty"`
	// Options are extra or overriding driver options.
	Options map[string]string `json:"options,omitempty"`
}

// Launch types.
const (
	LaunchFargate = "FARGATE"
	LaunchEC2     = "EC2"
)

// DefaultConfig returns the configuration used when no --config is given.
func DefaultConfig() Config { return Config{}.withDefaults() }

func (c Config) withDefaults() Config {
	if c.Cluster == "" {
		c.Cluster = "default"
	}
	c.LaunchType = strings.ToUpper(c.LaunchType)
	if c.LaunchType == "" {
		c.LaunchType = LaunchFargate
	}
	if c.DefaultMemoryMiB == 0 {
		c.DefaultMemoryMiB = 512
	}
	if c.Logging.Driver == "" {
		c.Logging.Driver = "awslogs"
	}
	if c.Logging.Group == "" {
		c.Logging.Group = "/ecs/{family}"
	}
	if c.Logging.StreamPrefix == "" {
		c.Logging.StreamPrefix = "ecs"
	}
	if c.Network.AssignPublicIP == "" {
		c.Network.AssignPublicIP = "DISABLED"
	}
	return c
}

// ParseConfig reads a --config document strictly: unknown fields are errors, so typos surface.
func ParseConfig(data []byte) (Config, error) {
	var c Config
	if len(bytes.TrimSpace(data)) > 0 {
		if err := yaml.UnmarshalStrict(data, &c); err != nil {
			return Config{}, fmt.Errorf("config: %w", err)
		}
	}
	c = c.withDefaults()
	return c, c.Validate()
}

var (
	arnRE    = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]*:.+$`)
	regionRE = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
)

// Validate checks the values ECS would reject later, naming the config field.
func (c Config) Validate() error {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if c.LaunchType != LaunchFargate && c.LaunchType != LaunchEC2 {
		bad("launchType: %q is not FARGATE or EC2", c.LaunchType)
	}
	if c.Region != "" && !regionRE.MatchString(c.Region) {
		bad("region: %q is not an AWS region name", c.Region)
	}
	if c.AccountID != "" && !regexp.MustCompile(`^[0-9]{12}$`).MatchString(c.AccountID) {
		bad("accountId: %q is not a 12-digit AWS account ID", c.AccountID)
	}
	if ip := c.Network.AssignPublicIP; ip != "ENABLED" && ip != "DISABLED" {
		bad("network.assignPublicIp: %q is not ENABLED or DISABLED", ip)
	}
	if n := len(c.Network.Subnets); n > 16 {
		bad("network.subnets: %d subnets, ECS takes at most 16", n)
	}
	if n := len(c.Network.SecurityGroups); n > 5 {
		bad("network.securityGroups: %d security groups, ECS takes at most 5", n)
	}
	for _, f := range []struct{ name, v string }{{"executionRoleArn", c.ExecutionRoleArn}, {"taskRoleArn", c.TaskRoleArn}, {"scheduleRoleArn", c.ScheduleRoleArn}} {
		if f.v != "" && !arnRE.MatchString(f.v) {
			bad("%s: %q is not an ARN", f.name, f.v)
		}
	}
	for _, m := range []struct {
		name string
		m    map[string]string
	}{{"serviceAccounts", c.ServiceAccounts}, {"registryCredentials", c.RegistryCredentials}, {"targetGroups", c.TargetGroups}} {
		for _, k := range sortedKeys(m.m) {
			if !arnRE.MatchString(m.m[k]) {
				bad("%s[%q]: %q is not an ARN", m.name, k, m.m[k])
			}
		}
	}
	for _, k := range sortedKeys(c.Secrets) {
		v := c.Secrets[k]
		// SSM parameters in the same region may be given by name; everything else is an ARN.
		if !arnRE.MatchString(v) && !strings.HasPrefix(v, "/") {
			bad("secrets[%q]: %q is neither an ARN nor an SSM parameter name starting with /", k, v)
		}
	}
	for _, k := range sortedKeys(c.Volumes) {
		v := c.Volumes[k]
		if !strings.HasPrefix(v.FileSystemID, "fs-") {
			bad("volumes[%q].fileSystemId: %q is not an EFS file system ID (fs-…)", k, v.FileSystemID)
		}
		for _, f := range []struct{ name, v string }{{"transitEncryption", v.TransitEncryption}, {"iam", v.IAM}} {
			if f.v != "" && f.v != "ENABLED" && f.v != "DISABLED" {
				bad("volumes[%q].%s: %q is not ENABLED or DISABLED", k, f.name, f.v)
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("config: %s", strings.Join(errs, "; "))
	}
	return nil
}

// lookup finds a value keyed by "namespace/name" first, then by "name".
func lookup[V any](m map[string]V, namespace, name string) (V, bool) {
	if namespace != "" {
		if v, ok := m[namespace+"/"+name]; ok {
			return v, true
		}
	}
	v, ok := m[name]
	return v, ok
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
