package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/social"
)

// membersData is the owner's page of a world's invitations and members.
type membersData struct {
	World       generia.World
	Invitations []invitationView
	Members     []generia.Member
	// More is whether more members than listed joined.
	More bool
	// NewURL is the link just made, shown this once.
	NewURL string
	Error  string
	// Defaults and ceilings of the form.
	Hours, Uses, MaxHours, MaxUses int
}

// invitationView is an invitation as its list shows it.
type invitationView struct {
	generia.Invitation
	// State is "active", "revoked", "expired" or "used up".
	State string
}

// invitationState names an invitation's state at now.
func invitationState(inv generia.Invitation, now time.Time) string {
	switch {
	case inv.RevokedAt != nil:
		return "revoked"
	case !now.Before(inv.ExpiresAt):
		return "expired"
	case inv.Uses >= inv.MaxUses:
		return "used up"
	}
	return "active"
}

// members is the owner's page of a world's invitations and members.
func (h *Handler) members(w http.ResponseWriter, r *http.Request, req request) {
	h.showMembers(w, r, req.viewer, http.StatusOK, membersData{})
}

func (h *Handler) showMembers(w http.ResponseWriter, r *http.Request, v viewer, status int, d membersData) {
	ctx, id := r.Context(), r.PathValue("id")
	list, err := h.social.Invitations(ctx, v.ID, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	members, next, err := h.social.Members(ctx, v.ID, id, generia.Page{Limit: generia.MaxPageSize})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	wv, err := h.social.World(ctx, v.ID, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.World, d.Members, d.More = wv.World, members, next != ""
	now := h.now()
	for _, inv := range list {
		d.Invitations = append(d.Invitations, invitationView{Invitation: inv, State: invitationState(inv, now)})
	}
	d.Hours, d.Uses = social.DefaultInvitationHours, social.DefaultInvitationUses
	d.MaxHours, d.MaxUses = generia.MaxInvitationHours, generia.MaxInvitationUses
	h.render(w, r, status, "members", h.newPage(r, v, "Invitations and members · "+worldName(wv.World), d))
}

// createInvitation makes an invitation link from the owner's form and
// shows it, this once.
func (h *Handler) createInvitation(w http.ResponseWriter, r *http.Request, req request) {
	ni := social.NewInvitation{Username: strings.TrimPrefix(strings.TrimSpace(r.PostFormValue("username")), "@")}
	var err error
	if ni.ExpiresInHours, err = formInt(r, "expires_in_hours"); err == nil {
		ni.MaxUses, err = formInt(r, "max_uses")
	}
	var code string
	if err == nil {
		_, code, err = h.social.CreateInvitation(r.Context(), req.viewer.ID, r.PathValue("id"), ni)
	}
	if err != nil {
		if isFormError(err) {
			h.showMembers(w, r, req.viewer, formStatus(err), membersData{Error: message(err)})
			return
		}
		h.fail(w, r, err)
		return
	}
	h.showMembers(w, r, req.viewer, http.StatusCreated, membersData{NewURL: origin(r) + "/invite/" + code})
}

// formInt reads a whole number of a form; empty is zero (the default).
func formInt(r *http.Request, field string) (int, error) {
	s := strings.TrimSpace(r.PostFormValue(field))
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, generia.FieldErrorf(field, "%s must be a whole number", strings.ReplaceAll(field, "_", " "))
	}
	return n, nil
}

// revokeInvitation revokes an invitation from the owner's list.
func (h *Handler) revokeInvitation(w http.ResponseWriter, r *http.Request, req request) {
	id := r.PathValue("id")
	if err := h.social.RevokeInvitation(r.Context(), req.viewer.ID, id, r.PathValue("invitationID")); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/worlds/"+url.PathEscape(id)+"/members", http.StatusSeeOther)
}

// removeMember removes a member from the owner's list.
func (h *Handler) removeMember(w http.ResponseWriter, r *http.Request, req request) {
	id := r.PathValue("id")
	if err := h.social.RemoveMember(r.Context(), req.viewer.ID, id, r.PathValue("userID")); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/worlds/"+url.PathEscape(id)+"/members#members", http.StatusSeeOther)
}

// inviteData is the page of an invitation.
type inviteData struct {
	View social.InvitationView
	Code string
}

// invite is the page an invitation link opens: a visitor is sent to sign in
// (or register) and back; a signed-in person sees the world's name and
// accepts.
func (h *Handler) invite(w http.ResponseWriter, r *http.Request, req request) {
	code := r.PathValue("code")
	iv, err := h.social.OpenInvitation(r.Context(), req.viewer.ID, code)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.newPage(r, req.viewer, "Invitation to "+worldName(iv.World), inviteData{View: iv, Code: code})
	p.URL = origin(r) + "/invite/" // the code stays out of what the page tells others
	h.render(w, r, http.StatusOK, "invite", p)
}

// acceptInvitation joins the world of an invitation.
func (h *Handler) acceptInvitation(w http.ResponseWriter, r *http.Request, req request) {
	world, err := h.social.AcceptInvitation(r.Context(), req.viewer.ID, r.PathValue("code"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/worlds/"+url.PathEscape(world.ID), http.StatusSeeOther)
}

// setCoOwner makes a member a co-owner, or no longer one, from the owner's
// list.
func (h *Handler) setCoOwner(w http.ResponseWriter, r *http.Request, req request) {
	id := r.PathValue("id")
	on := r.PostFormValue("co_owner") == "1"
	if err := h.social.SetCoOwner(r.Context(), req.viewer.ID, id, r.PathValue("userID"), on); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/worlds/"+url.PathEscape(id)+"/members#members", http.StatusSeeOther)
}
