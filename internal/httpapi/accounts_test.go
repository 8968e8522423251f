package httpapi

import (
	"net/http"
	"testing"
)

// An API client that refreshes gets a new pair and the access token before
// stops working; signing out ends the sign-in; me answers as the account.
func TestSessionsThroughTheAPI(t *testing.T) {
	a := newAPI(t)
	var s struct {
		Token        string `json:"token"`
		RefreshToken string `json:"refresh_token"`
	}
	if code := a.call(t, "POST", "/api/v1/auth/login", `{"email_or_username":"ada","password":"correct horse battery"}`, &s); code != http.StatusOK || s.RefreshToken == "" {
		t.Fatalf("login: HTTP %d, %+v", code, s)
	}
	a.token = s.Token
	var me struct{ Username string }
	if code := a.call(t, "GET", "/api/v1/auth/me", "", &me); code != http.StatusOK || me.Username != "ada" {
		t.Fatalf("me: HTTP %d, %+v", code, me)
	}
	var next struct {
		Token        string `json:"token"`
		RefreshToken string `json:"refresh_token"`
	}
	if code := a.call(t, "POST", "/api/v1/auth/refresh", `{"refresh_token":"`+s.RefreshToken+`"}`, &next); code != http.StatusOK || next.RefreshToken == s.RefreshToken {
		t.Fatalf("refresh: HTTP %d, %+v", code, next)
	}
	if code := a.call(t, "GET", "/api/v1/auth/me", "", nil); code != http.StatusUnauthorized {
		t.Errorf("me with the access token before the refresh: HTTP %d, want 401", code)
	}
	a.token = next.Token
	if code := a.call(t, "POST", "/api/v1/auth/logout", `{"refresh_token":"`+next.RefreshToken+`"}`, nil); code != http.StatusNoContent {
		t.Fatalf("logout: HTTP %d", code)
	}
	if code := a.call(t, "GET", "/api/v1/auth/me", "", nil); code != http.StatusUnauthorized {
		t.Errorf("me after logout: HTTP %d, want 401", code)
	}
	if code := a.call(t, "POST", "/api/v1/auth/refresh", `{"refresh_token":"`+next.RefreshToken+`"}`, nil); code != http.StatusUnauthorized {
		t.Errorf("refresh after logout: HTTP %d, want 401", code)
	}
}

// A refusal of one field names it, so that a client puts the message
// beside it, whatever the message's wording.
func TestARefusedFieldIsNamed(t *testing.T) {
	a := newAPI(t)
	var body struct {
		Error struct{ Code, Message, Field string }
	}
	if code := a.call(t, "POST", "/api/v1/worlds", `{"prompt":"","characters_count":1,"posts_count":1}`, &body); code != http.StatusBadRequest || body.Error.Field != "prompt" {
		t.Errorf("a world without a prompt: HTTP %d, %+v; want 400 naming prompt", code, body.Error)
	}
	body.Error.Field = ""
	if code := a.call(t, "POST", "/api/v1/worlds/"+a.world+"/characters", `{"display_name":"Ada","bio":"","username":"x"}`, &body); code != http.StatusBadRequest || body.Error.Field != "username" {
		t.Errorf("a character with a one-letter username: HTTP %d, %+v; want 400 naming username", code, body.Error)
	}
}
