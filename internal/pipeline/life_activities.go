package pipeline

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"unicode"

	"go.temporal.io/sdk/temporal"

	"github.com/generia/generia/internal/content"
	"github.com/generia/generia/internal/generia"
)

// maxRepliers bounds how many characters answer one comment.
const maxRepliers = 3

// lifeCast is how many of a world's characters a life step reads.
const lifeCast = generia.MaxPageSize

// mentioned returns the IDs of the characters of cast a text @mentions
// (generia.FindMentions), in order, each once.
func mentioned(text string, cast []generia.Character) []string {
	byHandle := map[string]string{}
	for _, ch := range cast {
		byHandle[strings.ToLower(ch.Username)] = ch.ID
	}
	var ids []string
	for _, m := range generia.FindMentions(text) {
		if id, ok := byHandle[strings.ToLower(m.Word)]; ok && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// Progress queue.

// RecordLife stores a life's state where pages, the API and streams read
// it. A world that is gone ends its life.
func (a *Activities) RecordLife(ctx context.Context, r generia.LifeRecord) error {
	err := a.Store.RecordLife(ctx, r)
	if generia.IsKind(err, generia.KindNotFound) {
		return temporal.NewNonRetryableApplicationError("world "+r.WorldID+" is gone", errWorldGone, err)
	}
	return storeError(err)
}

// Services queue.

// PlanLife says which characters speak in a life step. A person's comment
// is answered by the character of the post, the character whose comment it
// answers, and the characters it @mentions, as far as they are AI
// characters other than the one the person speaks as; a character's own
// comment is answered by nobody, so that conversations between characters
// end. An action of the world's own is one character's: every third a new
// post of its own, the others a comment on a recent post of another,
// chosen by the step's key.
//
// A frozen world's life does nothing, and a silenced character neither
// answers nor acts.
func (a *Activities) PlanLife(ctx context.Context, st LifeStep) ([]LifeReply, error) {
	world, err := a.Store.World(ctx, st.WorldID)
	if generia.IsKind(err, generia.KindNotFound) {
		return nil, temporal.NewNonRetryableApplicationError("world "+st.WorldID+" is gone", errWorldGone, err)
	} else if err != nil {
		return nil, storeError(err)
	}
	if world.Frozen {
		return nil, nil
	}
	all, _, err := a.Store.ListCharacters(ctx, st.WorldID, generia.Page{Limit: lifeCast})
	if err != nil {
		return nil, storeError(err)
	}
	var cast []generia.Character
	for _, ch := range all {
		if !ch.Silenced {
			cast = append(cast, ch)
		}
	}
	switch {
	case st.PostID != "":
		return a.planReactions(ctx, st, cast)
	case st.CommentID == "":
		if skip, err := a.overPace(ctx, st); err != nil || skip {
			return nil, err
		}
		return a.planAction(ctx, st, cast)
	}
	c, err := a.Store.Comment(ctx, st.CommentID)
	if err != nil {
		return nil, storeError(err)
	}
	if c.IsAI || c.Deleted { // a deleted comment kept for its thread says nothing to answer
		return nil, nil
	}
	post, err := a.Store.Post(ctx, c.PostID, "")
	if err != nil {
		return nil, storeError(err)
	}
	if post.WorldID != st.WorldID {
		return nil, storeError(generia.Errorf(generia.KindNotFound, "comment %s is not in world %s", c.ID, st.WorldID))
	}
	want := []string{post.CharacterID}
	if c.ParentID != "" {
		if parent, err := a.Store.Comment(ctx, c.ParentID); err == nil && parent.IsAI {
			want = append(want, parent.CharacterID)
		} else if err != nil && !generia.IsKind(err, generia.KindNotFound) {
			return nil, storeError(err)
		}
	}
	want = append(want, mentioned(c.Text, cast)...)
	ai := map[string]bool{}
	for _, ch := range cast {
		ai[ch.ID] = ch.IsAI()
	}
	var out []LifeReply
	seen := map[string]bool{c.CharacterID: true}
	for _, id := range want {
		if seen[id] || !ai[id] || len(out) == maxRepliers {
			continue
		}
		seen[id] = true
		r := LifeReply{LifeStep: st, CharacterID: id, ParentID: c.ID, PostID: c.PostID}
		r.Key = st.Key + "/" + id
		out = append(out, r)
	}
	return out, nil
}

// maxReactions is how many characters react to a person's post, beside
// those it mentions.
const maxReactions = 2

// planReactions says who comments on a person's new post: the characters
// it @mentions, and one or two others, by the post's key.
func (a *Activities) planReactions(ctx context.Context, st LifeStep, cast []generia.Character) ([]LifeReply, error) {
	post, err := a.Store.Post(ctx, st.PostID, "")
	if err != nil {
		return nil, storeError(err)
	}
	if post.WorldID != st.WorldID || post.IsAI {
		return nil, nil // only people's posts draw reactions
	}
	var ai []generia.Character
	for _, ch := range cast {
		if ch.IsAI() {
			ai = append(ai, ch)
		}
	}
	want := mentioned(post.Caption, ai)
	for i := 0; i < maxReactions && len(ai) > 0; i++ {
		if id := ai[keyHash(fmt.Sprintf("%s/%d", st.Key, i), len(ai))].ID; !slices.Contains(want, id) {
			want = append(want, id)
		}
	}
	var out []LifeReply
	for _, id := range want[:min(len(want), maxRepliers)] {
		r := LifeReply{LifeStep: st, CharacterID: id, PostID: post.ID}
		r.Key = st.Key + "/" + id
		out = append(out, r)
	}
	return out, nil
}

// planAction chooses a world's own action: a character, by its profile and
// the hour of the world (chooseActor), and a recent post of someone else,
// preferring those it has a relationship with.
func (a *Activities) planAction(ctx context.Context, st LifeStep, cast []generia.Character) ([]LifeReply, error) {
	var actors []generia.Character
	for _, ch := range cast {
		if ch.IsAI() {
			actors = append(actors, ch)
		}
	}
	if len(actors) == 0 {
		return nil, nil
	}
	actor := chooseActor(actors, st.Key, WorldHour(st.WorldID, a.now()))
	posts, _, err := a.Store.ListPosts(ctx, generia.PostFilter{WorldID: st.WorldID}, generia.Page{Limit: 20})
	if err != nil {
		return nil, storeError(err)
	}
	profile := profileOf(actor)
	var others, close []generia.Post
	for _, p := range posts {
		if p.CharacterID == actor.ID {
			continue
		}
		others = append(others, p)
		if _, ok := profile.RelationshipWith(p.DisplayName); ok {
			close = append(close, p)
		}
	}
	if len(close) > 0 {
		others = close
	}
	r := LifeReply{LifeStep: st, CharacterID: actor.ID}
	r.Key = st.Key + "/" + actor.ID
	if len(others) == 0 || st.Number%lifePostEvery == lifePostEvery-1 {
		r.NewPost = true // every third action, or when there is nobody else's post
		return []LifeReply{r}, nil
	}
	r.PostID = others[keyHash(st.Key+"/post", len(others))].ID
	// In a thread where another character spoke last, the character
	// answers them; a reply is never answered in turn by the world's own
	// actions, so that conversations between characters end.
	thread, _, err := a.Store.ListComments(ctx, r.PostID, generia.Page{Limit: generia.MaxPageSize})
	if err != nil {
		return nil, storeError(err)
	}
	if n := len(thread); n > 0 {
		last := thread[n-1]
		if last.IsAI && last.CharacterID != actor.ID && last.ParentID == "" {
			r.ParentID = last.ID
		}
	}
	return []LifeReply{r}, nil
}

// chooseActor picks who acts, by the key, each character as likely as its
// weight at the hour of the world's clock.
func chooseActor(actors []generia.Character, key string, hour int) generia.Character {
	weights := make([]int, len(actors))
	total := 0
	for i, ch := range actors {
		weights[i] = actorWeight(profileOf(ch), hour)
		total += weights[i]
	}
	n := keyHash(key, total)
	for i, w := range weights {
		if n < w {
			return actors[i]
		}
		n -= w
	}
	return actors[len(actors)-1]
}

// Parts of the day, by the hours of the world's clock they span, and the
// words of a daily routine that place someone in them.
var dayParts = []struct {
	from, to int
	words    []string
}{
	{5, 11, []string{"dawn", "sunrise", "morning", "breakfast", "daybreak"}},
	{11, 17, []string{"noon", "midday", "afternoon", "lunch"}},
	{17, 22, []string{"evening", "dusk", "sunset", "dinner", "supper", "twilight"}},
	{22, 29, []string{"night", "midnight", "moonlight", "nocturnal", "nightfall"}},
}

// Words of a personality that make someone speak up more, or less.
var (
	outgoing = []string{"outgoing", "talkative", "chatty", "loud", "bold", "sociable", "gregarious", "energetic",
		"cheerful", "lively", "curious", "extroverted", "opinionated", "playful", "warm", "boisterous"}
	reserved = []string{"shy", "quiet", "reserved", "withdrawn", "solitary", "introverted", "soft-spoken", "private",
		"taciturn", "aloof", "reclusive", "guarded", "timid"}
)

// words are the words of a text, in lower case, hyphenated ones whole.
func words(text string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && r != '-' }) {
		out[strings.Trim(w, "-")] = true
	}
	return out
}

