package offline

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/generia/generia/internal/content"
)

var genericRoles = []string{"tavern keeper", "schoolteacher", "doctor", "street cook", "musician", "painter", "messenger", "gardener",
	"tailor", "shopkeeper", "night watch", "midwife", "librarian", "barber", "jeweller", "inventor", "street sweeper", "archivist",
	"carpenter", "brewer", "cobbler", "town crier", "locksmith", "dance teacher"}

var roleQualifiers = []string{"apprentice", "retired", "night-shift", "travelling", "self-taught", "semi-retired", "second-generation"}

// castPlan answers one cast batch: Count new characters whose names and
// roles differ from Earlier ones, and connections among all of them.
func castPlan(in content.CastInput, key string) content.CastPlan {
	fl := flavorOf(in.World)
	r := seed("cast", fl.id, key, strconv.Itoa(in.Batch), strconv.Itoa(in.First))
	plan := content.CastPlan{Characters: []content.CastMember{}, Connections: []content.Connection{}, SharedStories: []content.Story{}}

	takenNames := map[string]bool{}
	takenFirst := map[string]bool{}
	takenRoles := map[string]bool{}
	for _, e := range in.Earlier {
		takenNames[strings.ToLower(e.Name)] = true
		takenFirst[strings.ToLower(firstName(e.Name))] = true
		takenRoles[strings.ToLower(e.Role)] = true
	}
	roles := rolePool(r, fl)
	for range in.Count {
		name := newName(r, takenNames, takenFirst)
		takenNames[strings.ToLower(name)] = true
		takenFirst[strings.ToLower(firstName(name))] = true
		role := newRole(r, roles, takenRoles)
		takenRoles[strings.ToLower(role)] = true

		interests := pickN(r, fl.interests, 1+r.IntN(2))
		for _, g := range pickN(r, genericInterests, 4) {
			if len(interests) >= 3+r.IntN(2) {
				break
			}
			interests = append(interests, g)
		}
		if r.IntN(3) == 0 && isLatin(fl.keys[0]) {
			interests = append(interests, fl.keys[0]+" lore")
		}
		plan.Characters = append(plan.Characters, content.CastMember{
			Name:      name,
			Role:      role,
			Concept:   concept(r, fl, name, role),
			Traits:    pickN(r, traits, 3+r.IntN(3)),
			Interests: interests,
		})
	}

	// Each new character gets one or two ties to someone planned before it.
	pairs := map[[2]string]bool{}
	for i, m := range plan.Characters {
		var before []string
		for _, e := range in.Earlier {
			before = append(before, e.Name)
		}
		for _, c := range plan.Characters[:i] {
			before = append(before, c.Name)
		}
		if len(before) == 0 {
			continue
		}
		n := 1
		if r.IntN(3) == 0 {
			n = 2
		}
		for _, other := range pickN(r, before, n) {
			a, b := m.Name, other
			if r.IntN(2) == 0 {
				a, b = b, a
			}
			if pairs[[2]string{a, b}] || pairs[[2]string{b, a}] {
				continue
			}
			pairs[[2]string{a, b}] = true
			bd := pick(r, bonds)
			f := fl.filler(r)
			f.set("a", a).set("b", b).list("interest", m.Interests...)
			plan.Connections = append(plan.Connections, content.Connection{From: a, To: b, Kind: bd.kind, Description: f.fill(bd.sentence)})
		}
	}
	plan.SharedStories = sharedStories(r, fl, in, plan.Characters)
	return plan
}

// storyEvents are what a shared story can be about when the world lists no
// typical stories.
var storyEvents = []string{"the night of the great storm", "the festival that went wrong", "the lost shipment",
	"the election nobody expected", "the stranger at the gates", "the winter the lights failed"}

// sharedStories plans one event (two in a big batch) that two or three
// characters of the batch, and sometimes one planned before, live through.
func sharedStories(r *rand.Rand, fl *flavor, in content.CastInput, batch []content.CastMember) []content.Story {
	var names []string
	for _, m := range batch {
		names = append(names, m.Name)
	}
	if len(in.Earlier) > 0 {
		names = append(names, pick(r, in.Earlier).Name)
	}
	stories := []content.Story{}
	if len(names) < 2 {
		return stories
	}
	events := in.World.TypicalStories
	if len(events) == 0 {
		events = storyEvents
	}
	n := 1
	if len(batch) >= 6 {
		n = 2
	}
	for _, event := range pickN(r, events, n) {
		who := pickN(r, names, min(len(names), 2+r.IntN(2)))
		f := fl.filler(r)
		f.set("event", strings.TrimSuffix(event, ".")).set("a", who[0]).set("b", who[len(who)-1])
		stories = append(stories, content.Story{
			Title:      f.fill("{event}"),
			Characters: who,
			Summary: f.fill("It starts as {event}, and {a} is the first to notice. " +
				"By the end {b} owes {a} a favour, and neither of them tells it the same way."),
		})
	}
	return stories
}

