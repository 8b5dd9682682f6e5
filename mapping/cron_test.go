package mapping

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podecs/podecs/internal/botocore"
)

const cronTestPath = "spec.schedule"

func TestScheduleExpressionFromCron(t *testing.T) {
	tests := []struct {
		k8s     string
		want    string
		level   Level  // a finding of this level is expected when set
		wantErr string // the error must contain this
	}{
		// minutes and hours
		{k8s: "* * * * *", want: "cron(* * * * ? *)"},
		{k8s: "0 * * * *", want: "cron(0 * * * ? *)"},
		{k8s: "*/15 * * * *", want: "cron(0/15 * * * ? *)"},
		{k8s: "*/1 * * * *", want: "cron(* * * * ? *)"},
		{k8s: "5/15 * * * *", want: "cron(5/15 * * * ? *)"},
		{k8s: "0-30/10 * * * *", want: "cron(0,10,20,30 * * * ? *)"},
		{k8s: "0-4/1 * * * *", want: "cron(0-4 * * * ? *)"},
		{k8s: "10-59/20 * * * *", want: "cron(10/20 * * * ? *)"},
		{k8s: "*/90 * * * *", want: "cron(0 * * * ? *)"},
		{k8s: "0 */2 * * *", want: "cron(0 0/2 * * ? *)"},
		{k8s: "30 9-17 * * *", want: "cron(30 9-17 * * ? *)"},
		{k8s: "0 9,12,18 * * *", want: "cron(0 9,12,18 * * ? *)"},
		{k8s: "0 1-10/3 * * *", want: "cron(0 1,4,7,10 * * ? *)"},
		{k8s: "0 1-9/2 * * *", want: "cron(0 1,3,5,7,9 * * ? *)"},
		{k8s: "0 1,,2 * * *", want: "cron(0 1,2 * * ? *)"},
		{k8s: "? ? ? ? ?", want: "cron(* * * * ? *)"},
		{k8s: "  0\t3  *  * *  ", want: "cron(0 3 * * ? *)"},
		// day of month and month
		{k8s: "0 0 1 * *", want: "cron(0 0 1 * ? *)"},
		{k8s: "0 0 1,15 * *", want: "cron(0 0 1,15 * ? *)"},
		{k8s: "0 0 */2 * *", want: "cron(0 0 1/2 * ? *)"},
		{k8s: "0 0 10-20 * *", want: "cron(0 0 10-20 * ? *)"},
		{k8s: "0 0 1 JAN *", want: "cron(0 0 1 JAN ? *)"},
		{k8s: "0 0 1 jan-mar *", want: "cron(0 0 1 JAN-MAR ? *)"},
		{k8s: "0 0 1 jan-6 *", want: "cron(0 0 1 JAN-JUN ? *)"},
		{k8s: "0 0 1 */3 *", want: "cron(0 0 1 1/3 ? *)"},
		{k8s: "0 0 1 1-12/6 *", want: "cron(0 0 1 1/6 ? *)"},
		{k8s: "0 0 1 2-8/3 *", want: "cron(0 0 1 2,5,8 ? *)"},
		// day of week: Sunday 0 (or 7) becomes 1, steps become lists
		{k8s: "0 0 * * 0", want: "cron(0 0 ? * 1 *)"},
		{k8s: "0 0 * * 7", want: "cron(0 0 ? * 1 *)", level: Info},
		{k8s: "0 0 * * 6", want: "cron(0 0 ? * 7 *)"},
		{k8s: "0 9 * * 1-5", want: "cron(0 9 ? * 2-6 *)"},
		{k8s: "0 9 * * MON-FRI", want: "cron(0 9 ? * MON-FRI *)"},
		{k8s: "0 9 * * mon-fri", want: "cron(0 9 ? * MON-FRI *)"},
		{k8s: "0 9 * * mon-5", want: "cron(0 9 ? * MON-FRI *)"},
		{k8s: "0 9 * * mon,wed,fri", want: "cron(0 9 ? * MON,WED,FRI *)"},
		{k8s: "0 9 * * 0,6", want: "cron(0 9 ? * 1,7 *)"},
		{k8s: "0 9 * * */2", want: "cron(0 9 ? * 1,3,5,7 *)"},
		{k8s: "0 9 * * 1-5/2", want: "cron(0 9 ? * 2,4,6 *)"},
		{k8s: "0 9 * * 2/2", want: "cron(0 9 ? * 3,5,7 *)"},
		{k8s: "0 9 * * 5-7", want: "cron(0 9 ? * 6-7,1 *)", level: Info},
		{k8s: "0 9 * * FRI-7", want: "cron(0 9 ? * FRI-SAT,SUN *)", level: Info},
		{k8s: "0 9 * * 0-7", want: "cron(0 9 ? * 1-7 *)", level: Info},
		{k8s: "0 9 * * 0-6", want: "cron(0 9 ? * 1-7 *)"},
		// the day rule: a star in either field means AND, otherwise OR
		{k8s: "0 0 *,5 * 1", want: "cron(0 0 ? * 2 *)"},
		{k8s: "0 0 ? * 1", want: "cron(0 0 ? * 2 *)"},
		{k8s: "0 0 1 * ?", want: "cron(0 0 1 * ? *)"},
		{k8s: "0 0 1-31 * 1", want: "cron(0 0 * * ? *)", level: Info},
		{k8s: "0 0 1 * 0-6", want: "cron(0 0 * * ? *)", level: Info},
		{k8s: "0 0 13 * 5", wantErr: "both restricted"},
		{k8s: "0 0 */2 * 1", wantErr: "both restricted"},
		// macros
		{k8s: "@yearly", want: "cron(0 0 1 1 ? *)"},
		{k8s: "@annually", want: "cron(0 0 1 1 ? *)"},
		{k8s: "@monthly", want: "cron(0 0 1 * ? *)"},
		{k8s: "@weekly", want: "cron(0 0 ? * 1 *)"},
		{k8s: "@daily", want: "cron(0 0 * * ? *)"},
		{k8s: "@midnight", want: "cron(0 0 * * ? *)"},
		{k8s: "@hourly", want: "cron(0 * * * ? *)"},
		{k8s: "@every 5m", want: "rate(5 minutes)", level: Info},
		{k8s: "@every 1m", want: "rate(1 minute)", level: Info},
		{k8s: "@every 1h", want: "rate(1 hour)", level: Info},
		{k8s: "@every 1h30m", want: "rate(90 minutes)", level: Info},
		{k8s: "@every 48h", want: "rate(2 days)", level: Info},
		{k8s: "@every 30s", wantErr: "whole minutes"},
		{k8s: "@every 90s", wantErr: "whole minutes"},
		{k8s: "@every soon", wantErr: "@every"},
		{k8s: "@reboot", wantErr: "unknown schedule macro"},
		{k8s: "@DAILY", wantErr: "unknown schedule macro"},
		// time zone prefixes
		{k8s: "TZ=Europe/Paris 0 3 * * *", want: "cron(0 3 * * ? *)", level: Info},
		{k8s: "CRON_TZ=UTC @daily", want: "cron(0 0 * * ? *)", level: Info},
		// invalid input names the field
		{k8s: "60 * * * *", wantErr: "minute"},
		{k8s: "* 24 * * *", wantErr: "hour"},
		{k8s: "* * 0 * *", wantErr: "day-of-month"},
		{k8s: "* * 32 * *", wantErr: "day-of-month"},
		{k8s: "* * * 0 *", wantErr: "month"},
		{k8s: "* * * 13 *", wantErr: "month"},
		{k8s: "* * * FOO *", wantErr: "month"},
		{k8s: "* * * * 8", wantErr: "day-of-week"},
		{k8s: "* * * * 8/2", wantErr: "day-of-week"},
		{k8s: "* * * * sunday", wantErr: "day-of-week"},
		{k8s: "*/0 * * * *", wantErr: "step"},
		{k8s: "*/x * * * *", wantErr: "step"},
		{k8s: "1/2/3 * * * *", wantErr: "'/'"},
		{k8s: "5-1 * * * *", wantErr: "backwards"},
		{k8s: "1-2-3 * * * *", wantErr: "minute"},
		{k8s: "-1 * * * *", wantErr: "minute"},
		{k8s: "0 0 L * *", wantErr: "day-of-month"},
		{k8s: ", * * * *", wantErr: "minute is empty"},
		{k8s: "* * * *", wantErr: "5 fields"},
		{k8s: "0 * * * * *", wantErr: "5 fields"},
		{k8s: "", wantErr: "empty"},
		{k8s: "TZ=UTC", wantErr: "empty"},
	}
	for _, tc := range tests {
		t.Run(tc.k8s, func(t *testing.T) {
			got, fs, err := ScheduleExpressionFromCron(tc.k8s, cronTestPath)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				assert.Empty(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.LessOrEqual(t, len(got), MaxScheduleExpressionLength)
			if tc.level == "" {
				assert.Empty(t, fs)
				return
			}
			require.Len(t, fs, 1, "%v", fs)
			assert.Equal(t, tc.level, fs[0].Level, fs[0].Message)
			assert.Equal(t, cronTestPath, fs[0].Path)
		})
	}
}

func TestScheduleExpressionsFromCronSplitsEitherDay(t *testing.T) {
	tests := []struct {
		k8s  string
		want []string
	}{
		{"0 0 13 * 5", []string{"cron(0 0 13 * ? *)", "cron(0 0 ? * 6 *)"}},
		{"30 6 1,15 * mon-fri", []string{"cron(30 6 1,15 * ? *)", "cron(30 6 ? * MON-FRI *)"}},
		// robfig clears the star of */2, so this is OR, not AND as in Vixie cron.
		{"0 0 */2 * 1", []string{"cron(0 0 1/2 * ? *)", "cron(0 0 ? * 2 *)"}},
	}
	for _, tc := range tests {
		t.Run(tc.k8s, func(t *testing.T) {
			got, fs, err := ScheduleExpressionsFromCron(tc.k8s, cronTestPath)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			require.Len(t, fs, 1)
			assert.Equal(t, Lossy, fs[0].Level)
			assert.Contains(t, fs[0].Message, "twice")

			_, _, err = ScheduleExpressionFromCron(tc.k8s, cronTestPath)
			assert.ErrorIs(t, err, ErrCronEitherDay)
		})
	}
	one, fs, err := ScheduleExpressionsFromCron("0 0 * * 1", cronTestPath)
	require.NoError(t, err)
	assert.Equal(t, []string{"cron(0 0 ? * 2 *)"}, one)
	assert.Empty(t, fs)
}

func TestScheduleExpressionTooLong(t *testing.T) {
	var mins, hours, days []string
	for i := range 60 {
		mins = append(mins, strconv.Itoa(i))
	}
	for i := range 24 {
		hours = append(hours, strconv.Itoa(i))
	}
	for i := 1; i <= 31; i++ {
		days = append(days, strconv.Itoa(i))
	}
	k8s := strings.Join([]string{strings.Join(mins, ","), strings.Join(hours, ","), strings.Join(days, ","), "*", "*"}, " ")
	_, _, err := ScheduleExpressionFromCron(k8s, cronTestPath)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "256")
}

