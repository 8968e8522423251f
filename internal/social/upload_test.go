package social

import (
	"bytes"
	"context"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/localtest"
)

func picture(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 90, 255})
		}
	}
	return img
}

func encoded(t testing.TB, format string) []byte {
	t.Helper()
	var b bytes.Buffer
	img := picture(80, 70)
	var err error
	switch format {
	case "png":
		err = png.Encode(&b, img)
	case "jpeg":
		err = jpeg.Encode(&b, img, nil)
	case "gif":
		pal := image.NewPaletted(img.Bounds(), []color.Color{color.Black, color.White})
		err = gif.EncodeAll(&b, &gif.GIF{Image: []*image.Paletted{pal, pal}, Delay: []int{10, 10}})
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withJPEGMetadata puts an EXIF segment (as cameras write GPS positions)
// right after a JPEG's start.
func withJPEGMetadata(j []byte, secret string) []byte {
	exif := append([]byte("Exif\x00\x00"), []byte(secret)...)
	seg := []byte{0xFF, 0xE1, byte((len(exif) + 2) >> 8), byte(len(exif) + 2)}
	return append(append(append([]byte{}, j[:2]...), append(seg, exif...)...), j[2:]...)
}

// withPNGText adds a tEXt chunk (which the decoder skips) after the header.
func withPNGText(p []byte, secret string) []byte {
	chunk := []byte("tEXt" + "Comment\x00" + secret)
	length := len(chunk) - 4
	out := append([]byte{}, p[:33]...) // signature and IHDR
	out = append(out, byte(length>>24), byte(length>>16), byte(length>>8), byte(length))
	out = append(out, chunk...)
	sum := crc32.ChecksumIEEE(chunk)
	out = append(out, byte(sum>>24), byte(sum>>16), byte(sum>>8), byte(sum))
	return append(out, p[33:]...)
}

func TestCleanImage(t *testing.T) {
	p, j, g := encoded(t, "png"), encoded(t, "jpeg"), encoded(t, "gif")
	for name, tc := range map[string]struct {
		in    []byte
		ctype string
	}{
		"png":                  {p, "image/png"},
		"jpeg":                 {j, "image/jpeg"},
		"gif":                  {g, "image/gif"},
		"jpeg with EXIF":       {withJPEGMetadata(j, "GPS 52.5200N 13.4050E"), "image/jpeg"},
		"png with a text":      {withPNGText(p, "GPS 52.5200N 13.4050E"), "image/png"},
		"png with bytes after": {append(append([]byte{}, p...), []byte("GPS 52.5200N 13.4050E")...), "image/png"},
	} {
		t.Run(name, func(t *testing.T) {
			out, ctype, w, h, err := cleanImage(t.Context(), tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if ctype != tc.ctype || w != 80 || h != 70 {
				t.Errorf("%s %d×%d, want %s 80×70", ctype, w, h, tc.ctype)
			}
			if bytes.Contains(out, []byte("GPS")) {
				t.Error("the metadata was kept")
			}
			if _, format, err := image.Decode(bytes.NewReader(out)); err != nil || "image/"+format != ctype {
				t.Errorf("the result does not decode as %s: %v", ctype, err)
			}
		})
	}
	if out, _, _, _, err := cleanImage(t.Context(), g); err == nil {
		if anim, err := gif.DecodeAll(bytes.NewReader(out)); err != nil || len(anim.Image) != 2 {
			t.Errorf("an animated GIF lost its frames: %v", err)
		}
	}
	// A header over random bytes, a cut image, a tiny or huge one, not an
	// image at all.
	random := append(append([]byte{}, p[:33]...), bytes.Repeat([]byte{0xA7, 0x13, 0x5C}, 4000)...)
	huge := withPNGSize(p, 5000, 5000)
	// A GIF's header may claim a screen larger than its frames cover; what
	// is kept is the frames, here 10×10.
	var tiny bytes.Buffer
	frame := image.NewPaletted(image.Rect(0, 0, 10, 10), []color.Color{color.Black, color.White})
	if err := gif.EncodeAll(&tiny, &gif.GIF{Image: []*image.Paletted{frame}, Delay: []int{0},
		Config: image.Config{ColorModel: frame.Palette, Width: 400, Height: 400}}); err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][]byte{
		"png header over random bytes":          random,
		"cut in half":                           p[:len(p)/2],
		"cut jpeg":                              j[:len(j)*2/3],
		"too small":                             encodedSize(t, 10, 10),
		"too large a header":                    huge,
		"gif of a tiny frame on a large screen": tiny.Bytes(),
		"text":                                  []byte("just some words, not a picture"),
	} {
		if _, _, _, _, err := cleanImage(t.Context(), bad); !generia.IsKind(err, generia.KindInvalid) {
			t.Errorf("%s: %v, want KindInvalid", name, err)
		}
	}
}

func encodedSize(t *testing.T, w, h int) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, picture(w, h)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withPNGSize rewrites a PNG's header to claim a size (a decompression
// bomb's trick): refused before the pixels are read.
func withPNGSize(p []byte, w, h int) []byte {
	out := append([]byte{}, p...)
	put := func(at, v int) {
		out[at], out[at+1], out[at+2], out[at+3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	}
	put(16, w)
	put(20, h)
	return out
}

// fixture is a service over an in-memory SQLite store and media on disk,
// with a world that ada belongs to.
func fixture(t testing.TB) (*Service, *time.Time) {
	t.Helper()
	ctx := context.Background()
	db := localtest.Store(t, ":memory:")
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	if _, err := db.CreateUser(ctx, generia.User{ID: "ada", Username: "ada", Email: "ada@example.com", CreatedAt: now}, "hash"); err != nil {
		t.Fatal(err)
	}
	w := generia.World{ID: "w1", OwnerID: "ada", Prompt: "A harbour", CharactersCount: 1, PostsCount: 1, Visibility: generia.VisibilityPublic, CreatedAt: now, UpdatedAt: now}
	if err := db.CreateWorld(ctx, w, generia.NewGenerationStatus(w, generia.NewPlan(1, 1))); err != nil {
		t.Fatal(err)
	}
	s := &Service{Store: db, Files: localtest.Media(t, t.TempDir()), Now: func() time.Time { return now }}
	return s, &now
}

// An account's uploads are held to its quota of images and bytes an hour.
func TestUploadQuota(t *testing.T) {
	s, now := fixture(t)
	s.UploadQuota = UploadQuota{Images: 3, Bytes: 1 << 20, Period: time.Hour}
	ctx := context.Background()
	img := encoded(t, "png")
	for i := range 3 {
		if _, err := s.Upload(ctx, "ada", "w1", bytes.NewReader(img)); err != nil {
			t.Fatalf("upload %d: %v", i+1, err)
		}
	}
	if _, err := s.Upload(ctx, "ada", "w1", bytes.NewReader(img)); !generia.IsKind(err, generia.KindLimit) {
		t.Errorf("a 4th upload in an hour: %v, want KindLimit", err)
	}
	*now = now.Add(61 * time.Minute)
	if _, err := s.Upload(ctx, "ada", "w1", bytes.NewReader(img)); err != nil {
		t.Errorf("an upload an hour later: %v", err)
	}
	s.UploadQuota = UploadQuota{Images: 100, Bytes: int64(len(img)) * 3 / 2, Period: time.Hour}
	if _, err := s.Upload(ctx, "ada", "w1", bytes.NewReader(img)); !generia.IsKind(err, generia.KindLimit) {
		t.Errorf("an upload past the bytes of the quota: %v, want KindLimit", err)
	}
}

// Concurrent uploads cannot pass the quota together (45 of 45 were
// accepted under a quota of 30): it is reserved before decoding.
func TestUploadQuotaHoldsConcurrentUploads(t *testing.T) {
	s, _ := fixture(t)
	const quota, uploads = 30, 40
	s.UploadQuota = UploadQuota{Images: quota, Bytes: 1 << 30, Period: time.Hour}
	img := encoded(t, "png")
	errs := make([]error, uploads)
	var wg sync.WaitGroup
	for i := range uploads {
		wg.Go(func() { _, errs[i] = s.Upload(t.Context(), "ada", "w1", bytes.NewReader(img)) })
	}
	wg.Wait()
	stored, limited := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			stored++
		case generia.IsKind(err, generia.KindLimit):
			limited++
		default:
			t.Errorf("upload: %v", err)
		}
	}
	if stored != quota || limited != uploads-quota {
		t.Errorf("%d concurrent uploads under a quota of %d: %d stored, %d refused; want %d and %d", uploads, quota, stored, limited, quota, uploads-quota)
	}
	if n, _, _ := s.Store.UploadUsage(t.Context(), "ada", time.Time{}); n != quota {
		t.Errorf("%d uploads recorded, want %d", n, quota)
	}
}

// An upload refused as invalid, or abandoned by its client, spends none of
// the quota and leaves no file.
func TestUploadRefusedSpendsNoQuota(t *testing.T) {
	s, _ := fixture(t)
	dir := t.TempDir()
	s.Files = localtest.Media(t, dir)
	s.UploadQuota = UploadQuota{Images: 1, Bytes: 1 << 20, Period: time.Hour}
	for _, bad := range [][]byte{[]byte("not a picture"), gifBomb(t, 30), encodedSize(t, 10, 10)} {
		if _, err := s.Upload(t.Context(), "ada", "w1", bytes.NewReader(bad)); !generia.IsKind(err, generia.KindInvalid) {
			t.Errorf("an invalid upload: %v, want KindInvalid", err)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	s.Store = cancelAfterReserve{s.Store, cancel}
	if _, err := s.Upload(ctx, "ada", "w1", bytes.NewReader(encodedSize(t, 1024, 1024))); !errors.Is(err, context.Canceled) {
		t.Errorf("an upload whose client left while it was decoded: %v, want it stopped", err)
	}
	s.Store = s.Store.(cancelAfterReserve).Store
	if _, err := s.Upload(t.Context(), "ada", "w1", bytes.NewReader(encoded(t, "png"))); err != nil {
		t.Errorf("the one upload of the quota, after refused and abandoned ones: %v", err)
	}
	if files := filesIn(t, dir); files != 1 {
		t.Errorf("%d files stored, want the one upload's", files)
	}
}

// cancelAfterReserve is a store that ends the request's context once the
// upload's quota is reserved: its client went away during the decoding.
type cancelAfterReserve struct {
	generia.Store
	cancel context.CancelFunc
}

func (s cancelAfterReserve) ReserveUpload(ctx context.Context, r generia.UploadReservation, l generia.UploadLimit) (generia.UploadUsage, bool, error) {
	defer s.cancel()
	return s.Store.ReserveUpload(ctx, r, l)
}

// filesIn counts the files in a directory and under it.
func filesIn(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Uploads nothing uses are removed after a day, files and all; used ones
// and young ones stay.
func TestUnusedUploadsAreRemoved(t *testing.T) {
	s, now := fixture(t)
	ctx := context.Background()
	img := encoded(t, "png")
	old, err := s.Upload(ctx, "ada", "w1", bytes.NewReader(img))
	if err != nil {
		t.Fatal(err)
	}
	used, err := s.Upload(ctx, "ada", "w1", bytes.NewReader(img))
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.CreateCharacter(ctx, "ada", "w1", NewCharacter{DisplayName: "Ada", Username: "ada_w1", AvatarMediaID: used.ID})
	if err != nil {
		t.Fatal(err)
	}
	*now = now.Add(25 * time.Hour)
	young, err := s.Upload(ctx, "ada", "w1", bytes.NewReader(img))
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.RemoveUnusedUploads(ctx)
	if err != nil || n != 1 {
		t.Fatalf("RemoveUnusedUploads = %d, %v; want the one old unused upload", n, err)
	}
	if _, err := s.Store.Media(ctx, old.ID); !generia.IsKind(err, generia.KindNotFound) {
		t.Errorf("the old unused upload is still recorded: %v", err)
	}
	if _, err := s.Files.Open(ctx, old.ObjectKey); !generia.IsKind(err, generia.KindNotFound) {
		t.Errorf("the old unused upload's file is still there: %v", err)
	}
	for _, m := range []generia.Media{used, young} {
		f, err := s.Files.Open(ctx, m.ObjectKey)
		if err != nil {
			t.Errorf("upload %s (avatar of %s, or young) was removed: %v", m.ID, c.ID, err)
			continue
		}
		_, _ = io.Copy(io.Discard, f)
		f.Close()
	}
}

// Whatever bytes come as an upload, cleanImage does not panic, and what it
// accepts is an image of the type it says.
func FuzzCleanImage(f *testing.F) {
	for _, format := range []string{"png", "jpeg", "gif"} {
		f.Add(encoded(f, format))
	}
	f.Add(withJPEGMetadata(encoded(f, "jpeg"), "GPS"))
	f.Add([]byte("GIF89a"))
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "))
	// The bombs (see bomb_test.go), and files within the budgets that the
	// header walks read.
	f.Add(gifBomb(f, 30))
	f.Add(jpegBomb(4096, 200))
	f.Add(pngBomb(f, 16))
	f.Add(jpegBomb(512, 10))
	f.Add(webpWithExif(f, 80, 70, "GPS"))
	f.Add(webpBomb(f, 4096))
	f.Fuzz(func(t *testing.T, data []byte) {
		// An input the budgets let through may still be a large picture:
		// a shorter deadline than an upload's keeps the fuzzer going
		// (refused as taking too long, which is KindInvalid too).
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		out, ctype, w, h, err := cleanImage(ctx, data)
		if err != nil {
			if !generia.IsKind(err, generia.KindInvalid) {
				t.Fatalf("error of kind %s: %v", generia.ErrorKind(err), err)
			}
			return
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(out))
		if err != nil || "image/"+format != ctype || cfg.Width != w || cfg.Height != h {
			t.Fatalf("accepted an image that is not what it says: %s %d×%d, %v", ctype, w, h, err)
		}
	})
}

// An uploaded WebP is stored as a WebP and served, whole and as the
// smaller copies pages show.
func TestUploadedWebPIsServed(t *testing.T) {
	s, _ := fixture(t)
	m, err := s.Upload(t.Context(), "ada", "w1", bytes.NewReader(webpWithExif(t, 640, 480, "GPS 52.5200N 13.4050E")))
	if err != nil {
		t.Fatal(err)
	}
	if m.ContentType != "image/webp" || m.Width != 640 || m.Height != 480 {
		t.Errorf("stored as %s %d×%d, want image/webp 640×480", m.ContentType, m.Width, m.Height)
	}
	_, data, _, err := s.MediaVariant(t.Context(), "", m.ID, generia.VariantWidths[0])
	if err != nil {
		t.Fatal(err)
	}
	if cfg, format, err := image.DecodeConfig(bytes.NewReader(data)); err != nil || format != "webp" || cfg.Width != generia.VariantWidths[0] {
		t.Errorf("the variant is %s %d wide (%v), want a WebP %d wide", format, cfg.Width, err, generia.VariantWidths[0])
	}
}
