package verify

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// IAM policy documents, read as far as verify needs them: a role's trust policy (who may assume
// it) and its identity policies (what it may do). Conditions are not evaluated: a statement with
// a Condition counts as "only under conditions".

// policyDoc is an IAM policy document.
type policyDoc struct {
	Statement statements
}

type statement struct {
	Effect                                   string
	Action, NotAction, Resource, NotResource stringList
	Principal                                principal
	Condition                                json.RawMessage
}

// statements is a Statement member: one statement or a list of them.
type statements []statement

func (s *statements) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '{' {
		var one statement
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = statements{one}
		return nil
	}
	var many []statement
	err := json.Unmarshal(b, &many)
	*s = many
	return err
}

// stringList is a member that holds a string or a list of strings.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*l = stringList{one}
		return nil
	}
	var many []string
	err := json.Unmarshal(b, &many)
	*l = many
	return err
}

// principal is a Principal member: "*" or {"Service"|"AWS"|"Federated": string or list}.
type principal struct {
	all                     bool
	service, aws, federated stringList
}

func (p *principal) UnmarshalJSON(b []byte) error {
	if string(b) == `"*"` {
		p.all = true
		return nil
	}
	var m struct {
		Service, AWS, Federated stringList
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	p.service, p.aws, p.federated = m.Service, m.AWS, m.Federated
	return nil
}

func parsePolicy(doc string) (policyDoc, error) {
	var d policyDoc
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return d, fmt.Errorf("not a policy document: %w", err)
	}
	return d, nil
}

