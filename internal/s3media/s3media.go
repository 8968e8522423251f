// Package s3media implements generia.MediaStore on an S3-compatible object
// store (AWS S3, MinIO, versitygw, …) with minio-go.
package s3media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"

	"github.com/generia/generia/internal/generia"
)

// Options configure a Store.
type Options struct {
	// Endpoint is the server: a URL such as http://127.0.0.1:7070 (its
	// scheme then decides TLS) or host:port (UseSSL decides).
	Endpoint string
	// Bucket holds the objects; each key is an object name in it.
	Bucket string
	// AccessKey and SecretKey are the credentials. Both empty means
	// anonymous requests. The secret never appears in errors or in the
	// formatted Options.
	AccessKey string
	SecretKey string
	// Region is the bucket's region; empty lets the client ask the server.
	Region string
	// UseSSL selects https for a host:port Endpoint.
	UseSSL bool
	// PathStyle addresses the bucket in the path (http://host/bucket/key),
	// as most self-hosted servers need, rather than in the host name.
	PathStyle bool
	// CreateBucket lets New create the bucket when it does not exist;
	// otherwise a missing bucket is an error.
	CreateBucket bool
}

// String formats the options with the secret key redacted, so that logging
// them is safe.
func (o Options) String() string {
	secret := ""
	if o.SecretKey != "" {
		secret = "REDACTED"
	}
	return fmt.Sprintf("{Endpoint:%s Bucket:%s AccessKey:%s SecretKey:%s Region:%s UseSSL:%t PathStyle:%t CreateBucket:%t}",
		o.Endpoint, o.Bucket, o.AccessKey, secret, o.Region, o.UseSSL, o.PathStyle, o.CreateBucket)
}

// GoString is String, for the %#v verb.
func (o Options) GoString() string { return "s3media.Options" + o.String() }

// Store is a generia.MediaStore that keeps each object in an S3 bucket under
// its key. It is safe for concurrent use.
type Store struct {
	client   *minio.Client
	bucket   string
	endpoint string // for messages: scheme://host, no credentials
}

var _ generia.MediaStore = (*Store)(nil)

// New connects to the server and checks that the bucket exists, creating it
// when opts.CreateBucket allows. The check makes a misconfiguration (wrong
// endpoint, credentials or bucket) fail at start-up, with an error naming the
// endpoint and the bucket, rather than at the first upload.
func New(ctx context.Context, opts Options) (*Store, error) {
	if opts.Bucket == "" {
		return nil, generia.Errorf(generia.KindInvalid, "the S3 bucket is not set")
	}
	if err := s3utils.CheckValidBucketNameStrict(opts.Bucket); err != nil {
		return nil, generia.WrapError(generia.KindInvalid, err, fmt.Sprintf("invalid S3 bucket name %q", opts.Bucket))
	}
	host, secure, err := parseEndpoint(opts.Endpoint, opts.UseSSL)
	if err != nil {
		return nil, err
	}
	scheme := "http"
	if secure {
		scheme = "https"
	}
	s := &Store{bucket: opts.Bucket, endpoint: scheme + "://" + host}
	lookup := minio.BucketLookupAuto
	if opts.PathStyle {
		lookup = minio.BucketLookupPath
	}
	s.client, err = minio.New(host, &minio.Options{
		Creds:        credentials.NewStaticV4(opts.AccessKey, opts.SecretKey, ""),
		Secure:       secure,
		Region:       opts.Region,
		BucketLookup: lookup,
	})
	if err != nil {
		return nil, generia.WrapError(generia.KindInvalid, err,
			fmt.Sprintf("configuring the S3 client for %s", s.endpoint))
	}
	if err := s.ensureBucket(ctx, opts); err != nil {
		return nil, err
	}
	return s, nil
}

// parseEndpoint returns the host:port of an endpoint and whether to use TLS.
func parseEndpoint(endpoint string, useSSL bool) (string, bool, error) {
	invalid := func(why string) error {
		return generia.Errorf(generia.KindInvalid, "invalid S3 endpoint %q: %s", endpoint, why)
	}
	if endpoint == "" {
		return "", false, generia.Errorf(generia.KindInvalid, "the S3 endpoint is not set")
	}
	if !strings.Contains(endpoint, "://") {
		if strings.ContainsAny(endpoint, "/?#@") {
			return "", false, invalid("want a URL or host:port")
		}
		return endpoint, useSSL, nil
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", false, invalid(err.Error())
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", false, invalid("the scheme is neither http nor https")
	case u.Host == "":
		return "", false, invalid("no host")
	case u.User != nil:
		return "", false, invalid("credentials belong in the access and secret keys")
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "":
		return "", false, invalid("a path, query or fragment is not supported")
	case u.Scheme == "http" && useSSL:
		return "", false, invalid("an http URL with UseSSL set")
	}
	return u.Host, u.Scheme == "https", nil
}

