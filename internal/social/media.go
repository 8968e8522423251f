package social

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/generia/generia/internal/bodylimit"
	"github.com/generia/generia/internal/generia"
)

// ownMedia checks that a media record is the viewer's upload to a world.
func (s *Service) ownMedia(ctx context.Context, viewerID, worldID, mediaID string) error {
	m, err := s.Store.Media(ctx, mediaID)
	if err != nil {
		return err
	}
	if m.OwnerID != viewerID || m.WorldID != worldID {
		return generia.Errorf(generia.KindForbidden, "media %s is not an image you uploaded to this world", mediaID)
	}
	return nil
}

// UploadQuota is how much one account may upload in a period, in images
// and in bytes (as stored, after cleanImage).
type UploadQuota struct {
	Images int
	Bytes  int64
	Period time.Duration
}

// Upload stores an image the viewer uploads to a world they belong to,
// within the account's quota. The image is decoded whole and encoded
// again (see cleanImage): a file that is not a whole PNG, JPEG, WebP or
// GIF of 64 to 4096 pixels a side, or over the pixel, frame and scan
// budgets read from its headers, is refused with KindInvalid, and none of
// its metadata is kept. Over the quota gives KindLimit. The quota is
// reserved (the bytes sent) before decoding and corrected to the bytes
// stored, in the store, so that concurrent uploads, from any process,
// cannot pass it together; an upload that fails releases its reservation,
// and a refused one spends none. Decoding stops when ctx ends (the client
// went away). Uploads that no post or character uses are removed after a
// day (RemoveUnusedUploads).
func (s *Service) Upload(ctx context.Context, viewerID, ref string, r io.Reader) (generia.Media, error) {
	w, err := s.contributor(ctx, viewerID, ref)
	if err != nil {
		return generia.Media{}, err
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxUploadBytes+1))
	if err != nil {
		if tooLarge, ok := bodylimit.Is(err); ok {
			return generia.Media{}, tooLarge
		}
		return generia.Media{}, generia.WrapError(generia.KindInvalid, err, "the upload could not be read")
	}
	if len(data) > MaxUploadBytes {
		return generia.Media{}, generia.Errorf(generia.KindTooLarge, "the image is larger than %d MB", MaxUploadBytes>>20)
	}
	id := uuid.NewString()
	if err := s.reserveUpload(ctx, id, viewerID, int64(len(data))); err != nil {
		return generia.Media{}, err
	}
	m, err := s.storeUpload(ctx, w.ID, viewerID, id, data)
	if err != nil && s.UploadQuota != (UploadQuota{}) {
		// A fresh context: the request's may be what ended the upload.
		if rerr := s.Store.ReleaseUpload(context.WithoutCancel(ctx), id); rerr != nil {
			err = errors.Join(err, rerr)
		}
	}
	return m, err
}

// reserveUpload reserves size bytes of the viewer's quota under the
// upload's ID (again, to resize it); over the quota gives KindLimit.
func (s *Service) reserveUpload(ctx context.Context, id, viewerID string, size int64) error {
	quota := s.UploadQuota
	if quota == (UploadQuota{}) {
		return nil
	}
	used, reserved, err := s.Store.ReserveUpload(ctx, generia.UploadReservation{ID: id, OwnerID: viewerID, Size: size, CreatedAt: s.now()},
		generia.UploadLimit{Since: s.now().Add(-quota.Period), Images: quota.Images, Bytes: quota.Bytes})
	switch {
	case err != nil:
		return err
	case reserved:
		return nil
	case used.Images >= quota.Images:
		return generia.Errorf(generia.KindLimit, "you uploaded %d images in the last %s, the most an account may; try again later", used.Images, quota.Period)
	default:
		return generia.Errorf(generia.KindLimit, "you uploaded %d MB in the last %s; %d MB is the most an account may", used.Bytes>>20, quota.Period, quota.Bytes>>20)
	}
}

