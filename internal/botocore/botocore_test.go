package botocore

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestShapes(t *testing.T) {
	type shape struct {
		Type    string              `json:"type"`
		Members map[string]struct{} `json:"members"`
	}
	shapes := Shapes[shape](t, "ecs")
	td, ok := shapes["RegisterTaskDefinitionRequest"]
	assert.True(t, ok)
	assert.Equal(t, "structure", td.Type)
	assert.Contains(t, td.Members, "containerDefinitions")

	_, err := load[shape]("no-such-service")
	assert.Error(t, err)
}
