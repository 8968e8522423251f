package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/generia/generia/internal/auth"
	"github.com/generia/generia/internal/content"
	"github.com/generia/generia/internal/fsmedia"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/localtest"
	"github.com/generia/generia/internal/ratelimit"
	"github.com/generia/generia/internal/social"
	"github.com/generia/generia/internal/socialtest"
	"github.com/generia/generia/internal/sqlite"
)

// password is every test account's password.
const password = "correct horse battery"

// fixture is a running web UI over a real SQLite store and media directory,
// seeded with:
//   - ada, who owns "Tidewater" (public, complete: 3 characters, 25
//     posts, lore, header and icon) and "Hidden Grove" (private, still
//     generating);
//   - bob, a stranger to both;
//   - cyd, a member of Tidewater.
type fixture struct {
	t      *testing.T
	srv    *httptest.Server
	store  *sqlite.Store
	files  *fsmedia.Store
	social *social.Service
	gens   *socialtest.Pipeline
	// limits are the UI's rate limits, which a test may lower before its
	// first request.
	limits *ratelimit.Limits

	ada, bob, cy generia.User
	world        generia.World
	private      generia.World
	chars        []generia.Character
	// posts are Tidewater's posts, oldest first.
	posts []generia.Post
}

var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// newFixture starts the fixture; configure sets up its social service
// (a moderator, a clock) before the server starts.
func newFixture(t *testing.T, configure ...func(*social.Service)) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{t: t, store: localtest.Store(t, dir+"/db"), files: localtest.Media(t, dir+"/media")}
	f.social, f.gens = socialtest.Service(f.store, f.files)
	for _, c := range configure {
		c(f.social)
	}
	// The rates of a default configuration: 10 sign-in attempts a minute,
	// 5 registrations and 20 worlds an hour.
	f.limits = ratelimit.New(nil, ratelimit.Rate{N: 10, Period: time.Minute}, ratelimit.Rate{N: 5, Period: time.Hour}, ratelimit.Rate{N: 20, Period: time.Hour})
	h, err := New(Options{Social: f.social, Sessions: &auth.Sessions{Store: f.store}, WorldBudgetUSD: 2, Limits: f.limits,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)

	f.ada, f.bob, f.cy = f.register("ada"), f.register("bob"), f.register("cyd")
	f.seedTidewater()
	f.seedHiddenGrove()
	return f
}

// cheapHash is password's bcrypt hash at the lowest cost, so that signing
// in stays fast under the race detector; registration itself is tested
// through the form.
var cheapHash = sync.OnceValue(func() string {
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		panic(err)
	}
	return string(h)
})

func (f *fixture) register(name string) generia.User {
	f.t.Helper()
	u, err := f.store.CreateUser(f.t.Context(), generia.User{ID: "user-" + name, Username: name, Email: name + "@example.com", CreatedAt: t0}, cheapHash())
	if err != nil {
		f.t.Fatalf("creating the account of %s: %v", name, err)
	}
	return u
}

func (f *fixture) ok(err error, what string) {
	f.t.Helper()
	if err != nil {
		f.t.Fatalf("%s: %v", what, err)
	}
}

// pngBytes is a real PNG image of the given size.
func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.RGBA{uint8(x * 3), uint8(y * 3), 180, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// smallPNG is the image of every seeded media record.
var smallPNG = sync.OnceValue(func() []byte {
	var buf bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
	}
	if err := png.Encode(&buf, img); err != nil {
		panic(err)
	}
	return buf.Bytes()
})

// media stores a generated PNG and its record.
func (f *fixture) media(worldID, id, kind string) string {
	f.t.Helper()
	data := smallPNG()
	key := "worlds/" + worldID + "/" + id + ".png"
	f.ok(f.files.Put(f.t.Context(), key, "image/png", data), "storing media")
	_, _, err := f.store.CreateMedia(f.t.Context(), generia.Media{ID: id, WorldID: worldID, Kind: kind, ContentType: "image/png",
		Size: int64(len(data)), Width: 64, Height: 64, ObjectKey: key, CreatedAt: t0})
	f.ok(err, "recording media "+id)
	return id
}

