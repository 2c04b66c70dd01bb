package sqlite

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// Idempotency keys (table mutation_keys, migrations/0007). A mutation run
// under a key (portfolio.WithMutationKey) stores, in its own transaction,
// the object it answered with; the same caller sending the same key again
// within portfolio.MutationKeyLifetime gets that object back without a
// write, provided the mutation and its input are the same, and a refusal
// otherwise. The write connection serialises mutations, so two requests
// with one key cannot both write.

// keyField is the input field that carries the key, as errors name it.
const keyField = "clientMutationId"

// pruneKeys forgets the keys older than their lifetime.
func (w *wtx) pruneKeys() error {
	cutoff := w.now.Add(-portfolio.MutationKeyLifetime).Format("2006-01-02T15:04:05.000Z")
	_, err := w.exec("DELETE FROM mutation_keys WHERE created_at < ?", cutoff)
	return err
}

// replay looks the caller's key up: when the same mutation already ran
// with it on the same input, it decodes that answer into out and reports
// true; another mutation or input is a BAD_USER_INPUT error.
func (w *wtx) replay(k portfolio.MutationKey, out any) (bool, error) {
	var mutation, input, answer, at string
	err := w.tx.QueryRowContext(w.ctx, `SELECT mutation, input_hash, answer, created_at FROM mutation_keys
		WHERE token_id = ? AND token_name = ? AND key = ?`, w.id.TokenID, w.id.TokenName, k.Key).Scan(&mutation, &input, &answer, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s: mutation key: %w", w.mutation, err)
	}
	if mutation != w.mutation || input != k.Input {
		what := "another input"
		if mutation != w.mutation {
			what = "another mutation (" + mutation + ")"
		}
		when := at
		if t, err := time.Parse(time.RFC3339, at); err == nil {
			when = t.UTC().Format("2006-01-02 15:04 UTC")
		}
		return false, &portfolio.Error{Code: portfolio.EInvalid, Field: keyField, Message: fmt.Sprintf(
			"clientMutationId %q was already used by this token on %s, for %s: a key names one write, and answers again only the same mutation with the same input; send a new clientMutationId for a new write (keys are kept %d hours)",
			k.Key, when, what, int(portfolio.MutationKeyLifetime.Hours()))}
	}
	if err := json.Unmarshal([]byte(answer), out); err != nil {
		return false, fmt.Errorf("%s: mutation key %q: stored answer: %w", w.mutation, k.Key, err)
	}
	return true, nil
}

// keep stores the answer out of the mutation under the caller's key.
func (w *wtx) keep(k portfolio.MutationKey, out any) error {
	b, err := json.Marshal(out)
	if err != nil {
		return fmt.Errorf("%s: mutation key: %w", w.mutation, err)
	}
	_, err = w.exec(`INSERT INTO mutation_keys (token_id, token_name, key, mutation, input_hash, answer, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		w.id.TokenID, w.id.TokenName, k.Key, w.mutation, k.Input, string(b), w.at())
	return err
}
