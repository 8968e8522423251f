package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"testing"

	"github.com/generia/generia/internal/apiv1"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/socialtest"
)

// A thread through the API: a reply carries parent_id; its parent deleted,
// the parent is listed with deleted: true and nothing of what it said or
// who said it; replies to a deleted comment, to one of another post, to a
// held one the replier cannot see, or to none, are refused and store
// nothing.
func TestCommentThreads(t *testing.T) {
	a := newTrustAPI(t)
	a.server.Social.Moderator = &socialtest.Words{Flags: map[string]generia.Category{"knife": generia.CategoryViolence}}
	comments := "/api/v1/worlds/" + a.world + "/posts/" + a.post + "/comments"

	var asked, answer, held apiv1.Comment
	if code := a.as(t, a.bob, "POST", comments, `{"text":"Where are the watches?"}`, &asked); code != http.StatusCreated {
		t.Fatalf("bob's comment: HTTP %d", code)
	}
	body := fmt.Sprintf(`{"text":"At the harbour.","parent_id":%q}`, asked.ID)
	if code := a.call(t, "POST", comments, body, &answer); code != http.StatusCreated || answer.ParentID != asked.ID {
		t.Fatalf("ada's reply: HTTP %d, %+v, want it answering %s", code, answer, asked.ID)
	}
	if code := a.as(t, a.bob, "POST", comments, `{"text":"a knife fight"}`, &held); code != http.StatusCreated || held.Review == nil {
		t.Fatalf("bob's held comment: HTTP %d, %+v", code, held)
	}
	if code := a.as(t, a.bob, "DELETE", comments+"/"+asked.ID, "", nil); code != http.StatusNoContent {
		t.Fatalf("bob deleting his comment: HTTP %d", code)
	}

	// Another post of the world, whose comment a reply here may not answer.
	var ch, other, elsewhere struct{ ID string }
	if code := a.call(t, "POST", "/api/v1/worlds/"+a.world+"/characters", `{"username":"ada_two","display_name":"Ada Two"}`, &ch); code != http.StatusCreated {
		t.Fatalf("a second character: HTTP %d", code)
	}
	body = fmt.Sprintf(`{"character_id":%q,"caption":"Noon","media_id":%q}`, ch.ID, a.upload(t))
	if code := a.call(t, "POST", "/api/v1/worlds/"+a.world+"/posts", body, &other); code != http.StatusCreated {
		t.Fatalf("a second post: HTTP %d", code)
	}
	if code := a.call(t, "POST", "/api/v1/worlds/"+a.world+"/posts/"+other.ID+"/comments", `{"text":"Noon already"}`, &elsewhere); code != http.StatusCreated {
		t.Fatalf("a comment on the second post: HTTP %d", code)
	}

	listed := func() []map[string]any {
		t.Helper()
		var page struct{ Comments []map[string]any }
		if code := a.as(t, "", "GET", comments, "", &page); code != http.StatusOK {
			t.Fatalf("comments: HTTP %d", code)
		}
		return page.Comments
	}
	before := listed()
	if len(before) != 2 {
		t.Fatalf("a visitor sees %v, want the deleted comment and its reply", before)
	}
	place, reply := before[0], before[1]
	if place["id"] != asked.ID || place["deleted"] != true || place["text"] != "" {
		t.Errorf("the deleted comment is listed as %v, want deleted: true with no text", place)
	}
	for _, k := range []string{"user_id", "username", "character_id", "character_username", "display_name"} {
		if _, ok := place[k]; ok {
			t.Errorf("the deleted comment tells its %s: %v", k, place)
		}
	}
	if _, ok := reply["deleted"]; ok || reply["parent_id"] != asked.ID || reply["text"] != "At the harbour." {
		t.Errorf("the reply is listed as %v, want it answering %s, not deleted", reply, asked.ID)
	}

	for _, tc := range []struct {
		name, token, parent string
		status              int
		field               string
	}{
		{"a deleted comment", a.bob, asked.ID, http.StatusBadRequest, "parent_id"},
		{"a comment of another post", a.bob, elsewhere.ID, http.StatusNotFound, ""},
		{"a held comment of another person", a.token, held.ID, http.StatusNotFound, ""},
		{"an unknown comment", a.bob, "no-such-comment", http.StatusNotFound, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e errorBody
			body := fmt.Sprintf(`{"text":"Answer","parent_id":%q}`, tc.parent)
			if code := a.as(t, tc.token, "POST", comments, body, &e); code != tc.status || e.Error.Field != tc.field || e.Error.Message == "" {
				t.Errorf("replying to %s: HTTP %d %+v, want %d on field %q", tc.name, code, e.Error, tc.status, tc.field)
			}
		})
	}
	var e errorBody
	if code := a.as(t, a.bob, "POST", comments, `{"text":"Answer","parent_id":7}`, &e); code != http.StatusBadRequest {
		t.Errorf("a parent_id that is no string: HTTP %d, want 400", code)
	}
	if after := listed(); !reflect.DeepEqual(after, before) {
		t.Errorf("refused replies changed the comments: %v, then %v", before, after)
	}
	var p apiv1.Post
	if code := a.as(t, "", "GET", "/api/v1/worlds/"+a.world+"/posts/"+a.post, "", &p); code != http.StatusOK || p.CommentsCount != 1 {
		t.Errorf("the post: HTTP %d, comments_count %d, want 1 (the reply; not the deleted comment or the held one)", code, p.CommentsCount)
	}
	if code := a.as(t, a.bob, "DELETE", comments+"/"+asked.ID, "", nil); code != http.StatusNotFound {
		t.Errorf("deleting the deleted comment again: HTTP %d, want 404", code)
	}
}

// The Comment schema of openapi.json describes every field the server
// writes of a comment, deleted among them, and nothing more.
func TestOpenAPIDescribesTheComment(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	var c apiv1.Comment
	fill(reflect.ValueOf(&c).Elem())
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for k := range fields {
		got = append(got, k)
	}
	for k := range doc.Components.Schemas["Comment"].Properties {
		want = append(want, k)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) || !slices.Contains(want, "deleted") {
		t.Errorf("Comment: the type writes %v, the schema describes %v", got, want)
	}
}
