// Package social is what a person can do in Generia, with who may do it:
// browse worlds, join them, make characters, post, like and comment. The
// JSON API, the web UI and the streams reach data only through it, so
// authorization lives in one place. Each noun is a file of its own:
// worlds, members, status, characters, posts, comments, likes, media,
// life, the live stream (watch) and accounts; access holds the rules.
//
// A private world is visible to its owner and members only; to anyone else
// it, and everything in it, does not exist (KindNotFound). Only the owner
// cancels or deletes a world. A person posts only as their own characters,
// in worlds they belong to.
package social

import (
	"context"
	_ "image/gif" // upload decoders
	_ "image/jpeg"
	_ "image/png"
	"time"

	_ "golang.org/x/image/webp" // WebP uploads

	"github.com/generia/generia/internal/generia"
)

// Pipeline starts and cancels world generations.
type Pipeline interface {
	Create(ctx context.Context, ownerID string, req generia.NewWorld, providers generia.Providers) (generia.World, error)
	Cancel(ctx context.Context, worldID string) error
}

// Service holds the dependencies.
type Service struct {
	Store    generia.Store
	Files    generia.MediaStore
	Pipeline Pipeline
	// Life is the worlds' life; nil: worlds do not live.
	Life Life
	// Providers are the providers new worlds are generated with.
	Providers generia.Providers
	// UploadQuota is how much one account may upload; the zero value is no
	// quota (the configured one is a setting, in config).
	UploadQuota UploadQuota
	// StreamCaps bound the open streams (see Watch); the zero value takes
	// the defaults.
	StreamCaps StreamCaps
	// StreamMetrics counts the open and refused streams; nil counts
	// nothing.
	StreamMetrics StreamMetrics
	// Moderator checks people's posts, comments, profiles, world edits and
	// uploads before others see them, by Policy (nil: DefaultPolicy);
	// nil checks nothing (tests of other things).
	Moderator generia.Moderator
	Policy    generia.Policy
	// Rechecker checks again what was held because its check did not
	// answer; nil leaves it to moderators.
	Rechecker Rechecker
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	feeds    feedCache
	variants variants
	hubs     hubs
	cleaning slots
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Limits.
const (
	MaxCaptionLength    = 2200 // characters, as Instagram
	MaxCommentLength    = 1000
	MaxBioLength        = 300
	MaxDisplayName      = 60
	MaxHashtags         = 30
	MaxCharactersOfUser = 5       // per world
	MaxUploadBytes      = 8 << 20 // bodylimit.Upload leaves room for the form around it
	MaxUploadPixels     = 4096    // on each side
	MinUploadPixels     = 64
)
