package coverage

import "testing"

func TestPercentNeverRoundsUpToFull(t *testing.T) {
	tests := []struct {
		part, whole int
		want        float64
	}{
		{0, 0, 100}, {1, 1, 100}, {999, 1000, 99.9}, {1999, 2000, 99.9}, {1, 3, 33.3}, {2, 3, 66.6}, {0, 5, 0},
	}
	for _, tt := range tests {
		if got := percent(tt.part, tt.whole); got != tt.want {
			t.Errorf("percent(%d, %d) = %v, want %v", tt.part, tt.whole, got, tt.want)
		}
	}
}
