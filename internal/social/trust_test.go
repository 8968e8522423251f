package social

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

// markers is a moderator that flags by words in the text: "spamword" is
// spam, "slur" hate, "forbidden-thing" sexual/minors (blocked by the
// default policy); with down set it answers nothing.
type markers struct {
	down   bool
	checks int
}

func (m *markers) Name() string { return "markers" }

func (m *markers) CheckText(_ context.Context, c generia.TextCheck) (generia.Verdict, error) {
	m.checks++
	if m.down {
		return generia.Verdict{}, &generia.ProviderError{Provider: "moderation", Kind: generia.KindUnavailable, Status: 502, Message: "bad gateway"}
	}
	v := generia.Verdict{Checker: "markers"}
	for word, cat := range map[string]generia.Category{"spamword": generia.CategorySpam, "slur": generia.CategoryHate, "forbidden-thing": generia.CategorySexualMinors} {
		if strings.Contains(c.Text, word) {
			v.Flagged = append(v.Flagged, cat)
			v.Terms = append(v.Terms, word)
		}
	}
	return v, nil
}

func (m *markers) CheckImage(context.Context, generia.ImageCheck) (generia.Verdict, error) {
	return generia.Verdict{Checker: "markers"}, nil
}

// The town's moderation staff: a moderator and an admin, who joined
// neither world.
const (
	mod   = "mo"
	admin = "al"
)

// trustTown is a town's service with a moderator and an admin, checking
// with m.
func trustTown(t *testing.T, m generia.Moderator) (*Service, context.Context) {
	t.Helper()
	ctx := context.Background()
	s := newTown(t).service(t)
	s.Moderator = m
	for id, role := range map[string]string{mod: generia.RoleModerator, admin: generia.RoleAdmin} {
		if _, err := s.Store.CreateUser(ctx, generia.User{ID: id, Username: id + "_staff", Email: id + "@example.com", CreatedAt: s.now()}, "hash"); err != nil {
			t.Fatal(err)
		}
		if err := s.Store.SetRole(ctx, id, role); err != nil {
			t.Fatal(err)
		}
	}
	for _, w := range []string{public, private} {
		for _, who := range []string{owner, member} {
			m, err := s.Store.Media(ctx, uploadOf(who, w))
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Files.Put(ctx, m.ObjectKey, m.ContentType, []byte("an image")); err != nil {
				t.Fatal(err)
			}
		}
	}
	return s, ctx
}

func kindOf(err error) generia.Kind {
	if err == nil {
		return allowed
	}
	return generia.ErrorKind(err)
}

