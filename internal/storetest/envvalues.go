package storetest

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// EnvValues returns the values of the KEY=VALUE lines of a rendered env
// file that are long enough to be secrets (8 bytes or more), unquoted:
// canaries for tests that no value leaks.
func EnvValues(t testing.TB, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var vals []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if _, v, ok := strings.Cut(sc.Text(), "="); ok && len(v) >= 8 {
			vals = append(vals, strings.Trim(v, `"'`))
		}
	}
	require.NoError(t, sc.Err())
	return vals
}
