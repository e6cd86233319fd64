package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
)

// Proxy is a TCP proxy a test puts between a process and a server so that
// it can cut the link without stopping the server, which other tests
// share.
type Proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	cut    bool
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
}

// StartProxy listens on a loopback port and forwards to target until the
// test ends.
func StartProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Cut closes every open connection and refuses new ones until Restore.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	for c := range p.conns {
		_ = c.Close()
	}
}

// Restore lets connections through again.
func (p *Proxy) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = false
}

func (p *Proxy) close() {
	_ = p.ln.Close()
	p.Cut()
	p.wg.Wait()
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		up, ok := p.dial(c)
		if !ok {
			continue
		}
		p.wg.Add(2)
		go p.pipe(c, up)
		go p.pipe(up, c)
	}
}

// dial connects to the target unless the link is cut; both ends are
// tracked so that Cut can close them.
func (p *Proxy) dial(c net.Conn) (net.Conn, bool) {
	p.mu.Lock()
	cut := p.cut
	p.mu.Unlock()
	if cut {
		_ = c.Close()
		return nil, false
	}
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		_ = c.Close()
		return nil, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut {
		_ = c.Close()
		_ = up.Close()
		return nil, false
	}
	p.conns[c], p.conns[up] = struct{}{}, struct{}{}
	return up, true
}

func (p *Proxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	_, _ = io.Copy(dst, src)
	_ = dst.Close()
	_ = src.Close()
	p.mu.Lock()
	delete(p.conns, dst)
	delete(p.conns, src)
	p.mu.Unlock()
}

// ViaProxy returns the PostgreSQL URL with its host replaced by a proxy
// to it, and the proxy.
func ViaProxy(t testing.TB, pgURL string) (string, *Proxy) {
	t.Helper()
	u, err := url.Parse(pgURL)
	if err != nil {
		t.Fatal(err)
	}
	p := StartProxy(t, u.Host)
	u.Host = p.Addr()
	return u.String(), p
}

// SQLiteLock holds an exclusive transaction on a SQLite database: every
// other writer waits on it and, past its busy timeout, fails.
type SQLiteLock struct {
	db   *sql.DB
	conn *sql.Conn
}

// LockSQLite takes the exclusive lock on the database at path.
func LockSQLite(path string) (*SQLiteLock, error) {
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(30000)")
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err == nil {
		_, err = conn.ExecContext(ctx, "BEGIN EXCLUSIVE")
	}
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &SQLiteLock{db: db, conn: conn}, nil
}

// Release ends the transaction and closes the connection.
func (l *SQLiteLock) Release() error {
	_, err := l.conn.ExecContext(context.Background(), "COMMIT")
	_ = l.conn.Close()
	if cerr := l.db.Close(); err == nil {
		err = cerr
	}
	return err
}
