package httpapi

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestOpenAPIMatchesTheRoutes holds the OpenAPI document to the routes the
// server really serves: every route is documented, every documented
// operation is routed, with the same path parameters, and a route with a
// rate limit documents its 429.
func TestOpenAPIMatchesTheRoutes(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name, In string
			} `json:"parameters"`
			Responses map[string]any `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	documented := map[string]bool{}
	limitDocumented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			key := strings.ToUpper(method) + " " + path
			documented[key] = true
			_, limitDocumented[key] = op.Responses["429"]
			if len(op.Responses) == 0 {
				t.Errorf("%s documents no response", key)
			}
			var params []string
			for _, p := range op.Parameters {
				if p.In == "path" {
					params = append(params, p.Name)
				}
			}
			var wild []string
			for _, m := range regexp.MustCompile(`\{([a-z_]+)\}`).FindAllStringSubmatch(path, -1) {
				wild = append(wild, m[1])
			}
			slices.Sort(params)
			slices.Sort(wild)
			if !slices.Equal(params, wild) {
				t.Errorf("%s documents path parameters %v, the path has %v", key, params, wild)
			}
		}
	}
	s := &Server{}
	routed := map[string]bool{}
	for _, rt := range s.routes() {
		key := rt.method + " " + rt.pattern
		routed[key] = true
		if !documented[key] {
			t.Errorf("route %s is not in openapi.json", key)
		}
		if rt.limit != "" && documented[key] && !limitDocumented[key] {
			t.Errorf("route %s is rate-limited (%s); openapi.json documents no 429", key, rt.limit)
		}
	}
	for key := range documented {
		if !routed[key] {
			t.Errorf("openapi.json documents %s, which is not routed", key)
		}
	}
	if len(routed) < 25 {
		t.Errorf("only %d routes", len(routed))
	}
}