// mentions reports whether a text's words hold any of these, or their
// plurals, or "…time" compounds (nighttime).
func mentions(ws map[string]bool, these []string) bool {
	return slices.ContainsFunc(these, func(w string) bool { return ws[w] || ws[w+"s"] || ws[w+"time"] })
}

// actorWeight is how likely a character is to act at an hour of its world,
// in quarters: 4 for someone of no particular habit; three times that in
// a part of the day its routine names, half of it in the parts it does
// not; twice for an outgoing personality, half for a reserved one.
func actorWeight(p content.CharacterDetail, hour int) int {
	w := 4
	if hour < 5 {
		hour += 24 // the night part runs past midnight
	}
	routine := words(p.DailyRoutine)
	named, now := false, false
	for _, part := range dayParts {
		if mentions(routine, part.words) {
			named = true
			now = now || (hour >= part.from && hour < part.to)
		}
	}
	switch {
	case now:
		w *= 3
	case named:
		w /= 2
	}
	personality := words(p.Personality)
	switch out, in := mentions(personality, outgoing), mentions(personality, reserved); {
	case out && !in:
		w *= 2
	case in && !out:
		w = max(1, w/2)
	}
	return w
}

// lifeRecent is how many of a character's latest posts its new texts are
// compared with.
const lifeRecent = 5

