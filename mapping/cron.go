package mapping

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A Kubernetes CronJob schedule is a 5-field Vixie-style cron line parsed by robfig/cron v3
// (minute hour day-of-month month day-of-week, Sunday = 0). EventBridge Scheduler takes a 6-field
// Quartz-style cron(minutes hours day-of-month month day-of-week year) with Sunday = 1, no step in
// day-of-week, and "?" in exactly one of the two day fields. The rules below translate between the
// two and say when they cannot.

// ScheduleInput is the EventBridge Scheduler CreateSchedule input, with the member names of the
// botocore scheduler model (2021-06-30) so that `aws scheduler create-schedule --cli-input-json`
// accepts the JSON as is.
type ScheduleInput struct {
	Name                       string             `json:"Name"`
	GroupName                  string             `json:"GroupName,omitempty"`
	Description                string             `json:"Description,omitempty"`
	ScheduleExpression         string             `json:"ScheduleExpression"`
	ScheduleExpressionTimezone string             `json:"ScheduleExpressionTimezone,omitempty"`
	State                      string             `json:"State,omitempty"`
	FlexibleTimeWindow         FlexibleTimeWindow `json:"FlexibleTimeWindow"`
	Target                     ScheduleTarget     `json:"Target"`
	ActionAfterCompletion      string             `json:"ActionAfterCompletion,omitempty"`
}

// FlexibleTimeWindow is the scheduler FlexibleTimeWindow shape; Mode OFF runs at the exact time,
// as a CronJob does.
type FlexibleTimeWindow struct {
	Mode                   string `json:"Mode"`
	MaximumWindowInMinutes *int32 `json:"MaximumWindowInMinutes,omitempty"`
}

// ScheduleTarget is the scheduler Target shape; for an ECS task, Arn is the cluster ARN and
// RoleArn a role EventBridge Scheduler assumes to call ecs:RunTask.
type ScheduleTarget struct {
	Arn              string                    `json:"Arn"`
	RoleArn          string                    `json:"RoleArn"`
	EcsParameters    *ScheduleEcsParameters    `json:"EcsParameters,omitempty"`
	Input            string                    `json:"Input,omitempty"`
	RetryPolicy      *ScheduleRetryPolicy      `json:"RetryPolicy,omitempty"`
	DeadLetterConfig *ScheduleDeadLetterConfig `json:"DeadLetterConfig,omitempty"`
}

// ScheduleEcsParameters is the scheduler EcsParameters shape: the RunTask parameters of each run.
// TaskCount is 1 to 10.
type ScheduleEcsParameters struct {
	TaskDefinitionArn        string                                 `json:"TaskDefinitionArn"`
	TaskCount                *int32                                 `json:"TaskCount,omitempty"`
	LaunchType               string                                 `json:"LaunchType,omitempty"`
	CapacityProviderStrategy []ScheduleCapacityProviderStrategyItem `json:"CapacityProviderStrategy,omitempty"`
	NetworkConfiguration     *ScheduleNetworkConfiguration          `json:"NetworkConfiguration,omitempty"`
	PlatformVersion          string                                 `json:"PlatformVersion,omitempty"`
	Group                    string                                 `json:"Group,omitempty"`
	PlacementConstraints     []SchedulePlacementConstraint          `json:"PlacementConstraints,omitempty"`
	PlacementStrategy        []SchedulePlacementStrategy            `json:"PlacementStrategy,omitempty"`
	PropagateTags            string                                 `json:"PropagateTags,omitempty"`
	ReferenceId              string                                 `json:"ReferenceId,omitempty"`
	Tags                     []map[string]string                    `json:"Tags,omitempty"`
	EnableECSManagedTags     *bool                                  `json:"EnableECSManagedTags,omitempty"`
	EnableExecuteCommand     *bool                                  `json:"EnableExecuteCommand,omitempty"`
}

// ScheduleNetworkConfiguration is the scheduler NetworkConfiguration shape. Its one member is
// spelled awsvpcConfiguration (lower case) in the model, unlike the members around it.
type ScheduleNetworkConfiguration struct {
	AwsvpcConfiguration *ScheduleAwsVpcConfiguration `json:"awsvpcConfiguration,omitempty"`
}

