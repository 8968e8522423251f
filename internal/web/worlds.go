package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/generia/generia/internal/content"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/httpstatus"
	"github.com/generia/generia/internal/offline"
	"github.com/generia/generia/internal/social"
)

// Page sizes of the UI's lists.
const (
	catalogPageSize  = 12               // fills rows of 2 and of 3 cards
	feedPageSize     = generia.FeedPage // the pictures of the first page are made before anyone asks
	gridPageSize     = 12
	commentsPageSize = 50
	// maxListedCharacters bounds the characters listed on the about page
	// and matched against a profile's relationships.
	maxListedCharacters = 500
)

// catalogTabs maps the catalog's tabs to world list scopes.
var catalogTabs = map[string]string{"all": generia.ScopeAll, "mine": generia.ScopeMine, "joined": generia.ScopeJoined}

// worldCards is a page of world cards and what loads the next one.
type worldCards struct {
	Worlds []generia.World
	// Next is the next page's cursor, "" on the last page.
	Next string
	// MoreURL is the next page without JavaScript, FragmentURL its cards
	// alone for the script to append.
	MoreURL, FragmentURL string
}

type catalogData struct {
	// Base is the catalog's address: / for a visitor, /explore for a
	// person, whose / is their home.
	Base  string
	Tab   string
	Paged bool
	Cards worldCards
	// Search is what the catalog was searched for, and Sort its order.
	Search, Sort string
}

// catalogSorts are the catalog's orders, as its form offers them.
var catalogSorts = []struct{ Value, Label string }{
	{generia.SortNewest, "Newest"},
	{generia.SortPosts, "Most posts"},
	{generia.SortOldest, "Oldest"},
}

func catalogTab(r *http.Request) (tab, scope string) {
	tab = r.URL.Query().Get("tab")
	scope, ok := catalogTabs[tab]
	if !ok {
		return "all", generia.ScopeAll
	}
	return tab, scope
}

func (h *Handler) listWorlds(r *http.Request, v viewer) (string, worldCards, error) {
	tab, scope := catalogTab(r)
	search, sort := r.URL.Query().Get("q"), r.URL.Query().Get("sort")
	worlds, next, err := h.social.Worlds(r.Context(), v.ID, social.WorldQuery{Scope: scope, Search: search, Sort: sort},
		generia.Page{Limit: catalogPageSize, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		return tab, worldCards{}, err
	}
	c := worldCards{Worlds: worlds, Next: next}
	if next != "" {
		q := url.Values{"cursor": {next}}
		if tab != "all" {
			q.Set("tab", tab)
		}
		if search != "" {
			q.Set("q", search)
		}
		if sort != "" {
			q.Set("sort", sort)
		}
		c.MoreURL, c.FragmentURL = catalogBase(v)+"?"+q.Encode(), "/worlds/cards?"+q.Encode()
	}
	return tab, c, nil
}

// catalogBase is the catalog's address for a viewer: a visitor's /, a
// person's /explore (their / is their home).
func catalogBase(v viewer) string {
	if v.SignedIn() {
		return "/explore"
	}
	return "/"
}

// catalog is the worlds a viewer can see, by tab: a visitor's home page,
// a person's explore tab.
func (h *Handler) catalog(w http.ResponseWriter, r *http.Request, req request) {
	v := req.viewer
	tab, cards, err := h.listWorlds(r, v)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := catalogData{Base: catalogBase(v), Tab: tab, Paged: r.URL.Query().Get("cursor") != "", Cards: cards, Search: r.URL.Query().Get("q"), Sort: r.URL.Query().Get("sort")}
	h.render(w, r, http.StatusOK, "catalog", h.newPage(r, v, "", d))
}

// catalogCards is the next page of world cards, for "load more".
func (h *Handler) catalogCards(w http.ResponseWriter, r *http.Request, req request) {
	_, cards, err := h.listWorlds(r, req.viewer)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderFragment(w, r, "world_cards_page", cards)
}

// createForm is what the create page's form holds.
type createForm struct {
	Name, Prompt, Visibility string
	Characters, Posts        int
}

type createData struct {
	Form createForm
	// Errors says what was wrong, beside each field (Errors[""]: the form
	// as a whole).
	Errors   map[string]string
	Estimate estimate
	Cost     costView
	Limits   struct{ MinCharacters, MaxCharacters, MinPosts, MaxPosts, MaxPrompt, MaxName int }
	Progress progressView
	// OfflineText is set when new worlds are written by the offline writer,
	// which writes English whatever the idea's language; LanguageNotice,
	// when the form's idea is in another language, says so.
	OfflineText    bool
	LanguageNotice string
}

func (h *Handler) createData(ctx context.Context, v viewer, f createForm, errs map[string]string) createData {
	d := createData{Form: f, Errors: errs, Estimate: estimateCalls(f.Characters, f.Posts), Progress: placeholderProgress(v.CSRF)}
	d.Cost = h.costView(ctx, d.Estimate)
	d.Limits.MinCharacters, d.Limits.MaxCharacters = generia.MinCharacters, generia.MaxCharacters
	d.Limits.MinPosts, d.Limits.MaxPosts = generia.MinPosts, generia.MaxPosts
	d.Limits.MaxPrompt, d.Limits.MaxName = generia.MaxPromptLength, generia.MaxNameLength
	d.OfflineText = h.social.Providers.LLM == generia.OfflineProvider
	d.LanguageNotice = languageNotice(h.social.Providers, f.Prompt)
	return d
}

// languageNotice tells the person that a world of the idea prompt, written
// by the providers p, will be in English although the idea is not; "" when
// a connected model writes it or the idea is in English.
func languageNotice(p generia.Providers, prompt string) string {
	if p.LLM != generia.OfflineProvider || !offline.ProbablyNotEnglish(prompt) {
		return ""
	}
	return offline.LanguageNotice
}

// clampInt reads a whole number, clamped to [lo, hi]; def when missing or
// not a number.
func clampInt(s string, lo, hi, def int) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return def
	}
	return min(max(n, lo), hi)
}

