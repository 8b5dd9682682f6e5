package mapping

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/resource"
)

func TestCPUUnits(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"250m", 256},
		{"500m", 512},
		{"100m", 103}, // 102.4 rounds up
		{"1", 1024},
		{"1.5", 1536},
		{"1m", 2},     // 1.024 rounds up
		{"0.0001", 2}, // MilliValue rounds 0.1m up to 1m
		{"125m", 128},
		{"2", 2048},
		{"16", 16384},
		{"0", 0},
		{"-1", 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, CPUUnits(resource.MustParse(tt.in)))
		})
	}
	t.Run("saturates", func(t *testing.T) {
		assert.Equal(t, int64(math.MaxInt64), CPUUnits(resource.MustParse("100P")))
	})
}

func TestCPUQuantity(t *testing.T) {
	tests := []struct {
		units int64
		want  string
		exact bool
	}{
		{256, "250m", true},
		{512, "500m", true},
		{1024, "1", true},
		{2048, "2", true},
		{1536, "1500m", true},
		{128, "125m", true},
		{103, "101m", false}, // 100.59 rounds to 101m, which maps forward to 104
		{100, "98m", false},
		{2, "2m", false}, // 1.95 -> 2m -> 3 units
		{1, "1m", false}, // 0.98 -> 1m -> 2 units
		{0, "0", true},
		{-5, "0", false},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			q, exact := CPUQuantity(tt.units)
			assert.Equal(t, tt.want, q.String())
			assert.Equal(t, tt.exact, exact)
		})
	}
	t.Run("forward then back keeps every whole-millicore multiple of 125m", func(t *testing.T) {
		for m := int64(125); m <= 16000; m += 125 {
			q := *resource.NewMilliQuantity(m, resource.DecimalSI)
			back, exact := CPUQuantity(CPUUnits(q))
			require.True(t, exact, "%dm", m)
			assert.Equal(t, 0, q.Cmp(back), "%dm", m)
		}
	})
}

func TestMemoryMiB(t *testing.T) {
	tests := []struct {
		in    string
		want  int64
		exact bool
	}{
		{"512Mi", 512, true},
		{"1Gi", 1024, true},
		{"500M", 477, false}, // 476.84
		{"512M", 489, false}, // 488.28
		{"1G", 954, false},   // 953.67
		{"128974848", 123, true},
		{"128974849", 124, false},
		{"100Ki", 1, false},
		{"129e6", 124, false}, // 123.02
		{"1Mi", 1, true},
		{"1", 1, false},
		{"0.5Mi", 1, false},
		{"0", 0, true},
		{"-1Mi", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, exact := MemoryMiB(resource.MustParse(tt.in))
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.exact, exact)
		})
	}
	t.Run("saturates", func(t *testing.T) {
		got, exact := MemoryMiB(resource.MustParse("100E"))
		assert.Equal(t, int64(1)<<43, got)
		assert.False(t, exact)
	})
	t.Run("fractional byte is not exact", func(t *testing.T) {
		q := resource.MustParse("1048576.5")
		got, exact := MemoryMiB(q)
		assert.Equal(t, int64(2), got)
		assert.False(t, exact)
	})
}

func TestMemoryQuantity(t *testing.T) {
	tests := []struct {
		mib  int64
		want string
	}{
		{512, "512Mi"},
		{1024, "1Gi"},
		{1536, "1536Mi"},
		{6, "6Mi"},
		{0, "0"},
		{-3, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			q := MemoryQuantity(tt.mib)
			assert.Equal(t, tt.want, q.String())
		})
	}
	t.Run("round trip", func(t *testing.T) {
		for _, mib := range []int64{1, 6, 123, 477, 512, 954, 1024, 3072, 122880, 1 << 30} {
			got, exact := MemoryMiB(MemoryQuantity(mib))
			assert.Equal(t, mib, got)
			assert.True(t, exact)
		}
	})
}

func TestFargateTaskSize(t *testing.T) {
	tests := []struct {
		name      string
		cpu, mem  int64
		want      TaskSize
		wantError bool
	}{
		{"zero needs give the smallest size", 0, 0, TaskSize{256, 512}, false},
		{"exact smallest", 256, 512, TaskSize{256, 512}, false},
		{"memory rounds up in the row", 256, 600, TaskSize{256, 1024}, false},
		{"memory beyond the row moves to the next cpu", 256, 3000, TaskSize{512, 3072}, false},
		{"cpu rounds up to the next row", 257, 512, TaskSize{512, 1024}, false},
		{"one core", 1024, 2048, TaskSize{1024, 2048}, false},
		{"one core with little memory takes the row minimum", 1000, 100, TaskSize{1024, 2048}, false},
		{"two cores", 2048, 10000, TaskSize{2048, 10240}, false},
		{"memory forces 4 vCPU", 1024, 20000, TaskSize{4096, 20480}, false},
		{"8 vCPU steps by 4 GiB", 8192, 17000, TaskSize{8192, 20480}, false},
		{"memory forces 16 vCPU", 256, 61441, TaskSize{16384, 65536}, false},
		{"largest", 16384, 122880, TaskSize{16384, 122880}, false},
		{"too much cpu", 16385, 512, TaskSize{}, true},
		{"too much memory", 256, 122881, TaskSize{}, true},
		{"negative", -1, 512, TaskSize{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FargateTaskSize(tt.cpu, tt.mem)
			if tt.wantError {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.True(t, ValidFargateSize(got.CPU, got.MemoryMiB))
		})
	}
	t.Run("error names need and maximum", func(t *testing.T) {
		_, err := FargateTaskSize(20000, 1024)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "20000 CPU units")
		assert.Contains(t, err.Error(), "16384")
		assert.Contains(t, err.Error(), "122880")
	})
	t.Run("result is the smallest fitting size", func(t *testing.T) {
		sizes := FargateSizes()
		for _, need := range []TaskSize{{100, 100}, {300, 1500}, {512, 5000}, {3000, 9000}, {5000, 60000}} {
			got, err := FargateTaskSize(need.CPU, need.MemoryMiB)
			require.NoError(t, err)
			for _, s := range sizes {
				if s.CPU >= need.CPU && s.MemoryMiB >= need.MemoryMiB {
					assert.Equal(t, s, got, "first fitting size in table order for %v", need)
					break
				}
			}
		}
	})
}

