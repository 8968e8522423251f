package social

import (
	"strconv"
	"sync"
	"time"

	"github.com/generia/generia/internal/generia"
)

// feedTTL is how long a feed page is served from memory. Counts and new
// posts from other processes show within that time; writes through this
// process show at once.
const feedTTL = time.Second

// feedCache keeps recent feed pages as a visitor sees them, the same for
// everyone; a signed-in viewer's page is the cached one with the viewer's
// likes read fresh. The feed is the most read page, and a second of
// staleness in its counts costs nothing.
type feedCache struct {
	mu      sync.Mutex
	pages   map[string]feedPage
	version map[string]int // world ID → bumped on every write to the world
}

type feedPage struct {
	// posts are the page's posts a visitor sees; all are every post of
	// the page, held ones too, which their people and moderators see.
	posts, all []generia.Post
	next       string
	// encoded is the page as a visitor gets it from the API, once encoded.
	encoded []byte
	expires time.Time
}

// lookup returns the key of a page, which names the world's version as of
// now, and the page when it is cached and fresh. A page read from the store
// after a lookup is put under the key of that lookup, so that a read which
// raced a write is never kept as the newer version.
func (c *feedCache) lookup(worldID string, page generia.Page, now time.Time) (string, feedPage, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := worldID + "|" + strconv.Itoa(c.version[worldID]) + "|" + strconv.Itoa(page.Limit) + "|" + page.Cursor
	p, ok := c.pages[key]
	if !ok || now.After(p.expires) {
		return key, feedPage{}, false
	}
	return key, p, true
}

func (c *feedCache) put(key string, p feedPage, now time.Time) {
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
	if p.expires.IsZero() {
		p.expires = now.Add(feedTTL)
	}
	c.pages[key] = p
}

// changed forgets a world's cached pages.
func (c *feedCache) changed(worldID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != nil {
		c.version[worldID]++
	}
}

// WorldVersion names the state of a world's content as this process wrote
// it: it changes with every write to the world through this process (what
// other processes write shows within feedTTL, as in the feed). A page made
// of the feed may be kept under it as long as the feed is.
func (s *Service) WorldVersion(worldID string) int {
	s.feeds.mu.Lock()
	defer s.feeds.mu.Unlock()
	return s.feeds.version[worldID]
}