// newWorld is the create page. Its query may fill the form in (prompt,
// name, characters, posts, visibility), as "try again" links do.
func (h *Handler) newWorld(w http.ResponseWriter, r *http.Request, req request) {
	v := req.viewer
	q := r.URL.Query()
	f := createForm{
		Name: q.Get("name"), Prompt: q.Get("prompt"), Visibility: q.Get("visibility"),
		Characters: clampInt(q.Get("characters"), generia.MinCharacters, generia.MaxCharacters, 3),
		Posts:      clampInt(q.Get("posts"), generia.MinPosts, generia.MaxPosts, 10),
	}
	if f.Visibility != generia.VisibilityPrivate {
		f.Visibility = generia.VisibilityPublic
	}
	h.render(w, r, http.StatusOK, "create", h.newPage(r, v, "Create a world", h.createData(r.Context(), v, f, nil)))
}

// createWorld starts a world's generation from the form, for browsers
// without the script (which posts to the API instead), and shows the world.
func (h *Handler) createWorld(w http.ResponseWriter, r *http.Request, req request) {
	v := req.viewer
	f := createForm{
		Name: r.PostFormValue("name"), Prompt: r.PostFormValue("prompt"), Visibility: r.PostFormValue("visibility"),
		Characters: clampInt(r.PostFormValue("characters_count"), -1, 1000, 0),
		Posts:      clampInt(r.PostFormValue("posts_count"), -1, 1000, 0),
	}
	nw := generia.NewWorld{Name: f.Name, Prompt: f.Prompt, CharactersCount: f.Characters, PostsCount: f.Posts, Visibility: f.Visibility}
	err := nw.Validate()
	var errs map[string]string
	switch {
	case f.Characters < generia.MinCharacters || f.Characters > generia.MaxCharacters:
		err = generia.Errorf(generia.KindInvalid, "choose %d to %d characters", generia.MinCharacters, generia.MaxCharacters)
		errs = map[string]string{"characters_count": message(err)}
	case f.Posts < generia.MinPosts || f.Posts > generia.MaxPosts:
		err = generia.Errorf(generia.KindInvalid, "choose %d to %d posts", generia.MinPosts, generia.MaxPosts)
		errs = map[string]string{"posts_count": message(err)}
	}
	var world generia.World
	if err == nil {
		world, err = h.social.CreateWorld(r.Context(), v.ID, nw)
	}
	if err != nil {
		if !isFormError(err) {
			h.fail(w, r, err)
			return
		}
		f.Characters = min(max(f.Characters, generia.MinCharacters), generia.MaxCharacters)
		f.Posts = min(max(f.Posts, generia.MinPosts), generia.MaxPosts)
		if errs == nil {
			errs = fieldErrors(err, "prompt", "name", "visibility")
		}
		h.render(w, r, formStatus(err), "create", h.newPage(r, v, "Create a world", h.createData(r.Context(), v, f, errs)))
		return
	}
	http.Redirect(w, r, "/worlds/"+world.ID, http.StatusSeeOther)
}

