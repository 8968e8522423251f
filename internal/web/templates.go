package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/generia/generia/internal/generia"
)

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// views holds the parsed templates: one set per page (the layout, the
// partials and that page's "content"), and the shared set that renders
// fragments.
type views struct {
	pages  map[string]*template.Template
	shared *template.Template
}

// parseViews parses the embedded templates.
func parseViews(funcs template.FuncMap) (*views, error) {
	shared, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return nil, err
	}
	files, err := fs.Glob(templateFS, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	v := &views{pages: map[string]*template.Template{}, shared: shared}
	for _, f := range files {
		t, err := shared.Clone()
		if err != nil {
			return nil, err
		}
		if t, err = t.ParseFS(templateFS, f); err != nil {
			return nil, err
		}
		v.pages[strings.TrimSuffix(path.Base(f), ".html")] = t
	}
	return v, nil
}

func (v *views) page(w io.Writer, name string, p page) error {
	t, ok := v.pages[name]
	if !ok {
		return fmt.Errorf("no page template %q", name)
	}
	return t.ExecuteTemplate(w, "layout", p)
}

func (v *views) fragment(w io.Writer, name string, data any) error {
	return v.shared.ExecuteTemplate(w, name, data)
}

// assetVersion is a hash of the static files, so their URLs change when
// they do and browsers may cache them for long.
var assetVersion = func() string {
	h := sha256.New()
	_ = fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := staticFS.ReadFile(p)
			h.Write([]byte(p))
			h.Write(b)
		}
		return err
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}()

// staticHandler serves the embedded CSS, script and icon.
func staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("v") == assetVersion {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=300")
		}
		files.ServeHTTP(w, r)
	})
}

// funcs are the templates' helpers. None of them returns template.HTML:
// everything user-written or generated is escaped by html/template.
func (h *Handler) funcs() template.FuncMap {
	return template.FuncMap{
		"media":      mediaURL,
		"image":      srcsetOf,
		"sorts":      func() any { return catalogSorts },
		"timeago":    func(t time.Time) string { return timeago(h.now(), t) },
		"fulltime":   fulltime,
		"isotime":    func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"hashtags":   hashtags,
		"trimHash":   func(tag string) string { return strings.TrimPrefix(tag, "#") },
		"linked":     linked,
		"plural":     plural,
		"usd":        usd,
		"initial":    initial,
		"truncate":   truncate,
		"paras":      paragraphs,
		"worldName":  worldName,
		"percent":    worldPercent,
		"dict":       dict,
		"add":        func(a, b int) int { return a + b },
		"sub":        func(a, b int) int { return a - b },
		"atLeast1":   func(n int) int { return max(n, 1) },
		"lifeHelp":   lifeHelp,
		"action":     actionName,
		"verb":       actionVerb,
		"reason":     reasonName,
		"labels":     labelList,
		"thumb":      func(id string) string { return variantURL(id, 160) },
		"subjectURL": subjectURL,
	}
}

// lifeHelp says what a world's life state means.
func lifeHelp(state string) string {
	switch state {
	case generia.LifeAwake:
		return "Someone is here: the characters answer and act"
	case generia.LifeAsleep:
		return "Nobody watched for a while: a visit or a comment wakes it"
	case generia.LifeResting:
		return "The world spent its day's calls; it rests until tomorrow (UTC)"
	case generia.LifePaused:
		return "Its owner paused it"
	}
	return "Its characters do not live on their own"
}

// mediaURL is where the API serves an image; "" for no image.
func mediaURL(id string) string {
	if id == "" {
		return ""
	}
	return "/api/v1/media/" + id
}

// An imageSet is what an <img> needs to download an image at the size it is
// shown: its fallback src, its srcset of variants and its sizes.
type imageSet struct{ Src, Srcset, Sizes string }

// imageRoles are the places images are shown: the variant widths offered
// (for screens of 1 to 3 device pixels a CSS pixel) and how wide app.css
// draws them.
var imageRoles = map[string]struct {
	widths []int
	sizes  string
}{
	"avatar-sm":   {[]int{48, 96}, "36px"},
	"avatar-md":   {[]int{64, 160}, "52px"},
	"avatar-lg":   {[]int{128, 240, 320}, "112px"},
	"icon":        {[]int{96, 160, 240}, "80px"},
	"header":      {[]int{480, 640, 960, 1280, 1920}, "(min-width: 1120px) 1088px, 100vw"},
	"header-card": {[]int{320, 480, 640, 960}, "(min-width: 960px) 352px, (min-width: 640px) 50vw, 100vw"},
	"post":        {[]int{320, 480, 640, 960, 1280}, "(min-width: 672px) 640px, 100vw"},
	"post-full":   {[]int{480, 640, 960, 1280}, "(min-width: 1120px) 643px, (min-width: 960px) 58vw, (min-width: 752px) 720px, 100vw"},
	"grid":        {[]int{160, 240, 320, 480}, "(min-width: 1120px) 360px, 33vw"},
}

