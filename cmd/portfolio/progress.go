package main

import (
	"io"

	"github.com/schollz/progressbar/v3"
)

// progress draws a progress bar on a terminal and nothing elsewhere.
type progress struct {
	bar *progressbar.ProgressBar
	w   io.Writer
	msg string
}

func newProgress(w io.Writer, msg string) *progress {
	p := &progress{w: w, msg: msg}
	return p
}

// update moves the bar to done out of total.
func (p *progress) update(done, total int) {
	if p == nil || !isTerminal(p.w) {
		return
	}
	if p.bar == nil {
		p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(p.w), progressbar.OptionSetDescription(p.msg),
			progressbar.OptionShowCount(), progressbar.OptionClearOnFinish(), progressbar.OptionThrottle(100_000_000))
	}
	_ = p.bar.Set(done)
}

// done removes the bar.
func (p *progress) done() {
	if p != nil && p.bar != nil {
		_ = p.bar.Finish()
	}
}