func rolePool(r *rand.Rand, fl *flavor) []string {
	pool := shuffled(r, fl.set.roles)
	pool = append(pool, shuffled(r, genericRoles)...)
	if k := fl.keys[0]; isLatin(k) && !placeNouns[k] {
		var keyRoles []string
		for _, kind := range []string{"keeper", "whisperer", "historian", "inspector"} {
			if !strings.Contains(k, kind) && !strings.Contains(kind, k) {
				keyRoles = append(keyRoles, k+" "+kind)
			}
		}
		for i, kr := range pickN(r, keyRoles, 2) {
			at := min(len(pool), 2+i*5+r.IntN(4))
			pool = append(pool[:at], append([]string{kr}, pool[at:]...)...)
		}
	}
	return pool
}

func newRole(r *rand.Rand, pool []string, taken map[string]bool) string {
	for _, role := range pool {
		if !taken[strings.ToLower(role)] {
			return role
		}
	}
	for range 100 {
		role := pick(r, roleQualifiers) + " " + pick(r, pool)
		if !taken[strings.ToLower(role)] {
			return role
		}
	}
	return pick(r, roleQualifiers) + " " + pick(r, pool) + " " + strconv.Itoa(len(taken))
}

// newName returns a full name not yet taken, preferring an unused first
// name.
func newName(r *rand.Rand, taken, takenFirst map[string]bool) string {
	for try := range 400 {
		c := pick(r, cultures)
		female := r.IntN(2) == 0
		first := pick(r, c.male)
		gender := byte('m')
		if female {
			first, gender = pick(r, c.female), 'f'
		}
		sc := c
		if r.IntN(6) == 0 {
			sc = pick(r, cultures)
		}
		name := first + " " + surname(pick(r, sc.surnames), gender)
		if taken[strings.ToLower(name)] || (try < 200 && takenFirst[strings.ToLower(first)]) {
			continue
		}
		return name
	}
	// The banks hold thousands of names; this is only reached by casts far
	// beyond any world's size.
	for i := 2; ; i++ {
		name := pick(r, cultures[0].female) + " " + pick(r, cultures[0].surnames) + " " + roman(i)
		if !taken[strings.ToLower(name)] {
			return name
		}
	}
}

func roman(n int) string {
	vals := []int{10, 9, 5, 4, 1}
	syms := []string{"X", "IX", "V", "IV", "I"}
	var b strings.Builder
	for i, v := range vals {
		for n >= v {
			b.WriteString(syms[i])
			n -= v
		}
	}
	return b.String()
}

func firstName(name string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(name), " ")
	return first
}

// pronouns of a character; for a name the banks don't know, the first
// name stands in for them.
type pronouns struct{ subj, obj, poss, noun string }

func pronounsOf(name string) pronouns {
	switch genders[firstName(name)] {
	case 'f':
		return pronouns{"she", "her", "her", "woman"}
	case 'm':
		return pronouns{"he", "him", "his", "man"}
	}
	f := firstName(name)
	return pronouns{f, f, f + "'s", "person"}
}

// hashInt derives a small number from parts, for traits that every step
// must agree on without seeing each other.
func hashInt(n int, parts ...string) int {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return int(binary.LittleEndian.Uint64(h[:8]) % uint64(n))
}

// ageOf is a character's age, the same in every step.
func ageOf(fl *flavor, name string) int { return 19 + hashInt(54, fl.id, "age", name) }

func (fl *flavor) characterFiller(r *rand.Rand, name string) *filler {
	p := pronounsOf(name)
	f := fl.filler(r)
	f.set("char", name).set("subj", p.subj).set("obj", p.obj).set("poss", p.poss)
	return f
}

func concept(r *rand.Rand, fl *flavor, name, role string) string {
	f := fl.characterFiller(r, name)
	f.set("role", role).set("age", strconv.Itoa(ageOf(fl, name)))
	first := pick(r, []string{"{char} is a {age}-year-old {role} at {place}.", "{char} is a {age}-year-old {role} who works out of {place}.",
		"At {age}, {char} is the best-known {role} in {world}, for better or worse."})
	f.list("drive", drives...)
	return f.fill(first) + " " + f.fill("{Subj} wants to {drive}.") + " " + f.fill(pick(r, quirks))
}

