package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// Notify tells every instance listening on channel that something changed,
// when tx commits (PostgreSQL delivers notifications at commit, none on
// rollback). SQLite has one process, which invalidates its own caches.
func (s *Store) Notify(ctx context.Context, tx *sql.Tx, channel string) error {
	if s.Dialect != Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_notify($1, '')`, channel)
	return err
}

// How a listener keeps its connection: an idle connection is checked every
// listenCheck (a silently dead one is noticed then), and a lost one is
// reconnected after a growing pause.
const (
	listenCheck      = 15 * time.Second
	listenCheckLimit = 5 * time.Second
	connectLimit     = 10 * time.Second
	backoffFirst     = 100 * time.Millisecond
	backoffMax       = 5 * time.Second
)

// ListenerName is the application_name of the listeners' connections, so
// an operator can tell them apart in pg_stat_activity.
const ListenerName = "edugroup listener"

// Listener follows one notification channel on a dedicated PostgreSQL
// connection. Live says whether notifications are arriving: while it is
// false (not yet connected, or the connection dropped) a cache that relies
// on them must fall back to a short lifetime.
type Listener struct {
	channel string
	fn      func()
	live    atomic.Bool
	cancel  context.CancelFunc
	done    chan struct{}
	// connected is closed the first time LISTEN succeeds.
	connected chan struct{}
	once      sync.Once
}

// Live reports whether the listener is connected and listening. On SQLite it
// is always true: there is no other instance to hear from.
func (l *Listener) Live() bool { return l.live.Load() }

// Connected is closed once the listener has first started listening.
func (l *Listener) Connected() <-chan struct{} { return l.connected }

// Stop ends the listener and waits for it to close its connection.
func (l *Listener) Stop() {
	l.cancel()
	<-l.done
}

// Listen calls fn on every notification on channel, and also whenever the
// listener connects or loses its connection (notifications may have been
// missed then), until Stop or the store's Close. On SQLite it does nothing
// and is always live.
func (s *Store) Listen(channel string, fn func()) *Listener {
	ctx, cancel := context.WithCancel(context.Background())
	l := &Listener{channel: channel, fn: fn, cancel: cancel, done: make(chan struct{}), connected: make(chan struct{})}
	if s.Dialect != Postgres {
		l.live.Store(true)
		l.once.Do(func() { close(l.connected) })
		close(l.done)
		return l
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		cancel()
		close(l.done)
		return l
	}
	s.listeners = append(s.listeners, l)
	s.mu.Unlock()
	go l.run(ctx, s.dsn)
	return l
}

// stopListeners ends every listener of the store, before its pools close.
func (s *Store) stopListeners() {
	s.mu.Lock()
	ls := s.listeners
	s.listeners = nil
	s.closed = true
	s.mu.Unlock()
	for _, l := range ls {
		l.Stop()
	}
}

func (l *Listener) run(ctx context.Context, dsn string) {
	defer close(l.done)
	wait := backoffFirst
	for ctx.Err() == nil {
		err := l.listen(ctx, dsn)
		if ctx.Err() != nil {
			return
		}
		if err == errListened {
			wait = backoffFirst
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(wait*2, backoffMax)
	}
}

// errListened ends a session that had been listening, so the next attempt
// starts without a pause's growth.
var errListened = errors.New("listening connection lost")

// listen holds one connection: LISTEN, then wait for notifications until the
// connection fails or ctx ends.
func (l *Listener) listen(ctx context.Context, dsn string) error {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return err
	}
	cfg.RuntimeParams["application_name"] = ListenerName
	cctx, cancel := context.WithTimeout(ctx, connectLimit)
	conn, err := pgx.ConnectConfig(cctx, cfg)
	cancel()
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = conn.Close(cctx)
		cancel()
	}()
	if _, err := conn.Exec(ctx, `LISTEN `+pgx.Identifier{l.channel}.Sanitize()); err != nil {
		return err
	}
	l.live.Store(true)
	l.once.Do(func() { close(l.connected) })
	// Changes made before LISTEN took effect were not heard: start afresh.
	l.fn()
	defer func() {
		l.live.Store(false)
		l.fn()
	}()
	for {
		wctx, cancel := context.WithTimeout(ctx, listenCheck)
		_, err := conn.WaitForNotification(wctx)
		idle := wctx.Err() != nil
		cancel()
		switch {
		case err == nil:
			l.fn()
			continue
		case ctx.Err() != nil:
			return ctx.Err()
		case !idle || conn.IsClosed():
			return errListened
		}
		// Idle: make sure the connection still answers.
		pctx, cancel := context.WithTimeout(ctx, listenCheckLimit)
		err = conn.Ping(pctx)
		cancel()
		if err != nil {
			return errListened
		}
	}
}

// WithLock runs fn while holding a PostgreSQL session advisory lock on key,
// so instances starting together take turns at a check-and-create that spans
// several transactions. On SQLite the data directory's lock file already
// makes this process the only one, so fn simply runs.
func (s *Store) WithLock(ctx context.Context, key int64, fn func() error) error {
	if s.Dialect != Postgres {
		return fn()
	}
	conn, err := s.W.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		// A cancelled wait may leave the lock request behind: drop the
		// connection rather than return it to the pool.
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		return err
	}
	ferr := fn()
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := conn.ExecContext(uctx, `SELECT pg_advisory_unlock($1)`, key); err != nil {
		// Never hand a connection that still holds the lock back to the pool.
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	return ferr
}