// wildcard matches s against an IAM pattern with * (any run) and ? (any one character). It
// backtracks only to the last *, so a pattern with many stars stays linear in practice.
func wildcard(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// matchAction reports whether the statement covers action (action names are case-insensitive).
func (st statement) matchAction(action string) bool {
	action = strings.ToLower(action)
	matches := func(l stringList) bool {
		for _, p := range l {
			if wildcard(strings.ToLower(p), action) {
				return true
			}
		}
		return false
	}
	if len(st.NotAction) > 0 {
		return !matches(st.NotAction)
	}
	return matches(st.Action)
}

// matchResource reports whether the statement covers resource; vague is set when a pattern holds
// a policy variable (${aws:username}), read as *.
func (st statement) matchResource(resource string) (match, vague bool) {
	matches := func(l stringList) bool {
		for _, p := range l {
			if strings.Contains(p, "${") {
				vague = true
				p = variables(p)
			}
			if wildcard(p, resource) {
				return true
			}
		}
		return false
	}
	if len(st.NotResource) > 0 {
		return !matches(st.NotResource), vague
	}
	return matches(st.Resource), vague
}

// variables replaces each ${…} of a pattern with *.
func variables(p string) string {
	var b strings.Builder
	for {
		i := strings.Index(p, "${")
		if i < 0 {
			return b.String() + p
		}
		j := strings.IndexByte(p[i:], '}')
		if j < 0 {
			return b.String() + p
		}
		b.WriteString(p[:i] + "*")
		p = p[i+j+1:]
	}
}

// decision is what a role's identity policies say about one action on one resource.
type decision int

const (
	implicitDeny decision = iota // no statement allows it
	allowed
	conditional // allowed only under a condition, or a conditional Deny may refuse it
	denied      // an unconditional Deny refuses it
)

// evaluate applies the statements of docs to action on resource: an unconditional Deny wins,
// then an unconditional Allow (unless a conditional Deny may apply), then conditional statements.
func evaluate(docs []policyDoc, action, resource string) decision {
	var allow, condAllow, condDeny bool
	for _, d := range docs {
		for _, st := range d.Statement {
			if !st.matchAction(action) {
				continue
			}
			match, vague := st.matchResource(resource)
			if !match {
				continue
			}
			cond := len(st.Condition) > 0 && string(st.Condition) != "{}" && string(st.Condition) != "null"
			switch {
			case strings.EqualFold(st.Effect, "Deny") && !cond && !vague:
				return denied
			case strings.EqualFold(st.Effect, "Deny"):
				condDeny = true
			case strings.EqualFold(st.Effect, "Allow") && !cond && !vague:
				allow = true
			case strings.EqualFold(st.Effect, "Allow"):
				condAllow = true
			}
		}
	}
	switch {
	case allow && !condDeny:
		return allowed
	case allow || condAllow:
		return conditional
	}
	return implicitDeny
}

// permission is an action a role needs on a resource.
type permission struct {
	action, resource string
}

// judge evaluates the permissions a role needs and words the outcome for the check line.
func judge(role string, docs []policyDoc, need []permission) result {
	var missing, deniedBy, vague []string
	for _, p := range need {
		what := p.action + " on " + p.resource
		switch evaluate(docs, p.action, p.resource) {
		case implicitDeny:
			missing = append(missing, what)
		case denied:
			deniedBy = append(deniedBy, what)
		case conditional:
			vague = append(vague, what)
		}
	}
	switch {
	case len(deniedBy) > 0:
		return fail("a Deny in the policies of role %s refuses %s", role, strings.Join(deniedBy, ", "))
	case len(missing) > 0:
		return fail("no policy of role %s allows %s: the task cannot start (unless a resource policy grants it)", role, strings.Join(missing, ", "))
	case len(vague) > 0:
		return warn("the policies of role %s allow %s only under conditions verify does not evaluate", role, strings.Join(vague, ", "))
	}
	actions := map[string]bool{}
	for _, p := range need {
		actions[p.action] = true
	}
	names := make([]string, 0, len(actions))
	for a := range actions {
		names = append(names, a)
	}
	sort.Strings(names)
	return ok("role %s may %s", role, strings.Join(names, ", "))
}

// The service principal ECS tasks assume their roles as.
const ecsTasks = "ecs-tasks.amazonaws.com"

// judgeTrust reads a role's trust policy: ok when it lets ecs-tasks.amazonaws.com call
// sts:AssumeRole, a failure otherwise, naming an EKS OIDC provider (an IRSA role) when that is
// what it trusts.
func judgeTrust(role, doc string) result {
	d, err := parsePolicy(doc)
	if err != nil {
		return fail("role %s: trust policy: %v", role, err)
	}
	var trusted, conditions, deny bool
	var others, irsa []string
	for _, st := range d.Statement {
		web := st.matchAction("sts:AssumeRoleWithWebIdentity")
		for _, f := range st.Principal.federated {
			if web && strings.Contains(f, "oidc.eks.") && strings.EqualFold(st.Effect, "Allow") {
				irsa = append(irsa, f[strings.Index(f, "oidc.eks."):])
			}
		}
		if !st.matchAction("sts:AssumeRole") {
			continue
		}
		names := st.Principal.service
		covers := st.Principal.all || contains(names, ecsTasks) || contains(st.Principal.aws, "*")
		switch {
		case covers && strings.EqualFold(st.Effect, "Deny"):
			deny = true
		case covers:
			trusted = true
			conditions = conditions || (len(st.Condition) > 0 && string(st.Condition) != "{}")
		case strings.EqualFold(st.Effect, "Allow"):
			others = append(append(append(others, names...), st.Principal.aws...), st.Principal.federated...)
		}
	}
	switch {
	case deny:
		return fail("the trust policy of role %s denies %s", role, ecsTasks)
	case trusted && conditions:
		return ok("trusts %s (under conditions, such as aws:SourceAccount)", ecsTasks)
	case trusted:
		return ok("trusts %s", ecsTasks)
	case len(irsa) > 0:
		return fail("trusts only the EKS OIDC provider %s (an IAM role for a Kubernetes service account): add %s to its trust policy (Action sts:AssumeRole)", strings.Join(irsa, ", "), ecsTasks)
	case len(others) > 0:
		return fail("its trust policy lets %s assume it, not %s: add %s (Action sts:AssumeRole)", strings.Join(others, ", "), ecsTasks, ecsTasks)
	}
	return fail("its trust policy lets no one assume it: add %s (Action sts:AssumeRole)", ecsTasks)
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
