// Package sqlitetest damages database files on purpose, for the tests of
// what the program does with a damaged database.
package sqlitetest

import (
	"bytes"
	"database/sql"
	"os"
	"testing"

	_ "modernc.org/sqlite" // the driver, registered as "sqlite"
)

// Corrupt overwrites, in the database file at path, every page of the
// b-trees of table (the table and its indexes) with bytes that no page
// can hold, the first page (the schema) excepted, and checks that PRAGMA
// quick_check then fails. It first checkpoints the write-ahead log and
// empties it, so no other transaction may be under way. A server may hold
// the file open: its connections that have not read those pages yet will
// find them damaged.
func Corrupt(tb testing.TB, path, table string) {
	tb.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		tb.Fatal(err)
	}
	defer raw.Close()
	var pageSize int64
	if err := raw.QueryRow("PRAGMA page_size").Scan(&pageSize); err != nil {
		tb.Fatal(err)
	}
	rows, err := raw.Query(`SELECT DISTINCT pageno FROM dbstat
		WHERE name IN (SELECT name FROM sqlite_schema WHERE tbl_name = ?) AND pageno > 1 ORDER BY pageno`, table)
	if err != nil {
		tb.Fatal(err)
	}
	var pages []int64
	for rows.Next() {
		var p int64
		if err := rows.Scan(&p); err != nil {
			tb.Fatal(err)
		}
		pages = append(pages, p)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	rows.Close()
	if len(pages) == 0 {
		tb.Fatalf("corrupt: table %s has no pages in %s", table, path)
	}
	// Every page into the file, and the log emptied, so that readers take
	// the pages from the file.
	var busy, logged, moved int
	if err := raw.QueryRow("PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logged, &moved); err != nil {
		tb.Fatal(err)
	}
	if fi, err := os.Stat(path + "-wal"); busy != 0 || (err == nil && fi.Size() > 0) {
		tb.Fatalf("corrupt: the write-ahead log of %s could not be emptied (busy %d)", path, busy)
	}

	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		tb.Fatal(err)
	}
	garbage := bytes.Repeat([]byte{0xA5}, int(pageSize))
	for _, p := range pages {
		if _, err := f.WriteAt(garbage, (p-1)*pageSize); err != nil {
			f.Close()
			tb.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}

	// A new connection reads the pages from the file.
	check, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		tb.Fatal(err)
	}
	defer check.Close()
	var first string
	if err := check.QueryRow("PRAGMA quick_check").Scan(&first); err == nil && first == "ok" {
		tb.Fatalf("corrupt: PRAGMA quick_check still says ok after %d pages of %s were overwritten", len(pages), table)
	}
}