func (f *fixture) seedTidewater() {
	ctx := f.t.Context()
	w := generia.World{ID: "tidewater", OwnerID: f.ada.ID, Prompt: "A harbour city on a tide that never ebbs",
		CharactersCount: 3, PostsCount: 25, Visibility: generia.VisibilityPublic,
		Providers: generia.Providers{LLM: "offline", Image: "offline"}, WorkflowID: generia.WorldWorkflowID("tidewater"),
		CreatedAt: t0, UpdatedAt: t0}
	f.ok(f.store.CreateWorld(ctx, w, generia.NewGenerationStatus(w, generia.NewPlan(3, 25))), "creating Tidewater")
	_, err := f.store.AdvanceGeneration(ctx, w.ID, []generia.StageChange{{Stage: generia.StageWorldDescription, Status: generia.StageInProgress}}, t0)
	f.ok(err, "starting Tidewater")
	desc := content.WorldDescription{
		Name: "Tidewater", Language: "English", DescriptionShort: "A harbour where the tide never goes out.",
		Description: "The sea stands at the doorsteps.\n\nBoats are streets.", Theme: "Endless high water",
		TechnologyLevel: "Clockwork pumps and sail", SocialStructure: "The Harbour Guilds rule", Culture: "Net-mending songs",
		Geography: "A drowned delta", VisualStyle: "Teal and brass", History: "The Great Flood of 300",
		Conflicts: []string{"Pumpers against Sailors"}, CommonActivities: []string{"Mending nets at dawn"},
		TypicalStories: []string{"A lost boat comes home"},
	}
	params, _ := json.Marshal(desc)
	f.ok(f.store.SetWorldDescription(ctx, w.ID, desc.Name, desc.DescriptionShort, params), "describing Tidewater")
	f.ok(f.store.SetWorldImages(ctx, w.ID, f.media(w.ID, "tw-header", generia.MediaWorldHeader), f.media(w.ID, "tw-icon", generia.MediaWorldIcon)), "Tidewater's images")

	names := []string{"Mara Quill", "Oren Vale", "Sel Brine"}
	for i, name := range names {
		detail := content.CharacterDetail{
			Username: strings.ToLower(strings.ReplaceAll(name, " ", "_")), DisplayName: name, Bio: "Bio of " + name,
			Personality: "Patient as the tide, says " + name, Appearance: "Salt in the hair", SpeakingStyle: "Short sentences",
			Interests: []string{"knots"}, Topics: []string{"boats"},
			Relationships: []content.Relationship{
				{Name: names[(i+1)%3], Kind: "rivals", Description: "We race every morning."},
				{Name: "Nobody Known", Kind: "pen pal", Description: "Writes from far away."},
			},
		}
		profile, _ := json.Marshal(detail)
		c := generia.Character{ID: fmt.Sprintf("char-%d", i), WorldID: w.ID, Username: detail.Username, DisplayName: name,
			Bio: detail.Bio, Profile: profile, Position: i, CreatedAt: t0.Add(time.Duration(i) * time.Second)}
		c, _, err := f.store.CreateCharacter(ctx, c)
		f.ok(err, "creating "+name)
		if i < 2 { // the last one has no avatar yet
			avatar := f.media(w.ID, "avatar-"+c.ID, generia.MediaCharacterAvatar)
			f.ok(f.store.SetCharacterAvatar(ctx, c.ID, avatar), "avatar")
			c.AvatarMediaID = avatar
		}
		f.chars = append(f.chars, c)
	}
	for i := range 25 {
		c := f.chars[0] // Mara writes the first 15 posts, Oren and Sel the rest in turn
		if i >= 15 {
			c = f.chars[1+i%2]
		}
		caption := fmt.Sprintf("Caption %02d from the docks", i)
		if i == 24 {
			caption = `Newest <script>alert("x")</script> post`
		}
		p := generia.Post{ID: fmt.Sprintf("post-%02d", i), WorldID: w.ID, CharacterID: c.ID, Caption: caption,
			Hashtags: []string{"tide", fmt.Sprintf("day%d", i)}, MediaID: f.media(w.ID, fmt.Sprintf("img-%02d", i), generia.MediaPostImage),
			CreatedAt: t0.Add(time.Duration(i) * time.Hour)}
		p, _, err := f.store.CreatePost(ctx, p)
		f.ok(err, "creating a post")
		f.posts = append(f.posts, p)
	}
	var done []generia.StageChange
	for _, s := range generia.Stages {
		done = append(done, generia.StageChange{Stage: s, Status: generia.StageCompleted})
	}
	_, err = f.store.AdvanceGeneration(ctx, w.ID, done, t0.Add(time.Minute))
	f.ok(err, "advancing Tidewater")
	_, err = f.store.FinishGeneration(ctx, w.ID, generia.StatusCompleted, "", "", t0.Add(2*time.Minute))
	f.ok(err, "finishing Tidewater")
	f.ok(f.store.JoinWorld(ctx, w.ID, f.cy.ID, t0), "cy joins Tidewater")
	f.world, err = f.store.World(ctx, w.ID)
	f.ok(err, "reading Tidewater")
}