func TestSplitCronTimeZone(t *testing.T) {
	tests := []struct{ in, tz, rest string }{
		{"TZ=Europe/Paris 0 3 * * *", "Europe/Paris", "0 3 * * *"},
		{"CRON_TZ=America/New_York  @daily", "America/New_York", "@daily"},
		{"0 3 * * *", "", "0 3 * * *"},
		{"XTZ=UTC 0 3 * * *", "", "XTZ=UTC 0 3 * * *"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			tz, rest := SplitCronTimeZone(tc.in)
			assert.Equal(t, tc.tz, tz)
			assert.Equal(t, tc.rest, rest)
		})
	}
}

func TestCronFromScheduleExpression(t *testing.T) {
	tests := []struct {
		expr    string
		want    string
		level   Level
		wantErr string
	}{
		{expr: "cron(* * * * ? *)", want: "* * * * *"},
		{expr: "cron(0/15 * * * ? *)", want: "*/15 * * * *"},
		{expr: "cron(*/15 * * * ? *)", want: "*/15 * * * *"},
		{expr: "cron(5/15 * * * ? *)", want: "5/15 * * * *"},
		{expr: "cron(10-30/5 * * * ? *)", want: "10-30/5 * * * *"},
		{expr: "cron(0 0/2 * * ? *)", want: "0 */2 * * *"},
		{expr: "cron(0 9 ? * 2-6 *)", want: "0 9 * * 1-5"},
		{expr: "cron(0 9 ? * MON-FRI *)", want: "0 9 * * MON-FRI"},
		{expr: "cron(0 9 ? * mon-6 *)", want: "0 9 * * MON-FRI"},
		{expr: "cron(0 9 ? * 1,7 *)", want: "0 9 * * 0,6"},
		{expr: "cron(0 9 ? * 1-7 *)", want: "0 9 * * 0-6"},
		{expr: "cron(0 9 ? * * *)", want: "0 9 * * *"},
		{expr: "cron(0 0 1 * ? *)", want: "0 0 1 * *"},
		{expr: "cron(0 0 1/2 * ? *)", want: "0 0 */2 * *"},
		{expr: "cron(0 0 1 1/3 ? *)", want: "0 0 1 */3 *"},
		{expr: "cron(0 0 1 JAN-MAR ? *)", want: "0 0 1 JAN-MAR *"},
		{expr: "cron(0 0 ? JUL WED *)", want: "0 0 * JUL WED"},
		{expr: "cron(0 0 ? APR,JUL SAT,WED *)", want: "0 0 * APR,JUL SAT,WED"},
		{expr: "cron(0 0 ? ? ? *)", want: "0 0 * * *"},
		{expr: " cron(15 10 * * ? *) ", want: "15 10 * * *"},
		{expr: "cron(0 12 * * ? 2030)", want: "0 12 * * *", level: Lossy},
		{expr: "cron(0 12 * * ? 2030-2032)", want: "0 12 * * *", level: Lossy},
		{expr: "cron(0 12 * * ? 1969)", wantErr: "year"},
		{expr: "cron(0 0 L * ? *)", wantErr: "no L"},
		{expr: "cron(0 0 15W * ? *)", wantErr: "no L"},
		{expr: "cron(0 0 LW * ? *)", wantErr: "no L"},
		{expr: "cron(0 0 L-3 * ? *)", wantErr: "no L"},
		{expr: "cron(0 0 ? * 6L *)", wantErr: "no L"},
		{expr: "cron(0 0 ? * 3#2 *)", wantErr: "no L"},
		{expr: "cron(0 0 ? * FRI#1 *)", wantErr: "no L"},
		{expr: "cron(0 0 1 * 2 *)", wantErr: `must be "?"`},
		{expr: "cron(0 0 ? * 0 *)", wantErr: "day-of-week"},
		{expr: "cron(0 0 ? * 8 *)", wantErr: "day-of-week"},
		{expr: "cron(0 0 * * *)", wantErr: "6 fields"},
		{expr: "cron(60 0 * * ? *)", wantErr: "minutes"},
		{expr: "rate(1 minute)", want: "* * * * *", level: Lossy},
		{expr: "rate(5 minutes)", want: "*/5 * * * *", level: Lossy},
		{expr: "rate(30 minutes)", want: "*/30 * * * *", level: Lossy},
		{expr: "rate(1 hour)", want: "0 * * * *", level: Lossy},
		{expr: "rate(60 minutes)", want: "0 * * * *", level: Lossy},
		{expr: "rate(2 hours)", want: "0 */2 * * *", level: Lossy},
		{expr: "rate(120 minutes)", want: "0 */2 * * *", level: Lossy},
		{expr: "rate(12 hours)", want: "0 */12 * * *", level: Lossy},
		{expr: "rate(1 day)", want: "0 0 * * *", level: Lossy},
		{expr: "rate(24 hours)", want: "0 0 * * *", level: Lossy},
		{expr: "rate(7 minutes)", wantErr: "divide"},
		{expr: "rate(90 minutes)", wantErr: "divide"},
		{expr: "rate(5 hours)", wantErr: "divide"},
		{expr: "rate(2 days)", wantErr: "divide"},
		{expr: "rate(0 minutes)", wantErr: "positive"},
		{expr: "rate(-5 minutes)", wantErr: "positive"},
		{expr: "rate(5 weeks)", wantErr: "unit"},
		{expr: "rate(5)", wantErr: "positive"},
		{expr: "at(2030-01-01T00:00:00)", wantErr: "one-time"},
		{expr: "0 0 * * *", wantErr: "not a cron"},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			got, fs, err := CronFromScheduleExpression(tc.expr, "ScheduleExpression")
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				assert.Empty(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			if tc.level == "" {
				assert.Empty(t, fs)
				return
			}
			require.Len(t, fs, 1, "%v", fs)
			assert.Equal(t, tc.level, fs[0].Level, fs[0].Message)
			assert.Equal(t, "ScheduleExpression", fs[0].Path)
		})
	}
}

