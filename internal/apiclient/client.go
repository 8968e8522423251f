// Package apiclient is a Go client of Generia's HTTP API, used by the CLI
// and the end-to-end tests.
package apiclient

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/generia/generia/internal/apiv1"
)

// Client calls one Generia API.
type Client struct {
	BaseURL string
	Token   string
	HTTP    *http.Client
}

// New returns a client of the API at baseURL.
func New(baseURL, token string) *Client {
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), Token: token, HTTP: &http.Client{Timeout: 30 * time.Second}}
}

// The API's bodies, as the server writes them.
type (
	Status    = apiv1.Status
	World     = apiv1.World
	Character = apiv1.Character
	Post      = apiv1.Post
	Comment   = apiv1.Comment
	Session   = apiv1.Session
	Life      = apiv1.Life
	// AccountCeilings is one account's ceilings, as the operator reads
	// them.
	AccountCeilings = apiv1.AccountCeilings
	Like            = apiv1.Like
	User            = apiv1.User
	Case            = apiv1.Case
	AuditEntry      = apiv1.AuditEntry
)

// Error is an error answer of the API.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s (HTTP %d %s)", e.Message, e.Status, e.Code)
}

// Do sends a request with an optional JSON body and decodes a JSON answer
// into out (if not nil).
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, r)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("calling Generia at %s: %w", c.BaseURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		return decodeError(resp)
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decoding the answer of %s %s: %w", method, path, err)
	}
	return nil
}

func decodeError(resp *http.Response) error {
	var body struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err := json.Unmarshal(raw, &body); err != nil || body.Error.Message == "" {
		return &Error{Status: resp.StatusCode, Code: "http", Message: strings.TrimSpace(string(raw))}
	}
	return &Error{Status: resp.StatusCode, Code: body.Error.Code, Message: body.Error.Message}
}

// Upload sends an image to a world as multipart field "file" and returns
// its media ID.
func (c *Client) Upload(ctx context.Context, worldID string, data []byte) (string, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", "image")
	if err != nil {
		return "", err
	}
	if _, err := fw.Write(data); err != nil {
		return "", err
	}
	if err := mw.Close(); err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", c.BaseURL+"/api/v1/worlds/"+url.PathEscape(worldID)+"/media", &buf)
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		return "", decodeError(resp)
	}
	var out struct {
		MediaID string `json:"media_id"`
	}
	err = json.NewDecoder(resp.Body).Decode(&out)
	return out.MediaID, err
}

// NewWorld asks for a world.
type NewWorld struct {
	Name            string `json:"name,omitempty"`
	Prompt          string `json:"prompt"`
	CharactersCount int    `json:"characters_count"`
	PostsCount      int    `json:"posts_count"`
	Visibility      string `json:"visibility,omitempty"`
}

// Register creates an account.
func (c *Client) Register(ctx context.Context, username, email, password string) (Session, error) {
	var s Session
	err := c.Do(ctx, "POST", "/api/v1/auth/register", map[string]string{"username": username, "email": email, "password": password}, &s)
	return s, err
}

// Login signs in.
func (c *Client) Login(ctx context.Context, emailOrUsername, password string) (Session, error) {
	var s Session
	err := c.Do(ctx, "POST", "/api/v1/auth/login", map[string]string{"email_or_username": emailOrUsername, "password": password}, &s)
	return s, err
}

// Refresh spends a refresh token for a new pair.
func (c *Client) Refresh(ctx context.Context, refreshToken string) (Session, error) {
	var s Session
	err := c.Do(ctx, "POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": refreshToken}, &s)
	return s, err
}

// Logout ends the sign-in of the client's token and of refreshToken, if
// given.
func (c *Client) Logout(ctx context.Context, refreshToken string) error {
	var body any
	if refreshToken != "" {
		body = map[string]string{"refresh_token": refreshToken}
	}
	return c.Do(ctx, "POST", "/api/v1/auth/logout", body, nil)
}

// CreateWorld asks for a world to be generated.
func (c *Client) CreateWorld(ctx context.Context, w NewWorld) (World, error) {
	var out World
	err := c.Do(ctx, "POST", "/api/v1/worlds", w, &out)
	return out, err
}

// World returns a world with its status record. id may be a workflow ID.
func (c *Client) World(ctx context.Context, id string) (World, error) {
	var out World
	err := c.Do(ctx, "GET", "/api/v1/worlds/"+url.PathEscape(id), nil, &out)
	return out, err
}

// Worlds returns one page of the worlds catalog.
func (c *Client) Worlds(ctx context.Context, limit int, cursor string) ([]World, string, error) {
	return page[World](ctx, c, "/api/v1/worlds", "worlds", limit, cursor)
}

