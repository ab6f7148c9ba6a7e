package pgtest_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/pgtest"
)

// TestStart proves the helper gives a working, empty database on loopback.
func TestStart(t *testing.T) {
	s := pgtest.Start(t)
	url := s.CreateDB(t, "probe")
	s.Exec(t, "probe", "CREATE TABLE t (n int); INSERT INTO t VALUES (41), (1)")
	conn, err := pgx.Connect(context.Background(), url)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var sum int
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT sum(n) FROM t").Scan(&sum))
	assert.Equal(t, 42, sum)
}
