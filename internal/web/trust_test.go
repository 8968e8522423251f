package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/social"
)

// wordModerator is a moderator that flags words, as a word list or a
// moderation endpoint would: "forbidden" falls under sexual/minors (which
// the default policy blocks), "spammy" under spam (held). On a bad day it
// does not answer at all.
type wordModerator struct{ down bool }

func (m wordModerator) Name() string { return "words" }

func (m wordModerator) CheckText(_ context.Context, c generia.TextCheck) (generia.Verdict, error) {
	if m.down {
		return generia.Verdict{}, errors.New("moderation endpoint: 503 Service Unavailable")
	}
	v := generia.Verdict{Checker: "words"}
	if strings.Contains(c.Text, "forbidden") {
		v.Flagged, v.Terms = append(v.Flagged, generia.CategorySexualMinors), append(v.Terms, "forbidden")
	}
	if strings.Contains(c.Text, "spammy") {
		v.Flagged, v.Terms = append(v.Flagged, generia.CategorySpam), append(v.Terms, "spammy")
	}
	return v, nil
}

func (m wordModerator) CheckImage(context.Context, generia.ImageCheck) (generia.Verdict, error) {
	if m.down {
		return generia.Verdict{}, errors.New("moderation endpoint: 503 Service Unavailable")
	}
	return generia.Verdict{Checker: "words"}, nil
}

// staff makes an account a moderator or an admin.
func (f *fixture) staff(name, role string) generia.User {
	f.t.Helper()
	u := f.register(name)
	f.ok(f.store.SetRole(f.t.Context(), u.ID, role), "granting "+role)
	u.Role = role
	return u
}

// comment posts a comment as the browser's person and returns its ID.
func (b *browser) comment(post, text string) string {
	b.f.t.Helper()
	res := b.postForm(post+"/comments", url.Values{"text": {text}, "_csrf": {b.csrf}})
	if res.status != http.StatusSeeOther {
		b.f.t.Fatalf("commenting: status %d\n%s", res.status, res.body)
	}
	_, id, _ := strings.Cut(res.header.Get("Location"), "#comment-")
	return id
}

func TestConsoleIsForModerators(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mod := f.signedIn(f.staff("mia", generia.RoleModerator))
	bob := f.signedIn(f.bob)
	pages := []string{"/admin", "/admin?status=resolved", "/admin/people?q=b", "/admin/audit", "/admin/spend"}
	for _, p := range pages {
		f.browser().get(p).redirects(loginURL(p))
		bob.get(p).want(http.StatusForbidden, "Not allowed", "Only moderators may")
		mod.get(p).want(http.StatusOK, `aria-label="Console"`)
	}
	// The console's link shows to moderators only.
	mod.get("/").want(http.StatusOK, `href="/admin"`)
	bob.get("/").want(http.StatusOK, `href="/account/strikes"`).lacks(`href="/admin"`)
	// No one but moderators acts or answers appeals.
	bob.postForm("/admin/cases/nope/actions", url.Values{"action": {"hide"}, "reason": {"x"}, "_csrf": {bob.csrf}}).want(http.StatusForbidden)
	bob.postForm("/admin/strikes/nope/decision", url.Values{"accept": {"1"}, "reason": {"x"}, "_csrf": {bob.csrf}}).want(http.StatusForbidden)
	mod.get("/admin/cases/nope").want(http.StatusNotFound)
	// A moderator grants no roles; the form is not shown to them.
	mod.get("/admin/people?q=bob").want(http.StatusOK, "@bob").lacks(`/admin/people/` + f.bob.ID + `/role`)
	mod.postForm("/admin/people/"+f.bob.ID+"/role", url.Values{"role": {"moderator"}, "_csrf": {mod.csrf}}).want(http.StatusForbidden, "Only admins may grant roles")
}

