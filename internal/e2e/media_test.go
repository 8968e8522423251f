package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"io"
	"io/fs"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	_ "golang.org/x/image/webp"

	"github.com/generia/generia/internal/apiclient"
	"github.com/generia/generia/internal/generia"
)

// fetch GETs a path of the stack with headers, and reads the answer whole.
func fetch(t *testing.T, s *stack, token, path string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", s.app.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// signUpWithToken registers a person and returns their client and token.
func signUpWithToken(t *testing.T, s *stack, name string) (*apiclient.Client, string) {
	t.Helper()
	sess, err := apiclient.New(s.app.URL, "").Register(context.Background(), name, name+"@example.com", "a long password of "+name)
	if err != nil {
		t.Fatal(err)
	}
	return apiclient.New(s.app.URL, sess.Token), sess.Token
}

// Pages ask for images at the width they show them: ?w=N gives a compact
// copy at most N pixels wide, made once and stored beside the original,
// cached like it, refused for a width that is not one, hidden as its world
// is, and deleted with its world.
func TestImagesAtTheSizeTheyAreShown(t *testing.T) {
	s := start(t, settings{dataDir: t.TempDir()})
	defer s.app.Close()
	ctx := context.Background()
	owner, ownerToken := signUpWithToken(t, s, "mira")
	w := createWorld(t, owner, apiclient.NewWorld{Prompt: "A lighthouse crew that paints the fog", CharactersCount: 1, PostsCount: 1, Visibility: "private"})
	waitCompleted(t, owner, w.ID, 2*time.Minute)
	_, posts := contents(t, owner, w.ID)
	if len(posts) != 1 || posts[0].MediaID == "" {
		t.Fatalf("posts %+v, want one with an image", posts)
	}
	media := "/api/v1/media/" + posts[0].MediaID

	variants := func() []string {
		var found []string
		_ = filepath.WalkDir(filepath.Join(s.cfg.DataDir, "media"), func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.Contains(filepath.Base(path), ".w") {
				found = append(found, filepath.Base(path))
			}
			return nil
		})
		slices.Sort(found)
		return found
	}
	// Once the world is complete its first view is warmed: before anyone
	// asks, the variants pages ask for first are made (the header at 480,
	// 960 and its own 1280, the icon at 96, 160 and 240, the avatar at 48
	// and 96, the post's picture at its own size, which serves 640 to
	// 1280), by a workflow of its own that the generation starts as it ends.
	// (The generation has started it once its own workflow has closed.)
	_ = s.app.Temporal.GetWorkflow(ctx, generia.WorldWorkflowID(w.ID), "").Get(ctx, nil)
	if err := s.app.Temporal.GetWorkflow(ctx, generia.FirstViewWorkflowID(w.ID), "").Get(ctx, nil); err != nil {
		t.Fatalf("warming the first view: %v", err)
	}
	warmed := variants()
	if len(warmed) != 9 {
		t.Errorf("%d variants made before anyone asked, want 9: %v", len(warmed), warmed)
	}

	_, original := fetch(t, s, ownerToken, media)
	origCfg, _, err := image.DecodeConfig(bytes.NewReader(original))
	if err != nil {
		t.Fatalf("the original does not decode: %v", err)
	}

	resp, small := fetch(t, s, ownerToken, media+"?w=100")
	cfg, format, err := image.DecodeConfig(bytes.NewReader(small))
	if resp.StatusCode != 200 || err != nil || format != "webp" || resp.Header.Get("Content-Type") != "image/webp" {
		t.Fatalf("?w=100: %d %q, decodes as %q (%v); want a WebP", resp.StatusCode, resp.Header.Get("Content-Type"), format, err)
	}
	if cfg.Width != 96 || cfg.Height != (origCfg.Height*96+origCfg.Width/2)/origCfg.Width {
		t.Errorf("?w=100 is %d×%d, want 96 wide (the widest variant not over 100) in the original's %d×%d shape", cfg.Width, cfg.Height, origCfg.Width, origCfg.Height)
	}
	if len(small)*8 > len(original) {
		t.Errorf("?w=100 is %d bytes, want at most an eighth of the original's %d", len(small), len(original))
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "private") {
		t.Errorf("a private world's variant is cached %q, want private", cc)
	}
	again, same := fetch(t, s, ownerToken, media+"?w=96")
	if !bytes.Equal(same, small) {
		t.Error("?w=96 after ?w=100 gave other bytes, want the stored variant")
	}
	if etag := again.Header.Get("ETag"); etag == "" {
		t.Error("no ETag on a variant")
	} else if r, _ := fetch(t, s, ownerToken, media+"?w=96", "If-None-Match", etag); r.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match its ETag: %d, want 304", r.StatusCode)
	}
	_, wide := fetch(t, s, ownerToken, media+"?w=4000")
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(wide)); err != nil || cfg.Width != origCfg.Width {
		t.Errorf("?w=4000: %d wide (%v), want the original's %d: never enlarged", cfg.Width, err, origCfg.Width)
	}

	for _, bad := range []string{"?w=abc", "?w=8", "?w=-1", "?w="} {
		resp, body := fetch(t, s, ownerToken, media+bad)
		var e struct {
			Error struct{ Message string } `json:"error"`
		}
		if bad == "?w=" { // an empty w is no w: the original
			if resp.StatusCode != 200 || !bytes.Equal(body, original) {
				t.Errorf("%s: %d, want the original", bad, resp.StatusCode)
			}
			continue
		}
		if resp.StatusCode != 400 || json.Unmarshal(body, &e) != nil || e.Error.Message == "" {
			t.Errorf("%s: %d %s, want a 400 JSON error", bad, resp.StatusCode, body)
		}
	}
	_, strangerToken := signUpWithToken(t, s, "otto")
	if resp, _ := fetch(t, s, strangerToken, media+"?w=320"); resp.StatusCode != 404 {
		t.Errorf("a stranger's ?w=320 of a private world's image: %d, want 404", resp.StatusCode)
	}
	if resp, _ := fetch(t, s, "", media+"?w=320"); resp.StatusCode != 404 {
		t.Errorf("an anonymous ?w=320 of a private world's image: %d, want 404", resp.StatusCode)
	}

	if n := len(variants()); n != len(warmed)+1 {
		t.Errorf("%d variant files stored, want the %d warmed and the post's 96 wide: %v", n, len(warmed), variants())
	}
	if err := owner.Do(ctx, "DELETE", "/api/v1/worlds/"+w.ID, nil, nil); err != nil {
		t.Fatal(err)
	}
	if left := variants(); len(left) != 0 {
		t.Errorf("deleting the world left its variants: %v", left)
	}
}
