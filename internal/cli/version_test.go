package cli

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFormatVersion(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev},
			{Key: "vcs.time", Value: "2026-12-07T11:00:00Z"}, {Key: "vcs.modified", Value: modified}}
	}
	tests := []struct {
		name string
		info debug.BuildInfo
		want string
	}{
		{"go install at a tag", debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, "v1.2.3"},
		{"checkout, clean", debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261207110000-5d81af7c0ffe"}, Settings: vcs("5d81af7c0ffe", "false")},
			"v0.0.0-20261207110000-5d81af7c0ffe (commit 5d81af7c0ffe, 2026-12-07T11:00:00Z)"},
		{"checkout, dirty", debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("5d81af7c0ffe", "true")},
			"(devel) (commit 5d81af7c0ffe, modified, 2026-12-07T11:00:00Z)"},
		{"no vcs, no version", debug.BuildInfo{}, "(devel)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, formatVersion(&tt.info))
		})
	}
}