func TestAdminGrantsRolesAndSearchesWorlds(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.signedIn(f.staff("ava", generia.RoleAdmin))
	admin.get("/admin/people?q=bob").want(http.StatusOK, "@bob", "bob@example.com", `action="/admin/people/`+f.bob.ID+`/role"`)
	admin.get("/admin/people?q=tidewater").want(http.StatusOK, `href="/worlds/tidewater"`)
	admin.postForm("/admin/people/"+f.bob.ID+"/role", url.Values{"role": {"moderator"}, "q": {"bob"}, "_csrf": {admin.csrf}}).
		redirects("/admin/people?q=bob")
	f.signedIn(f.bob).get("/admin").want(http.StatusOK, "Moderation queue")
	// Only the operator makes admins; a role that does not exist is refused.
	admin.postForm("/admin/people/"+f.cy.ID+"/role", url.Values{"role": {"admin"}, "_csrf": {admin.csrf}}).want(http.StatusForbidden, "Only the operator may make admins")
	admin.postForm("/admin/people/"+f.cy.ID+"/role", url.Values{"role": {"king"}, "_csrf": {admin.csrf}}).want(http.StatusBadRequest, "Role must be")
	// The grant is in the audit log.
	admin.get("/admin/audit").want(http.StatusOK, "grant", "role moderator")
}