func (f *fixture) seedHiddenGrove() {
	ctx := f.t.Context()
	now := time.Now().UTC()
	w := generia.World{ID: "hidden-grove", OwnerID: f.ada.ID, Name: "Hidden Grove", Prompt: "A secret forest of singing trees",
		CharactersCount: 4, PostsCount: 8, Visibility: generia.VisibilityPrivate,
		Providers: generia.Providers{LLM: "offline", Image: "offline"}, WorkflowID: generia.WorldWorkflowID("hidden-grove"),
		CreatedAt: now, UpdatedAt: now}
	f.ok(f.store.CreateWorld(ctx, w, generia.NewGenerationStatus(w, generia.NewPlan(4, 8))), "creating Hidden Grove")
	_, err := f.store.AdvanceGeneration(ctx, w.ID, []generia.StageChange{
		{Stage: generia.StageInitializing, Status: generia.StageCompleted},
		{Stage: generia.StageWorldDescription, Status: generia.StageCompleted},
		{Stage: generia.StageCharacters, Status: generia.StageInProgress},
	}, now)
	f.ok(err, "advancing Hidden Grove")
	// The description's first call failed and was made again.
	for i, outcome := range []string{generia.OutcomeError, generia.OutcomeOK} {
		f.ok(f.store.ReserveCall(ctx, w.ID, generia.CallLLM), "reserving a Hidden Grove call")
		f.ok(f.store.RecordCall(ctx, generia.ProviderCall{WorldID: w.ID, Key: "world/description", Step: "world_description",
			Kind: generia.CallLLM, Provider: "offline", Attempt: i + 1, Duration: time.Second, Outcome: outcome}), "recording a Hidden Grove call")
	}
	c, _, err := f.store.CreateCharacter(ctx, generia.Character{ID: "grove-char", WorldID: w.ID, Username: "willow", DisplayName: "Willow Hush", CreatedAt: now})
	f.ok(err, "a Hidden Grove character")
	_, _, err = f.store.CreatePost(ctx, generia.Post{ID: "grove-post", WorldID: w.ID, CharacterID: c.ID, Caption: "Secret song", CreatedAt: now})
	f.ok(err, "a Hidden Grove post")
	f.private, err = f.store.World(ctx, w.ID)
	f.ok(err, "reading Hidden Grove")
}

// browser is one person's browser: its own cookies, no automatic redirects.
type browser struct {
	f      *fixture
	client *http.Client
	// csrf is the session's token once signed in.
	csrf string
	// page is the last page loaded, which forms are posted from (Referer).
	page string
}

func (f *fixture) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{f: f, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// signedIn returns a browser signed in as a user, through the login form.
func (f *fixture) signedIn(u generia.User) *browser {
	f.t.Helper()
	b := f.browser()
	res := b.postForm("/login", url.Values{"login": {u.Username}, "password": {password}, "_csrf": {b.formToken("/login")}})
	if res.status != http.StatusSeeOther {
		f.t.Fatalf("signing in as %s: status %d\n%s", u.Username, res.status, res.body)
	}
	b.csrf = b.get("/").match(`<meta name="csrf-token" content="([^"]+)">`)
	return b
}

// response is an answer with its body read.
type response struct {
	t      *testing.T
	status int
	header http.Header
	body   string
}

func (b *browser) do(req *http.Request) response {
	b.f.t.Helper()
	res, err := b.client.Do(req)
	if err != nil {
		b.f.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return response{t: b.f.t, status: res.StatusCode, header: res.Header, body: string(body)}
}

func (b *browser) get(path string) response {
	b.f.t.Helper()
	req, _ := http.NewRequest("GET", b.f.srv.URL+path, nil)
	b.page = b.f.srv.URL + path
	return b.do(req)
}

func (b *browser) postForm(path string, form url.Values) response {
	b.f.t.Helper()
	req, _ := http.NewRequest("POST", b.f.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if b.page != "" {
		req.Header.Set("Referer", b.page)
	}
	return b.do(req)
}

// postMultipart posts a form with an optional PNG as its "file" field.
func (b *browser) postMultipart(path string, form url.Values, file []byte) response {
	b.f.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	if file != nil {
		fw, _ := mw.CreateFormFile("file", "picture.png")
		_, _ = fw.Write(file)
	}
	_ = mw.Close()
	req, _ := http.NewRequest("POST", b.f.srv.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if b.page != "" {
		req.Header.Set("Referer", b.page)
	}
	return b.do(req)
}

// formToken loads a sign-in page and returns its form's CSRF token.
func (b *browser) formToken(path string) string {
	b.f.t.Helper()
	return b.get(path).match(`name="_csrf" value="([^"]+)"`)
}

// match returns the first group of a pattern in the body, failing the test
// when it is missing.
func (r response) match(pattern string) string {
	r.t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(r.body)
	if m == nil {
		r.t.Fatalf("no %s in the page (status %d):\n%s", pattern, r.status, r.body)
	}
	return m[1]
}

// want checks the status and that the body contains each string.
func (r response) want(status int, contains ...string) response {
	r.t.Helper()
	if r.status != status {
		r.t.Errorf("status %d, want %d\n%s", r.status, status, r.body)
	}
	for _, s := range contains {
		if !strings.Contains(r.body, s) {
			r.t.Errorf("the page lacks %q", s)
		}
	}
	return r
}

// lacks checks that the body contains none of the strings.
func (r response) lacks(strs ...string) response {
	r.t.Helper()
	for _, s := range strs {
		if strings.Contains(r.body, s) {
			r.t.Errorf("the page has %q, which it must not", s)
		}
	}
	return r
}

// redirects checks a 303 to a location.
func (r response) redirects(location string) response {
	r.t.Helper()
	if r.status != http.StatusSeeOther {
		r.t.Errorf("status %d, want 303\n%s", r.status, r.body)
	}
	if got := r.header.Get("Location"); got != location {
		r.t.Errorf("redirects to %q, want %q", got, location)
	}
	return r
}