// lifePostEvery: one action of the world's own in this many is a new post.
const lifePostEvery = 3

// lifePostKey is the key of a life post's text.
func lifePostKey(key string) string { return key + "/detail" }

// WriteLifePost writes a character's new post, its call counted in the
// step's life day: about one of its topics, in the light of its daily
// routine, and unlike its recent posts. It returns what the day has spent.
func (a *Activities) WriteLifePost(ctx context.Context, r LifeReply) (generia.LifeDay, error) {
	return writeLife(ctx, a, r, lifePostKey(r.Key), content.PostStep, a.lifePostInput)
}

// writeLife runs a life action's LLM step, its calls counted in the
// action's life day, and returns what that day has spent since.
func writeLife[In, Out any](ctx context.Context, a *Activities, r LifeReply, key string, step *content.Step[In, Out],
	input func(context.Context, LifeReply) (In, error)) (generia.LifeDay, error) {
	purse := &lifePurse{day: r.Day, settings: r.Settings}
	err := runStepFrom(ctx, a, r.WorldRef, purse, r.ParentID, key, step, func() (In, error) { return input(ctx, r) })
	if err != nil {
		return generia.LifeDay{}, err
	}
	day, err := a.Store.LifeDay(ctx, r.WorldID, r.Day)
	return day, storeError(err)
}

