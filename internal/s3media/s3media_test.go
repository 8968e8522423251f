package s3media

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/mediatest"
	"github.com/generia/generia/internal/servicetest"
)

// The tests that need a server read it from the environment that
// .ci/s3-server.sh prints; without S3_ENDPOINT they skip (see servicetest).

// envOptions returns the server's options from the environment, or skips the
// test when S3_ENDPOINT is not set. Bucket is the base name of test buckets.
func envOptions(t *testing.T) Options {
	t.Helper()
	endpoint := servicetest.Env(t, "S3_ENDPOINT", "the S3 media suite")
	bucket := os.Getenv("S3_BUCKET")
	if bucket == "" {
		bucket = "generia-test"
	}
	return Options{
		Endpoint:  endpoint,
		Bucket:    bucket,
		AccessKey: os.Getenv("S3_ACCESS_KEY"),
		SecretKey: os.Getenv("S3_SECRET_KEY"),
		Region:    os.Getenv("S3_REGION"),
		UseSSL:    os.Getenv("S3_USE_SSL") == "true",
		PathStyle: os.Getenv("S3_USE_PATH_STYLE") == "true",
	}
}

// uniqueBucket returns a bucket name that no other test uses: the base name
// and a random suffix, within S3's 63 characters.
func uniqueBucket(t *testing.T, base string) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	suffix := "-" + hex.EncodeToString(b)
	if len(base)+len(suffix) > 63 {
		base = base[:63-len(suffix)]
	}
	return base + suffix
}

// newStore returns a store on a new bucket of its own, which is emptied and
// removed when the test ends.
func newStore(t *testing.T) *Store {
	t.Helper()
	opts := envOptions(t)
	opts.Bucket = uniqueBucket(t, opts.Bucket)
	opts.CreateBucket = true
	s, err := New(t.Context(), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { removeBucket(t, s) })
	return s
}

// removeBucket deletes every object of the store's bucket and the bucket.
func removeBucket(t *testing.T, s *Store) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Recursive: true}) {
		if obj.Err != nil {
			t.Errorf("listing bucket %s to remove it: %v", s.bucket, obj.Err)
			return
		}
		if err := s.client.RemoveObject(ctx, s.bucket, obj.Key, minio.RemoveObjectOptions{}); err != nil {
			t.Errorf("removing %s from bucket %s: %v", obj.Key, s.bucket, err)
		}
	}
	if err := s.client.RemoveBucket(ctx, s.bucket); err != nil {
		t.Errorf("removing bucket %s: %v", s.bucket, err)
	}
}

func TestConformance(t *testing.T) {
	envOptions(t)
	mediatest.Run(t, func(t *testing.T) generia.MediaStore { return newStore(t) })
}

func TestNewReusesAnExistingBucket(t *testing.T) {
	s := newStore(t)
	opts := envOptions(t)
	opts.Bucket = s.bucket // exists now; creation not allowed
	again, err := New(t.Context(), opts)
	if err != nil {
		t.Fatalf("New on an existing bucket: %v", err)
	}
	if err := again.Put(t.Context(), "a.png", "image/png", []byte("x")); err != nil {
		t.Fatal(err)
	}
	opts.CreateBucket = true
	if _, err := New(t.Context(), opts); err != nil {
		t.Errorf("New with CreateBucket on an existing bucket: %v", err)
	}
}

