package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/generia/generia/internal/apiv1"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/social"
)

func mediaURL(id string) string {
	if id == "" {
		return ""
	}
	return "/api/v1/media/" + id
}

func toCharacter(c generia.Character) apiv1.Character {
	profile := c.Profile
	if len(profile) == 0 {
		profile = json.RawMessage("null")
	}
	return apiv1.Character{ID: c.ID, WorldID: c.WorldID, Username: c.Username, DisplayName: c.DisplayName, Bio: c.Bio,
		AvatarMediaID: c.AvatarMediaID, AvatarURL: mediaURL(c.AvatarMediaID), IsAI: c.IsAI(), RealUserID: c.OwnerID,
		Profile: profile, CreatedAt: c.CreatedAt, Review: apiv1.ReviewOf(c.Review)}
}

func toPost(p generia.Post) apiv1.Post {
	tags := p.Hashtags
	if tags == nil {
		tags = []string{}
	}
	return apiv1.Post{ID: p.ID, WorldID: p.WorldID, CharacterID: p.CharacterID, Username: p.Username, DisplayName: p.DisplayName,
		AvatarMediaID: p.AvatarMediaID, AvatarURL: mediaURL(p.AvatarMediaID), IsAI: p.IsAI, Caption: p.Caption, Hashtags: tags,
		MediaID: p.MediaID, MediaURL: mediaURL(p.MediaID), MediaWidth: p.MediaWidth, MediaHeight: p.MediaHeight,
		LikesCount: p.LikesCount, CommentsCount: p.CommentsCount,
		UserLiked: p.Liked, CreatedAt: p.CreatedAt, Review: apiv1.ReviewOf(p.Review)}
}

func toComment(c generia.Comment) apiv1.Comment {
	return apiv1.Comment{ID: c.ID, PostID: c.PostID, UserID: c.UserID, Username: c.Username, CharacterID: c.CharacterID,
		CharacterUsername: c.CharacterUsername, DisplayName: c.DisplayName, IsAI: c.IsAI, ParentID: c.ParentID,
		Text: c.Text, CreatedAt: c.CreatedAt, Review: apiv1.ReviewOf(c.Review), Deleted: c.Deleted}
}

func toLike(l generia.Like) apiv1.Like {
	return apiv1.Like{UserID: l.UserID, Username: l.Username, CharacterID: l.CharacterID, CharacterUsername: l.CharacterUsername,
		DisplayName: l.DisplayName, CreatedAt: l.CreatedAt}
}

func (s *Server) listCharacters(w http.ResponseWriter, r *http.Request) error {
	return list(w, r, "characters", func(pg generia.Page) ([]generia.Character, string, error) {
		return s.Social.Characters(r.Context(), viewer(r), r.PathValue("id"), pg)
	}, toCharacter)
}

func (s *Server) userCharacters(w http.ResponseWriter, r *http.Request) error {
	user := r.PathValue("user_id")
	if user == "me" {
		user = viewer(r)
		if user == "" {
			return generia.Errorf(generia.KindUnauthorized, "sign in to list your characters")
		}
	}
	chars, err := s.Social.UserCharacters(r.Context(), viewer(r), r.PathValue("id"), user)
	if err != nil {
		return err
	}
	page(w, "characters", chars, "", toCharacter)
	return nil
}

func (s *Server) createCharacter(w http.ResponseWriter, r *http.Request) error {
	return create(w, r, func(req social.NewCharacter) (generia.Character, error) {
		return s.Social.CreateCharacter(r.Context(), viewer(r), r.PathValue("id"), req)
	}, toCharacter)
}

func (s *Server) getCharacter(w http.ResponseWriter, r *http.Request) error {
	v, err := s.Social.Character(r.Context(), viewer(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := toCharacter(v.Character)
	out.PostsCount = &v.PostsCount
	out.Following = &v.Following
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) characterPosts(w http.ResponseWriter, r *http.Request) error {
	return list(w, r, "posts", func(pg generia.Page) ([]generia.Post, string, error) {
		return s.Social.CharacterPosts(r.Context(), viewer(r), r.PathValue("id"), pg)
	}, toPost)
}

func (s *Server) feed(w http.ResponseWriter, r *http.Request) error {
	if tag := r.URL.Query().Get("hashtag"); tag != "" {
		return list(w, r, "posts", func(pg generia.Page) ([]generia.Post, string, error) {
			return s.Social.Tagged(r.Context(), viewer(r), r.PathValue("id"), tag, pg)
		}, toPost)
	}
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	body, err := s.Social.EncodedFeed(r.Context(), viewer(r), r.PathValue("id"), pg, func(posts []generia.Post, next string) ([]byte, error) {
		b, err := json.Marshal(pageBody("posts", posts, next, toPost))
		return append(b, '\n'), err // ended as json.Encoder ends every answer
	})
	if err != nil {
		return err
	}
	writeEncoded(w, http.StatusOK, body) // shared between visitors: only read it
	return nil
}

func (s *Server) createPost(w http.ResponseWriter, r *http.Request) error {
	return create(w, r, func(req social.NewPost) (generia.Post, error) {
		return s.Social.CreatePost(r.Context(), viewer(r), r.PathValue("id"), req)
	}, toPost)
}

func (s *Server) getPost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.Social.Post(r.Context(), viewer(r), r.PathValue("id"), r.PathValue("post_id"))
	return answer(w, http.StatusOK, p, err, toPost)
}

func (s *Server) like(w http.ResponseWriter, r *http.Request) error   { return s.setLike(w, r, true) }
func (s *Server) unlike(w http.ResponseWriter, r *http.Request) error { return s.setLike(w, r, false) }

func (s *Server) setLike(w http.ResponseWriter, r *http.Request, like bool) error {
	n, err := s.Social.Like(r.Context(), viewer(r), r.PathValue("id"), r.PathValue("post_id"), like)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "likes_count": n, "liked": like})
	return nil
}