// Life returns a world's life; its settings and spending only to its
// owner. Reading it is not a view of the world.
func (c *Client) Life(ctx context.Context, id string) (Life, error) {
	var out Life
	err := c.Do(ctx, "GET", "/api/v1/worlds/"+url.PathEscape(id)+"/life", nil, &out)
	return out, err
}

// AccountCeilings returns one account's ceilings (the operator token
// only); account is its ID or username.
func (c *Client) AccountCeilings(ctx context.Context, account string) (AccountCeilings, error) {
	var out AccountCeilings
	err := c.Do(ctx, "GET", "/api/v1/admin/accounts/"+url.PathEscape(account)+"/ceilings", nil, &out)
	return out, err
}

// SetAccountCeilings sets some of one account's ceilings (the operator
// token only); change holds the fields to set, as the API names them.
func (c *Client) SetAccountCeilings(ctx context.Context, account string, change map[string]any) (AccountCeilings, error) {
	var out AccountCeilings
	err := c.Do(ctx, "PUT", "/api/v1/admin/accounts/"+url.PathEscape(account)+"/ceilings", change, &out)
	return out, err
}

// Status returns a world's status record. id may be a workflow ID.
func (c *Client) Status(ctx context.Context, id string) (Status, error) {
	var out Status
	err := c.Do(ctx, "GET", "/api/v1/worlds/"+url.PathEscape(id)+"/status", nil, &out)
	return out, err
}

// Cancel cancels a world's generation.
func (c *Client) Cancel(ctx context.Context, id string) (Status, error) {
	var out Status
	err := c.Do(ctx, "POST", "/api/v1/worlds/"+url.PathEscape(id)+"/cancel", nil, &out)
	return out, err
}

// Characters returns one page of a world's characters.
func (c *Client) Characters(ctx context.Context, id string, limit int, cursor string) ([]Character, string, error) {
	return page[Character](ctx, c, "/api/v1/worlds/"+url.PathEscape(id)+"/characters", "characters", limit, cursor)
}

// Posts returns one page of a world's feed.
func (c *Client) Posts(ctx context.Context, id string, limit int, cursor string) ([]Post, string, error) {
	return page[Post](ctx, c, "/api/v1/worlds/"+url.PathEscape(id)+"/posts", "posts", limit, cursor)
}

// GrantRole sets an account's role (moderator, admin, or none to take it
// away); account is its ID or username. Admins grant moderator, the
// operator token admin too.
func (c *Client) GrantRole(ctx context.Context, account, role string) (User, error) {
	var out User
	err := c.Do(ctx, "POST", "/api/v1/admin/users/"+url.PathEscape(account)+"/roles", map[string]string{"role": role}, &out)
	return out, err
}

// Cases returns one page of the moderation queue: status open, resolved,
// or "" for both.
func (c *Client) Cases(ctx context.Context, status string, limit int, cursor string) ([]Case, string, error) {
	path := "/api/v1/admin/cases"
	if status != "" {
		path += "?status=" + url.QueryEscape(status)
	}
	return page[Case](ctx, c, path, "cases", limit, cursor)
}

// AuditQuery selects audit entries: one subject's, one actor's, or all.
type AuditQuery struct {
	SubjectType, SubjectID, Actor string
}

// Audit returns one page of the audit log, newest first.
func (c *Client) Audit(ctx context.Context, q AuditQuery, limit int, cursor string) ([]AuditEntry, string, error) {
	v := url.Values{}
	for k, val := range map[string]string{"subject_type": q.SubjectType, "subject_id": q.SubjectID, "actor": q.Actor} {
		if val != "" {
			v.Set(k, val)
		}
	}
	path := "/api/v1/admin/audit"
	if len(v) > 0 {
		path += "?" + v.Encode()
	}
	return page[AuditEntry](ctx, c, path, "entries", limit, cursor)
}

// page fetches one page of the list at path: its items, which the answer
// names name, and the cursor of the next page ("" after the last).
func page[T any](ctx context.Context, c *Client, path, name string, limit int, cursor string) ([]T, string, error) {
	var out map[string]json.RawMessage
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	if err := c.Do(ctx, "GET", fmt.Sprintf("%s%slimit=%d&cursor=%s", path, sep, limit, url.QueryEscape(cursor)), nil, &out); err != nil {
		return nil, "", err
	}
	var items []T
	var next string
	if err := json.Unmarshal(out[name], &items); err != nil {
		return nil, "", fmt.Errorf("decoding the %s of %s: %w", name, path, err)
	}
	if raw, ok := out["next_cursor"]; ok {
		if err := json.Unmarshal(raw, &next); err != nil {
			return nil, "", fmt.Errorf("decoding the next cursor of %s: %w", path, err)
		}
	}
	return items, next, nil
}