func TestCronUnsupportedErrorsWrap(t *testing.T) {
	for _, expr := range []string{"cron(0 0 L * ? *)", "rate(7 minutes)", "at(2030-01-01T00:00:00)"} {
		_, _, err := CronFromScheduleExpression(expr, "")
		assert.ErrorIs(t, err, ErrCronUnsupported, expr)
	}
	_, _, err := ScheduleExpressionFromCron("@every 30s", "")
	assert.ErrorIs(t, err, ErrCronUnsupported)
}

// --- an independent model of both dialects, for the round-trip properties -----------------------

// cronSem is what a schedule selects: minutes, hours, months and, for every (day-of-month,
// day-of-week) pair, whether the day runs.
type cronSem struct {
	min, hour, month [60]bool
	day              [32][7]bool
}

// semField expands one field written with *, ?, a, a-b, a/n, a-b/n and names.
func semField(t *testing.T, text string, lo, hi int, names []string, base int) (set [60]bool, star bool) {
	t.Helper()
	for _, el := range strings.Split(text, ",") {
		if el == "" {
			continue
		}
		r, stepText, hasStep := strings.Cut(el, "/")
		step := 1
		if hasStep {
			var err error
			step, err = strconv.Atoi(stepText)
			require.NoError(t, err, el)
		}
		a, b := lo, hi
		if r == "*" || r == "?" {
			star = star || step == 1
		} else {
			x, y, ranged := strings.Cut(r, "-")
			a = semValue(t, x, names, base)
			b = a
			if ranged {
				b = semValue(t, y, names, base)
			} else if hasStep {
				b = hi
			}
		}
		for v := a; v <= b; v += step {
			set[v] = true
		}
	}
	return set, star
}