func (s *Server) likes(w http.ResponseWriter, r *http.Request) error {
	return list(w, r, "likes", func(pg generia.Page) ([]generia.Like, string, error) {
		return s.Social.Likes(r.Context(), viewer(r), r.PathValue("id"), r.PathValue("post_id"), pg)
	}, toLike)
}

func (s *Server) comments(w http.ResponseWriter, r *http.Request) error {
	return list(w, r, "comments", func(pg generia.Page) ([]generia.Comment, string, error) {
		return s.Social.Comments(r.Context(), viewer(r), r.PathValue("id"), r.PathValue("post_id"), pg)
	}, toComment)
}

func (s *Server) addComment(w http.ResponseWriter, r *http.Request) error {
	return create(w, r, func(req social.NewComment) (social.AddedComment, error) {
		return s.Social.AddComment(r.Context(), viewer(r), r.PathValue("id"), r.PathValue("post_id"), req)
	}, func(c social.AddedComment) apiv1.Comment {
		j := toComment(c.Comment)
		j.Answer = &apiv1.Answer{Status: c.Answer.Status, Message: c.Answer.Message}
		return j
	})
}

func (s *Server) editCharacter(w http.ResponseWriter, r *http.Request) error {
	return change(w, r, func(req social.CharacterEdit) (generia.Character, error) {
		return s.Social.EditCharacter(r.Context(), viewer(r), r.PathValue("id"), req)
	}, toCharacter)
}

func (s *Server) editPost(w http.ResponseWriter, r *http.Request) error {
	return change(w, r, func(req social.PostEdit) (generia.Post, error) {
		return s.Social.EditPost(r.Context(), viewer(r), r.PathValue("id"), r.PathValue("post_id"), req)
	}, toPost)
}

func (s *Server) deleteCharacter(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.Social.DeleteCharacter(r.Context(), viewer(r), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) deletePost(w http.ResponseWriter, r *http.Request) error {
	if err := s.Social.DeletePost(r.Context(), viewer(r), r.PathValue("id"), r.PathValue("post_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) deleteComment(w http.ResponseWriter, r *http.Request) error {
	if err := s.Social.DeleteComment(r.Context(), viewer(r), r.PathValue("id"), r.PathValue("post_id"), r.PathValue("comment_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// upload takes an image as multipart form field "file", or as the raw body.
func (s *Server) upload(w http.ResponseWriter, r *http.Request) error {
	var body io.Reader = r.Body
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		f, _, err := r.FormFile("file")
		if err != nil {
			return generia.WrapError(generia.KindInvalid, err, `send the image as the multipart field "file"`)
		}
		defer f.Close()
		body = f
	}
	m, err := s.Social.Upload(r.Context(), viewer(r), r.PathValue("id"), body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"media_id": m.ID, "media_url": mediaURL(m.ID), "content_type": m.ContentType,
		"width": m.Width, "height": m.Height, "size": m.Size})
	return nil
}

// presigner is a media store that can hand out time-limited URLs.
type presigner interface {
	PresignedURL(ctx context.Context, key string, expiry time.Duration) (string, error)
}

// presignTTL is how long a presigned media URL lives.
const presignTTL = time.Hour

// getMedia serves an image's bytes, or with ?w=N its compact copy at most N
// pixels wide (made once, then stored). Media never change once stored, so
// they are cached for long (privately for private worlds).
func (s *Server) getMedia(w http.ResponseWriter, r *http.Request) error {
	var (
		m       generia.Media
		data    []byte
		private bool
		err     error
	)
	if width := r.URL.Query().Get("w"); width != "" {
		n, convErr := strconv.Atoi(width)
		if convErr != nil {
			return generia.Errorf(generia.KindInvalid, "w must be a width in pixels, not %q", width)
		}
		m, data, private, err = s.Social.MediaVariant(r.Context(), viewer(r), r.PathValue("id"), n)
	} else {
		m, private, err = s.Social.Media(r.Context(), viewer(r), r.PathValue("id"))
	}
	if err != nil {
		return err
	}
	etag := `"` + m.ID + `"`
	if data != nil {
		etag = `"` + m.ID + "-w" + r.URL.Query().Get("w") + `"`
	}
	w.Header().Set("ETag", etag)
	cache := "public, max-age=31536000, immutable"
	if private {
		cache = "private, max-age=31536000, immutable"
	}
	w.Header().Set("Cache-Control", cache)
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	var body io.Reader = bytes.NewReader(data)
	if data == nil {
		if p, ok := s.Social.Files.(presigner); ok && s.MediaRedirect {
			url, err := p.PresignedURL(r.Context(), m.ObjectKey, presignTTL)
			if err != nil {
				return err
			}
			w.Header().Set("Cache-Control", "private, max-age=3000") // shorter than the URL lives
			http.Redirect(w, r, url, http.StatusFound)
			return nil
		}
		file, err := s.Social.Files.Open(r.Context(), m.ObjectKey)
		if err != nil {
			return err
		}
		defer file.Close()
		body = file
	}
	w.Header().Set("Content-Type", m.ContentType)
	w.Header().Set("Content-Length", strconv.FormatInt(m.Size, 10))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = io.Copy(w, body)
	}
	return nil
}
