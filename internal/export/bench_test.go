package export_test

import (
	"io"
	"net/http"
	"testing"
)

// BenchmarkExport streams the ready-made startups export (scale 1: 662
// rows) and a query export of the 3,484 members, as CSV, over HTTP with a
// viewer's token. bench/export-memory.sh measures the same at scale 100,
// with the server's memory.
func BenchmarkExport(b *testing.B) {
	for _, tt := range []struct{ name, path string }{
		{"preset-startups-csv", "/export/startups.csv?asOf=2026-06-30"},
		{"query-members-csv", exportURL(`{ members(first: 1000) { nodes { slug fullname domain active } } }`, "format", "csv")},
	} {
		b.Run(tt.name, func(b *testing.B) {
			var bytes int64
			b.ReportAllocs()
			for b.Loop() {
				req, _ := http.NewRequest(http.MethodGet, shared.url+tt.path, nil)
				req.Header.Set("Authorization", "Bearer "+shared.viewer)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d", resp.StatusCode)
				}
				bytes = n
			}
			b.ReportMetric(float64(bytes), "bytes/op")
		})
	}
}
