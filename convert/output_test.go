package convert

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFileStem: output file names fit in 255 bytes, with the temporary file a write goes through,
// and long names stay distinct.
func TestFileStem(t *testing.T) {
	assert.Equal(t, "web", FileStem("web"))
	exact := strings.Repeat("a", MaxFileStem)
	assert.Equal(t, exact, FileStem(exact))
	long1, long2 := strings.Repeat("a", 255), strings.Repeat("a", 254)+"b"
	for _, n := range []string{long1, long2} {
		s := FileStem(n)
		assert.Len(t, s, MaxFileStem)
		assert.True(t, strings.HasPrefix(n, s[:MaxFileStem-9]))
		assert.LessOrEqual(t, len("."+s+".targetgroup.json.tmp")+10, 255)
	}
	assert.NotEqual(t, FileStem(long1), FileStem(long2))

	files, err := Output{Name: long1, TaskDefinition: &ecs.RegisterTaskDefinitionInput{Family: aws.String(long1)}}.Files()
	require.NoError(t, err)
	require.Len(t, files, 1)
	assert.Equal(t, FileStem(long1)+".taskdef.json", files[0].Name)
	assert.Contains(t, string(files[0].Data), long1, "the family keeps its whole name")
}
