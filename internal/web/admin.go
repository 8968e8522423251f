package web

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/social"
)

// The operator's console at /admin, for moderators and admins: the queue
// of cases, a case with its reports, actions and appeals, people and
// worlds, the audit log and the spending. The service refuses everyone
// else (a 403 page; a visitor signs in first).

// adminPageSize is how many cases or audit entries a console page shows.
const adminPageSize = 25

// caseItem is a case with the actions a console offers on it.
type caseItem struct {
	generia.Case
	Actions []string
}

type queueData struct {
	Status string
	Cases  []caseItem
	// Next is the URL of the next page, if any.
	Next string
}

func newCaseItem(c generia.Case, v viewer) caseItem {
	var actions []string
	for _, a := range social.ActionsFor(c.Subject.Type) {
		if a == generia.ActionSuspend && !v.Admin() {
			continue // the service refuses it to moderators: no button
		}
		actions = append(actions, a)
	}
	return caseItem{Case: c, Actions: actions}
}

// adminQueue is the moderation queue: open cases (or resolved ones), by
// score and age, each with its one-click actions.
func (h *Handler) adminQueue(w http.ResponseWriter, r *http.Request, req request) {
	v, q := req.viewer, r.URL.Query()
	status := q.Get("status")
	if status == "" {
		status = generia.CaseOpen
	}
	cases, next, err := h.social.Cases(r.Context(), v.ID, generia.CaseFilter{Status: status}, generia.Page{Limit: adminPageSize, Cursor: q.Get("cursor")})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := queueData{Status: status}
	for _, c := range cases {
		d.Cases = append(d.Cases, newCaseItem(c, v))
	}
	if next != "" {
		d.Next = "/admin?" + url.Values{"status": {status}, "cursor": {next}}.Encode()
	}
	h.render(w, r, http.StatusOK, "admin", h.newPage(r, v, "Moderation queue", d))
}

type caseData struct {
	Item    caseItem
	Reports []generia.Report
	Strikes []generia.Strike
	// Error is why the last action or decision was refused.
	Error string
}

// adminCase is one case with its reports, its actions, and the strikes it
// gave with their appeals.
func (h *Handler) adminCase(w http.ResponseWriter, r *http.Request, req request) {
	h.showCase(w, r, req.viewer, r.PathValue("id"), http.StatusOK, "")
}