// ScheduleAwsVpcConfiguration is the scheduler AwsVpcConfiguration shape (1-16 subnets, at most 5
// security groups, AssignPublicIp ENABLED or DISABLED).
type ScheduleAwsVpcConfiguration struct {
	Subnets        []string `json:"Subnets"`
	SecurityGroups []string `json:"SecurityGroups,omitempty"`
	AssignPublicIp string   `json:"AssignPublicIp,omitempty"`
}

// ScheduleCapacityProviderStrategyItem is the scheduler CapacityProviderStrategyItem shape
// (lower-case member names in the model).
type ScheduleCapacityProviderStrategyItem struct {
	CapacityProvider string `json:"capacityProvider"`
	Weight           *int32 `json:"weight,omitempty"`
	Base             *int32 `json:"base,omitempty"`
}

// SchedulePlacementConstraint is the scheduler PlacementConstraint shape (lower-case members).
type SchedulePlacementConstraint struct {
	Type       string `json:"type,omitempty"`
	Expression string `json:"expression,omitempty"`
}

// SchedulePlacementStrategy is the scheduler PlacementStrategy shape (lower-case members).
type SchedulePlacementStrategy struct {
	Type  string `json:"type,omitempty"`
	Field string `json:"field,omitempty"`
}

// ScheduleRetryPolicy is the scheduler RetryPolicy shape (event age 60-86400 s, 0-185 retries).
type ScheduleRetryPolicy struct {
	MaximumEventAgeInSeconds *int32 `json:"MaximumEventAgeInSeconds,omitempty"`
	MaximumRetryAttempts     *int32 `json:"MaximumRetryAttempts,omitempty"`
}

// ScheduleDeadLetterConfig is the scheduler DeadLetterConfig shape (an SQS queue ARN).
type ScheduleDeadLetterConfig struct {
	Arn string `json:"Arn,omitempty"`
}

// Scheduler enum values used by podecs (ScheduleState, FlexibleTimeWindowMode).
const (
	ScheduleStateEnabled   = "ENABLED"
	ScheduleStateDisabled  = "DISABLED"
	FlexibleTimeWindowOff  = "OFF"
	FlexibleTimeWindowFlex = "FLEXIBLE"
)

// MaxScheduleExpressionLength is the longest ScheduleExpression the scheduler model allows.
const MaxScheduleExpressionLength = 256

// ErrCronEitherDay is returned by ScheduleExpressionFromCron when both day-of-month and day-of-week
// are restricted: Kubernetes then runs on days matching either field, which one EventBridge cron
// expression cannot say (one of the two must be "?"). ScheduleExpressionsFromCron splits such a
// schedule in two.
var ErrCronEitherDay = errors.New("day-of-month and day-of-week are both restricted: Kubernetes runs on days matching either, which needs two EventBridge schedules")

// ErrCronUnsupported is wrapped by the errors for expressions that are valid on one side but have
// no equivalent on the other (EventBridge L, W, #, at(), a year; uneven rates).
var ErrCronUnsupported = errors.New("no equivalent schedule")

// cronField describes one cron field: its range and, for month and day-of-week, its names
// (names[i] is the name of value base+i).
type cronField struct {
	name     string
	min, max int
	base     int
	names    []string
}

var (
	cronMonthNames = []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
	cronDayNames   = []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}
)

// The Kubernetes fields (robfig/cron v3 bounds) and the EventBridge ones. Kubernetes rejects a
// day-of-week of 7; it is read as Sunday, as Vixie cron does, with a finding.
var (
	k8sCronFields = [5]cronField{
		{name: "minute", min: 0, max: 59},
		{name: "hour", min: 0, max: 23},
		{name: "day-of-month", min: 1, max: 31},
		{name: "month", min: 1, max: 12, base: 1, names: cronMonthNames},
		{name: "day-of-week", min: 0, max: 6, base: 0, names: cronDayNames},
	}
	awsCronFields = [6]cronField{
		{name: "minutes", min: 0, max: 59},
		{name: "hours", min: 0, max: 23},
		{name: "day-of-month", min: 1, max: 31},
		{name: "month", min: 1, max: 12, base: 1, names: cronMonthNames},
		{name: "day-of-week", min: 1, max: 7, base: 1, names: cronDayNames},
		{name: "year", min: 1970, max: 2199},
	}
)

const (
	cronMinute = iota
	cronHour
	cronDom
	cronMonth
	cronDow
	cronYear
)

