package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/social"
)

// reportData is the page that answers a report: received, or why not.
type reportData struct {
	Subject generia.Subject
	// Error is why the report was not filed; empty when it was.
	Error string
	// Back is the page the report was sent from.
	Back string
}

// report files the viewer's report of a post, comment, character, world or
// person, and says it was received, or why it was not (already reported,
// an empty note, their own content: 4xx on the same page).
func (h *Handler) report(w http.ResponseWriter, r *http.Request, req request) {
	nr := social.NewReport{SubjectType: r.PostFormValue("subject_type"), SubjectID: r.PostFormValue("subject_id"),
		Reason: r.PostFormValue("reason"), Note: r.PostFormValue("note")}
	d := reportData{Subject: generia.Subject{Type: nr.SubjectType, ID: nr.SubjectID}, Back: backPath(r, "/")}
	status, title := http.StatusOK, "Report received"
	if _, err := h.social.Report(r.Context(), req.viewer.ID, nr); err != nil {
		if !isFormError(err) {
			h.fail(w, r, err) // gone or never there: the 404 page
			return
		}
		status, title, d.Error = formStatus(err), "Report not sent", message(err)
	}
	h.render(w, r, status, "report", h.newPage(r, req.viewer, title, d))
}

// strikeView is a strike with what its page offers.
type strikeView struct {
	generia.Strike
	// CanAppeal says the appeal form is shown: no appeal yet, and within
	// generia.AppealWindow; AppealBy is when the window closes.
	CanAppeal bool
	AppealBy  time.Time
}

type strikesData struct {
	Strikes []strikeView
	// Error is why an appeal was refused, for the strike AppealFor.
	Error, AppealFor, AppealText string
	MaxAppeal                    int
}

// strikes is the viewer's strikes, each with its reason, the content it
// was for, and its appeal or the form to make one.
func (h *Handler) strikes(w http.ResponseWriter, r *http.Request, req request) {
	h.showStrikes(w, r, req.viewer, http.StatusOK, strikesData{})
}

func (h *Handler) showStrikes(w http.ResponseWriter, r *http.Request, v viewer, status int, d strikesData) {
	list, err := h.social.MyStrikes(r.Context(), v.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	now := h.now()
	for _, st := range list {
		by := st.CreatedAt.Add(generia.AppealWindow)
		d.Strikes = append(d.Strikes, strikeView{Strike: st, AppealBy: by, CanAppeal: st.Appeal == nil && now.Before(by)})
	}
	d.MaxAppeal = social.MaxAppealLength
	h.render(w, r, status, "strikes", h.newPage(r, v, "Your strikes", d))
}

// appeal files the viewer's one appeal of a strike.
func (h *Handler) appeal(w http.ResponseWriter, r *http.Request, req request) {
	id, text := r.PathValue("id"), r.PostFormValue("text")
	if _, err := h.social.Appeal(r.Context(), req.viewer.ID, id, text); err != nil {
		if isFormError(err) {
			h.showStrikes(w, r, req.viewer, formStatus(err), strikesData{Error: message(err), AppealFor: id, AppealText: text})
			return
		}
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/account/strikes#strike-"+url.PathEscape(id), http.StatusSeeOther)
}

// actionNames say what each moderation action did, for people.
var actionNames = map[string]string{
	generia.ActionDismiss:       "Dismissed",
	generia.ActionApprove:       "Approved",
	generia.ActionHide:          "Hidden",
	generia.ActionDelete:        "Deleted",
	generia.ActionMarkSensitive: "Marked sensitive",
	generia.ActionPauseLife:     "Life paused",
	generia.ActionFreezeWorld:   "World frozen",
	generia.ActionSilence:       "Character silenced",
	generia.ActionWarn:          "Warning",
	generia.ActionLimit:         "Account limited",
	generia.ActionSuspend:       "Account suspended",
}

// actionName says what an action did; an unknown one as it is.
func actionName(action string) string {
	if n, ok := actionNames[action]; ok {
		return n
	}
	return action
}

// actionVerbs name the console's buttons.
var actionVerbs = map[string]string{
	generia.ActionDismiss:       "Dismiss",
	generia.ActionApprove:       "Approve",
	generia.ActionHide:          "Hide",
	generia.ActionDelete:        "Delete",
	generia.ActionMarkSensitive: "Mark sensitive",
	generia.ActionPauseLife:     "Pause life",
	generia.ActionFreezeWorld:   "Freeze world",
	generia.ActionSilence:       "Silence",
	generia.ActionWarn:          "Warn",
	generia.ActionLimit:         "Limit",
	generia.ActionSuspend:       "Suspend",
}

// actionVerb names an action's button.
func actionVerb(action string) string {
	if n, ok := actionVerbs[action]; ok {
		return n
	}
	return action
}

// reasonNames are the reasons of reports, as the form offers them.
var reasonNames = map[string]string{
	generia.ReasonSpam:    "Spam",
	generia.ReasonIllegal: "Illegal",
	generia.ReasonRules:   "Breaks the rules",
	generia.ReasonOther:   "Other",
}

func reasonName(reason string) string {
	if n, ok := reasonNames[reason]; ok {
		return n
	}
	return reason
}

// labelList joins a review's labels for a "Sensitive: …" notice.
func labelList(labels []generia.Category) string {
	names := make([]string, len(labels))
	for i, l := range labels {
		names[i] = string(l)
	}
	return strings.Join(names, ", ")
}

// subjectURL is the page of a reported subject, where there is one: a
// comment's is its world's (a snapshot does not keep its post), a person's
// none.
func subjectURL(s generia.Subject, worldID string) string {
	switch s.Type {
	case generia.SubjectPost:
		if worldID != "" {
			return postURL(worldID, s.ID)
		}
	case generia.SubjectCharacter:
		return "/characters/" + url.PathEscape(s.ID)
	case generia.SubjectWorld:
		return "/worlds/" + url.PathEscape(s.ID)
	case generia.SubjectComment:
		if worldID != "" {
			return "/worlds/" + url.PathEscape(worldID)
		}
	}
	return ""
}
