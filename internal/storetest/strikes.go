package storetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

// auditOf lists the audit log of a filter, every page, and fails the test
// on error.
func auditOf(t *testing.T, s generia.Store, f generia.AuditFilter) []generia.AuditEntry {
	t.Helper()
	got, _ := allPages(t, 2, func(p generia.Page) ([]generia.AuditEntry, string, error) { return s.ListAudit(t.Context(), f, p) })
	return got
}

func verbs(entries []generia.AuditEntry) []string {
	return ids(entries, func(e generia.AuditEntry) string { return e.Verb })
}

func testResolve(t *testing.T, s generia.Store) {
	ctx := t.Context()
	_, _, p, _ := reviewWorld(t, s)
	sub := postSubject(p.ID)
	c := fileReport(t, s, newReport("r1", "u-ann", sub, p.Caption, at(time.Minute)))

	hidden := generia.Review{State: generia.ReviewHidden, Reason: "harassment"}
	strike := generia.Strike{ID: "s1", UserID: "u-author", Action: generia.ActionHide, Reason: "harassment"}
	entry := generia.AuditEntry{Actor: "u-mod", Verb: generia.ActionHide, Reason: "harassment", Detail: json.RawMessage(`{"threshold": 3}`)}
	got, err := s.Resolve(ctx, c.ID, generia.ActionHide, &hidden, &strike, entry)
	ok(t, err, "Resolve")
	if got.Status != generia.CaseResolved || got.Resolution != generia.ActionHide || got.ResolvedAt == nil {
		t.Errorf("resolved case = %+v; want resolved with hide and a time", got)
	}
	stored, err := s.Case(ctx, c.ID)
	ok(t, err, "Case")
	same(t, "the resolved case read back", stored, got)
	wantReviews(t, s, map[generia.Subject]generia.Review{sub: hidden})

	strikes, err := s.Strikes(ctx, "u-author")
	ok(t, err, "Strikes")
	if len(strikes) != 1 {
		t.Fatalf("%d strikes, want 1", len(strikes))
	}
	st := strikes[0]
	if st.ID != "s1" || st.CaseID != c.ID || st.Subject != sub || st.Action != generia.ActionHide || st.Reason != "harassment" || st.Appeal != nil {
		t.Errorf("strike = %+v; want s1 of the case and its post, hide, with its reason, no appeal", st)
	}
	same(t, "the strike's snapshot is the case's", st.Snapshot, c.Snapshot)

	log := auditOf(t, s, generia.AuditFilter{})
	if len(log) != 1 {
		t.Fatalf("%d audit entries, want 1", len(log))
	}
	e := log[0]
	if e.Actor != "u-mod" || e.Verb != generia.ActionHide || e.CaseID != c.ID || e.Subject != sub || e.Reason != "harassment" || e.ID == "" || e.CreatedAt.IsZero() {
		t.Errorf("audit entry = %+v; want the moderator's hide of the case's post with its reason, an ID and a time", e)
	}
	same(t, "the audit entry's snapshot", e.Snapshot, &c.Snapshot)
	same(t, "the audit entry's detail", e.Detail, entry.Detail)

	_, err = s.Resolve(ctx, c.ID, generia.ActionDismiss, nil, nil, generia.AuditEntry{Actor: "u-mod"})
	wantKind(t, err, generia.KindConflict, "resolving a resolved case")
	_, err = s.Resolve(ctx, "k-none", generia.ActionDismiss, nil, nil, generia.AuditEntry{Actor: "u-mod"})
	wantKind(t, err, generia.KindNotFound, "resolving an unknown case")

	// A new report of the subject opens a new case.
	c2 := fileReport(t, s, newReport("r2", "u-ann", sub, p.Caption, at(time.Hour)))
	if c2.ID == c.ID || c2.Reports != 1 {
		t.Fatalf("a report after the resolution went to case %s with %d reports; want a new case", c2.ID, c2.Reports)
	}
	// Refused: nothing of it is written, the case stays open.
	for _, tc := range []struct {
		name       string
		resolution string
		review     *generia.Review
		strike     *generia.Strike
		entry      generia.AuditEntry
	}{
		{"unknown resolution", "ban", nil, nil, generia.AuditEntry{Actor: "u-mod"}},
		{"invalid review", generia.ActionHide, &generia.Review{State: "gone"}, nil, generia.AuditEntry{Actor: "u-mod"}},
		{"strike without a person", generia.ActionWarn, nil, &generia.Strike{ID: "s2", Action: generia.ActionWarn}, generia.AuditEntry{Actor: "u-mod"}},
		{"strike of dismissal", generia.ActionDismiss, nil, &generia.Strike{ID: "s2", UserID: "u-author", Action: generia.ActionDismiss}, generia.AuditEntry{Actor: "u-mod"}},
		{"audit without an actor", generia.ActionHide, &hidden, &generia.Strike{ID: "s2", UserID: "u-author", Action: generia.ActionHide}, generia.AuditEntry{}},
		{"audit with a bad detail", generia.ActionHide, &hidden, nil, generia.AuditEntry{Actor: "u-mod", Detail: json.RawMessage(`{`)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Resolve(ctx, c2.ID, tc.resolution, tc.review, tc.strike, tc.entry)
			wantKind(t, err, generia.KindInvalid, "Resolve")
		})
	}
	stored, _ = s.Case(ctx, c2.ID)
	strikes, _ = s.Strikes(ctx, "u-author")
	if stored.Status != generia.CaseOpen || len(strikes) != 1 || len(auditOf(t, s, generia.AuditFilter{})) != 1 {
		t.Errorf("refused resolutions wrote: case %s, %d strikes, audit %v", stored.Status, len(strikes), verbs(auditOf(t, s, generia.AuditFilter{})))
	}

	// Content deleted since its report: the case still closes.
	ok(t, s.DeletePost(ctx, p.ID), "DeletePost")
	_, err = s.Resolve(ctx, c2.ID, generia.ActionDelete, &hidden, nil, generia.AuditEntry{Actor: "u-mod"})
	ok(t, err, "resolving the case of deleted content")
}