// cronElem is one comma-separated element of a field: *, a value, a range, each with an optional
// step. Tokens keep the spelling of names (upper-cased) so they can be written back as names.
type cronElem struct {
	star         bool
	lo, hi       int
	loTok, hiTok string
	ranged       bool // written a-b
	step         int  // 0 when there is no /step
}

// values lists the values the element selects.
func (e cronElem) values() []int {
	step := max(e.step, 1)
	var out []int
	for v := e.lo; v <= e.hi; v += step {
		out = append(out, v)
	}
	return out
}

// isStar reports whether the element counts as a star for robfig's day rule: * or ? with no step
// above 1.
func (e cronElem) isStar() bool { return e.star && e.step <= 1 }

// parseCronElem parses one element. maxValue lets the Kubernetes day-of-week accept 7.
func parseCronElem(tok string, f cronField, maxValue int) (cronElem, error) {
	rangePart, stepPart, hasStep := strings.Cut(tok, "/")
	if strings.Contains(stepPart, "/") {
		return cronElem{}, fmt.Errorf("%s %q: more than one '/'", f.name, tok)
	}
	e := cronElem{}
	if hasStep {
		n, err := strconv.Atoi(stepPart)
		if err != nil || n <= 0 || !cronDigits(stepPart) {
			return cronElem{}, fmt.Errorf("%s %q: the step must be a positive number", f.name, tok)
		}
		e.step = n
	}
	if rangePart == "*" || rangePart == "?" {
		e.star, e.lo, e.hi = true, f.min, f.max
		return e, nil
	}
	loTok, hiTok, ranged := strings.Cut(rangePart, "-")
	lo, loName, err := f.value(loTok, maxValue)
	if err != nil {
		return cronElem{}, fmt.Errorf("%s %q: %w", f.name, tok, err)
	}
	e.lo, e.hi, e.loTok, e.hiTok = lo, lo, loName, loName
	switch {
	case ranged:
		hi, hiName, err := f.value(hiTok, maxValue)
		if err != nil {
			return cronElem{}, fmt.Errorf("%s %q: %w", f.name, tok, err)
		}
		if hi < lo {
			return cronElem{}, fmt.Errorf("%s %q: the range runs backwards (%d > %d)", f.name, tok, lo, hi)
		}
		e.hi, e.hiTok, e.ranged = hi, hiName, true
	case hasStep:
		// "a/n" means a to the end of the field, every n (robfig, FreeBSD and Quartz agree).
		if lo > f.max {
			return cronElem{}, fmt.Errorf("%s %q: %d is above %d", f.name, tok, lo, f.max)
		}
		e.hi, e.hiTok = f.max, strconv.Itoa(f.max)
	}
	return e, nil
}

// value parses a number or a name (case-insensitive) and returns it with its canonical token.
func (f cronField) value(tok string, maxValue int) (int, string, error) {
	if cronDigits(tok) {
		v, err := strconv.Atoi(tok)
		if err != nil || v < f.min || v > maxValue {
			return 0, "", fmt.Errorf("%s is outside %d-%d", tok, f.min, f.max)
		}
		return v, strconv.Itoa(v), nil
	}
	up := strings.ToUpper(tok)
	if i := slices.Index(f.names, up); i >= 0 {
		return f.base + i, up, nil
	}
	if tok == "" {
		return 0, "", errors.New("a value is missing")
	}
	if f.names != nil {
		return 0, "", fmt.Errorf("%q is neither a number %d-%d nor a name %s-%s", tok, f.min, f.max, f.names[0], f.names[len(f.names)-1])
	}
	return 0, "", fmt.Errorf("%q is not a number %d-%d", tok, f.min, f.max)
}

func cronDigits(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
}

// cronFieldSpec is a parsed field: its elements, the values it selects and whether it counts as
// a star (any element * or ? without a step above 1).
type cronFieldSpec struct {
	elems []cronElem
	set   uint64
	star  bool
}

// parseCronField splits a field at commas (empty parts are skipped, as robfig does) and parses
// each element; a day-of-week value 7 is folded into Sunday (0).
func parseCronField(text string, f cronField, maxValue int) (cronFieldSpec, error) {
	var spec cronFieldSpec
	for _, tok := range strings.Split(text, ",") {
		if tok == "" {
			continue
		}
		e, err := parseCronElem(tok, f, maxValue)
		if err != nil {
			return cronFieldSpec{}, err
		}
		spec.elems = append(spec.elems, e)
		spec.star = spec.star || e.isStar()
		for _, v := range e.values() {
			if maxValue == 7 && v == 7 && f.max == 6 {
				v = 0
			}
			spec.set |= 1 << uint(v)
		}
	}
	if len(spec.elems) == 0 {
		return cronFieldSpec{}, fmt.Errorf("%s is empty", f.name)
	}
	return spec, nil
}

