package httpapi

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/generia/generia/internal/apiv1"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/ratelimit"
	"github.com/generia/generia/internal/social"
	"github.com/generia/generia/internal/socialtest"
)

// trustAPI is the API of newAPI with a public world of ada's holding a
// post of hers, and more people: bob (no role), carol (a moderator), dave
// (an admin), each granted their role by the operator through the API.
type trustAPI struct {
	*api
	operator, bob, carol, dave string
	// ids are the accounts' IDs by username.
	ids  map[string]string
	post string
}

func newTrustAPI(t *testing.T) *trustAPI {
	t.Helper()
	return trustOver(t, newAPI(t))
}

func trustOver(t *testing.T, a *api) *trustAPI {
	t.Helper()
	ta := &trustAPI{api: a, ids: map[string]string{}}
	ta.operator = operatorToken(t, a)
	ta.ids["ada"] = ta.me(t, a.token).ID
	for _, name := range []string{"bob", "carol", "dave"} {
		var s apiv1.Session
		body := fmt.Sprintf(`{"username":%q,"email":"%s@example.com","password":"correct horse battery"}`, name, name)
		if code := ta.as(t, "", "POST", "/api/v1/auth/register", body, &s); code != http.StatusCreated {
			t.Fatalf("registering %s: HTTP %d", name, code)
		}
		ta.ids[name] = s.User.ID
		switch name {
		case "bob":
			ta.bob = s.Token
		case "carol":
			ta.carol = s.Token
		case "dave":
			ta.dave = s.Token
		}
	}
	for name, role := range map[string]string{"carol": "moderator", "dave": "admin"} {
		var u apiv1.User
		if code := ta.as(t, ta.operator, "POST", "/api/v1/admin/users/"+name+"/roles", `{"role":"`+role+`"}`, &u); code != http.StatusOK || u.Role != role {
			t.Fatalf("the operator making %s %s: HTTP %d, %+v", name, role, code, u)
		}
	}
	if code := a.call(t, "PATCH", "/api/v1/worlds/"+a.world, `{"name":"Harbour","visibility":"public"}`, nil); code != http.StatusOK {
		t.Fatalf("making ada's world public: HTTP %d", code)
	}
	var c struct{ ID string }
	if code := a.call(t, "POST", "/api/v1/worlds/"+a.world+"/characters", `{"username":"ada_w","display_name":"Ada"}`, &c); code != http.StatusCreated {
		t.Fatalf("creating a character: HTTP %d", code)
	}
	var p struct{ ID string }
	body := fmt.Sprintf(`{"character_id":%q,"caption":"Buy cheap watches at example.com","media_id":%q}`, c.ID, a.upload(t))
	if code := a.call(t, "POST", "/api/v1/worlds/"+a.world+"/posts", body, &p); code != http.StatusCreated {
		t.Fatalf("posting: HTTP %d", code)
	}
	ta.post = p.ID
	return ta
}

