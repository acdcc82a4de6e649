// Package bulkimport loads a fund's existing 单位登录权限 data from its
// business system: units (credit code, name, 客户号), persons and agents
// (name, ID type and number, mobile, roles, and an initial password or the
// former system's password hash). It goes through the accounts service, so
// every row meets the same rules as the admin API (check digits, mobiles,
// password rules) and personal data is stored only hashed, sealed and
// masked.
//
// An import is idempotent: a unit, person or agent record that exists is
// left as it is and counted, so running a file again changes nothing.
// Rejected rows are reported with their line and field and written not at
// all; every check runs before a row writes anything.
package bulkimport

import (
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/store"
)

// Kinds of file.
const (
	Units   = "units"
	Persons = "persons"
	Agents  = "agents"
)

// Kinds lists them in the order a fund imports them.
var Kinds = []string{Units, Persons, Agents}

// columns are each kind's CSV columns; the first of each list is required
// for every kind, the rest optional (an absent column reads as empty).
var columns = map[string]struct{ required, optional []string }{
	Units: {[]string{"credit_code", "name"}, []string{"customer_no"}},
	Persons: {[]string{"name", "id_number"},
		[]string{"id_type", "mobile", "password", "password_hash", "password_scheme", "password_salt"}},
	Agents: {[]string{"credit_code", "name", "id_number"},
		[]string{"id_type", "mobile", "roles", "password", "password_hash", "password_scheme", "password_salt"}},
}

// Rejection is a row that was not imported.
type Rejection struct {
	Line    int    // in the file, counting the header as line 1
	Field   string // the column at fault, "" when not one column
	Problem string
}

func (r Rejection) String() string {
	if r.Field == "" {
		return fmt.Sprintf("line %d: %s", r.Line, r.Problem)
	}
	return fmt.Sprintf("line %d: %s: %s", r.Line, r.Field, r.Problem)
}

// Result counts what an import did.
type Result struct {
	Rows       int // data rows read
	Created    int // records written
	Existing   int // rows whose record was there already (nothing changed)
	Duplicates int // rows repeating an earlier row of the same file
	Rejected   []Rejection
}

// Importer imports through an accounts service.
type Importer struct {
	Accounts *accounts.Service
	// Workers import rows concurrently (default 8): a row costs a few
	// round trips to the store, so one at a time leaves it idle. Rows of
	// the same person (or unit) go to the same worker, in file order.
	Workers int
	// Progress, when set, is called with the number of rows done every
	// ProgressEvery rows (default 500) and at the end.
	Progress      func(rows int)
	ProgressEvery int
	// InTx, when set, runs fn with an accounts service whose writes are one
	// transaction (committed when fn returns nil): a row's person and agent
	// record are then written together or not at all. gjjid import sets it
	// when the store is PostgreSQL (combined.Store.InTx).
	InTx func(ctx context.Context, fn func(*accounts.Service) error) error
}

// ErrFile marks an error of the file as a whole (no header row, unknown or
// missing columns): the caller's input, not the store's state.
var ErrFile = errors.New("import: unusable CSV file")

type fileError struct{ error }

func (e fileError) Is(target error) bool { return target == ErrFile }
func (e fileError) Unwrap() error        { return e.error }

// transactional is a store that can make several writes one transaction
// (combined.Store over PostgreSQL).
type transactional interface {
	InTx(ctx context.Context, fn func(store.Store) error) error
}

// For returns an importer into st through the accounts service of secrets,
// one transaction per row when st can make one.
func For(st store.Store, secrets accounts.Secrets) *Importer {
	im := &Importer{Accounts: accounts.New(st, secrets)}
	if tx, ok := st.(transactional); ok {
		im.InTx = func(ctx context.Context, fn func(*accounts.Service) error) error {
			return tx.InTx(ctx, func(ts store.Store) error { return fn(accounts.New(ts, secrets)) })
		}
	}
	return im
}

// job is one data row on its way to a worker.
type job struct {
	line int
	row  map[string]string
}

