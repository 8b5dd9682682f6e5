package verify

import (
	"context"
	"strings"

	"github.com/podecs/podecs/ecsapi"
)

// The execution and task roles: they exist, ECS tasks may assume them, and the execution role may
// read what ECS reads for the task at start (secrets, images, log groups).

// callerAccount is the account of the credentials ("" when STS does not say).
func (v *verifier) callerAccount(ctx context.Context) string {
	id, err := memo(v, "caller", func() (*ecsapi.CallerIdentity, error) { return v.aws.GetCallerIdentity(ctx) })
	if err != nil || id == nil {
		return ""
	}
	return id.Account
}

// accountOr is the caller's account, else def.
func (v *verifier) accountOr(ctx context.Context, def string) string {
	if a := v.callerAccount(ctx); a != "" {
		return a
	}
	return def
}

// lookupRole describes the role roleARN. A nil role comes with the result of the role's line: it
// is a placeholder, in another account, missing, or the call failed.
func (v *verifier) lookupRole(ctx context.Context, roleARN string) (*ecsapi.Role, result) {
	if placeholder(roleARN) {
		return nil, fail("a placeholder, not a role: set it in --config")
	}
	a, isARN := parseARN(roleARN)
	name, isRole := roleName(a)
	if !isARN || !isRole {
		return nil, fail("not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)")
	}
	if acct := v.callerAccount(ctx); acct != "" && a.account != acct {
		return nil, skip("in account %s; the credentials are of account %s, which cannot read it", a.account, acct)
	}
	role, err := memo(v, "role\x00"+name, func() (*ecsapi.Role, error) { return v.aws.GetRole(ctx, name) })
	switch {
	case ecsapi.ErrorCode(err) == "NoSuchEntity":
		return nil, fail("does not exist: create it, with a trust policy that lets %s assume it", ecsTasks)
	case err != nil:
		return nil, errored(err)
	case role.ARN != roleARN:
		return nil, fail("does not exist: the role %s of this account is %s", name, role.ARN)
	}
	return role, result{}
}

// roleCheck is the check of a role's line: it exists and trusts ecs-tasks.amazonaws.com.
func (v *verifier) roleCheck(roleARN string) func(context.Context) result {
	return func(ctx context.Context) result {
		role, r := v.lookupRole(ctx, roleARN)
		if role == nil {
			return r
		}
		return judgeTrust(role.Name, role.TrustPolicy)
	}
}

// rolePolicies reads the identity policies of a role: its inline policies and the default
// version of each managed policy attached to it.
func (v *verifier) rolePolicies(ctx context.Context, name string) ([]policyDoc, error) {
	return memo(v, "policies\x00"+name, func() ([]policyDoc, error) {
		var docs []policyDoc
		add := func(doc string) {
			if d, err := parsePolicy(doc); err == nil {
				docs = append(docs, d)
			}
		}
		inline, err := v.aws.ListRolePolicies(ctx, name)
		if err != nil {
			return nil, err
		}
		for _, p := range inline {
			doc, err := v.aws.GetRolePolicy(ctx, name, p)
			if err != nil {
				return nil, err
			}
			add(doc)
		}
		attached, err := v.aws.ListAttachedRolePolicies(ctx, name)
		if err != nil {
			return nil, err
		}
		for _, arn := range attached {
			doc, err := memo(v, "managed\x00"+arn, func() (string, error) { return v.aws.ManagedPolicyDocument(ctx, arn) })
			if err != nil {
				return nil, err
			}
			add(doc)
		}
		return docs, nil
	})
}

// accessCheck is the check that the role roleARN may do what need returns. need runs first: it
// looks the resource up (its ARN, its KMS key) and says what is needed, or returns a result of its
// own when the resource cannot be named.
func (v *verifier) accessCheck(roleARN string, need func(ctx context.Context) ([]permission, *result)) func(context.Context) result {
	return func(ctx context.Context) result {
		role, _ := v.lookupRole(ctx, roleARN)
		if role == nil {
			return skip("the role is not usable (see its own check)")
		}
		perms, r := need(ctx)
		if r != nil {
			return *r
		}
		docs, err := v.rolePolicies(ctx, role.Name)
		switch {
		case accessDenied(err):
			return skip("cannot read the policies of role %s: %v", role.Name, err)
		case err != nil:
			return errored(err)
		}
		return judge(role.Name, docs, perms)
	}
}

// accessDenied reports whether err is a refusal of the caller's own permissions.
func accessDenied(err error) bool {
	code := ecsapi.ErrorCode(err)
	return code == "AccessDenied" || code == "AccessDeniedException" || code == "UnauthorizedOperation" ||
		strings.HasSuffix(code, "AccessDenied")
}

// kmsNeed is kms:Decrypt on the key that encrypts a secret or parameter, when it is a customer
// managed key named by ARN or ID; the AWS managed keys (alias/aws/…) and other aliases are left
// to the key policy.
func kmsNeed(key, partition, region, account string) []permission {
	switch {
	case key == "" || strings.HasPrefix(key, "alias/") || strings.Contains(key, ":alias/"):
		return nil
	case strings.HasPrefix(key, "arn:"):
		return []permission{{"kms:Decrypt", key}}
	}
	return []permission{{"kms:Decrypt", "arn:" + partition + ":kms:" + region + ":" + account + ":key/" + key}}
}