// operatorToken makes the operator's account in the store and returns an
// access token of it, as `generia up` hands the operator.
func operatorToken(t *testing.T, a *api) string {
	t.Helper()
	ctx, store := t.Context(), a.server.Social.Store
	op, err := store.CreateUser(ctx, generia.User{ID: "u-operator", Username: social.OperatorUsername, Email: "operator@localhost", CreatedAt: time.Now().UTC()}, "hash")
	if err != nil {
		t.Fatal(err)
	}
	f := generia.TokenFamily{ID: "f-operator", UserID: op.ID, Generation: 1, ExpiresAt: time.Now().Add(time.Hour), CreatedAt: time.Now().UTC()}
	if err := store.StartTokenFamily(ctx, f, "refresh-hash"); err != nil {
		t.Fatal(err)
	}
	token, _, err := a.server.Tokens.Issue(f, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// as calls the API with another token ("" for a visitor).
func (a *trustAPI) as(t *testing.T, token, method, path, body string, out any) int {
	t.Helper()
	saved := a.token
	defer func() { a.token = saved }()
	a.token = token
	return a.call(t, method, path, body, out)
}

func (a *trustAPI) me(t *testing.T, token string) apiv1.User {
	t.Helper()
	var u apiv1.User
	if code := a.as(t, token, "GET", "/api/v1/auth/me", "", &u); code != http.StatusOK {
		t.Fatalf("me: HTTP %d", code)
	}
	return u
}

// fails calls the API and expects a refusal with status and, when says is
// not empty, a message holding it.
func (a *trustAPI) fails(t *testing.T, token, method, path, body string, status int, says string) {
	t.Helper()
	var e errorBody
	code := a.as(t, token, method, path, body, &e)
	if code != status || (says != "" && !strings.Contains(strings.ToLower(e.Error.Message), strings.ToLower(says))) {
		t.Errorf("%s %s %s: HTTP %d %q, want %d saying %q", method, path, body, code, e.Error.Message, status, says)
	}
}

// report files a report and returns the case's ID.
func (a *trustAPI) report(t *testing.T, token, subjectType, subjectID, reason, note string) string {
	t.Helper()
	var filed map[string]any
	body := fmt.Sprintf(`{"subject_type":%q,"subject_id":%q,"reason":%q,"note":%q}`, subjectType, subjectID, reason, note)
	if code := a.as(t, token, "POST", "/api/v1/reports", body, &filed); code != http.StatusCreated {
		t.Fatalf("reporting %s/%s: HTTP %d %v", subjectType, subjectID, code, filed)
	}
	id, _ := filed["id"].(string)
	if id == "" || filed["status"] != "open" {
		t.Fatalf("the answer to a report = %v, want the case's id and status open", filed)
	}
	return id
}

// trustRoutes are the new routes with a body each accepts, for the
// checks of who may call them.
func trustRoutes(caseID, strikeID string) []struct{ method, path, body string } {
	return []struct{ method, path, body string }{
		{"POST", "/api/v1/reports", `{"subject_type":"user","subject_id":"ada","reason":"spam"}`},
		{"GET", "/api/v1/me/strikes", ""},
		{"POST", "/api/v1/me/strikes/" + strikeID + "/appeal", `{"text":"I did nothing wrong"}`},
		{"GET", "/api/v1/admin/cases?status=open", ""},
		{"GET", "/api/v1/admin/cases/" + caseID, ""},
		{"POST", "/api/v1/admin/cases/" + caseID + "/actions", `{"action":"hide","reason":"spam"}`},
		{"POST", "/api/v1/admin/strikes/" + strikeID + "/decision", `{"accept":true,"reason":"fair"}`},
		{"GET", "/api/v1/admin/audit", ""},
		{"GET", "/api/v1/admin/spend", ""},
		{"GET", "/api/v1/admin/users?q=a", ""},
		{"POST", "/api/v1/admin/users/bob/roles", `{"role":"moderator"}`},
	}
}

// A visitor gets 401 on every trust route; a person without a role 403 on
// every /admin route; a moderator 403 on role grants and suspensions; the
// operator grants roles, which /auth/me shows.
func TestTrustRoutesRefuseWhoMayNotCallThem(t *testing.T) {
	a := newTrustAPI(t)
	caseID := a.report(t, a.bob, "post", a.post, "spam", "")
	for _, rt := range trustRoutes(caseID, "no-such-strike") {
		a.fails(t, "", rt.method, rt.path, rt.body, http.StatusUnauthorized, "")
		if strings.HasPrefix(rt.path, "/api/v1/admin/") {
			a.fails(t, a.bob, rt.method, rt.path, rt.body, http.StatusForbidden, "")
		}
	}
	if got := a.me(t, a.bob); got.Role != "" || got.Standing != "" {
		t.Errorf("bob's role and standing = %q, %q; want none and good (both absent)", got.Role, got.Standing)
	}
	if got := a.me(t, a.carol); got.Role != generia.RoleModerator {
		t.Errorf("carol's role at /auth/me = %q, want moderator", got.Role)
	}

	a.fails(t, a.carol, "POST", "/api/v1/admin/users/bob/roles", `{"role":"moderator"}`, http.StatusForbidden, "only admins")
	a.fails(t, a.dave, "POST", "/api/v1/admin/users/bob/roles", `{"role":"admin"}`, http.StatusForbidden, "only the operator")
	a.fails(t, a.dave, "POST", "/api/v1/admin/users/dave/roles", `{"role":"none"}`, http.StatusForbidden, "")
	if got := a.me(t, a.bob); got.Role != "" {
		t.Errorf("bob's role after refused grants = %q, want none", got.Role)
	}
	var u apiv1.User
	if code := a.as(t, a.dave, "POST", "/api/v1/admin/users/bob/roles", `{"role":"moderator"}`, &u); code != http.StatusOK || u.Role != "moderator" {
		t.Errorf("an admin making bob a moderator: HTTP %d %+v", code, u)
	}
	u = apiv1.User{}
	if code := a.as(t, a.operator, "POST", "/api/v1/admin/users/"+a.ids["bob"]+"/roles", `{"role":"none"}`, &u); code != http.StatusOK || u.Role != "" {
		t.Errorf("the operator taking bob's role by his ID: HTTP %d %+v", code, u)
	}
	a.fails(t, a.operator, "POST", "/api/v1/admin/users/nobody/roles", `{"role":"moderator"}`, http.StatusNotFound, "")

	// Suspending is for admins: a moderator is refused and bob stays in
	// good standing; an admin may.
	bobCase := a.report(t, a.token, "user", "bob", "spam", "")
	a.fails(t, a.carol, "POST", "/api/v1/admin/cases/"+bobCase+"/actions", `{"action":"suspend","reason":"spam"}`, http.StatusForbidden, "only admins")
	if got := a.me(t, a.bob); got.Standing != "" {
		t.Errorf("bob's standing after a moderator's refused suspension = %q", got.Standing)
	}
	var c apiv1.Case
	if code := a.as(t, a.dave, "POST", "/api/v1/admin/cases/"+bobCase+"/actions", `{"action":"suspend","reason":"spam"}`, &c); code != http.StatusOK || c.Status != "resolved" {
		t.Fatalf("an admin suspending bob: HTTP %d %+v", code, c)
	}
	if got := a.me(t, a.bob); got.Standing != generia.StandingSuspended {
		t.Errorf("bob's standing after an admin suspended him = %q, want suspended", got.Standing)
	}
}

// The whole chain: a report makes a case a moderator sees with its
// snapshot (the reporter sees no score); a second report by the same
// person is 409, one of a missing post 404; the moderator hides the post,
// which its author sees as a strike with the reason and appeals once; the
// appeal is accepted and the post is back; the audit log holds each step.
func TestReportActionStrikeAppeal(t *testing.T) {
	a := newTrustAPI(t)
	var filed map[string]any
	body := fmt.Sprintf(`{"subject_type":"post","subject_id":%q,"reason":"spam","note":"an ad"}`, a.post)
	if code := a.as(t, a.bob, "POST", "/api/v1/reports", body, &filed); code != http.StatusCreated {
		t.Fatalf("bob reporting ada's post: HTTP %d", code)
	}
	caseID, _ := filed["id"].(string)
	if _, scored := filed["score"]; scored || caseID == "" || len(filed) != 2 {
		t.Errorf("the reporter's answer = %v, want only id and status", filed)
	}
	a.fails(t, a.bob, "POST", "/api/v1/reports", body, http.StatusConflict, "already")
	a.fails(t, a.bob, "POST", "/api/v1/reports", `{"subject_type":"post","subject_id":"no-such-post","reason":"spam"}`, http.StatusNotFound, "")

	// A later edit does not change what the moderator reads.
	if code := a.call(t, "PATCH", "/api/v1/worlds/"+a.world+"/posts/"+a.post, `{"caption":"A harbour at dawn"}`, nil); code != http.StatusOK {
		t.Fatalf("ada editing her post: HTTP %d", code)
	}
	var queue struct {
		Cases   []apiv1.Case `json:"cases"`
		HasMore bool         `json:"has_more"`
	}
	if code := a.as(t, a.carol, "GET", "/api/v1/admin/cases?status=open", "", &queue); code != http.StatusOK || len(queue.Cases) != 1 {
		t.Fatalf("the moderator's queue: HTTP %d, %+v", code, queue)
	}
	if k := queue.Cases[0]; k.ID != caseID || k.Subject != (generia.Subject{Type: "post", ID: a.post}) || k.Reports != 1 || k.Score <= 0 ||
		k.Snapshot.Text != "Buy cheap watches at example.com" || k.Snapshot.AuthorID != a.ids["ada"] {
		t.Errorf("the case in the queue = %+v", k)
	}
	var detail apiv1.CaseDetail
	if code := a.as(t, a.carol, "GET", "/api/v1/admin/cases/"+caseID, "", &detail); code != http.StatusOK {
		t.Fatalf("the case: HTTP %d", code)
	}
	if len(detail.Reports) != 1 || detail.Reports[0].ReporterID != a.ids["bob"] || detail.Reports[0].Note != "an ad" ||
		detail.Reports[0].Snapshot.Text != "Buy cheap watches at example.com" {
		t.Errorf("the case's reports = %+v", detail.Reports)
	}
	a.fails(t, a.carol, "GET", "/api/v1/admin/cases/no-such-case", "", http.StatusNotFound, "")

	// Bad actions change nothing.
	for _, bad := range []struct{ body, field string }{
		{`{"action":"banish","reason":"x"}`, "action"},
		{`{"action":"hide"}`, "reason"},
		{`{"action":"silence","reason":"x"}`, "action"}, // a post is no character
		{`{"action":"hide","reason":"` + strings.Repeat("x", social.MaxActionReason+1) + `"}`, "reason"},
		{`{"action":`, ""},
		{``, ""},
	} {
		var e errorBody
		if code := a.as(t, a.carol, "POST", "/api/v1/admin/cases/"+caseID+"/actions", bad.body, &e); code != http.StatusBadRequest || e.Error.Field != bad.field {
			t.Errorf("action %.40s: HTTP %d %+v, want 400 naming %q", bad.body, code, e.Error, bad.field)
		}
	}
	var c apiv1.Case
	if code := a.as(t, a.carol, "POST", "/api/v1/admin/cases/"+caseID+"/actions", `{"action":"hide","reason":"advertising"}`, &c); code != http.StatusOK ||
		c.Status != "resolved" || c.Resolution != "hide" {
		t.Fatalf("hiding the post: HTTP %d %+v", code, c)
	}
	a.fails(t, a.carol, "POST", "/api/v1/admin/cases/"+caseID+"/actions", `{"action":"hide","reason":"again"}`, http.StatusConflict, "resolved")
	a.fails(t, a.bob, "GET", "/api/v1/worlds/"+a.world+"/posts/"+a.post, "", http.StatusNotFound, "")
	var mine apiv1.Post
	if code := a.call(t, "GET", "/api/v1/worlds/"+a.world+"/posts/"+a.post, "", &mine); code != http.StatusOK || mine.Review == nil || mine.Review.State != "hidden" {
		t.Errorf("ada reading her hidden post: HTTP %d, review %+v; want it marked hidden", code, mine.Review)
	}

	var strikes struct{ Strikes []apiv1.Strike }
	if code := a.call(t, "GET", "/api/v1/me/strikes", "", &strikes); code != http.StatusOK || len(strikes.Strikes) != 1 {
		t.Fatalf("ada's strikes: HTTP %d %+v", code, strikes)
	}
	st := strikes.Strikes[0]
	if st.Action != "hide" || st.Reason != "advertising" || st.Subject.ID != a.post || st.Appeal != nil ||
		!st.AppealUntil.Equal(st.CreatedAt.Add(generia.AppealWindow)) {
		t.Errorf("ada's strike = %+v", st)
	}
	var bobs struct{ Strikes []apiv1.Strike }
	if code := a.as(t, a.bob, "GET", "/api/v1/me/strikes", "", &bobs); code != http.StatusOK || len(bobs.Strikes) != 0 {
		t.Errorf("bob's strikes: HTTP %d %+v, want none", code, bobs)
	}

	appeal := "/api/v1/me/strikes/" + st.ID + "/appeal"
	a.fails(t, a.token, "POST", appeal, `{"text":"  "}`, http.StatusBadRequest, "")
	a.fails(t, a.bob, "POST", appeal, `{"text":"not mine, but"}`, http.StatusNotFound, "")
	var appealed apiv1.Strike
	if code := a.call(t, "POST", appeal, `{"text":"It was a joke among friends"}`, &appealed); code != http.StatusCreated ||
		appealed.Appeal == nil || appealed.Appeal.State != "pending" {
		t.Fatalf("ada appealing: HTTP %d %+v", code, appealed)
	}
	a.fails(t, a.token, "POST", appeal, `{"text":"Please"}`, http.StatusConflict, "")

	decision := "/api/v1/admin/strikes/" + st.ID + "/decision"
	a.fails(t, a.carol, "POST", decision, `{"accept":true}`, http.StatusBadRequest, "")
	a.fails(t, a.carol, "POST", decision, `{"accept":"yes","reason":"x"}`, http.StatusBadRequest, "")
	var decided apiv1.Strike
	if code := a.as(t, a.dave, "POST", decision, `{"accept":true,"reason":"a joke, and no harm"}`, &decided); code != http.StatusOK ||
		decided.Appeal == nil || decided.Appeal.State != "accepted" || decided.Appeal.Decision != "a joke, and no harm" {
		t.Fatalf("dave accepting the appeal: HTTP %d %+v", code, decided.Appeal)
	}
	if code := a.as(t, a.bob, "GET", "/api/v1/worlds/"+a.world+"/posts/"+a.post, "", nil); code != http.StatusOK {
		t.Errorf("bob reading the post after the appeal was accepted: HTTP %d, want 200", code)
	}
	strikes.Strikes = nil
	if code := a.call(t, "GET", "/api/v1/me/strikes", "", &strikes); code != http.StatusOK || len(strikes.Strikes) != 1 ||
		strikes.Strikes[0].Appeal == nil || strikes.Strikes[0].Appeal.State != "accepted" {
		t.Errorf("ada's strike after the decision: HTTP %d %+v", code, strikes.Strikes)
	}

	// The audit log, newest first, holds the report, the action and the
	// appeal of the post in that order; filtered by actor, carol's action.
	var audit struct{ Entries []apiv1.AuditEntry }
	q := "/api/v1/admin/audit?subject_type=post&subject_id=" + a.post
	if code := a.as(t, a.carol, "GET", q, "", &audit); code != http.StatusOK {
		t.Fatalf("the audit log: HTTP %d", code)
	}
	var verbs []string
	for _, e := range audit.Entries {
		verbs = append(verbs, e.Verb)
	}
	if i, j, k := slices.Index(verbs, "appeal"), slices.Index(verbs, "hide"), slices.Index(verbs, "report"); i < 0 || j < 0 || k < 0 || !(i < j && j < k) {
		t.Errorf("the post's audit log, newest first = %v; want appeal, then hide, then report", verbs)
	}
	for _, e := range audit.Entries {
		if e.Verb == "hide" && (e.Actor != a.ids["carol"] || e.Reason != "advertising" || e.Snapshot == nil || e.Snapshot.Text != "Buy cheap watches at example.com") {
			t.Errorf("the audit entry of the hiding = %+v", e)
		}
	}
	audit.Entries = nil
	if code := a.as(t, a.carol, "GET", "/api/v1/admin/audit?actor="+a.ids["carol"], "", &audit); code != http.StatusOK || len(audit.Entries) != 1 || audit.Entries[0].Verb != "hide" {
		t.Errorf("carol's entries of the audit log: HTTP %d %+v, want her one action", code, audit.Entries)
	}
	a.fails(t, a.carol, "GET", "/api/v1/admin/audit?subject_type=post", "", http.StatusBadRequest, "subject_id")
}

// No one acts on their own account or content: a moderator reported is
// another moderator's case.
func TestModeratorCannotActOnThemself(t *testing.T) {
	a := newTrustAPI(t)
	caseID := a.report(t, a.bob, "user", "carol", "rules", "")
	a.fails(t, a.carol, "POST", "/api/v1/admin/cases/"+caseID+"/actions", `{"action":"dismiss"}`, http.StatusForbidden, "your own")
	a.fails(t, a.carol, "POST", "/api/v1/admin/cases/"+caseID+"/actions", `{"action":"warn","reason":"x"}`, http.StatusForbidden, "your own")
	var c apiv1.Case
	if code := a.as(t, a.dave, "POST", "/api/v1/admin/cases/"+caseID+"/actions", `{"action":"warn","reason":"be kind"}`, &c); code != http.StatusOK {
		t.Fatalf("an admin warning the moderator: HTTP %d", code)
	}
	var strikes struct{ Strikes []apiv1.Strike }
	if code := a.as(t, a.carol, "GET", "/api/v1/me/strikes", "", &strikes); code != http.StatusOK || len(strikes.Strikes) != 1 || strikes.Strikes[0].Reason != "be kind" {
		t.Fatalf("carol's strikes: HTTP %d %+v", code, strikes.Strikes)
	}
	// A decision without an appeal to answer is a conflict, not a 5xx.
	a.fails(t, a.dave, "POST", "/api/v1/admin/strikes/"+strikes.Strikes[0].ID+"/decision", `{"accept":false,"reason":"no"}`, http.StatusConflict, "no appeal")
}

// An appeal after the 20 days of its strike is refused with 400 and
// changes nothing.
func TestLateAppealIsRefused(t *testing.T) {
	a := newTrustAPI(t)
	a.server.Social.Now = func() time.Time { return time.Now().Add(-generia.AppealWindow - time.Hour) }
	caseID := a.report(t, a.bob, "post", a.post, "spam", "")
	if code := a.as(t, a.carol, "POST", "/api/v1/admin/cases/"+caseID+"/actions", `{"action":"warn","reason":"no ads"}`, nil); code != http.StatusOK {
		t.Fatalf("warning ada: HTTP %d", code)
	}
	a.server.Social.Now = nil
	var strikes struct{ Strikes []apiv1.Strike }
	if code := a.call(t, "GET", "/api/v1/me/strikes", "", &strikes); code != http.StatusOK || len(strikes.Strikes) != 1 || strikes.Strikes[0].AppealUntil.After(time.Now()) {
		t.Fatalf("ada's strike of 20 days ago: HTTP %d %+v", code, strikes.Strikes)
	}
	a.fails(t, a.token, "POST", "/api/v1/me/strikes/"+strikes.Strikes[0].ID+"/appeal", `{"text":"Late, but"}`, http.StatusBadRequest, "window")
	strikes.Strikes = nil
	if code := a.call(t, "GET", "/api/v1/me/strikes", "", &strikes); code != http.StatusOK || len(strikes.Strikes) != 1 || strikes.Strikes[0].Appeal != nil {
		t.Errorf("ada's strike after a late appeal: HTTP %d %+v, want no appeal", code, strikes.Strikes)
	}
}

// Bad report bodies are 400 naming the field; a report of one's own post
// is refused.
func TestBadReportsAreRefused(t *testing.T) {
	a := newTrustAPI(t)
	for _, bad := range []struct{ body, field string }{
		{`{"subject_type":"post","subject_id":"` + a.post + `","reason":"ugly"}`, "reason"},
		{`{"subject_type":"planet","subject_id":"x","reason":"spam"}`, "subject_type"},
		{`{"subject_type":"post","subject_id":"","reason":"spam"}`, "subject_id"},
		{`{"subject_type":"post","subject_id":"` + a.post + `","reason":"other"}`, "note"},
		{`{"subject_type":"post","subject_id":"` + a.post + `","reason":"spam","note":"` + strings.Repeat("x", social.MaxReportNote+1) + `"}`, "note"},
		{`{"subject_type":"post"`, ""},
		{`[]`, ""},
	} {
		var e errorBody
		if code := a.as(t, a.bob, "POST", "/api/v1/reports", bad.body, &e); code != http.StatusBadRequest || e.Error.Field != bad.field {
			t.Errorf("report %.60s: HTTP %d %+v, want 400 naming %q", bad.body, code, e.Error, bad.field)
		}
	}
	a.fails(t, a.token, "POST", "/api/v1/reports", `{"subject_type":"post","subject_id":"`+a.post+`","reason":"spam"}`, http.StatusBadRequest, "your own")
	var queue struct{ Cases []apiv1.Case }
	if code := a.as(t, a.carol, "GET", "/api/v1/admin/cases", "", &queue); code != http.StatusOK || len(queue.Cases) != 0 {
		t.Errorf("the queue after refused reports: HTTP %d, %d cases, want none", code, len(queue.Cases))
	}
	a.fails(t, a.carol, "GET", "/api/v1/admin/cases?status=pending", "", http.StatusBadRequest, "")
}

// Reports are rate limited per account: past the limit 429, and refused
// reports spend nothing.
func TestReportsAreRateLimited(t *testing.T) {
	plenty := ratelimit.Rate{N: 1 << 30, Period: time.Second}
	limits := ratelimit.New(nil, plenty, plenty, plenty)
	for _, rule := range []string{ratelimit.Comments, ratelimit.Posts, ratelimit.Uploads, ratelimit.Life, ratelimit.Streams} {
		limits.Set(rule, plenty)
	}
	limits.Set(ratelimit.Reports, ratelimit.Rate{N: 2, Period: time.Hour})
	a := trustOver(t, newAPIWith(t, limits))
	a.fails(t, a.bob, "POST", "/api/v1/reports", `{"subject_type":"post","subject_id":"x","reason":"ugly"}`, http.StatusBadRequest, "")
	a.report(t, a.bob, "post", a.post, "spam", "")
	a.report(t, a.bob, "user", "ada", "spam", "")
	saved := a.token
	a.token = a.bob
	limited(t, a.api, "POST", "/api/v1/reports", `{"subject_type":"user","subject_id":"carol","reason":"spam"}`, "a 3rd report in an hour")
	a.token = saved
}

// Spending answers every one of the last 30 days by default, today last;
// days=7 seven; a bad days is 400.
func TestSpendAnswersTheDays(t *testing.T) {
	a := newTrustAPI(t)
	var sp apiv1.Spend
	if code := a.as(t, a.carol, "GET", "/api/v1/admin/spend", "", &sp); code != http.StatusOK || len(sp.Days) != 30 {
		t.Fatalf("spend: HTTP %d, %d days, want 30", code, len(sp.Days))
	}
	if today := time.Now().UTC().Format(time.DateOnly); sp.Days[29].Day != today {
		t.Errorf("the last day = %s, want today %s", sp.Days[29].Day, today)
	}
	if sp.TopAccounts == nil || sp.TopWorlds == nil || sp.Awake == nil {
		t.Errorf("spend lists = %+v, want empty lists rather than null", sp)
	}
	sp = apiv1.Spend{}
	if code := a.as(t, a.carol, "GET", "/api/v1/admin/spend?days=7", "", &sp); code != http.StatusOK || len(sp.Days) != 7 {
		t.Errorf("spend over 7 days: HTTP %d, %d days", code, len(sp.Days))
	}
	for _, bad := range []string{"0", "366", "many", "-1"} {
		a.fails(t, a.carol, "GET", "/api/v1/admin/spend?days="+bad, "", http.StatusBadRequest, "days")
	}
}

// A moderator finds accounts by the start of their name.
func TestModeratorFindsAccounts(t *testing.T) {
	a := newTrustAPI(t)
	var found struct{ Users []apiv1.User }
	if code := a.as(t, a.carol, "GET", "/api/v1/admin/users?q=bo", "", &found); code != http.StatusOK || len(found.Users) != 1 || found.Users[0].Username != "bob" {
		t.Errorf("searching bo: HTTP %d %+v, want bob", code, found.Users)
	}
	found.Users = nil
	if code := a.as(t, a.carol, "GET", "/api/v1/admin/users?q=carol", "", &found); code != http.StatusOK || len(found.Users) != 1 || found.Users[0].Role != "moderator" {
		t.Errorf("searching carol: HTTP %d %+v, want her with her role", code, found.Users)
	}
}

// Content a check blocks is a 422 with code refused and the reason, and is
// not stored; content it holds, or could not check (the moderation
// service is down), is stored held: its author and moderators see it with
// its review, others do not, and moderators find its case in the queue.
func TestRefusedAndHeldContent(t *testing.T) {
	a := newTrustAPI(t)
	words := &socialtest.Words{Flags: map[string]generia.Category{"grooming": generia.CategorySexualMinors, "knife": generia.CategoryViolence}}
	a.server.Social.Moderator = words
	comments := "/api/v1/worlds/" + a.world + "/posts/" + a.post + "/comments"

	var e errorBody
	if code := a.call(t, "POST", comments, `{"text":"a grooming guide"}`, &e); code != http.StatusUnprocessableEntity || e.Error.Code != "refused" ||
		!strings.Contains(e.Error.Message, "sexual/minors") {
		t.Errorf("a blocked comment: HTTP %d %+v, want 422 refused naming sexual/minors", code, e.Error)
	}
	var held apiv1.Comment
	if code := a.call(t, "POST", comments, `{"text":"a knife fight at the harbour"}`, &held); code != http.StatusCreated ||
		held.Review == nil || held.Review.State != "held" || !strings.Contains(held.Review.Reason, "violence") {
		t.Fatalf("a held comment: HTTP %d, review %+v", code, held.Review)
	}
	words.Down.Store(true)
	var waiting apiv1.Comment
	if code := a.call(t, "POST", comments, `{"text":"Lovely morning"}`, &waiting); code != http.StatusCreated ||
		waiting.Review == nil || waiting.Review.State != "held" || !strings.Contains(waiting.Review.Reason, "waiting") {
		t.Fatalf("a comment while the moderation service is down: HTTP %d, review %+v, want it held", code, waiting.Review)
	}
	words.Down.Store(false)

	seen := func(token string) map[string]*apiv1.Review {
		t.Helper()
		var page struct{ Comments []apiv1.Comment }
		if code := a.as(t, token, "GET", comments, "", &page); code != http.StatusOK {
			t.Fatalf("comments: HTTP %d", code)
		}
		out := map[string]*apiv1.Review{}
		for _, c := range page.Comments {
			out[c.Text] = c.Review
		}
		return out
	}
	if got := seen(a.bob); len(got) != 0 {
		t.Errorf("bob sees comments %v, want none: both are held", got)
	}
	if got := seen(""); len(got) != 0 {
		t.Errorf("a visitor sees comments %v, want none", got)
	}
	for who, token := range map[string]string{"ada (their author)": a.token, "carol (a moderator)": a.carol} {
		got := seen(token)
		if r := got["a knife fight at the harbour"]; r == nil || r.State != "held" || len(got) != 2 {
			t.Errorf("%s sees %v, want both comments marked held", who, got)
		}
		if _, ok := got["a grooming guide"]; ok {
			t.Errorf("%s sees the refused comment", who)
		}
	}
	var queue struct{ Cases []apiv1.Case }
	if code := a.as(t, a.carol, "GET", "/api/v1/admin/cases?status=open", "", &queue); code != http.StatusOK || len(queue.Cases) != 2 {
		t.Fatalf("the queue: HTTP %d, %+v, want the 2 held comments", code, queue.Cases)
	}
	for _, k := range queue.Cases {
		if k.Source != "check" || k.Verdict == nil || k.Subject.Type != "comment" {
			t.Errorf("a held comment's case = %+v, want source check with the verdict", k)
		}
	}
}

// Reports past the threshold hold the post: visitors and others no longer
// see it; its author sees it marked held, with the reason.
func TestReportsPastTheThresholdHoldThePost(t *testing.T) {
	a := newTrustAPI(t)
	postPath := "/api/v1/worlds/" + a.world + "/posts/" + a.post
	a.report(t, a.bob, "post", a.post, "spam", "")
	a.report(t, a.carol, "post", a.post, "spam", "")
	if code := a.as(t, "", "GET", postPath, "", nil); code != http.StatusOK {
		t.Fatalf("a visitor reading the post after 2 reports: HTTP %d, want 200", code)
	}
	a.report(t, a.dave, "post", a.post, "rules", "")
	a.fails(t, "", "GET", postPath, "", http.StatusNotFound, "")
	a.fails(t, a.bob, "GET", postPath, "", http.StatusNotFound, "")
	var p apiv1.Post
	if code := a.call(t, "GET", postPath, "", &p); code != http.StatusOK || p.Review == nil || p.Review.State != "held" || !strings.Contains(p.Review.Reason, "reports") {
		t.Errorf("ada reading her reported post: HTTP %d, review %+v; want it held after reports", code, p.Review)
	}
}