func TestValidFargateSize(t *testing.T) {
	tests := []struct {
		cpu, mem int64
		want     bool
	}{
		{256, 512, true},
		{256, 1536, false},
		{256, 2048, true},
		{256, 3072, false},
		{512, 1024, true},
		{512, 512, false},
		{1024, 8192, true},
		{1024, 9216, false},
		{2048, 16384, true},
		{4096, 30720, true},
		{4096, 31744, false},
		{8192, 16384, true},
		{8192, 17408, false}, // 8 vCPU steps by 4096
		{8192, 61440, true},
		{16384, 32768, true},
		{16384, 36864, false}, // 16 vCPU steps by 8192
		{16384, 122880, true},
		{128, 512, false},
	}
	for _, tt := range tests {
		t.Run((TaskSize{tt.cpu, tt.mem}).String(), func(t *testing.T) {
			assert.Equal(t, tt.want, ValidFargateSize(tt.cpu, tt.mem))
		})
	}
}

func TestFargateSizes(t *testing.T) {
	sizes := FargateSizes()
	// 3 + 4 + 7 + 13 + 23 + 12 + 12 rows from the RegisterTaskDefinition.memory table.
	require.Len(t, sizes, 74)
	assert.Equal(t, TaskSize{256, 512}, sizes[0])
	assert.Equal(t, TaskSize{MaxFargateCPU, MaxFargateMemoryMiB}, sizes[len(sizes)-1])
	for i := 1; i < len(sizes); i++ {
		prev, cur := sizes[i-1], sizes[i]
		assert.True(t, prev.CPU < cur.CPU || (prev.CPU == cur.CPU && prev.MemoryMiB < cur.MemoryMiB), "order at %d", i)
	}
	sizes[0].CPU = 1
	assert.Equal(t, int64(256), FargateSizes()[0].CPU, "callers get a copy")
}

func TestParseTaskCPU(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"1024", 1024, false},
		{" 256 ", 256, false},
		{"1 vCPU", 1024, false},
		{"1 vcpu", 1024, false},
		{"0.25 vcpu", 256, false},
		{"0.5 VCPU", 512, false},
		{"2vCPU", 2048, false},
		{"0.125 vCPU", 128, false},
		{"16 vCPU", 16384, false},
		{"0.1 vCPU", 0, true}, // 102.4 units
		{"1.5", 0, true},
		{"", 0, true},
		{"vcpu", 0, true},
		{"-1", 0, true},
		{"-1 vCPU", 0, true},
		{"1/4 vCPU", 0, true},
		{"1e3 vCPU", 0, true},
		{"1 core", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTaskCPU(tt.in)
			if tt.wantErr {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "task cpu")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseTaskMemory(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"512", 512, false},
		{"2GB", 2048, false},
		{"1 GB", 1024, false},
		{"1 gb", 1024, false},
		{"0.5 GB", 512, false},
		{"120 GB", 122880, false},
		{"0.1GB", 0, true}, // 102.4 MiB
		{"1 GiB", 0, true},
		{"512MiB", 0, true},
		{"", 0, true},
		{"GB", 0, true},
		{"-2GB", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTaskMemory(tt.in)
			if tt.wantErr {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "task memory")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestEphemeralStorageGiB(t *testing.T) {
	const gib = int64(1) << 30
	tests := []struct {
		name     string
		bytes    int64
		want     int32
		ok       bool
		tooLarge bool
	}{
		{"nothing", 0, 0, false, false},
		{"negative", -1, 0, false, false},
		{"within the default", 10 * gib, 0, false, false},
		{"exactly the default", 20 * gib, 0, false, false},
		{"one byte over the default", 20*gib + 1, 21, true, false},
		{"21 GiB", 21 * gib, 21, true, false},
		{"rounds up", 50*gib + 1, 51, true, false},
		{"maximum", 200 * gib, 200, true, false},
		{"clamped", 200*gib + 1, 200, true, true},
		{"far beyond", 1000 * gib, 200, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := EphemeralStorageGiB(tt.bytes)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.tooLarge, EphemeralStorageTooLarge(tt.bytes))
			if ok {
				assert.GreaterOrEqual(t, got, int32(MinEphemeralStorageGiB))
				assert.LessOrEqual(t, got, int32(MaxEphemeralStorageGiB))
			}
		})
	}
}
