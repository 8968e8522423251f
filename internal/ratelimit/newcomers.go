package ratelimit

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Newcomer reports whether an account is held to newcomers' limits: in
// its first day, or limited by moderators.
type Newcomer func(ctx context.Context, account string) (bool, error)

// newcomerRules are the rules a newcomer's account is held to besides its
// own, by the name their setting gives them.
var newcomerRules = map[string]string{
	"worlds": Worlds, "lives": Life, "posts": Posts, "comments": Comments, "uploads": Uploads,
}

// newcomerRule is the rule of a newcomer's account for a rule that holds
// per account.
func newcomerRule(rule string) string { return rule + "-newcomer" }

// ParseNewcomerRates reads newcomers' rates, such as
// "worlds=2/24h,comments=20/24h": each named kind of write gets a rate of
// its own for a newcomer's account, held besides the account's rule.
func ParseNewcomerRates(s string) (map[string]Rate, error) {
	rates := map[string]Rate{}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		rule, ok := newcomerRules[strings.TrimSpace(name)]
		if !ok {
			return nil, fmt.Errorf("%q: want kind=n/period with a kind of %s", part, strings.Join(slices.Sorted(maps.Keys(newcomerRules)), ", "))
		}
		r, err := ParseRate(value)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		rates[rule] = r
	}
	return rates, nil
}

// SetNewcomers holds the accounts is reports to the rates (by rule, as
// ParseNewcomerRates gives them), besides their own limits.
func (l *Limits) SetNewcomers(is Newcomer, rates map[string]Rate) {
	l.newcomer = is
	for rule, r := range rates {
		l.rules[newcomerRule(rule)] = r
	}
}

// newcomerKey is the bucket a rule spends for a newcomer's account, if the
// account is a newcomer's and the rule has a newcomer's rate.
func (l *Limits) newcomerKey(ctx context.Context, rule, account string) ([2]string, bool, error) {
	if l.newcomer == nil || account == "" {
		return [2]string{}, false, nil
	}
	nr := newcomerRule(rule)
	if _, ok := l.rules[nr]; !ok {
		return [2]string{}, false, nil
	}
	is, err := l.newcomer(ctx, account)
	if err != nil || !is {
		return [2]string{}, false, err
	}
	return [2]string{nr, account}, true, nil
}
