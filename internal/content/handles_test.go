package content

import "testing"

func TestMentionsKeepOnlyCharactersOfTheWorld(t *testing.T) {
	chars := []Handle{{Username: "mara_kell"}, {Username: "ilo"}}
	for in, want := range map[string]string{
		"Lost to @ilo again. Thanks @Mara_Kell.": "Lost to @ilo again. Thanks @Mara_Kell.",
		"Say hi to @nobody and @ilo_venn":        "Say hi to nobody and ilo_venn",
		"mail me at me@harbour.town":             "mail me at me@harbour.town",
		"no mentions":                            "no mentions",
	} {
		if got := Mentions(in, chars); got != want {
			t.Errorf("Mentions(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUsernameIsAlwaysAValidHandle(t *testing.T) {
	for _, tc := range []struct{ proposed, display, want string }{
		{"mara_kell", "Mara Kell", "mara_kell"},
		{"Mara-Kell!", "Mara Kell", "marakell"},
		{"", "Élodie Laurent", "lodie_laurent"},
		{"", "李", "character_3"},
		{"a_very_long_username_that_goes_on_and_on", "", "a_very_long_username_tha"},
	} {
		if got := Username(tc.proposed, tc.display, 2); got != tc.want {
			t.Errorf("Username(%q, %q) = %q, want %q", tc.proposed, tc.display, got, tc.want)
		}
	}
}
