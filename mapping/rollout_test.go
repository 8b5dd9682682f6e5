package mapping

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func ptrIS(v intstr.IntOrString) *intstr.IntOrString { return &v }

func pct(s string) *intstr.IntOrString { return ptrIS(intstr.FromString(s)) }

func num(n int32) *intstr.IntOrString { return ptrIS(intstr.FromInt32(n)) }

func TestDeploymentPercents(t *testing.T) {
	tests := []struct {
		name           string
		replicas       int32
		surge, unavail *intstr.IntOrString
		wantMax        int32
		wantMin        int32
	}{
		{"defaults, 4 replicas", 4, nil, nil, 125, 75},
		{"defaults, 1 replica: surge rounds up, unavailable down", 1, nil, nil, 200, 100},
		{"defaults, 3 replicas", 3, nil, nil, 134, 100},
		{"defaults, 7 replicas", 7, nil, nil, 129, 85},
		{"defaults, 200 replicas", 200, nil, nil, 125, 75},
		{"50% / 0%", 10, pct("50%"), pct("0%"), 150, 100},
		{"100% / 0%", 3, pct("100%"), pct("0%"), 200, 100},
		{"surge above 100%", 2, pct("150%"), pct("0%"), 250, 100},
		{"0% / 0% falls back to one unavailable", 5, pct("0%"), pct("0%"), 100, 80},
		{"surge 0 and unavailable rounding to 0", 3, num(0), pct("25%"), 100, 66},
		{"0% / 100% is recreate-like", 4, pct("0%"), pct("100%"), 100, 0},
		{"integers", 10, num(3), num(2), 130, 80},
		{"unavailable above replicas acts as replicas", 3, num(0), num(10), 100, 0},
		{"mixed", 6, num(1), pct("50%"), 117, 50},
		{"no replicas gives ECS defaults", 0, pct("10%"), num(3), 200, 100},
		{"R=100 is always exact", 100, num(1), num(1), 101, 99},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			maxPct, minPct, err := DeploymentPercents(tt.replicas, tt.surge, tt.unavail)
			require.NoError(t, err)
			assert.Equal(t, tt.wantMax, maxPct, "maximumPercent")
			assert.Equal(t, tt.wantMin, minPct, "minimumHealthyPercent")
		})
	}
}

