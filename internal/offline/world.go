package offline

import (
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/generia/generia/internal/content"
)

// flavor is what every step knows about a world: recomputed from the world
// description alone, so that the world step and every later step agree on
// the setting, the subject, the keywords, the places and the groups.
type flavor struct {
	name string
	id   string // the world's identity, the root of every seed
	set  *setting
	subj subject  // what the world is about: its hourglass, its beetles
	keys []string // keywords of the person's idea, lowercase; the subject's noun first
	// setWords are the words of the idea that name its setting: "desert".
	setWords []string
	places   []string
	groups   []string
	colors   []string
	// The setting's vocabulary with the subject's own: activities, objects,
	// sights, interests and festivals that name the hourglass.
	activities, objects, sights, interests, festivals []string
}

func flavorOf(w content.WorldDescription) *flavor {
	fl := &flavor{name: w.Name, id: w.Name + "\x00" + w.DescriptionShort}
	exclude := makeSet(words(w.Name))
	fl.set = detectSetting(w.Theme + " " + w.DescriptionShort)
	// An offline theme reads "hourglass city, sand and glass: life between
	// the dunes and the water"; the words before the colon are the idea's,
	// its subject first.
	head, _, _ := strings.Cut(w.Theme, ":")
	firstSentence, _, _ := strings.Cut(w.DescriptionShort, ". ")
	subjectPart, _, _ := strings.Cut(head, ",")
	fl.subj = readIdea(subjectPart)
	if fl.subj.noun == "" {
		fl.subj = readIdea(strings.TrimPrefix(firstSentence, w.Name))
	}
	for _, w := range words(head) {
		if w = singular(w); triggerWords[w] && !genericNouns[w] && !ideaAdjs[w] && w != fl.subj.noun && !slices.Contains(fl.setWords, w) {
			fl.setWords = append(fl.setWords, w)
		}
	}
	fl.keys = keywords(head, nil)
	for _, k := range keywords(firstSentence, exclude) {
		if !slices.Contains(fl.keys, k) {
			fl.keys = append(fl.keys, k)
		}
	}
	fl.keys = stableDistinctFirst(fl.keys)
	if s := fl.subj.noun; s != "" && isLatin(s) {
		fl.keys = append([]string{s}, slices.DeleteFunc(fl.keys, func(k string) bool { return k == s })...)
	}
	if len(fl.keys) > 4 {
		fl.keys = fl.keys[:4]
	}
	if len(fl.keys) == 0 {
		fl.keys = []string{fl.set.triggers[0]}
	}
	if fl.subj.noun == "" || !isLatin(fl.subj.noun) {
		fl.subj = subject{noun: fl.keys[0]}
	}
	if fl.name == "" {
		fl.name = "this world"
	}
	r := seed("flavor", fl.id)
	s := fl.subj
	subjectPlaces := pickN(r, slices.DeleteFunc(slices.Clone(ideaWords.SubjectPlaces), func(p string) bool {
		return strings.Contains(strings.ToLower(p), s.noun)
	}), 2)
	for i, t := range shuffled(r, fl.set.placeTypes)[:6] {
		switch {
		case i == 1 || i == 4:
			fl.places = append(fl.places, s.expand(subjectPlaces[i/4]))
		case r.IntN(2) == 0:
			adj := pick(r, fl.set.placeAdjs)
			if strings.Contains(t, adj) || strings.HasPrefix(t, "Old ") {
				fl.places = append(fl.places, "the "+t)
				break
			}
			fl.places = append(fl.places, "the "+adj+" "+t)
		default:
			fl.places = append(fl.places, "the "+t)
		}
	}
	// Institutions are invented from the subject and from coined names of
	// this world, so that no two worlds share one.
	types := shuffled(r, fl.set.groupTypes)
	first, second := coined(r), coined(r)
	for second == first {
		second = coined(r)
	}
	institution := first + " " + types[0]
	if strings.Contains(types[0], " of ") { // "the Circle of Elders" takes no name before it
		institution = first + " " + pick(r, ideaWords.CoinedGroups)
	}
	fl.groups = []string{
		"the " + s.expand(pick(r, ideaWords.SubjectGroups)),
		"the " + institution,
		"the " + second + " " + pick(r, ideaWords.CoinedGroups),
	}
	fl.colors = pickN(r, fl.set.colors, 4)
	expandAll := func(patterns []string) []string {
		out := make([]string, len(patterns))
		for i, p := range patterns {
			out[i] = s.expand(p)
		}
		return out
	}
	fl.activities = append(slices.Clone(fl.set.activities), expandAll(ideaWords.SubjectActivities)...)
	fl.objects = append(slices.Clone(fl.set.objects), expandAll(ideaWords.SubjectObjects)...)
	fl.sights = append(slices.Clone(fl.set.sights), expandAll(ideaWords.SubjectSights)...)
	fl.interests = append(slices.Clone(fl.set.interests), expandAll(ideaWords.SubjectInterests)...)
	fl.festivals = append(slices.Clone(fl.set.festivals), s.expand(pick(r, ideaWords.SubjectFestivals)))
	return fl
}