func TestNewMissingBucket(t *testing.T) {
	opts := envOptions(t)
	opts.Bucket = uniqueBucket(t, opts.Bucket+"-missing")
	_, err := New(t.Context(), opts)
	if !generia.IsKind(err, generia.KindNotFound) {
		t.Fatalf("New on a missing bucket = %v, want a KindNotFound error", err)
	}
	t.Log(err)
	for _, want := range []string{opts.Bucket, hostOf(opts.Endpoint), "does not exist"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	// It was not created as a side effect.
	s := newStore(t)
	if ok, err := s.client.BucketExists(t.Context(), opts.Bucket); err != nil || ok {
		t.Errorf("BucketExists(%s) = %t, %v after a failed New; want false", opts.Bucket, ok, err)
	}
}

// hostOf returns the host:port of an endpoint URL or host:port.
func hostOf(endpoint string) string {
	_, rest, found := strings.Cut(endpoint, "://")
	if !found {
		return endpoint
	}
	return strings.TrimSuffix(rest, "/")
}

func TestNewBadCredentials(t *testing.T) {
	opts := envOptions(t)
	if opts.AccessKey == "" {
		t.Skip("the server is anonymous")
	}
	const wrong = "not-the-secret-of-this-server"
	opts.SecretKey = wrong
	_, err := New(t.Context(), opts)
	if !generia.IsKind(err, generia.KindForbidden) {
		t.Fatalf("New with a wrong secret = %v, want a KindForbidden error", err)
	}
	t.Log(err)
	msg := err.Error()
	if !strings.Contains(msg, opts.Bucket) || !strings.Contains(msg, hostOf(opts.Endpoint)) {
		t.Errorf("error %q names neither the bucket %s nor the endpoint %s", msg, opts.Bucket, opts.Endpoint)
	}
	if strings.Contains(msg, wrong) {
		t.Errorf("error %q shows the secret key", msg)
	}
}

func TestNewUnreachable(t *testing.T) {
	// A port that nothing listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	start := time.Now()
	_, err = New(ctx, Options{Endpoint: "http://" + addr, Bucket: "media", AccessKey: "a", SecretKey: "s3cr3t-value", PathStyle: true})
	if err == nil {
		t.Fatal("New on a closed port succeeded")
	}
	t.Logf("failed after %s: %v", time.Since(start).Round(time.Millisecond), err)
	msg := err.Error()
	if !strings.Contains(msg, addr) || !strings.Contains(msg, `"media"`) {
		t.Errorf("error %q names neither the endpoint %s nor the bucket", msg, addr)
	}
	if strings.Contains(msg, "s3cr3t-value") {
		t.Errorf("error %q shows the secret key", msg)
	}
	if !generia.IsKind(err, generia.KindUnavailable) {
		t.Errorf("kind %s, want %s", generia.ErrorKind(err), generia.KindUnavailable)
	}
}

func TestNewInvalidOptions(t *testing.T) {
	for _, opts := range []Options{
		{Bucket: "media"},
		{Endpoint: "127.0.0.1:7070"},
		{Endpoint: "ftp://127.0.0.1:7070", Bucket: "media"},
		{Endpoint: "http://", Bucket: "media"},
		{Endpoint: "http://127.0.0.1:7070/path", Bucket: "media"},
		{Endpoint: "http://user:pw@127.0.0.1:7070", Bucket: "media"},
		{Endpoint: "http://127.0.0.1:7070", Bucket: "media", UseSSL: true},
		{Endpoint: "127.0.0.1:7070/path", Bucket: "media"},
		{Endpoint: "127.0.0.1:7070", Bucket: "Not_A_Bucket"},
	} {
		_, err := New(t.Context(), opts)
		if !generia.IsKind(err, generia.KindInvalid) {
			t.Errorf("New(%v) = %v, want a KindInvalid error", opts, err)
		}
	}
}

func TestParseEndpoint(t *testing.T) {
	for _, tc := range []struct {
		endpoint string
		useSSL   bool
		host     string
		secure   bool
	}{
		{"http://127.0.0.1:7070", false, "127.0.0.1:7070", false},
		{"http://127.0.0.1:7070/", false, "127.0.0.1:7070", false},
		{"https://s3.example.com", false, "s3.example.com", true},
		{"https://s3.example.com", true, "s3.example.com", true},
		{"127.0.0.1:7070", false, "127.0.0.1:7070", false},
		{"s3.example.com", true, "s3.example.com", true},
	} {
		host, secure, err := parseEndpoint(tc.endpoint, tc.useSSL)
		if err != nil || host != tc.host || secure != tc.secure {
			t.Errorf("parseEndpoint(%q, %t) = %q, %t, %v; want %q, %t", tc.endpoint, tc.useSSL, host, secure, err, tc.host, tc.secure)
		}
	}
}

func TestOptionsHideTheSecret(t *testing.T) {
	opts := Options{Endpoint: "http://127.0.0.1:7070", Bucket: "media", AccessKey: "AKID", SecretKey: "very-secret"}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(verb, opts); strings.Contains(s, "very-secret") || !strings.Contains(s, "AKID") {
			t.Errorf("Sprintf(%s) = %s: shows the secret or hides the access key", verb, s)
		}
	}
}

