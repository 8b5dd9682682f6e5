package convert

import (
	"sort"
	"strings"
)

// packedMap is a read-only string map kept in two allocations: every key and value in one string,
// sorted by key, and their end offsets. The index holds one per ConfigMap and per workload's pod
// labels, so that a batch of tens of thousands of objects stays small in memory.
type packedMap struct {
	buf  string
	ends []uint32 // ends[2i] is the end of key i, ends[2i+1] the end of its value
}

// packMap packs m; a nil or empty map gives the empty packedMap.
func packMap(m map[string]string) packedMap {
	if len(m) == 0 {
		return packedMap{}
	}
	keys := make([]string, 0, len(m))
	size := 0
	for k, v := range m {
		keys = append(keys, k)
		size += len(k) + len(v)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.Grow(size)
	ends := make([]uint32, 0, 2*len(keys))
	for _, k := range keys {
		b.WriteString(k)
		ends = append(ends, uint32(b.Len()))
		b.WriteString(m[k])
		ends = append(ends, uint32(b.Len()))
	}
	return packedMap{buf: b.String(), ends: ends}
}

// Len is the number of keys.
func (p packedMap) Len() int { return len(p.ends) / 2 }

// At returns the i-th key and value, in key order.
func (p packedMap) At(i int) (key, value string) {
	start := uint32(0)
	if i > 0 {
		start = p.ends[2*i-1]
	}
	return p.buf[start:p.ends[2*i]], p.buf[p.ends[2*i]:p.ends[2*i+1]]
}

// Get returns the value of key.
func (p packedMap) Get(key string) (string, bool) {
	i := sort.Search(p.Len(), func(i int) bool { k, _ := p.At(i); return k >= key })
	if i < p.Len() {
		if k, v := p.At(i); k == key {
			return v, true
		}
	}
	return "", false
}

// Map unpacks the map; the empty packedMap gives nil.
func (p packedMap) Map() map[string]string {
	if p.Len() == 0 {
		return nil
	}
	m := make(map[string]string, p.Len())
	for i := range p.Len() {
		k, v := p.At(i)
		m[k] = v
	}
	return m
}
