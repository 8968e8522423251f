package apiv1

import "time"

// NewInvitation asks for an invitation link to a world; zero takes the
// default (7 days, 10 uses). Username, if set, names a person who is told
// of it in their notifications.
type NewInvitation struct {
	ExpiresInHours int    `json:"expires_in_hours"`
	MaxUses        int    `json:"max_uses"`
	Username       string `json:"username,omitempty"`
}

// Invitation is an invitation link as its world's owner sees it. Code and
// URL are sent once, when it is made: only the code's hash is kept.
type Invitation struct {
	ID        string     `json:"id"`
	WorldID   string     `json:"world_id"`
	Code      string     `json:"code,omitempty"`
	URL       string     `json:"url,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	MaxUses   int        `json:"max_uses"`
	Uses      int        `json:"uses"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	// Usable is whether it still lets someone in.
	Usable bool `json:"usable"`
}

// Member is a person who joined a world.
type Member struct {
	UserID   string    `json:"user_id"`
	Username string    `json:"username"`
	JoinedAt time.Time `json:"joined_at"`
	// CoOwner is whether the owner shares the world's life settings and
	// moderation with them.
	CoOwner bool `json:"co_owner"`
}
