package social

import (
	"strconv"
	"sync"
	"time"

	"github.com/generia/generia/internal/generia"
)

// feedTTL is how long a visitor's feed page is served from memory. Counts
// and new posts from other processes show within that time; writes through
// this process show at once.
const feedTTL = time.Second

// feedCache keeps recent feed pages of visitors (whose pages are the same
// for all of them): the feed is the most read page, and a second of
// staleness costs nothing.
type feedCache struct {
	mu      sync.Mutex
	pages   map[string]feedPage
	version map[string]int // world ID → bumped on every write to the world
}

type feedPage struct {
	posts   []generia.Post
	next    string
	expires time.Time
}

func (c *feedCache) key(worldID string, page generia.Page) string {
	return worldID + "|" + strconv.Itoa(c.version[worldID]) + "|" + strconv.Itoa(page.Limit) + "|" + page.Cursor
}

func (c *feedCache) get(worldID string, page generia.Page, now time.Time) ([]generia.Post, string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.pages[c.key(worldID, page)]
	if !ok || now.After(p.expires) {
		return nil, "", false
	}
	return p.posts, p.next, true
}

func (c *feedCache) put(worldID string, page generia.Page, posts []generia.Post, next string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pages == nil {
		c.pages, c.version = map[string]feedPage{}, map[string]int{}
	}
	if len(c.pages) >= 10_000 {
		for k, p := range c.pages {
			if now.After(p.expires) {
				delete(c.pages, k)
			}
		}
		if len(c.pages) >= 10_000 {
			clear(c.pages)
		}
	}
	c.pages[c.key(worldID, page)] = feedPage{posts: posts, next: next, expires: now.Add(feedTTL)}
}

// changed forgets a world's cached pages.
func (c *feedCache) changed(worldID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != nil {
		c.version[worldID]++
	}
}
