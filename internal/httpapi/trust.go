package httpapi

import (
	"net/http"
	"strconv"

	"github.com/generia/generia/internal/apiv1"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/social"
)

// Trust and safety: people's reports and strikes, and the moderators'
// console (cases, actions, appeals, the audit log, spending, accounts).

// DefaultSpendDays is the period /admin/spend reads without ?days.
const DefaultSpendDays = 30

func toReportFiled(c generia.Case) apiv1.ReportFiled {
	return apiv1.ReportFiled{CaseID: c.ID, Status: c.Status}
}

func toCase(c generia.Case) apiv1.Case {
	return apiv1.Case{ID: c.ID, Subject: c.Subject, WorldID: c.WorldID, Status: c.Status, Source: c.Source, Score: c.Score,
		Reports: c.Reports, Snapshot: c.Snapshot, Verdict: c.Verdict, Resolution: c.Resolution,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, ResolvedAt: c.ResolvedAt}
}

func toCaseDetail(v social.CaseView) apiv1.CaseDetail {
	out := apiv1.CaseDetail{Case: toCase(v.Case), Reports: make([]apiv1.Report, len(v.Reports))}
	for i, r := range v.Reports {
		out.Reports[i] = apiv1.Report{ID: r.ID, ReporterID: r.ReporterID, Reason: r.Reason, Note: r.Note, Weight: r.Weight,
			Snapshot: r.Snapshot, CreatedAt: r.CreatedAt}
	}
	return out
}

func toStrike(st generia.Strike) apiv1.Strike {
	out := apiv1.Strike{ID: st.ID, UserID: st.UserID, CaseID: st.CaseID, Action: st.Action, Subject: st.Subject,
		Reason: st.Reason, Snapshot: st.Snapshot, AppealUntil: st.CreatedAt.Add(generia.AppealWindow), CreatedAt: st.CreatedAt}
	if a := st.Appeal; a != nil {
		// Who answered stays with the moderators (the audit log); the
		// person learns the answer and its reason.
		out.Appeal = &apiv1.Appeal{Text: a.Text, State: a.State, CreatedAt: a.CreatedAt, DecidedAt: a.DecidedAt, Decision: a.Decision}
	}
	return out
}

func toAuditEntry(e generia.AuditEntry) apiv1.AuditEntry {
	return apiv1.AuditEntry{ID: e.ID, Actor: e.Actor, Verb: e.Verb, Subject: e.Subject, CaseID: e.CaseID, Reason: e.Reason,
		Snapshot: e.Snapshot, Detail: e.Detail, CreatedAt: e.CreatedAt}
}

func toSpend(sp social.Spend) apiv1.Spend {
	out := apiv1.Spend{Days: make([]apiv1.DaySpend, len(sp.Days)), TopAccounts: toSpenders(sp.TopAccounts),
		TopWorlds: toSpenders(sp.TopWorlds), Awake: sp.Awake}
	for i, d := range sp.Days {
		out.Days[i] = apiv1.DaySpend{Day: d.Day, CostUSD: d.CostUSD, Calls: d.Calls}
	}
	if out.Awake == nil {
		out.Awake = []string{}
	}
	return out
}

func toSpenders(ss []generia.Spender) []apiv1.Spender {
	out := make([]apiv1.Spender, len(ss))
	for i, s := range ss {
		out[i] = apiv1.Spender{ID: s.ID, Name: s.Name, CostUSD: s.CostUSD, Calls: s.Calls}
	}
	return out
}

// report files the viewer's report; the reporter learns the case's ID and
// status, not its score.
func (s *Server) report(w http.ResponseWriter, r *http.Request) error {
	return create(w, r, func(req social.NewReport) (generia.Case, error) {
		return s.Social.Report(r.Context(), viewer(r), req)
	}, toReportFiled)
}

func (s *Server) myStrikes(w http.ResponseWriter, r *http.Request) error {
	strikes, err := s.Social.MyStrikes(r.Context(), viewer(r))
	if err != nil {
		return err
	}
	page(w, "strikes", strikes, "", toStrike)
	return nil
}

func (s *Server) appeal(w http.ResponseWriter, r *http.Request) error {
	return create(w, r, func(req struct {
		Text string `json:"text"`
	}) (generia.Strike, error) {
		return s.Social.Appeal(r.Context(), viewer(r), r.PathValue("id"), req.Text)
	}, toStrike)
}

func (s *Server) listCases(w http.ResponseWriter, r *http.Request) error {
	f := generia.CaseFilter{Status: r.URL.Query().Get("status")}
	return list(w, r, "cases", func(pg generia.Page) ([]generia.Case, string, error) {
		return s.Social.Cases(r.Context(), viewer(r), f, pg)
	}, toCase)
}

func (s *Server) getCase(w http.ResponseWriter, r *http.Request) error {
	v, err := s.Social.Case(r.Context(), viewer(r), r.PathValue("id"))
	return answer(w, http.StatusOK, v, err, toCaseDetail)
}

func (s *Server) act(w http.ResponseWriter, r *http.Request) error {
	return change(w, r, func(a social.CaseAction) (generia.Case, error) {
		return s.Social.Act(r.Context(), viewer(r), r.PathValue("id"), a)
	}, toCase)
}

func (s *Server) decideAppeal(w http.ResponseWriter, r *http.Request) error {
	return change(w, r, func(d social.AppealDecision) (generia.Strike, error) {
		return s.Social.DecideAppeal(r.Context(), viewer(r), r.PathValue("id"), d)
	}, toStrike)
}

// auditLog reads the audit log: all of it, one subject's (subject_type
// and subject_id together) or one actor's.
func (s *Server) auditLog(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := generia.AuditFilter{Actor: q.Get("actor")}
	typ, id := q.Get("subject_type"), q.Get("subject_id")
	switch {
	case typ != "" && id != "":
		f.Subject = &generia.Subject{Type: typ, ID: id}
	case typ != "":
		return generia.FieldErrorf("subject_id", "give subject_id with subject_type")
	case id != "":
		return generia.FieldErrorf("subject_type", "give subject_type with subject_id")
	}
	return list(w, r, "entries", func(pg generia.Page) ([]generia.AuditEntry, string, error) {
		return s.Social.AuditLog(r.Context(), viewer(r), f, pg)
	}, toAuditEntry)
}

func (s *Server) spend(w http.ResponseWriter, r *http.Request) error {
	days := DefaultSpendDays
	if d := r.URL.Query().Get("days"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil {
			return generia.FieldErrorf("days", "days must be a whole number from 1 to %d", social.MaxSpendDays)
		}
		days = n
	}
	sp, err := s.Social.Spend(r.Context(), viewer(r), days)
	return answer(w, http.StatusOK, sp, err, toSpend)
}

func (s *Server) findAccounts(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query().Get("q")
	return list(w, r, "users", func(pg generia.Page) ([]generia.User, string, error) {
		return s.Social.FindAccounts(r.Context(), viewer(r), q, pg)
	}, toUser)
}

// grantRole sets an account's role; "none" (or "") takes it away.
func (s *Server) grantRole(w http.ResponseWriter, r *http.Request) error {
	return change(w, r, func(req struct {
		Role *string `json:"role"`
	}) (generia.User, error) {
		if req.Role == nil {
			return generia.User{}, generia.FieldErrorf("role", "role is required: moderator, admin or none")
		}
		role := *req.Role
		if role == "none" {
			role = generia.RoleNone
		}
		return s.Social.GrantRole(r.Context(), viewer(r), r.PathValue("id"), role)
	}, toUser)
}
