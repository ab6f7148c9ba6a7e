package cli

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCount(t *testing.T) {
	assert.Equal(t, "1 file", count(1, "file"))
	assert.Equal(t, "0 files", count(0, "file"))
	assert.Equal(t, "2 findings", count(2, "finding"))
	assert.Equal(t, "1 entry", count(1, "entry", "entries"))
	assert.Equal(t, "3 entries", count(3, "entry", "entries"))
}