func TestReportActStrikeAppeal(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	post := "/worlds/tidewater/posts/post-03"
	cy, bob := f.signedIn(f.cy), f.signedIn(f.bob)
	mod := f.signedIn(f.staff("mia", generia.RoleModerator))
	commentID := cy.comment(post, "Buy cheap boats at example dot com")

	// Cy does not report his own comment; Bob and the post have the form.
	cy.get(post).want(http.StatusOK, "Buy cheap boats").lacks(`name="subject_id" value="` + commentID + `"`)
	bob.get(post).want(http.StatusOK, `name="subject_id" value="`+commentID+`"`, `name="subject_id" value="post-03"`, "Breaks the rules")

	// The form carries the session's token: without it nothing is filed.
	report := url.Values{"subject_type": {"comment"}, "subject_id": {commentID}, "reason": {"spam"}, "note": {"an advert"}}
	bob.postForm("/report", report).want(http.StatusForbidden)
	mod.get("/admin").want(http.StatusOK, "No open cases.")
	// A visitor is sent to sign in.
	f.browser().postForm("/report", report).want(http.StatusSeeOther)

	report.Set("_csrf", bob.csrf)
	bob.postForm("/report", report).want(http.StatusOK, "Report received")
	bob.postForm("/report", report).want(http.StatusConflict, "Report not sent", "reported this comment already")

	// Bad reports: an unknown reason or subject, "other" without a note,
	// something that does not exist.
	bad := func(field, value string) url.Values {
		v := url.Values{"subject_type": {"post"}, "subject_id": {"post-04"}, "reason": {"spam"}, "_csrf": {bob.csrf}}
		v.Set(field, value)
		return v
	}
	bob.postForm("/report", bad("reason", "ugly")).want(http.StatusBadRequest, "Reason must be one of")
	bob.postForm("/report", bad("subject_type", "planet")).want(http.StatusBadRequest, "Subject_type must be post, comment")
	bob.postForm("/report", bad("reason", "other")).want(http.StatusBadRequest, "Say what is wrong in a note")
	bob.postForm("/report", bad("subject_id", "post-nope")).want(http.StatusNotFound)

	// The case is in the queue with its snapshot, its report and actions.
	queue := mod.get("/admin").want(http.StatusOK, "Buy cheap boats at example dot com", "1 report", ">Hide</button>", ">Warn</button>").
		lacks(">Suspend</button>")
	caseID := queue.match(`action="/admin/cases/([^"/]+)/actions"`)
	mod.get("/admin/cases/"+caseID).want(http.StatusOK, "Spam", "an advert", "weight 1.0")

	// Bad actions: unknown, without a reason, not for a comment, suspension
	// by a moderator.
	act := func(action, reason string) response {
		return mod.postForm("/admin/cases/"+caseID+"/actions", url.Values{"action": {action}, "reason": {reason}, "_csrf": {mod.csrf}})
	}
	act("smite", "no").want(http.StatusBadRequest, "Unknown action")
	act("hide", " ").want(http.StatusBadRequest, "Say why")
	act("freeze_world", "x").want(http.StatusBadRequest, "does not apply to a comment")
	act("suspend", "x").want(http.StatusForbidden, "Only admins may suspend")
	// Without the token nothing happens.
	mod.postForm("/admin/cases/"+caseID+"/actions", url.Values{"action": {"hide"}, "reason": {"x"}}).want(http.StatusForbidden)

	mod.get("/admin")
	act("hide", "Adverts are not allowed here").redirects("/admin")
	mod.get("/admin").want(http.StatusOK, "No open cases.")
	mod.get("/admin?status=resolved").want(http.StatusOK, "Buy cheap boats", ">Hidden<")

	// Hidden from everyone but Cy (marked) and moderators.
	bob.get(post).want(http.StatusOK).lacks("Buy cheap boats")
	f.browser().get(post).want(http.StatusOK).lacks("Buy cheap boats")
	cy.get(post).want(http.StatusOK, "Buy cheap boats", "Hidden by moderators")
	mod.get(post).want(http.StatusOK, "Buy cheap boats", "Hidden by moderators")

	// Cy sees his strike, with its reason and what it was about, and
	// appeals it once.
	strikes := cy.get("/account/strikes").want(http.StatusOK, "Hidden", "Adverts are not allowed here", "Buy cheap boats at example dot com", "Send appeal")
	strikeID := strikes.match(`action="/account/strikes/([^"/]+)/appeal"`)
	cy.postForm("/account/strikes/"+strikeID+"/appeal", url.Values{"text": {" "}, "_csrf": {cy.csrf}}).want(http.StatusBadRequest, "An appeal is 1 to")
	cy.postForm("/account/strikes/"+strikeID+"/appeal", url.Values{"text": {"It was a joke"}}).want(http.StatusForbidden)
	cy.postForm("/account/strikes/"+strikeID+"/appeal", url.Values{"text": {"It was a joke"}, "_csrf": {cy.csrf}}).
		redirects("/account/strikes#strike-" + strikeID)
	cy.get("/account/strikes").want(http.StatusOK, "It was a joke", "Appeal pending").lacks("Send appeal")
	cy.postForm("/account/strikes/"+strikeID+"/appeal", url.Values{"text": {"Again"}, "_csrf": {cy.csrf}}).want(http.StatusConflict)
	// Nobody appeals another's strike.
	bob.postForm("/account/strikes/"+strikeID+"/appeal", url.Values{"text": {"Mine now"}, "_csrf": {bob.csrf}}).want(http.StatusNotFound)
	bob.get("/account/strikes").want(http.StatusOK, "You have no strikes.")

	// The moderator answers on the case: rejected, with a reason Cy reads.
	mod.get("/admin/cases/"+caseID).want(http.StatusOK, "It was a joke", "Accept appeal", "Reject appeal")
	mod.postForm("/admin/strikes/"+strikeID+"/decision", url.Values{"accept": {"0"}, "reason": {" "}, "case_id": {caseID}, "_csrf": {mod.csrf}}).
		want(http.StatusBadRequest, "Say why")
	mod.postForm("/admin/strikes/"+strikeID+"/decision", url.Values{"accept": {"0"}, "reason": {"Still an advert"}, "case_id": {caseID}, "_csrf": {mod.csrf}}).
		redirects("/admin/cases/" + caseID)
	cy.get("/account/strikes").want(http.StatusOK, "Appeal rejected", "Still an advert")
	mod.get("/admin/cases/" + caseID).lacks("Accept appeal")

	// Every step is in the audit log.
	mod.get("/admin/audit").want(http.StatusOK, "<td>report</td>", "<td>hide</td>", "<td>appeal</td>", "Adverts are not allowed here")
}