// full reports whether the field selects every value of its range.
func (s cronFieldSpec) full(f cronField) bool {
	for v := f.min; v <= f.max; v++ {
		if s.set&(1<<uint(v)) == 0 {
			return false
		}
	}
	return true
}

// k8sCron is a parsed Kubernetes schedule.
type k8sCron struct {
	fields [5]cronFieldSpec
	texts  [5]string
}

// Kubernetes schedule macros (robfig/cron v3 descriptors) and the 5-field schedule each stands for.
var k8sCronMacros = map[string]string{
	"@yearly":   "0 0 1 1 *",
	"@annually": "0 0 1 1 *",
	"@monthly":  "0 0 1 * *",
	"@weekly":   "0 0 * * 0",
	"@daily":    "0 0 * * *",
	"@midnight": "0 0 * * *",
	"@hourly":   "0 * * * *",
}

// parseK8sCron parses a 5-field Kubernetes schedule (no macro, no TZ prefix).
func parseK8sCron(s string, path string, fs *Findings) (k8sCron, error) {
	parts := strings.Fields(s)
	if len(parts) != 5 {
		return k8sCron{}, fmt.Errorf("a Kubernetes schedule has 5 fields (minute hour day-of-month month day-of-week), %q has %d", s, len(parts))
	}
	var c k8sCron
	for i, f := range k8sCronFields {
		maxValue := f.max
		if i == cronDow {
			maxValue = 7
		}
		spec, err := parseCronField(parts[i], f, maxValue)
		if err != nil {
			return k8sCron{}, err
		}
		if i == cronDow && slices.ContainsFunc(spec.elems, func(e cronElem) bool { return !e.star && e.hi == 7 }) {
			fs.Add(path, Info, "day-of-week 7 read as Sunday; Kubernetes itself accepts only 0-6 (0 = Sunday)")
		}
		c.fields[i], c.texts[i] = spec, parts[i]
	}
	return c, nil
}

// SplitCronTimeZone splits a "TZ=zone " or "CRON_TZ=zone " prefix off a schedule, as robfig/cron
// reads it. Kubernetes refuses such prefixes in new CronJobs (spec.timeZone replaces them); the
// zone belongs in the schedule's ScheduleExpressionTimezone. Without a prefix tz is "".
func SplitCronTimeZone(schedule string) (tz, rest string) {
	s := strings.TrimSpace(schedule)
	if !strings.HasPrefix(s, "TZ=") && !strings.HasPrefix(s, "CRON_TZ=") {
		return "", schedule
	}
	_, after, _ := strings.Cut(s, "=")
	tz, rest, _ = strings.Cut(after, " ")
	return tz, strings.TrimSpace(rest)
}

// ScheduleExpressionFromCron converts a Kubernetes CronJob schedule into one EventBridge Scheduler
// expression; path is the schedule's path (spec.schedule) for findings. It returns ErrCronEitherDay
// when the schedule needs two EventBridge schedules; see ScheduleExpressionsFromCron for the rules.
func ScheduleExpressionFromCron(k8s, path string) (expr string, fs Findings, err error) {
	exprs, fs, err := cronExpressions(k8s, path)
	if err != nil {
		return "", fs, err
	}
	if len(exprs) != 1 {
		return "", fs, fmt.Errorf("%q: %w", k8s, ErrCronEitherDay)
	}
	return exprs[0], fs, nil
}

