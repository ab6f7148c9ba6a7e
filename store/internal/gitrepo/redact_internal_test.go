package gitrepo

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// test that user information (where tokens hide) is removed from every
// URL shown, in a URL alone and in git's messages.
func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, url, text string }{
		{"https://git.example.com/s.git", "https://git.example.com/s.git", "https://git.example.com/s.git"},
		{"https://tok3n@git.example.com/s.git", "https://xxxxx@git.example.com/s.git", "https://xxxxx@git.example.com/s.git"},
		{"https://u:p4ss@h/s.git", "https://xxxxx@h/s.git", "https://xxxxx@h/s.git"},
		{"fatal: Authentication failed for 'https://u:p4ss@h/s.git/'", "", "fatal: Authentication failed for 'https://xxxxx@h/s.git/'"},
		{"from https://a:b@h and ssh://git@h2:22/x", "", "from https://xxxxx@h and ssh://xxxxx@h2:22/x"},
		{"no url here", "", "no url here"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if tc.url != "" {
				assert.Equal(t, tc.url, RedactURL(tc.in))
			}
			assert.Equal(t, tc.text, redactText(tc.in))
		})
	}
}