func testStrikesAppeals(t *testing.T, s generia.Store) {
	ctx := t.Context()
	add := func(id string, when time.Time) generia.Strike {
		t.Helper()
		st, err := s.AddStrike(ctx, generia.Strike{ID: id, UserID: "u-ann", Action: generia.ActionWarn, Reason: "spam in " + id,
			Subject: generia.Subject{Type: generia.SubjectUser, ID: "u-ann"}, CreatedAt: when}, generia.AuditEntry{Actor: generia.ActorOperator})
		ok(t, err, "AddStrike "+id)
		return st
	}
	old := add("s-old", t0)
	recent := add("s-new", at(24*time.Hour))
	list, err := s.Strikes(ctx, "u-ann")
	ok(t, err, "Strikes")
	same(t, "strikes, newest first", ids(list, func(s generia.Strike) string { return s.ID }), []string{"s-new", "s-old"})
	got, err := s.Strike(ctx, "s-old")
	ok(t, err, "Strike")
	same(t, "Strike", got, old)
	none, err := s.Strikes(ctx, "u-nobody")
	ok(t, err, "Strikes of someone without any")
	if len(none) != 0 {
		t.Errorf("strikes of someone without any = %v", none)
	}
	_, err = s.AddStrike(ctx, generia.Strike{ID: "s-old", UserID: "u-ann", Action: generia.ActionWarn}, generia.AuditEntry{Actor: "u-mod"})
	wantKind(t, err, generia.KindConflict, "a strike ID taken")
	_, err = s.Strike(ctx, "s-none")
	wantKind(t, err, generia.KindNotFound, "an unknown strike")

	// The window ends AppealWindow after the strike.
	_, err = s.AppealStrike(ctx, old.ID, "it was a joke", t0.Add(generia.AppealWindow+time.Microsecond))
	wantKind(t, err, generia.KindInvalid, "an appeal after the window")
	appealed, err := s.AppealStrike(ctx, recent.ID, "it was a quote", at(24*time.Hour+generia.AppealWindow))
	ok(t, err, "an appeal on the window's last moment")
	if a := appealed.Appeal; a == nil || a.State != generia.AppealPending || a.Text != "it was a quote" || !a.CreatedAt.Equal(at(24*time.Hour+generia.AppealWindow)) || a.DecidedAt != nil {
		t.Errorf("appeal = %+v; want pending with its text and time", appealed.Appeal)
	}
	got, _ = s.Strike(ctx, recent.ID)
	same(t, "the appealed strike read back", got, appealed)
	_, err = s.AppealStrike(ctx, recent.ID, "again", at(25*time.Hour))
	wantKind(t, err, generia.KindConflict, "a second appeal")
	_, err = s.AppealStrike(ctx, "s-none", "why", at(time.Hour))
	wantKind(t, err, generia.KindNotFound, "an appeal of an unknown strike")
	_, err = s.AppealStrike(ctx, old.ID, "  ", at(time.Hour))
	wantKind(t, err, generia.KindInvalid, "an appeal without a text")

	_, err = s.DecideAppeal(ctx, old.ID, true, "u-mod", "fine", at(time.Hour))
	wantKind(t, err, generia.KindConflict, "deciding a strike without an appeal")
	_, err = s.DecideAppeal(ctx, "s-none", true, "u-mod", "fine", at(time.Hour))
	wantKind(t, err, generia.KindNotFound, "deciding the appeal of an unknown strike")
	decided, err := s.DecideAppeal(ctx, recent.ID, true, "u-mod", "a quote indeed", at(48*time.Hour))
	ok(t, err, "DecideAppeal")
	if a := decided.Appeal; a == nil || a.State != generia.AppealAccepted || a.DecidedBy != "u-mod" || a.Decision != "a quote indeed" ||
		a.DecidedAt == nil || !a.DecidedAt.Equal(at(48*time.Hour)) || a.Text != "it was a quote" {
		t.Errorf("decided appeal = %+v; want accepted by u-mod with the reason and time, its text kept", decided.Appeal)
	}
	_, err = s.DecideAppeal(ctx, recent.ID, false, "u-mod2", "no", at(49*time.Hour))
	wantKind(t, err, generia.KindConflict, "deciding an appeal twice")
	got, _ = s.Strike(ctx, recent.ID)
	same(t, "the decided strike read back", got, decided)

	log := auditOf(t, s, generia.AuditFilter{})
	same(t, "audit verbs", verbs(log), []string{"appeal_accepted", generia.ActionWarn, generia.ActionWarn})
	if log[0].Actor != "u-mod" || log[0].Reason != "a quote indeed" || log[0].Subject != recent.Subject {
		t.Errorf("the appeal's audit entry = %+v; want the moderator's, with the reason, of the strike's subject", log[0])
	}
	if log[1].Actor != generia.ActorOperator {
		t.Errorf("the strike's audit entry is by %q, want the operator", log[1].Actor)
	}

	for _, tc := range []struct {
		name   string
		strike generia.Strike
	}{
		{"no ID", generia.Strike{UserID: "u-ann", Action: generia.ActionWarn}},
		{"no person", generia.Strike{ID: "s-x", Action: generia.ActionWarn}},
		{"unknown action", generia.Strike{ID: "s-x", UserID: "u-ann", Action: "scold"}},
		{"approval is no strike", generia.Strike{ID: "s-x", UserID: "u-ann", Action: generia.ActionApprove}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.AddStrike(ctx, tc.strike, generia.AuditEntry{Actor: "u-mod"})
			wantKind(t, err, generia.KindInvalid, "AddStrike")
		})
	}
	_, err = s.AddStrike(ctx, generia.Strike{ID: "s-x", UserID: "u-ann", Action: generia.ActionWarn}, generia.AuditEntry{})
	wantKind(t, err, generia.KindInvalid, "a strike whose audit entry has no actor")
	if _, err := s.Strike(ctx, "s-x"); !generia.IsKind(err, generia.KindNotFound) {
		t.Errorf("a strike whose audit entry was refused was stored (%v)", err)
	}
}

