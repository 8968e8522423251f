package offline

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"math"
	"sync"
	"time"

	"github.com/generia/generia/internal/generia"
)

// MaxImageSide caps the long side of offline images, in pixels: a world
// header is painted wide enough for a desktop, a post's picture at the size
// its page shows it, an avatar or icon smaller.
const MaxImageSide = 1280

func maxSide(kind string) int {
	switch kind {
	case generia.MediaWorldHeader:
		return MaxImageSide
	case generia.MediaPostImage:
		return 800
	}
	return 512
}

// Images paints procedural PNG images offline. It implements
// generia.ImageGenerator.
type Images struct {
	latency time.Duration
}

// NewImages returns an image generator that waits latency to twice
// latency before each image (by the request).
func NewImages(latency time.Duration) *Images { return &Images{latency: latency} }

// Name returns "offline".
func (*Images) Name() string { return ModelName }

// GenerateImage paints the image req asks for: a landscape for a world
// header, an emblem for an icon, a portrait for an avatar and a scene for a
// post. It keeps the requested aspect ratio with the long side capped at
// MaxImageSide and reports the real size. The same request gives the same
// bytes. A size that is not positive gives KindInvalid; a context that ends
// while waiting gives its error.
func (g *Images) GenerateImage(ctx context.Context, req generia.ImageRequest) (generia.ImageResult, error) {
	if req.Width <= 0 || req.Height <= 0 {
		return generia.ImageResult{}, generia.Errorf(generia.KindInvalid, "offline: image size %dx%d is not positive", req.Width, req.Height)
	}
	w, h := fitSize(req.Width, req.Height, maxSide(req.Kind))
	img := paint(req, w, h)
	var buf bytes.Buffer
	buf.Grow(w * h / 3)
	enc := png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: encoderBuffers}
	if err := enc.Encode(&buf, img); err != nil {
		return generia.ImageResult{}, fmt.Errorf("offline: encoding a PNG: %w", err)
	}
	if err := wait(ctx, spread(g.latency, req.WorldID, req.Key)); err != nil {
		return generia.ImageResult{}, err
	}
	return generia.ImageResult{Data: buf.Bytes(), ContentType: "image/png", Width: w, Height: h, Model: ModelName}, nil
}

// bufferPool lets PNG encoders reuse their compressors: allocating one
// costs about as much as painting a small image.
type bufferPool struct{ pool sync.Pool }

func (p *bufferPool) Get() *png.EncoderBuffer {
	b, _ := p.pool.Get().(*png.EncoderBuffer)
	return b
}

func (p *bufferPool) Put(b *png.EncoderBuffer) { p.pool.Put(b) }

var encoderBuffers = &bufferPool{}

// fitSize scales w×h down so that its long side is at most limit, keeping
// the aspect ratio and at least one pixel per side.
func fitSize(w, h, limit int) (int, int) {
	long := max(w, h)
	if long <= limit {
		return w, h
	}
	scale := float64(limit) / float64(long)
	return max(1, int(math.Round(float64(w)*scale))), max(1, int(math.Round(float64(h)*scale)))
}
