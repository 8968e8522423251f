package apiv1

import "time"

// Notification is one group of a person's notifications: those of one
// thing that follow each other in a page ("Tove and 3 others liked your
// post"), or one alone.
type Notification struct {
	// ID is the newest's; IDs are all of the group's, newest first, to
	// mark read.
	ID   string   `json:"id"`
	IDs  []string `json:"ids"`
	Kind string   `json:"kind"`
	// Actors are up to three names of who did it, newest first; Count is
	// how many different ones did.
	Actors   []string `json:"actors"`
	Count    int      `json:"count"`
	Sentence string   `json:"sentence"`
	Excerpt  string   `json:"excerpt,omitempty"`
	// Link is the web page of the thing itself, a path on the site.
	Link      string    `json:"link"`
	WorldID   string    `json:"world_id,omitempty"`
	WorldName string    `json:"world_name,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Read      bool      `json:"read"`
}

// NotificationEvent is the data of a stream's notification event: the
// notification, and how many of the person's are unread with it.
type NotificationEvent struct {
	Notification Notification `json:"notification"`
	Unread       int          `json:"unread"`
}

// MarkRead asks to mark notifications read: those of IDs, or all.
type MarkRead struct {
	IDs []string `json:"ids"`
	All bool     `json:"all"`
}

// Marked is what marking read did: how many it marked, and how many are
// unread after.
type Marked struct {
	Marked int `json:"marked"`
	Unread int `json:"unread"`
}

// NotificationSettings says of each kind of notification whether it is
// on.
type NotificationSettings struct {
	Kinds map[string]bool `json:"kinds"`
}
