package mapping

import (
	"errors"
	"fmt"
	"math"

	"k8s.io/apimachinery/pkg/util/intstr"
)

// ECS deploymentConfiguration defaults for a REPLICA service: up to 200% of desiredCount may run
// during a deployment and 100% must stay healthy.
const (
	DefaultMaximumPercent        = 200
	DefaultMinimumHealthyPercent = 100
)

// Kubernetes Deployment strategy Recreate expressed as an ECS deploymentConfiguration: stop every
// old task (0% healthy) before starting new ones, never running more than desiredCount (100%).
const (
	RecreateMaximumPercent        = 100
	RecreateMinimumHealthyPercent = 0
)

// defaultRollingPercent is the Kubernetes default for both maxSurge and maxUnavailable.
const defaultRollingPercent = "25%"

// ErrInexactRollout marks a rolling update whose task counts no integer ECS percentage can
// reproduce. It only happens above 100 replicas, where one percent is more than one task.
var ErrInexactRollout = errors.New("no whole ECS percentage gives the same task counts")

// DeploymentPercents converts a Deployment's RollingUpdate settings to ECS maximumPercent and
// minimumHealthyPercent giving the same task counts during a rollout.
//
// Kubernetes resolves maxSurge (default 25%) rounding up and maxUnavailable (default 25%)
// rounding down; when both resolve to 0 its deployment controller uses maxUnavailable = 1 (API
// validation rejects an explicit 0/0, which is treated the same way here). maxUnavailable above
// replicas acts as replicas. ECS computes max tasks = floor(R*maximumPercent/100) and min healthy
// = ceil(R*minimumHealthyPercent/100), so maximumPercent = ceil(100*(R+surge)/R) and
// minimumHealthyPercent = floor(100*(R-unavailable)/R) are the only candidates; they are checked
// against ECS's rounding. If a count cannot be hit (possible only for R > 100), the candidates are
// still returned (they allow slightly more surge / unavailability, so rollouts progress) together
// with an error wrapping ErrInexactRollout, which the caller may report as lossy.
//
// replicas 0 gives the ECS defaults 200/100: there are no counts to preserve. Negative replicas,
// negative values, strings that are not percentages and maxUnavailable above 100% are errors, as
// is a maximumPercent beyond the int32 range. The ECS API model sets no upper bound on
// maximumPercent.
func DeploymentPercents(replicas int32, maxSurge, maxUnavailable *intstr.IntOrString) (maximumPercent, minimumHealthyPercent int32, err error) {
	if replicas < 0 {
		return 0, 0, fmt.Errorf("replicas %d is negative", replicas)
	}
	surge, unavail, err := resolveRollingUpdate(replicas, maxSurge, maxUnavailable)
	if err != nil {
		return 0, 0, err
	}
	if replicas == 0 {
		return DefaultMaximumPercent, DefaultMinimumHealthyPercent, nil
	}
	r := int64(replicas)
	maxPct := ceilDiv(100*(r+surge), r)
	if maxPct > math.MaxInt32 {
		return 0, 0, fmt.Errorf("maxSurge %d with %d replicas needs maximumPercent %d, beyond the ECS integer range", surge, replicas, maxPct)
	}
	minPct := 100 * (r - unavail) / r
	maximumPercent, minimumHealthyPercent = int32(maxPct), int32(minPct)

	maxTasks, minHealthy := ECSTaskBounds(replicas, maximumPercent, minimumHealthyPercent)
	switch {
	case int64(maxTasks) != r+surge:
		err = inexactError{"maxSurge", surge, replicas, "maximumPercent", maximumPercent, "allows", maxTasks, r + surge}
	case int64(minHealthy) != r-unavail:
		err = inexactError{"maxUnavailable", unavail, replicas, "minimumHealthyPercent", minimumHealthyPercent, "keeps", minHealthy, r - unavail}
	}
	return maximumPercent, minimumHealthyPercent, err
}

// inexactError describes an ErrInexactRollout; it formats only when printed.
type inexactError struct {
	field    string
	count    int64
	replicas int32
	ecsField string
	percent  int32
	verb     string
	got      int32
	want     int64
}

func (e inexactError) Error() string {
	return fmt.Sprintf("%v: %s %d with %d replicas becomes %s %d, which %s %d tasks instead of %d",
		ErrInexactRollout, e.field, e.count, e.replicas, e.ecsField, e.percent, e.verb, e.got, e.want)
}

func (e inexactError) Unwrap() error { return ErrInexactRollout }

