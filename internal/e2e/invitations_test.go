package e2e

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/generia/generia/internal/apiclient"
	"github.com/generia/generia/internal/apiv1"
)

// A private world on the embedded server: its owner makes an invitation
// link of one use; a new person opens it and is in (the world, its posts
// and its stream); the link is then used up for anyone else; the owner
// removes the member, whose open stream ends and who is a stranger again.
func TestAnInvitationLetsANewPersonInAndRemovalEndsTheirStream(t *testing.T) {
	s := start(t, settings{dataDir: t.TempDir()})
	defer s.app.Close()
	ctx := context.Background()
	owner := signUp(t, s, "ada")
	w := createWorld(t, owner, apiclient.NewWorld{Prompt: "A private lighthouse on a sea of glass", CharactersCount: 1, PostsCount: 1, Visibility: "private"})
	waitCompleted(t, owner, w.ID, 2*time.Minute)
	path := "/api/v1/worlds/" + w.ID

	newcomer := signUp(t, s, "bea")
	if err := newcomer.Do(ctx, "GET", path, nil, nil); status(err) != http.StatusNotFound {
		t.Fatalf("a stranger reading the private world: %v, want 404", err)
	}
	var inv apiv1.Invitation
	if err := owner.Do(ctx, "POST", path+"/invitations", apiv1.NewInvitation{ExpiresInHours: 1, MaxUses: 1}, &inv); err != nil {
		t.Fatal(err)
	}
	if inv.Code == "" || inv.URL == "" {
		t.Fatalf("the invitation made: %+v, want its code and link", inv)
	}
	if err := newcomer.Do(ctx, "POST", "/api/v1/invitations/"+inv.Code+"/accept", nil, nil); err != nil {
		t.Fatalf("accepting the invitation: %v", err)
	}
	if err := newcomer.Do(ctx, "GET", path, nil, nil); err != nil {
		t.Fatalf("the new member reading the world: %v", err)
	}
	late := signUp(t, s, "cyd")
	if err := late.Do(ctx, "POST", "/api/v1/invitations/"+inv.Code+"/accept", nil, nil); status(err) != http.StatusConflict {
		t.Errorf("a second person on a one-use link: %v, want 409", err)
	}
	if err := late.Do(ctx, "GET", path, nil, nil); status(err) != http.StatusNotFound {
		t.Errorf("the second person reading the world: %v, want 404", err)
	}

	var members struct{ Members []apiv1.Member }
	if err := owner.Do(ctx, "GET", path+"/members", nil, &members); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(members.Members, func(m apiv1.Member) bool { return m.Username == "bea" })
	if i < 0 {
		t.Fatalf("members %+v, want bea", members.Members)
	}

	ended := make(chan error, 1)
	opened := make(chan struct{}, 1)
	streamCtx, stop := context.WithTimeout(ctx, 2*time.Minute)
	defer stop()
	go func() {
		ended <- newcomer.Events(streamCtx, w.ID, "", func(apiclient.Event) bool {
			select {
			case opened <- struct{}{}:
			default:
			}
			return true
		})
	}()
	select {
	case <-opened:
	case err := <-ended:
		t.Fatalf("the member's stream ended before removal: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the member's stream sent nothing in 30 s")
	}
	if err := owner.Do(ctx, "DELETE", path+"/members/"+members.Members[i].UserID, nil, nil); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ended:
	case <-time.After(30 * time.Second):
		t.Fatal("the removed member's stream is still open 30 s after the removal")
	}
	if err := newcomer.Do(ctx, "GET", path, nil, nil); status(err) != http.StatusNotFound {
		t.Errorf("the removed member reading the world: %v, want 404", err)
	}
}