func testAudit(t *testing.T, s generia.Store) {
	ctx := t.Context()
	post, world := postSubject("p1"), generia.Subject{Type: generia.SubjectWorld, ID: "w1"}
	entries := []generia.AuditEntry{
		{ID: "a1", Actor: generia.ActorSystem, Verb: "hold", Subject: post, Reason: "flagged", Detail: json.RawMessage(`{"checker": "offline"}`),
			Snapshot: &generia.Snapshot{Subject: post, Text: "as it was", TakenAt: t0}, CreatedAt: at(time.Minute)},
		{ID: "a2", Actor: "u-mod", Verb: generia.ActionFreezeWorld, Subject: world, CreatedAt: at(2 * time.Minute)},
		{Actor: generia.ActorOperator, Verb: "grant", Subject: generia.Subject{Type: generia.SubjectUser, ID: "u-mod"}, Detail: json.RawMessage(`{"role":"moderator"}`)},
		{ID: "a4", Actor: "u-mod", Verb: generia.ActionApprove, Subject: post, CaseID: "k1", CreatedAt: at(time.Minute)}, // older time, written last
	}
	for _, e := range entries {
		ok(t, s.Audit(ctx, e), "Audit "+e.Verb)
	}
	all := auditOf(t, s, generia.AuditFilter{})
	same(t, "the log, last written first", verbs(all), []string{generia.ActionApprove, "grant", generia.ActionFreezeWorld, "hold"})
	same(t, "a written entry read back", all[3], entries[0])
	if all[1].ID == "" || all[1].CreatedAt.IsZero() {
		t.Errorf("an entry without ID or time got ID %q and time %v; want both made up", all[1].ID, all[1].CreatedAt)
	}
	same(t, "entries of a post", verbs(auditOf(t, s, generia.AuditFilter{Subject: &post})), []string{generia.ActionApprove, "hold"})
	same(t, "entries by a moderator", verbs(auditOf(t, s, generia.AuditFilter{Actor: "u-mod"})), []string{generia.ActionApprove, generia.ActionFreezeWorld})
	same(t, "entries of a post by the system", verbs(auditOf(t, s, generia.AuditFilter{Subject: &post, Actor: generia.ActorSystem})), []string{"hold"})

	for _, tc := range []struct {
		name string
		e    generia.AuditEntry
		kind generia.Kind
	}{
		{"no actor", generia.AuditEntry{Verb: "hold"}, generia.KindInvalid},
		{"no verb", generia.AuditEntry{Actor: "u-mod"}, generia.KindInvalid},
		{"bad detail", generia.AuditEntry{Actor: "u-mod", Verb: "hold", Detail: json.RawMessage(`{"a":`)}, generia.KindInvalid},
		{"unknown subject type", generia.AuditEntry{Actor: "u-mod", Verb: "hold", Subject: generia.Subject{Type: "album", ID: "x"}}, generia.KindInvalid},
		{"an ID written already", generia.AuditEntry{ID: "a1", Actor: "u-mod", Verb: "hold"}, generia.KindConflict},
	} {
		t.Run(tc.name, func(t *testing.T) { wantKind(t, s.Audit(ctx, tc.e), tc.kind, "Audit") })
	}
	if n := len(auditOf(t, s, generia.AuditFilter{})); n != len(entries) {
		t.Errorf("%d entries after refused ones, want %d", n, len(entries))
	}
	_, _, err := s.ListAudit(ctx, generia.AuditFilter{}, generia.Page{Cursor: "x"})
	wantKind(t, err, generia.KindInvalid, "a malformed cursor")
}

