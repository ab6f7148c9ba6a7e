package api

import (
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"sync"

	"github.com/secretsctl/secretsctl/store"
)

// body is an encoded answer at a revision, its strong ETag, and the header
// values that go with it, built once: a cached answer is sent with no
// per-request formatting. The []string values are shared by every answer
// and must not be changed (net/http copies them; an Add appends to a copy,
// as each has no spare capacity).
type body struct {
	data []byte
	etag string

	etagHeader     []string
	lengthHeader   []string
	revisionHeader []string // nil when there is no revision
}

func newBody(data []byte, rev string) *body {
	sum := sha256.Sum256(data)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	b := &body{data: data, etag: etag, etagHeader: []string{etag}, lengthHeader: []string{strconv.Itoa(len(data))}}
	if rev != "" {
		b.revisionHeader = []string{rev}
	}
	return b
}

// cache holds encoded answers by (revision, route, parameters) and
// snapshots by revision, each bounded and evicting the least recently used.
// What is cached never changes for its key: a revision is immutable.
type cache struct {
	bodies *lru[*body]
	snaps  *lru[*store.Snapshot]
}

func newCache(bodies, snaps int) *cache {
	return &cache{bodies: newLRU[*body](bodies), snaps: newLRU[*store.Snapshot](snaps)}
}

type lru[V any] struct {
	mu  sync.Mutex
	max int
	ll  *list.List
	m   map[string]*list.Element
}

type lruItem[V any] struct {
	key string
	val V
}

func newLRU[V any](max int) *lru[V] {
	return &lru[V]{max: max, ll: list.New(), m: map[string]*list.Element{}}
}

func (c *lru[V]) get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[key]; ok {
		c.ll.MoveToFront(e)
		return e.Value.(*lruItem[V]).val, true
	}
	var zero V
	return zero, false
}

// getBytes is get with the key in bytes, which it does not keep.
func (c *lru[V]) getBytes(key []byte) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[string(key)]; ok { // no allocation: the compiler looks up in place
		c.ll.MoveToFront(e)
		return e.Value.(*lruItem[V]).val, true
	}
	var zero V
	return zero, false
}

func (c *lru[V]) put(key string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[key]; ok {
		e.Value.(*lruItem[V]).val = v
		c.ll.MoveToFront(e)
		return
	}
	c.m[key] = c.ll.PushFront(&lruItem[V]{key: key, val: v})
	for c.ll.Len() > c.max {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.m, last.Value.(*lruItem[V]).key)
	}
}