func TestAcceptedAppealShowsTheContentAgain(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	post := "/worlds/tidewater/posts/post-05"
	cy, bob := f.signedIn(f.cy), f.signedIn(f.bob)
	admin := f.signedIn(f.staff("ava", generia.RoleAdmin))
	commentID := cy.comment(post, "The lighthouse keeper is a fraud")
	bob.postForm("/report", url.Values{"subject_type": {"comment"}, "subject_id": {commentID}, "reason": {"rules"}, "_csrf": {bob.csrf}}).
		want(http.StatusOK, "Report received")
	caseID := admin.get("/admin").want(http.StatusOK, ">Suspend</button>").match(`action="/admin/cases/([^"/]+)/actions"`)
	admin.postForm("/admin/cases/"+caseID+"/actions", url.Values{"action": {"hide"}, "reason": {"Insults"}, "_csrf": {admin.csrf}}).want(http.StatusSeeOther)
	bob.get(post).lacks("lighthouse keeper is a fraud")
	strikeID := cy.get("/account/strikes").match(`action="/account/strikes/([^"/]+)/appeal"`)
	cy.postForm("/account/strikes/"+strikeID+"/appeal", url.Values{"text": {"It is true"}, "_csrf": {cy.csrf}}).want(http.StatusSeeOther)
	admin.postForm("/admin/strikes/"+strikeID+"/decision", url.Values{"accept": {"1"}, "reason": {"Fair criticism"}, "_csrf": {admin.csrf}}).want(http.StatusSeeOther)
	cy.get("/account/strikes").want(http.StatusOK, "Appeal accepted", "Fair criticism")
	bob.get(post).want(http.StatusOK, "lighthouse keeper is a fraud")
}

func TestStrikePastTheWindowHasNoAppealForm(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	old := time.Now().Add(-generia.AppealWindow - time.Hour)
	snap := generia.Snapshot{Subject: generia.Subject{Type: generia.SubjectComment, ID: "gone"}, AuthorID: f.cy.ID, Text: "An old rant", TakenAt: old}
	_, err := f.store.AddStrike(t.Context(), generia.Strike{ID: "strike-old", UserID: f.cy.ID, Action: generia.ActionWarn, Subject: snap.Subject,
		Reason: "Be kind", Snapshot: snap, CreatedAt: old}, generia.AuditEntry{ID: "audit-old", Actor: generia.ActorSystem, Verb: generia.ActionWarn, Subject: snap.Subject, CreatedAt: old})
	f.ok(err, "adding an old strike")
	cy := f.signedIn(f.cy)
	cy.get("/account/strikes").want(http.StatusOK, "Warning", "Be kind", "An old rant", "The 20 days to appeal this strike have passed").lacks("Send appeal")
	cy.postForm("/account/strikes/strike-old/appeal", url.Values{"text": {"Late"}, "_csrf": {cy.csrf}}).want(http.StatusBadRequest, "20 days")
}

