package pgstore

import "sync"

// snapshot is a session's rendered positions plus the guard that proves it
// still matches the positions table.
type snapshot struct {
	positions   []byte
	active      int
	closed      int
	fingerprint *string // "id:xmin,..." of the active positions; nil when none
}

// maxCachedSessions bounds the cache; a process trades few sessions at once.
const maxCachedSessions = 64

// snapshotCache keeps each session's last checkpointed snapshot. It is only
// an optimisation: a stale entry fails the INSERT's guard and is dropped.
type snapshotCache struct {
	mu sync.Mutex
	m  map[string]snapshot
}

func newSnapshotCache() *snapshotCache {
	return &snapshotCache{m: make(map[string]snapshot)}
}

func (c *snapshotCache) get(sessionID string) (snapshot, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.m[sessionID]
	return s, ok
}

func (c *snapshotCache) put(sessionID string, s snapshot) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[sessionID]; !ok && len(c.m) >= maxCachedSessions {
		for k := range c.m { // evict an arbitrary entry
			delete(c.m, k)
			break
		}
	}
	c.m[sessionID] = s
}

func (c *snapshotCache) drop(sessionID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, sessionID)
}
