package cli

import (
	"runtime/debug"
	"strings"
)

// buildVersion is what --version prints, from the build information the
// go command embeds: the module version (v1.2.3 for go install ...@v1.2.3),
// and for a build in a git checkout the commit and whether the work tree
// had changes.
func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown (built without module support)"
	}
	return formatVersion(info)
}

// formatVersion is buildVersion for info.
func formatVersion(info *debug.BuildInfo) string {
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	vcs := map[string]string{}
	for _, s := range info.Settings {
		if name, ok := strings.CutPrefix(s.Key, "vcs."); ok {
			vcs[name] = s.Value
		}
	}
	rev := vcs["revision"]
	if rev == "" {
		return v
	}
	var extra []string
	extra = append(extra, "commit "+rev)
	if vcs["modified"] == "true" {
		extra = append(extra, "modified")
	}
	if t := vcs["time"]; t != "" {
		extra = append(extra, t)
	}
	return v + " (" + strings.Join(extra, ", ") + ")"
}