// resolveRollingUpdate resolves maxSurge and maxUnavailable to task counts the way the
// Kubernetes deployment controller does, after the checks API validation would make.
func resolveRollingUpdate(replicas int32, maxSurge, maxUnavailable *intstr.IntOrString) (surge, unavail int64, err error) {
	s, err := scaledCount("maxSurge", maxSurge, replicas, true)
	if err != nil {
		return 0, 0, err
	}
	u, err := scaledCount("maxUnavailable", maxUnavailable, replicas, false)
	if err != nil {
		return 0, 0, err
	}
	if maxUnavailable != nil && maxUnavailable.Type == intstr.String {
		// Kubernetes API validation caps a percentage maxUnavailable at 100%.
		if p, _ := intstr.GetScaledValueFromIntOrPercent(maxUnavailable, 100, false); p > 100 {
			return 0, 0, fmt.Errorf("maxUnavailable %q is more than 100%%", maxUnavailable.StrVal)
		}
	}
	if s == 0 && u == 0 {
		u = 1 // the deployment controller's fallback, so a rollout can make progress
	}
	return s, min(u, int64(replicas)), nil
}

// scaledCount resolves one int-or-percent value against replicas, defaulting nil to 25%.
func scaledCount(field string, v *intstr.IntOrString, replicas int32, roundUp bool) (int64, error) {
	if v == nil {
		d := intstr.FromString(defaultRollingPercent)
		v = &d
	}
	// Scaling by 100 yields the written number itself, percent or not.
	raw, err := intstr.GetScaledValueFromIntOrPercent(v, 100, false)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", field, v.String(), err)
	}
	if raw < 0 {
		return 0, fmt.Errorf("%s %s is negative", field, v.String())
	}
	n, _ := intstr.GetScaledValueFromIntOrPercent(v, int(replicas), roundUp)
	if raw > math.MaxInt32 || n > math.MaxInt32 {
		return 0, fmt.Errorf("%s %s is too large", field, v.String())
	}
	return int64(n), nil
}

// ECSTaskBounds applies ECS's rounding to a deploymentConfiguration: during a deployment at most
// floor(replicas*maximumPercent/100) tasks run and at least ceil(replicas*minimumHealthyPercent/100)
// stay healthy. Negative inputs count as 0; results beyond int32 saturate.
func ECSTaskBounds(replicas, maximumPercent, minimumHealthyPercent int32) (maxTasks, minHealthy int32) {
	r := int64(max(replicas, 0))
	hi := r * int64(max(maximumPercent, 0)) / 100
	lo := ceilDiv(r*int64(max(minimumHealthyPercent, 0)), 100)
	return int32(min(hi, math.MaxInt32)), int32(min(lo, math.MaxInt32))
}

// RollingUpdateFromPercents converts an ECS deploymentConfiguration back to a Deployment
// RollingUpdate with integer maxSurge and maxUnavailable that give the same task counts:
// maxSurge = floor(R*maximumPercent/100) - R and maxUnavailable = R - ceil(R*minimumHealthyPercent/100),
// each clamped to [0, R] for maxUnavailable and >= 0 for maxSurge. Integers are used because
// Kubernetes rounds percentages differently from ECS.
//
// maximumPercent 100 with minimumHealthyPercent 0 is what Recreate maps to, so recreate is true
// and the caller emits strategy type Recreate. With replicas 0 there are no counts to keep, so the
// percentages themselves are returned: maxSurge (maximumPercent-100)% and maxUnavailable
// (100-minimumHealthyPercent)%, clamped to [0, 100] for maxUnavailable. When both values come out 0
// ECS could never replace a task (e.g. 100/100); Kubernetes rejects that, so maxUnavailable is set
// to 1 and the caller reports the change.
func RollingUpdateFromPercents(replicas, maximumPercent, minimumHealthyPercent int32) (maxSurge, maxUnavailable intstr.IntOrString, recreate bool) {
	if maximumPercent == RecreateMaximumPercent && minimumHealthyPercent == RecreateMinimumHealthyPercent {
		return intstr.IntOrString{}, intstr.IntOrString{}, true
	}
	if replicas <= 0 {
		surgePct := max(int64(maximumPercent)-100, 0)
		unavailPct := 100 - min(max(int64(minimumHealthyPercent), 0), 100)
		if surgePct == 0 && unavailPct == 0 {
			return intstr.FromInt32(0), intstr.FromInt32(1), false
		}
		return intstr.FromString(fmt.Sprintf("%d%%", surgePct)), intstr.FromString(fmt.Sprintf("%d%%", unavailPct)), false
	}
	maxTasks, minHealthy := ECSTaskBounds(replicas, maximumPercent, minimumHealthyPercent)
	surge := max(maxTasks-replicas, 0)
	unavail := min(max(replicas-minHealthy, 0), replicas)
	if surge == 0 && unavail == 0 {
		unavail = 1
	}
	return intstr.FromInt32(surge), intstr.FromInt32(unavail), false
}