func semValue(t *testing.T, s string, names []string, base int) int {
	t.Helper()
	if i := slices.Index(names, strings.ToUpper(s)); i >= 0 {
		return base + i
	}
	v, err := strconv.Atoi(s)
	require.NoError(t, err, s)
	return v
}

// semK8s follows robfig/cron: Sunday 0 (7 folded in), AND when a day field has a star, else OR.
func semK8s(t *testing.T, s string) cronSem {
	t.Helper()
	f := strings.Fields(s)
	require.Len(t, f, 5, s)
	var c cronSem
	c.min, _ = semField(t, f[0], 0, 59, nil, 0)
	c.hour, _ = semField(t, f[1], 0, 23, nil, 0)
	c.month, _ = semField(t, f[3], 1, 12, cronMonthNames, 1)
	dom, domStar := semField(t, f[2], 1, 31, nil, 0)
	dow, dowStar := semField(t, f[4], 0, 6, cronDayNames, 0)
	dow[0] = dow[0] || dow[7]
	for d := 1; d <= 31; d++ {
		for w := range 7 {
			if domStar || dowStar {
				c.day[d][w] = dom[d] && dow[w]
			} else {
				c.day[d][w] = dom[d] || dow[w]
			}
		}
	}
	return c
}

// semAWS follows the EventBridge rules: Sunday 1, "?" in one day field, the other decides.
func semAWS(t *testing.T, s string) cronSem {
	t.Helper()
	body, ok := strings.CutPrefix(s, "cron(")
	require.True(t, ok, s)
	f := strings.Fields(strings.TrimSuffix(body, ")"))
	require.Len(t, f, 6, s)
	require.Equal(t, "*", f[5], s)
	require.True(t, (f[2] == "?") != (f[4] == "?"), "exactly one day field must be ?: %s", s)
	require.NotContains(t, f[4], "/", "no step in day-of-week: %s", s)
	var c cronSem
	c.min, _ = semField(t, f[0], 0, 59, nil, 0)
	c.hour, _ = semField(t, f[1], 0, 23, nil, 0)
	c.month, _ = semField(t, f[3], 1, 12, cronMonthNames, 1)
	dom, _ := semField(t, f[2], 1, 31, nil, 0)
	dow, _ := semField(t, f[4], 1, 7, cronDayNames, 1)
	for d := 1; d <= 31; d++ {
		for w := range 7 {
			c.day[d][w] = (f[2] == "?" || dom[d]) && (f[4] == "?" || dow[w+1])
		}
	}
	return c
}