// ensureBucket checks that the bucket exists and creates it if allowed.
func (s *Store) ensureBucket(ctx context.Context, opts Options) error {
	exists, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return s.bucketError(err, "checking")
	}
	if exists {
		return nil
	}
	if !opts.CreateBucket {
		return generia.Errorf(generia.KindNotFound,
			"S3 bucket %q does not exist at %s (create it, or set CreateBucket)", s.bucket, s.endpoint)
	}
	err = s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: opts.Region})
	if code := s3Code(err); code == "BucketAlreadyOwnedByYou" {
		return nil // created meanwhile by another process of ours
	}
	if err != nil {
		return s.bucketError(err, "creating")
	}
	return nil
}

// bucketError describes a failed check or creation of the bucket.
func (s *Store) bucketError(err error, doing string) error {
	kind := generia.KindUnavailable
	switch s3Code(err) {
	case "":
		// Not an answer of the server: unreachable, TLS, or a bad name
		// rejected by the client.
		var ue *url.Error
		if !errors.As(err, &ue) {
			kind = generia.KindInvalid
		}
	case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch":
		kind = generia.KindForbidden
	case "InvalidBucketName":
		kind = generia.KindInvalid
	case "BucketAlreadyExists":
		kind = generia.KindConflict
	}
	return generia.WrapError(kind, err, fmt.Sprintf("%s S3 bucket %q at %s", doing, s.bucket, s.endpoint))
}

// s3Code returns the S3 error code of err, or "" when err is no answer of the
// server.
func s3Code(err error) string {
	var er minio.ErrorResponse
	if errors.As(err, &er) {
		return er.Code
	}
	return ""
}

// checkKey validates a key (generia.CheckMediaKey), so that media move
// between this store and fsmedia unchanged.
func checkKey(key string) error { return generia.CheckMediaKey(key) }

// Put stores data under key with its content type, replacing any previous
// object. S3 makes the new object visible whole or not at all.
func (s *Store) Put(ctx context.Context, key, contentType string, data []byte) error {
	if err := checkKey(key); err != nil {
		return err
	}
	_, err := s.client.PutObject(ctx, s.bucket, key, bytes.NewReader(data), int64(len(data)),
		minio.PutObjectOptions{ContentType: contentType})
	if err != nil {
		return s.objectError(err, "storing", key)
	}
	return nil
}

// Open returns the object's bytes. A missing key gives KindNotFound. The GET
// is sent before Open returns (minio-go would otherwise wait for the first
// read), so that a missing key fails here.
func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err == nil {
		_, err = obj.Stat()
		if err != nil {
			obj.Close()
		}
	}
	if isMissing(err) {
		return nil, generia.Errorf(generia.KindNotFound, "media %s not found", key)
	}
	if err != nil {
		return nil, s.objectError(err, "opening", key)
	}
	return obj, nil
}

// Delete removes an object; a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{})
	if err != nil && !isMissing(err) {
		return s.objectError(err, "deleting", key)
	}
	return nil
}

// PresignedURL returns a URL that downloads the object with a plain GET,
// without credentials, until expiry has passed (1 second to 7 days), so that
// a handler can redirect a browser to the store. It does not check that the
// object exists.
func (s *Store) PresignedURL(ctx context.Context, key string, expiry time.Duration) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	if expiry < time.Second || expiry > 7*24*time.Hour {
		return "", generia.Errorf(generia.KindInvalid, "presigned URL expiry %s is outside 1s to 7 days", expiry)
	}
	u, err := s.client.PresignedGetObject(ctx, s.bucket, key, expiry, nil)
	if err != nil {
		return "", s.objectError(err, "presigning a URL of", key)
	}
	return u.String(), nil
}

// isMissing reports whether err says the object does not exist.
func isMissing(err error) bool {
	var er minio.ErrorResponse
	if !errors.As(err, &er) {
		return false
	}
	return er.Code == minio.NoSuchKey ||
		er.StatusCode == http.StatusNotFound && er.Code != minio.NoSuchBucket
}

// objectError wraps a failed operation on an object with its context.
// Unreachable servers and server errors are KindUnavailable, so that callers
// may retry them.
func (s *Store) objectError(err error, doing, key string) error {
	msg := fmt.Sprintf("%s media %s in S3 bucket %q at %s", doing, key, s.bucket, s.endpoint)
	var er minio.ErrorResponse
	var ue *url.Error
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s: %w", msg, err)
	case errors.As(err, &er) && er.StatusCode >= 500, errors.As(err, &ue):
		return generia.WrapError(generia.KindUnavailable, err, msg)
	}
	return fmt.Errorf("%s: %w", msg, err)
}