// All returns every item of a paged list, fetching page after page from
// the first, whose cursor is "".
func All[T any](fetch func(cursor string) ([]T, string, error)) ([]T, error) {
	var all []T
	for cursor := ""; ; {
		items, next, err := fetch(cursor)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if cursor = next; cursor == "" {
			return all, nil
		}
	}
}

// Media returns an image's bytes and content type.
func (c *Client) Media(ctx context.Context, id string) ([]byte, string, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", c.BaseURL+"/api/v1/media/"+url.PathEscape(id), nil)
	if err != nil {
		return nil, "", err
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", decodeError(resp)
	}
	b, err := io.ReadAll(resp.Body)
	return b, resp.Header.Get("Content-Type"), err
}

// Watch follows a world's status stream, calling fn with each status, until
// the generation ends or ctx is done. If the stream breaks it reconnects.
func (c *Client) Watch(ctx context.Context, id string, fn func(Status)) (Status, error) {
	var last Status
	for {
		st, err := c.watchOnce(ctx, id, fn)
		if st.WorldID != "" {
			last = st
		}
		if last.Terminal() {
			return last, nil
		}
		if ctx.Err() != nil {
			return last, ctx.Err()
		}
		var apiErr *Error
		if errors.As(err, &apiErr) && apiErr.Status < 500 {
			return last, err
		}
		select {
		case <-ctx.Done():
			return last, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

func (c *Client) watchOnce(ctx context.Context, id string, fn func(Status)) (Status, error) {
	var last Status
	err := c.stream(ctx, "/api/v1/worlds/"+url.PathEscape(id)+"/status/stream", "", func(_, _ string, data []byte) error {
		var st Status
		if err := json.Unmarshal(data, &st); err != nil {
			return fmt.Errorf("decoding a status event: %w", err)
		}
		last = st
		fn(st)
		return nil
	})
	return last, err
}

// Event is one event of a world's stream (Events): a new post, a new
// comment, the state of its life, or a notification of the reader's; or
// of an account's stream (AccountEvents): its unread count, or a
// notification.
type Event struct {
	// Kind is "post", "comment", "life", "notification" or "unread"; ID
	// is what Events takes to resume after it.
	Kind, ID     string
	Post         *Post
	Comment      *Comment
	Notification *apiv1.NotificationEvent
	// State is the life's state, for a life event.
	State string
	// Unread is the reader's count of unread notifications, for an unread
	// event.
	Unread int
}

// errStop ends a stream its reader is done with.
var errStop = errors.New("stop")

// Events follows what is added to a world (its live stream) from after the
// event lastID (from now, if empty), calling fn with each event until fn
// returns false, ctx is done or the stream ends.
func (c *Client) Events(ctx context.Context, worldID, lastID string, fn func(Event) bool) error {
	return c.events(ctx, "/api/v1/worlds/"+url.PathEscape(worldID)+"/events", lastID, fn)
}

// AccountEvents follows the reader's notifications from every world (their
// account's stream), as Events follows a world.
func (c *Client) AccountEvents(ctx context.Context, lastID string, fn func(Event) bool) error {
	return c.events(ctx, "/api/v1/me/events", lastID, fn)
}

// events reads the event stream of path, calling fn with each event.
func (c *Client) events(ctx context.Context, path, lastID string, fn func(Event) bool) error {
	err := c.stream(ctx, path, lastID, func(event, id string, data []byte) error {
		e := Event{Kind: event, ID: id}
		var v any
		switch event {
		case "post":
			e.Post = new(Post)
			v = e.Post
		case "comment":
			e.Comment = new(Comment)
			v = e.Comment
		case "life":
			v = &struct {
				State *string `json:"state"`
			}{&e.State}
		case "notification":
			e.Notification = new(apiv1.NotificationEvent)
			v = e.Notification
		case "unread":
			v = &struct {
				Count *int `json:"count"`
			}{&e.Unread}
		default:
			return nil // an event of a later version
		}
		if err := json.Unmarshal(data, v); err != nil {
			return fmt.Errorf("decoding a %s event: %w", event, err)
		}
		if !fn(e) {
			return errStop
		}
		return nil
	})
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

// stream reads the server-sent events of path, calling fn with each
// event's name, ID and data, until fn fails or the stream ends.
func (c *Client) stream(ctx context.Context, path, lastID string, fn func(event, id string, data []byte) error) error {
	req, err := http.NewRequestWithContext(ctx, "GET", c.BaseURL+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/event-stream")
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	stream := &http.Client{Transport: c.HTTP.Transport} // no overall timeout on a stream
	resp, err := stream.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return decodeError(resp)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var event, id string
	var data []byte
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if data != nil {
				if err := fn(event, id, data); err != nil {
					return err
				}
			}
			event, data = "", nil
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "id: "):
			id = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "data: "):
			if data != nil {
				data = append(data, '\n')
			}
			data = append(data, strings.TrimPrefix(line, "data: ")...)
		}
	}
	return sc.Err()
}