func TestCheckedContentOnTheForms(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(s *social.Service) { s.Moderator = wordModerator{} })
	post := "/worlds/tidewater/posts/post-06"
	cy, bob := f.signedIn(f.cy), f.signedIn(f.bob)
	mod := f.signedIn(f.staff("mia", generia.RoleModerator))

	// A refused comment is shown on its form with why, not a server error.
	cy.postForm(post+"/comments", url.Values{"text": {"something forbidden"}, "_csrf": {cy.csrf}}).
		want(http.StatusUnprocessableEntity, "This cannot be published", "sexual/minors", ">something forbidden</textarea>")
	cy.get(post).lacks("something forbidden")

	// A held comment shows, marked with its reason, to its person and
	// moderators; to no one else. The check opened a case with its terms.
	cy.comment(post, "a spammy offer")
	cy.get(post).want(http.StatusOK, "a spammy offer", "Held for review", "it may fall under spam")
	bob.get(post).want(http.StatusOK).lacks("a spammy offer")
	mod.get(post).want(http.StatusOK, "a spammy offer", "Held for review")
	mod.get("/admin").want(http.StatusOK, "a spammy offer", "automatic check", "<code>spammy</code>", `<span class="chip">spam</span>`, ">Approve</button>")

	// Labelled content shows behind a notice that opens without script.
	f.ok(f.store.SetReview(t.Context(), generia.Subject{Type: generia.SubjectPost, ID: "post-07"},
		generia.Review{Labels: []generia.Category{generia.CategoryViolence}}), "labelling a post")
	bob.get("/worlds/tidewater/posts/post-07").want(http.StatusOK, `<details class="sensitive"><summary>Sensitive: violence</summary>`, "Caption 07")
}

func TestModerationDownHoldsComments(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(s *social.Service) { s.Moderator = wordModerator{down: true} })
	post := "/worlds/tidewater/posts/post-06"
	cy, bob := f.signedIn(f.cy), f.signedIn(f.bob)
	cy.comment(post, "Good morning, harbour")
	cy.get(post).want(http.StatusOK, "Good morning, harbour", "Held for review", "waiting for a moderation check")
	bob.get(post).want(http.StatusOK).lacks("Good morning, harbour")
}

func TestSpendingIsAChart(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.ok(f.store.RecordCall(t.Context(), generia.ProviderCall{WorldID: "tidewater", Kind: generia.CallLLM, CostUSD: 1.25,
		Outcome: generia.OutcomeOK, CreatedAt: time.Now()}), "recording a call")
	mod := f.signedIn(f.staff("mia", generia.RoleModerator))
	page := mod.get("/admin/spend").want(http.StatusOK, `role="img" aria-labelledby="spend-title spend-desc"`,
		"Provider cost per day, last 30 days", `height="164.0"><title>`+time.Now().UTC().Format(time.DateOnly)+": $1.25, ", "Top worlds", "Tidewater", "Top accounts")
	if n := strings.Count(page.body, `<rect class="bar"`); n != 30 {
		t.Errorf("the chart has %d bars, want one a day for 30 days", n)
	}
}

func TestHeldItemsAreMarkedForTheirPerson(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	held := generia.Review{State: generia.ReviewHeld, Reason: "held for review after reports"}
	f.ok(f.store.SetReview(t.Context(), generia.Subject{Type: generia.SubjectCharacter, ID: "char-1"}, held), "holding a character")
	f.ok(f.store.SetReview(t.Context(), generia.Subject{Type: generia.SubjectWorld, ID: "tidewater"}, held), "holding a world")
	f.ok(f.store.SetReview(t.Context(), generia.Subject{Type: generia.SubjectPost, ID: "post-10"},
		generia.Review{State: generia.ReviewHidden, Reason: "hidden by moderators"}), "hiding a post")
	ada, bob := f.signedIn(f.ada), f.signedIn(f.bob)

	// Ada, whose world it is, sees each marked with its reason.
	ada.get("/worlds/tidewater").want(http.StatusOK, "Held for review", "held for review after reports")
	ada.get("/characters/char-1").want(http.StatusOK, "Held for review")
	ada.get("/worlds/tidewater/posts/post-10").want(http.StatusOK, "Caption 10", "Hidden by moderators")
	ada.get("/?tab=mine").want(http.StatusOK, "Tidewater", "Held for review")
	// Others do not see them at all.
	bob.get("/worlds/tidewater").want(http.StatusNotFound)
	bob.get("/characters/char-1").want(http.StatusNotFound)
	f.browser().get("/worlds/tidewater/posts/post-10").want(http.StatusNotFound)
}
