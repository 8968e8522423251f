package offline

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/generia/generia/internal/content"
)

var toneNames = slices.Sorted(maps.Keys(tones))

// kindTones are the tones that suit a kind of post best.
var kindTones = map[string][]string{
	"daily life":       {"joyful", "weary", "wry", "tender"},
	"photo of a place": {"awed", "nostalgic", "melancholy", "joyful"},
	"work":             {"proud", "weary", "determined", "wry"},
	"reflection":       {"nostalgic", "melancholy", "hopeful", "tender", "curious"},
	"announcement":     {"joyful", "hopeful", "proud"},
	"opinion":          {"indignant", "wry", "anxious"},
	"people":           {"tender", "joyful", "mischievous"},
	"recommendation":   {"joyful", "mischievous", "proud"},
	"question":         {"curious", "anxious", "wry"},
	"throwback":        {"nostalgic", "melancholy", "tender"},
	"event":            {"joyful", "awed", "mischievous", "weary"},
	"news":             {"curious", "anxious", "indignant"},
	"thread update":    {"determined", "hopeful", "anxious", "proud"},
}

var afterthoughts = []string{"{Subj} can't stop thinking about it.", "It becomes the talk of {place} by evening.",
	"{Subj} posts about it before thinking twice.", "Everyone has an opinion, and {subj} shares {poss} first.",
	"{Subj} wants the whole of {name} to know."}

// roleOf recovers a character's role from the topic "life as a …" that the
// character step writes first.
func roleOf(ch content.CharacterDetail) string {
	for _, t := range ch.Topics {
		for _, p := range []string{"life as a ", "life as an "} {
			if strings.HasPrefix(t, p) {
				return t[len(p):]
			}
		}
	}
	return ""
}

func friendsOf(ch content.CharacterDetail) []string {
	var out []string
	for _, rel := range ch.Relationships {
		if rel.Name != "" && rel.Name != ch.DisplayName {
			out = append(out, rel.Name)
		}
	}
	return out
}

// postFiller knows the world and the character: its interests, friends,
// role and arc.
func postFiller(fl *flavor, r *rand.Rand, ch content.CharacterDetail) *filler {
	f := fl.characterFiller(r, ch.DisplayName)
	if len(ch.Interests) > 0 {
		f.list("interest", ch.Interests...)
	}
	f.list("friend", friendsOf(ch)...)
	if role := roleOf(ch); role != "" {
		f.set("role", role).set("arole", withArticle(role))
	}
	f.set("arc", arcOf(fl, ch))
	return f
}

// genericArcs are threads any world's characters may follow, beside those
// of the world's setting.
var genericArcs = []string{"winning {festival} at last", "getting {place} reopened", "finding out what really happened during {history}",
	"earning a seat on {group}", "making {food} famous beyond {name}", "learning {interest} properly", "saving {place} from {group2}"}

