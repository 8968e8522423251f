// Package generia holds Generia's domain: worlds, characters, posts, media,
// users, the generation status record, the error kinds every layer shares, and
// the interfaces that adapters (stores, media stores, AI providers) implement.
//
// It imports only the standard library. Each technology lives in a subpackage
// of internal/ named after what it wraps (sqlite, fsmedia, offline, …).
package generia