func TestDeploymentPercentsErrors(t *testing.T) {
	tests := []struct {
		name           string
		replicas       int32
		surge, unavail *intstr.IntOrString
		want           string
	}{
		{"not a number", 3, pct("abc%"), nil, "maxSurge"},
		{"string without percent", 3, pct("25"), nil, "maxSurge"},
		{"negative int", 3, nil, num(-1), "negative"},
		{"negative percent", 3, pct("-5%"), nil, "negative"},
		{"unavailable above 100%", 3, nil, pct("150%"), "more than 100%"},
		{"checked even without replicas", 0, nil, pct("x"), "maxUnavailable"},
		{"negative replicas", -1, nil, nil, "negative"},
		{"percent beyond int32", 1, num(math.MaxInt32), nil, "beyond"},
		{"huge percent", 10, pct("99999999999999%"), nil, "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := DeploymentPercents(tt.replicas, tt.surge, tt.unavail)
			require.Error(t, err)
			assert.NotErrorIs(t, err, ErrInexactRollout)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestDeploymentPercentsInexact(t *testing.T) {
	tests := []struct {
		name             string
		replicas         int32
		surge, unavail   int32
		wantMax, wantMin int32
		wantTasks        int32
		wantHealthy      int32
	}{
		// 201 tasks would need 100.5%; 101% allows 202.
		{"surge of one in 200", 200, 1, 0, 101, 100, 202, 200},
		// 199 healthy would need 99.5%; 99% keeps 198.
		{"one unavailable in 200", 200, 0, 1, 100, 99, 200, 198},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			maxPct, minPct, err := DeploymentPercents(tt.replicas, num(tt.surge), num(tt.unavail))
			require.ErrorIs(t, err, ErrInexactRollout)
			assert.Equal(t, tt.wantMax, maxPct)
			assert.Equal(t, tt.wantMin, minPct)
			tasks, healthy := ECSTaskBounds(tt.replicas, maxPct, minPct)
			assert.Equal(t, tt.wantTasks, tasks)
			assert.Equal(t, tt.wantHealthy, healthy)
		})
	}
}

// representableMax and representableMin report, by brute force over all percentages, whether ECS
// can express a maximum of r+surge tasks and a minimum of r-unavail healthy tasks exactly.
func representableMax(r, surge int32) bool {
	for p := int32(0); p <= 100*(r+surge+1)/r+1; p++ {
		if hi, _ := ECSTaskBounds(r, p, 0); hi == r+surge {
			return true
		}
	}
	return false
}

func representableMin(r, unavail int32) bool {
	for p := int32(0); p <= 100; p++ {
		if _, lo := ECSTaskBounds(r, 100, p); lo == r-unavail {
			return true
		}
	}
	return false
}

func TestDeploymentPercentsProperty(t *testing.T) {
	inexact := 0
	for r := int32(1); r <= 300; r++ {
		maxOK := make([]bool, r+3)
		for s := range maxOK {
			maxOK[s] = representableMax(r, int32(s))
		}
		minOK := make([]bool, r+1)
		for u := range minOK {
			minOK[u] = representableMin(r, int32(u))
		}
		for s := int32(0); s <= r+2; s++ {
			for u := int32(0); u <= r; u++ {
				if s == 0 && u == 0 {
					continue
				}
				maxPct, minPct, err := DeploymentPercents(r, num(s), num(u))
				if err != nil {
					if !errors.Is(err, ErrInexactRollout) || r <= 100 || (maxOK[s] && minOK[u]) {
						t.Fatalf("R=%d surge=%d unavail=%d: unexpected error %v", r, s, u, err)
					}
					inexact++
					continue
				}
				if !maxOK[s] || !minOK[u] {
					t.Fatalf("R=%d surge=%d unavail=%d: not representable but no error", r, s, u)
				}
				if minPct < 0 || minPct > 100 {
					t.Fatalf("R=%d surge=%d unavail=%d: minimumHealthyPercent %d out of range", r, s, u, minPct)
				}
				if tasks, healthy := ECSTaskBounds(r, maxPct, minPct); tasks != r+s || healthy != r-u {
					t.Fatalf("R=%d surge=%d unavail=%d: %d/%d gives %d tasks, %d healthy", r, s, u, maxPct, minPct, tasks, healthy)
				}

				gotSurge, gotUnavail, recreate := RollingUpdateFromPercents(r, maxPct, minPct)
				if s == 0 && u == r {
					if !recreate {
						t.Fatalf("R=%d surge=0 unavail=R: want recreate", r)
					}
					continue
				}
				if recreate || gotSurge != intstr.FromInt32(s) || gotUnavail != intstr.FromInt32(u) {
					t.Fatalf("R=%d surge=%d unavail=%d: inverse gave %v/%v recreate=%v", r, s, u, gotSurge, gotUnavail, recreate)
				}
			}
		}
	}
	assert.Positive(t, inexact, "some counts above 100 replicas cannot be expressed")
}

func TestDeploymentPercentsPercentInputs(t *testing.T) {
	percents := []string{"0%", "1%", "25%", "33%", "50%", "75%", "100%"}
	for _, r := range []int32{1, 2, 3, 4, 5, 10, 33, 99, 100} {
		for _, sp := range append(percents, "150%", "200%") {
			for _, up := range percents {
				t.Run(fmt.Sprintf("R=%d/%s/%s", r, sp, up), func(t *testing.T) {
					wantSurge, err := intstr.GetScaledValueFromIntOrPercent(pct(sp), int(r), true)
					require.NoError(t, err)
					wantUnavail, err := intstr.GetScaledValueFromIntOrPercent(pct(up), int(r), false)
					require.NoError(t, err)
					if wantSurge == 0 && wantUnavail == 0 {
						wantUnavail = 1
					}
					maxPct, minPct, err := DeploymentPercents(r, pct(sp), pct(up))
					require.NoError(t, err)
					tasks, healthy := ECSTaskBounds(r, maxPct, minPct)
					assert.Equal(t, r+int32(wantSurge), tasks)
					assert.Equal(t, r-int32(wantUnavail), healthy)
				})
			}
		}
	}
}

func TestECSTaskBounds(t *testing.T) {
	tests := []struct {
		replicas, maxPct, minPct int32
		wantMax, wantMin         int32
	}{
		{4, 200, 100, 8, 4},
		{4, 125, 75, 5, 3},
		{3, 133, 67, 3, 3}, // floor(3.99), ceil(2.01)
		{3, 134, 66, 4, 2},
		{1, 150, 50, 1, 1},
		{0, 200, 100, 0, 0},
		{5, 100, 0, 5, 0},
		{-1, 200, 100, 0, 0},
		{4, -5, -5, 0, 0},
		{math.MaxInt32, math.MaxInt32, 100, math.MaxInt32, math.MaxInt32},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("R=%d/%d/%d", tt.replicas, tt.maxPct, tt.minPct), func(t *testing.T) {
			gotMax, gotMin := ECSTaskBounds(tt.replicas, tt.maxPct, tt.minPct)
			assert.Equal(t, tt.wantMax, gotMax, "max tasks")
			assert.Equal(t, tt.wantMin, gotMin, "min healthy")
		})
	}
}