// ScheduleExpressionsFromCron converts a Kubernetes CronJob schedule into EventBridge Scheduler
// expressions: one, or two when both day fields are restricted.
//
// The 5 fields gain a year "*"; day-of-week numbers move from 0-6 (Sunday 0) to 1-7 (Sunday 1),
// names stay (upper-cased), and steps in day-of-week, which EventBridge does not allow, become
// lists. "*/n" becomes "min/n" and "a-b/n" becomes a list unless b is the end of the field.
// Kubernetes (robfig/cron) combines the day fields with AND when either is a star (* or ?
// without a step above 1) and with OR otherwise; EventBridge needs "?" in one of them, so a star
// field becomes "?", and with two restricted fields the schedule is split into a day-of-month
// schedule and a day-of-week schedule (a day that matches both then runs twice; reported).
// Macros become cron(...) rather than rate(...): rate(1 hour) counts from the schedule's
// creation, while @hourly runs on the hour. "@every d" (accepted by Kubernetes, which counts it
// from the CronJob's creation too) becomes rate(...) when d is a whole number of minutes.
// A TZ=/CRON_TZ= prefix is skipped with an Info finding; SplitCronTimeZone returns the zone.
func ScheduleExpressionsFromCron(k8s, path string) ([]string, Findings, error) {
	exprs, fs, err := cronExpressions(k8s, path)
	if err != nil {
		return nil, fs, err
	}
	if len(exprs) == 2 {
		fs.Add(path, Lossy, "%q runs on days matching day-of-month or day-of-week; EventBridge needs one schedule for each (%s and %s), and a day matching both runs the job twice", k8s, exprs[0], exprs[1])
	}
	return exprs, fs, nil
}

func cronExpressions(k8s, path string) ([]string, Findings, error) {
	var fs Findings
	schedule := strings.TrimSpace(k8s)
	if tz, rest := SplitCronTimeZone(schedule); tz != "" {
		fs.Add(path, Info, "time zone prefix %q: Kubernetes rejects TZ= and CRON_TZ= in new CronJobs (spec.timeZone replaces them); the zone belongs in ScheduleExpressionTimezone", tz)
		schedule = rest
	}
	if schedule == "" {
		return nil, fs, errors.New("the schedule is empty")
	}
	if strings.HasPrefix(schedule, "@") {
		expr, err := cronMacro(schedule, path, &fs)
		if err != nil {
			return nil, fs, err
		}
		return []string{expr}, fs, nil
	}
	c, err := parseK8sCron(schedule, path, &fs)
	if err != nil {
		return nil, fs, err
	}
	exprs, err := c.eventBridge(schedule, path, &fs)
	return exprs, fs, err
}

// cronMacro converts a Kubernetes descriptor. robfig matches them byte for byte, so "@DAILY" and
// "@reboot" are errors, as Kubernetes makes them.
func cronMacro(s, path string, fs *Findings) (string, error) {
	if expanded, ok := k8sCronMacros[s]; ok {
		c, err := parseK8sCron(expanded, path, fs)
		if err != nil {
			return "", err
		}
		exprs, err := c.eventBridge(expanded, path, fs)
		if err != nil {
			return "", err
		}
		return exprs[0], nil
	}
	if d, ok := strings.CutPrefix(s, "@every "); ok {
		return rateFromEvery(d, path, fs)
	}
	return "", fmt.Errorf("unknown schedule macro %q: Kubernetes accepts @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly and @every <duration>", s)
}

// rateFromEvery turns "@every 90m" into rate(90 minutes): both count from the object's creation.
func rateFromEvery(d, path string, fs *Findings) (string, error) {
	dur, err := time.ParseDuration(d)
	if err != nil {
		return "", fmt.Errorf("@every %q: %w", d, err)
	}
	if dur < time.Minute || dur%time.Minute != 0 {
		return "", fmt.Errorf("@every %s: %w: EventBridge Scheduler rates are whole minutes, at least 1", d, ErrCronUnsupported)
	}
	minutes := int64(dur / time.Minute)
	expr := rateExpression(minutes)
	fs.Add(path, Info, "@every %s runs every %s counted from the CronJob's creation; %s likewise counts from the schedule's creation", d, dur, expr)
	return expr, nil
}

// rateExpression writes a rate in the largest unit that divides it, singular for 1 as the
// scheduler requires.
func rateExpression(minutes int64) string {
	n, unit := minutes, "minute"
	switch {
	case minutes%(24*60) == 0:
		n, unit = minutes/(24*60), "day"
	case minutes%60 == 0:
		n, unit = minutes/60, "hour"
	}
	if n != 1 {
		unit += "s"
	}
	return fmt.Sprintf("rate(%d %s)", n, unit)
}