func (h *Handler) showCase(w http.ResponseWriter, r *http.Request, v viewer, id string, status int, errMsg string) {
	cv, err := h.social.Case(r.Context(), v.ID, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := caseData{Item: newCaseItem(cv.Case, v), Reports: cv.Reports, Strikes: cv.Strikes, Error: errMsg}
	h.render(w, r, status, "admin_case", h.newPage(r, v, "Case: "+cv.Case.Subject.Type, d))
}

// adminAct carries out a moderator's action on a case, then goes back to
// the page it came from (the queue or the case).
func (h *Handler) adminAct(w http.ResponseWriter, r *http.Request, req request) {
	id := r.PathValue("id")
	a := social.CaseAction{Action: r.PostFormValue("action"), Reason: r.PostFormValue("reason")}
	if _, err := h.social.Act(r.Context(), req.viewer.ID, id, a); err != nil {
		if isFormError(err) && !generia.IsKind(err, generia.KindForbidden) {
			h.showCase(w, r, req.viewer, id, formStatus(err), message(err))
			return
		}
		h.fail(w, r, err)
		return
	}
	redirectBack(w, r, "/admin/cases/"+url.PathEscape(id))
}

// adminDecide answers an appeal: accept (undoing what can be undone) or
// reject, with a reason the person reads.
func (h *Handler) adminDecide(w http.ResponseWriter, r *http.Request, req request) {
	caseID := r.PostFormValue("case_id")
	d := social.AppealDecision{Accept: r.PostFormValue("accept") == "1", Reason: r.PostFormValue("reason")}
	if _, err := h.social.DecideAppeal(r.Context(), req.viewer.ID, r.PathValue("id"), d); err != nil {
		if caseID != "" && isFormError(err) && !generia.IsKind(err, generia.KindForbidden) {
			h.showCase(w, r, req.viewer, caseID, formStatus(err), message(err))
			return
		}
		h.fail(w, r, err)
		return
	}
	redirectBack(w, r, "/admin")
}

type peopleData struct {
	Query    string
	Accounts []generia.User
	Worlds   []generia.World
	// Error is why a role was not granted.
	Error string
}

// adminPeople searches accounts and worlds; admins grant roles from it.
func (h *Handler) adminPeople(w http.ResponseWriter, r *http.Request, req request) {
	h.showPeople(w, r, req.viewer, http.StatusOK, r.URL.Query().Get("q"), "")
}

func (h *Handler) showPeople(w http.ResponseWriter, r *http.Request, v viewer, status int, q, errMsg string) {
	ctx := r.Context()
	d := peopleData{Query: q, Error: errMsg}
	var err error
	if d.Accounts, _, err = h.social.FindAccounts(ctx, v.ID, q, generia.Page{Limit: adminPageSize}); err != nil {
		h.fail(w, r, err)
		return
	}
	if q != "" {
		if d.Worlds, _, err = h.social.Worlds(ctx, v.ID, social.WorldQuery{Search: q}, generia.Page{Limit: adminPageSize}); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.render(w, r, status, "admin_people", h.newPage(r, v, "People and worlds", d))
}

// adminRole grants an account a role (admins only).
func (h *Handler) adminRole(w http.ResponseWriter, r *http.Request, req request) {
	q := r.PostFormValue("q")
	if _, err := h.social.GrantRole(r.Context(), req.viewer.ID, r.PathValue("id"), r.PostFormValue("role")); err != nil {
		if isFormError(err) && !generia.IsKind(err, generia.KindForbidden) || generia.IsKind(err, generia.KindNotFound) {
			h.showPeople(w, r, req.viewer, formStatus(err), q, message(err))
			return
		}
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/people?"+url.Values{"q": {q}}.Encode(), http.StatusSeeOther)
}

type auditData struct {
	Entries []generia.AuditEntry
	Next    string
}

// adminAudit is the audit log, newest first, a page at a time.
func (h *Handler) adminAudit(w http.ResponseWriter, r *http.Request, req request) {
	entries, next, err := h.social.AuditLog(r.Context(), req.viewer.ID, generia.AuditFilter{}, generia.Page{Limit: adminPageSize, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := auditData{Entries: entries}
	if next != "" {
		d.Next = "/admin/audit?" + url.Values{"cursor": {next}}.Encode()
	}
	h.render(w, r, http.StatusOK, "admin_audit", h.newPage(r, req.viewer, "Audit log", d))
}

// spendDays is the period of the console's spending chart.
const spendDays = 30

type spendData struct {
	social.Spend
	Chart     spendChart
	TotalUSD  float64
	TotalCall int
}

// adminSpend is what providers cost a day for the last 30 days, as a
// chart, with the top spenders and the worlds awake now.
func (h *Handler) adminSpend(w http.ResponseWriter, r *http.Request, req request) {
	sp, err := h.social.Spend(r.Context(), req.viewer.ID, spendDays)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := spendData{Spend: sp, Chart: newSpendChart(sp.Days)}
	for _, day := range sp.Days {
		d.TotalUSD += day.CostUSD
		d.TotalCall += day.Calls
	}
	h.render(w, r, http.StatusOK, "admin_spend", h.newPage(r, req.viewer, "Spending", d))
}

// spendChart is a bar chart of cost per day, drawn as inline SVG by the
// server: one bar a day, scaled to the most expensive day.
type spendChart struct {
	Width, Height int
	Bars          []spendBar
	// Max is the top of the scale, in dollars; Ticks label a few days.
	Max   float64
	Ticks []spendTick
}

type spendBar struct {
	X, Y, W, H float64
	Label      string
}

type spendTick struct {
	X     float64
	Label string
}

// Chart geometry, in SVG user units.
const (
	chartW, chartH = 600, 200
	chartTop       = 16 // room for the scale's label
	chartBottom    = 20 // room for the days' labels
)

func newSpendChart(days []generia.DaySpend) spendChart {
	c := spendChart{Width: chartW, Height: chartH}
	for _, d := range days {
		c.Max = max(c.Max, d.CostUSD)
	}
	if len(days) == 0 {
		return c
	}
	slot := float64(chartW) / float64(len(days))
	plot := float64(chartH - chartTop - chartBottom)
	for i, d := range days {
		h := 0.0
		if c.Max > 0 {
			h = d.CostUSD / c.Max * plot
		}
		if d.CostUSD > 0 {
			h = max(h, 1) // a day that cost anything shows
		}
		x := float64(i) * slot
		c.Bars = append(c.Bars, spendBar{X: x + slot*0.15, Y: chartTop + plot - h, W: slot * 0.7, H: h,
			Label: fmt.Sprintf("%s: %s, %s", d.Day, usd(d.CostUSD), plural(d.Calls, "call", "calls"))})
		if i%7 == 0 || i == len(days)-1 {
			label := d.Day
			if len(label) == len("2006-01-02") {
				label = label[5:]
			}
			c.Ticks = append(c.Ticks, spendTick{X: x + slot/2, Label: label})
		}
	}
	return c
}
