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
// statement that is running, not only the next one; that it is DB.each's
// own interrupter that does (the driver is given a context that never
// ends: watchConn.watch), and that the connections serve the next
// statements as before.
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
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v is not the deadline's", err)
	}
	// The handle the interrupter uses is found on the driver's
	// connections: else the driver watched the context itself.
	conn, err := db.read.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var handle uintptr
	if err := conn.Raw(func(c any) error { handle = sqliteHandle(c.(*watchConn).c); return nil }); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	if handle == 0 {
		t.Fatal("no sqlite3 handle on the driver's connection: statements are interrupted by the driver's goroutines")
	}
	// Every connection of the pool still answers, at once and whole.
	for i := range 20 {
		var n int
		err := db.each(context.Background(), `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000) SELECT count(*) FROM c`, nil,
			func(rows *sql.Rows) error { return rows.Scan(&n) })
		if err != nil || n != 1000 {
			t.Fatalf("statement %d after the interrupted one: %d, %v", i, n, err)
		}
	}
	// A request that ends between rows stops the rows at the next one.
	ctx2, cancel2 := context.WithCancel(context.Background())
	rows := 0
	err = db.each(ctx2, `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000) SELECT x FROM c`, nil,
		func(*sql.Rows) error {
			if rows++; rows == 10 {
				cancel2()
			}
			return nil
		})
	if !errors.Is(err, context.Canceled) || rows != 10 {
		t.Errorf("canceled after 10 rows: %d rows read, error %v", rows, err)
	}
}