func TestRollingUpdateFromPercents(t *testing.T) {
	tests := []struct {
		name                string
		replicas, max, min  int32
		wantSurge, wantUnav intstr.IntOrString
		wantRecreate        bool
	}{
		{"ECS defaults", 4, 200, 100, intstr.FromInt32(4), intstr.FromInt32(0), false},
		{"125/75", 4, 125, 75, intstr.FromInt32(1), intstr.FromInt32(1), false},
		{"surge rounds down", 3, 150, 50, intstr.FromInt32(1), intstr.FromInt32(1), false},
		{"recreate", 4, RecreateMaximumPercent, RecreateMinimumHealthyPercent, intstr.IntOrString{}, intstr.IntOrString{}, true},
		{"recreate without replicas", 0, 100, 0, intstr.IntOrString{}, intstr.IntOrString{}, true},
		{"100/100 gets one unavailable", 4, 100, 100, intstr.FromInt32(0), intstr.FromInt32(1), false},
		{"one replica 150/50: both round to 0", 1, 150, 50, intstr.FromInt32(0), intstr.FromInt32(1), false},
		{"minimum above 100", 4, 200, 150, intstr.FromInt32(4), intstr.FromInt32(0), false},
		{"maximum below 100", 4, 50, 0, intstr.FromInt32(0), intstr.FromInt32(4), false},
		{"no replicas keeps percentages", 0, 150, 75, intstr.FromString("50%"), intstr.FromString("25%"), false},
		{"no replicas, ECS defaults", 0, 200, 100, intstr.FromString("100%"), intstr.FromString("0%"), false},
		{"no replicas, 100/100", 0, 100, 100, intstr.FromInt32(0), intstr.FromInt32(1), false},
		{"no replicas, minimum clamped", 0, 200, -10, intstr.FromString("100%"), intstr.FromString("100%"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			surge, unav, recreate := RollingUpdateFromPercents(tt.replicas, tt.max, tt.min)
			assert.Equal(t, tt.wantRecreate, recreate)
			assert.Equal(t, tt.wantSurge, surge, "maxSurge")
			assert.Equal(t, tt.wantUnav, unav, "maxUnavailable")
		})
	}
	t.Run("results pass back through DeploymentPercents", func(t *testing.T) {
		for _, c := range [][3]int32{{4, 200, 100}, {10, 150, 50}, {0, 150, 75}, {7, 129, 85}} {
			surge, unav, recreate := RollingUpdateFromPercents(c[0], c[1], c[2])
			require.False(t, recreate)
			maxPct, minPct, err := DeploymentPercents(c[0], &surge, &unav)
			require.NoError(t, err, "%v", c)
			if c[0] == 0 {
				continue // ECS defaults, nothing to compare
			}
			assert.Equal(t, [2]int32{c[1], c[2]}, [2]int32{maxPct, minPct}, "%v", c)
		}
	})
}

func TestErrInexactRolloutWraps(t *testing.T) {
	_, _, err := DeploymentPercents(300, num(1), num(0))
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrInexactRollout))
	assert.Contains(t, err.Error(), "allows 303 tasks instead of 301")
}
