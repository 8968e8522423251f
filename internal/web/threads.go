package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/generia/generia/internal/generia"
)

// threadView is a comment of the post's first level with its replies, in
// the order they were made: one level of nesting, as Instagram shows
// threads; a reply to a reply sits in the same level, ReplyingTo naming
// whom it answers.
type threadView struct {
	commentView
	Replies []commentView
}

// threads groups a page of comments (oldest first) into threads: each
// comment under the first-level comment its answers lead back to. A reply
// whose comment is not on the page (on an earlier page, or not shown to
// the viewer) stands at the first level, naming whom it answers: as
// elsewhere names it (parent ID → "@name", see Handler.earlierSpeakers),
// else as a comment not shown.
func threads(comments []commentView, elsewhere map[string]string) []threadView {
	byID := make(map[string]int, len(comments))
	for i, c := range comments {
		byID[c.ID] = i
	}
	// root follows a comment's answers back to the first one on the page;
	// the page is oldest first, so a parent is always before its reply.
	root := make([]int, len(comments))
	var out []threadView
	at := map[int]int{} // a root's index in comments → its thread in out
	for i, c := range comments {
		p, ok := byID[c.ParentID]
		if c.ParentID == "" || !ok || p >= i {
			switch {
			case c.ParentID == "":
			case ok:
				c.ReplyingTo = replyingTo(comments[p].Comment)
			case elsewhere[c.ParentID] != "":
				c.ReplyingTo = elsewhere[c.ParentID]
			default:
				c.ReplyingTo = "a comment not shown here"
			}
			root[i] = i
			at[i] = len(out)
			out = append(out, threadView{commentView: c})
			continue
		}
		root[i] = root[p]
		if p != root[i] {
			c.ReplyingTo = replyingTo(comments[p].Comment)
		}
		t := &out[at[root[i]]]
		t.Replies = append(t.Replies, c)
	}
	return out
}

// maxEarlierComments bounds how far back a later page of comments looks
// for the comments its replies answer.
const maxEarlierComments = 1000

// earlierSpeakers names whom the replies of a later page of a post's
// comments answer on the pages before it: parent ID → "@name" (or "a
// deleted comment"). It reads the pages the viewer sees from the first,
// up to this one or maxEarlierComments; a comment the viewer does not see
// is not named. The first page has nothing before it.
func (h *Handler) earlierSpeakers(ctx context.Context, viewerID, worldID, postID, cursor string, page []generia.Comment) (map[string]string, error) {
	if cursor == "" || len(page) == 0 {
		return nil, nil
	}
	onPage := make(map[string]bool, len(page))
	for _, c := range page {
		onPage[c.ID] = true
	}
	missing := map[string]bool{}
	for _, c := range page {
		if c.ParentID != "" && !onPage[c.ParentID] {
			missing[c.ParentID] = true
		}
	}
	names := map[string]string{}
	pg := generia.Page{Limit: generia.MaxPageSize}
	for read := 0; len(missing) > 0 && read < maxEarlierComments; {
		earlier, next, err := h.social.Comments(ctx, viewerID, worldID, postID, pg)
		if err != nil {
			return nil, err
		}
		for _, c := range earlier {
			if onPage[c.ID] { // this page itself: nothing before it is left
				return names, nil
			}
			if missing[c.ID] {
				names[c.ID] = replyingTo(c)
				delete(missing, c.ID)
			}
		}
		read += len(earlier)
		if next == "" {
			break
		}
		pg.Cursor = next
	}
	return names, nil
}

// replyingTo is how a reply to a reply names whom it answers.
func replyingTo(c generia.Comment) string {
	if c.Deleted {
		return "a deleted comment"
	}
	u, _ := c.Speaker()
	return "@" + u
}

// commentAs is who the viewer comments as in a world: chosen in the form
// just sent, else their last choice in this world (a cookie), else their
// own character there, if they have one, else themselves ("").
func commentAs(r *http.Request, worldID string, mine []generia.Character) string {
	if r.Method == http.MethodPost {
		return r.PostFormValue("character_id")
	}
	isMine := func(id string) bool {
		return slices.ContainsFunc(mine, func(c generia.Character) bool { return c.ID == id })
	}
	if ck, err := r.Cookie(commentAsCookie); err == nil {
		if v, err := url.QueryUnescape(ck.Value); err == nil {
			if w, id, ok := strings.Cut(v, " "); ok && w == worldID && (id == "" || isMine(id)) {
				return id
			}
		}
	}
	if len(mine) > 0 {
		return mine[0].ID
	}
	return ""
}

// commentAsCookie remembers whom the viewer last commented as, and in
// which world: "<world ID> <character ID or nothing>". It names no one
// but the viewer's own characters and is read only for their forms.
const commentAsCookie = "comment_as"

// rememberCommentAs keeps whom the viewer just commented as in a world.
// The page's script writes the same cookie when it sends the form itself.
func (h *Handler) rememberCommentAs(w http.ResponseWriter, worldID, characterID string) {
	http.SetCookie(w, &http.Cookie{Name: commentAsCookie, Value: url.QueryEscape(worldID + " " + characterID), Path: "/",
		MaxAge: 365 * 24 * 3600, Secure: h.sessions.Secure, SameSite: http.SameSiteLaxMode})
}

// replyAs is whom the reply forms of a post page speak as, the form's
// choice (CommentAs), and how they say it.
type replyAs struct {
	ID, Name string
	Max      int
}

func newReplyAs(v viewer, mine []generia.Character, id string, max int) replyAs {
	for _, c := range mine {
		if c.ID == id {
			return replyAs{ID: id, Name: c.DisplayName + " (@" + c.Username + ")", Max: max}
		}
	}
	return replyAs{Name: "@" + v.Username + " (yourself)", Max: max}
}