// titleWord capitalises every part of a hyphenated word.
func titleWord(w string) string {
	parts := strings.Split(w, "-")
	for i, p := range parts {
		parts[i] = capFirst(p)
	}
	return strings.Join(parts, "-")
}

// filler returns a filler that knows the world's vocabulary. Group and
// place values carry their article ("the Lower Quay"), so templates write
// "at {place}", not "at the {place}".
func (fl *flavor) filler(r *rand.Rand) *filler {
	f := newFiller(r)
	f.set("name", fl.name).set("world", fl.name)
	f.list("place", fl.places...)
	f.list("group", fl.groups...)
	// {the} is mostly the subject, and now and then a word of the setting
	// the idea names: the hourglass, the hourglass, the desert.
	the := []string{fl.subj.the(), fl.subj.the()}
	for _, k := range fl.setWords {
		if len(the) < 4 {
			the = append(the, "the "+k)
		}
	}
	f.list("key", fl.keys[:min(3, len(fl.keys))]...)
	f.list("the", the...)
	f.list("festival", fl.festivals...)
	f.list("food", fl.set.foods...)
	f.list("object", fl.objects...)
	f.list("sight", fl.sights...)
	f.list("activity", fl.activities...)
	f.list("time", fl.set.timesOfDay...)
	f.list("history", fl.set.history...)
	f.list("interest", fl.interests...)
	return f
}

// stableDistinctFirst orders keywords that no setting knows before the
// others and place nouns last, keeping their order otherwise.
func stableDistinctFirst(kws []string) []string {
	var rare, common, places []string
	for _, k := range kws {
		switch {
		case placeNouns[k]:
			places = append(places, k)
		case triggerWords[k]:
			common = append(common, k)
		default:
			rare = append(rare, k)
		}
	}
	return append(append(rare, common...), places...)
}

var leadIns = []string{"i want ", "i'd like ", "i would like ", "imagine ", "create ", "generate ", "make ", "build ", "please ", "design "}

// idea returns the first sentence of the person's prompt, tidied.
func idea(prompt string) string {
	s := strings.Join(strings.Fields(prompt), " ")
	for _, end := range []string{". ", "! ", "? ", "\n"} {
		if i := strings.Index(s, end); i > 0 {
			s = s[:i]
		}
	}
	s = strings.TrimRight(s, ".!?;:, ")
	for changed := true; changed; {
		changed = false
		for _, l := range leadIns {
			if len(s) > len(l) && strings.EqualFold(s[:len(l)], l) {
				s, changed = s[len(l):], true
			}
		}
	}
	return truncateWords(s, 180)
}

func shortDescription(name, idea string, r *rand.Rand, set *setting, subj subject, foreign bool) string {
	low := strings.ToLower(idea)
	var first string
	switch {
	case foreign && subj.kind != "":
		first = name + " is " + withArticle(subj.kind) + " known for its " + subj.plural() + "."
	case foreign || idea == "":
		first = name + " is a world of " + subj.plural() + " and " + set.motif + "."
	case strings.HasPrefix(low, "a "), strings.HasPrefix(low, "an "), strings.HasPrefix(low, "the "):
		first = name + " is " + lowerFirst(idea) + "."
	case strings.HasPrefix(low, "where "), strings.HasPrefix(low, "in which "), strings.HasPrefix(low, "with "), strings.HasPrefix(low, "of "):
		first = name + " is a world " + idea + "."
	default:
		first = name + ": " + sentence(idea)
	}
	hooks := []string{"Come for the " + pick(r, set.foods) + ", stay for the people.", "Bring a good coat and a better story.",
		"Nobody leaves quite the same.", "Visitors come for a day and stay for years.", "Everyone here has a story, and most of them are true."}
	return first + " " + pick(r, hooks)
}

