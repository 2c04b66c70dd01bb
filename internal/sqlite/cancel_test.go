package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// TestContextCancelsSQL checks that a request's deadline interrupts a
// statement that is running, not only the next one.
func TestContextCancelsSQL(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = db.each(ctx, `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c WHERE x < 2000000000`, nil,
		func(*sql.Rows) error { return nil })
	took := time.Since(start)
	if err == nil {
		t.Fatal("a statement counting to two billion finished within 50 ms")
	}
	if took > 2*time.Second {
		t.Errorf("the statement ran %s past a 50 ms deadline", took)
	}
	if !errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		t.Errorf("error %v is not the deadline's", err)
	}
}
