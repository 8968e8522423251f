package sqlite

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

// newBudgetWorld creates a world with a budget.
func newBudgetWorld(t *testing.T, s *Store, id string, budget float64) {
	t.Helper()
	w := generia.World{ID: id, Visibility: generia.VisibilityPublic, CreatedAt: time.Now()}
	st := generia.NewGenerationStatus(w, generia.NewPlan(2, 4))
	st.BudgetUSD = budget
	if err := s.CreateWorld(t.Context(), w, st); err != nil {
		t.Fatalf("CreateWorld: %v", err)
	}
}

// recordCall records an LLM call of a world.
func recordCall(t *testing.T, s *Store, worldID string, cost float64) {
	t.Helper()
	c := generia.ProviderCall{WorldID: worldID, Kind: generia.CallLLM, CostUSD: cost, Outcome: generia.OutcomeOK}
	if err := s.RecordCall(t.Context(), c); err != nil {
		t.Fatalf("RecordCall: %v", err)
	}
}

// Deleting a world deletes its ledger.
func TestDeleteWorldDeletesLedger(t *testing.T) {
	s := openTemp(t)
	newBudgetWorld(t, s, "w1", 0)
	recordCall(t, s, "w1", 0.5)
	recordCall(t, s, "w1", 0.25)
	if _, err := s.writer.ExecContext(t.Context(), `DELETE FROM worlds WHERE id = ?`, "w1"); err != nil {
		t.Fatalf("deleting the world: %v", err)
	}
	var n int
	if err := s.reader.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM provider_calls`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d provider calls left after deleting their world, want 0", n)
	}
}

// A database made by the first migration gains the ledger and the budget,
// and keeps its worlds and their costs.
func TestMigrateFromInitialSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "generia.db")
	db, err := sql.Open("sqlite", path+"?"+pragmas)
	if err != nil {
		t.Fatal(err)
	}
	initial, err := schema.Render("0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		initial,
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`,
		`INSERT INTO schema_migrations VALUES (1, 0)`,
		`INSERT INTO worlds (id, visibility, created_at, updated_at) VALUES ('w-old', 'public', 0, 0)`,
		`INSERT INTO generation_status (world_id, status, call_limit_llm, calls_llm, llm_cost_usd, created_at, updated_at)
			VALUES ('w-old', 'in_progress', 10, 2, 0.75, 0, 0)`,
		`INSERT INTO users (id, username, username_key, password_hash, created_at) VALUES ('u-old', 'Old', 'old', 'hash', 0)`,
		`INSERT INTO characters (id, world_id, username, created_at) VALUES ('c-old', 'w-old', 'old_char', 0)`,
		`INSERT INTO posts (id, world_id, character_id, hashtags, created_at) VALUES ('p-old', 'w-old', 'c-old', '["Harbour","old"]', 0)`,
	} {
		if _, err := db.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("building the old database: %v", err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	st, err := s.GenerationStatus(t.Context(), "w-old")
	if err != nil {
		t.Fatalf("GenerationStatus: %v", err)
	}
	if st.BudgetUSD != 0 || st.LLMCostUSD != 0.75 || st.CallsLLM != 2 {
		t.Errorf("budget, LLM cost, LLM calls = %v, %v, %d; want 0, 0.75, 2", st.BudgetUSD, st.LLMCostUSD, st.CallsLLM)
	}
	if err := s.ReserveCall(t.Context(), "w-old", generia.CallLLM); err != nil {
		t.Errorf("ReserveCall without a budget: %v", err)
	}
	recordCall(t, s, "w-old", 0.25)
	calls, err := s.ProviderCalls(t.Context(), "w-old")
	if err != nil || len(calls) != 1 {
		t.Errorf("ProviderCalls = %v, %v; want the one call recorded", calls, err)
	}

	// Old posts gain counts starting at zero, and take likes and comments.
	p, err := s.Post(t.Context(), "p-old", "u-old")
	if err != nil || p.LikesCount != 0 || p.CommentsCount != 0 || p.Liked || !p.IsAI {
		t.Errorf("old post = %+v, %v; want no likes or comments, by a generated character", p, err)
	}
	if n, err := s.Like(t.Context(), "p-old", "u-old", time.Now()); err != nil || n != 1 {
		t.Errorf("Like of an old post = %d, %v; want 1", n, err)
	}
	if _, err := s.AddComment(t.Context(), generia.Comment{ID: "m1", PostID: "p-old", UserID: "u-old", Text: "Still here."}); err != nil {
		t.Errorf("AddComment on an old post: %v", err)
	}
	posts, _, err := s.ListPosts(t.Context(), generia.PostFilter{CharacterID: "c-old", ViewerID: "u-old"}, generia.Page{})
	if err != nil || len(posts) != 1 || !posts[0].Liked || posts[0].LikesCount != 1 || posts[0].CommentsCount != 1 {
		t.Errorf("old character's posts = %+v, %v; want p-old, liked, with 1 like and 1 comment", posts, err)
	}
	// Old posts are found by their hashtags.
	posts, _, err = s.ListPosts(t.Context(), generia.PostFilter{WorldID: "w-old", Hashtag: "harbour"}, generia.Page{})
	if err != nil || len(posts) != 1 || posts[0].ID != "p-old" {
		t.Errorf("old posts tagged #harbour = %+v, %v; want p-old", posts, err)
	}
}

// The refusal says what the budget is, what was spent and what a call costs.
func TestBudgetMessage(t *testing.T) {
	s := openTemp(t)
	newBudgetWorld(t, s, "w1", 0.5)
	recordCall(t, s, "w1", 0.25)
	recordCall(t, s, "w1", 0.1875)
	err := s.ReserveCall(t.Context(), "w1", generia.CallLLM)
	want := "the world reached its budget of $0.50 (spent $0.4375; an LLM call costs about $0.2188)"
	if got := generia.ErrorMessage(err); got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}

// A world's ledger is read through its index, in order, without a sort.
func TestProviderCallsUseIndex(t *testing.T) {
	s := openRecording(t)
	newBudgetWorld(t, s, "w1", 0)
	recordCall(t, s, "w1", 0.5)
	recorded.take()
	if calls, err := s.ProviderCalls(t.Context(), "w1"); err != nil || len(calls) != 1 {
		t.Fatalf("ProviderCalls = %d calls, %v; want 1", len(calls), err)
	}
	sent := recorded.take()
	if len(sent) != 1 {
		t.Fatalf("ProviderCalls took %d statements, want 1", len(sent))
	}
	plan := queryPlan(t, s, sent[0])
	joined := strings.Join(plan, "; ")
	if !strings.Contains(joined, "provider_calls_world") || strings.Contains(joined, "TEMP B-TREE") {
		t.Errorf("the ledger query does not walk provider_calls_world: %v", plan)
	}
}
