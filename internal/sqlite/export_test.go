package sqlite

import "time"

// SetTokenClock makes the token code read the time from now.
func (db *DB) SetTokenClock(now func() time.Time) {
	db.uses.mu.Lock()
	db.uses.now = now
	db.uses.mu.Unlock()
}

// WaitTokenUses waits for the last-use writes under way.
func (db *DB) WaitTokenUses() { db.uses.wg.Wait() }
