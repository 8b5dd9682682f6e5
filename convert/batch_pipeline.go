package convert

import "sync"

// pipeline runs work on several goroutines and hands the results to take one at a time, in the
// order the jobs were sent, whatever order they finish in. At most window jobs, of at most budget
// bytes together, are between send and take (one job always passes, however large), so memory
// depends on the window, not on the length of the input.
type pipeline[J, R any] struct {
	workers int
	window  int
	budget  int64
	work    func(J) R
	take    func(R) error
}

// run calls produce, which sends the jobs; send returns false when the pipeline stops early.
// run returns the first error of take (which stops it), else the error of produce.
func (p pipeline[J, R]) run(produce func(send func(job J, size int64) bool) error) error {
	type job struct {
		seq  int
		j    J
		size int64
	}
	type result struct {
		seq  int
		r    R
		size int64
	}
	workers := max(p.workers, 1)
	jobs := make(chan job, workers)
	results := make(chan result, workers)
	g := newGate(max(p.window, 1), p.budget)
	var prodErr error
	go func() {
		defer close(jobs)
		seq := 0
		prodErr = produce(func(j J, size int64) bool {
			if !g.acquire(size) {
				return false
			}
			jobs <- job{seq, j, size}
			seq++
			return true
		})
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				results <- result{j.seq, p.work(j.j), j.size}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	pending := map[int]result{}
	next := 0
	var takeErr error
	for r := range results {
		pending[r.seq] = r
		for {
			q, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			if takeErr == nil {
				if takeErr = p.take(q.r); takeErr != nil {
					g.close()
				}
			}
			g.release(q.size)
		}
	}
	if takeErr != nil {
		return takeErr
	}
	return prodErr
}

// gate bounds the jobs in flight by number and by bytes.
type gate struct {
	mu     sync.Mutex
	cond   *sync.Cond
	n, max int
	bytes  int64
	budget int64
	closed bool
}

func newGate(max int, budget int64) *gate {
	g := &gate{max: max, budget: budget}
	g.cond = sync.NewCond(&g.mu)
	return g
}

// acquire waits for room for a job of size bytes; it returns false once the gate is closed.
func (g *gate) acquire(size int64) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for !g.closed && g.n > 0 && (g.n >= g.max || (g.budget > 0 && g.bytes+size > g.budget)) {
		g.cond.Wait()
	}
	if g.closed {
		return false
	}
	g.n++
	g.bytes += size
	return true
}

func (g *gate) release(size int64) {
	g.mu.Lock()
	g.n--
	g.bytes -= size
	g.mu.Unlock()
	g.cond.Broadcast()
}

func (g *gate) close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	g.cond.Broadcast()
}
