package offline

// SamplePrompt is the idea of the sample world every new install shows,
// generated offline: chosen so that its first screen (the name, the short
// description, the first posts) reads well, which sample_test.go checks.
const SamplePrompt = "A city built on the shell of a sleeping sea turtle as big as an island, " +
	"where lamplighters and fishers wonder what will happen when the turtle wakes."
