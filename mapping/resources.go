package mapping

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
)

// CPUUnitsPerCore is the number of ECS CPU units in one vCPU (one Kubernetes core).
const CPUUnitsPerCore = 1024

// bytesPerMiB and bytesPerGiB are the binary units ECS uses for memory and ephemeral storage.
const (
	bytesPerMiB = 1 << 20
	bytesPerGiB = 1 << 30
)

// CPUUnits converts a Kubernetes CPU quantity to ECS CPU units (1024 per core), rounding up:
// ceil(millicores*1024/1000). Rounding up keeps at least the CPU share the pod asked for
// (250m -> 256, 100m -> 103, 1m -> 2). Zero and negative quantities give 0; values too large for
// an int64 saturate at math.MaxInt64.
func CPUUnits(q resource.Quantity) int64 {
	if q.Sign() <= 0 {
		return 0
	}
	if q.Cmp(*resource.NewMilliQuantity(math.MaxInt64/CPUUnitsPerCore, resource.DecimalSI)) > 0 {
		return math.MaxInt64
	}
	milli := q.MilliValue() // rounds sub-millicore fractions up
	return ceilDiv(milli*CPUUnitsPerCore, 1000)
}

// CPUQuantity converts ECS CPU units back to a Kubernetes CPU quantity in canonical form,
// rounding to the nearest millicore: round(units*1000/1024) (256 -> "250m", 1024 -> "1").
// exact reports whether CPUUnits of the result gives units back; it is false for unit counts that
// are no whole millicore multiple (103 -> "101m", which maps forward to 104). Non-positive units
// give a zero quantity, exact only for 0.
func CPUQuantity(units int64) (q resource.Quantity, exact bool) {
	if units <= 0 {
		return *resource.NewMilliQuantity(0, resource.DecimalSI), units == 0
	}
	if units > math.MaxInt64/1000 {
		return *resource.NewQuantity(ceilDiv(units, CPUUnitsPerCore), resource.DecimalSI), false
	}
	milli := (units*1000 + CPUUnitsPerCore/2) / CPUUnitsPerCore
	q = *resource.NewMilliQuantity(milli, resource.DecimalSI)
	return q, CPUUnits(q) == units
}

// MinContainerMemoryMiB is the smallest container memory worth emitting: Docker 20.10 and later
// reserve 6 MiB per container, so the ECS docs say not to specify less (older daemons: 4 MiB).
const MinContainerMemoryMiB = 6

// MemoryMiB converts a Kubernetes memory quantity to whole MiB, the only unit ECS accepts for
// container and task memory, rounding up so a limit is never tightened: ceil(bytes/1048576)
// (500M -> 477, 1G -> 954, 100Ki -> 1). exact reports whether the quantity was a whole number of
// MiB; decimal suffixes (M, G) almost never are. Zero and negative quantities give 0; quantities
// beyond the int64 byte range saturate.
func MemoryMiB(q resource.Quantity) (mib int64, exact bool) {
	if q.Sign() <= 0 {
		return 0, q.Sign() == 0
	}
	if q.Cmp(*resource.NewQuantity(math.MaxInt64, resource.BinarySI)) > 0 {
		return ceilDiv(math.MaxInt64, bytesPerMiB), false
	}
	bytes := q.Value() // rounds fractional bytes up
	exact = bytes%bytesPerMiB == 0 && q.Cmp(*resource.NewQuantity(bytes, resource.BinarySI)) == 0
	return ceilDiv(bytes, bytesPerMiB), exact
}

// MemoryQuantity converts ECS MiB to a Kubernetes binary quantity such as "512Mi"; the library
// canonicalises whole GiB ("1Gi"). MemoryMiB of the result gives mib back. Negative values give
// zero; values beyond the int64 byte range saturate.
func MemoryQuantity(mib int64) resource.Quantity {
	mib = max(0, min(mib, math.MaxInt64/bytesPerMiB))
	return *resource.NewQuantity(mib*bytesPerMiB, resource.BinarySI)
}

// TaskSize is a task-level cpu (CPU units) and memory (MiB) pair.
type TaskSize struct {
	CPU       int64
	MemoryMiB int64
}

// String renders the size as ECS prints it, e.g. "256 CPU units / 512 MiB".
func (s TaskSize) String() string {
	return fmt.Sprintf("%d CPU units / %d MiB", s.CPU, s.MemoryMiB)
}

// Largest Fargate task size: 16 vCPU with 120 GiB (Linux platform version 1.4.0 or later).
const (
	MaxFargateCPU       = 16384
	MaxFargateMemoryMiB = 122880
)

// fargateRow lists the memory sizes Fargate accepts with one cpu value, ascending.
type fargateRow struct {
	cpu int64
	mem []int64
}

// fargateTable is the cpu/memory table from the RegisterTaskDefinition.memory documentation.
// It is built once and never modified.
var fargateTable = []fargateRow{
	{256, []int64{512, 1024, 2048}},
	{512, memRange(1024, 4096, 1024)},
	{1024, memRange(2048, 8192, 1024)},
	{2048, memRange(4096, 16384, 1024)},
	{4096, memRange(8192, 30720, 1024)},
	{8192, memRange(16384, 61440, 4096)},
	{16384, memRange(32768, MaxFargateMemoryMiB, 8192)},
}

func memRange(from, to, step int64) []int64 {
	var out []int64
	for m := from; m <= to; m += step {
		out = append(out, m)
	}
	return out
}

