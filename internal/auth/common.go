package auth

import (
	_ "embed"
	"strings"
	"sync"
)

// commonPasswordList is the 10,000 most common passwords, most common
// first, one a line: the first 10,000 of the "passwords" frequency list
// that zxcvbn 4.4.2 ships (npm package zxcvbn, src/frequency_lists.coffee;
// MIT licence, © 2012-2016 Dan Wheeler and Dropbox, Inc.), drawn from
// leaked password sets. NIST SP 800-63B (5.1.1.2) asks that a new password
// be checked against such a list.
//
//go:embed common_passwords.txt
var commonPasswordList string

// commonPasswords is the list as a set, read once, lower case.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 10_000)
	for _, p := range strings.Split(commonPasswordList, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			set[strings.ToLower(p)] = struct{}{}
		}
	}
	return set
})

// CommonPassword reports whether password is one of the most common
// passwords, whatever its letters' case: the first that anyone guessing
// tries.
func CommonPassword(password string) bool {
	_, ok := commonPasswords()[strings.ToLower(password)]
	return ok
}