func (a *Activities) lifePostInput(ctx context.Context, r LifeReply) (content.PostInput, error) {
	world, err := artifact[content.WorldDescription](ctx, a, r.WorldID, keyWorldDescription())
	if err != nil {
		return content.PostInput{}, err
	}
	ch, err := a.Store.Character(ctx, r.CharacterID)
	if err != nil {
		return content.PostInput{}, err
	}
	n, err := a.Store.CountCharacterPosts(ctx, ch.ID)
	if err != nil {
		return content.PostInput{}, err
	}
	cast, _, err := a.Store.ListCharacters(ctx, r.WorldID, generia.Page{Limit: lifeCast})
	if err != nil {
		return content.PostInput{}, err
	}
	p := profileOf(ch)
	topic := "a day in " + world.Name
	if len(p.Topics) > 0 {
		topic = p.Topics[keyHash(r.Key+"/topic", len(p.Topics))]
	}
	brief := "what the day brought"
	if p.DailyRoutine != "" {
		brief = "a moment of the day: " + p.DailyRoutine
	}
	recent, _, err := a.Store.ListPosts(ctx, generia.PostFilter{WorldID: r.WorldID, CharacterID: ch.ID}, generia.Page{Limit: lifeRecent})
	if err != nil {
		return content.PostInput{}, err
	}
	in := content.PostInput{World: world, Character: p, Number: n, Total: n + 1, Hashtags: content.HashtagsFor(r.Key),
		Concept: content.PostConcept{Topic: topic, Brief: brief, Tone: "true to the character", Kind: "daily life"}}
	for _, post := range recent {
		in.Recent = append(in.Recent, post.Caption)
	}
	for _, c := range cast {
		if c.IsAI() && c.ID != ch.ID {
			in.Others = append(in.Others, content.Handle{Username: c.Username, DisplayName: c.DisplayName})
		}
	}
	return in, nil
}

// SaveLifePost publishes the written post with its image, under an ID
// derived from its key: saving it again changes nothing.
func (a *Activities) SaveLifePost(ctx context.Context, p LifePost) error {
	if quiet, err := a.silenced(ctx, p.LifeReply); err != nil || quiet {
		return err
	}
	d, err := artifact[content.PostDetail](ctx, a, p.WorldID, lifePostKey(p.Key))
	if err != nil {
		return storeError(err)
	}
	_, _, err = a.Store.CreatePost(ctx, generia.Post{ID: ItemID(p.WorldID, p.Key), WorldID: p.WorldID, CharacterID: p.CharacterID,
		Caption: d.Caption, Hashtags: d.Hashtags, MediaID: p.MediaID, CreatedAt: a.now(), Life: true, Review: generia.Review{Labels: p.Labels}})
	return storeError(err)
}

// LLM queue.

// WriteReply writes a character's reply, its call counted in the step's
// life day; it returns what that day has spent since.
func (a *Activities) WriteReply(ctx context.Context, r LifeReply) (generia.LifeDay, error) {
	return writeLife(ctx, a, r, r.replyKey(), content.ReplyStep, a.replyInput)
}

// replyInput gathers what a reply is written from, all of it from the
// store.
func (a *Activities) replyInput(ctx context.Context, r LifeReply) (content.ReplyInput, error) {
	var in content.ReplyInput
	world, err := artifact[content.WorldDescription](ctx, a, r.WorldID, keyWorldDescription())
	if err != nil {
		return in, err
	}
	ch, err := a.Store.Character(ctx, r.CharacterID)
	if err != nil {
		return in, err
	}
	post, err := a.Store.Post(ctx, r.PostID, "")
	if err != nil {
		return in, err
	}
	thread, _, err := a.Store.ListComments(ctx, r.PostID, generia.Page{Limit: generia.MaxPageSize})
	if err != nil {
		return in, err
	}
	mine, _, err := a.Store.ListPosts(ctx, generia.PostFilter{WorldID: r.WorldID, CharacterID: ch.ID}, generia.Page{Limit: lifeRecent})
	if err != nil {
		return in, err
	}
	cast, _, err := a.Store.ListCharacters(ctx, r.WorldID, generia.Page{Limit: lifeCast})
	if err != nil {
		return in, err
	}
	in = content.ReplyInput{World: world, Character: profileOf(ch),
		Post: content.ThreadLine{Username: post.Username, DisplayName: post.DisplayName, Text: post.Caption}}
	in.Comment = in.Post // an action of the world's own answers the post
	var before []content.ThreadLine
	for _, c := range thread {
		if !c.Review.Visible() && c.ID != r.ParentID {
			continue // held or hidden: nobody reads it, nor does the model
		}
		username, name := c.Speaker()
		line := content.ThreadLine{Username: username, DisplayName: name, Text: c.Text}
		if c.ID == r.ParentID {
			in.Comment = line
			break
		}
		before = append(before, line)
		if c.CharacterID == ch.ID {
			in.Recent = append(in.Recent, c.Text)
		}
	}
	in.Thread = before[max(0, len(before)-10):]
	for _, p := range mine {
		in.Recent = append(in.Recent, p.Caption)
	}
	if rel, ok := in.Character.RelationshipWith(in.Comment.DisplayName); ok {
		in.Relationship = rel.Kind + ": " + rel.Description
	}
	for _, c := range cast {
		if c.IsAI() && c.ID != ch.ID {
			in.Others = append(in.Others, content.Handle{Username: c.Username, DisplayName: c.DisplayName})
		}
	}
	for _, f := range r.Flagged {
		in.Flagged = append(in.Flagged, string(f))
	}
	return in, nil
}

