package coverage

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPercentRoundsButNeverToFullOrEmpty(t *testing.T) {
	tests := []struct {
		part, whole int
		want        float64
	}{
		{1, 1, 100}, {999, 1000, 99.9}, {1999, 2000, 99.9}, {1, 3, 33.3}, {2, 3, 66.7}, {0, 5, 0},
		{1, 2000, 0.1}, {5, 8, 62.5}, {1, 6, 16.7},
	}
	for _, tt := range tests {
		got := Percent(tt.part, tt.whole)
		if assert.NotNil(t, got) {
			assert.Equal(t, tt.want, *got, "Percent(%d, %d)", tt.part, tt.whole)
		}
	}
	assert.Nil(t, Percent(0, 0), "no secrets is no share, not 100")
	assert.Equal(t, "no secrets", FormatPercent(nil))
}

func TestStateOfAPairWithoutSecrets(t *testing.T) {
	assert.Equal(t, NoSecrets, stateOf(Row{}))
	assert.Equal(t, Ready, stateOf(Row{Total: 2, Strategized: 2}))
	assert.Equal(t, Blocking, stateOf(Row{Total: 2, Strategized: 1}))
	assert.Equal(t, Blocking, stateOf(Row{Total: 2, Strategized: 2, Blocking: []string{"r/K"}}))
	rep := &Report{Rows: []Row{{Total: 0, State: NoSecrets}, {Total: 2, Strategized: 1, Percent: Percent(1, 2)}}}
	assert.Len(t, rep.Below(100), 1, "a pair without secrets is not below any bar")
}