// arcs are the threads a world's characters follow, in the world's own
// order: the character step gives character number i the arc i, so that
// ten characters follow ten threads, and writes it among its topics.
func (fl *flavor) arcs() []string {
	r := seed("arcs", fl.id)
	f := fl.filler(r)
	out := append([]string{}, fl.set.arcs...)
	if k := fl.keys[0]; isLatin(k) {
		out = append(out, "getting to the bottom of the "+k+" business")
	}
	for _, g := range genericArcs {
		f.next()
		if a := f.fill(g); !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return shuffled(r, out)
}

// arcOf is the thread a character's posts follow: the one among its
// topics, or for a profile written elsewhere one of the world's.
func arcOf(fl *flavor, ch content.CharacterDetail) string {
	arcs := fl.arcs()
	for _, t := range ch.Topics {
		if slices.Contains(arcs, t) {
			return t
		}
	}
	return pick(seed("arc", fl.id, ch.Username, ch.DisplayName), arcs)
}

type planned struct{ topic, brief, kind string }

// timeline plans a character's first n posts of total. It depends only on
// the world, the character and total, so batches agree and no two posts of
// a character share a topic.
func timeline(fl *flavor, ch content.CharacterDetail, n, total int) []planned {
	r := seed("timeline", fl.id, ch.Username, ch.DisplayName)
	f := postFiller(fl, r, ch)
	var kinds []postKind
	for _, k := range postKinds {
		if (k.name == "people" && len(friendsOf(ch)) == 0) || (k.name == "work" && roleOf(ch) == "") {
			continue
		}
		kinds = append(kinds, k)
	}
	used := map[string]bool{}
	out := make([]planned, 0, n)
	for i := range n {
		var p planned
		if total >= 3 && i%3 == 1 {
			stage := arcStages[min(len(arcStages)-1, i*len(arcStages)/total)]
			for _, st := range shuffled(r, stage) {
				f.next()
				topic := f.fill("{arc}: " + st[0])
				if !used[strings.ToLower(topic)] {
					p = planned{topic, f.fill(st[1]), threadKind.name}
					break
				}
			}
		}
		for try := 0; p.topic == "" && try < 80; try++ {
			k := pick(r, kinds)
			pair := pick(r, k.pairs)
			f.next()
			topic := f.fill(pair[0])
			if !used[strings.ToLower(topic)] {
				p = planned{topic, f.fill(pair[1]), k.name}
			}
		}
		if p.topic == "" { // every combination is used: only for timelines of hundreds of posts
			k := pick(r, kinds)
			pair := pick(r, k.pairs)
			f.next()
			p = planned{f.fill(pair[0]) + ", take " + strconv.Itoa(i+1), f.fill(pair[1]), k.name}
		}
		used[strings.ToLower(p.topic)] = true
		out = append(out, p)
	}
	return out
}

// postPlan answers one batch of a character's post plan.
func postPlan(in content.PostPlanInput, key string) content.PostPlan {
	fl := flavorOf(in.World)
	ch := in.Character
	total := max(in.Total, in.First+in.Count)
	seq := timeline(fl, ch, in.First+in.Count, total)
	r := seed("post-plan", fl.id, ch.Username, key, strconv.Itoa(in.First))
	f := postFiller(fl, r, ch)
	plan := content.PostPlan{Posts: []content.PostConcept{}}
	for _, p := range seq[in.First:] {
		tone := pick(r, toneNames)
		if ts := kindTones[p.kind]; len(ts) > 0 && r.IntN(5) < 3 {
			tone = pick(r, ts)
		}
		brief := sentence(ch.DisplayName + " " + p.brief)
		if r.IntN(2) == 0 {
			f.next()
			brief += " " + f.fill(pick(r, afterthoughts))
		}
		plan.Posts = append(plan.Posts, content.PostConcept{Topic: p.topic, Brief: brief, Tone: tone, Kind: p.kind})
	}
	stage := func(i int) string {
		return arcStages[min(len(arcStages)-1, i*len(arcStages)/max(1, total))][0][0]
	}
	f.next()
	who := ch.DisplayName
	if who == "" {
		who = "The character"
	}
	plan.Arc = f.fill(who+"'s thread here is {arc}, from "+stage(in.First)+" to "+stage(in.First+max(0, in.Count-1))) +
		f.fill(", told between ordinary days at {place}.")
	return plan
}

var mentionLines = []string{"Thanks to {at} for the help.", "{at}, you were right, as usual.", "{at} knows exactly what I mean.",
	"Waving at {at}.", "Couldn't have done it without {at}.", "Looking at you, {at}.", "{at}, I owe you {food}.",
	"{at} was there for all of it at {place}.", "Ask {at} if you don't believe me.", "Next time you're coming too, {at}.",
	"{at} said this would happen at {place}, and here we are.", "Saving {at} a seat at {festival}."}

var topicLines = []string{"Today was all about {topic}.", "A few words on {topic}.", "Let's talk about {topic}.",
	"Been thinking about {topic} all day."}

var emphasis = []string{"again", "every", "never", "always", "still", "all", "nobody", "twice", "three", "really", "whole"}

// eventOf turns a brief "Mara Okafor walked out to the quay." into the
// phrase "walked out to the quay", which the character can say in the first
// person. A brief of another shape gives "".
func eventOf(brief, who string) string {
	b := strings.TrimSpace(brief)
	if who == "" || !strings.HasPrefix(b, who+" ") {
		return ""
	}
	rest := b[len(who)+1:]
	if i := strings.Index(rest, ". "); i >= 0 {
		rest = rest[:i]
	}
	rest = strings.TrimRight(rest, ".!? ")
	verb, _, _ := strings.Cut(rest, " ")
	if strings.HasSuffix(verb, "s") && !strings.HasSuffix(verb, "ss") && verb != "was" {
		return "" // present tense, "shares": not ours to conjugate
	}
	return rest
}

func voiceFor(style, username string) voice {
	for _, v := range voices {
		if v.style == style {
			return v
		}
	}
	return voices[hashInt(len(voices), style, username)]
}

func initials(name string) string {
	var b strings.Builder
	for _, p := range strings.Fields(name) {
		r := []rune(p)
		b.WriteString(strings.ToUpper(string(r[0])) + ".")
	}
	return b.String()
}

// postDetail answers one post step; a caption too like one of the
// character's recent texts is written again, as a model asked not to
// repeat itself would.
func postDetail(in content.PostInput, key string) content.PostDetail {
	d := postDraft(in, key)
	for attempt := 1; attempt < 8 && repeats(d.Caption, in.Recent); attempt++ {
		d = postDraft(in, key+"/again/"+strconv.Itoa(attempt))
	}
	return d
}

// postDraft writes one post.
func postDraft(in content.PostInput, key string) content.PostDetail {
	fl := flavorOf(in.World)
	ch := in.Character
	c := in.Concept
	r := seed("post", fl.id, ch.Username, key, strconv.Itoa(in.Number), c.Topic, c.Brief)
	v := voiceFor(ch.SpeakingStyle, ch.Username)
	f := postFiller(fl, r, ch)
	f.set("num", strconv.Itoa(1+in.Number))

	var others []content.Handle
	for _, o := range in.Others {
		if o.Username != "" && o.Username != ch.Username {
			others = append(others, o)
		}
	}
	mentioned := []content.Handle{}
	for _, o := range others {
		if o.DisplayName != "" && strings.Contains(c.Brief, o.DisplayName) && len(mentioned) < 2 {
			mentioned = append(mentioned, o)
		}
	}
	if len(mentioned) == 0 && len(others) > 0 && (c.Kind == "people" || r.IntN(4) == 0) {
		var close []content.Handle
		for _, o := range others {
			if containsFold(friendsOf(ch), o.DisplayName) {
				close = append(close, o)
			}
		}
		if len(close) == 0 {
			close = others
		}
		mentioned = append(mentioned, pick(r, close))
	}

	// The post's place is the one its lines name: "at {place}" in a line
	// of any mood is where the post happens.
	location := locationOf(r, fl, c)
	f.set("place", location)
	line := func(list string, lines []string) string {
		return f.fill(nth(lines, in.Number, "line", fl.id, ch.Username, list))
	}
	event := eventOf(c.Brief, ch.DisplayName)
	for _, m := range mentioned {
		if m.DisplayName != "" {
			event = strings.ReplaceAll(event, m.DisplayName, "@"+m.Username)
		}
	}
	var parts []string
	if chance(40, fl.id, ch.Username, "opener", strconv.Itoa(in.Number)) {
		parts = append(parts, line("opener", v.openers))
	}
	switch {
	case event != "" && v.dropI:
		parts = append(parts, sentence(event))
	case event != "":
		parts = append(parts, sentence("I "+event))
	default:
		topic := lowerFirst(strings.TrimRight(c.Topic, ". "))
		if topic == "" {
			topic = "life in " + fl.name
		}
		parts = append(parts, strings.ReplaceAll(pick(r, topicLines), "{topic}", topic))
	}
	tone := strings.ToLower(strings.TrimSpace(c.Tone))
	if len(tones[tone]) == 0 {
		tone = pick(r, toneNames)
	}
	parts = append(parts, line("tone "+tone, tones[tone]))
	for _, m := range mentioned {
		if !strings.Contains(strings.Join(parts, " "), "@"+m.Username) {
			parts = append(parts, strings.ReplaceAll(line("mention", mentionLines), "{at}", "@"+m.Username))
		}
	}
	kind := kindNamed(c.Kind)
	if len(parts) < 4 && len(kind.frames) > 0 && chance(35, fl.id, ch.Username, "frame", strconv.Itoa(in.Number)) {
		parts = append(parts, line("frame "+kind.name, kind.frames))
	}
	if len(parts) < 5 && chance(40, fl.id, ch.Username, "closer", strconv.Itoa(in.Number)) {
		if c := line("closer", v.closers); !hasDoubledWord(parts[len(parts)-1] + " " + c) {
			parts = append(parts, c)
		}
	}

	detail := content.PostDetail{
		Caption:  voiced(r, v, parts, ch.DisplayName),
		Hashtags: hashtags(r, fl, c, in.Hashtags),
		Mood:     strings.TrimSpace(c.Tone),
		Location: capFirst(location),
		Mentions: []string{},
	}
	if detail.Mood == "" {
		detail.Mood = pick(r, toneNames)
	}
	for _, m := range mentioned {
		detail.Mentions = append(detail.Mentions, m.Username)
	}
	detail.ImagePrompt = postImagePrompt(r, fl, in, kind, detail.Location)
	return detail
}

// nth is the line a character writes in its post number n from lines: each
// character goes through a list in an order of its own, named by key, so
// that its posts repeat no line before they have used them all.
func nth(lines []string, n int, key ...string) string {
	if len(lines) == 0 {
		return ""
	}
	return lines[seed(key...).Perm(len(lines))[n%len(lines)]]
}

// chance is true for percent of the keys: the same key, the same answer.
func chance(percent int, key ...string) bool { return hashInt(100, key...) < percent }

func kindNamed(name string) postKind {
	for _, k := range postKinds {
		if k.name == name {
			return k
		}
	}
	if name == threadKind.name {
		return threadKind
	}
	return postKind{name: name, shot: "photo"}
}

// voiced writes the caption's sentences in the character's voice.
func voiced(r *rand.Rand, v voice, parts []string, who string) string {
	if v.exclaim && len(parts) > 0 {
		for i, p := range parts {
			if strings.HasSuffix(p, ".") && (i == len(parts)-1 || r.IntN(2) == 0) {
				parts[i] = strings.TrimSuffix(p, ".") + "!"
			}
		}
	}
	var s string
	if v.ellipsis {
		for i, p := range parts {
			parts[i] = strings.TrimRight(p, ".:—- ")
		}
		s = strings.Join(parts, "… ") + "…"
	} else {
		s = strings.Join(parts, " ")
	}
	if v.lower {
		s = strings.ToLower(s)
	}
	if v.capsWord {
		s = shout(s)
	}
	if v.sign && who != "" {
		s += " — " + initials(who)
	}
	if len(v.emoji) > 0 && (v.exclaim || r.IntN(2) == 0) {
		s += " " + pick(r, v.emoji)
		if v.exclaim && r.IntN(2) == 0 {
			s += pick(r, v.emoji)
		}
	}
	return s
}

// shout capitalises the first emphatic word of s.
func shout(s string) string {
	fields := strings.Split(s, " ")
	for i, w := range fields {
		for _, e := range emphasis {
			if strings.TrimRight(w, ".,!?;:") == e {
				fields[i] = strings.ToUpper(e) + w[len(e):]
				return strings.Join(fields, " ")
			}
		}
	}
	return s
}

// kindTags are the hashtags of the kinds of post.
var kindTags = map[string]string{"daily life": "dailylife", "photo of a place": "views", "work": "worklife", "reflection": "thoughts",
	"announcement": "announcement", "opinion": "opinion", "people": "friends", "recommendation": "recommended", "question": "question",
	"throwback": "throwback", "event": "tonight", "news": "news", "thread update": "update"}

// hashtags are a post's tags: the world's, those of the things its topic
// names, the setting's, the kind's; want of them when want is set. A tag
// is a name or a noun, never a word cut out of a sentence.
func hashtags(r *rand.Rand, fl *flavor, c content.PostConcept, want int) []string {
	tags := []string{}
	add := func(t string) {
		t = slug(t)
		if len(t) >= 3 && len(t) <= 30 && !slices.Contains(tags, t) && len(tags) < 6 {
			tags = append(tags, t)
		}
	}
	add(fl.name)
	if chance(50, fl.id, c.Topic, "subject tag") {
		add(fl.subj.plural())
	}
	topic := strings.ToLower(c.Topic + " " + c.Brief)
	named := fl.tagsIn(topic)
	for _, t := range named[:min(2, len(named))] {
		add(t)
	}
	add(pick(r, fl.set.tags))
	if t, ok := kindTags[c.Kind]; ok && r.IntN(2) == 0 {
		add(t)
	}
	for _, t := range fl.set.tags {
		if len(tags) >= max(2, want) {
			break
		}
		add(t)
	}
	for _, t := range named {
		if len(tags) >= want {
			break
		}
		add(t)
	}
	if want > 0 && len(tags) > want {
		tags = tags[:want]
	}
	return tags
}

// tagsIn are the tags of the world's things that text names, in the order
// it names them: places, festivals, foods, interests, groups, objects and
// the nouns of the person's idea.
func (fl *flavor) tagsIn(text string) []string {
	type found struct {
		at  int
		tag string
	}
	var out []found
	look := func(phrase, tag string) {
		if i := findWord(text, strings.ToLower(phrase)); i >= 0 && tag != "" {
			out = append(out, found{i, tag})
		}
	}
	for _, p := range fl.places {
		look(strings.TrimPrefix(p, "the "), p)
	}
	for _, g := range fl.groups {
		look(strings.TrimPrefix(g, "the "), g)
	}
	for _, list := range [][]string{fl.festivals, fl.set.foods, fl.interests, genericInterests} {
		for _, x := range list {
			look(strings.TrimPrefix(x, "the "), x)
		}
	}
	for _, o := range fl.objects {
		look(headNoun(o), headNoun(o))
	}
	for _, k := range fl.keys {
		look(k, k)
	}
	slices.SortStableFunc(out, func(a, b found) int { return a.at - b.at })
	var tags []string
	for _, f := range out {
		if t := slug(strings.TrimPrefix(f.tag, "the ")); !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	return tags
}

// headNoun is the thing a noun phrase names: "a basket of silver eels" is
// eels, "a lantern with green glass" a lantern.
func headNoun(phrase string) string {
	p := strings.ToLower(phrase)
	for _, a := range []string{"a ", "an ", "the ", "some "} {
		p = strings.TrimPrefix(p, a)
	}
	if _, after, ok := strings.Cut(p, " of "); ok {
		p = after
	} else {
		for _, sep := range []string{" with ", " from ", " that ", " for ", " on ", " in ", " inside"} {
			p, _, _ = strings.Cut(p, sep)
		}
	}
	ws := strings.Fields(p)
	if len(ws) == 0 {
		return ""
	}
	return strings.Trim(ws[len(ws)-1], ",.'")
}

func locationOf(r *rand.Rand, fl *flavor, c content.PostConcept) string {
	text := strings.ToLower(c.Topic + " " + c.Brief)
	for _, p := range fl.places {
		if strings.Contains(text, strings.ToLower(strings.TrimPrefix(p, "the "))) {
			return p
		}
	}
	return pick(r, fl.places)
}

var lightByWord = []struct{ word, light string }{
	{"dawn", "pale dawn light"}, {"sunrise", "pink sunrise light"}, {"first light", "pale first light"}, {"morning", "soft morning light"},
	{"noon", "hard midday sun"}, {"dusk", "violet dusk"}, {"sunset", "low orange sunset light"}, {"evening", "warm evening lamplight"},
	{"night", "deep night with lamplight"}, {"midnight", "midnight darkness and a few warm lights"}, {"moon", "silver moonlight"},
}

func postImagePrompt(r *rand.Rand, fl *flavor, in content.PostInput, kind postKind, location string) string {
	c := in.Concept
	ch := in.Character
	text := strings.ToLower(c.Topic + " " + c.Brief)
	light := pick(r, []string{"soft natural light", "warm afternoon light", "golden-hour light", "cool overcast light"})
	for _, l := range lightByWord {
		if strings.Contains(text, l.word) {
			light = l.light
			break
		}
	}
	topic := strings.TrimRight(c.Topic, ". ")
	if topic == "" {
		topic = "everyday life"
	}
	shot := kind.shot
	if shot == "" {
		shot = "photo"
	}
	f := fl.filler(r)
	out := []string{
		sentence(withArticle(shot) + " for a post about " + lowerFirst(topic)),
		// The world's subject and land in a sentence of their own: the
		// painter shows what the post is about over them.
		sentence("Backdrop: " + fl.name + ", " + subjectScene(fl.subj) + " " + landscapeOf(fl.set)),
		sentence("Setting: " + location + " in " + light + ", with " + f.fill("{sight}") + " in the background"),
	}
	if kind.self && ch.Appearance != "" {
		first, _, _ := strings.Cut(ch.Appearance, ". ")
		out = append(out, "In the frame: "+sentence(first))
	}
	out = append(out, fl.set.visual, sentence("Palette of "+joinAnd(fl.colors)), "No text, letters or watermarks.")
	return strings.Join(out, " ")
}
