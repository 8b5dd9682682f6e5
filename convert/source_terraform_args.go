package convert

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// The arguments of the AWS provider's aws_ecs_task_definition and aws_ecs_service, as its
// documentation lists them, and the API members they set. container_definitions is the
// API's JSON as a string; the other names are snake_case, some with other names or shapes than
// the API (volume → volumes, host_path → host.sourcePath, tags and proxy properties as maps,
// deployment_* → deploymentConfiguration, assign_public_ip as a bool). An argument with no API
// member (skip_destroy, wait_for_steady_state, …) is reported and left out.

// tfArg is one argument or nested block.
type tfArg struct {
	tf string
	// api is the member it sets, a dotted path from the enclosing object; "" for Terraform-only.
	api string
	// block is the nested schema of a block; single blocks become an object, others a list.
	block  []tfArg
	single bool
	// kind converts the value.
	kind tfKind
}

type tfKind int

const (
	tfPlain tfKind = iota
	// tfString: a string member Terraform lets be a number (cpu = 256).
	tfString
	// tfJSON: a JSON document in a string (container_definitions).
	tfJSON
	// tfTags: a map → [{key, value}] sorted by key.
	tfTags
	// tfNameValues: a map → [{name, value}] sorted by name.
	tfNameValues
	// tfEnabled: a bool → "ENABLED" / "DISABLED".
	tfEnabled
	// tfNumber: a number member the provider takes as a string (bake_time_in_minutes = "5").
	tfNumber
)

func (a tfArg) convert(v any) (any, error) {
	switch a.kind {
	case tfString:
		switch x := v.(type) {
		case float64:
			return scalarString(x), nil
		case string:
			return x, nil
		}
		return nil, fmt.Errorf("must be a string, not %s", jsonKind(v))
	case tfJSON:
		s, ok := v.(string)
		if !ok {
			return nil, errors.New("must be a JSON string (jsonencode(...), file(...) or a heredoc)")
		}
		var out any
		if err := json.Unmarshal([]byte(s), &out); err != nil {
			return nil, fmt.Errorf("not valid JSON: %v", err)
		}
		return out, nil
	case tfTags, tfNameValues:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, errors.New("must be a map")
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		k, val := "key", "value"
		if a.kind == tfNameValues {
			k = "name"
		}
		out := make([]any, 0, len(m))
		for _, key := range keys {
			out = append(out, map[string]any{k: key, val: m[key]})
		}
		return out, nil
	case tfNumber:
		switch x := v.(type) {
		case float64:
			return x, nil
		case string:
			if n, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
				return n, nil
			}
		}
		return nil, fmt.Errorf("must be a number, not %s", jsonKind(v))
	case tfEnabled:
		b, ok := v.(bool)
		if !ok {
			return nil, errors.New("must be true or false")
		}
		if b {
			return "ENABLED", nil
		}
		return "DISABLED", nil
	}
	return v, nil
}

func tfAttr(tf, api string) tfArg { return tfArg{tf: tf, api: api, kind: tfPlain} }

func tfNumberAttr(tf, api string) tfArg { return tfArg{tf: tf, api: api, kind: tfNumber} }

var tfTaskDefinitionArgs = []tfArg{
	tfAttr("family", "family"),
	{tf: "container_definitions", api: "containerDefinitions", kind: tfJSON},
	{tf: "cpu", api: "cpu", kind: tfString},
	{tf: "memory", api: "memory", kind: tfString},
	tfAttr("execution_role_arn", "executionRoleArn"),
	tfAttr("task_role_arn", "taskRoleArn"),
	tfAttr("network_mode", "networkMode"),
	tfAttr("ipc_mode", "ipcMode"),
	tfAttr("pid_mode", "pidMode"),
	tfAttr("requires_compatibilities", "requiresCompatibilities"),
	tfAttr("enable_fault_injection", "enableFaultInjection"),
	{tf: "tags", api: "tags", kind: tfTags},
	tfAttr("skip_destroy", ""),
	tfAttr("track_latest", ""),
	tfAttr("region", ""),
	{tf: "ephemeral_storage", api: "ephemeralStorage", single: true, block: []tfArg{tfAttr("size_in_gib", "sizeInGiB")}},
	{tf: "inference_accelerator", api: "inferenceAccelerators", block: []tfArg{tfAttr("device_name", "deviceName"), tfAttr("device_type", "deviceType")}},
	{tf: "placement_constraints", api: "placementConstraints", block: []tfArg{tfAttr("type", "type"), tfAttr("expression", "expression")}},
	{tf: "proxy_configuration", api: "proxyConfiguration", single: true, block: []tfArg{
		tfAttr("container_name", "containerName"), {tf: "properties", api: "properties", kind: tfNameValues}, tfAttr("type", "type")}},
	{tf: "runtime_platform", api: "runtimePlatform", single: true, block: []tfArg{
		tfAttr("operating_system_family", "operatingSystemFamily"), tfAttr("cpu_architecture", "cpuArchitecture")}},
	{tf: "volume", api: "volumes", block: []tfArg{
		tfAttr("name", "name"),
		tfAttr("host_path", "host.sourcePath"),
		tfAttr("configure_at_launch", "configuredAtLaunch"),
		{tf: "docker_volume_configuration", api: "dockerVolumeConfiguration", single: true, block: []tfArg{
			tfAttr("scope", "scope"), tfAttr("autoprovision", "autoprovision"), tfAttr("driver", "driver"),
			tfAttr("driver_opts", "driverOpts"), tfAttr("labels", "labels")}},
		{tf: "efs_volume_configuration", api: "efsVolumeConfiguration", single: true, block: []tfArg{
			tfAttr("file_system_id", "fileSystemId"), tfAttr("root_directory", "rootDirectory"),
			tfAttr("transit_encryption", "transitEncryption"), tfAttr("transit_encryption_port", "transitEncryptionPort"),
			{tf: "authorization_config", api: "authorizationConfig", single: true, block: []tfArg{
				tfAttr("access_point_id", "accessPointId"), tfAttr("iam", "iam")}}}},
		{tf: "fsx_windows_file_server_volume_configuration", api: "fsxWindowsFileServerVolumeConfiguration", single: true, block: []tfArg{
			tfAttr("file_system_id", "fileSystemId"), tfAttr("root_directory", "rootDirectory"),
			{tf: "authorization_config", api: "authorizationConfig", single: true, block: []tfArg{
				tfAttr("credentials_parameter", "credentialsParameter"), tfAttr("domain", "domain")}}}},
	}},
}

