package audit

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"time"
)

// DenialQueue is how many denied accesses may wait to be written. A denial
// that finds the queue full is written before the request is answered.
const DenialQueue = 4096

// denialRetryMax caps the pause between attempts to write a denial.
const denialRetryMax = 5 * time.Second

// denials writes denied accesses after the response, so an object outside
// the caller's scope answers 404 as fast as a missing one: a bounded queue
// drained by one goroutine that appends what is waiting (up to denialBatch
// records) in one transaction, retrying until it is written or the drain at
// shutdown gives up.
type denials struct {
	l       *Log
	lg      *slog.Logger
	q       chan Denial
	stopped chan struct{} // closed when the goroutine has drained the queue
	abort   chan struct{} // closed when the drain's deadline passes
	kick    chan struct{} // a flush asks the writer to commit without lingering
	once    sync.Once

	mu      sync.RWMutex // held for reading while queuing, for writing to close q
	closed  bool
	pmu     sync.Mutex
	pending int
	idle    chan struct{} // closed when pending drops to zero
}

// Denial is a queued denied access.
type Denial struct {
	Who   Who
	Entry Entry
}

// StartDenials starts the background recorder: from now on Deny queues the
// record instead of writing it. It does nothing if the recorder runs.
func (l *Log) StartDenials(lg *slog.Logger) {
	if lg == nil {
		lg = slog.Default()
	}
	d := &denials{l: l, lg: lg, q: make(chan Denial, DenialQueue), stopped: make(chan struct{}), abort: make(chan struct{}),
		kick: make(chan struct{}, 1)}
	if !l.denials.CompareAndSwap(nil, d) {
		return
	}
	go d.run()
}

// Deny records a denied access. With the recorder running the record is
// queued (stamped with the time of the denial) and written after the
// caller answers; without it, or when the queue is full, it is written now.
func (l *Log) Deny(ctx context.Context, who Who, e Entry) error {
	if e.Outcome == "" {
		e.Outcome = Denied
	}
	if d := l.denials.Load(); d != nil {
		e.at = l.Now()
		if d.enqueue(Denial{who, e}) {
			return nil
		}
	}
	return l.Record(context.WithoutCancel(ctx), who, e)
}

// FlushDenials waits until every denial queued so far is written (or ctx
// ends). Tests call it before looking for the record.
func (l *Log) FlushDenials(ctx context.Context) error {
	d := l.denials.Load()
	if d == nil {
		return nil
	}
	d.pmu.Lock()
	if d.pending == 0 {
		d.pmu.Unlock()
		return nil
	}
	ch := d.idle
	d.pmu.Unlock()
	select {
	case d.kick <- struct{}{}:
	default:
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// StopDenials stops queuing (later denials are written at once) and drains
// the queue. When ctx ends first, every record still waiting gets one last
// attempt and a failure is logged. Safe to call more than once.
func (l *Log) StopDenials(ctx context.Context) error {
	d := l.denials.Load()
	if d == nil {
		return nil
	}
	d.mu.Lock()
	if !d.closed {
		d.closed = true
		close(d.q)
	}
	d.mu.Unlock()
	select {
	case <-d.stopped:
	case <-ctx.Done():
		d.once.Do(func() { close(d.abort) })
		<-d.stopped
	}
	l.denials.CompareAndSwap(d, nil)
	return ctx.Err()
}

func (d *denials) enqueue(x Denial) bool {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return false
	}
	d.pmu.Lock()
	if d.pending == 0 {
		d.idle = make(chan struct{})
	}
	d.pending++
	d.pmu.Unlock()
	select {
	case d.q <- x:
		return true
	default:
		d.done()
		return false
	}
}

func (d *denials) done() {
	d.pmu.Lock()
	d.pending--
	if d.pending == 0 {
		close(d.idle)
	}
	d.pmu.Unlock()
}

// denialBatch bounds how many queued denials are written in one
// transaction: a burst of probes costs one commit per batch, not one each,
// so the writer does not slow the answers it was moved behind.
const denialBatch = 256

// denialLinger is how long the writer waits for more denials before it
// commits what it has: the record is in the log well under a second after
// the answer, and a stream of probes costs a commit per interval.
const denialLinger = 50 * time.Millisecond

func (d *denials) run() {
	defer close(d.stopped)
	batch := make([]Denial, 0, denialBatch)
	linger := time.NewTimer(0)
	<-linger.C
	for x := range d.q {
		batch = append(batch[:0], x)
		// Linger briefly so a burst shares one commit.
		linger.Reset(denialLinger)
	more:
		for len(batch) < denialBatch {
			select {
			case y, ok := <-d.q:
				if !ok {
					break more
				}
				batch = append(batch, y)
			case <-linger.C:
				break more
			case <-d.kick:
				break more
			case <-d.abort:
				break more
			}
		}
		if !linger.Stop() {
			select {
			case <-linger.C:
			default:
			}
		}
		d.write(batch)
		for range batch {
			d.done()
		}
	}
}

// write appends a batch of denials in one transaction, retrying with a
// growing pause until they are written or the drain is aborted.
func (d *denials) write(batch []Denial) {
	pause := 50 * time.Millisecond
	for {
		err := d.l.st.Tx(context.Background(), func(tx *sql.Tx) error {
			for _, x := range batch {
				if err := d.l.Append(context.Background(), tx, x.Who, x.Entry); err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil {
			return
		}
		select {
		case <-d.abort:
			for _, x := range batch {
				d.lg.Error("audit: denied access not recorded at shutdown", "err", err, "action", x.Entry.Action,
					"object_type", x.Entry.ObjectType, "object_id", x.Entry.ObjectID, "user", x.Who.Username, "request_id", x.Who.RequestID)
			}
			return
		default:
		}
		d.lg.Warn("audit: writing denied accesses failed, retrying", "err", err, "records", len(batch))
		t := time.NewTimer(pause)
		select {
		case <-t.C:
		case <-d.abort:
			t.Stop()
		}
		pause = min(2*pause, denialRetryMax)
	}
}
