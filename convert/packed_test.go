package convert

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPackedMap(t *testing.T) {
	for _, m := range []map[string]string{
		nil,
		{"": ""},
		{"a": ""},
		{"b": "2", "a": "1", "c": "", "": "empty key", "ä": "ü"},
		func() map[string]string {
			m := map[string]string{}
			for i := range 300 {
				m[fmt.Sprintf("k%03d", i)] = fmt.Sprintf("v%d", i*7)
			}
			return m
		}(),
	} {
		p := packMap(m)
		assert.Equal(t, len(m), p.Len())
		if len(m) == 0 {
			assert.Nil(t, p.Map())
		} else {
			assert.Equal(t, m, p.Map())
		}
		prev := ""
		for i := range p.Len() {
			k, v := p.At(i)
			if i > 0 {
				assert.Less(t, prev, k, "keys in order")
			}
			prev = k
			got, ok := p.Get(k)
			assert.True(t, ok)
			assert.Equal(t, m[k], got)
			assert.Equal(t, m[k], v)
		}
		for _, missing := range []string{"zz", "k", "a0", "\xff"} {
			if _, in := m[missing]; !in {
				_, ok := p.Get(missing)
				assert.False(t, ok, missing)
			}
		}
	}
}
