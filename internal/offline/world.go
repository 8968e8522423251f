package offline

import (
	"math/rand/v2"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/generia/generia/internal/content"
)

// flavor is what every step knows about a world: recomputed from the world
// description alone, so that the world step and every later step agree on
// the setting, the keywords, the places and the groups.
type flavor struct {
	name   string
	id     string // the world's identity, the root of every seed
	set    *setting
	keys   []string // keywords of the person's idea, lowercase
	places []string
	groups []string
	colors []string
}

func flavorOf(w content.WorldDescription) *flavor {
	fl := &flavor{name: w.Name, id: w.Name + "\x00" + w.DescriptionShort}
	exclude := makeSet(words(w.Name))
	fl.set = detectSetting(w.Theme + " " + w.DescriptionShort)
	// An offline theme reads "tide, harbour and city: life by the water";
	// the words before the colon are the person's.
	head, _, _ := strings.Cut(w.Theme, ":")
	firstSentence, _, _ := strings.Cut(w.DescriptionShort, ". ")
	fl.keys = keywords(head, nil)
	for _, k := range keywords(firstSentence, exclude) {
		if !slices.Contains(fl.keys, k) {
			fl.keys = append(fl.keys, k)
		}
	}
	fl.keys = stableDistinctFirst(fl.keys)
	if len(fl.keys) > 4 {
		fl.keys = fl.keys[:4]
	}
	if len(fl.keys) == 0 {
		fl.keys = []string{fl.set.triggers[0]}
	}
	if fl.name == "" {
		fl.name = "this world"
	}
	r := seed("flavor", fl.id)
	keyTitle := titleWord(fl.keys[0])
	for i, t := range shuffled(r, fl.set.placeTypes)[:6] {
		switch {
		case i == 1 && isLatin(fl.keys[0]) && !strings.Contains(strings.ToLower(t), fl.keys[0]):
			fl.places = append(fl.places, keyTitle+" "+t)
		case r.IntN(2) == 0:
			fl.places = append(fl.places, "the "+pick(r, fl.set.placeAdjs)+" "+t)
		default:
			fl.places = append(fl.places, "the "+t)
		}
	}
	for i, g := range shuffled(r, fl.set.groupTypes)[:3] {
		if i == 2 && isLatin(fl.keys[0]) && len(fl.keys) > 1 {
			g = titleWord(fl.keys[1]) + " " + g
		}
		fl.groups = append(fl.groups, "the "+g)
	}
	fl.colors = pickN(r, fl.set.colors, 4)
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
	f.list("key", fl.keys[:min(3, len(fl.keys))]...)
	f.list("festival", fl.set.festivals...)
	f.list("food", fl.set.foods...)
	f.list("object", fl.set.objects...)
	f.list("sight", fl.set.sights...)
	f.list("activity", fl.set.activities...)
	f.list("time", fl.set.timesOfDay...)
	f.list("history", fl.set.history...)
	f.list("interest", append(append([]string{}, fl.set.interests...), fl.keys[0]+" lore")...)
	return f
}

var nameSuffixes = []string{"well", "haven", "mere", "reach", "wick", "holm", "port", "fall", "stead", "moor", "ford", "gate"}
var inventedStarts = []string{"Ash", "Bel", "Cor", "Dun", "El", "Fen", "Gal", "Hal", "Iv", "Kes", "Lor", "Mar", "Nor", "Ost", "Pel", "Ros", "Sel", "Tam", "Ves", "Wyn"}

