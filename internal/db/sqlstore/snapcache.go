package sqlstore

import "sync"

// maxKeptSnapshots bounds the cache; a process trades few sessions at once.
const maxKeptSnapshots = 64

// snapshotCache keeps the snapshot of each session's newest checkpoint
// (see create.go). It is only an optimisation: the guarded insert refuses
// a snapshot the positions no longer match, and the create reads them
// again.
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
	if _, ok := c.m[sessionID]; !ok && len(c.m) >= maxKeptSnapshots {
		clear(c.m)
	}
	c.m[sessionID] = s
}

func (c *snapshotCache) drop(sessionID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, sessionID)
}

// forget drops every kept snapshot: a position changed, and the writes
// that change one by its id do not know its session.
func (c *snapshotCache) forget() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.m)
}
