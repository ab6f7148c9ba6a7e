package cli

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCountNoun(t *testing.T) {
	assert.Equal(t, "1 file", countNoun(1, "file"))
	assert.Equal(t, "0 files", countNoun(0, "file"))
	assert.Equal(t, "2 findings", countNoun(2, "finding"))
	assert.Equal(t, "1 entry", countNoun(1, "entry", "entries"))
	assert.Equal(t, "3 entries", countNoun(3, "entry", "entries"))
}