// characterDetail answers one character's profile step.
func characterDetail(in content.CharacterInput, key string) content.CharacterDetail {
	fl := flavorOf(in.World)
	m := in.Member
	name := strings.TrimSpace(m.Name)
	if name == "" {
		name = "Anonymous"
	}
	r := seed("character", fl.id, key, name)
	p := pronounsOf(name)
	role := strings.TrimSpace(m.Role)
	if role == "" {
		role = "local"
	}
	traitList := m.Traits
	if len(traitList) < 2 {
		traitList = append(append([]string{}, traitList...), pickN(r, traits, 2)...)
	}
	v := voiceOf(fl, in.Cast, in.Position, traitList)
	interests := append([]string{}, m.Interests...)
	for _, g := range pickN(r, append(slices.Clone(fl.interests), genericInterests...), 6) {
		if len(interests) >= 6 || (len(interests) >= 3 && r.IntN(2) == 0) {
			break
		}
		if !containsFold(interests, g) {
			interests = append(interests, g)
		}
	}
	if len(interests) > 6 {
		interests = interests[:6]
	}

	f := fl.characterFiller(r, name)
	f.set("role", role).set("arole", withArticle(role)).set("age", strconv.Itoa(ageOf(fl, name)))
	f.set("trait", traitList[0]).set("trait2", traitList[1])
	f.list("interest", interests...)
	f.set("interest", interests[0]).set("interest2", interests[min(1, len(interests)-1)])
	f.list("drive", drives...)
	home := f.get("place")

	detail := content.CharacterDetail{
		Username:      usernameFor(fl, in.Cast, name),
		DisplayName:   name,
		Bio:           bio(r, f, v),
		Personality:   f.fill(pick(r, personalities)),
		SpeakingStyle: v.style,
		Interests:     interests,
		Relationships: relationships(r, fl, in, name),
		DailyRoutine:  f.fill(pick(r, routines)),
		Secret:        f.fill(pick(r, secrets)),
	}
	f.next()
	f.set("place", home)
	detail.Backstory = f.fill(pick(r, backstoryOpeners)+" "+pick(r, backstoryMiddles)) + "\n\n" + f.fill(pick(r, backstoryClosers))

	look := struct{ build, skin, hair, eyes, mark, clothes string }{
		pick(r, builds), pick(r, skins), pick(r, hairs), pick(r, eyes), pick(r, marks), pick(r, fl.set.clothing)}
	age := ageOf(fl, name)
	detail.Appearance = sentence(name+" is "+look.build+", about "+strconv.Itoa(age)+", with "+look.skin+", "+look.hair+" and "+look.eyes) +
		" " + sentence(capFirst(p.subj)+" usually wears "+look.clothes+", and has "+look.mark)
	detail.AvatarPrompt = strings.Join([]string{
		sentence("Square head-and-shoulders portrait of " + withArticle(strconv.Itoa(age)+"-year-old") + " " + p.noun + ", " + withArticle(role) + " from " + fl.name),
		sentence("They have " + look.skin + ", " + look.hair + ", " + look.eyes + " and " + look.mark),
		sentence("Wearing " + look.clothes + "; background of " + home + ", softly blurred"),
		fl.set.visual,
		"No text in the image.",
	}, " ")

	arcs := fl.arcs()
	topics := []string{"life as " + withArticle(role), capFirst(home), interests[0], arcs[in.Position%len(arcs)]}
	f.next()
	extra := []string{f.fill("{group}"), f.fill("{the}"), f.fill("{activity}"), f.fill("{food}")}
	for _, t := range pickN(r, extra, 1+r.IntN(2)) {
		if !containsFold(topics, t) {
			topics = append(topics, t)
		}
	}
	detail.Topics = topics
	return detail
}

// voiceOf is the voice of the cast's character number position: the world
// deals its voices out in an order of its own, each once in every ten
// characters, and passes over a voice that would belie a character's
// first two traits, which its personality names.
func voiceOf(fl *flavor, cast []content.CastMember, position int, traits []string) voice {
	order := seed("voices", fl.id).Perm(len(voices))
	belies := func(v voice, traits []string) bool {
		return slices.ContainsFunc(traits[:min(2, len(traits))], func(t string) bool { return containsFold(v.avoid, t) })
	}
	used := map[int]int{} // how often each voice was dealt
	var chosen int
	for i := range position + 1 {
		t := traits
		if i < position && i < len(cast) {
			t = cast[i].Traits
		}
		// The voice dealt least so far that suits the traits, in the world's
		// order: each voice once before any twice.
		chosen = -1
		for _, v := range order {
			if !belies(voices[v], t) && (chosen < 0 || used[v] < used[chosen]) {
				chosen = v
			}
		}
		if chosen < 0 {
			chosen = order[i%len(order)]
		}
		used[chosen]++
	}
	return voices[chosen]
}