// feedCards is a page of post cards and what loads the next one.
type feedCards struct {
	WorldID string
	Posts   []generia.Post
	// Worlds, in a feed of several worlds (the home), name the world of
	// each post by its ID.
	Worlds  map[string]generia.World
	Viewer  viewer
	Next    string
	MoreURL string
	// FragmentURL is the next page's cards alone, for infinite scroll.
	FragmentURL string
}

// feedPage is a page of a world's feed, or of its posts with a hashtag
// (the hashtag parameter of a fragment).
func (h *Handler) feedPage(r *http.Request, v viewer, worldID string) (feedCards, error) {
	return h.postsPage(r, v, worldID, r.URL.Query().Get("hashtag"))
}

func (h *Handler) postsPage(r *http.Request, v viewer, worldID, tag string) (feedCards, error) {
	page := generia.Page{Limit: feedPageSize, Cursor: r.URL.Query().Get("cursor")}
	var posts []generia.Post
	var next string
	var err error
	if tag == "" {
		posts, next, err = h.social.Feed(r.Context(), v.ID, worldID, page)
	} else {
		posts, next, err = h.social.Tagged(r.Context(), v.ID, worldID, tag, page)
	}
	if err != nil {
		return feedCards{}, err
	}
	f := feedCards{WorldID: worldID, Posts: posts, Viewer: v, Next: next}
	if next != "" {
		q := url.Values{"cursor": {next}}
		here := "/worlds/" + worldID
		if tag != "" {
			here += "/tags/" + url.PathEscape(tag)
			q.Set("hashtag", tag)
		}
		f.MoreURL = here + "?" + url.Values{"cursor": {next}}.Encode()
		f.FragmentURL = "/worlds/" + worldID + "/feed?" + q.Encode()
	}
	return f, nil
}

type tagData struct {
	View social.WorldView
	Tag  string
	Feed feedCards
}