// Import reads a CSV file of kind (Units, Persons or Agents) with a header
// row naming its columns (UTF-8, an Excel byte-order mark tolerated) and
// imports every row. The error is for the file as a whole (unreadable,
// unknown or missing columns) or the store; a bad row is a Rejection.
// Rejections are reported in line order.
func (im *Importer) Import(ctx context.Context, kind string, r io.Reader) (Result, error) {
	cols, ok := columns[kind]
	if !ok {
		return Result{}, fmt.Errorf("import: kind %q: want one of %s", kind, strings.Join(Kinds, ", "))
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return Result{}, fileError{fmt.Errorf("import %s: header: %w", kind, err)}
	}
	index, err := headerIndex(header, cols.required, cols.optional)
	if err != nil {
		return Result{}, fileError{fmt.Errorf("import %s: %w", kind, err)}
	}
	workers := cmp.Or(max(im.Workers, 0), 8)
	every := cmp.Or(max(im.ProgressEvery, 0), 500)

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		mu   sync.Mutex // guards res
		res  Result
		done atomic.Int64
		wg   sync.WaitGroup
	)
	reject := func(r Rejection) {
		mu.Lock()
		res.Rejected = append(res.Rejected, r)
		mu.Unlock()
	}
	var progressMu sync.Mutex // Progress is called by one worker at a time
	tick := func() {
		if n := done.Add(1); im.Progress != nil && n%int64(every) == 0 {
			progressMu.Lock()
			im.Progress(int(n))
			progressMu.Unlock()
		}
	}
	queues := make([]chan job, workers)
	for i := range queues {
		queues[i] = make(chan job, 64)
		wg.Go(func() {
			for j := range queues[i] {
				if ctx.Err() == nil {
					status, err := im.row(ctx, kind, j.row)
					mu.Lock()
					switch {
					case err == nil && status == created:
						res.Created++
					case err == nil:
						res.Existing++
					default:
						if rej, ok := rejection(j.line, err); ok {
							res.Rejected = append(res.Rejected, rej)
						} else {
							cancel(fmt.Errorf("import %s: line %d: %w", kind, j.line, err))
						}
					}
					mu.Unlock()
				}
				tick()
			}
		})
	}
	seen := map[string]int{} // row key → first line
	var readErr error
	for ctx.Err() == nil {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		var pe *csv.ParseError
		switch {
		case errors.As(err, &pe):
			reject(Rejection{Line: pe.Line, Problem: pe.Err.Error()})
			continue
		case err != nil:
			readErr = fmt.Errorf("import %s: %w", kind, err)
		}
		if readErr != nil {
			break
		}
		mu.Lock()
		res.Rows++
		mu.Unlock()
		if len(rec) != len(header) {
			reject(Rejection{Line: line,
				Problem: fmt.Sprintf("has %d fields, the header %d (a comma inside a value needs quotes)", len(rec), len(header))})
			tick()
			continue
		}
		row := rowOf(index, rec)
		key, shard := rowKey(kind, row)
		if first, dup := seen[key]; dup {
			mu.Lock()
			res.Duplicates++
			res.Rejected = append(res.Rejected, Rejection{Line: line, Problem: fmt.Sprintf("repeats line %d (nothing changed)", first)})
			mu.Unlock()
			tick()
			continue
		}
		seen[key] = line
		h := fnv.New32a()
		h.Write([]byte(shard))
		queues[h.Sum32()%uint32(workers)] <- job{line: line, row: row}
	}
	for _, q := range queues {
		close(q)
	}
	wg.Wait()
	slices.SortFunc(res.Rejected, func(a, b Rejection) int { return a.Line - b.Line })
	if im.Progress != nil {
		im.Progress(int(done.Load()))
	}
	if readErr != nil {
		return res, readErr
	}
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return res, err
	}
	return res, ctx.Err()
}

// rowKey names the record a row is about, to find repeated rows, and the
// shard that keeps rows of one person (or unit) on one worker. Both are
// taken before validation, upper-cased and trimmed; an invalid row is
// rejected by its worker anyway.
func rowKey(kind string, row map[string]string) (key, shard string) {
	up := func(c string) string { return strings.ToUpper(row[c]) }
	switch kind {
	case Units:
		return up("credit_code"), up("credit_code")
	case Persons:
		return row["id_type"] + ":" + up("id_number"), up("id_number")
	default:
		return row["id_type"] + ":" + up("id_number") + "@" + up("credit_code"), up("id_number")
	}
}

// row imports one row; an error is a rejection (see rejection) or the
// store failing.
func (im *Importer) row(ctx context.Context, kind string, row map[string]string) (outcome, error) {
	do := func(acc *accounts.Service) (outcome, error) {
		switch kind {
		case Units:
			return unit(ctx, acc, row)
		case Persons:
			return person(ctx, acc, row, false)
		default:
			return person(ctx, acc, row, true)
		}
	}
	if im.InTx == nil {
		return do(im.Accounts)
	}
	var status outcome
	err := im.InTx(ctx, func(acc *accounts.Service) error {
		var err error
		status, err = do(acc)
		return err
	})
	return status, err
}

// headerIndex maps column names to positions, refusing unknown, repeated
// and missing ones.
func headerIndex(header, required, optional []string) (map[string]int, error) {
	index := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.Contains(required, h) && !slices.Contains(optional, h) {
			return nil, fmt.Errorf("header: unknown column %q (known: %s)", h, strings.Join(slices.Concat(required, optional), ", "))
		}
		if _, dup := index[h]; dup {
			return nil, fmt.Errorf("header: column %q twice", h)
		}
		index[h] = i
	}
	for _, c := range required {
		if _, ok := index[c]; !ok {
			return nil, fmt.Errorf("header: column %q is required", c)
		}
	}
	return index, nil
}

func rowOf(index map[string]int, rec []string) map[string]string {
	row := make(map[string]string, len(index))
	for name, i := range index {
		if i < len(rec) {
			row[name] = strings.TrimSpace(rec[i])
		}
	}
	return row
}

// rejection turns a validation failure into a Rejection naming its field;
// other errors (the store failing) are not rejections.
func rejection(line int, err error) (Rejection, bool) {
	var fe *accounts.FieldError
	switch {
	case errors.As(err, &fe):
		return Rejection{Line: line, Field: fe.Field, Problem: fe.Problem}, true
	case errors.Is(err, accounts.ErrInvalid):
		f, _ := accounts.Field(err)
		return Rejection{Line: line, Field: f, Problem: err.Error()}, true
	}
	var rj *rowError
	if errors.As(err, &rj) {
		return Rejection{Line: line, Field: rj.field, Problem: rj.problem}, true
	}
	return Rejection{}, false
}

// rowError is a problem the importer finds itself.
type rowError struct{ field, problem string }

func (e *rowError) Error() string { return e.field + ": " + e.problem }

type outcome int

const (
	created outcome = iota
	existing
)