func TestHeldCommentIsSeenByItsPersonAndModeratorsOnly(t *testing.T) {
	s, ctx := trustTown(t, &markers{})
	c, err := s.AddComment(ctx, member, public, postOf(public), NewComment{Text: "buy now spamword"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Review.State != generia.ReviewHeld || !strings.Contains(c.Review.Reason, "spam") {
		t.Fatalf("a flagged comment is stored %+v, want held for spam", c.Review)
	}
	if c.Answer != (Answer{}) {
		t.Errorf("a held comment woke the world's life: %+v", c.Answer)
	}
	for who, want := range map[string]bool{member: true, mod: true, admin: true, owner: false, stranger: false, anon: false} {
		list, _, err := s.Comments(ctx, who, public, postOf(public), generia.Page{})
		if err != nil {
			t.Fatal(who, err)
		}
		found := false
		for _, got := range list {
			found = found || got.ID == c.ID
		}
		if found != want {
			t.Errorf("%q sees the held comment: %v, want %v", who, found, want)
		}
	}
	cases, _, err := s.Cases(ctx, mod, generia.CaseFilter{Status: generia.CaseOpen}, generia.Page{})
	if err != nil || len(cases) != 1 || cases[0].Subject.ID != c.ID || cases[0].Source != generia.SourceCheck || cases[0].Verdict == nil {
		t.Fatalf("the queue after a hold: %+v, %v; want the comment's case with its verdict", cases, err)
	}
}

func TestBlockedCommentIsRefusedAndNotStored(t *testing.T) {
	s, ctx := trustTown(t, &markers{})
	_, err := s.AddComment(ctx, member, public, postOf(public), NewComment{Text: "forbidden-thing"})
	if kindOf(err) != generia.KindRefused || !strings.Contains(err.Error(), "sexual/minors") {
		t.Fatalf("a blocked comment gives %v, want refused naming its category", err)
	}
	list, _, err := s.Comments(ctx, member, public, postOf(public), generia.Page{})
	if err != nil || len(list) != 2 {
		t.Fatalf("comments after a refusal: %d, %v; want the town's 2", len(list), err)
	}
}

func TestCheckThatCannotAnswerHoldsAPersonsPost(t *testing.T) {
	m := &markers{down: true}
	s, ctx := trustTown(t, m)
	p, err := s.CreatePost(ctx, member, public, NewPost{CharacterID: characterOf(member, public), MediaID: uploadOf(member, public), Caption: "a quiet harbour"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Review.State != generia.ReviewHeld || m.checks == 0 {
		t.Fatalf("a post whose check failed is %+v after %d checks, want held", p.Review, m.checks)
	}
	feed, _, err := s.Feed(ctx, stranger, public, generia.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range feed {
		if got.ID == p.ID {
			t.Fatal("a stranger sees a post no check passed")
		}
	}
	if _, err := s.Post(ctx, anon, public, p.ID); kindOf(err) != notFound {
		t.Errorf("a visitor reading the held post gets %v, want not found", err)
	}
	if _, err := s.Post(ctx, member, public, p.ID); err != nil {
		t.Errorf("its author reading the held post gets %v", err)
	}
}

func TestReportsPastTheThresholdHoldTheContent(t *testing.T) {
	s, ctx := trustTown(t, nil)
	reporters := []string{member, stranger, mod}
	for i, who := range reporters {
		c, err := s.Report(ctx, who, NewReport{SubjectType: generia.SubjectPost, SubjectID: postOf(public), Reason: generia.ReasonSpam, Note: "ads"})
		if err != nil {
			t.Fatal(who, err)
		}
		if c.Reports != i+1 {
			t.Errorf("after %d reports the case counts %d", i+1, c.Reports)
		}
	}
	if _, err := s.Report(ctx, member, NewReport{SubjectType: generia.SubjectPost, SubjectID: postOf(public), Reason: generia.ReasonSpam}); kindOf(err) != generia.KindConflict {
		t.Errorf("a second report by the same person gives %v, want conflict", err)
	}
	if _, err := s.Post(ctx, stranger, public, postOf(public)); kindOf(err) != notFound {
		t.Errorf("a post reported past the threshold is still shown to others: %v", err)
	}
	// Reports of what does not exist, or is not the reporter's to see.
	for _, r := range []NewReport{
		{SubjectType: generia.SubjectPost, SubjectID: "no-such-post", Reason: generia.ReasonSpam},
		{SubjectType: generia.SubjectPost, SubjectID: postOf(private), Reason: generia.ReasonSpam},
	} {
		if _, err := s.Report(ctx, stranger, r); kindOf(err) != notFound {
			t.Errorf("report of %s by a stranger gives %v, want not found", r.SubjectID, err)
		}
	}
	for _, r := range []NewReport{
		{SubjectType: "galaxy", SubjectID: "x", Reason: generia.ReasonSpam},
		{SubjectType: generia.SubjectComment, SubjectID: commentOf(owner, public), Reason: "boring"},
		{SubjectType: generia.SubjectComment, SubjectID: commentOf(owner, public), Reason: generia.ReasonOther},
		{SubjectType: generia.SubjectComment, SubjectID: commentOf(member, public), Reason: generia.ReasonSpam}, // their own
	} {
		if _, err := s.Report(ctx, member, r); kindOf(err) != invalid {
			t.Errorf("report %+v gives %v, want invalid", r, err)
		}
	}
	if _, err := s.Report(ctx, anon, NewReport{SubjectType: generia.SubjectPost, SubjectID: postOf(public), Reason: generia.ReasonSpam}); kindOf(err) != unauthorized {
		t.Errorf("a visitor's report gives %v, want unauthorized", err)
	}
}

func TestActionMakesAStrikeItsPersonSeesAndAppealsOnce(t *testing.T) {
	s, ctx := trustTown(t, nil)
	c, err := s.Report(ctx, owner, NewReport{SubjectType: generia.SubjectComment, SubjectID: commentOf(member, public), Reason: generia.ReasonRules, Note: "rude"})
	if err != nil {
		t.Fatal(err)
	}
	hide := CaseAction{Action: generia.ActionHide, Reason: "insults another member"}
	for who, want := range map[string]generia.Kind{anon: unauthorized, owner: forbidden, stranger: forbidden, member: forbidden} {
		if _, err := s.Act(ctx, who, c.ID, hide); kindOf(err) != want {
			t.Errorf("%q acting on a case gives %v, want %s", who, err, want)
		}
	}
	if _, err := s.Act(ctx, mod, c.ID, CaseAction{Action: generia.ActionHide}); kindOf(err) != invalid {
		t.Errorf("an action without a reason gives %v, want invalid", err)
	}
	if _, err := s.Act(ctx, mod, c.ID, CaseAction{Action: generia.ActionSuspend, Reason: "x"}); kindOf(err) != forbidden {
		t.Errorf("a moderator suspending gives %v, want forbidden (admins only)", err)
	}
	if _, err := s.Act(ctx, mod, c.ID, hide); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Act(ctx, mod, c.ID, hide); kindOf(err) != generia.KindConflict {
		t.Errorf("acting on a resolved case gives %v, want conflict", err)
	}
	strikes, err := s.MyStrikes(ctx, member)
	if err != nil || len(strikes) != 1 || strikes[0].Reason != hide.Reason || strikes[0].Snapshot.Text != "Hello" {
		t.Fatalf("the person's strikes: %+v, %v; want one with its reason and the comment as it was", strikes, err)
	}
	if others, _ := s.MyStrikes(ctx, owner); len(others) != 0 {
		t.Errorf("the reporter sees %d strikes, want none", len(others))
	}
	if _, err := s.Appeal(ctx, owner, strikes[0].ID, "not mine"); kindOf(err) != notFound {
		t.Errorf("appealing another's strike gives %v, want not found", err)
	}
	if _, err := s.Appeal(ctx, member, strikes[0].ID, "it was a joke between friends"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Appeal(ctx, member, strikes[0].ID, "again"); kindOf(err) != generia.KindConflict {
		t.Errorf("a second appeal gives %v, want conflict", err)
	}
	if _, err := s.DecideAppeal(ctx, mod, strikes[0].ID, AppealDecision{Accept: true, Reason: "context shows a joke"}); err != nil {
		t.Fatal(err)
	}
	list, _, _ := s.Comments(ctx, stranger, public, postOf(public), generia.Page{})
	if len(list) != 2 {
		t.Errorf("after an accepted appeal others see %d comments, want the hidden one back (2)", len(list))
	}
	entries, _, err := s.AuditLog(ctx, mod, generia.AuditFilter{}, generia.Page{})
	if err != nil {
		t.Fatal(err)
	}
	var verbs []string
	for i := len(entries) - 1; i >= 0; i-- {
		verbs = append(verbs, entries[i].Verb)
	}
	if got := strings.Join(verbs, ","); !strings.HasPrefix(got, "report,hide,appeal") {
		t.Errorf("the audit log, oldest first: %s; want report, hide, appeal, then the decision", got)
	}
	if _, _, err := s.AuditLog(ctx, member, generia.AuditFilter{}, generia.Page{}); kindOf(err) != forbidden {
		t.Errorf("a member reading the audit log gives %v, want forbidden", err)
	}
}

func TestNoOneActsOnTheirOwnContent(t *testing.T) {
	s, ctx := trustTown(t, nil)
	if err := s.Store.SetRole(ctx, member, generia.RoleModerator); err != nil {
		t.Fatal(err)
	}
	c, err := s.Report(ctx, owner, NewReport{SubjectType: generia.SubjectComment, SubjectID: commentOf(member, public), Reason: generia.ReasonSpam})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Act(ctx, member, c.ID, CaseAction{Action: generia.ActionDismiss}); kindOf(err) != forbidden {
		t.Errorf("a moderator dismissing a case on their own comment gives %v, want forbidden", err)
	}
	if _, err := s.Act(ctx, mod, c.ID, CaseAction{Action: generia.ActionWarn, Reason: "spam"}); kindOf(err) != forbidden {
		t.Errorf("a moderator warning another moderator gives %v, want forbidden", err)
	}
	if _, err := s.Act(ctx, admin, c.ID, CaseAction{Action: generia.ActionWarn, Reason: "spam"}); err != nil {
		t.Errorf("an admin warning a moderator: %v", err)
	}
}

func TestSuspendedAccountReadsAndAppealsOnly(t *testing.T) {
	s, ctx := trustTown(t, nil)
	c, err := s.Report(ctx, owner, NewReport{SubjectType: generia.SubjectUser, SubjectID: member, Reason: generia.ReasonSpam})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Act(ctx, admin, c.ID, CaseAction{Action: generia.ActionSuspend, Reason: "spam account"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddComment(ctx, member, public, postOf(public), NewComment{Text: "still here"}); kindOf(err) != forbidden {
		t.Errorf("a suspended account commenting gives %v, want forbidden", err)
	}
	if _, _, err := s.Feed(ctx, member, public, generia.Page{}); err != nil {
		t.Errorf("a suspended account reading: %v", err)
	}
	strikes, err := s.MyStrikes(ctx, member)
	if err != nil || len(strikes) != 1 {
		t.Fatalf("strikes of the suspended account: %+v, %v", strikes, err)
	}
	if _, err := s.Appeal(ctx, member, strikes[0].ID, "I am a person"); err != nil {
		t.Errorf("a suspended account appealing: %v", err)
	}
	if _, err := s.DecideAppeal(ctx, mod, strikes[0].ID, AppealDecision{Accept: true, Reason: "ok"}); kindOf(err) != forbidden {
		t.Errorf("a moderator lifting a suspension gives %v, want forbidden", err)
	}
	if _, err := s.DecideAppeal(ctx, admin, strikes[0].ID, AppealDecision{Accept: true, Reason: "a real person"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddComment(ctx, member, public, postOf(public), NewComment{Text: "back"}); err != nil {
		t.Errorf("after the suspension was lifted: %v", err)
	}
}

func TestAppealWindow(t *testing.T) {
	s, ctx := trustTown(t, nil)
	c, err := s.Report(ctx, owner, NewReport{SubjectType: generia.SubjectComment, SubjectID: commentOf(member, public), Reason: generia.ReasonSpam})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Act(ctx, mod, c.ID, CaseAction{Action: generia.ActionWarn, Reason: "spam"}); err != nil {
		t.Fatal(err)
	}
	strikes, _ := s.MyStrikes(ctx, member)
	later := s.now().Add(generia.AppealWindow + time.Hour)
	s.Now = func() time.Time { return later }
	if _, err := s.Appeal(ctx, member, strikes[0].ID, "late"); kindOf(err) != invalid {
		t.Errorf("an appeal after 20 days gives %v, want invalid", err)
	}
}

func TestRoles(t *testing.T) {
	s, ctx := trustTown(t, nil)
	for _, tc := range []struct {
		who, account, role string
		want               generia.Kind
	}{
		{mod, "bea", generia.RoleModerator, forbidden},
		{member, "cy", generia.RoleModerator, forbidden},
		{admin, "bea", generia.RoleAdmin, forbidden},
		{admin, "al_staff", generia.RoleNone, forbidden},
		{admin, "bea", "god", invalid},
		{admin, "bea", generia.RoleModerator, allowed},
		{operator, "cy", generia.RoleAdmin, allowed},
		{operator, "al_staff", generia.RoleNone, allowed},
		{admin, "nobody-here", generia.RoleModerator, notFound},
	} {
		_, err := s.GrantRole(ctx, tc.who, tc.account, tc.role)
		if kindOf(err) != tc.want {
			t.Errorf("%s granting %s %q: %v, want %s", tc.who, tc.account, tc.role, err, tc.want)
		}
	}
	u, err := s.Store.UserByID(ctx, stranger)
	if err != nil || u.Role != generia.RoleAdmin {
		t.Errorf("cy's role after the operator's grant: %q, %v", u.Role, err)
	}
	entries, _, err := s.AuditLog(ctx, stranger, generia.AuditFilter{}, generia.Page{})
	if err != nil || len(entries) == 0 || entries[0].Verb != "grant" || entries[0].Actor != generia.ActorOperator {
		t.Errorf("the audit log's newest entry: %+v, %v; want the operator's grant", entries, err)
	}
	var e *generia.Error
	_, err = s.Spend(ctx, mod, 0)
	if !errors.As(err, &e) || e.Field != "days" {
		t.Errorf("spend over 0 days gives %v, want invalid days", err)
	}
	sp, err := s.Spend(ctx, mod, 30)
	if err != nil || len(sp.Days) != 30 {
		t.Errorf("spend over 30 days: %d days, %v", len(sp.Days), err)
	}
}
