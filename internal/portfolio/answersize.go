package portfolio

import "context"

type answerSizeKey struct{}

// WithAnswerSize gives the request of ctx a function that an executor
// calls as an answer it writes itself grows, with the answer's size so
// far: it returns an error when the answer must stop (too large, or the
// memory that answers share is used up). The server sets it from its
// answer budget.
func WithAnswerSize(ctx context.Context, grown func(bytes int64) error) context.Context {
	return context.WithValue(ctx, answerSizeKey{}, grown)
}

// AnswerSize returns the function WithAnswerSize set for ctx, or nil.
func AnswerSize(ctx context.Context) func(bytes int64) error {
	f, _ := ctx.Value(answerSizeKey{}).(func(int64) error)
	return f
}
