package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/social"
)

// commentView is a comment with whether the viewer may delete it: their
// own, or, moderating their world, anyone's.
type commentView struct {
	generia.Comment
	CanDelete bool
	// ModeratedAs says the viewer may remove it only as what they are in
	// the world ("owner" or "co-owner", see stewardOf); "" when it is
	// theirs or not theirs to remove.
	ModeratedAs string
	// ReplyingTo names whom a reply to a reply answers ("@name").
	ReplyingTo string
}

func newCommentView(c generia.Comment, v viewer, steward string) commentView {
	own := v.SignedIn() && c.UserID == v.ID && !c.Deleted
	if c.Deleted { // nothing left to delete: it goes with its last reply
		return commentView{Comment: c}
	}
	cv := commentView{Comment: c, CanDelete: own || (v.SignedIn() && steward != "")}
	if !own && v.SignedIn() {
		cv.ModeratedAs = steward
	}
	return cv
}

// stewardOf is what the viewer is in a world that lets them remove
// anyone's posts and comments: "owner", "co-owner", or "" (neither).
func stewardOf(view social.WorldView) string {
	switch {
	case view.IsOwner:
		return "owner"
	case view.IsCoOwner:
		return "co-owner"
	}
	return ""
}

type postData struct {
	View     social.WorldView
	Post     generia.Post
	Viewer   viewer
	Comments []commentView
	// Threads are the comments grouped under the ones they answer.
	Threads []threadView
	// ReplyTo is the comment the form just sent answered; ReplyAs whom
	// the reply forms speak as.
	ReplyTo string
	ReplyAs replyAs
	// MoreComments is the URL of the next page of comments, if any.
	MoreComments string
	CommentText  string
	CommentError string
	MaxComment   int
	// Answer says whether the world's characters answer comments now.
	Answer social.Answer
	// Mine are the viewer's characters in the world, whom they may comment
	// as; CommentAs the one chosen.
	Mine      []generia.Character
	CommentAs string
	// CanDelete says the viewer may delete the post: their character's,
	// or, as ModeratedAs (see stewardOf), any in their world. CanEdit: it
	// is their character's.
	CanDelete, CanEdit bool
	ModeratedAs        string
	// Edit is the post's edit form.
	Edit editForm
}

// post is one post with its comments.
func (h *Handler) post(w http.ResponseWriter, r *http.Request, req request) {
	h.showPost(w, r, req.viewer, http.StatusOK, "", "", editForm{})
}

func (h *Handler) showPost(w http.ResponseWriter, r *http.Request, v viewer, status int, text, errMsg string, edit editForm) {
	ctx := r.Context()
	view, err := h.social.World(ctx, v.ID, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := h.social.Post(ctx, v.ID, view.World.ID, r.PathValue("postID"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	comments, next, err := h.social.Comments(ctx, v.ID, view.World.ID, p.ID, generia.Page{Limit: commentsPageSize, Cursor: r.URL.Query().Get("comments")})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := postData{View: view, Post: p, Viewer: v, CommentText: text, CommentError: errMsg, MaxComment: social.MaxCommentLength,
		Edit: edit.or(map[string]string{"caption": p.Caption, "hashtags": strings.Join(p.Hashtags, " ")})}
	for _, c := range comments {
		d.Comments = append(d.Comments, newCommentView(c, v, stewardOf(view)))
	}
	if v.SignedIn() {
		if life, err := h.social.LifeOf(ctx, v.ID, view.World.ID); err == nil {
			d.Answer = social.AnswerFor(life)
		}
		if d.Mine, err = h.social.UserCharacters(ctx, v.ID, view.World.ID, v.ID); err != nil {
			h.fail(w, r, err)
			return
		}
		d.CommentAs = commentAs(r, view.World.ID, d.Mine)
		d.ReplyTo = r.PostFormValue("parent_id")
		d.ReplyAs = newReplyAs(v, d.Mine, d.CommentAs, social.MaxCommentLength)
		own := slices.ContainsFunc(d.Mine, func(c generia.Character) bool { return c.ID == p.CharacterID })
		d.CanDelete, d.CanEdit = own || view.Moderates(), own
		if !own {
			d.ModeratedAs = stewardOf(view)
		}
	}
	elsewhere, err := h.earlierSpeakers(ctx, v.ID, view.World.ID, p.ID, r.URL.Query().Get("comments"), comments)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Threads = threads(d.Comments, elsewhere)
	if next != "" {
		d.MoreComments = postURL(view.World.ID, p.ID) + "?" + url.Values{"comments": {next}}.Encode() + "#comments"
	}
	title := p.DisplayName + " in " + worldName(view.World)
	h.render(w, r, status, "post", h.newPage(r, v, title, d).describe(r, p.Caption, p.MediaID))
}

func postURL(worldID, postID string) string {
	return "/worlds/" + url.PathEscape(worldID) + "/posts/" + url.PathEscape(postID)
}

// like sets whether the viewer likes a post: the form's like field is "1"
// to like and "0" to unlike, so that posting it twice changes nothing.
func (h *Handler) like(w http.ResponseWriter, r *http.Request, req request) {
	v := req.viewer
	worldID, postID := r.PathValue("id"), r.PathValue("postID")
	if _, err := h.social.Like(r.Context(), v.ID, worldID, postID, r.PostFormValue("like") != "0"); err != nil {
		h.fail(w, r, err)
		return
	}
	redirectBack(w, r, postURL(worldID, postID))
}

// addComment comments on a post as the viewer.
func (h *Handler) addComment(w http.ResponseWriter, r *http.Request, req request) {
	v := req.viewer
	worldID, postID := r.PathValue("id"), r.PathValue("postID")
	text := r.PostFormValue("text")
	as := r.PostFormValue("character_id")
	c, err := h.social.AddComment(r.Context(), v.ID, worldID, postID, social.NewComment{Text: text, CharacterID: as, ParentID: r.PostFormValue("parent_id")})
	if err != nil {
		if isFormError(err) {
			h.showPost(w, r, v, formStatus(err), text, message(err), editForm{})
			return
		}
		h.fail(w, r, err)
		return
	}
	h.rememberCommentAs(w, worldID, as)
	http.Redirect(w, r, postURL(worldID, postID)+"#comment-"+c.ID, http.StatusSeeOther)
}

// deletePost deletes a post: the viewer's character's, or any in their
// world; then back to the feed.
func (h *Handler) deletePost(w http.ResponseWriter, r *http.Request, req request) {
	worldID := r.PathValue("id")
	if err := h.social.DeletePost(r.Context(), req.viewer.ID, worldID, r.PathValue("postID")); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/worlds/"+url.PathEscape(worldID), http.StatusSeeOther)
}

// deleteCharacter deletes one of the viewer's characters and goes back to
// its world.
func (h *Handler) deleteCharacter(w http.ResponseWriter, r *http.Request, req request) {
	c, err := h.social.DeleteCharacter(r.Context(), req.viewer.ID, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/worlds/"+url.PathEscape(c.WorldID), http.StatusSeeOther)
}

// deleteComment deletes a comment: the viewer's own, or any in their world.
func (h *Handler) deleteComment(w http.ResponseWriter, r *http.Request, req request) {
	v := req.viewer
	worldID, postID := r.PathValue("id"), r.PathValue("postID")
	if err := h.social.DeleteComment(r.Context(), v.ID, worldID, postID, r.PathValue("commentID")); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, postURL(worldID, postID)+"#comments", http.StatusSeeOther)
}
