package verify

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/podecs/podecs/ecsapi"
)

// The checks of a task definition: its roles, and what ECS fetches for it at start (images,
// secrets, log groups, volumes).

// onFargate reports whether the task runs on Fargate: it requires FARGATE, or a service of it
// launches on Fargate.
func onFargate(td *ecs.RegisterTaskDefinitionInput, services []*ecs.CreateServiceInput) bool {
	for _, c := range td.RequiresCompatibilities {
		if c == types.CompatibilityFargate {
			return true
		}
	}
	for _, s := range services {
		if s.LaunchType == types.LaunchTypeFargate {
			return true
		}
		for _, p := range s.CapacityProviderStrategy {
			if strings.HasPrefix(aws.ToString(p.CapacityProvider), "FARGATE") {
				return true
			}
		}
	}
	return false
}

// executionRoleNeeds lists what makes the execution role required: secrets and environment files
// on any launch type, and on Fargate also the awslogs driver and private ECR images.
func executionRoleNeeds(td *ecs.RegisterTaskDefinitionInput, fargate bool) []string {
	var why []string
	add := func(s string) {
		if !contains(why, s) {
			why = append(why, s)
		}
	}
	for _, c := range td.ContainerDefinitions {
		if len(c.Secrets) > 0 || (c.LogConfiguration != nil && len(c.LogConfiguration.SecretOptions) > 0) {
			add("secrets")
		}
		if c.RepositoryCredentials != nil {
			add("repositoryCredentials")
		}
		if len(c.EnvironmentFiles) > 0 {
			add("environmentFiles")
		}
		if fargate && c.LogConfiguration != nil && c.LogConfiguration.LogDriver == types.LogDriverAwslogs {
			add("the awslogs log driver on Fargate")
		}
		if fargate && parseImage(aws.ToString(c.Image)).ecr {
			add("images from Amazon ECR on Fargate")
		}
	}
	return why
}

func (v *verifier) taskDefinitionChecks(w *workload) {
	td := w.td
	fargate := onFargate(td, w.services)
	exec := aws.ToString(td.ExecutionRoleArn)
	switch why := executionRoleNeeds(td, fargate); {
	case exec != "":
		v.add(w.name, "execution role", exec, "role\x00"+exec, v.roleCheck(exec))
	case len(why) > 0:
		verb := "needs"
		if len(why) > 1 {
			verb = "need"
		}
		v.note(w.name, "execution role", "-", fail("none set, but %s %s one: set executionRoleArn (--config)", strings.Join(why, ", "), verb))
	}
	if task := aws.ToString(td.TaskRoleArn); task != "" {
		v.add(w.name, "task role", task, "role\x00"+task, v.roleCheck(task))
	}
	for _, c := range td.ContainerDefinitions {
		v.imageChecks(w.name, c, exec, fargate)
		for _, s := range c.Secrets {
			v.secretChecks(w.name, "secret", aws.ToString(s.ValueFrom), exec)
		}
		if lc := c.LogConfiguration; lc != nil {
			v.logChecks(w.name, aws.ToString(c.Name), lc, exec, fargate)
			for _, s := range lc.SecretOptions {
				v.secretChecks(w.name, "secret", aws.ToString(s.ValueFrom), exec)
			}
		}
		for _, f := range c.EnvironmentFiles {
			v.environmentFileChecks(w.name, aws.ToString(f.Value), exec)
		}
		if fc := c.FirelensConfiguration; fc != nil && fc.Options["config-file-type"] == "s3" {
			v.note(w.name, "log router configuration", fc.Options["config-file-value"], skip("an S3 object: verify reads no S3 objects"))
		}
	}
	for _, vol := range td.Volumes {
		v.volumeChecks(w.name, vol)
	}
	if pc := td.ProxyConfiguration; pc != nil {
		v.note(w.name, "proxy configuration", aws.ToString(pc.ContainerName), skip("App Mesh proxy settings are not checked"))
	}
}

