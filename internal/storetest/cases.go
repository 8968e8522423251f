package storetest

import (
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

// postSubject names a post.
func postSubject(id string) generia.Subject {
	return generia.Subject{Type: generia.SubjectPost, ID: id}
}

// newReport returns a report of a subject by a reporter, of weight 1, with a
// snapshot saying text.
func newReport(id, reporter string, sub generia.Subject, text string, when time.Time) generia.Report {
	return generia.Report{
		ID: id, ReporterID: reporter, Subject: sub, Reason: generia.ReasonRules, Note: "note of " + id, Weight: 1,
		Snapshot:  generia.Snapshot{Subject: sub, WorldID: "w1", AuthorID: "u-author", Text: text, MediaID: "media-1", TakenAt: when},
		CreatedAt: when,
	}
}

// fileReport files a report and fails the test on error.
func fileReport(t *testing.T, s generia.Store, r generia.Report) generia.Case {
	t.Helper()
	c, err := s.FileReport(t.Context(), r)
	ok(t, err, "FileReport "+r.ID)
	return c
}

func testFileReport(t *testing.T, s generia.Store) {
	ctx := t.Context()
	sub := postSubject("p1")
	first := newReport("r1", "u-ann", sub, "the caption as reported", at(time.Minute))
	c := fileReport(t, s, first)
	if c.Status != generia.CaseOpen || c.Source != generia.SourceReport || c.Score != 1 || c.Reports != 1 || c.Subject != sub || c.WorldID != "w1" {
		t.Errorf("new case = %+v; want open, from a report, score 1, 1 report, of %s in w1", c, sub)
	}
	same(t, "case snapshot", c.Snapshot, first.Snapshot)

	second := newReport("r2", "u-bob", sub, "the caption edited since", at(2*time.Minute))
	second.Weight, second.Reason, second.Note = 0.25, generia.ReasonSpam, ""
	c2 := fileReport(t, s, second)
	if c2.ID != c.ID || c2.Score != 1.25 || c2.Reports != 2 {
		t.Errorf("second report: case %s, score %v, %d reports; want case %s, 1.25, 2", c2.ID, c2.Score, c2.Reports, c.ID)
	}
	same(t, "the case keeps the first snapshot", c2.Snapshot, first.Snapshot)
	if !c2.UpdatedAt.Equal(at(2*time.Minute)) || !c2.CreatedAt.Equal(at(time.Minute)) {
		t.Errorf("case created %v, updated %v; want %v, %v", c2.CreatedAt, c2.UpdatedAt, at(time.Minute), at(2*time.Minute))
	}

	// The same reporter again, even with another reason: a conflict that
	// changes nothing.
	again := newReport("r3", "u-ann", sub, "x", at(3*time.Minute))
	again.Reason = generia.ReasonIllegal
	_, err := s.FileReport(ctx, again)
	wantKind(t, err, generia.KindConflict, "a second report by one reporter")
	got, err := s.Case(ctx, c.ID)
	ok(t, err, "Case")
	if got.Score != 1.25 || got.Reports != 2 {
		t.Errorf("after a refused report: score %v, %d reports; want 1.25, 2", got.Score, got.Reports)
	}

	reports, err := s.CaseReports(ctx, c.ID)
	ok(t, err, "CaseReports")
	first.CaseID, second.CaseID = c.ID, c.ID
	second.Snapshot.Subject = sub
	same(t, "the case's reports, oldest first", reports, []generia.Report{first, second})

	// Another subject has a case of its own.
	other := fileReport(t, s, newReport("r4", "u-ann", postSubject("p2"), "y", at(4*time.Minute)))
	if other.ID == c.ID || other.Score != 1 {
		t.Errorf("a report of another post went to case %s with score %v; want a new case with 1", other.ID, other.Score)
	}

	_, err = s.Case(ctx, "k-none")
	wantKind(t, err, generia.KindNotFound, "an unknown case")
	_, err = s.CaseReports(ctx, "k-none")
	wantKind(t, err, generia.KindNotFound, "the reports of an unknown case")

	for _, tc := range []struct {
		name string
		edit func(*generia.Report)
	}{
		{"no ID", func(r *generia.Report) { r.ID = "" }},
		{"no reporter", func(r *generia.Report) { r.ReporterID = "" }},
		{"unknown subject type", func(r *generia.Report) { r.Subject.Type = "album" }},
		{"no subject ID", func(r *generia.Report) { r.Subject.ID = "" }},
		{"unknown reason", func(r *generia.Report) { r.Reason = "ugly" }},
		{"no reason", func(r *generia.Report) { r.Reason = "" }},
		{"zero weight", func(r *generia.Report) { r.Weight = 0 }},
		{"negative weight", func(r *generia.Report) { r.Weight = -1 }},
		{"NaN weight", func(r *generia.Report) { r.Weight = math.NaN() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newReport("r-bad", "u-carl", sub, "z", at(5*time.Minute))
			tc.edit(&r)
			_, err := s.FileReport(ctx, r)
			wantKind(t, err, generia.KindInvalid, "FileReport")
		})
	}
	got, _ = s.Case(ctx, c.ID)
	if got.Reports != 2 {
		t.Errorf("refused reports changed the case: %d reports, want 2", got.Reports)
	}
}

func testFileReportConcurrent(t *testing.T, s generia.Store) {
	ctx := t.Context()
	sub := generia.Subject{Type: generia.SubjectComment, ID: "m1"}
	const n = 20
	var wg sync.WaitGroup
	cases := make([]string, n)
	errs := make([]error, n)
	want := 0.0
	for i := range n {
		r := newReport(fmt.Sprintf("r%02d", i), fmt.Sprintf("u-%02d", i), sub, "said", at(time.Duration(i)*time.Millisecond))
		r.Weight = 0.5 + float64(i%4)*0.25
		want += r.Weight
		wg.Go(func() {
			c, err := s.FileReport(ctx, r)
			cases[i], errs[i] = c.ID, err
		})
	}
	wg.Wait()
	for i, err := range errs {
		ok(t, err, fmt.Sprintf("report %d", i))
	}
	for i := range cases {
		if cases[i] != cases[0] {
			t.Fatalf("report %d went to case %s, report 0 to %s; want one case", i, cases[i], cases[0])
		}
	}
	open, _, err := s.ListCases(ctx, generia.CaseFilter{Status: generia.CaseOpen}, generia.Page{})
	ok(t, err, "ListCases")
	if len(open) != 1 {
		t.Fatalf("%d open cases, want 1", len(open))
	}
	if c := open[0]; c.Reports != n || math.Abs(c.Score-want) > 1e-9 {
		t.Errorf("case has %d reports and score %v; want %d and %v", c.Reports, c.Score, n, want)
	}
	reports, err := s.CaseReports(ctx, open[0].ID)
	ok(t, err, "CaseReports")
	if len(reports) != n {
		t.Errorf("%d reports in the case, want %d", len(reports), n)
	}
}

func testOpenCase(t *testing.T, s generia.Store) {
	ctx := t.Context()
	sub := postSubject("p1")
	verdict := &generia.Verdict{Flagged: []generia.Category{generia.CategoryHate}, Terms: []string{"S10"}, Checker: "guard"}
	held := generia.Case{ID: "k1", Subject: sub, Snapshot: generia.Snapshot{WorldID: "w1", Text: "as generated", Generated: true}, Verdict: verdict, CreatedAt: at(time.Minute)}
	c, err := s.OpenCase(ctx, held)
	ok(t, err, "OpenCase")
	if c.ID != "k1" || c.Source != generia.SourceCheck || c.Status != generia.CaseOpen || c.WorldID != "w1" || c.Reports != 0 || c.Score != 0 {
		t.Errorf("opened case = %+v; want k1, open, from a check, in w1, no reports", c)
	}
	same(t, "verdict", c.Verdict, verdict)
	if c.Snapshot.Text != "as generated" || c.Snapshot.Subject != sub || !c.Snapshot.TakenAt.Equal(at(time.Minute)) {
		t.Errorf("snapshot = %+v; want the text, the subject and the case's time", c.Snapshot)
	}
	// A second hold of the subject finds the open case.
	again, err := s.OpenCase(ctx, generia.Case{ID: "k2", Subject: sub, Source: generia.SourceCheck, Snapshot: generia.Snapshot{Text: "later"}})
	ok(t, err, "OpenCase again")
	if again.ID != "k1" || again.Snapshot.Text != "as generated" {
		t.Errorf("OpenCase of a subject with an open case = %s %q; want k1 with its snapshot", again.ID, again.Snapshot.Text)
	}
	// Reports merge into it, and it keeps its source.
	r := fileReport(t, s, newReport("r1", "u-ann", sub, "x", at(2*time.Minute)))
	if r.ID != "k1" || r.Source != generia.SourceCheck || r.Score != 1 || r.Reports != 1 {
		t.Errorf("a report of a held item: case %s from %s, score %v, %d reports; want k1 from a check, 1, 1", r.ID, r.Source, r.Score, r.Reports)
	}
	got, err := s.Case(ctx, "k1")
	ok(t, err, "Case")
	same(t, "Case", got, r)

	_, err = s.OpenCase(ctx, generia.Case{Subject: sub})
	wantKind(t, err, generia.KindInvalid, "a case without an ID")
	_, err = s.OpenCase(ctx, generia.Case{ID: "k3", Subject: generia.Subject{Type: "album", ID: "x"}})
	wantKind(t, err, generia.KindInvalid, "a case of an unknown subject type")
	_, err = s.OpenCase(ctx, generia.Case{ID: "k3", Subject: sub, Source: "rumour"})
	wantKind(t, err, generia.KindInvalid, "a case of an unknown source")
}

func testListCases(t *testing.T, s generia.Store) {
	ctx := t.Context()
	// Scores 1, 3, 1, 2, 1, in order of age; p6 is resolved.
	reporters := map[string]int{"p1": 1, "p2": 3, "p3": 1, "p4": 2, "p5": 1, "p6": 1}
	for i, p := range []string{"p1", "p2", "p3", "p4", "p5", "p6"} {
		for j := range reporters[p] {
			fileReport(t, s, newReport(fmt.Sprintf("r-%s-%d", p, j), fmt.Sprintf("u-%d", j), postSubject(p), p, at(time.Duration(i)*time.Minute+time.Duration(j)*time.Second)))
		}
	}
	c6 := caseOf(t, s, "p6")
	_, err := s.Resolve(ctx, c6, generia.ActionDismiss, nil, nil, generia.AuditEntry{Actor: "u-mod", Verb: generia.ActionDismiss})
	ok(t, err, "Resolve")

	subjects := func(f generia.CaseFilter) []string {
		got, _ := allPages(t, 2, func(p generia.Page) ([]generia.Case, string, error) { return s.ListCases(ctx, f, p) })
		return ids(got, func(c generia.Case) string { return c.Subject.ID })
	}
	same(t, "open cases, by score then age", subjects(generia.CaseFilter{Status: generia.CaseOpen}), []string{"p2", "p4", "p1", "p3", "p5"})
	same(t, "resolved cases", subjects(generia.CaseFilter{Status: generia.CaseResolved}), []string{"p6"})
	same(t, "all cases, newest first", subjects(generia.CaseFilter{}), []string{"p6", "p5", "p4", "p3", "p2", "p1"})

	// Reports raising a case's score move it up the queue, behind an
	// older case of the same score.
	fileReport(t, s, newReport("r-p5-more", "u-9", postSubject("p5"), "p5", at(time.Hour)))
	fileReport(t, s, newReport("r-p5-most", "u-8", postSubject("p5"), "p5", at(time.Hour)))
	same(t, "open cases after more reports", subjects(generia.CaseFilter{Status: generia.CaseOpen}), []string{"p2", "p5", "p4", "p1", "p3"})

	_, _, err = s.ListCases(ctx, generia.CaseFilter{Status: "pending"}, generia.Page{})
	wantKind(t, err, generia.KindInvalid, "an unknown status")
	_, _, err = s.ListCases(ctx, generia.CaseFilter{Status: generia.CaseOpen}, generia.Page{Cursor: "bad"})
	wantKind(t, err, generia.KindInvalid, "a malformed cursor")
	_, next, err := s.ListCases(ctx, generia.CaseFilter{}, generia.Page{Limit: 1})
	ok(t, err, "ListCases")
	_, _, err = s.ListCases(ctx, generia.CaseFilter{Status: generia.CaseOpen}, generia.Page{Cursor: next})
	wantKind(t, err, generia.KindInvalid, "a cursor of another list")
}

// caseOf returns the ID of a post's open case.
func caseOf(t *testing.T, s generia.Store, postID string) string {
	t.Helper()
	c, err := s.OpenCase(t.Context(), generia.Case{ID: "k-find-" + postID, Subject: postSubject(postID)})
	ok(t, err, "OpenCase")
	if c.ID == "k-find-"+postID {
		t.Fatalf("post %s had no open case", postID)
	}
	return c.ID
}

func testReporterRecord(t *testing.T, s generia.Store) {
	ctx := t.Context()
	for i, res := range []string{generia.ActionHide, generia.ActionDismiss, generia.ActionApprove, generia.ActionDelete, ""} {
		p := fmt.Sprintf("p%d", i)
		fileReport(t, s, newReport("r-ann-"+p, "u-ann", postSubject(p), p, at(time.Minute)))
		fileReport(t, s, newReport("r-bob-"+p, "u-bob", postSubject(p), p, at(time.Minute)))
		if res != "" {
			_, err := s.Resolve(ctx, caseOf(t, s, p), res, nil, nil, generia.AuditEntry{Actor: "u-mod"})
			ok(t, err, "Resolve "+res)
		}
	}
	upheld, rejected, err := s.ReporterRecord(ctx, "u-ann")
	ok(t, err, "ReporterRecord")
	if upheld != 2 || rejected != 1 {
		t.Errorf("record = %d upheld, %d rejected; want 2 (hide, delete), 1 (dismiss)", upheld, rejected)
	}
	upheld, rejected, err = s.ReporterRecord(ctx, "u-nobody")
	ok(t, err, "ReporterRecord of a new reporter")
	if upheld != 0 || rejected != 0 {
		t.Errorf("a new reporter's record = %d, %d; want 0, 0", upheld, rejected)
	}
}