var tfServiceArgs = []tfArg{
	tfAttr("name", "serviceName"),
	tfAttr("cluster", "cluster"),
	tfAttr("task_definition", "taskDefinition"),
	tfAttr("desired_count", "desiredCount"),
	tfAttr("launch_type", "launchType"),
	tfAttr("platform_version", "platformVersion"),
	tfAttr("scheduling_strategy", "schedulingStrategy"),
	tfAttr("deployment_maximum_percent", "deploymentConfiguration.maximumPercent"),
	tfAttr("deployment_minimum_healthy_percent", "deploymentConfiguration.minimumHealthyPercent"),
	tfAttr("enable_ecs_managed_tags", "enableECSManagedTags"),
	tfAttr("enable_execute_command", "enableExecuteCommand"),
	tfAttr("health_check_grace_period_seconds", "healthCheckGracePeriodSeconds"),
	tfAttr("iam_role", "role"),
	tfAttr("propagate_tags", "propagateTags"),
	tfAttr("availability_zone_rebalancing", "availabilityZoneRebalancing"),
	{tf: "tags", api: "tags", kind: tfTags},
	tfAttr("force_new_deployment", ""),
	tfAttr("force_delete", ""),
	tfAttr("wait_for_steady_state", ""),
	tfAttr("triggers", ""),
	tfAttr("sigint_rollback", ""),
	tfAttr("region", ""),
	{tf: "alarms", api: "deploymentConfiguration.alarms", single: true, block: []tfArg{
		tfAttr("alarm_names", "alarmNames"), tfAttr("enable", "enable"), tfAttr("rollback", "rollback")}},
	{tf: "deployment_circuit_breaker", api: "deploymentConfiguration.deploymentCircuitBreaker", single: true, block: []tfArg{
		tfAttr("enable", "enable"), tfAttr("rollback", "rollback")}},
	{tf: "deployment_configuration", api: "deploymentConfiguration", single: true, block: []tfArg{
		tfAttr("strategy", "strategy"), tfNumberAttr("bake_time_in_minutes", "bakeTimeInMinutes"),
		{tf: "linear_configuration", api: "linearConfiguration", single: true, block: []tfArg{
			tfNumberAttr("step_bake_time_in_minutes", "stepBakeTimeInMinutes"), tfNumberAttr("step_percent", "stepPercent")}},
		{tf: "canary_configuration", api: "canaryConfiguration", single: true, block: []tfArg{
			tfNumberAttr("canary_bake_time_in_minutes", "canaryBakeTimeInMinutes"), tfNumberAttr("canary_percent", "canaryPercent")}},
		{tf: "lifecycle_hook", api: "lifecycleHooks", block: []tfArg{
			tfAttr("hook_target_arn", "hookTargetArn"), tfAttr("role_arn", "roleArn"),
			tfAttr("lifecycle_stages", "lifecycleStages"), {tf: "hook_details", api: "hookDetails", kind: tfJSON}}},
	}},
	{tf: "deployment_controller", api: "deploymentController", single: true, block: []tfArg{tfAttr("type", "type")}},
	{tf: "capacity_provider_strategy", api: "capacityProviderStrategy", block: []tfArg{
		tfAttr("capacity_provider", "capacityProvider"), tfAttr("weight", "weight"), tfAttr("base", "base")}},
	{tf: "load_balancer", api: "loadBalancers", block: []tfArg{
		tfAttr("elb_name", "loadBalancerName"), tfAttr("target_group_arn", "targetGroupArn"),
		tfAttr("container_name", "containerName"), tfAttr("container_port", "containerPort"),
		{tf: "advanced_configuration", api: "advancedConfiguration", single: true, block: []tfArg{
			tfAttr("alternate_target_group_arn", "alternateTargetGroupArn"), tfAttr("production_listener_rule", "productionListenerRule"),
			tfAttr("role_arn", "roleArn"), tfAttr("test_listener_rule", "testListenerRule")}}}},
	{tf: "network_configuration", api: "networkConfiguration.awsvpcConfiguration", single: true, block: []tfArg{
		tfAttr("subnets", "subnets"), tfAttr("security_groups", "securityGroups"),
		{tf: "assign_public_ip", api: "assignPublicIp", kind: tfEnabled}}},
	{tf: "ordered_placement_strategy", api: "placementStrategy", block: []tfArg{tfAttr("type", "type"), tfAttr("field", "field")}},
	{tf: "placement_constraints", api: "placementConstraints", block: []tfArg{tfAttr("type", "type"), tfAttr("expression", "expression")}},
	{tf: "service_registries", api: "serviceRegistries", block: []tfArg{
		tfAttr("registry_arn", "registryArn"), tfAttr("port", "port"),
		tfAttr("container_port", "containerPort"), tfAttr("container_name", "containerName")}},
	{tf: "service_connect_configuration", api: "serviceConnectConfiguration", single: true, block: []tfArg{
		tfAttr("enabled", "enabled"), tfAttr("namespace", "namespace"),
		{tf: "access_log_configuration", api: "accessLogConfiguration", single: true, block: []tfArg{
			tfAttr("format", "format"), tfAttr("include_query_parameters", "includeQueryParameters")}},
		{tf: "log_configuration", api: "logConfiguration", single: true, block: []tfArg{
			tfAttr("log_driver", "logDriver"), tfAttr("options", "options"),
			{tf: "secret_option", api: "secretOptions", block: []tfArg{tfAttr("name", "name"), tfAttr("value_from", "valueFrom")}}}},
		{tf: "service", api: "services", block: []tfArg{
			tfAttr("port_name", "portName"), tfAttr("discovery_name", "discoveryName"),
			tfAttr("ingress_port_override", "ingressPortOverride"),
			{tf: "client_alias", api: "clientAliases", block: []tfArg{tfAttr("port", "port"), tfAttr("dns_name", "dnsName"),
				{tf: "test_traffic_rules", api: "testTrafficRules", single: true, block: []tfArg{
					{tf: "header", api: "header", single: true, block: []tfArg{
						tfAttr("name", "name"),
						{tf: "value", api: "value", single: true, block: []tfArg{tfAttr("exact", "exact")}}}}}}}},
			{tf: "timeout", api: "timeout", single: true, block: []tfArg{
				tfAttr("idle_timeout_seconds", "idleTimeoutSeconds"), tfAttr("per_request_timeout_seconds", "perRequestTimeoutSeconds")}},
			{tf: "tls", api: "tls", single: true, block: []tfArg{
				{tf: "issuer_cert_authority", api: "issuerCertificateAuthority", single: true, block: []tfArg{
					tfAttr("aws_pca_authority_arn", "awsPcaAuthorityArn")}},
				tfAttr("kms_key", "kmsKey"), tfAttr("role_arn", "roleArn")}},
		}},
	}},
	{tf: "volume_configuration", api: "volumeConfigurations", block: []tfArg{
		tfAttr("name", "name"),
		{tf: "managed_ebs_volume", api: "managedEBSVolume", single: true, block: []tfArg{
			tfAttr("role_arn", "roleArn"), tfAttr("encrypted", "encrypted"), tfAttr("file_system_type", "filesystemType"),
			tfAttr("iops", "iops"), tfAttr("kms_key_id", "kmsKeyId"), tfAttr("size_in_gb", "sizeInGiB"),
			tfAttr("snapshot_id", "snapshotId"), tfAttr("throughput", "throughput"),
			tfAttr("volume_initialization_rate", "volumeInitializationRate"), tfAttr("volume_type", "volumeType"),
			{tf: "tag_specifications", api: "tagSpecifications", block: []tfArg{
				tfAttr("resource_type", "resourceType"), tfAttr("propagate_tags", "propagateTags"),
				{tf: "tags", api: "tags", kind: tfTags}}}}},
	}},
	{tf: "vpc_lattice_configurations", api: "vpcLatticeConfigurations", block: []tfArg{
		tfAttr("role_arn", "roleArn"), tfAttr("target_group_arn", "targetGroupArn"), tfAttr("port_name", "portName")}},
}