// FargateTaskSize picks the smallest Fargate task size that holds needCPU units and needMemMiB:
// the smallest cpu row with cpu >= needCPU that offers a memory >= needMemMiB, then the smallest
// such memory. Fargate only runs these fixed combinations and requires task-level cpu and memory,
// so the sum of the containers' needs is rounded up to one of them. Zero needs give the smallest
// size (256/512). Negative needs and needs above 16384 units or 122880 MiB are errors.
func FargateTaskSize(needCPU, needMemMiB int64) (TaskSize, error) {
	if needCPU < 0 || needMemMiB < 0 {
		return TaskSize{}, fmt.Errorf("negative task size need: %d CPU units, %d MiB", needCPU, needMemMiB)
	}
	for _, row := range fargateTable {
		if row.cpu < needCPU {
			continue
		}
		for _, m := range row.mem {
			if m >= needMemMiB {
				return TaskSize{CPU: row.cpu, MemoryMiB: m}, nil
			}
		}
	}
	return TaskSize{}, fmt.Errorf("no Fargate task size holds %d CPU units and %d MiB: the largest is %d CPU units with %d MiB",
		needCPU, needMemMiB, MaxFargateCPU, MaxFargateMemoryMiB)
}

// ValidFargateSize reports whether cpu units and memMiB form a combination Fargate accepts.
func ValidFargateSize(cpu, memMiB int64) bool {
	for _, row := range fargateTable {
		if row.cpu != cpu {
			continue
		}
		for _, m := range row.mem {
			if m == memMiB {
				return true
			}
		}
	}
	return false
}

// FargateSizes lists every valid Fargate cpu/memory combination, by cpu then memory.
func FargateSizes() []TaskSize {
	var out []TaskSize
	for _, row := range fargateTable {
		for _, m := range row.mem {
			out = append(out, TaskSize{CPU: row.cpu, MemoryMiB: m})
		}
	}
	return out
}

// errNotWhole reports a task size string that does not come to a whole number of units.
var errNotWhole = errors.New("does not come to a whole number")

// ParseTaskCPU parses a task-level cpu string as ECS accepts it, either integer CPU units
// ("1024") or vCPUs ("1 vCPU", "0.25 vcpu", "2vCPU"), and returns CPU units. ECS normalises the
// vCPU form to units on registration, so podecs compares and emits units only.
func ParseTaskCPU(s string) (int64, error) {
	units, err := parseTaskUnits(s, "vcpu", CPUUnitsPerCore)
	if err != nil {
		return 0, fmt.Errorf("task cpu %q: %w", s, err)
	}
	return units, nil
}

// ParseTaskMemory parses a task-level memory string as ECS accepts it, either integer MiB
// ("512") or GB ("2GB", "1 GB", "0.5 GB"), and returns MiB. ECS reads GB as 1024 MiB.
func ParseTaskMemory(s string) (int64, error) {
	mib, err := parseTaskUnits(s, "gb", 1024)
	if err != nil {
		return 0, fmt.Errorf("task memory %q: %w", s, err)
	}
	return mib, nil
}

// parseTaskUnits reads "<int>" as base units or "<decimal> <suffix>" (suffix case-insensitive)
// as decimal*scale base units, which must be whole and non-negative.
func parseTaskUnits(s, suffix string, scale int64) (int64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, errors.New("empty value")
	}
	if len(t) > len(suffix) && strings.EqualFold(t[len(t)-len(suffix):], suffix) {
		num := strings.TrimSpace(t[:len(t)-len(suffix)])
		r, ok := new(big.Rat).SetString(num)
		if !ok || num == "" || strings.ContainsAny(num, "/eE") {
			return 0, fmt.Errorf("%q is not a decimal number", num)
		}
		r.Mul(r, new(big.Rat).SetInt64(scale))
		if !r.IsInt() {
			return 0, errNotWhole
		}
		if r.Sign() < 0 || !r.Num().IsInt64() {
			return 0, errors.New("out of range")
		}
		return r.Num().Int64(), nil
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("want an integer or a number with %q", suffix)
	}
	if n < 0 {
		return 0, errors.New("out of range")
	}
	return n, nil
}

// Fargate ephemeral storage bounds in GiB. Tasks on Fargate (Linux platform version 1.4.0 or
// later) get 20 GiB by default; ephemeralStorage.sizeInGiB can raise that to 21..200 GiB.
const (
	DefaultEphemeralStorageGiB = 20
	MinEphemeralStorageGiB     = 21
	MaxEphemeralStorageGiB     = 200
)

// EphemeralStorageGiB converts a task's ephemeral storage need in bytes (the sum of the
// containers' ephemeral-storage and emptyDir sizes) to ECS ephemeralStorage.sizeInGiB, rounding
// up to whole GiB. ok is false when the Fargate default of 20 GiB already covers the need, so no
// ephemeralStorage block should be emitted (ECS rejects values below 21). Needs above 200 GiB are
// clamped to 200; EphemeralStorageTooLarge tells the caller to report that.
func EphemeralStorageGiB(bytes int64) (gib int32, ok bool) {
	if bytes <= DefaultEphemeralStorageGiB*bytesPerGiB {
		return 0, false
	}
	if EphemeralStorageTooLarge(bytes) {
		return MaxEphemeralStorageGiB, true
	}
	return int32(ceilDiv(bytes, bytesPerGiB)), true
}

// EphemeralStorageTooLarge reports whether a need in bytes exceeds the 200 GiB Fargate maximum,
// i.e. whether EphemeralStorageGiB had to clamp it.
func EphemeralStorageTooLarge(bytes int64) bool {
	return bytes > MaxEphemeralStorageGiB*bytesPerGiB
}

// ceilDiv returns ceil(a/b) for a >= 0 and b > 0.
func ceilDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 {
		q++
	}
	return q
}
