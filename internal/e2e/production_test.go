package e2e

import (
	"bytes"
	"context"
	"image"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/generia/generia/internal/apiclient"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/servicetest"
)

// The production profile on one machine: PostgreSQL for the data, a real
// S3-compatible server for the media (served by presigned redirect), the
// embedded Temporal. It runs when GENERIA_TEST_DATABASE_URL and S3_ENDPOINT
// are set, as .ci/run sets them.
func TestProductionProfile(t *testing.T) {
	s3 := servicetest.Env(t, "S3_ENDPOINT", "the production profile test")
	db := ownSchema(t, "the production profile test")
	ctx := context.Background()

	s := start(t, settings{dataDir: t.TempDir(), env: map[string]string{
		"DATABASE_URL": db.url, "S3_ENDPOINT": s3, "S3_BUCKET": strings.ReplaceAll(db.schema, "_", "-"),
		"S3_ACCESS_KEY": os.Getenv("S3_ACCESS_KEY"), "S3_SECRET_KEY": os.Getenv("S3_SECRET_KEY"),
		"S3_REGION": os.Getenv("S3_REGION"), "S3_USE_PATH_STYLE": "true", "GENERIA_MEDIA_REDIRECT": "true",
	}})
	defer s.app.Close()

	w := createWorld(t, s.client, apiclient.NewWorld{Prompt: "Glaciologists who keep a museum of snow", CharactersCount: 3, PostsCount: 10})
	waitCompleted(t, s.client, w.ID, 2*time.Minute)
	chars, posts := contents(t, s.client, w.ID)
	if len(chars) != 3 || len(posts) != 10 {
		t.Fatalf("%d characters, %d posts; want 3 and 10", len(chars), len(posts))
	}
	// The image is served by a redirect to a presigned URL of the S3 server.
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(s.app.URL + "/api/v1/media/" + posts[0].MediaID)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || loc == "" {
		t.Fatalf("media answered %d, Location %q; want a redirect to S3", resp.StatusCode, loc)
	}
	img, err := http.Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Body.Close()
	data, _ := io.ReadAll(img.Body)
	if _, _, err := image.Decode(bytes.NewReader(data)); img.StatusCode != 200 || err != nil {
		t.Errorf("the presigned URL gave %d and bytes that do not decode (%v)", img.StatusCode, err)
	}
	// A variant is made from the S3 object, stored in the bucket and served
	// by the API itself.
	resp, small := fetch(t, s, "", "/api/v1/media/"+posts[0].MediaID+"?w=96")
	if cfg, format, err := image.DecodeConfig(bytes.NewReader(small)); resp.StatusCode != 200 || err != nil || format != "webp" || cfg.Width != 96 {
		t.Errorf("?w=96 through S3: %d, %s %d wide (%v); want a 96-pixel WebP", resp.StatusCode, format, cfg.Width, err)
	}
	// The first view is warmed in the bucket too: the post's picture at its
	// own size is there before anyone asked for it.
	_ = s.app.Temporal.GetWorkflow(ctx, generia.WorldWorkflowID(w.ID), "").Get(ctx, nil)
	if err := s.app.Temporal.GetWorkflow(ctx, generia.FirstViewWorkflowID(w.ID), "").Get(ctx, nil); err != nil {
		t.Errorf("warming the first view: %v", err)
	}
	if m, err := s.app.Store.Media(ctx, posts[0].MediaID); err != nil {
		t.Error(err)
	} else if body, err := s.app.Media.Open(ctx, generia.VariantKey(m.ObjectKey, 0)); err != nil {
		t.Errorf("the post picture's own-size variant is not in the bucket after the warm-up: %v", err)
	} else {
		body.Close()
	}
	var ready struct {
		Ready  bool              `json:"ready"`
		Checks map[string]string `json:"checks"`
	}
	if err := s.client.Do(ctx, "GET", "/readyz", nil, &ready); err != nil || !ready.Ready {
		t.Errorf("readyz: %+v, %v", ready, err)
	}
}
