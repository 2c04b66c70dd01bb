package portfolio

import "context"

type todayKey struct{}

// WithToday fixes "today" for one request, so that every default date of
// the request (an asOf left out) is the same day even when the request runs
// across midnight.
func WithToday(ctx context.Context, d Date) context.Context {
	return context.WithValue(ctx, todayKey{}, d)
}

// TodayIn returns the day fixed for the request of ctx by WithToday, else
// Today().
func TodayIn(ctx context.Context) Date {
	if d, ok := ctx.Value(todayKey{}).(Date); ok {
		return d
	}
	return Today()
}