// imageChecks checks a container's image in ECR (and the execution role's right to pull it), or
// the secret of its repositoryCredentials for another registry.
func (v *verifier) imageChecks(workload string, c types.ContainerDefinition, exec string, fargate bool) {
	image := aws.ToString(c.Image)
	ref := parseImage(image)
	switch {
	case placeholder(image):
		v.note(workload, "image", image, skip("a template, not an image reference"))
	case !ref.ecr && ref.registry == "public.ecr.aws":
		v.note(workload, "image", image, skip("Amazon ECR Public is not checked"))
	case !ref.ecr:
		v.note(workload, "image", image, skip("registry %s is not a private Amazon ECR registry: not checked", ref.registry))
	default:
		v.add(workload, "image", image, "image\x00"+image, v.imageCheck(ref))
		if exec != "" {
			repoARN := fmt.Sprintf("arn:%s:ecr:%s:%s:repository/%s", ecsapi.Partition(ref.region), ref.region, ref.registryID, ref.repository)
			v.add(workload, "execution role access", repoARN, "access\x00"+exec+"\x00"+repoARN, v.accessCheck(exec, func(context.Context) ([]permission, *result) {
				return []permission{{"ecr:GetAuthorizationToken", "*"}, {"ecr:BatchGetImage", repoARN}, {"ecr:GetDownloadUrlForLayer", repoARN}}, nil
			}))
		}
	}
	if rc := c.RepositoryCredentials; rc != nil {
		v.secretChecks(workload, "registry credentials", aws.ToString(rc.CredentialsParameter), exec)
	}
}

func (v *verifier) imageCheck(ref imageRef) func(context.Context) result {
	return func(ctx context.Context) result {
		img, err := v.aws.DescribeImage(ctx, ref.region, ref.registryID, ref.repository, ref.tag, ref.digest)
		what := "tag " + ref.tag
		if ref.digest != "" {
			what = "digest " + ref.digest
		}
		switch code := ecsapi.ErrorCode(err); {
		case code == "RepositoryNotFoundException":
			return fail("repository %s does not exist in registry %s (%s)", ref.repository, ref.registryID, ref.region)
		case code == "ImageNotFoundException":
			return fail("%s is not in repository %s: push it first", what, ref.repository)
		case err != nil:
			return errored(err)
		}
		if ref.digest != "" {
			return ok("%s exists", what)
		}
		return ok("%s exists (%s)", what, img.Digest)
	}
}

// secretChecks checks a valueFrom: the secret or parameter exists (described, never read), and
// the execution role may read it.
func (v *verifier) secretChecks(workload, check, valueFrom, exec string) {
	if placeholder(valueFrom) {
		v.note(workload, check, valueFrom, fail("a placeholder, not a secret: map the Kubernetes Secret to its ARN in --config (secrets)"))
		return
	}
	ref := parseSecretRef(valueFrom)
	region := firstOf(ref.region, v.region)
	key := "secret\x00" + region + "\x00" + ref.id + "\x00" + ref.versionStage + "\x00" + ref.versionID
	switch {
	case ref.kind == "secretsmanager":
		v.add(workload, check, valueFrom, key, v.secretCheck(region, ref))
		if ref.jsonKey != "" {
			v.note(workload, "secret key", valueFrom, skip("key %q: only the secret's value holds its keys, and verify never reads a value", ref.jsonKey))
		}
	case strings.HasPrefix(ref.id, "/aws/service/"):
		v.note(workload, check, valueFrom, skip("a public parameter of AWS: not checked"))
		return
	default:
		v.add(workload, check, valueFrom, key, v.parameterCheck(region, ref))
	}
	if exec != "" {
		v.add(workload, "execution role access", valueFrom, "access\x00"+exec+"\x00"+key, v.accessCheck(exec, v.secretNeed(region, ref, exec)))
	}
}

func (v *verifier) secret(ctx context.Context, region, id string) (*ecsapi.Secret, error) {
	return memo(v, "describe-secret\x00"+region+"\x00"+id, func() (*ecsapi.Secret, error) { return v.aws.DescribeSecret(ctx, region, id) })
}

func (v *verifier) parameter(ctx context.Context, region, name string) (*ecsapi.Parameter, error) {
	return memo(v, "parameter\x00"+region+"\x00"+name, func() (*ecsapi.Parameter, error) { return v.aws.FindParameter(ctx, region, name) })
}