// testSnapshotsOutliveContent: a report's snapshot is the content as
// reported, whatever happens to it after: an edit, the deletion of its
// world.
func testSnapshotsOutliveContent(t *testing.T, s generia.Store) {
	ctx := t.Context()
	w, _, p, _ := reviewWorld(t, s)
	sub := postSubject(p.ID)
	snap := generia.Snapshot{Subject: sub, WorldID: w.ID, AuthorID: "u-author", Text: p.Caption, MediaID: p.MediaID, Generated: true, TakenAt: at(time.Minute)}
	r := newReport("r1", "u-ann", sub, "", at(time.Minute))
	r.Snapshot = snap
	c := fileReport(t, s, r)
	ok(t, s.EditPost(ctx, p.ID, "Nothing to see here.", nil), "EditPost")
	_, err := s.AddStrike(ctx, generia.Strike{ID: "s1", UserID: "u-author", CaseID: c.ID, Action: generia.ActionWarn, Subject: sub, Snapshot: snap},
		generia.AuditEntry{Actor: "u-mod"})
	ok(t, err, "AddStrike")
	_, err = s.DeleteWorld(ctx, w.ID)
	ok(t, err, "DeleteWorld")

	got, err := s.Case(ctx, c.ID)
	ok(t, err, "the case after its world is deleted")
	same(t, "the case's snapshot", got.Snapshot, snap)
	reports, err := s.CaseReports(ctx, c.ID)
	ok(t, err, "CaseReports")
	if len(reports) != 1 {
		t.Fatalf("%d reports after the world is deleted, want 1", len(reports))
	}
	same(t, "the report's snapshot", reports[0].Snapshot, snap)
	st, err := s.Strike(ctx, "s1")
	ok(t, err, "the strike after its world is deleted")
	same(t, "the strike's snapshot", st.Snapshot, snap)
	log := auditOf(t, s, generia.AuditFilter{Subject: &sub})
	if len(log) != 1 || log[0].Snapshot == nil {
		t.Fatalf("audit of the post after its world is deleted = %+v, want the strike's entry with its snapshot", log)
	}
	same(t, "the audit snapshot", *log[0].Snapshot, snap)
	// The case can still be resolved.
	_, err = s.Resolve(ctx, c.ID, generia.ActionDelete, &generia.Review{State: generia.ReviewHidden}, nil, generia.AuditEntry{Actor: "u-mod"})
	ok(t, err, "resolving the case of a deleted world's post")
}
