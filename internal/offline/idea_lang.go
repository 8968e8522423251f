package offline

import (
	"strings"
	"unicode"
)

// Function words of the languages people most often write ideas in besides
// English. A prompt is read by them: which language's small words it uses.
var (
	englishWords = makeSet(strings.Fields(`the a an and of in on at where who which with by for to is are that every from their its
		into under over there this was has have all one city village world town`))
	otherWords = makeSet(strings.Fields(`der die das und ein eine einer einem einen dem den des ist nicht mit von zu auf für sich wo jede jeder
		jedes wird werden sind im am vom zum zur alle dorf stadt welt
		le la les un une des et est dans du où qui chaque avec pour sur sont aux au ville monde
		el los las una y es en del donde que cada con para por son al pueblo ciudad mundo
		il lo gli di che dove ogni per sono della nel città
		o os um uma do da em onde cada com são cidade
		het een van en waar elke met voor zijn`))
)

// ProbablyNotEnglish reports whether text, a person's idea for a world, is
// written in a language other than English: mostly in another script
// (Cyrillic, Greek, CJK…), or using the small words of German, French,
// Spanish, Italian, Portuguese or Dutch more than English ones. The offline
// writer writes English; a caller tells the person so.
func ProbablyNotEnglish(text string) bool {
	var latin, other int
	for _, r := range text {
		switch {
		case !unicode.IsLetter(r):
		case unicode.Is(unicode.Latin, r):
			latin++
		default:
			other++
		}
	}
	if other > latin {
		return true
	}
	var en, foreign, accented int
	for _, w := range words(text) {
		if englishWords[w] {
			en++
		}
		if otherWords[w] {
			foreign++
		}
		if strings.ContainsAny(w, "äöüßéèêàçñíóúãõ") {
			accented++
		}
	}
	return foreign > en || (en == 0 && accented > 0)
}

// LanguageNotice is what a person is told when their idea is not in English
// and the offline writer writes their world.
const LanguageNotice = "Your idea is not in English. The built-in offline writer writes worlds in English; " +
	"a connected model (OpenRouter) writes them in the language of the idea."