func (v *verifier) secretCheck(region string, ref secretRef) func(context.Context) result {
	return func(ctx context.Context) result {
		s, err := v.secret(ctx, region, ref.id)
		switch {
		case ecsapi.ErrorCode(err) == "ResourceNotFoundException":
			return fail("no such secret in Secrets Manager (%s)", region)
		case err != nil:
			return errored(err)
		case s.Deleted:
			return fail("the secret %s is scheduled for deletion", s.Name)
		}
		if ref.versionID != "" {
			if _, found := s.VersionStages[ref.versionID]; !found {
				return fail("the secret %s has no version %s", s.Name, ref.versionID)
			}
		}
		if stage := ref.versionStage; stage != "" && !hasStage(s.VersionStages, stage) {
			return fail("no version of the secret %s has the stage %s", s.Name, stage)
		}
		return ok("secret %s exists", s.Name)
	}
}

func hasStage(versions map[string][]string, stage string) bool {
	for _, stages := range versions {
		if contains(stages, stage) {
			return true
		}
	}
	return false
}

func (v *verifier) parameterCheck(region string, ref secretRef) func(context.Context) result {
	return func(ctx context.Context) result {
		p, err := v.parameter(ctx, region, ref.id)
		switch {
		case err != nil:
			return errored(err)
		case p == nil:
			return fail("no such parameter in SSM Parameter Store (%s)", region)
		}
		return ok("parameter %s exists (%s)", p.Name, p.Type)
	}
}

// secretNeed is what the execution role needs to read a secret or parameter:
// secretsmanager:GetSecretValue or ssm:GetParameters, and kms:Decrypt on a customer managed key.
func (v *verifier) secretNeed(region string, ref secretRef, exec string) func(context.Context) ([]permission, *result) {
	return func(ctx context.Context) ([]permission, *result) {
		roleARN, _ := parseARN(exec)
		account := firstOf(ref.account, v.accountOr(ctx, roleARN.account))
		partition := ecsapi.Partition(region)
		if ref.kind == "secretsmanager" {
			s, err := v.secret(ctx, region, ref.id)
			if err != nil || s == nil {
				r := skip("the secret cannot be described (see its own check)")
				return nil, &r
			}
			return append([]permission{{"secretsmanager:GetSecretValue", s.ARN}}, kmsNeed(s.KMSKeyID, partition, region, account)...), nil
		}
		p, err := v.parameter(ctx, region, ref.id)
		if err != nil || p == nil {
			r := skip("the parameter cannot be described (see its own check)")
			return nil, &r
		}
		paramARN := p.ARN
		if paramARN == "" {
			paramARN = "arn:" + partition + ":ssm:" + region + ":" + account + ":parameter/" + strings.TrimPrefix(p.Name, "/")
		}
		need := []permission{{"ssm:GetParameters", paramARN}}
		if p.Type == "SecureString" {
			need = append(need, kmsNeed(p.KeyID, partition, region, account)...)
		}
		return need, nil
	}
}

// logChecks checks the log group of the awslogs driver (or of a FireLens CloudWatch output) and,
// on Fargate, the execution role's right to write to it.
func (v *verifier) logChecks(workload, container string, lc *types.LogConfiguration, exec string, fargate bool) {
	opts := lc.Options
	var group, region string
	var create bool
	switch lc.LogDriver {
	case types.LogDriverAwslogs:
		group, region, create = opts["awslogs-group"], opts["awslogs-region"], opts["awslogs-create-group"] == "true"
	case types.LogDriverAwsfirelens:
		switch name := strings.ToLower(opts["Name"]); name {
		case "cloudwatch", "cloudwatch_logs":
			group, region, create = opts["log_group_name"], opts["region"], opts["auto_create_group"] == "true"
		case "":
			return
		default:
			v.note(workload, "log destination", opts["Name"], skip("FireLens output %s: not checked", opts["Name"]))
			return
		}
	default:
		return
	}
	region = firstOf(region, v.region)
	switch {
	case placeholder(region):
		v.note(workload, "log group", group, skip("the region %s is a template: known only at run time", region))
		return
	case group == "":
		v.note(workload, "log group", "-", fail("container %s: the %s driver has no log group", container, lc.LogDriver))
		return
	case placeholder(group):
		v.note(workload, "log group", group, skip("a template: the name is known only at run time"))
		return
	}
	resource := group
	if region != v.region {
		resource += " (" + region + ")"
	}
	v.add(workload, "log group", resource, fmt.Sprintf("logs\x00%s\x00%s\x00%t", region, group, create), v.logGroupCheck(region, group, create))
	if exec == "" || !fargate || lc.LogDriver != types.LogDriverAwslogs {
		return
	}
	v.add(workload, "execution role access", resource, fmt.Sprintf("access\x00%s\x00logs\x00%s\x00%s\x00%t", exec, region, group, create), v.accessCheck(exec, func(ctx context.Context) ([]permission, *result) {
		roleARN, _ := parseARN(exec)
		groupARN := fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", ecsapi.Partition(region), region, v.accountOr(ctx, roleARN.account), group)
		need := []permission{{"logs:CreateLogStream", groupARN + ":*"}, {"logs:PutLogEvents", groupARN + ":log-stream:" + opts["awslogs-stream-prefix"] + "/" + container + "/TASK_ID"}}
		if create {
			need = append(need, permission{"logs:CreateLogGroup", groupARN + ":*"})
		}
		return need, nil
	}))
}

