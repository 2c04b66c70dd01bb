package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// trustedDocuments runs only the documents of an allow-list: a request
// names one by its SHA-256 (extensions.persistedQuery.sha256Hash, as Apollo
// clients send it) or sends its exact text.
type trustedDocuments struct {
	docs map[string]string
}

var (
	_ graphql.HandlerExtension          = &trustedDocuments{}
	_ graphql.OperationParameterMutator = &trustedDocuments{}
)

// ExtensionName names the extension.
func (t *trustedDocuments) ExtensionName() string { return "TrustedDocuments" }

// Validate does nothing: the documents were checked when loaded.
func (t *trustedDocuments) Validate(graphql.ExecutableSchema) error { return nil }

func hashOf(doc string) string {
	sum := sha256.Sum256([]byte(doc))
	return hex.EncodeToString(sum[:])
}

// MutateOperationParameters replaces a hash by its document and refuses
// anything not on the list.
func (t *trustedDocuments) MutateOperationParameters(ctx context.Context, raw *graphql.RawParams) *gqlerror.Error {
	hash := ""
	if pq, ok := raw.Extensions["persistedQuery"].(map[string]any); ok {
		hash, _ = pq["sha256Hash"].(string)
	}
	if hash != "" {
		doc, ok := t.docs[strings.ToLower(hash)]
		if !ok {
			err := gqlerror.Errorf("no trusted document has the hash %q", hash)
			errcode.Set(err, portfolio.EUnknownDocument)
			return err
		}
		if raw.Query != "" && raw.Query != doc {
			err := gqlerror.Errorf("the query sent is not the trusted document %q", hash)
			errcode.Set(err, portfolio.EUntrustedDocument)
			return err
		}
		raw.Query = doc
		return nil
	}
	if _, ok := t.docs[hashOf(raw.Query)]; !ok {
		err := gqlerror.Errorf("this server runs trusted documents only: send the hash of one (extensions.persistedQuery.sha256Hash)")
		errcode.Set(err, portfolio.EUntrustedDocument)
		return err
	}
	return nil
}

// LoadTrustedDocuments reads a trusted-documents file: a JSON object whose
// keys are the SHA-256 (hex) of the documents they map to, as persisted
// query manifests list them. A key that is not its document's hash is an
// error, so a typo cannot let another query in.
func LoadTrustedDocuments(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("trusted documents: %w", err)
	}
	var raw map[string]string
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("trusted documents %s: want a JSON object of hash → document: %w", path, err)
	}
	docs := make(map[string]string, len(raw))
	for k, doc := range raw {
		if hashOf(doc) != strings.ToLower(k) {
			return nil, fmt.Errorf("trusted documents %s: key %q is not the SHA-256 of its document (%s)", path, k, hashOf(doc))
		}
		docs[strings.ToLower(k)] = doc
	}
	return docs, nil
}
