package e2e

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/generia/generia/internal/apiclient"
)

// Two API processes sharing one PostgreSQL hold one account's upload quota
// together: 45 uploads at once, through either, store at most the quota's
// 30 (45 of 45 were stored), and the rest are refused with 429.
func TestUploadQuotaHoldsAcrossAPIProcesses(t *testing.T) {
	db := ownSchema(t, "the shared upload quota test")
	dir := t.TempDir()
	env := []string{"GENERIA_DATA_DIR=" + dir, "GENERIA_LOG_LEVEL=warn", "GENERIA_NO_SAMPLE=true",
		"DATABASE_URL=" + db.url, "GENERIA_UPLOAD_RATE=30/1h"}
	env = append(env, "TEMPORAL_ADDRESS="+runTemporal(t, dir, env))
	var clients []*apiclient.Client
	for i := range 2 {
		_, base := runAPI(t, dir, fmt.Sprint("api", i+1), env)
		clients = append(clients, apiclient.New(base, ""))
	}
	ctx := context.Background()
	sess, err := clients[0].Register(ctx, "uploader", "uploader@example.com", "a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range clients {
		c.Token = sess.Token
	}
	w := createWorld(t, clients[0], apiclient.NewWorld{Prompt: "A lighthouse keepers' photo club", CharactersCount: 1, PostsCount: 1})
	img := pngBytes(t, 200, 150)
	const uploads, quota = 45, 30
	codes := make([]int, uploads)
	var wg sync.WaitGroup
	for i := range uploads {
		wg.Go(func() {
			if _, err := clients[i%2].Upload(ctx, w.ID, img); err != nil {
				codes[i] = status(err)
			} else {
				codes[i] = http.StatusCreated
			}
		})
	}
	wg.Wait()
	stored := 0
	for i, code := range codes {
		switch code {
		case http.StatusCreated:
			stored++
		case http.StatusTooManyRequests:
		default:
			t.Errorf("upload %d: HTTP %d, want 201 or 429", i+1, code)
		}
	}
	if stored == 0 || stored > quota {
		t.Errorf("%d uploads at once through two API processes under a quota of %d: %d stored", uploads, quota, stored)
	}
}
