package pipeline

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/generia/generia/internal/content"
	"github.com/generia/generia/internal/generia"
)

// Who acts follows the profiles: an early riser acts mostly in the world's
// morning and a night owl at night; an outgoing character more often than
// a shy one; someone without habits all day alike.
func TestWhoActsFollowsTheirProfile(t *testing.T) {
	character := func(id, routine, personality string) generia.Character {
		profile, _ := json.Marshal(content.CharacterDetail{DailyRoutine: routine, Personality: personality})
		return generia.Character{ID: id, Username: id, DisplayName: id, Profile: profile}
	}
	early := character("early", "Up before dawn for the nets; mornings at the quay.", "Steady and kind.")
	owl := character("owl", "Sleeps all day; the nights are for the stars and the tavern.", "Steady and kind.")
	plain := character("plain", "Work, then home.", "Steady and kind.")
	shares := func(hour int, cast ...generia.Character) map[string]int {
		n := map[string]int{}
		for i := range 3000 {
			n[chooseActor(cast, fmt.Sprintf("life/2026-12-02/%d", i), hour).ID]++
		}
		return n
	}
	morning, night := shares(8, early, owl, plain), shares(1, early, owl, plain)
	t.Logf("at 08:00 %v; at 01:00 %v", morning, night)
	if morning["early"] < 2*morning["owl"] || morning["early"] < 2*morning["plain"] {
		t.Errorf("in the world's morning the early riser acted %d times, the night owl %d, the plain one %d; want the early riser most",
			morning["early"], morning["owl"], morning["plain"])
	}
	if night["owl"] < 2*night["early"] || night["owl"] < 2*night["plain"] {
		t.Errorf("in the world's night the owl acted %d times, the early riser %d, the plain one %d; want the owl most",
			night["owl"], night["early"], night["plain"])
	}
	if d := morning["plain"] - night["plain"]; d > 300 || d < -300 {
		t.Errorf("someone without habits acted %d times at 08:00 and %d at 01:00; want about the same", morning["plain"], night["plain"])
	}

	bold := character("bold", "", "Loud, cheerful and opinionated about everything.")
	shy := character("shy", "", "Shy and soft-spoken; listens more than talks.")
	n := shares(15, bold, shy)
	if n["bold"] < 3*n["shy"] {
		t.Errorf("the outgoing character acted %d times, the shy one %d; want the outgoing one about 4 times as often", n["bold"], n["shy"])
	}
	if n["shy"] == 0 {
		t.Error("the shy character never acted")
	}
}
