package generia

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestHashtagsAreCleaned(t *testing.T) {
	got := Hashtags([]string{"#tide", "Tide", " salt air ", "", "##", "harbour", strings.Repeat("x", MaxHashtagLength+1)})
	if want := []string{"tide", "saltair", "harbour"}; !slices.Equal(got, want) {
		t.Errorf("Hashtags = %q, want %q", got, want)
	}
	if got := Hashtags(nil); got == nil || len(got) != 0 {
		t.Errorf("Hashtags(nil) = %#v, want an empty list", got)
	}
}

func TestValidHandle(t *testing.T) {
	for h, want := range map[string]bool{
		"mara_kell": true, "ab": false, "abc": true, strings.Repeat("a", MaxHandle): true, strings.Repeat("a", MaxHandle+1): false,
		"Mara": false, "ma-ra": false, "élodie": false, "a b c": false, "": false,
	} {
		if got := ValidHandle(h); got != want {
			t.Errorf("ValidHandle(%q) = %v, want %v", h, got, want)
		}
	}
}

// The media key rule every media store applies, so that media move between
// stores unchanged.
func TestCheckMediaKey(t *testing.T) {
	for _, ok := range []string{"a.png", "worlds/w1/posts/p-1.webp", "worlds/w1/ünïcode name.png", "...", "a/.../b", ".hidden", "a/.b",
		"a b", "a?b=c", "a#b", "a%2Fb", "C:x", "NUL"} {
		if err := CheckMediaKey(ok); err != nil {
			t.Errorf("CheckMediaKey(%q) = %v, want it taken", ok, err)
		}
	}
	for _, bad := range []string{"", "/etc/passwd", "/a.png", "../a.png", "a/../../b.png", "a/..", "..", ".", `a\b.png`, `..\a.png`,
		"a//b.png", "./a.png", "a/./b.png", "a/", "a/b/", "a\x00b"} {
		if err := CheckMediaKey(bad); !IsKind(err, KindInvalid) {
			t.Errorf("CheckMediaKey(%q) = %v, want KindInvalid", bad, err)
		}
	}
}

func TestFindMentionsIsOneRuleForEveryReader(t *testing.T) {
	for text, want := range map[string][]string{
		"Lost to @ilo again, thanks @Mara_Kell.":   {"ilo", "Mara_Kell"},
		"mail me at me@harbour.town":               nil, // an e-mail address
		"not @ab, not @" + strings.Repeat("a", 25): nil, // too short, too long
		"@" + strings.Repeat("a", 24) + "!":        {strings.Repeat("a", 24)},
		"(@oren_vale) @@ilo ✨@tide":                {"oren_vale", "ilo", "tide"},
		"café@ilo _@ilo 9@ilo":                     nil, // after a letter, an underscore, a digit
		"@ilo-venn @ilo's":                         {"ilo", "ilo"},
	} {
		var got []string
		for _, m := range FindMentions(text) {
			if text[m.Start:m.End] != "@"+m.Word {
				t.Errorf("FindMentions(%q): %q at [%d:%d] is %q", text, m.Word, m.Start, m.End, text[m.Start:m.End])
			}
			got = append(got, m.Word)
		}
		if !slices.Equal(got, want) {
			t.Errorf("FindMentions(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestFindHashtagsAsPagesLinkThem(t *testing.T) {
	long := strings.Repeat("é", MaxHashtagLength)
	for text, want := range map[string][]string{
		"#Tide at #été_2 (#salt)":           {"Tide", "été_2", "salt"},
		"issue#12 ##deep #" + long:          {"deep", long},
		"#" + long + "x and # alone and #!": nil, // too long, empty
		"@ilo#tag #a#b":                     {"a"},
	} {
		var got []string
		for _, m := range FindHashtags(text) {
			got = append(got, m.Word)
		}
		if !slices.Equal(got, want) {
			t.Errorf("FindHashtags(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestAFieldErrorCarriesItsField(t *testing.T) {
	err := fmt.Errorf("saving: %w", FieldErrorf("hashtags", "at most %d hashtags", 10))
	if ErrorField(err) != "hashtags" || !IsKind(err, KindInvalid) || ErrorMessage(err) != "at most 10 hashtags" {
		t.Errorf("field %q, kind %q, message %q; want hashtags, invalid, the message as written", ErrorField(err), ErrorKind(err), ErrorMessage(err))
	}
	if f := ErrorField(Errorf(KindInvalid, "hashtags must be …")); f != "" {
		t.Errorf("an error that names a field only in its text gives field %q, want none", f)
	}
}
