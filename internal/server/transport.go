package server

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// postJSON is the transport of POST requests with a JSON body, as gqlgen's
// transport.POST, except that it writes the answer's data as the executor
// made it instead of re-encoding it: an answer is then held in memory once,
// not three times (gqlgen's writer compacts the data into a new buffer and
// copies that).
type postJSON struct{}

var _ graphql.Transport = postJSON{}

const graphQLResponseJSON = "application/graphql-response+json"

// Supports takes POSTs of JSON.
func (postJSON) Supports(r *http.Request) bool {
	if r.Header.Get("Upgrade") != "" || r.Method != http.MethodPost {
		return false
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/json"
}

// Do runs the request.
func (postJSON) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	ctype := responseType(r.Header.Get("Accept"))
	w.Header().Set("Content-Type", ctype)
	start := graphql.Now()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeResponse(w, exec.DispatchError(ctx, gqlerror.List{gqlerror.Errorf("the request body could not be read")}))
		return
	}
	var params graphql.RawParams
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&params); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		writeResponse(w, exec.DispatchError(ctx, gqlerror.List{gqlerror.Errorf("the request body could not be decoded as JSON: %v", err)}))
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	rc, opErr := exec.CreateOperationContext(ctx, &params)
	if opErr != nil {
		status := http.StatusOK
		if errcode.GetErrorKind(opErr) == errcode.KindProtocol {
			status = http.StatusUnprocessableEntity
			if ctype == graphQLResponseJSON {
				status = http.StatusBadRequest
			}
		}
		w.WriteHeader(status)
		writeResponse(w, exec.DispatchError(graphql.WithOperationContext(ctx, rc), opErr))
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, rc)
	resp := responses(ctx)
	if resp == nil {
		// gqlgen's end of stream: the request's context ended before any
		// answer was made.
		resp = &graphql.Response{Errors: gqlerror.List{{Message: "the request was cancelled or took too long",
			Extensions: map[string]any{"code": portfolio.ETimeout}}}}
	}
	if after, ok := retryAfter(resp); ok {
		// Shed before it ran (the costly requests' gate): as the
		// concurrency guard answers, a 503 the client may retry.
		w.Header().Set("Retry-After", after)
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	writeResponse(w, resp)
}

// retryAfter returns the seconds a response with no data and one
// UNAVAILABLE error carrying extensions.retryAfter tells the client to
// wait.
func retryAfter(resp *graphql.Response) (string, bool) {
	if len(resp.Errors) != 1 || (len(resp.Data) > 0 && string(resp.Data) != "null") {
		return "", false
	}
	e := resp.Errors[0]
	if e.Extensions["code"] != portfolio.EUnavailable {
		return "", false
	}
	if n, ok := e.Extensions["retryAfter"].(int); ok && n > 0 {
		return strconv.Itoa(n), true
	}
	return "", false
}

// responseType is the content type of the answer: the GraphQL one when the
// client asks for it before plain JSON, else application/json.
func responseType(accept string) string {
	for part := range strings.SplitSeq(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case graphQLResponseJSON:
			return graphQLResponseJSON
		case "application/json", "*/*", "application/*":
			return "application/json"
		}
	}
	return "application/json"
}

// writeResponse writes a response as JSON, its data as they are.
func writeResponse(w io.Writer, resp *graphql.Response) {
	var head bytes.Buffer
	head.WriteByte('{')
	if len(resp.Errors) > 0 {
		head.WriteString(`"errors":`)
		b, _ := json.Marshal(resp.Errors)
		head.Write(b)
		head.WriteByte(',')
	}
	head.WriteString(`"data":`)
	w.Write(head.Bytes())
	if len(resp.Data) == 0 {
		w.Write([]byte("null"))
	} else {
		w.Write(resp.Data)
	}
	if len(resp.Extensions) > 0 {
		b, _ := json.Marshal(resp.Extensions)
		w.Write([]byte(`,"extensions":`))
		w.Write(b)
	}
	w.Write([]byte("}\n"))
}
