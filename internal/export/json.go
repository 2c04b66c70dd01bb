package export

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// jsonWriter writes NDJSON (one object per line) or a JSON array, one
// object per line as well.
type jsonWriter struct {
	w     *bufio.Writer
	array bool
	rows  int
}

func newJSONWriter(w io.Writer, array bool) *jsonWriter {
	return &jsonWriter{w: bufio.NewWriterSize(w, 64<<10), array: array}
}

func (j *jsonWriter) Objects() bool { return true }

func (j *jsonWriter) French() bool { return false }

func (j *jsonWriter) WriteHeader([]Column) error {
	if j.array {
		j.w.WriteString("[")
	}
	return j.check()
}

func (j *jsonWriter) WriteRow(r Row) error {
	obj := bytes.TrimSpace(r.Object)
	if len(obj) == 0 {
		obj = []byte("null")
	}
	if j.array {
		if j.rows > 0 {
			j.w.WriteString(",")
		}
		j.w.WriteString("\n")
	}
	j.w.Write(obj)
	if !j.array {
		j.w.WriteString("\n")
	}
	j.rows++
	return j.check()
}

// check reports a failed write: bufio keeps the first write error and
// returns it from every later call.
func (j *jsonWriter) check() error {
	if _, err := j.w.Write(nil); err != nil {
		return fmt.Errorf("export: write: %w", err)
	}
	return nil
}

func (j *jsonWriter) Flush() error {
	if err := j.w.Flush(); err != nil {
		return fmt.Errorf("export: write: %w", err)
	}
	return nil
}

func (j *jsonWriter) Abort() {}

func (j *jsonWriter) Close() error {
	if j.array {
		if j.rows > 0 {
			j.w.WriteString("\n")
		}
		j.w.WriteString("]\n")
	}
	return j.Flush()
}

// flatObject writes cells as one JSON object keyed by column names, with
// numbers and booleans typed and empty cells null.
func flatObject(cols []Column, values []any) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, c := range cols {
		if i > 0 {
			b.WriteByte(',')
		}
		marshal(&b, c.Name)
		b.WriteByte(':')
		marshal(&b, values[i])
	}
	b.WriteByte('}')
	return b.Bytes()
}

// marshal writes v as JSON without escaping HTML characters.
func marshal(b *bytes.Buffer, v any) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		b.WriteString("null")
		return
	}
	b.Truncate(b.Len() - 1) // Encode ends with a newline
}