func (v *verifier) logGroupCheck(region, group string, create bool) func(context.Context) result {
	return func(ctx context.Context) result {
		g, err := memo(v, "log-group\x00"+region+"\x00"+group, func() (*ecsapi.LogGroup, error) { return v.aws.FindLogGroup(ctx, region, group) })
		switch {
		case err != nil:
			return errored(err)
		case g != nil:
			return ok("exists")
		case create:
			return ok("does not exist yet: created at the first start (awslogs-create-group)")
		}
		return fail("does not exist in %s: create it, or let the task create it (awslogs-create-group, logging.createGroup in --config)", region)
	}
}

// environmentFileChecks lists an environment file: S3 objects are not read, but the execution
// role's right to read it is checked.
func (v *verifier) environmentFileChecks(workload, value, exec string) {
	v.note(workload, "environment file", value, skip("an S3 object: verify reads no S3 objects"))
	a, isARN := parseARN(value)
	if exec == "" || !isARN || a.service != "s3" {
		return
	}
	bucket, _, _ := strings.Cut(a.resource, "/")
	v.add(workload, "execution role access", value, "access\x00"+exec+"\x00"+value, v.accessCheck(exec, func(context.Context) ([]permission, *result) {
		return []permission{{"s3:GetObject", value}, {"s3:GetBucketLocation", "arn:" + a.partition + ":s3:::" + bucket}}, nil
	}))
}

// volumeChecks checks the EFS file system and access point of a volume; FSx is listed.
func (v *verifier) volumeChecks(workload string, vol types.Volume) {
	if fsx := vol.FsxWindowsFileServerVolumeConfiguration; fsx != nil {
		v.note(workload, "fsx file system", aws.ToString(fsx.FileSystemId), skip("FSx for Windows File Server is not checked"))
	}
	efs := vol.EfsVolumeConfiguration
	if efs == nil {
		return
	}
	fs := aws.ToString(efs.FileSystemId)
	v.add(workload, "efs file system", fs, "efs\x00"+fs, func(ctx context.Context) result {
		f, err := v.fileSystem(ctx, fs)
		switch {
		case ecsapi.ErrorCode(err) == "FileSystemNotFound":
			return fail("does not exist in %s", v.region)
		case err != nil:
			return errored(err)
		case f.State != "available":
			return warn("is %s, not available", f.State)
		}
		return ok("available")
	})
	if ac := efs.AuthorizationConfig; ac != nil && aws.ToString(ac.AccessPointId) != "" {
		ap := aws.ToString(ac.AccessPointId)
		v.add(workload, "efs access point", ap, "efs-ap\x00"+ap+"\x00"+fs, func(ctx context.Context) result {
			a, err := v.aws.DescribeAccessPoint(ctx, v.region, ap)
			switch {
			case ecsapi.ErrorCode(err) == "AccessPointNotFound":
				return fail("does not exist in %s", v.region)
			case err != nil:
				return errored(err)
			case a.FileSystemID != fs:
				return fail("belongs to file system %s, not %s", a.FileSystemID, fs)
			case a.State != "available":
				return warn("is %s, not available", a.State)
			}
			return ok("available, on %s", fs)
		})
	}
}

func (v *verifier) fileSystem(ctx context.Context, id string) (*ecsapi.FileSystem, error) {
	return memo(v, "efs\x00"+id, func() (*ecsapi.FileSystem, error) { return v.aws.DescribeFileSystem(ctx, v.region, id) })
}

func firstOf(vs ...string) string {
	for _, s := range vs {
		if s != "" {
			return s
		}
	}
	return ""
}