// eventBridge writes the parsed schedule as one or two cron(...) expressions.
func (c k8sCron) eventBridge(schedule, path string, fs *Findings) ([]string, error) {
	var out [6]string
	for i := cronMinute; i <= cronMonth; i++ {
		out[i] = awsCronField(c.fields[i], k8sCronFields[i])
	}
	out[cronDow] = awsDowField(c.fields[cronDow])
	out[cronYear] = "*"
	dom, dow := c.fields[cronDom], c.fields[cronDow]
	var exprs [][6]string
	switch {
	case dom.star:
		// AND with a star day-of-month: the day-of-week alone decides (both stars: every day).
		if dow.star {
			out[cronDom], out[cronDow] = "*", "?"
		} else {
			out[cronDom] = "?"
		}
		exprs = append(exprs, out)
	case dow.star:
		out[cronDow] = "?"
		exprs = append(exprs, out)
	case dow.full(k8sCronFields[cronDow]) || dom.full(k8sCronFields[cronDom]):
		// OR with a field that matches every day: every day.
		out[cronDom], out[cronDow] = "*", "?"
		fs.Add(path, Info, "day-of-month %q or day-of-week %q matches every day, so the schedule runs daily", c.texts[cronDom], c.texts[cronDow])
		exprs = append(exprs, out)
	default:
		byDom, byDow := out, out
		byDom[cronDow], byDow[cronDom] = "?", "?"
		exprs = append(exprs, byDom, byDow)
	}
	var strs []string
	for _, e := range exprs {
		s := "cron(" + strings.Join(e[:], " ") + ")"
		if len(s) > MaxScheduleExpressionLength {
			return nil, fmt.Errorf("%q becomes %d characters, more than the %d a ScheduleExpression allows", schedule, len(s), MaxScheduleExpressionLength)
		}
		strs = append(strs, s)
	}
	return strs, nil
}

// awsCronField writes a minute, hour, day-of-month or month field for EventBridge, which takes
// the same values; only steps need care.
func awsCronField(spec cronFieldSpec, f cronField) string {
	if spec.star {
		return "*"
	}
	var parts []string
	for _, e := range spec.elems {
		switch {
		case e.step <= 1 && e.ranged:
			parts = append(parts, cronRangeText(e, f))
		case e.step <= 1:
			parts = append(parts, e.loTok)
		case e.lo+e.step > e.hi:
			parts = append(parts, strconv.Itoa(e.lo)) // the step selects the first value only
		case e.hi == f.max:
			parts = append(parts, fmt.Sprintf("%d/%d", e.lo, e.step))
		default:
			parts = append(parts, cronList(e.values()))
		}
	}
	return strings.Join(parts, ",")
}

// awsDowField writes a day-of-week field with Sunday = 1 and the steps expanded.
func awsDowField(spec cronFieldSpec) string {
	if spec.star {
		return "*"
	}
	var parts []string
	for _, e := range spec.elems {
		switch {
		case e.step > 1 || e.star:
			var days []int
			for _, v := range e.values() {
				days = append(days, v%7+1)
			}
			slices.Sort(days)
			parts = append(parts, cronList(slices.Compact(days)))
		case !e.ranged:
			parts = append(parts, awsDow(cronNamed(e.loTok), e.lo))
		case e.lo == 0 && e.hi == 7:
			parts = append(parts, "1-7")
		case e.lo == 7:
			parts = append(parts, "1")
		case e.hi == 7:
			// a-7 is a to Saturday, plus Sunday.
			named := cronNamed(e.loTok)
			parts = append(parts, awsDow(named, e.lo)+"-"+awsDow(named, 6), awsDow(named, 0))
		default:
			named := cronNamed(e.loTok) || cronNamed(e.hiTok)
			parts = append(parts, awsDow(named, e.lo)+"-"+awsDow(named, e.hi))
		}
	}
	return strings.Join(parts, ",")
}

// cronNamed reports whether a token was written as a name.
func cronNamed(tok string) bool { return !cronDigits(tok) }

// awsDow writes a Kubernetes day (0-7, Sunday 0 or 7) as an EventBridge name or number (Sunday 1).
func awsDow(named bool, v int) string {
	if named {
		return cronDayNames[v%7]
	}
	return strconv.Itoa(v%7 + 1)
}

// cronRangeText writes a range; a range with a name at either end is written with names at both.
func cronRangeText(e cronElem, f cronField) string {
	if f.names != nil && (cronNamed(e.loTok) || cronNamed(e.hiTok)) {
		return f.names[e.lo-f.base] + "-" + f.names[e.hi-f.base]
	}
	return e.loTok + "-" + e.hiTok
}