// worldName names a world after the strongest words of its idea.
func worldName(r *rand.Rand, kws []string, score map[string]int, set *setting) string {
	var place []string
	for _, k := range kws {
		if placeNouns[k] {
			place = append(place, k)
		}
	}
	// A word no setting knows names the world best, if it reads as a noun
	// ("the crossroads"); otherwise the strongest setting word does.
	var named []string
	for _, k := range stableDistinctFirst(kws) {
		if !placeNouns[k] && (triggerWords[k] || score[k] >= 3) {
			named = append(named, k)
		}
	}
	if len(named) == 0 {
		return pick(r, inventedStarts) + pick(r, nameSuffixes)
	}
	k := titleWord(named[0])
	if len(named) > 1 && r.IntN(3) == 0 {
		k = titleWord(named[1])
	}
	var options []string
	if utf8.RuneCountInString(k) <= 6 && !strings.Contains(k, "-") {
		options = append(options, k+pick(r, nameSuffixes))
	}
	for _, p := range place {
		if !strings.EqualFold(p, k) {
			options = append(options, k+" "+titleWord(p))
			break
		}
	}
	options = append(options, k+" "+pick(r, set.nameNouns))
	return pick(r, options)
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

func shortDescription(name, idea string, r *rand.Rand, set *setting) string {
	low := strings.ToLower(idea)
	var first string
	switch {
	case idea == "":
		first = name + " is a world of " + set.motif + "."
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

// worldDescription answers the world step.
func worldDescription(in content.WorldInput, key string) content.WorldDescription {
	r := seed("world", in.Prompt, in.Name, key)
	kws, score := rankWords(in.Prompt, nil)
	name := strings.TrimSpace(in.Name)
	if name == "" {
		name = worldName(r, kws, score, detectSetting(in.Prompt))
	}
	set := detectSetting(in.Prompt)
	themeWords := kws[:min(3, len(kws))]
	theme := set.motif
	if len(themeWords) > 0 {
		theme = joinAnd(themeWords) + ": " + set.motif
	}
	w := content.WorldDescription{
		Name:             name,
		Language:         "English",
		DescriptionShort: shortDescription(name, idea(in.Prompt), r, set),
		Theme:            theme,
	}
	fl := flavorOf(w)
	s := fl.set
	f := fl.filler(r)
	f.list("motif", s.motif)

	paras := []string{
		w.DescriptionShort + " " + f.fill(pick(r, []string{
			"It is a world of {motif}, where {sight} counts as an ordinary evening and {activity} counts as a career.",
			"Here, {motif} means {activity} in the morning, {food} at noon, and arguments about the {key} all day long.",
			"Ask anyone about {name} and they will talk about the {key} first and {food} second."})),
		f.fill(s.geography) + " " + f.fill("Between them lie {place3} and {place4}, where {activity} fills the days."),
		f.fill(s.society) + " " + f.fill(s.culture),
		f.fill("People still talk about {history}, and the old ones remember {history2} as if it were last week. The {key} runs through all of it, in songs, in grudges and in the names of streets."),
		f.fill("Today {name} is restless. ") + f.fill(pick(r, s.conflicts)) + " " + f.fill("Still, when {festival} comes round, everyone turns up, and for one night the quarrels can wait."),
	}
	f.next()
	w.Description = strings.Join(paras, "\n\n")
	w.TechnologyLevel = f.fill(s.tech)
	f.next()
	w.SocialStructure = f.fill(s.society) + " " + f.fill("Behind them, {group3} keeps its own counsel.")
	f.next()
	w.Culture = f.fill(s.culture) + " " + f.fill("Talk of the {key} is never far away.")
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
	w.Conflicts = append(w.Conflicts, f.fill("Nobody agrees about what to do with the {key}, and {group} has only made it worse."))
	for _, a := range pickN(r, s.activities, 6+r.IntN(3)) {
		w.CommonActivities = append(w.CommonActivities, capFirst(a))
	}
	f.next()
	w.CommonActivities = append(w.CommonActivities, f.fill("Arguing about the {key} over {food}"))
	for _, st := range pickN(r, s.stories, 6+r.IntN(3)) {
		w.TypicalStories = append(w.TypicalStories, capFirst(st))
	}
	f.next()
	w.TypicalStories = append(w.TypicalStories, f.fill("A secret about the {key} that {group} would rather keep"))
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

// worldImagePrompts answers the world images step.
func worldImagePrompts(in content.WorldImagesInput, key string) content.WorldImagePrompts {
	fl := flavorOf(in.World)
	r := seed("world-images", fl.id, key)
	f := fl.filler(r)
	lights := []string{"low golden evening light", "soft early-morning light", "cool blue twilight with warm windows", "bright clear midday light"}
	style := fl.set.visual
	colors := joinAnd(fl.colors)
	header := []string{
		f.fill("A wide panoramic view of {name}, a world of " + fl.set.motif + "."),
		f.fill("In the foreground {sight}; beyond it {place} and {place2}, with {sight2} in the distance."),
		"Lit by " + pick(r, lights) + ", with a strong horizon and depth in layers.",
		style,
		"Palette of " + colors + ".",
		"No text, letters or watermarks.",
	}
	// The emblem shows what the idea (or the world's name) names when it can
	// be drawn (an owl, a camel, a dragon), over the setting's own symbol.
	symbol := pick(r, fl.set.symbols)
	drawn := ""
	for _, k := range append(slices.Clone(fl.keys), words(in.World.Name)...) {
		if drawn = symbolNamed(k); drawn != "" {
			break
		}
	}
	switch k := fl.keys[0]; {
	case drawn != "" && !strings.Contains(symbol, drawn):
		symbol = "a stylised " + drawn + " over " + symbol
	case drawn == "" && isLatin(k) && !strings.Contains(symbol, k):
		symbol += " with a small stylised " + k
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