// storeUpload cleans an upload whose quota is reserved, and stores it: the
// file, then its record, which replaces the reservation.
func (s *Service) storeUpload(ctx context.Context, worldID, viewerID, id string, data []byte) (generia.Media, error) {
	// One decoding a core: each may hold a picture's pixels (up to
	// MaxJPEGDecodedBytes), so a crowd of uploads waits instead of
	// multiplying the memory.
	release, err := s.cleaning.take(ctx)
	if err != nil {
		return generia.Media{}, fmt.Errorf("waiting to read an upload: %w", err)
	}
	clean, ctype, width, height, err := cleanImage(ctx, data)
	release()
	if err != nil {
		return generia.Media{}, err
	}
	if len(clean) > len(data) {
		if err := s.reserveUpload(ctx, id, viewerID, int64(len(clean))); err != nil {
			return generia.Media{}, err
		}
	}
	key := fmt.Sprintf("worlds/%s/uploads/%s.%s", worldID, id, strings.TrimPrefix(ctype, "image/"))
	if err := s.Files.Put(ctx, key, ctype, clean); err != nil {
		return generia.Media{}, fmt.Errorf("storing an upload: %w", err)
	}
	m, _, err := s.Store.CreateMedia(ctx, generia.Media{
		ID: id, WorldID: worldID, OwnerID: viewerID, Kind: generia.MediaUpload, ContentType: ctype,
		Size: int64(len(clean)), Width: width, Height: height, ObjectKey: key, CreatedAt: s.now(),
	})
	if err != nil {
		// The file has no record: nothing will ever remove it otherwise.
		err = errors.Join(err, s.deleteMedia(context.WithoutCancel(ctx), key))
	}
	return m, err
}

// UnusedUploadAge is how long an upload that no post or character uses is
// kept.
const UnusedUploadAge = 24 * time.Hour

// RemoveUnusedUploads deletes the uploads that no post or character uses
// and that are older than UnusedUploadAge, their files with them, and
// returns how many it removed. Several processes may run it at once: an
// upload is removed once, and never while something uses it.
func (s *Service) RemoveUnusedUploads(ctx context.Context) (int, error) {
	removed := 0
	for {
		ms, err := s.Store.UnusedUploads(ctx, s.now().Add(-UnusedUploadAge), 100)
		if err != nil || len(ms) == 0 {
			return removed, err
		}
		for _, m := range ms {
			key, deleted, err := s.Store.DeleteUnusedUpload(ctx, m.ID)
			if err != nil {
				return removed, err
			}
			if !deleted {
				continue // used meanwhile, or removed by another process
			}
			if err := s.deleteMedia(ctx, key); err != nil {
				return removed, fmt.Errorf("deleting the file of unused upload %s: %w", m.ID, err)
			}
			removed++
		}
		if len(ms) < 100 {
			return removed, nil
		}
	}
}

// Media returns a media record the viewer may see, and whether its world is
// private (so that caches keep it private).
func (s *Service) Media(ctx context.Context, viewerID, id string) (generia.Media, bool, error) {
	m, err := s.Store.Media(ctx, id)
	if err != nil {
		return m, false, err
	}
	w, err := s.visible(ctx, viewerID, m.WorldID)
	if generia.IsKind(err, generia.KindNotFound) {
		err = generia.Errorf(generia.KindNotFound, "media %s not found", id)
	}
	return m, w.Visibility == generia.VisibilityPrivate, err
}

// slots is a semaphore of one slot a core, made on first use.
type slots struct {
	once sync.Once
	c    chan struct{}
}

// take waits for a slot until ctx ends, and returns its release.
func (s *slots) take(ctx context.Context) (func(), error) {
	s.once.Do(func() { s.c = make(chan struct{}, runtime.GOMAXPROCS(0)) })
	select {
	case s.c <- struct{}{}:
		return func() { <-s.c }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
