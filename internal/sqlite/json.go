package sqlite

import (
	"encoding/json"
	"strconv"
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
