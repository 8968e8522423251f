package social

import (
	"context"
	"net/http"
	"runtime"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/singleflight"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/imagevariant"
)

// variantTimeout bounds making one variant, waiting for a slot included.
const variantTimeout = 30 * time.Second

// variants makes each missing variant once per process while others wait
// for it, and at most one a core at a time: a first view of a new world asks
// for dozens at once.
type variants struct {
	making singleflight.Group
	once   sync.Once
	slots  chan struct{}
}

// MediaVariant returns a compact copy, at most width pixels wide, of a media
// the viewer may see, and whether its world is private. The copy is made on
// the first request for its width (rounded down to one of
// generia.VariantWidths) and stored beside the media; a GIF is returned as
// it is, to keep its frames. A width under the narrowest variant gives
// KindInvalid.
func (s *Service) MediaVariant(ctx context.Context, viewerID, id string, width int) (generia.Media, []byte, bool, error) {
	m, private, err := s.Media(ctx, viewerID, id)
	if err != nil {
		return m, nil, private, err
	}
	vw, key, err := m.Variant(width)
	if err != nil {
		return m, nil, private, err
	}
	if m.ContentType == "image/gif" {
		data, err := imagevariant.ReadStored(ctx, s.Files, m.ObjectKey)
		return m, data, private, err
	}
	data, err := imagevariant.ReadStored(ctx, s.Files, key)
	if generia.IsKind(err, generia.KindNotFound) {
		var made any
		made, err, _ = s.variants.making.Do(key, func() (any, error) {
			// Made to the end for whoever asks next, even if this request
			// goes away.
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), variantTimeout)
			defer cancel()
			return s.makeVariant(ctx, m, vw)
		})
		data, _ = made.([]byte)
	}
	if err != nil {
		return m, nil, private, err
	}
	v := m
	v.ObjectKey, v.ContentType, v.Size = key, http.DetectContentType(data), int64(len(data))
	return v, data, private, nil
}

// makeVariant makes and stores the variant of m at width, one a core at a
// time.
func (s *Service) makeVariant(ctx context.Context, m generia.Media, width int) ([]byte, error) {
	select {
	case s.variantSlots() <- struct{}{}:
		defer func() { <-s.variantSlots() }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	v, err := imagevariant.Store(ctx, s.Files, s.Store, m, width)
	return v.Data, err
}

// deleteMedia deletes a media's object and every variant that may have
// been made of it, a few at a time (a store over the network answers each
// in a round trip).
func (s *Service) deleteMedia(ctx context.Context, key string) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, k := range generia.MediaKeys(key) {
		g.Go(func() error { return s.Files.Delete(ctx, k) })
	}
	return g.Wait()
}

// variantSlots is the semaphore of variants made at once.
func (s *Service) variantSlots() chan struct{} {
	s.variants.once.Do(func() { s.variants.slots = make(chan struct{}, runtime.GOMAXPROCS(0)) })
	return s.variants.slots
}
