package study

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// Task is one planned trial.
type Task struct {
	Program Program
	Loss    Loss
	Index   int    // trial index i within the pair
	Seed    uint64 // TrialSeed of the study seed, program, index (and loss label when unpaired)
}

// TrialSeed derives the seed of trial i of a program from the study seed.
// A cryptographic hash of the inputs (not a generator advanced i times)
// makes any trial computable alone, on any machine, in any order. loss is
// empty in a paired study, so every loss sees the same draw.
func TrialSeed(studySeed uint64, program, loss string, i int) uint64 {
	h := sha256.New()
	var b [8]byte
	h.Write([]byte("soundmatch trial seed v1\x00"))
	binary.LittleEndian.PutUint64(b[:], studySeed)
	h.Write(b[:])
	h.Write([]byte(program))
	h.Write([]byte{0})
	h.Write([]byte(loss))
	h.Write([]byte{0})
	binary.LittleEndian.PutUint64(b[:], uint64(i))
	h.Write(b[:])
	return binary.LittleEndian.Uint64(h.Sum(nil))
}

// Plan lists every trial of the study in its run order: trial index
// first, then program, then loss, so a partial run (or any contiguous
// shard) covers every pair about equally.
func (c *Config) Plan() []Task {
	tasks := make([]Task, 0, c.Trials*len(c.Programs)*len(c.Losses))
	for i := 0; i < c.Trials; i++ {
		for _, p := range c.Programs {
			paired := TrialSeed(c.Seed, p.Name, "", i)
			for _, l := range c.Losses {
				seed := paired
				if !c.Paired {
					seed = TrialSeed(c.Seed, p.Name, l.Label, i)
				}
				tasks = append(tasks, Task{Program: p, Loss: l, Index: i, Seed: seed})
			}
		}
	}
	return tasks
}

// Shard is the k-th (from 0) of N disjoint slices of a plan.
type Shard struct{ K, N int }

// ParseShard reads "k/N" with 0 ≤ k < N.
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	k, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || k < 0 || k >= n {
		return Shard{}, fmt.Errorf("shard %q: want k/N with 0 ≤ k < N, e.g. 0/4 (the first of four)", s)
	}
	return Shard{k, n}, nil
}

func (s Shard) String() string {
	if s.N <= 1 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.K, s.N)
}

// Select returns the shard's contiguous block of the plan. The blocks of
// 0/N … N-1/N are disjoint, cover the plan, and differ in size by at most
// one trial; because the plan is ordered by trial index first, every block
// holds every pair in about equal measure.
func (s Shard) Select(tasks []Task) []Task {
	if s.N <= 1 {
		return tasks
	}
	lo := len(tasks) * s.K / s.N
	hi := len(tasks) * (s.K + 1) / s.N
	return tasks[lo:hi]
}
