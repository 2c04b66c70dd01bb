package export

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// Row is one row of an exported table.
type Row struct {
	// Cells are the row's values as text, one per column: numbers as JSON
	// writes them, booleans "true" or "false", dates YYYY-MM-DD, "" for
	// null.
	Cells []string
	// Object is the row as one JSON object, for NDJSON and JSON.
	Object json.RawMessage
}

// Flatten returns the cells of a node of the list (decoded from JSON with
// UseNumber) under the plan's columns, by the rules of the package
// documentation.
func (p *Plan) Flatten(node any) []string {
	cells := make([]string, len(p.leaves))
	for i, chain := range p.leaves {
		cells[i] = cellOf(node, chain, 0)
	}
	return cells
}

// cellOf renders the value at chain below v; level counts the lists
// crossed on the way.
func cellOf(v any, chain []*field, level int) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	f := chain[0]
	return valueOf(m[f.key], f, f.list, chain[1:], level)
}

func valueOf(v any, f *field, list int, rest []*field, level int) string {
	if v == nil {
		return ""
	}
	if list > 0 {
		items, _ := v.([]any)
		parts := make([]string, len(items))
		empty := true
		for i, item := range items {
			parts[i] = valueOf(item, f, list-1, rest, level+1)
			empty = empty && parts[i] == ""
		}
		if empty {
			return "" // not "||": nothing to align
		}
		return strings.Join(parts, separator(level))
	}
	if len(rest) == 0 {
		return scalar(v)
	}
	return cellOf(v, rest, level)
}

// separator joins the values of a list met after level others.
func separator(level int) string {
	if level == 0 {
		return "|"
	}
	return ","
}

// scalar renders a leaf value as text.
func scalar(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return string(v)
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int:
		return strconv.Itoa(v)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// decode reads JSON keeping numbers as written.
func decode(raw []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}
