package e2e

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Proc is a running gambler child process.
type Proc struct {
	t      testing.TB
	cmd    *exec.Cmd
	name   string
	stdout *syncBuffer
	stderr *syncBuffer
	done   chan struct{}
	err    error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs bin with args and env; the process is killed at cleanup if it
// is still running, and its output is logged when the test fails.
func start(t testing.TB, env []string, args ...string) *Proc {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		t.Fatal(err)
	}
	return startBinary(t, bin, env, args...)
}

// startBinary is start for any program.
func startBinary(t testing.TB, bin string, env []string, args ...string) *Proc {
	t.Helper()
	p := &Proc{t: t, name: strings.Join(args, " "), stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", p.name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("--- %s\nstdout:\n%s\nstderr (last 4000 bytes):\n%s", p.name, p.stdout.String(), tail(p.stderr.String(), 4000))
		}
	})
	return p
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

// Signal sends sig to the process.
func (p *Proc) Signal(sig syscall.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("signal %s: %v", p.name, err)
	}
}

// Kill9 kills the process with SIGKILL and waits for it.
func (p *Proc) Kill9() {
	p.Signal(syscall.SIGKILL)
	<-p.done
}

// Wait waits up to d for the process and returns its exit code (-1 when it
// died from a signal).
func (p *Proc) Wait(d time.Duration) int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(d):
		p.t.Fatalf("%s did not exit within %s", p.name, d)
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	if p.err != nil {
		p.t.Fatalf("wait %s: %v", p.name, p.err)
	}
	return 0
}

// Exited reports whether the process has ended.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stdout and Stderr return what the process wrote so far.
func (p *Proc) Stdout() string { return p.stdout.String() }
func (p *Proc) Stderr() string { return p.stderr.String() }

// Exchange is a `gambler exchange` process with a state file.
type Exchange struct {
	t         testing.TB
	URL       string
	StateFile string
	args      []string
	proc      *Proc
}

// StartExchange starts an exchange process on a free loopback port.
func StartExchange(t testing.TB, dir string, extra ...string) *Exchange {
	t.Helper()
	e := &Exchange{t: t, StateFile: filepath.Join(dir, "exchange-state.json")}
	e.args = append([]string{"exchange", "--listen", "127.0.0.1:0", "--state-file", e.StateFile, "--log-format", "json"}, extra...)
	e.start("127.0.0.1:0")
	return e
}

func (e *Exchange) start(listen string) {
	e.t.Helper()
	args := append([]string(nil), e.args...)
	args[2] = listen
	e.proc = start(e.t, nil, args...)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		sc := bufio.NewScanner(strings.NewReader(e.proc.Stdout()))
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "gambler exchange listening on "); ok {
				e.URL = u
				return
			}
		}
		if e.proc.Exited() {
			e.t.Fatalf("exchange exited: %s", e.proc.Stderr())
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.t.Fatal("exchange did not start")
}

// Freeze stops the exchange process (SIGSTOP): it hangs, answering
// nothing, until Thaw.
func (e *Exchange) Freeze() { e.proc.Signal(syscall.SIGSTOP) }

// Thaw lets a frozen exchange run again (SIGCONT).
func (e *Exchange) Thaw() { e.proc.Signal(syscall.SIGCONT) }

// Kill9 kills the exchange process.
func (e *Exchange) Kill9() { e.proc.Kill9() }

// Restart starts the exchange again on the same address, from its state file.
func (e *Exchange) Restart() {
	e.start(strings.TrimPrefix(e.URL, "http://"))
}

// Eventually polls cond until it holds or d passes.
func Eventually(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