func containsFold(xs []string, s string) bool {
	for _, x := range xs {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func bio(r *rand.Rand, f *filler, v voice) string {
	b := f.fill(pick(r, bios))
	for try := 0; try < 4 && hasDoubledWord(b); try++ {
		b = f.fill(pick(r, bios)) // "Amateur amateur theatre"
	}
	if tag := pick(r, v.bioTag); tag != "" && utf8.RuneCountInString(b)+1+utf8.RuneCountInString(tag) <= 200 {
		b += " " + tag
	}
	if v.lower {
		b = strings.ToLower(b)
	}
	return truncateWords(b, 200)
}

// relationships turns the planned connections that involve name into ties
// seen from its side, naming only characters of the cast.
func relationships(r *rand.Rand, fl *flavor, in content.CharacterInput, name string) []content.Relationship {
	inCast := map[string]bool{}
	for _, c := range in.Cast {
		inCast[c.Name] = true
	}
	out := []content.Relationship{}
	seen := map[string]bool{}
	for _, c := range in.Connections {
		other, from := "", false
		switch name {
		case c.From:
			other, from = c.To, true
		case c.To:
			other = c.From
		default:
			continue
		}
		if other == name || !inCast[other] || seen[other] {
			continue
		}
		seen[other] = true
		kind, desc := c.Kind, c.Description
		for _, bd := range bonds {
			if bd.kind != c.Kind {
				continue
			}
			views := bd.toView
			kind = bd.to
			if from {
				views, kind = bd.fromView, bd.from
			}
			f := fl.filler(r)
			f.set("other", other)
			desc = f.fill(pick(r, views))
		}
		out = append(out, content.Relationship{Name: other, Kind: kind, Description: desc})
	}
	if len(out) == 0 {
		var others []string
		for _, c := range in.Cast {
			if c.Name != name && c.Name != "" {
				others = append(others, c.Name)
			}
		}
		if len(others) > 0 {
			other := pick(r, others)
			f := fl.filler(r)
			f.set("other", other)
			out = append(out, content.Relationship{Name: other, Kind: "acquaintance",
				Description: f.fill("I see {other} at {place} most days, and we nod at each other like old conspirators.")})
		}
	}
	return out
}

// usernameFor gives name its handle. Characters earlier in the cast choose
// first, so that every step computing the handles of a cast agrees, and no
// two characters share one.
func usernameFor(fl *flavor, cast []content.CastMember, name string) string {
	taken := map[string]bool{}
	for _, c := range cast {
		u := freeHandle(fl, c.Name, taken)
		if c.Name == name {
			return u
		}
		taken[u] = true
	}
	return freeHandle(fl, name, taken)
}

func freeHandle(fl *flavor, name string, taken map[string]bool) string {
	cands := handleCandidates(fl, name)
	for _, c := range cands {
		if !taken[c] {
			return c
		}
	}
	base := cands[0]
	for i := 2; ; i++ {
		suffix := strconv.Itoa(i)
		c := strings.TrimRight(base[:min(len(base), 24-len(suffix)-1)], "_") + "_" + suffix
		if !taken[c] {
			return c
		}
	}
}

func handleCandidates(fl *flavor, name string) []string {
	parts := strings.Fields(name)
	first, last := "", ""
	if len(parts) > 0 {
		first = slug(parts[0])
		last = slug(parts[len(parts)-1])
	}
	if len(parts) < 2 {
		last = ""
	}
	if first == "" {
		first = "user"
	}
	r := seed("handle", fl.id, name)
	var styles []string
	if last != "" {
		styles = append(styles, first+"_"+last, first+last, first[:1]+"_"+last, last+"_"+first,
			first+"_"+last[:1], first+last+strconv.Itoa(10+r.IntN(90)))
	}
	if k := slug(fl.keys[0]); k != "" {
		styles = append(styles, first+"_of_"+k, k+"_"+first)
	}
	styles = append(styles, first+"_"+strconv.Itoa(10+r.IntN(90)))
	out := []string{styles[r.IntN(len(styles))]}
	out = append(out, styles...)
	for i, s := range out {
		out[i] = validHandle(s, r)
	}
	return out
}

// validHandle fits a handle to 3–24 lowercase letters, digits and
// underscores.
func validHandle(s string, r *rand.Rand) string {
	if len(s) > 24 {
		s = s[:24]
	}
	s = strings.Trim(s, "_")
	for len(s) < 3 {
		s += strconv.Itoa(r.IntN(10))
	}
	return s
}
