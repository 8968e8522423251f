package offline

import "strings"

// culture is a bank of names that go together. A surname written
// "Volkov/Volkova" has a masculine and a feminine form.
type culture struct {
	female, male, surnames []string
}

var cultures = []culture{
	{ // English
		[]string{"Harriet", "Maisie", "Eleanor", "Poppy", "Imogen", "Rosalind", "Edith", "Clara"},
		[]string{"Alfie", "Rupert", "Oliver", "Theo", "Jasper", "Edmund", "Felix", "Hugo"},
		[]string{"Ashdown", "Whitlock", "Pennington", "Marsh", "Hale", "Fairweather", "Cobb", "Thorne", "Lyle", "Birch"},
	},
	{ // Irish and Scottish
		[]string{"Siobhan", "Aoife", "Niamh", "Ailsa", "Morag", "Orla", "Catriona", "Isla"},
		[]string{"Cormac", "Fergus", "Eoin", "Callum", "Ruairi", "Lachlan", "Declan", "Tadhg"},
		[]string{"McBride", "Gallagher", "Doyle", "Sinclair", "Fraser", "Kavanagh", "MacLeod", "Quinn", "Byrne", "Munro"},
	},
	{ // Nigerian
		[]string{"Adaeze", "Chiamaka", "Folake", "Ngozi", "Yetunde", "Ifeoma", "Temitope", "Amara"},
		[]string{"Chidi", "Emeka", "Tunde", "Babatunde", "Obinna", "Kayode", "Nnamdi", "Segun"},
		[]string{"Okafor", "Adeyemi", "Nwosu", "Balogun", "Eze", "Okonkwo", "Adebayo", "Obi", "Ogunleye", "Nnaji"},
	},
	{ // Japanese
		[]string{"Haruka", "Yui", "Aiko", "Sakura", "Mei", "Emiko", "Natsuki", "Rin"},
		[]string{"Haruto", "Kenji", "Daichi", "Ren", "Takumi", "Hiroshi", "Sora", "Kaito"},
		[]string{"Tanaka", "Watanabe", "Nakamura", "Kobayashi", "Mori", "Ishikawa", "Fujita", "Ogawa", "Sato", "Hayashi"},
	},
	{ // Chinese
		[]string{"Xiu", "Lan", "Yuxi", "Jing", "Ling", "Qing", "Hua", "Ying"},
		[]string{"Wei", "Jun", "Hao", "Lei", "Tao", "Zhen", "Bo", "Ming"},
		[]string{"Chen", "Wang", "Liu", "Zhao", "Huang", "Zhou", "Lin", "Xu", "Guo", "Tang"},
	},
	{ // Korean
		[]string{"Ji-woo", "Seo-yeon", "Min-ji", "Ha-eun", "Soo-ah", "Yuna", "Da-eun", "Eun-bi"},
		[]string{"Min-jun", "Ji-ho", "Seo-jun", "Hyun-woo", "Do-yun", "Tae-yang", "Jae-won", "Sung-min"},
		[]string{"Kim", "Park", "Choi", "Jung", "Kang", "Yoon", "Han", "Shin", "Lim", "Song"},
	},
	{ // Indian
		[]string{"Priya", "Ananya", "Kavya", "Meera", "Lakshmi", "Aditi", "Ishita", "Nandini"},
		[]string{"Arjun", "Rohan", "Vikram", "Aarav", "Sanjay", "Kabir", "Rahul", "Dev"},
		[]string{"Sharma", "Iyer", "Patel", "Reddy", "Menon", "Chatterjee", "Nair", "Kapoor", "Desai", "Rao"},
	},
	{ // Arabic
		[]string{"Layla", "Yasmin", "Noor", "Amira", "Salma", "Huda", "Rania", "Zainab"},
		[]string{"Omar", "Karim", "Tariq", "Yusuf", "Samir", "Khalid", "Hassan", "Idris"},
		[]string{"Haddad", "Nasser", "Khoury", "Mansour", "Saleh", "Farouk", "Aziz", "Hamdan", "Rahman", "Qasim"},
	},
	{ // Persian
		[]string{"Shirin", "Parisa", "Roya", "Nasrin", "Mahsa", "Azadeh", "Simin", "Golnar"},
		[]string{"Dariush", "Kian", "Babak", "Arash", "Cyrus", "Farhad", "Navid", "Omid"},
		[]string{"Tehrani", "Farahani", "Rostami", "Karimi", "Ahmadi", "Sadeghi", "Jafari", "Moradi"},
	},
	{ // Spanish and Latin American
		[]string{"Lucía", "Valentina", "Camila", "Rosario", "Ximena", "Paloma", "Inés", "Marisol"},
		[]string{"Mateo", "Joaquín", "Diego", "Rafael", "Santiago", "Emilio", "Tomás", "Alejandro"},
		[]string{"García", "Morales", "Herrera", "Castillo", "Vargas", "Navarro", "Ortega", "Fuentes", "Romero", "Delgado"},
	},
	{ // Portuguese and Brazilian
		[]string{"Beatriz", "Leonor", "Thaís", "Júlia", "Mariana", "Rafaela", "Luana", "Joana"},
		[]string{"João", "Thiago", "Rodrigo", "Caio", "Gonçalo", "Vinícius", "Bruno", "Duarte"},
		[]string{"Almeida", "Costa", "Ferreira", "Barbosa", "Carvalho", "Moreira", "Pinto", "Ribeiro", "Teixeira", "Lopes"},
	},
	{ // Russian
		[]string{"Anya", "Katya", "Olga", "Irina", "Darya", "Vera", "Milena", "Zoya"},
		[]string{"Dmitri", "Ivan", "Mikhail", "Pavel", "Lev", "Yuri", "Oleg", "Arkady"},
		[]string{"Volkov/Volkova", "Sokolov/Sokolova", "Orlov/Orlova", "Petrov/Petrova", "Belov/Belova", "Morozov/Morozova",
			"Kuznetsov/Kuznetsova", "Lebedev/Lebedeva", "Zaitsev/Zaitseva", "Novak"},
	},
	{ // Scandinavian
		[]string{"Astrid", "Ingrid", "Sigrid", "Freja", "Liv", "Solveig", "Maja", "Tove"},
		[]string{"Søren", "Magnus", "Anders", "Leif", "Bjørn", "Erik", "Nils", "Torvald"},
		[]string{"Lindqvist", "Halvorsen", "Dahl", "Berg", "Nyström", "Eriksen", "Holm", "Sandberg", "Aas", "Lund"},
	},
	{ // Italian
		[]string{"Giulia", "Chiara", "Francesca", "Serena", "Bianca", "Ornella", "Vittoria", "Allegra"},
		[]string{"Luca", "Marco", "Matteo", "Giacomo", "Lorenzo", "Enzo", "Dario", "Fabrizio"},
		[]string{"Rossi", "Bianchi", "Esposito", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti", "Moretti"},
	},
	{ // French
		[]string{"Camille", "Élodie", "Margaux", "Amélie", "Manon", "Solène", "Colette", "Juliette"},
		[]string{"Lucien", "Théo", "Mathis", "Gaspard", "Étienne", "Olivier", "Baptiste", "Rémi"},
		[]string{"Lefèvre", "Moreau", "Dubois", "Fontaine", "Rousseau", "Girard", "Chevalier", "Laurent", "Mercier", "Blanchard"},
	},
	{ // German
		[]string{"Greta", "Liesel", "Annika", "Friederike", "Hanna", "Ilse", "Marlene", "Johanna"},
		[]string{"Konrad", "Matthias", "Lukas", "Friedrich", "Jonas", "Wolfgang", "Tobias", "Anselm"},
		[]string{"Becker", "Schäfer", "Hoffmann", "Krüger", "Brandt", "Vogel", "Winter", "Richter", "Keller", "Engel"},
	},
	{ // Turkish
		[]string{"Elif", "Zeynep", "Defne", "Ayla", "Selin", "Esra", "Melis", "Nehir"},
		[]string{"Emre", "Kerem", "Murat", "Can", "Burak", "Orhan", "Tarık", "Volkan"},
		[]string{"Yılmaz", "Demir", "Şahin", "Aydın", "Öztürk", "Kaya", "Arslan", "Çelik", "Doğan", "Koç"},
	},
	{ // Vietnamese
		[]string{"Linh", "Thu", "Mai", "Hoa", "Ngọc", "Trang", "Vy", "Thao"},
		[]string{"Minh", "Huy", "Khoa", "Duc", "Bao", "Tuan", "Quang", "Long"},
		[]string{"Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu", "Dang", "Bui", "Do", "Ngo"},
	},
	{ // East African
		[]string{"Amani", "Zawadi", "Neema", "Imani", "Wanjiru", "Achieng", "Nia", "Halima"},
		[]string{"Baraka", "Jabari", "Juma", "Kamau", "Otieno", "Tendai", "Kofi", "Mosi"},
		[]string{"Mwangi", "Odhiambo", "Njoroge", "Wekesa", "Kariuki", "Mutua", "Omondi", "Kimani", "Wambua", "Chege"},
	},
	{ // Greek
		[]string{"Eleni", "Katerina", "Daphne", "Ioanna", "Thalia", "Chrysa", "Rhea", "Sofia"},
		[]string{"Nikos", "Yannis", "Stavros", "Kostas", "Andreas", "Dimitris", "Petros", "Alexios"},
		[]string{"Papadopoulos", "Nikolaidis", "Georgiou", "Vlachos", "Karras", "Stamatis", "Demetriou", "Galanis"},
	},
	{ // Polish
		[]string{"Agnieszka", "Zofia", "Małgorzata", "Kasia", "Wiktoria", "Jadwiga", "Ola", "Marta"},
		[]string{"Tomasz", "Piotr", "Kacper", "Wojciech", "Jakub", "Marek", "Bartek", "Krzysztof"},
		[]string{"Kowalski/Kowalska", "Nowak", "Wiśniewski/Wiśniewska", "Zieliński/Zielińska", "Mazur", "Krawczyk", "Kaczmarek", "Wójcik"},
	},
}

// genders maps a first name to 'f' or 'm'.
var genders = func() map[string]byte {
	m := make(map[string]byte)
	for _, c := range cultures {
		for _, n := range c.female {
			m[n] = 'f'
		}
		for _, n := range c.male {
			if _, ok := m[n]; !ok {
				m[n] = 'm'
			}
		}
	}
	return m
}()

// surname returns the form of a surname entry that fits the gender.
func surname(entry string, gender byte) string {
	m, f, ok := strings.Cut(entry, "/")
	if !ok || gender != 'f' {
		return m
	}
	return f
}

var traits = []string{"stubborn", "generous", "meticulous", "restless", "soft-spoken", "quick-witted", "suspicious", "loyal",
	"impatient", "dreamy", "pragmatic", "nosy", "proud", "tender-hearted", "sardonic", "fearless", "anxious", "cheerful",
	"secretive", "idealistic", "blunt", "patient", "mischievous", "methodical", "sentimental", "ambitious", "easily bored",
	"superstitious", "diplomatic", "competitive", "absent-minded", "gregarious", "stoic", "curious", "dramatic", "frugal",
	"romantic", "sceptical", "earnest", "theatrical"}

var genericInterests = []string{"old maps", "card games", "folk music", "cooking for crowds", "repairing old machines",
	"local gossip", "poetry", "night walks", "chess", "street food", "dancing", "astronomy", "carpentry", "tea",
	"long-distance running", "painting", "history", "photography", "riddles", "pickling", "kites", "ceramics",
	"collecting buttons", "bird calls", "crossword puzzles", "swimming", "embroidery", "fortune telling", "bread baking", "journaling"}

// drives complete "{subj} wants to …" in a cast concept.
var drives = []string{"prove that {place} deserves better", "earn a seat on {group}", "leave {name} one day, and {subj} hates how much {subj} wants it",
	"find out what really happened during {history}", "keep the family business alive", "be remembered for something kind",
	"win {festival} just once", "fix what {subj} broke years ago", "protect the people {subj} loves from {group}",
	"write down every story the old people tell", "make {food} famous beyond {name}", "be left alone, mostly",
	"pay back a debt nobody else knows about", "turn {place} into the heart of {name} again", "understand {the} better than anyone alive"}

// quirks are whole sentences about a character, with {Subj}/{poss} slots.
var quirks = []string{"{Subj} talks to {object} as if it could answer.", "{Subj} has never once been on time, and never once missed {festival}.",
	"{Subj} keeps a list of everyone who owes {obj} a favour.", "{Subj} collects stories about {the} the way others collect coins.",
	"{Subj} is known at {place} for terrible jokes and excellent {food}.", "{Subj} hums the same three notes when thinking.",
	"{Subj} carries {object} everywhere, for reasons {subj} won't explain.", "{Subj} argues with {group} in public and helps them in private.",
	"{Subj} remembers every face and forgets every name.", "{Subj} has opinions about {food} that have ended friendships."}

var secrets = []string{"{Subj} still has the key to {place} that everyone thinks was lost during {history}.",
	"{Subj} once informed on a friend to {group} and has never confessed it.", "{Subj} is quietly planning to leave {name} after {festival}.",
	"{Subj} cannot actually stand {food}, and has pretended otherwise for years.", "{Subj} writes anonymous letters to {group}, and they have started answering.",
	"{Subj} knows who was behind {history}, and it was family.", "{Subj} is secretly afraid of {the}, which is awkward given the job.",
	"{Subj} has been secretly taking lessons in {interest} from a rival.", "{Subj} found {object} that belongs to someone who is supposed to be dead.",
	"{Subj} borrowed money from {group2} and cannot pay it back."}

var hairs = []string{"short black hair", "a cloud of grey curls", "long braided hair", "cropped silver hair", "messy auburn hair",
	"a shaved head", "shoulder-length brown hair", "copper-red hair tied back", "blond hair in a loose bun", "thick dark locs",
	"black hair with a streak of white", "wavy chestnut hair"}

var skins = []string{"deep brown skin", "warm olive skin", "pale freckled skin", "light brown skin", "golden tan skin",
	"dark skin", "rosy fair skin", "bronze skin"}

var eyes = []string{"sharp grey eyes", "warm brown eyes", "green eyes", "dark, watchful eyes", "hazel eyes", "pale blue eyes"}

var marks = []string{"a crooked smile", "laugh lines around the eyes", "a small scar across one eyebrow", "ink-stained fingers",
	"a chipped front tooth", "a silver ring in one ear", "a nose broken once and never reset", "freckles across the nose",
	"calloused hands", "reading glasses pushed up into the hair"}

var builds = []string{"tall and wiry", "short and sturdy", "broad-shouldered", "slight and quick", "tall and stooped", "round and comfortable"}

// Relationship kinds. from and to are what each side calls the other in
// its profile; fromView and toView are how each side describes it.
type bond struct {
	kind             string
	from, to         string
	sentence         string
	fromView, toView []string
}

var bonds = []bond{
	{"old friends", "old friend", "old friend", "{a} and {b} have been friends since they were small, and still fight like it.",
		[]string{"{other} is the first person I'd call from a sinking boat, and the last I'd lend money to.", "{other} and I have known each other forever; we finish each other's complaints."},
		[]string{"{other} has known me longer than anyone and still laughs at my jokes.", "If {other} says it's a bad idea, it probably is. I do it anyway."}},
	{"rivals", "rival", "rival", "{a} and {b} compete over everything, from {interest} to who greets whom first.",
		[]string{"{other} is good, I'll admit it. Just never as good as me.", "Every win against {other} tastes better than any other."},
		[]string{"{other} keeps score. So do I, and I'm ahead.", "I'd never tell {other}, but the rivalry is the best part of my week."}},
	{"mentor and apprentice", "apprentice", "mentor", "{a} is teaching {b} the trade, mostly by shouting.",
		[]string{"{other} has the talent; now {other} needs the patience.", "Teaching {other} is the hardest and best thing I do."},
		[]string{"{other} taught me everything I know, and reminds me of it daily.", "I'll be as good as {other} one day. Maybe better."}},
	{"siblings", "sibling", "sibling", "{a} and {b} are siblings who agree on nothing except family.",
		[]string{"{other} is my sibling, my headache and my alibi.", "We grew up in one room, {other} and I, and it shows."},
		[]string{"{other} still thinks of me as the little one. Wrong.", "Family dinners with {other} are a sport."}},
	{"neighbours", "neighbour", "neighbour", "{a} and {b} share a wall, a garden and strong opinions about both.",
		[]string{"{other} lives next door and hears everything. Hello, {other}.", "{other} borrows my tools and returns them better."},
		[]string{"{other} is the best neighbour I've ever had, and the loudest.", "I know {other}'s schedule better than my own."}},
	{"business partners", "partner", "partner", "{a} and {b} run a small venture together and argue about the books.",
		[]string{"{other} handles the people; I handle everything else.", "Going into business with {other} was either genius or madness."},
		[]string{"{other} counts every coin twice. Someone has to.", "Without {other}, our little business would have sunk in a week."}},
	{"former sweethearts", "ex", "ex", "{a} and {b} were once engaged, and the whole of {name} still talks about it.",
		[]string{"{other} and I were nearly married. We are nearly friends now.", "I still save {other} a seat at {festival}. Habit."},
		[]string{"{other} broke my heart very politely.", "We ended it years ago, {other} and I, but I still check the window."}},
	{"cousins", "cousin", "cousin", "{a} and {b} are cousins who grew up in each other's kitchens.",
		[]string{"{other} is family, which means I'm obliged to complain about {other}.", "My cousin {other} knows all my secrets. Most of them."},
		[]string{"{other} taught me to swim by pushing me in.", "Cousin {other} is the only one who visits."}},
	{"co-workers", "colleague", "colleague", "{a} and {b} work the same long hours and cover for each other.",
		[]string{"{other} makes the long shifts bearable.", "I trust {other} with my tools and my lunch, in that order."},
		[]string{"{other} is the best colleague I've had, and the worst at making tea.", "If {other} is on shift, I can breathe."}},
	{"unlikely friends", "friend", "friend", "Nobody understands why {a} and {b} are friends, least of all the two of them.",
		[]string{"{other} and I have nothing in common except everything that matters.", "People stare when {other} and I walk in together. Good."},
		[]string{"{other} is the strangest friend I have, and the most loyal.", "We met over a broken {object}, {other} and I."}},
}

// A voice is a way of writing posts; its style is the character's
// SpeakingStyle, which is how the post step recognises it again.
type voice struct {
	id       string
	style    string
	openers  []string
	closers  []string
	emoji    []string
	lower    bool // writes everything in lowercase
	exclaim  bool // ends sentences with exclamation marks
	ellipsis bool // trails off instead of using full stops
	dropI    bool // drops "I" at the start of sentences
	sign     bool // signs with initials
	capsWord bool // shouts one word
	bioTag   []string
	// avoid are the traits this voice would belie: a soft-spoken
	// character does not write in exclamation marks.
	avoid []string
}

var voices = []voice{
	{id: "wry", style: "Dry and wry: short declarative sentences, understatement, the occasional parenthetical aside, no emoji.",
		openers: []string{"Update, for those keeping score:", "Nobody asked, but", "Well.", "A report from the front:", "Small victories:", "Today's entry.", "For the record, and against my better judgement:", "Brief dispatch.", "In today's news from my life:", "Mark the date."},
		closers: []string{"Anyway.", "Carry on.", "As you were.", "This is fine.", "(I'm fine.)", "Draw your own conclusions.", "Make of that what you will.", "Nothing to see here.", "I'll be in my room.", "No further questions."},
		bioTag:  []string{"Opinions my own, unfortunately.", "Mostly harmless.", "Here for the gossip."},
		avoid:   []string{"earnest", "idealistic", "sentimental", "cheerful", "gregarious", "dramatic"}},
	{id: "sunny", style: "Warm and excitable: exclamation marks, plenty of emoji, calls everyone friends and can't hide good news.",
		openers: []string{"Friends!!", "Okay, you have to hear this!", "Good morning, everyone!", "Guess what!", "Happy day, friends!", "Oh my goodness.", "Ahh, I can't keep this in!", "Pinch me, friends!", "Today, friends, today!", "Sunshine report!"},
		closers: []string{"Love you all!", "Best day ever, no contest!", "Come say hi!", "Sending hugs!", "Who's with me?", "Life is good!", "Hugs to every one of you!", "More good news soon, I promise!", "Smiling all day about this!", "Thank you, universe!"},
		emoji:   []string{"✨", "💛", "🎉", "🙌", "😄", "🌟", "🥳", "☀️"}, exclaim: true,
		bioTag: []string{"Always up for an adventure!", "Ask me anything!", "Collector of good days ✨"},
		avoid:  []string{"soft-spoken", "stoic", "sardonic", "secretive", "anxious", "sceptical", "suspicious", "methodical", "blunt", "frugal"}},
	{id: "lyrical", style: "Lyrical and quiet: writes entirely in lowercase, long flowing sentences full of light and weather, ellipses instead of full stops.",
		openers: []string{"some days are made of glass", "a small thing", "the light again", "i keep thinking", "listen", "slowly, then all at once", "the air was soft today", "a quiet hour", "in the grey before morning", "there was a moment"},
		closers: []string{"that's all", "remember this", "more soon", "goodnight, world", "and so it goes", "hold on to it", "still thinking of it", "the light is going now", "be gentle with yourselves", "until the next quiet hour"},
		lower:   true, ellipsis: true,
		bioTag: []string{"collecting small lights", "writing it down before it fades", "soft hours only"},
		avoid:  []string{"gregarious", "blunt", "theatrical", "dramatic", "competitive", "impatient", "cheerful", "pragmatic", "easily bored"}},
	{id: "formal", style: "Formal and precise: complete sentences, careful facts, no slang or emoji, signs every post with initials.",
		openers: []string{"For the record:", "A brief note.", "Allow me to report the following.", "Some observations.", "Notice to friends and colleagues:", "To whom it may concern.", "A short account.", "Permit me a few words.", "For those who asked:", "An update, as promised."},
		closers: []string{"Corrections are welcome.", "Thank you for reading.", "Further notes to follow.", "With regards.", "I remain at your service.", "Respectfully submitted.", "Questions may be sent to me directly.", "I trust this is of use.", "Kind regards to all.", "Yours faithfully."},
		sign:    true,
		bioTag:  []string{"Accuracy above all.", "Notes kept daily.", "Correspondence welcome."},
		avoid:   []string{"mischievous", "dreamy", "theatrical", "dramatic", "absent-minded", "easily bored", "gregarious", "impatient"}},
	{id: "grumpy", style: "Grumpy but lovable: complains first, admits the good part last, uses capitals for emphasis and the odd eye-roll emoji.",
		openers: []string{"Right.", "Honestly.", "Here we go again.", "I have thoughts.", "Not again.", "Who decided this?", "Well, that happened.", "Brace yourselves.", "Nobody listens, but here goes.", "I'm only saying this once."},
		closers: []string{"Fine. It was lovely. Don't tell anyone.", "That's my complaint for today.", "Grudgingly pleased.", "Back to work.", "I'll allow it.", "You may now ignore me.", "Don't make me say it twice.", "Now leave me alone.", "Enough from me.", "Right, where was I? Grumbling."},
		emoji:   []string{"🙄", "😤"}, capsWord: true,
		bioTag: []string{"Not a morning person.", "Complaints department.", "Yes, I'm always like this."},
		avoid:  []string{"cheerful", "gregarious", "diplomatic", "idealistic", "dreamy", "soft-spoken", "stoic", "secretive", "anxious", "patient", "romantic", "sentimental", "tender-hearted"}},
	{id: "precise", style: "Detail-obsessed: numbers, measurements and footnotes in brackets, corrects themselves mid-post, one emoji at most.",
		openers: []string{"Data point:", "Field notes, entry {num}.", "Quick tally:", "Observation log:", "Measured it:", "Logged at {num} past the hour.", "Update {num}:", "Measurement {num} of the season:", "Entry {num} in the notebook:", "Observation {num}, for the archive:"},
		closers: []string{"(Yes, I measured.)", "More data needed.", "Results to follow (probably).", "Margin of error: small.", "Noted for posterity.", "(Footnotes available on request.)", "(Rounded to the nearest half.)", "Sample size of one, but it still counts.", "Figures checked twice.", "Data attached (in my head)."},
		emoji:   []string{"📏", "📓", "🔭"},
		bioTag:  []string{"I keep notes. On everything.", "Numbers don't lie (people do).", "Footnotes enthusiast."},
		avoid:   []string{"absent-minded", "dreamy", "easily bored", "impatient", "romantic", "dramatic", "theatrical"}},
	{id: "neighbourly", style: "Neighbourly and kind: thanks people by name, asks followers questions, signs off with a heart.",
		openers: []string{"Hello, neighbours!", "A little thank-you first:", "Morning, all.", "Quick one from me today.", "Gather round, friends.", "Something lovely to share.", "Hi, everyone!", "Just popping in to say:", "A note from next door.", "Friends and neighbours,"},
		closers: []string{"What about you? ❤️", "Look after each other ❤️", "Tell me your stories below ❤️", "Thank you all ❤️", "See you around ❤️", "Doors always open ❤️", "Knock any time ❤️", "Hugs from next door ❤️", "Take care of yourselves ❤️", "Say hello if you pass ❤️"},
		bioTag:  []string{"Kettle's always on.", "Ask me for directions.", "Here to help ❤️"},
		avoid:   []string{"sardonic", "secretive", "suspicious", "blunt", "competitive", "impatient", "stoic"}},
	{id: "terse", style: "Terse and practical: sentence fragments, few words, drops 'I', a single emoji now and then.",
		openers: []string{"Quick one.", "Status:", "Long day.", "Noted.", "Report:", "Short version:", "Update.", "Brief:", "Today:", "Heads up."},
		closers: []string{"Done.", "Back tomorrow.", "That's it.", "Moving on.", "Enough said.", "Next.", "Signing off.", "Out.", "Good enough.", "Back to it."},
		emoji:   []string{"👍", "🔧", "☕"}, dropI: true,
		bioTag: []string{"Busy.", "Work first.", "Less talk."},
		avoid:  []string{"gregarious", "theatrical", "dramatic", "sentimental", "romantic", "dreamy", "diplomatic", "cheerful", "idealistic", "tender-hearted"}},
	{id: "storyteller", style: "A born storyteller: opens with 'So.' or a little scene, builds to a punchline, loves dashes and asides.",
		openers: []string{"So.", "Picture this —", "Let me tell you about today.", "It started, as these things do, with tea.", "Gather round —", "True story.", "Now, this one's good.", "You won't believe how today went.", "Settle in —", "Once upon a Tuesday —"},
		closers: []string{"— and that's the end of that.", "Moral of the story: none.", "— I'm still laughing.", "More next time, if I live.", "— you had to be there.", "The end. Or is it?", "— or so the story goes.", "— and I swear every word is true.", "Tune in for the sequel.", "— I'll tell the rest over a drink."},
		bioTag:  []string{"Every day is a story.", "Ask me about the time…", "Embellishing since birth."},
		avoid:   []string{"soft-spoken", "secretive", "stoic", "blunt", "frugal", "pragmatic"}},
	{id: "hype", style: "Big-energy self-promoter: announces everything, ALL-CAPS headlines, asks people to share and tag friends.",
		openers: []string{"BIG NEWS:", "HEADLINE:", "You are NOT ready for this.", "THIS IS NOT A DRILL:", "ANNOUNCEMENT TIME.", "STOP SCROLLING.", "HUGE UPDATE:", "LISTEN UP:", "ALL EYES HERE:", "BREAKING:"},
		closers: []string{"Share this with everyone!", "Tag a friend who needs this!", "Follow for more!", "You heard it here first.", "Spread the word!", "Don't miss out!", "Don't sleep on this!", "Bookmark this post!", "Turn on notifications!", "More coming, stay tuned!"},
		emoji:   []string{"🔥", "🚀", "💥", "📣"}, exclaim: true,
		bioTag: []string{"Follow for the good stuff 🔥", "Building something big.", "DMs open for collabs."},
		avoid:  []string{"soft-spoken", "stoic", "secretive", "frugal", "anxious", "patient", "sceptical", "methodical", "diplomatic", "shy"}},
}

// tones colour a post: the plan names one, the post step writes a line in
// it. Most lines name the post's own place, food or festival, so that two
// characters in one mood still write two different sentences.
var tones = map[string][]string{
	"joyful": {"Best part of my week, and {place} had a lot to do with it.", "I laughed so hard at {place} that strangers joined in.",
		"Some days {place} just gives you everything at once.", "Grinning like a fool all the way home from {place}.",
		"If you need me, I'll be celebrating with {food}.", "Saving this feeling for {festival}.", "Not even {group} could spoil this one."},
	"wry": {"Naturally, this is when {group} decided to hold a meeting.", "Everything went to plan at {place}, which should have worried me.",
		"I have learned nothing, and I'd do it again before {festival}.", "Nobody asked {the}, as usual.",
		"Ten out of ten, would queue at {place} again.", "{Food} helped, as {food} always does.", "Somewhere, {group} is taking notes."},
	"nostalgic": {"{Place} looked exactly like it did when I was small.", "My grandmother used to bring me here before {history}.",
		"Some things at {place} never change, and I love them for it.", "The smell of {food} takes me right back.",
		"I caught myself humming the song we used to sing at {festival}.", "Nobody makes {food} the way they did when I was young.",
		"I still remember {place} before {history}."},
	"anxious": {"I can't shake the feeling that something is off at {place}.", "Everyone says it's fine, and they said that before {history}, too.",
		"I checked the doors at {place} twice, then a third time.", "Not sleeping much until {festival} is over.",
		"If {group} knows more than they're saying, I'd like to hear it.", "Nobody at {place} will look me in the eye.",
		"Keeping one eye on {group} from now on."},
	"proud": {"Months of work at {place}, and worth every one of them.", "Not to brag, but nobody else at {place} could have done it.",
		"I stood at {place} for a long time, just looking at it.", "Years of {activity} led to this.",
		"If anyone from {group} is reading: told you so.", "Saving a slice of {food} to celebrate.", "I'm telling everyone at {festival} about this."},
	"tender": {"Small kindnesses keep {place} going.", "Someone left {food} on my doorstep, and I nearly cried.",
		"I wanted to remember {place} exactly as it was today.", "It was quiet at {place}, and it was enough.",
		"Holding on to this one until {festival}.", "Whoever lit the lamps at {place} tonight: thank you.",
		"There is a lot of love at {place} if you know where to look."},
	"indignant": {"I will be writing to {group} again.", "Who at {group} thought this was a good idea?",
		"I'm not angry, just disappointed in {group}.", "This is not how things are done at {place}.",
		"Someone has to say it to {group}, so I will.", "I expected better, even from {group}.", "{Group} owes {place} an explanation."},
	"curious": {"Has anyone else at {place} noticed this, or is it just me?", "I asked around {place} and got five different answers.",
		"There's a story at {place}, and I mean to find it.", "The old maps of {place} say something different.",
		"Now I have more questions about {place} than when I started.", "Does anyone remember what {group} said about this?",
		"Somebody at {festival} must know more."},
	"weary": {"My feet have filed a formal complaint about {place}.", "Home now, with {food}, and not moving until tomorrow.",
		"A long day at {place}: good, but long.", "Nobody warned me {activity} would take this long.",
		"Bed now, and {activity} again tomorrow.", "Somebody bring me {food} and a chair.", "Everything aches, even the parts that did nothing at {place}."},
	"hopeful": {"Maybe this is the start of something for {place}.", "I think things are turning around for {place}.",
		"For the first time since {history}, I'm excited about what's next.", "Fingers crossed for {festival}.",
		"Small steps at {place}, but they're steps.", "If {group} comes round, we might actually do this.", "Everything tastes better when things go right, even {food}."},
	"melancholy": {"{Place} remembers you long after you've forgotten it.", "There's always {the}, and somehow that helps.",
		"I miss the people who used to come to {place}.", "It's beautiful and sad at the same time, the way {festival} always is.",
		"Sat at {place} until the light went.", "Nobody has made {food} like that since {history}.", "The quiet after {festival} is the hardest part."},
	"mischievous": {"Don't tell {group}.", "I may have started something at {place}, oops.",
		"Plausible deniability is an art form, and {group} is my audience.", "Whoever moved the sign at {place}: it probably wasn't me.",
		"Let's just say the plan worked a little too well at {place}.", "If {group} asks, I was at {place2} all evening.",
		"Bringing {food} as a peace offering, just in case."},
	"awed": {"I've lived at {place} all my life and never seen it like this.", "I forgot to breathe for a second at {place}.",
		"No photo could do {place} justice, but here's mine.", "Everyone at {place} just stopped and looked.",
		"The whole of {place} went silent.", "Not even {festival} looks like this.", "I will be telling people about this until {festival}."},
	"determined": {"I'm not giving up on {arc}.", "One more try at {place} tomorrow, and the day after if I have to.",
		"They said it can't be done before {festival}; we'll see.", "Whatever {group} says, I'm seeing this through.",
		"Back at {place} first thing tomorrow.", "Nobody at {group} is going to stop me now.", "No rest until {festival}, and that's a promise."},
}

// postKind is a kind of post: topics and briefs fill the same slots, so a
// brief tells what the topic promises. Briefs are past-tense verb phrases
// without possessives, so "Mara {brief}" and "I {brief}" both read well.
type postKind struct {
	name   string
	pairs  [][2]string // topic, brief
	frames []string    // a line the post step may add, in first person
	shot   string      // how the image is framed
	self   bool        // the character usually appears in the image
}

var postKinds = []postKind{
	{name: "daily life", shot: "candid everyday photo", self: true,
		pairs: [][2]string{{"a morning of {activity}", "spent the whole morning {activity} and only stopped for {food}"},
			{"{activity} before the crowds", "got up before {time} for {activity} while {place} was still empty"},
			{"lunch at {place}", "had {food} at {place} and watched {sight}"},
			{"an ordinary day of {activity}", "spent an ordinary day {activity}, which turned out to be not so ordinary"}},
		frames: []string{"Just an ordinary day at {place}.", "The little routines of {place} are the point.", "Nothing special, and everything special."}},
	{name: "photo of a place", shot: "wide photograph",
		pairs: [][2]string{{"{place} at {time}", "walked out to {place} at {time} and caught {sight}"},
			{"the view from {place}", "climbed up to {place} for the view and found {sight}"},
			{"{sight}", "stood at {place} for an hour watching {sight}"}},
		frames: []string{"The photo doesn't do {place} justice.", "No filter needed at {time}.", "This is why I live near {place}."}},
	{name: "work", shot: "documentary photo of hands at work", self: true,
		pairs: [][2]string{{"a long shift as {arole}", "worked a double shift at {place} and still found time for {activity}"},
			{"{object} on the workbench", "spent the afternoon repairing {object} for a customer at {place}"},
			{"the hardest part of the job", "finally finished a job at {place} that took three days longer than promised"}},
		frames: []string{"Nobody sees this part of being {arole}.", "Proud of this one, whatever {group} says.", "Back to {activity} tomorrow."}},
	{name: "reflection", shot: "quiet, contemplative photo",
		pairs: [][2]string{{"what {interest} teaches", "sat by {place} and thought about {interest} for longer than planned"},
			{"living with {the}", "watched {the} for a long time from {place} and thought about how much of life here turns on {the}"},
			{"years since {history}", "talked with old neighbours about {history} until it got dark"}},
		frames: []string{"Thinking out loud here, over {food}.", "Bear with me; {place} makes me thoughtful.", "A longer thought today, from {place}."}},
	{name: "announcement", shot: "bright photo of a stall or poster-free event space",
		pairs: [][2]string{{"a stall at {festival}", "signed up to run a stall of {food} at {festival}"},
			{"a new {interest} circle", "started a small {interest} circle that meets at {place}"},
			{"an open evening at {place}", "organised an open evening at {place} for anyone who loves {interest}"}},
		frames: []string{"Everyone welcome, even {group}.", "Spread the word around {place}.", "Details in the comments, and {food} for the first ten."}},
	{name: "opinion", shot: "street photo with people in the background",
		pairs: [][2]string{{"{group} and its new rules", "read the latest notice from {group} twice and still could not believe it"},
			{"the price of {food}", "paid double for {food} at {place} and heard three theories about why"},
			{"what should happen to {place}", "went to a meeting about the future of {place} and left with a headache"}},
		frames: []string{"Unpopular opinion at {place}, maybe.", "Somebody had to say it before {festival}.", "Change my mind over {food}."}},
	{name: "people", shot: "warm photo of friends together", self: true,
		pairs: [][2]string{{"an afternoon with {friend}", "spent the afternoon with {friend} at {place}, talking about {interest}"},
			{"{friend} and {object}", "helped {friend} carry {object} across {place} and laughed the whole way"},
			{"dinner with {friend}", "cooked {food} for {friend} and burned only half of it"}},
		frames: []string{"Grateful for my people at {place}.", "Friends are the best part of {name}.", "We should do this more, before {festival} at least."}},
	{name: "recommendation", shot: "close-up photo",
		pairs: [][2]string{{"the best {food} in {name}", "found the best {food} in {name} at a tiny stall near {place}"},
			{"a hidden corner of {place}", "discovered a hidden corner of {place} that nobody ever talks about"},
			{"{object} from {place}", "bought {object} from a seller at {place} and can't stop recommending it"}},
		frames: []string{"Go to {place} and thank me later.", "Trust me on this one, and bring {food}.", "Tell them at {place} I sent you."}},
	{name: "question", shot: "casual photo",
		pairs: [][2]string{{"advice on {interest}", "ran out of ideas about {interest} and decided to ask everyone"},
			{"the mystery of {object}", "found {object} at {place} and had no idea who it belonged to"},
			{"where to watch {festival}", "tried to decide where to watch {festival} and gave up"}},
		frames: []string{"Answers welcome, here or at {place}.", "Help me out here before {festival}.", "Asking for a friend (me) at {place}."}},
	{name: "throwback", shot: "faded vintage photograph",
		pairs: [][2]string{{"{place}, years ago", "found an old photo of {place} from before {history}"},
			{"{festival} as it used to be", "dug out a faded ticket from {festival} and took it back to {place}, where it all happened"},
			{"a childhood spent {activity}", "remembered a childhood spent {activity} and went back to {place} to see it again"}},
		frames: []string{"Throwback to {place} in simpler times.", "How things change, even at {place}.", "Who else remembers {place} like this?"}},
	{name: "event", shot: "lively night photo of a crowd", self: true,
		pairs: [][2]string{{"the night of {festival}", "stayed out far too late at {festival} and danced near {place}"},
			{"the crowds at {place}", "squeezed through the crowds at {place} for {festival} and got {food} on the way"},
			{"{festival} preparations", "helped hang lanterns at {place} for {festival} until the early hours"}},
		frames: []string{"What a night at {place}.", "Still buzzing from {festival}.", "Best night of the year at {place}, surely."}},
	{name: "news", shot: "documentary photo",
		pairs: [][2]string{{"rumours about {group}", "heard a strange rumour about {group} at {place}"},
			{"strange goings-on at {place}", "noticed something odd at {place}: {sight}, at entirely the wrong time"},
			{"{the} acting up", "watched {the} act strangely all day and heard everyone arguing about it"}},
		frames: []string{"Keep your ears open around {place}.", "More when {group} says more.", "Stay safe out there, and stay away from {place2}."}},
}

// threadKind is the kind of the posts that move a character's arc along.
var threadKind = postKind{name: "thread update", shot: "story photo", self: true,
	frames: []string{"Day {num} of {arc}.", "The story of {arc} goes on.", "More on {arc} soon.", "Chapter {num}, if anyone is counting.", "Still {arc}, still hopeful about {festival}.", "Every step of {arc} leads back to {place}."}}

// stages move an arc from beginning to end: the topic suffix and the brief.
var arcStages = [][][2]string{
	{{"the first step", "took the first real step toward {arc}, with help from nobody"}, {"a plan", "drew up a plan for {arc} on the back of a receipt at {place}"},
		{"an idea", "decided, over {food}, that {arc} is actually going to happen"}},
	{{"a setback", "hit a wall with {arc} when {group} said no"}, {"bad news", "lost a week of work on {arc} to bad weather and worse luck"},
		{"doubts", "spent a sleepless night wondering whether {arc} was a mistake"}},
	{{"help arrives", "got unexpected help with {arc} from a stranger at {place}"}, {"a clue", "found a clue about {arc} hidden in {object}"},
		{"a new angle", "tried a completely different approach to {arc} and it half worked"}},
	{{"the breakthrough", "finally made the breakthrough on {arc} at {place}"}, {"so close", "came within a hair of finishing {arc}"},
		{"a turning point", "reached the turning point with {arc} while everyone else was at {festival}"}},
	{{"the aftermath", "looked back at the whole business of {arc} from {place}"}, {"what comes next", "started wondering what comes after {arc}"},
		{"a thank-you", "thanked everyone who helped with {arc} over {food}"}},
}

// routines are daily routines; {activity} and {place} come from the world.
var routines = []string{"Up before {time} for {activity}; work at {place} until the light changes; evenings with {food} and {interest}.",
	"Starts late, works late. Afternoons are for {activity}, nights for {interest}, and there is always a stop at {place}.",
	"Mornings at {place}, a long lunch of {food}, an afternoon of {activity}, and too much gossip before bed.",
	"First {activity}, then the real work; {interest} whenever there's an hour free; never misses the walk home past {place}."}

var backstoryOpeners = []string{"{char} was born above {place} and has never lived more than a street away from it.",
	"{char} arrived in {world} with one bag and a reputation {subj} has spent years outgrowing.",
	"{char} grew up among {group}, learning early that rules are mostly suggestions.",
	"{char} was raised by a grandmother who ran {place}, and who taught {obj} {interest} before reading.",
	"Nobody in {world} remembers {char} as a child; {subj} appeared the year of {history} and stayed."}

var backstoryMiddles = []string{"After {history}, {subj} took up work as {arole}, first out of need and then out of love.",
	"{Subj} trained as {arole} under a famously difficult teacher and left with the skills and none of the manners.",
	"For years {subj} drifted between jobs until becoming {arole} made sense of everything.",
	"{Subj} once tried to leave {world}, got as far as the edge of it, and came back the same week to become {arole}."}

var backstoryClosers = []string{"These days {subj} is a fixture at {place}, known for {trait} advice and {food}.",
	"{Subj} still keeps {object} from those years, and will tell the story behind it to anyone who asks twice.",
	"Lately {group} has been paying attention to {obj}, and {subj} has not decided whether that is good news.",
	"What {subj} wants now is simple: {drive}."}

var personalities = []string{"{Trait} and {trait2}, {char} is the first to notice when something is wrong and the last to admit it.",
	"{char} is {trait} in public and {trait2} in private; people who know {obj} well treasure both.",
	"{Trait} to a fault, {char} makes friends slowly and keeps them forever.",
	"People call {char} {trait}; {subj} prefers 'thorough'. Under it all, {subj} is deeply {trait2}."}

// bios are short; {role} and {place} come from the character.
var bios = []string{"{Role} at {place}. {Interest}, {interest2} and strong opinions.", "{Role}. {world} born and raised. Into {interest}.",
	"{Role} by day, {interest} by night. Usually at {place}.", "Professional {role}. Amateur {interest}. Full-time {world} local.",
	"{Role} • {interest} • {interest2}. Find me at {place}."}

// colourNames maps colour words to RGB; the text side names palettes with
// them and the image side paints the palettes a prompt names.
var colourNames = map[string][3]uint8{
	"sea-glass green": {0x8f, 0xc1, 0xb0}, "slate blue": {0x4a, 0x5d, 0x7e}, "weathered white": {0xe8, 0xe2, 0xd6},
	"rust orange": {0xb8, 0x5a, 0x2c}, "lantern gold": {0xf2, 0xb8, 0x48}, "deep space navy": {0x0d, 0x13, 0x2e},
	"hull grey": {0x7d, 0x84, 0x8c}, "console amber": {0xf5, 0xa6, 0x23}, "hydroponic green": {0x4c, 0xb0, 0x5a},
	"nebula violet": {0x7a, 0x4e, 0xc2}, "moss green": {0x5b, 0x7a, 0x3a}, "amber": {0xe8, 0x9f, 0x2e},
	"bark brown": {0x5c, 0x40, 0x2b}, "fern green": {0x4f, 0x9a, 0x4a}, "honey gold": {0xdd, 0xa8, 0x3c},
	"saffron yellow": {0xf4, 0xc4, 0x30}, "terracotta": {0xc4, 0x62, 0x3f}, "indigo": {0x2e, 0x2a, 0x6e},
	"sand beige": {0xe3, 0xc9, 0x9a}, "turquoise": {0x3c, 0xb8, 0xb0}, "glacier blue": {0x9c, 0xd3, 0xeb},
	"snow white": {0xf4, 0xf7, 0xfa}, "pine green": {0x1f, 0x4d, 0x3a}, "hearth orange": {0xe8, 0x6a, 0x2a},
	"slate grey": {0x5a, 0x63, 0x6e}, "neon pink": {0xff, 0x3c, 0xac}, "electric blue": {0x2e, 0x8b, 0xff},
	"asphalt grey": {0x3a, 0x3d, 0x44}, "sodium orange": {0xff, 0x9a, 0x3c}, "midnight purple": {0x2c, 0x16, 0x4a},
	"royal purple": {0x5b, 0x2a, 0x86}, "candle gold": {0xf3, 0xc6, 0x5f}, "midnight blue": {0x19, 0x1d, 0x4d},
	"emerald": {0x1f, 0x8a, 0x5b}, "parchment cream": {0xf1, 0xe4, 0xc3}, "sky blue": {0x7e, 0xc4, 0xf0},
	"brass gold": {0xc9, 0x9a, 0x3b}, "cloud white": {0xf5, 0xf5, 0xf2}, "copper": {0xb8, 0x73, 0x33},
	"sunset coral": {0xf2, 0x7a, 0x6b}, "butter yellow": {0xf7, 0xe0, 0x8b}, "sage green": {0xa3, 0xb5, 0x8c},
	"brick red": {0xa8, 0x3e, 0x32}, "cream": {0xf6, 0xec, 0xd4}, "river green": {0x4e, 0x7d, 0x68},
	"willow gold": {0xc9, 0xb2, 0x5c}, "mist white": {0xe4, 0xe8, 0xe6},
	// plain colour words, so hair, skin and other prompts paint too
	"black": {0x1c, 0x1a, 0x1a}, "grey": {0x8a, 0x8a, 0x8a}, "silver": {0xc4, 0xc8, 0xcc}, "white": {0xee, 0xee, 0xea},
	"auburn": {0x8a, 0x3b, 0x1f}, "brown": {0x5e, 0x3d, 0x26}, "chestnut": {0x7a, 0x45, 0x26}, "red": {0xb8, 0x3a, 0x2a},
	"blond": {0xe0, 0xc0, 0x7a}, "blue": {0x3a, 0x6e, 0xc0}, "green": {0x3f, 0x8f, 0x4f}, "gold": {0xe0, 0xb0, 0x40},
	"orange": {0xe8, 0x7a, 0x2e}, "purple": {0x6a, 0x3a, 0x9a}, "pink": {0xf0, 0x8a, 0xb0}, "yellow": {0xf0, 0xd0, 0x50},
}

// skinTones paint portraits from the words of an appearance.
var skinTones = map[string][3]uint8{
	"deep brown": {0x5a, 0x38, 0x25}, "warm olive": {0xb0, 0x8a, 0x5e}, "pale freckled": {0xf0, 0xd2, 0xbe},
	"light brown": {0xc0, 0x8f, 0x64}, "golden tan": {0xd4, 0xa0, 0x6a}, "dark": {0x45, 0x2c, 0x1e},
	"rosy fair": {0xf2, 0xc8, 0xb4}, "bronze": {0xa5, 0x6d, 0x42},
}
