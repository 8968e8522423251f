package generia

import (
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Handles (usernames of characters): lowercase latin letters, digits and
// underscores.
const (
	MinHandle = 3
	MaxHandle = 24
)

// ValidHandle reports whether h is a character's handle.
func ValidHandle(h string) bool {
	if len(h) < MinHandle || len(h) > MaxHandle {
		return false
	}
	for _, r := range h {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// A Mention is an @handle or a #hashtag in a text: Word, without its sign,
// at text[Start:End] with it.
type Mention struct {
	Word       string
	Start, End int
}

// FindMentions returns the @mentions of a text, the one rule for every
// place that reads them (the links of a page, the characters a post or a
// comment calls on, the names a generated caption may keep): an @ that
// does not stand inside a word (as in an e-mail address), then MinHandle
// to MaxHandle latin letters, digits or underscores, in any case, not
// followed by another.
func FindMentions(text string) []Mention {
	return find(text, '@', func(r rune) bool {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_'
	}, MinHandle, MaxHandle)
}

// FindHashtags returns the #hashtags of a text, as its page links them: a
// # that does not stand inside a word, then 1 to MaxHashtagLength letters,
// digits or underscores of any script, not followed by another.
func FindHashtags(text string) []Mention {
	return find(text, '#', func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) || r == '_' }, 1, MaxHashtagLength)
}

// find returns the words of a text that follow sign: a sign not after a
// letter, digit or underscore, then min to max runes of which in, and no
// more of them.
func find(text string, sign byte, in func(rune) bool, min, max int) []Mention {
	var out []Mention
	for i := 0; i < len(text); i++ {
		if text[i] != sign {
			continue
		}
		if before, _ := utf8.DecodeLastRuneInString(text[:i]); i > 0 && (unicode.IsLetter(before) || unicode.IsDigit(before) || before == '_') {
			continue
		}
		end, n := i+1, 0
		for end < len(text) {
			r, size := utf8.DecodeRuneInString(text[end:])
			if !in(r) {
				break
			}
			end, n = end+size, n+1
		}
		if n >= min && n <= max {
			out = append(out, Mention{Word: text[i+1 : end], Start: i, End: end})
		}
		i = end - 1
	}
	return out
}

// MaxHashtagLength is the longest hashtag, in characters.
const MaxHashtagLength = 50

// Hashtags cleans hashtags, whoever wrote them: no '#', no spaces, none
// longer than MaxHashtagLength, no duplicates (in any case).
func Hashtags(tags []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, t := range tags {
		t = strings.Join(strings.Fields(strings.TrimLeft(strings.TrimSpace(t), "#")), "")
		if t == "" || seen[strings.ToLower(t)] || utf8.RuneCountInString(t) > MaxHashtagLength {
			continue
		}
		seen[strings.ToLower(t)] = true
		out = append(out, t)
	}
	return out
}

// CheckMediaKey returns KindInvalid for a key no media store takes: a key is
// a slash-separated relative path whose segments are neither empty, "." nor
// ".."; backslashes and NUL are refused, so that a key names the same object
// on every system and in every store.
func CheckMediaKey(key string) error {
	invalid := func(why string) error {
		return Errorf(KindInvalid, "invalid media key %q: %s", key, why)
	}
	switch {
	case key == "":
		return invalid("empty")
	case strings.HasPrefix(key, "/"):
		return invalid("absolute")
	case strings.ContainsAny(key, "\\\x00"):
		return invalid("backslash or NUL")
	}
	for seg := range strings.SplitSeq(key, "/") {
		switch seg {
		case "":
			return invalid("empty path segment")
		case ".", "..":
			return invalid("dot segment")
		}
	}
	if !filepath.IsLocal(filepath.FromSlash(key)) {
		return invalid("not a local path")
	}
	return nil
}

// VariantWidths are the widths, in pixels, that media variants are made at:
// a request for any width is served by the widest of these that is not
// wider, so that a media has at most this many variants, whatever is asked.
var VariantWidths = []int{32, 48, 64, 96, 128, 160, 240, 320, 480, 640, 960, 1280, 1920}

// VariantWidth returns the variant width that serves a request for an image
// at most requested pixels wide. A request narrower than the narrowest
// variant gives KindInvalid.
func VariantWidth(requested int) (int, error) {
	if requested < VariantWidths[0] {
		return 0, Errorf(KindInvalid, "w must be at least %d pixels", VariantWidths[0])
	}
	width := VariantWidths[0]
	for _, w := range VariantWidths {
		if w <= requested {
			width = w
		}
	}
	return width, nil
}

// Variant returns the variant that serves a request for m at most
// requested pixels wide: its width (VariantWidth of the request, or 0, the
// image at its own size, when that is as wide as the image) and its key. A
// request narrower than the narrowest variant gives KindInvalid.
func (m Media) Variant(requested int) (width int, key string, err error) {
	width, err = VariantWidth(requested)
	if err != nil {
		return 0, "", err
	}
	if m.Width > 0 && width >= m.Width {
		width = 0 // its own size: one copy serves every wider request
	}
	return width, VariantKey(m.ObjectKey, width), nil
}

// FeedPage is how many posts a page of a world's feed shows.
const FeedPage = 10

// FirstViewWidths are the widths, by kind of media, that the pages' srcsets
// ask for of a world's first view (its header and icon, its characters'
// avatars, the pictures of its newest FeedPage posts) on a phone (100vw at
// about 2 or 3 device pixels a CSS pixel) and on a desktop (1): the
// variants a generation makes before anyone asks, so that the first visitor
// waits for none.
var FirstViewWidths = map[string][]int{
	MediaWorldHeader:     {480, 960, 1280},
	MediaWorldIcon:       {96, 160, 240},
	MediaCharacterAvatar: {48, 96},
	MediaPostImage:       {640, 960, 1280},
}

// VariantKey is where the variant of the object at key that is at most
// width pixels wide is stored; width 0 is the object in the variants'
// format at its own size.
func VariantKey(key string, width int) string {
	return key + ".w" + strconv.Itoa(width)
}

// MediaKeys returns key and the keys of every variant it may have: what
// deleting a media deletes.
func MediaKeys(key string) []string {
	keys := []string{key, VariantKey(key, 0)}
	for _, w := range VariantWidths {
		keys = append(keys, VariantKey(key, w))
	}
	return keys
}