// cronList writes values as a comma list, with runs of three or more as ranges.
func cronList(vals []int) string {
	var parts []string
	for i := 0; i < len(vals); {
		j := i
		for j+1 < len(vals) && vals[j+1] == vals[j]+1 {
			j++
		}
		switch {
		case j-i >= 2:
			parts = append(parts, fmt.Sprintf("%d-%d", vals[i], vals[j]))
		case j-i == 1:
			parts = append(parts, strconv.Itoa(vals[i]), strconv.Itoa(vals[j]))
		default:
			parts = append(parts, strconv.Itoa(vals[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// CronFromScheduleExpression converts an EventBridge Scheduler expression into a Kubernetes
// schedule; path is the expression's path for findings.
//
// cron(...): "?" becomes "*" (the other day field then decides alone, which is robfig's AND
// rule), day-of-week 1-7 becomes 0-6, "0/n" becomes "*/n", and a year other than "*" is dropped
// (Lossy: Kubernetes has no year field). L, W and # have no Kubernetes form and are errors.
// rate(...) becomes the cron line that fires at the same spacing when the spacing divides the
// hour or the day (rate(5 minutes) -> "*/5 * * * *", rate(1 hour) -> "0 * * * *"), with a Lossy
// finding: a rate counts from the schedule's creation, a cron line from the clock. Other rates and
// one-time at(...) schedules are errors.
func CronFromScheduleExpression(expr, path string) (k8s string, fs Findings, err error) {
	s := strings.TrimSpace(expr)
	switch {
	case strings.HasPrefix(s, "cron(") && strings.HasSuffix(s, ")"):
		k8s, err = cronFromAWS(s[len("cron("):len(s)-1], path, &fs)
	case strings.HasPrefix(s, "rate(") && strings.HasSuffix(s, ")"):
		k8s, err = cronFromRate(s[len("rate("):len(s)-1], path, &fs)
	case strings.HasPrefix(s, "at("):
		err = fmt.Errorf("%q: %w: a one-time at() schedule is a Job, not a CronJob", expr, ErrCronUnsupported)
	default:
		err = fmt.Errorf("%q is not a cron(...), rate(...) or at(...) expression", expr)
	}
	if err != nil {
		return "", fs, err
	}
	return k8s, fs, nil
}

// cronFromAWS converts the 6 fields of cron(...).
func cronFromAWS(body, path string, fs *Findings) (string, error) {
	parts := strings.Fields(body)
	if len(parts) != 6 {
		return "", fmt.Errorf("an EventBridge cron expression has 6 fields (minutes hours day-of-month month day-of-week year), %q has %d", body, len(parts))
	}
	if year := parts[cronYear]; year != "*" {
		if _, err := parseAWSCronField(year, awsCronFields[cronYear]); err != nil {
			return "", err
		}
		fs.Add(path, Lossy, "year %q dropped: a Kubernetes schedule has no year field and repeats every year", year)
	}
	if parts[cronDom] != "?" && parts[cronDow] != "?" {
		return "", fmt.Errorf("cron(%s): one of day-of-month and day-of-week must be \"?\"", body)
	}
	var out [5]string
	for i := cronMinute; i <= cronDow; i++ {
		f := awsCronFields[i]
		if parts[i] == "?" && (i == cronDom || i == cronDow) {
			out[i] = "*"
			continue
		}
		spec, err := parseAWSCronField(parts[i], f)
		if err != nil {
			return "", err
		}
		if i == cronDow {
			out[i] = k8sDowField(spec)
		} else {
			out[i] = k8sCronField(spec, f)
		}
	}
	return strings.Join(out[:], " "), nil
}

// parseAWSCronField parses an EventBridge field, naming the L, W and # extensions when it meets them.
func parseAWSCronField(text string, f cronField) (cronFieldSpec, error) {
	for _, tok := range strings.Split(text, ",") {
		if awsCronExtension(tok) {
			return cronFieldSpec{}, fmt.Errorf("%s %q: %w: Kubernetes cron has no L (last), W (nearest weekday) or # (nth weekday)", f.name, tok, ErrCronUnsupported)
		}
	}
	return parseCronField(text, f, f.max)
}

// awsCronExtension reports a token using L, W or # (names such as JUL or WED are not).
func awsCronExtension(tok string) bool {
	up := strings.ToUpper(tok)
	if strings.Contains(up, "#") {
		return true
	}
	if slices.Contains(cronMonthNames, up) || slices.Contains(cronDayNames, up) {
		return false
	}
	if strings.Contains(up, "-") || strings.Contains(up, "/") {
		for _, p := range strings.FieldsFunc(up, func(r rune) bool { return r == '-' || r == '/' }) {
			if p == "L" || p == "LW" {
				return true
			}
		}
		return false
	}
	return up == "L" || up == "LW" || (len(up) > 1 && (strings.HasSuffix(up, "L") || strings.HasSuffix(up, "W")))
}

// k8sCronField writes a minute, hour, day-of-month or month field for Kubernetes.
func k8sCronField(spec cronFieldSpec, f cronField) string {
	if spec.star {
		return "*"
	}
	var parts []string
	for _, e := range spec.elems {
		switch {
		case e.star:
			parts = append(parts, fmt.Sprintf("*/%d", e.step))
		case e.step <= 1 && e.ranged:
			parts = append(parts, cronRangeText(e, f))
		case e.step <= 1:
			parts = append(parts, e.loTok)
		case e.lo == f.min && e.hi == f.max:
			parts = append(parts, fmt.Sprintf("*/%d", e.step))
		case e.hi == f.max:
			parts = append(parts, fmt.Sprintf("%d/%d", e.lo, e.step))
		default:
			parts = append(parts, fmt.Sprintf("%d-%d/%d", e.lo, e.hi, e.step))
		}
	}
	return strings.Join(parts, ",")
}

// k8sDowField writes an EventBridge day-of-week field (Sunday = 1) with Sunday = 0.
func k8sDowField(spec cronFieldSpec) string {
	if spec.star {
		return "*"
	}
	var parts []string
	for _, e := range spec.elems {
		switch {
		case e.step > 1 || e.star:
			var days []int
			for _, v := range e.values() {
				days = append(days, v-1)
			}
			parts = append(parts, cronList(days))
		case !e.ranged:
			parts = append(parts, k8sDow(cronNamed(e.loTok), e.lo))
		default:
			named := cronNamed(e.loTok) || cronNamed(e.hiTok)
			parts = append(parts, k8sDow(named, e.lo)+"-"+k8sDow(named, e.hi))
		}
	}
	return strings.Join(parts, ",")
}

// k8sDow writes an EventBridge day (1-7, Sunday 1) as a Kubernetes name or number (Sunday 0).
func k8sDow(named bool, v int) string {
	if named {
		return cronDayNames[v-1]
	}
	return strconv.Itoa(v - 1)
}

// cronFromRate converts the body of rate(...) when the rate divides the hour or the day.
func cronFromRate(body, path string, fs *Findings) (string, error) {
	nText, unit, ok := strings.Cut(strings.TrimSpace(body), " ")
	n, err := strconv.Atoi(nText)
	if !ok || err != nil || n <= 0 || n > 1_000_000 || !cronDigits(nText) {
		return "", fmt.Errorf("rate(%s): expected rate(<positive number> <unit>)", body)
	}
	var minutes int
	switch strings.TrimSpace(unit) {
	case "minute", "minutes":
		minutes = n
	case "hour", "hours":
		minutes = n * 60
	case "day", "days":
		minutes = n * 24 * 60
	default:
		return "", fmt.Errorf("rate(%s): the unit must be minute(s), hour(s) or day(s)", body)
	}
	var k8s string
	switch {
	case minutes == 1:
		k8s = "* * * * *"
	case minutes < 60 && 60%minutes == 0:
		k8s = fmt.Sprintf("*/%d * * * *", minutes)
	case minutes == 60:
		k8s = "0 * * * *"
	case minutes%60 == 0 && minutes < 24*60 && (24*60)%minutes == 0:
		k8s = fmt.Sprintf("0 */%d * * *", minutes/60)
	case minutes == 24*60:
		k8s = "0 0 * * *"
	default:
		return "", fmt.Errorf("rate(%s): %w: a cron line can only repeat at spacings that divide the hour or the day", body, ErrCronUnsupported)
	}
	fs.Add(path, Lossy, "rate(%s) counts from the schedule's creation; %q fires at fixed clock times with the same spacing", body, k8s)
	return k8s, nil
}
