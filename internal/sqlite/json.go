package sqlite

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// jsonList encodes strings as a JSON array, so that a variable-length list
// binds to one parameter (read back with json_each) and statements keep one
// shape whatever the list's length.
func jsonList(ss []string) string {
	b, _ := json.Marshal(ss)
	if ss == nil {
		return "[]"
	}
	return string(b)
}

// jsonInts encodes ids as a JSON array (see jsonList).
func jsonInts(ids []int64) string {
	b := make([]byte, 0, 8*len(ids)+2)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// inJSON is the condition of a statement that reads records by a list of
// keys, bound as one JSON array (jsonList, jsonInts): see byKeys.
const inJSON = " IN (SELECT value FROM json_each(?))"

// oneKeyForms caches the single-key form of statements (byKeys).
var oneKeyForms sync.Map // statement → its form for one key

// byKeys returns the statement q and its argument for keys, a JSON array
// (list). When q's one key condition is inJSON and there is a single key,
// the condition becomes "= ?" and the argument that key: SQLite then
// looks the key up, rather than first build the list's ephemeral index
// (3-7 µs of the 13-30 µs of a statement that reads one record by key,
// such as a startup by slug or a startup's list of missions). A statement
// that names its argument (json_each(?1)) keeps its form.
func byKeys[K any](q string, keys []K, list func([]K) string) (string, []any) {
	if len(keys) == 1 {
		one, ok := oneKeyForms.Load(q)
		if !ok {
			form := ""
			if strings.Count(q, inJSON) == 1 {
				form = strings.Replace(q, inJSON, " = ?", 1)
			}
			one, _ = oneKeyForms.LoadOrStore(q, form)
		}
		if one != "" {
			return one.(string), []any{keys[0]}
		}
	}
	return q, []any{list(keys)}
}

// idSet is a condition "col is one of ids" for a statement reading many
// records by key. Most such lists are pages (a few ids spread over the
// table): each id is then looked up, through json_each. When the ids are
// dense (at least 32, covering two thirds or more of the range from the
// least to the greatest, as when a question reads every startup), one
// walk of the range is cheaper than as many lookups (a lookup through
// json_each costs about as much as reading two rows): the condition is
// then a range, which lets through the few records between the ids that
// were not asked for, and keep says which to keep.
type idSet struct {
	sql  string         // the condition on the column, its arguments bound to the builder
	want map[int64]bool // nil: every row the condition lets through
}

// whereIDs returns the condition on col for ids, binding its arguments to
// b.
func whereIDs(b *builder, col string, ids []int64) idSet {
	if len(ids) >= 32 {
		lo, hi := slices.Min(ids), slices.Max(ids)
		if span := hi - lo + 1; span > 0 && span*2 <= int64(len(ids))*3 {
			want := make(map[int64]bool, len(ids))
			for _, id := range ids {
				want[id] = true
			}
			return idSet{sql: col + " BETWEEN " + b.arg(lo) + " AND " + b.arg(hi), want: want}
		}
	}
	if len(ids) == 1 { // a lookup (byKeys)
		return idSet{sql: col + " = " + b.arg(ids[0])}
	}
	return idSet{sql: col + " IN (SELECT value FROM json_each(" + b.arg(jsonInts(ids)) + "))"}
}

// keep says whether the row of id was asked for.
func (s idSet) keep(id int64) bool { return s.want == nil || s.want[id] }