// union is the schedule running on the days of either.
func (c cronSem) union(o cronSem) cronSem {
	for d := range c.day {
		for w := range c.day[d] {
			c.day[d][w] = c.day[d][w] || o.day[d][w]
		}
	}
	return c
}

// cronTestRandom builds a random valid Kubernetes schedule field by field.
func cronTestRandom(r *rand.Rand) string {
	field := func(lo, hi int, names []string, base int, allowSeven bool) string {
		n := 1 + r.IntN(3)
		var parts []string
		tok := func(v int) string {
			if names != nil && v >= base && v-base < len(names) && r.IntN(3) == 0 {
				return strings.ToLower(names[v-base])
			}
			return strconv.Itoa(v)
		}
		top := hi
		if allowSeven {
			top = 7
		}
		for range n {
			a := lo + r.IntN(hi-lo+1)
			b := a + r.IntN(top-a+1)
			step := 2 + r.IntN(5)
			switch r.IntN(9) {
			case 0:
				return "*"
			case 1:
				parts = append(parts, fmt.Sprintf("*/%d", step))
			case 2, 3:
				parts = append(parts, tok(a))
			case 4, 5:
				parts = append(parts, tok(a)+"-"+tok(b))
			case 6:
				parts = append(parts, fmt.Sprintf("%d/%d", a, step))
			case 7:
				parts = append(parts, fmt.Sprintf("%d-%d/%d", a, b, step))
			default:
				return "?"
			}
		}
		return strings.Join(parts, ",")
	}
	return strings.Join([]string{
		field(0, 59, nil, 0, false),
		field(0, 23, nil, 0, false),
		field(1, 31, nil, 0, false),
		field(1, 12, cronMonthNames, 1, false),
		field(0, 6, cronDayNames, 0, true),
	}, " ")
}

func TestCronRoundTripProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 2024))
	split := 0
	for i := range 3000 {
		k8s := cronTestRandom(r)
		want := semK8s(t, k8s)
		exprs, _, err := ScheduleExpressionsFromCron(k8s, cronTestPath)
		if err != nil {
			// only the length limit may refuse a valid schedule
			require.Contains(t, err.Error(), "characters", "case %d: %q", i, k8s)
			continue
		}
		require.NotEmpty(t, exprs)
		var aws, back cronSem
		for j, e := range exprs {
			s := semAWS(t, e)
			k, _, err := CronFromScheduleExpression(e, "")
			require.NoError(t, err, "case %d: %q -> %q", i, k8s, e)
			b := semK8s(t, k)
			// converting again gives the same expression: one round reaches a fixed point
			again, _, err := ScheduleExpressionFromCron(k, "")
			require.NoError(t, err, "case %d: %q", i, k)
			assert.Equal(t, e, again, "case %d: %q -> %q -> %q", i, k8s, e, k)
			if j == 0 {
				aws, back = s, b
			} else {
				aws, back = aws.union(s), back.union(b)
			}
		}
		if len(exprs) == 2 {
			split++
		}
		require.Equal(t, want, aws, "case %d: %q -> %v", i, k8s, exprs)
		require.Equal(t, want, back, "case %d: %q -> %v and back", i, k8s, exprs)
	}
	assert.Greater(t, split, 50, "the generator must exercise the either-day split")
}