// subjectTheme is how a theme names the subject, so that flavorOf reads it
// back: "hourglass city", "valley of beetles", "archipelago".
func subjectTheme(s subject) string {
	switch {
	case s.kind != "" && s.many:
		return s.kind + " of " + s.plural()
	case s.kind != "":
		return s.noun + " " + s.kind
	case s.many:
		return s.plural()
	}
	return s.noun
}

// gist is the prompt the world step reads: the prompt itself, or for one in
// another language the English words of it that the parser knows.
func gist(prompt string) string {
	if !ProbablyNotEnglish(prompt) {
		return prompt
	}
	var ws []string
	for _, t := range ideaTokens(prompt) {
		if t.role != '.' {
			ws = append(ws, t.word)
		}
	}
	return strings.Join(ws, " ")
}

// worldDescription answers the world step. The world's ID joins its seed,
// so that the same idea given twice makes two worlds.
func worldDescription(in content.WorldInput, worldID, key string) content.WorldDescription {
	r := seed("world", in.Prompt, in.Name, worldID, key)
	foreign := ProbablyNotEnglish(in.Prompt)
	text := gist(in.Prompt)
	set := detectSetting(text)
	subj := readIdea(in.Prompt)
	if subj.noun == "" {
		subj = subject{noun: set.triggers[0]}
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		name = nameFor(r, subj, set)
	}
	exclude := makeSet(append(words(subj.noun), subj.plural(), subj.kind))
	themeWords := []string{subjectTheme(subj)}
	for _, k := range keywords(text, exclude) {
		if len(themeWords) < 3 && isLatin(k) && ((classify(k, nil).role == 'n' && !genericNouns[k]) || triggerWords[k]) {
			themeWords = append(themeWords, k)
		}
	}
	idea := idea(in.Prompt)
	w := content.WorldDescription{
		Name:             name,
		Language:         "English",
		DescriptionShort: shortDescription(name, idea, r, set, subj, foreign),
		Theme:            themeWords[0] + ", " + joinAnd(themeWords[1:]) + ": " + set.motif,
	}
	if len(themeWords) == 1 {
		w.Theme = themeWords[0] + ": " + set.motif
	}
	fl := flavorOf(w)
	s := fl.set
	f := fl.filler(r)
	f.list("motif", s.motif)

	paras := []string{
		w.DescriptionShort + " " + f.fill(pick(r, []string{
			"It is a world of {motif}, where {sight} counts as an ordinary evening and {activity} counts as a career.",
			"Here, {motif} means {activity} in the morning, {food} at noon, and arguments about {the} all day long.",
			"Ask anyone about {name} and they will talk about {the} first and {food} second."})),
		f.fill(s.geography) + " " + f.fill("Between them lie {place3} and {place4}, where {activity} fills the days."),
		f.fill(s.society) + " " + f.fill(s.culture),
		f.fill("People still talk about {history}, and the old ones remember {history2} as if it were last week. Everything comes back to {the}, in songs, in grudges and in the names of streets."),
		f.fill("Today {name} is restless. ") + f.fill(pick(r, s.conflicts)) + " " + f.fill("Still, when {festival} comes round, everyone turns up, and for one night the quarrels can wait."),
	}
	f.next()
	w.Description = strings.Join(paras, "\n\n")
	w.TechnologyLevel = f.fill(s.tech)
	f.next()
	w.SocialStructure = f.fill(s.society) + " " + f.fill("Behind them, {group3} keeps its own counsel.")
	f.next()
	w.Culture = f.fill(s.culture) + " " + f.fill("Talk of {the} is never far away.")
	f.next()
	w.Geography = f.fill(s.geography) + " Places everyone knows: " + joinAnd(capAll(fl.places)) + "."
	f.next()
	w.VisualStyle = s.visual + " Palette: " + joinAnd(fl.colors) + "."
	w.History = f.fill("{Name} was founded long before anyone kept records. The turning points were {history} and, later, {history2}; since then {group} has written the official version, and everyone else the true one.")

	for _, c := range pickN(r, s.conflicts, 3) {
		f.next()
		w.Conflicts = append(w.Conflicts, f.fill(c))
	}
	f.next()
	w.Conflicts = append(w.Conflicts, f.fill("Nobody agrees about what to do about {the}, and {group} has only made it worse."))
	for _, a := range pickN(r, fl.activities, 6+r.IntN(3)) {
		w.CommonActivities = append(w.CommonActivities, capFirst(a))
	}
	f.next()
	w.CommonActivities = append(w.CommonActivities, f.fill("Arguing about {the} over {food}"))
	for _, st := range pickN(r, s.stories, 6+r.IntN(3)) {
		w.TypicalStories = append(w.TypicalStories, capFirst(st))
	}
	f.next()
	w.TypicalStories = append(w.TypicalStories, f.fill("A secret about {the} that {group} would rather keep"))
	return w
}

func capAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = capFirst(x)
	}
	return out
}

var moods = []string{"warm and wistful", "bright and adventurous", "quiet and mysterious", "cosy and lively", "dreamy and hopeful", "bittersweet and luminous"}

// subjectScene names what a world is built around, for its pictures: "an
// hourglass city", "a valley of beetles", "the archipelago".
func subjectScene(s subject) string {
	switch {
	case s.kind != "" && s.many:
		return withArticle(s.kind) + " of " + s.plural()
	case s.kind != "":
		return withArticle(s.noun) + " " + s.kind
	}
	return s.the()
}

// landscapeOf is the landscape of a setting in the words the painter knows.
func landscapeOf(set *setting) string {
	if b, ok := ideaWords.Biomes[set.id]; ok {
		return b
	}
	return "in open countryside"
}

// worldImagePrompts answers the world images step.
func worldImagePrompts(in content.WorldImagesInput, key string) content.WorldImagePrompts {
	fl := flavorOf(in.World)
	r := seed("world-images", fl.id, key)
	f := fl.filler(r)
	lights := []string{"low golden evening light", "soft early-morning light", "cool blue twilight with warm windows", "bright clear midday light"}
	style := fl.set.visual
	colors := joinAnd(fl.colors)
	// The painter chooses its scene and biome by the words of the prompt:
	// the header names the subject and the setting's landscape first.
	header := []string{
		f.fill("A wide panoramic view of {name}, " + subjectScene(fl.subj) + ", " + landscapeOf(fl.set) + "."),
		f.fill("In the foreground {sight}; beyond it {place} and {place2}, with " + fl.subj.the() + " in the distance."),
		"Lit by " + pick(r, lights) + ", with a strong horizon and depth in layers.",
		style,
		"Palette of " + colors + ".",
		"No text, letters or watermarks.",
	}
	// The emblem shows what the idea (or the world's name) names when it can
	// be drawn (an owl, a camel, a dragon), over the setting's own symbol.
	symbols := fl.set.symbols
	drawn := ""
	for _, k := range append([]string{fl.subj.noun, fl.subj.plural()}, append(slices.Clone(fl.keys), words(in.World.Name)...)...) {
		if drawn = symbolNamed(k); drawn != "" {
			break
		}
	}
	if drawn != "" {
		symbols = slices.DeleteFunc(slices.Clone(symbols), func(s string) bool { return strings.Contains(s, drawn) })
	}
	symbol := pick(r, symbols)
	switch k := fl.subj.noun; {
	case drawn != "" && symbol != "":
		symbol = "a stylised " + drawn + " over " + symbol
	case drawn != "":
		symbol = "a stylised " + drawn + " in a ring"
	case isLatin(k) && !strings.Contains(symbol, k):
		symbol = "a stylised " + k + " over " + symbol
	}
	icon := []string{
		"A simple round emblem for " + fl.name + ": " + symbol + ", centred on a plain background.",
		"Flat shapes and bold clean outlines in " + colors + ", legible at 64 pixels.",
		"No text or letters.",
	}
	return content.WorldImagePrompts{
		HeaderPrompt: strings.Join(header, " "),
		IconPrompt:   strings.Join(icon, " "),
		Mood:         pick(r, moods),
		ColorPalette: append([]string{}, fl.colors...),
	}
}