// Services queue.

// SaveReply adds the written reply as the character's comment, under an
// ID derived from its key, and, when the character commented of its own
// accord, its like of the post: saving it again changes nothing.
func (a *Activities) SaveReply(ctx context.Context, r LifeReply) error {
	if quiet, err := a.silenced(ctx, r); err != nil || quiet {
		return err
	}
	reply, err := artifact[content.Reply](ctx, a, r.WorldID, r.replyKey())
	if err != nil {
		return storeError(err)
	}
	if _, err := a.Store.AddComment(ctx, generia.Comment{ID: ItemID(r.WorldID, r.Key), PostID: r.PostID, CharacterID: r.CharacterID,
		IsAI: true, ParentID: r.ParentID, Text: reply.Text, Review: generia.Review{Labels: r.Labels}, CreatedAt: a.now()}); err != nil {
		return storeError(err)
	}
	if r.CommentID != "" {
		return nil // an answer to a person's comment
	}
	// A character that comments on a post of its own accord likes it too.
	_, err = a.Store.LikeAsCharacter(ctx, r.PostID, r.CharacterID, a.now())
	return storeError(err)
}

// silenced reports whether what a life step wrote is not to be posted
// after all: a moderator froze the world or silenced the character while
// it was written.
func (a *Activities) silenced(ctx context.Context, r LifeReply) (bool, error) {
	w, err := a.Store.World(ctx, r.WorldID)
	if err != nil {
		return false, storeError(err)
	}
	ch, err := a.Store.Character(ctx, r.CharacterID)
	if err != nil {
		return false, storeError(err)
	}
	if w.Frozen || ch.Silenced {
		a.log().Info("not posted: the world is frozen or the character silenced", "world_id", r.WorldID, "key", r.Key,
			"frozen", w.Frozen, "silenced", ch.Silenced)
		return true, nil
	}
	return false, nil
}

// profileOf is a character's generated profile; a person's character has
// only its name and bio.
func profileOf(ch generia.Character) content.CharacterDetail {
	// A person's character has no profile; one that does not decode is
	// taken as none: the character still acts on its name and bio.
	p, _, _ := content.Profile(ch.Profile)
	p.Username, p.DisplayName = ch.Username, ch.DisplayName
	if p.Bio == "" {
		p.Bio = ch.Bio
	}
	return p
}

// overPace reports whether an action of the world's own is to be let go
// because the world's pace is above its owner's ceiling of actions an
// hour, as when the operator lowered the ceiling while the world lived:
// of every action, the share the ceiling allows is made, chosen by the
// action's key, so that the world slows to its ceiling at once, without
// waiting for its settings to be sent again.
func (a *Activities) overPace(ctx context.Context, st LifeStep) (bool, error) {
	c, err := a.Store.WorldCeilings(ctx, st.WorldID)
	if err != nil {
		return false, storeError(err)
	}
	asked, allowed := st.Settings.ActionsPerHour, c.Clamp(st.Settings).ActionsPerHour
	if allowed >= asked {
		return false, nil
	}
	return keyHash(st.Key+"/pace", 10_000) >= int(10_000*allowed/asked), nil
}

// keyHash picks one of n by a key, the same for the same key.
func keyHash(key string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(key))
	return int(h.Sum32() % uint32(n))
}
