package cli

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestHoldsPassword: every spelling of a password pgx accepts on the
// command line is refused, and connection strings without one pass.
func TestHoldsPassword(t *testing.T) {
	for _, dsn := range []string{
		"postgres://u:s3cret@h/d",
		"postgresql://u:@h/d",
		"postgres://u@h/d?password=s3cret",
		"postgres://u@h/d?pass%77ord=s3cret",
		"postgres://u@h/d?sslmode=disable&PASSWORD=s3cret",
		"host=h user=u password=s3cret",
		"host=h user=u password = s3cret",
		"host=h password\t=s3cret",
		"password=s3cret host=h",
	} {
		assert.True(t, holdsPassword(dsn), dsn)
	}
	for _, dsn := range []string{
		"postgres://u@h/d",
		"postgres://u@h:5432/d?sslmode=disable",
		"host=h user=u dbname=d",
		"host=h user=passwordless dbname=d",
	} {
		assert.False(t, holdsPassword(dsn), dsn)
	}
}
