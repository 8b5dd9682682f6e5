package verify

import (
	"strings"
)

// arn is an Amazon Resource Name: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE.
type arn struct {
	partition, service, region, account, resource string
}

// parseARN reads an ARN; ok is false for anything else.
func parseARN(s string) (arn, bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] == "" {
		return arn{}, false
	}
	return arn{partition: parts[1], service: parts[2], region: parts[3], account: parts[4], resource: parts[5]}, true
}

// placeholder reports whether s still holds a placeholder podecs writes when --config does not
// say (ACCOUNT_ID, REGION), or a template variable.
func placeholder(s string) bool {
	return strings.Contains(s, "ACCOUNT_ID") || strings.Contains(s, ":REGION:") ||
		strings.Contains(s, "${") || strings.Contains(s, "{{") || strings.Contains(s, "$(")
}

// roleName is the name of a role ARN (arn:aws:iam::ACCOUNT:role/PATH/NAME).
func roleName(a arn) (string, bool) {
	rest, found := strings.CutPrefix(a.resource, "role/")
	if !found || a.service != "iam" || rest == "" {
		return "", false
	}
	return rest[strings.LastIndexByte(rest, '/')+1:], true
}

// secretRef is a `valueFrom` of a task definition's secrets, secretOptions or repositoryCredentials.
type secretRef struct {
	// kind is "secretsmanager" or "ssm".
	kind string
	// id is what the describe call takes: the secret ARN without its JSON key part, or the
	// parameter name.
	id string
	// region is the ARN's region ("": the task's).
	region, account, partition string
	// jsonKey, versionStage and versionID are the optional parts of a Secrets Manager reference
	// arn:…:secret:NAME:json-key:version-stage:version-id.
	jsonKey, versionStage, versionID string
}

// parseSecretRef reads a valueFrom: a Secrets Manager ARN (with optional JSON key, stage and
// version), an SSM parameter ARN, or an SSM parameter name (the task's region). A name under
// /aws/reference/secretsmanager/ is the Secrets Manager secret it names.
func parseSecretRef(valueFrom string) secretRef {
	a, isARN := parseARN(valueFrom)
	switch {
	case isARN && a.service == "secretsmanager":
		r := secretRef{kind: "secretsmanager", region: a.region, account: a.account, partition: a.partition, id: valueFrom}
		rest, _ := strings.CutPrefix(a.resource, "secret:")
		if _, extra, found := strings.Cut(rest, ":"); found {
			r.id = strings.TrimSuffix(valueFrom, ":"+extra)
			parts := strings.SplitN(extra, ":", 3)
			r.jsonKey = parts[0]
			if len(parts) > 1 {
				r.versionStage = parts[1]
			}
			if len(parts) > 2 {
				r.versionID = parts[2]
			}
		}
		return r
	case isARN && a.service == "ssm":
		name, _ := strings.CutPrefix(a.resource, "parameter")
		if strings.Count(name, "/") == 1 {
			name = strings.TrimPrefix(name, "/") // a name without a path: parameter/NAME
		}
		return secretRef{kind: "ssm", id: name, region: a.region, account: a.account, partition: a.partition}
	case strings.HasPrefix(valueFrom, "/aws/reference/secretsmanager/"):
		return secretRef{kind: "secretsmanager", id: strings.TrimPrefix(valueFrom, "/aws/reference/secretsmanager/")}
	}
	return secretRef{kind: "ssm", id: valueFrom}
}

// imageRef is a container image reference split into its registry, repository, tag and digest.
type imageRef struct {
	registry, repository, tag, digest string
	// For a private Amazon ECR registry: the registry (account) ID and region.
	ecr                bool
	registryID, region string
}

// parseImage reads an image reference as Docker does: the first component is a registry when it
// holds a dot or a colon or is localhost (else docker.io); the tag follows the last colon of the
// last component ("latest" when none), the digest an @.
func parseImage(s string) imageRef {
	var r imageRef
	rest := s
	if i := strings.IndexByte(rest, '@'); i >= 0 {
		r.digest, rest = rest[i+1:], rest[:i]
	}
	first, after, hasSlash := strings.Cut(rest, "/")
	if hasSlash && (strings.ContainsAny(first, ".:") || first == "localhost") {
		r.registry, rest = first, after
	} else {
		r.registry = "docker.io"
	}
	last := rest[strings.LastIndexByte(rest, '/')+1:]
	if i := strings.LastIndexByte(last, ':'); i >= 0 {
		r.tag = last[i+1:]
		rest = rest[:len(rest)-len(last)+i]
	}
	r.repository = rest
	if r.tag == "" && r.digest == "" {
		r.tag = "latest"
	}
	r.registryID, r.region, r.ecr = ecrRegistry(r.registry)
	return r
}

// ecrRegistry reads a private Amazon ECR registry host: ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com
// (or another partition's DNS suffix).
func ecrRegistry(host string) (account, region string, ok bool) {
	parts := strings.SplitN(host, ".", 5)
	if len(parts) < 5 || len(parts[0]) != 12 || strings.Trim(parts[0], "0123456789") != "" ||
		parts[1] != "dkr" || (parts[2] != "ecr" && parts[2] != "ecr-fips") {
		return "", "", false
	}
	return parts[0], parts[3], true
}
