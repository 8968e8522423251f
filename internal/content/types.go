package content

// WorldDescription is the world's generated description (the seed's
// world_parameters).
type WorldDescription struct {
	Name             string   `json:"name" jsonschema:"the world's name, 1 to 6 words"`
	Language         string   `json:"language" jsonschema:"the language the person wrote their idea in, e.g. English or Russian; all text of the world is written in it"`
	DescriptionShort string   `json:"description_short" jsonschema:"one or two sentences that make someone want to visit"`
	Description      string   `json:"description" jsonschema:"three to six paragraphs describing the world"`
	Theme            string   `json:"theme" jsonschema:"the world's central theme in a few words"`
	TechnologyLevel  string   `json:"technology_level" jsonschema:"what technology exists and how people use it"`
	SocialStructure  string   `json:"social_structure" jsonschema:"who holds power, groups, classes and institutions"`
	Culture          string   `json:"culture" jsonschema:"customs, values, art, food, language quirks"`
	Geography        string   `json:"geography" jsonschema:"places, climate and landscape"`
	VisualStyle      string   `json:"visual_style" jsonschema:"how the world looks: palette, light, materials, style of images"`
	History          string   `json:"history" jsonschema:"the events that made the world what it is"`
	Conflicts        []string `json:"conflicts" jsonschema:"tensions and open conflicts, 2 to 6"`
	CommonActivities []string `json:"common_activities" jsonschema:"what people do day to day, 5 to 12"`
	TypicalStories   []string `json:"typical_stories" jsonschema:"kinds of stories that happen here, 5 to 12"`
}

// WorldImagePrompts are the prompts of the world's header and icon.
type WorldImagePrompts struct {
	HeaderPrompt string   `json:"header_prompt" jsonschema:"English prompt, 3 to 6 sentences, for a wide panoramic header image of the world: subject, style, mood, light, composition; no text in the image"`
	IconPrompt   string   `json:"icon_prompt" jsonschema:"English prompt, 2 to 4 sentences, for a square emblem or icon that stands for the world, simple and legible at small size; no text in the image"`
	Mood         string   `json:"mood" jsonschema:"the mood both images share"`
	ColorPalette []string `json:"color_palette" jsonschema:"3 to 6 colors both images share"`
}

// CastMember is one planned character.
type CastMember struct {
	Name      string   `json:"name" jsonschema:"the character's full name as people in the world would write it"`
	Concept   string   `json:"concept" jsonschema:"who they are and what drives them, 2 to 3 sentences"`
	Role      string   `json:"role" jsonschema:"their role or occupation in the world"`
	Traits    []string `json:"traits" jsonschema:"3 to 5 personality traits"`
	Interests []string `json:"interests" jsonschema:"3 to 5 interests"`
}

// Connection links two planned characters.
type Connection struct {
	From        string `json:"from" jsonschema:"name of one character"`
	To          string `json:"to" jsonschema:"name of the other character"`
	Kind        string `json:"kind" jsonschema:"kind of relationship, e.g. rivals, siblings, mentor and student"`
	Description string `json:"description" jsonschema:"one sentence about their relationship"`
}

// Story is an event that several characters live through together.
type Story struct {
	Title      string   `json:"title" jsonschema:"a short title"`
	Characters []string `json:"characters" jsonschema:"names of the characters it involves, exactly as in the cast"`
	Summary    string   `json:"summary" jsonschema:"what happens, 2 to 3 sentences"`
}

// CastPlan is one batch of planned characters.
type CastPlan struct {
	Characters    []CastMember `json:"characters" jsonschema:"exactly the number of characters asked for"`
	Connections   []Connection `json:"connections" jsonschema:"relationships among these characters and the earlier ones"`
	SharedStories []Story      `json:"shared_stories" jsonschema:"1 to 3 events that several characters live through together; their posts will tell them from each side"`
}

// Relationship is a character's tie to another character of the world.
type Relationship struct {
	Name        string `json:"name" jsonschema:"the other character's name, exactly as listed in the cast"`
	Kind        string `json:"kind" jsonschema:"kind of relationship"`
	Description string `json:"description" jsonschema:"one sentence, from this character's point of view"`
}

// CharacterDetail is a character's full profile.
type CharacterDetail struct {
	Username      string         `json:"username" jsonschema:"social network handle: lowercase latin letters, digits and underscores, 3 to 24 characters"`
	DisplayName   string         `json:"display_name" jsonschema:"name shown on the profile"`
	Bio           string         `json:"bio" jsonschema:"profile bio in the character's voice, at most 200 characters"`
	Personality   string         `json:"personality" jsonschema:"two or three sentences"`
	Appearance    string         `json:"appearance" jsonschema:"what they look like, complete enough to draw them"`
	Backstory     string         `json:"backstory" jsonschema:"one or two paragraphs"`
	SpeakingStyle string         `json:"speaking_style" jsonschema:"how they write posts: tone, vocabulary, emoji, punctuation"`
	Interests     []string       `json:"interests" jsonschema:"3 to 6 interests"`
	Topics        []string       `json:"topics" jsonschema:"3 to 6 things they post about"`
	Relationships []Relationship `json:"relationships" jsonschema:"their ties to other characters of the cast; only names from the cast"`
	DailyRoutine  string         `json:"daily_routine" jsonschema:"a typical day, two or three sentences"`
	Secret        string         `json:"secret" jsonschema:"something they keep to themselves"`
	AvatarPrompt  string         `json:"avatar_prompt" jsonschema:"English prompt, 3 to 5 sentences, for a square profile portrait consistent with the appearance and the world's visual style; no text in the image"`
}

// PostConcept is one planned post.
type PostConcept struct {
	Topic string `json:"topic" jsonschema:"what the post is about"`
	Brief string `json:"brief" jsonschema:"what happens or what is said, 1 to 2 sentences"`
	Tone  string `json:"tone" jsonschema:"emotional tone"`
	Kind  string `json:"kind" jsonschema:"kind of post, e.g. daily life, announcement, reflection, photo of a place"`
}

// PostPlan is one batch of a character's planned posts.
type PostPlan struct {
	Posts []PostConcept `json:"posts" jsonschema:"exactly the number of posts asked for, in the order they are posted"`
	Arc   string        `json:"arc" jsonschema:"the thread that runs through these posts, one sentence"`
}

// PostDetail is a post ready to publish.
type PostDetail struct {
	Caption     string   `json:"caption" jsonschema:"the post text in the character's voice, 1 to 5 sentences"`
	Hashtags    []string `json:"hashtags" jsonschema:"2 to 6 hashtags without the # sign"`
	ImagePrompt string   `json:"image_prompt" jsonschema:"English prompt, 3 to 6 sentences, for the post's image: subject, composition, light, style consistent with the world; no text in the image"`
	Mood        string   `json:"mood" jsonschema:"the post's mood"`
	Location    string   `json:"location" jsonschema:"where the post is made, a place of the world"`
	Mentions    []string `json:"mentions" jsonschema:"usernames of other characters mentioned in the caption, only from the list given; may be empty"`
}
