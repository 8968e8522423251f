package httpapi

import (
	"net/http"
	"time"

	"github.com/generia/generia/internal/apiv1"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/social"
)

// InvitePath is the web page of an invitation code, which its URL names.
const InvitePath = "/invite/"

// toInvitation is an invitation as its owner sees it at now.
func toInvitation(inv generia.Invitation, now time.Time) apiv1.Invitation {
	return apiv1.Invitation{ID: inv.ID, WorldID: inv.WorldID, CreatedAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt,
		MaxUses: inv.MaxUses, Uses: inv.Uses, RevokedAt: inv.RevokedAt, Usable: inv.Usable(now) == nil}
}

func toMember(m generia.Member) apiv1.Member {
	return apiv1.Member{UserID: m.UserID, Username: m.Username, JoinedAt: m.JoinedAt, CoOwner: m.CoOwner}
}

// inviteURL is the link of an invitation code on the site the request came
// to.
func inviteURL(r *http.Request, code string) string {
	scheme := "https"
	if r.TLS == nil && r.Header.Get("X-Forwarded-Proto") != "https" {
		scheme = "http"
	}
	return scheme + "://" + r.Host + InvitePath + code
}

func (s *Server) createInvitation(w http.ResponseWriter, r *http.Request) error {
	return create(w, r, func(req apiv1.NewInvitation) (apiv1.Invitation, error) {
		inv, code, err := s.Social.CreateInvitation(r.Context(), viewer(r), r.PathValue("id"),
			social.NewInvitation{ExpiresInHours: req.ExpiresInHours, MaxUses: req.MaxUses, Username: req.Username})
		if err != nil {
			return apiv1.Invitation{}, err
		}
		out := toInvitation(inv, s.now())
		out.Code, out.URL = code, inviteURL(r, code)
		return out, nil
	}, func(v apiv1.Invitation) apiv1.Invitation { return v })
}

func (s *Server) listInvitations(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Social.Invitations(r.Context(), viewer(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	now := s.now()
	out := make([]apiv1.Invitation, len(list))
	for i, inv := range list {
		out[i] = toInvitation(inv, now)
	}
	writeJSON(w, http.StatusOK, map[string]any{"invitations": out})
	return nil
}

func (s *Server) revokeInvitation(w http.ResponseWriter, r *http.Request) error {
	if err := s.Social.RevokeInvitation(r.Context(), viewer(r), r.PathValue("id"), r.PathValue("code")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) acceptInvitation(w http.ResponseWriter, r *http.Request) error {
	world, err := s.Social.AcceptInvitation(r.Context(), viewer(r), r.PathValue("code"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "is_joined": true, "world": toWorld(world)})
	return nil
}

func (s *Server) members(w http.ResponseWriter, r *http.Request) error {
	return list(w, r, "members", func(pg generia.Page) ([]generia.Member, string, error) {
		return s.Social.Members(r.Context(), viewer(r), r.PathValue("id"), pg)
	}, toMember)
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request) error {
	if err := s.Social.RemoveMember(r.Context(), viewer(r), r.PathValue("id"), r.PathValue("user_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) makeCoOwner(w http.ResponseWriter, r *http.Request) error {
	return s.setCoOwner(w, r, true)
}

func (s *Server) unmakeCoOwner(w http.ResponseWriter, r *http.Request) error {
	return s.setCoOwner(w, r, false)
}

func (s *Server) setCoOwner(w http.ResponseWriter, r *http.Request, coOwner bool) error {
	if err := s.Social.SetCoOwner(r.Context(), viewer(r), r.PathValue("id"), r.PathValue("user_id"), coOwner); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"user_id": r.PathValue("user_id"), "co_owner": coOwner})
	return nil
}
