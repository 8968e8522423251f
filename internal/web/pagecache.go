package web

import (
	"sync"
	"time"
)

// pageTTL is how long a visitor's page is kept: as long as the feed it
// shows is kept by social, so that keeping the page adds no staleness of
// its own.
const pageTTL = time.Second

// pageCache keeps the rendered pages of a route that visitors (signed out)
// all get alike, under a key naming what they show. A world's feed page is
// the most read page, and rendering its cards most of its cost: a crowd
// of visitors on one world then costs one rendering a second, while each
// request still goes through social's access rules (and wakes the world)
// before the page is looked up.
type pageCache struct {
	mu    sync.Mutex
	pages map[string]cachedPage
}

type cachedPage struct {
	body    []byte
	expires time.Time
}

// maxCachedPages bounds the pages kept; past it, the expired ones go, or
// all of them if none has expired.
const maxCachedPages = 1000

func (c *pageCache) get(key string, now time.Time) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.pages[key]
	if !ok || !now.Before(p.expires) {
		return nil, false
	}
	return p.body, true
}

func (c *pageCache) put(key string, body []byte, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pages == nil {
		c.pages = map[string]cachedPage{}
	}
	if len(c.pages) >= maxCachedPages {
		for k, p := range c.pages {
			if !now.Before(p.expires) {
				delete(c.pages, k)
			}
		}
		if len(c.pages) >= maxCachedPages {
			clear(c.pages)
		}
	}
	c.pages[key] = cachedPage{body: body, expires: now.Add(pageTTL)}
}