func TestPresignedURLDownloads(t *testing.T) {
	s := newStore(t)
	const key = "worlds/w1/posts/ünïcode name.webp"
	data := bytes.Repeat([]byte("generia "), 10000)
	if err := s.Put(t.Context(), key, "image/webp", data); err != nil {
		t.Fatal(err)
	}
	u, err := s.PresignedURL(t.Context(), key, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(u, envOptions(t).SecretKey) {
		t.Fatalf("the URL %s shows the secret key", u)
	}
	status, body, header := httpGet(t, u)
	if status != http.StatusOK {
		t.Fatalf("GET presigned URL: status %d: %s", status, body)
	}
	if !bytes.Equal(body, data) {
		t.Errorf("GET presigned URL: %d bytes that differ from the %d stored", len(body), len(data))
	}
	if ct := header.Get("Content-Type"); ct != "image/webp" {
		t.Errorf("Content-Type %q, want the image/webp of Put", ct)
	}

	// Without its signature the same URL is refused: the bucket is private.
	plain, _, _ := strings.Cut(u, "?")
	if status, _, _ := httpGet(t, plain); status != http.StatusForbidden {
		t.Errorf("GET without signature: status %d, want 403", status)
	}
	// A URL of a missing key is signed all the same and gives 404.
	u, err = s.PresignedURL(t.Context(), "worlds/w1/missing.png", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if status, _, _ := httpGet(t, u); status != http.StatusNotFound {
		t.Errorf("GET presigned URL of a missing key: status %d, want 404", status)
	}
}

func TestPresignedURLChecksItsArguments(t *testing.T) {
	s := newStore(t)
	for _, expiry := range []time.Duration{0, -time.Minute, time.Millisecond, 8 * 24 * time.Hour} {
		if _, err := s.PresignedURL(t.Context(), "a.png", expiry); !generia.IsKind(err, generia.KindInvalid) {
			t.Errorf("PresignedURL with expiry %s = %v, want a KindInvalid error", expiry, err)
		}
	}
	if _, err := s.PresignedURL(t.Context(), "../a.png", time.Minute); !generia.IsKind(err, generia.KindInvalid) {
		t.Errorf("PresignedURL of ../a.png = %v, want a KindInvalid error", err)
	}
}

// httpGet fetches a URL and returns its status, body and header.
func httpGet(t *testing.T, u string) (int, []byte, http.Header) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading the body: %v", u, err)
	}
	return resp.StatusCode, body, resp.Header
}

func TestPutKeepsTheContentType(t *testing.T) {
	s := newStore(t)
	if err := s.Put(t.Context(), "w/a.png", "image/png", []byte("\x89PNG")); err != nil {
		t.Fatal(err)
	}
	info, err := s.client.StatObject(t.Context(), s.bucket, "w/a.png", minio.StatObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if info.ContentType != "image/png" {
		t.Errorf("ContentType %q, want image/png", info.ContentType)
	}
}

// A prefix of other keys is no object, as in fsmedia.
func TestPrefixIsNotAnObject(t *testing.T) {
	s := newStore(t)
	if err := s.Put(t.Context(), "worlds/w1/a.png", "image/png", []byte("x")); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"worlds", "worlds/w1"} {
		r, err := s.Open(t.Context(), key)
		if err == nil {
			b, _ := io.ReadAll(r)
			r.Close()
			t.Errorf("Open(%q) gave %d bytes, want a KindNotFound error", key, len(b))
			continue
		}
		if !generia.IsKind(err, generia.KindNotFound) {
			t.Errorf("Open(%q) = %v, want a KindNotFound error", key, err)
		}
		if err := s.Delete(t.Context(), key); err != nil {
			t.Errorf("Delete(%q) = %v, want nil", key, err)
		}
	}
	r, err := s.Open(t.Context(), "worlds/w1/a.png")
	if err != nil {
		t.Fatalf("the object under the prefix: %v", err)
	}
	r.Close()
}

func TestOpenHonoursTheContext(t *testing.T) {
	s := newStore(t)
	if err := s.Put(t.Context(), "a.png", "image/png", []byte("x")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.Open(ctx, "a.png"); err == nil {
		t.Error("Open with a cancelled context succeeded")
	}
	if err := s.Put(ctx, "b.png", "image/png", []byte("x")); err == nil {
		t.Error("Put with a cancelled context succeeded")
	}
}
