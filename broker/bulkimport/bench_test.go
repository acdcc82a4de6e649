package bulkimport_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/bulkimport"
	"github.com/gjjid/gjjid/broker/store/combined"
	"github.com/gjjid/gjjid/broker/store/memory"
	"github.com/gjjid/gjjid/broker/store/pgtest"
)

// BenchmarkImportPersonsPostgres: rows per second a persons file without
// passwords (nothing to hash) imports into PostgreSQL; the target is at
// least 2,000. Each op imports 2,000 new persons.
func BenchmarkImportPersonsPostgres(b *testing.B) {
	st := combined.New(memory.New(), pgtest.Open(b))
	b.Cleanup(func() { st.Close() })
	im := &bulkimport.Importer{Accounts: accounts.New(st, accounts.Secrets{IDHashKey: bytes.Repeat([]byte{1}, 32), Pepper: bytes.Repeat([]byte{2}, 32)})}
	const rows = 2000
	seq := 0
	var total time.Duration
	for b.Loop() {
		b.StopTimer()
		var csv strings.Builder
		csv.WriteString("name,id_number,mobile\n")
		for range rows {
			seq++
			fmt.Fprintf(&csv, "张三,%s,1%010d\n", residentIDOf(seq), 3800000000+seq)
		}
		b.StartTimer()
		start := time.Now()
		res, err := im.Import(context.Background(), bulkimport.Persons, strings.NewReader(csv.String()))
		total += time.Since(start)
		if err != nil || res.Created != rows {
			b.Fatalf("import: %d created of %d, first rejections %v, %v", res.Created, rows, res.Rejected[:min(3, len(res.Rejected))], err)
		}
	}
	b.ReportMetric(float64(seq)/total.Seconds(), "rows/s")
}

// residentIDOf is residentID for any seq: one birth date per thousand.
func residentIDOf(seq int) string {
	born := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, seq/1000)
	base := fmt.Sprintf("510107%s%03d", born.Format("20060102"), seq%1000)
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(base[i]-'0') * w
	}
	return base + string("10X98765432"[sum%11])
}
