package main

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/secretsctl/secretsctl/internal/storetest"
)

// ciDoc is what docs/ci.md tells a team to run.
type ciDoc struct {
	// Shell is every command of its ```sh blocks, in order.
	Shell []string
	// JobEnv is the GitHub Actions job's env.
	JobEnv map[string]string
	// Steps are the job's run: steps, in order, without the go install step.
	Steps []string
}

var fence = regexp.MustCompile("(?ms)^```(sh|yaml)\n(.*?)^```")

// readCIDoc extracts the commands of docs/ci.md: the ```sh blocks, and the
// run: steps of the ```yaml block that holds the pull-request GitHub
// Actions job (steps
// with uses: and the step that installs secretsctl are skipped, and
// ${{ github.base_ref }} becomes main).
func readCIDoc(t *testing.T) ciDoc {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(storetest.Root(), "docs", "ci.md"))
	require.NoError(t, err)
	var doc ciDoc
	for _, m := range fence.FindAllStringSubmatch(string(data), -1) {
		switch {
		case m[1] == "sh":
			doc.Shell = append(doc.Shell, shellCommands(m[2])...)
		case strings.Contains(m[2], "on: pull_request") && strings.Contains(m[2], "\njobs:"):
			doc.JobEnv, doc.Steps = jobSteps(t, m[2])
		}
	}
	require.NotEmpty(t, doc.Shell, "docs/ci.md has no ```sh commands")
	require.NotEmpty(t, doc.Steps, "docs/ci.md has no GitHub Actions job with run: steps")
	return doc
}

// shellCommands are the lines of a shell block, comments and blank lines
// dropped, continuation lines joined.
func shellCommands(block string) []string {
	var out []string
	var cur strings.Builder
	sc := bufio.NewScanner(strings.NewReader(block))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if cur.Len() == 0 && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			cur.WriteString(strings.TrimSuffix(line, `\`) + " ")
			continue
		}
		cur.WriteString(line)
		out = append(out, cur.String())
		cur.Reset()
	}
	return out
}

// workflow is the part of a GitHub Actions workflow the test runs.
type workflow struct {
	Jobs map[string]struct {
		Env   map[string]string `yaml:"env"`
		Steps []struct {
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			Env  map[string]string `yaml:"env"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

func jobSteps(t *testing.T, block string) (map[string]string, []string) {
	t.Helper()
	var wf workflow
	require.NoError(t, yaml.Unmarshal([]byte(block), &wf), "the GitHub Actions job of docs/ci.md")
	require.Len(t, wf.Jobs, 1, "docs/ci.md's workflow has one job")
	var steps []string
	for _, job := range wf.Jobs {
		for _, s := range job.Steps {
			if s.Uses != "" || strings.HasPrefix(s.Run, "go install ") {
				continue
			}
			require.Empty(t, s.Env, "step %q: put env on the job, where the test reads it", s.Run)
			run := strings.ReplaceAll(strings.TrimSpace(s.Run), "${{ github.base_ref }}", "main")
			require.NotContains(t, run, "${{", "step %q uses an expression the test does not substitute", run)
			steps = append(steps, run)
		}
		return job.Env, steps
	}
	return nil, nil
}