// srcsetOf returns the srcset of a media for one of imageRoles.
func srcsetOf(role, id string) imageSet {
	r, ok := imageRoles[role]
	if !ok {
		panic("web: no image role " + role)
	}
	var set []string
	for _, w := range r.widths {
		set = append(set, variantURL(id, w)+" "+strconv.Itoa(w)+"w")
	}
	return imageSet{Src: variantURL(id, r.widths[len(r.widths)/2]), Srcset: strings.Join(set, ", "), Sizes: r.sizes}
}

// variantURL is where the API serves a media at most width pixels wide.
func variantURL(id string, width int) string {
	return mediaURL(id) + "?w=" + strconv.Itoa(width)
}

// timeago says how long ago (or how far ahead) t is from now, e.g.
// "3 days ago" or "in 2 hours".
func timeago(now, t time.Time) string {
	d := now.Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	var s string
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		s = plural(int(d/time.Minute), "minute", "minutes")
	case d < 24*time.Hour:
		s = plural(int(d/time.Hour), "hour", "hours")
	case d < 30*24*time.Hour:
		s = plural(int(d/(24*time.Hour)), "day", "days")
	case d < 365*24*time.Hour:
		s = plural(int(d/(30*24*time.Hour)), "month", "months")
	default:
		s = plural(int(d/(365*24*time.Hour)), "year", "years")
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

// fulltime is a moment written out, for title attributes.
func fulltime(t time.Time) string { return t.UTC().Format("Monday, 2 January 2006 at 15:04 UTC") }

// hashtags returns tags as shown: with one leading #, empty ones dropped.
func hashtags(tags []string) []string {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		if t = strings.TrimLeft(strings.TrimSpace(t), "#"); t != "" {
			out = append(out, "#"+t)
		}
	}
	return out
}

// parseHashtags reads hashtags typed in a form: separated by spaces or
// commas, with or without #.
func parseHashtags(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
		if f = strings.TrimLeft(f, "#"); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// plural writes a count with the right noun: "1 post", "3 posts".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// initial is the first letter of a name, for image placeholders.
func initial(s string) string {
	for _, r := range strings.TrimSpace(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return strings.ToUpper(string(r))
		}
	}
	return "?"
}

// truncate shortens s to at most n characters, at a word boundary when
// one is near.
func truncate(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	cut := string(r)
	if i := strings.LastIndexAny(cut, " \n\t"); i > len(cut)*2/3 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}

// paragraphs splits generated text into its paragraphs.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// worldName is a world's name, or a stand-in while the AI has not named it.
func worldName(w generia.World) string {
	if strings.TrimSpace(w.Name) != "" {
		return w.Name
	}
	return "A world in the making"
}

// worldPercent is how much of a world's planned characters and posts
// exist.
func worldPercent(w generia.World) int {
	if w.Status == generia.StatusCompleted {
		return 100
	}
	total := w.CharactersCount + w.PostsCount
	if total == 0 {
		return 0
	}
	return min(100, (w.CharactersMade+w.PostsMade)*100/total)
}

// dict builds a map from key, value pairs, to pass several values to a
// partial.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict needs key, value pairs")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// duration writes a span of time briefly: "45 s", "3 min 20 s", "1 h 5 min".
func duration(d time.Duration) string {
	s := int(math.Round(d.Seconds()))
	switch {
	case s < 60:
		return fmt.Sprintf("%d s", s)
	case s < 3600:
		return fmt.Sprintf("%d min %d s", s/60, s%60)
	}
	return fmt.Sprintf("%d h %d min", s/3600, s%3600/60)
}

// linked is a text of a world (a caption, a comment) as HTML: escaped, its
// @mentions (generia.FindMentions) linked to the characters and its
// #hashtags (generia.FindHashtags) to the world's posts with them.
func linked(worldID, text string) template.HTML {
	type link struct {
		start, end int
		href       string
	}
	world := "/worlds/" + url.PathEscape(worldID)
	var links []link
	for _, m := range generia.FindMentions(text) {
		links = append(links, link{m.Start, m.End, world + "/at/" + m.Word})
	}
	for _, m := range generia.FindHashtags(text) {
		links = append(links, link{m.Start, m.End, world + "/tags/" + url.PathEscape(m.Word)})
	}
	// A mention holds no '#' and a hashtag no '@': the links never overlap.
	slices.SortFunc(links, func(a, b link) int { return a.start - b.start })
	var b strings.Builder
	last := 0
	for _, l := range links {
		b.WriteString(template.HTMLEscapeString(text[last:l.start]))
		fmt.Fprintf(&b, `<a href="%s">%s</a>`, template.HTMLEscapeString(l.href), template.HTMLEscapeString(text[l.start:l.end]))
		last = l.end
	}
	b.WriteString(template.HTMLEscapeString(text[last:]))
	return template.HTML(b.String())
}