// --- botocore models ---------------------------------------------------------------------------

// botoShape is the part of a botocore shape the model tests read.
type botoShape struct {
	Type    string `json:"type"`
	Members map[string]struct {
		Shape string `json:"shape"`
	} `json:"members"`
	Required []string `json:"required"`
	Member   struct {
		Shape string `json:"shape"`
	} `json:"member"`
	Value struct {
		Shape string `json:"shape"`
	} `json:"value"`
	Enum []string `json:"enum"`
	Min  *float64 `json:"min"`
	Max  *float64 `json:"max"`
}

// botocoreModel loads the shapes of one service model from the installed botocore.
func botocoreModel(t *testing.T, service string) map[string]botoShape {
	return botocore.Shapes[botoShape](t, service)
}

// botoCheckStruct checks that every JSON member name of a Go struct is a member of the shape, with
// the same nesting, and, when required is set, that the struct has every required member and does
// not omit it when empty.
func botoCheckStruct(t *testing.T, shapes map[string]botoShape, shapeName string, typ reflect.Type, required bool) {
	t.Helper()
	shape, ok := shapes[shapeName]
	require.True(t, ok, "shape %s", shapeName)
	require.Equal(t, "structure", shape.Type, shapeName)
	tags := map[string]string{}
	for i := range typ.NumField() {
		field := typ.Field(i)
		tag := field.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		require.NotEmpty(t, name, "%s.%s has no json name", typ.Name(), field.Name)
		tags[name] = opts
		member, ok := shape.Members[name]
		if !assert.True(t, ok, "%s.%s: json %q is not a member of %s", typ.Name(), field.Name, name, shapeName) {
			continue
		}
		ft, ms := field.Type, member.Shape
		for {
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
				continue
			}
			if ft.Kind() == reflect.Slice && shapes[ms].Type == "list" {
				ft, ms = ft.Elem(), shapes[ms].Member.Shape
				continue
			}
			if ft.Kind() == reflect.Map && shapes[ms].Type == "map" {
				ft, ms = ft.Elem(), shapes[ms].Value.Shape
				continue
			}
			break
		}
		if ft.Kind() == reflect.Struct {
			botoCheckStruct(t, shapes, ms, ft, required)
		} else {
			assert.NotEqual(t, "structure", shapes[ms].Type, "%s.%s is a %s in the model", typ.Name(), field.Name, ms)
		}
	}
	if required {
		for _, r := range shape.Required {
			opts, ok := tags[r]
			if assert.True(t, ok, "%s lacks required member %s of %s", typ.Name(), r, shapeName) {
				assert.NotContains(t, opts, "omitempty", "%s.%s is required by %s", typ.Name(), r, shapeName)
			}
		}
	}
}

func TestScheduleInputMatchesSchedulerModel(t *testing.T) {
	shapes := botocoreModel(t, "scheduler")
	botoCheckStruct(t, shapes, "CreateScheduleInput", reflect.TypeFor[ScheduleInput](), true)
	assert.ElementsMatch(t, []string{ScheduleStateEnabled, ScheduleStateDisabled}, shapes["ScheduleState"].Enum)
	assert.ElementsMatch(t, []string{FlexibleTimeWindowOff, FlexibleTimeWindowFlex}, shapes["FlexibleTimeWindowMode"].Enum)
	require.NotNil(t, shapes["ScheduleExpression"].Max)
	assert.Equal(t, float64(MaxScheduleExpressionLength), *shapes["ScheduleExpression"].Max)
}