// tag is a world's posts with a hashtag.
func (h *Handler) tag(w http.ResponseWriter, r *http.Request, req request) {
	v := req.viewer
	view, err := h.social.World(r.Context(), v.ID, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	tag := r.PathValue("tag")
	f, err := h.postsPage(r, v, view.World.ID, tag)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := tagData{View: view, Tag: strings.TrimLeft(tag, "#"), Feed: f}
	title := "#" + d.Tag + " in " + worldName(view.World)
	h.render(w, r, http.StatusOK, "tag", h.newPage(r, v, title, d).describe(r, "Posts with #"+d.Tag+" in "+worldName(view.World)+". "+worldSummary(view.World), view.World.HeaderMediaID))
}

// composeForm and characterForm hold what was typed into the world page's
// forms, shown again with an error.
// composeForm and characterForm are forms sent back: what was typed, the
// messages beside the fields they refuse (Errors) and one about the form
// as a whole (Error).
type composeForm struct {
	CharacterID, Caption, Hashtags, Error string
	Errors                                map[string]string
}

type characterForm struct {
	DisplayName, Username, Bio, Error string
	Errors                            map[string]string
}

// formErrors places a refusal beside its field: the image's own field when
// the image or its media_id was refused, else the field the error refuses,
// else the form.
func formErrors(err, uploadErr error, fields ...string) (map[string]string, string) {
	if err == uploadErr && generia.IsKind(err, generia.KindInvalid) || generia.ErrorField(err) == "media_id" {
		return map[string]string{"file": message(err)}, ""
	}
	errs := fieldErrors(err, fields...)
	return errs, errs[""]
}

type worldForms struct {
	Compose   composeForm
	Character characterForm
}

type worldData struct {
	View     social.WorldView
	Progress *progressView
	// Ended is set when the generation failed or was cancelled.
	Ended    bool
	RetryURL string
	Feed     feedCards
	Paged    bool
	// Mine are the viewer's characters in the world.
	Mine               []generia.Character
	CanCompose         bool
	CanCreateCharacter bool
	MaxCharacters      int
	// LanguageNotice says that the world is written in English although its
	// idea is not, by the offline writer.
	LanguageNotice string
	Forms          worldForms
	Limits         struct{ Caption, Bio, DisplayName int }
	// Life is a completed world's life; its settings and spending are
	// there for the owner only.
	Life *generia.LifeView
	// LifeMax is the most the owner may choose of each life setting (the
	// operator's ceilings), and Ceilings the ceilings themselves.
	LifeMax  generia.LifeSettings
	Ceilings generia.Ceilings
}

// world is a world's page: its header, the generation's live progress
// while it runs, the composer and the feed.
func (h *Handler) world(w http.ResponseWriter, r *http.Request, req request) {
	h.showWorld(w, r, req.viewer, http.StatusOK, worldForms{})
}

func (h *Handler) showWorld(w http.ResponseWriter, r *http.Request, v viewer, status int, forms worldForms) {
	view, err := h.social.World(r.Context(), v.ID, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := worldData{View: view, Forms: forms, MaxCharacters: social.MaxCharactersOfUser, Paged: r.URL.Query().Get("cursor") != "",
		LanguageNotice: languageNotice(view.World.Providers, view.World.Prompt)}
	d.Limits.Caption, d.Limits.Bio, d.Limits.DisplayName = social.MaxCaptionLength, social.MaxBioLength, social.MaxDisplayName
	cacheKey := ""
	switch view.Status.Status {
	case generia.StatusCompleted:
		if h.social.Lives() {
			if l, err := h.social.LifeOf(r.Context(), v.ID, view.World.ID); err == nil {
				d.Life = &l
				if l.Ceilings != nil {
					d.Ceilings = *l.Ceilings
				}
				d.LifeMax = d.Ceilings.LifeMax()
			} else if !httpstatus.ClientGone(r, err) {
				h.log.Warn("reading a world's life", "world_id", view.World.ID, "error", err) // the page goes on without it
			}
		}
		if !v.SignedIn() && status == http.StatusOK {
			cacheKey = h.visitorPageKey(r, view, d.Life)
			if body, ok := h.pages.get(cacheKey, h.now()); ok {
				writeHTML(w, status, body)
				return
			}
		}
	case generia.StatusFailed, generia.StatusCancelled:
		d.Ended, d.RetryURL = true, retryURL(view.World)
	default:
		p := newProgress(view.World, view.Status, view.IsOwner, v.CSRF, h.now())
		d.Progress = &p
	}
	if d.Feed, err = h.feedPage(r, v, view.World.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	if v.SignedIn() && view.IsMember {
		if d.Mine, err = h.social.UserCharacters(r.Context(), v.ID, view.World.ID, v.ID); err != nil {
			h.fail(w, r, err)
			return
		}
		d.CanCompose = len(d.Mine) > 0
		d.CanCreateCharacter = len(d.Mine) < social.MaxCharactersOfUser
	}
	p := h.newPage(r, v, worldName(view.World), d).describe(r, worldSummary(view.World), view.World.HeaderMediaID)
	if cacheKey == "" {
		h.render(w, r, status, "world", p)
		return
	}
	body, err := h.renderBytes("world", p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.pages.put(cacheKey, body, h.now())
	writeHTML(w, status, body)
}

// visitorPageKey names what a visitor's page of a completed world shows:
// the page asked for (its address, as its links and previews name it),
// the world's content as this process wrote it, its record and its life.
func (h *Handler) visitorPageKey(r *http.Request, view social.WorldView, life *generia.LifeView) string {
	state := ""
	if life != nil {
		state = life.State
	}
	return strings.Join([]string{origin(r) + r.URL.RequestURI(), strconv.Itoa(h.social.WorldVersion(view.World.ID)),
		view.World.UpdatedAt.Format(time.RFC3339Nano), view.Status.Status, state}, "|")
}

// feed is the next page of a world's post cards, for infinite scroll.
func (h *Handler) feed(w http.ResponseWriter, r *http.Request, req request) {
	v := req.viewer
	view, err := h.social.World(r.Context(), v.ID, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f, err := h.feedPage(r, v, view.World.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderFragment(w, r, "feed_page", f)
}

type aboutData struct {
	View social.WorldView
	// Desc is the generated description; nil until it is written.
	Desc *content.WorldDescription
	// Characters are the world's own; People the characters people play.
	Characters, People []generia.Character
	Generating         bool
	// Edit is the owner's form of the world's name, description and
	// visibility.
	Edit editForm
}

// about is a world's lore, its characters and its facts.
func (h *Handler) about(w http.ResponseWriter, r *http.Request, req request) {
	h.showAbout(w, r, req.viewer, http.StatusOK, editForm{})
}

func (h *Handler) showAbout(w http.ResponseWriter, r *http.Request, v viewer, status int, edit editForm) {
	view, err := h.social.World(r.Context(), v.ID, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := aboutData{View: view, Generating: !generia.IsTerminal(view.Status.Status),
		Edit: edit.or(map[string]string{"name": view.World.Name, "description": view.World.Description, "visibility": view.World.Visibility})}
	if len(view.World.Params) > 0 && string(view.World.Params) != "null" {
		var desc content.WorldDescription
		if err := json.Unmarshal(view.World.Params, &desc); err != nil {
			h.log.Warn("a world's description does not parse", "world_id", view.World.ID, "error", err)
		} else {
			d.Desc = &desc
		}
	}
	all, err := h.allCharacters(r.Context(), v.ID, view.World.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, c := range all {
		if c.IsAI() {
			d.Characters = append(d.Characters, c)
		} else {
			d.People = append(d.People, c)
		}
	}
	h.render(w, r, status, "about", h.newPage(r, v, "About "+worldName(view.World), d).describe(r, worldSummary(view.World), view.World.HeaderMediaID))
}

// allCharacters lists a world's characters, up to maxListedCharacters.
func (h *Handler) allCharacters(ctx context.Context, viewerID, worldID string) ([]generia.Character, error) {
	var all []generia.Character
	pg := generia.Page{Limit: generia.MaxPageSize}
	for len(all) < maxListedCharacters {
		chars, next, err := h.social.Characters(ctx, viewerID, worldID, pg)
		if err != nil {
			return nil, err
		}
		all = append(all, chars...)
		if next == "" {
			break
		}
		pg.Cursor = next
	}
	return all, nil
}

// join, leave and cancel are the world page's buttons. Joining goes to
// the world page's character form, open there: what a new member does
// next.
func (h *Handler) join(w http.ResponseWriter, r *http.Request, req request) {
	id := r.PathValue("id")
	if err := h.social.JoinWorld(r.Context(), req.viewer.ID, id); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/worlds/"+url.PathEscape(id)+"#new-character", http.StatusSeeOther)
}

func (h *Handler) leave(w http.ResponseWriter, r *http.Request, req request) {
	h.worldAction(w, r, req, func(ctx context.Context, viewerID, id string) error { return h.social.LeaveWorld(ctx, viewerID, id) })
}

func (h *Handler) cancel(w http.ResponseWriter, r *http.Request, req request) {
	h.worldAction(w, r, req, func(ctx context.Context, viewerID, id string) error {
		_, err := h.social.CancelWorld(ctx, viewerID, id)
		if generia.IsKind(err, generia.KindConflict) {
			return nil // it ended meanwhile; the page shows how
		}
		return err
	})
}

// setLife changes the life of the viewer's world from the owner's form:
// a box not ticked is off, a number left empty stays as it is.
func (h *Handler) setLife(w http.ResponseWriter, r *http.Request, req request) {
	h.worldAction(w, r, req, func(ctx context.Context, viewerID, id string) error {
		on, paused := r.PostFormValue("enabled") == "1", r.PostFormValue("paused") == "1"
		ch := social.LifeChange{Enabled: &on, Paused: &paused}
		var err error
		if ch.ActionsPerHour, err = formNumber(r, "actions_per_hour", "actions an hour"); err != nil {
			return err
		}
		if ch.DailyBudgetUSD, err = formNumber(r, "daily_budget_usd", "dollars a day"); err != nil {
			return err
		}
		calls, err := formNumber(r, "daily_calls", "calls a day")
		if err != nil {
			return err
		}
		if calls != nil {
			n := int(*calls)
			if float64(n) != *calls {
				return generia.FieldErrorf("daily_calls", "calls a day must be a whole number")
			}
			ch.DailyCalls = &n
		}
		_, err = h.social.SetLife(ctx, viewerID, id, ch)
		return err
	})
}

// formNumber reads an optional number of a form; what is not one gives
// KindInvalid naming the field as what.
func formNumber(r *http.Request, name, what string) (*float64, error) {
	s := strings.TrimSpace(r.PostFormValue(name))
	if s == "" {
		return nil, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || generia.Number(what, v) != nil { // ParseFloat reads "NaN" and "Inf" too
		return nil, generia.FieldErrorf(name, "%s must be a number", what)
	}
	return &v, nil
}

func (h *Handler) worldAction(w http.ResponseWriter, r *http.Request, req request, act func(ctx context.Context, viewerID, id string) error) {
	id := r.PathValue("id")
	if err := act(r.Context(), req.viewer.ID, id); err != nil {
		h.fail(w, r, err)
		return
	}
	redirectBack(w, r, "/worlds/"+url.PathEscape(id))
}

// uploadField stores the form's image, if one was chosen; "" otherwise.
func (h *Handler) uploadField(r *http.Request, viewerID, worldID string) (string, error) {
	f, _, err := r.FormFile("file")
	if err != nil {
		return "", nil // no image chosen
	}
	defer f.Close()
	m, err := h.social.Upload(r.Context(), viewerID, worldID, f)
	return m.ID, err
}

// createPost publishes a post from the composer, for browsers without the
// script.
func (h *Handler) createPost(w http.ResponseWriter, r *http.Request, req request) {
	v, id := req.viewer, r.PathValue("id")
	f := composeForm{CharacterID: r.PostFormValue("character_id"), Caption: r.PostFormValue("caption"), Hashtags: r.PostFormValue("hashtags")}
	var err, uploadErr error
	// Refused before the image is stored, so a refusal leaves no upload.
	err = social.CheckPostText(strings.TrimSpace(f.Caption), parseHashtags(f.Hashtags))
	var mediaID string
	if err == nil {
		mediaID, err = h.uploadField(r, v.ID, id)
		if err == nil && mediaID == "" {
			err = generia.Errorf(generia.KindInvalid, "choose an image to post")
		}
		uploadErr = err
	}
	var p generia.Post
	if err == nil {
		p, err = h.social.CreatePost(r.Context(), v.ID, id, social.NewPost{
			CharacterID: f.CharacterID, Caption: f.Caption, MediaID: mediaID, Hashtags: parseHashtags(f.Hashtags),
		})
	}
	if err != nil {
		if !isFormError(err) {
			h.fail(w, r, err)
			return
		}
		f.Errors, f.Error = formErrors(err, uploadErr, "character_id", "caption", "hashtags")
		h.showWorld(w, r, v, formStatus(err), worldForms{Compose: f})
		return
	}
	http.Redirect(w, r, "/worlds/"+url.PathEscape(id)+"/posts/"+url.PathEscape(p.ID), http.StatusSeeOther)
}

// createCharacter makes the viewer's character from the world page's form,
// for browsers without the script.
func (h *Handler) createCharacter(w http.ResponseWriter, r *http.Request, req request) {
	v, id := req.viewer, r.PathValue("id")
	f := characterForm{DisplayName: r.PostFormValue("display_name"), Username: r.PostFormValue("username"), Bio: r.PostFormValue("bio")}
	avatar, err := h.uploadField(r, v.ID, id)
	uploadErr := err
	if err == nil {
		_, err = h.social.CreateCharacter(r.Context(), v.ID, id, social.NewCharacter{
			DisplayName: f.DisplayName, Username: f.Username, Bio: f.Bio, AvatarMediaID: avatar,
		})
	}
	if err != nil {
		if !isFormError(err) {
			h.fail(w, r, err)
			return
		}
		f.Errors, f.Error = formErrors(err, uploadErr, "display_name", "username", "bio")
		h.showWorld(w, r, v, formStatus(err), worldForms{Character: f})
		return
	}
	http.Redirect(w, r, "/worlds/"+url.PathEscape(id)+"#compose", http.StatusSeeOther)
}

// message is an error's client-safe message as a sentence.
func message(err error) string {
	m := generia.ErrorMessage(err)
	if m == "" {
		return m
	}
	r, n := utf8.DecodeRuneInString(m)
	return strings.ToUpper(string(r)) + m[n:]
}

// worldSummary is what a world is about, in a sentence or two: its
// description, or what it was asked for until it has one.
func worldSummary(w generia.World) string {
	if w.Description != "" {
		return w.Description
	}
	return w.Prompt
}

// mentioned sends an @mention's link to the character of that username in
// the world.
func (h *Handler) mentioned(w http.ResponseWriter, r *http.Request, req request) {
	chars, err := h.allCharacters(r.Context(), req.viewer.ID, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, c := range chars {
		if strings.EqualFold(c.Username, r.PathValue("username")) {
			http.Redirect(w, r, "/characters/"+url.PathEscape(c.ID), http.StatusSeeOther)
			return
		}
	}
	h.fail(w, r, generia.Errorf(generia.KindNotFound, "nobody is called @%s in this world", r.PathValue("username")))
}

// deleteWorld deletes the viewer's world, and goes to their worlds.
func (h *Handler) deleteWorld(w http.ResponseWriter, r *http.Request, req request) {
	if err := h.social.DeleteWorld(r.Context(), req.viewer.ID, r.PathValue("id")); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/?tab=mine", http.StatusSeeOther)
}
