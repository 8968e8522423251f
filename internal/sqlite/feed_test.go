package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"maps"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

// recordingDriverName is the SQLite driver wrapped to record every statement
// sent to the database.
const recordingDriverName = "sqlite-recording"

var registerRecording sync.Once

// statement is one statement the store sent, with its arguments.
type statement struct {
	query string
	args  []any
}

// recorder keeps the statements sent through the recording driver.
type recorder struct {
	mu   sync.Mutex
	list []statement
}

// recorded is the statements of every store opened on the recording driver.
var recorded recorder

func (r *recorder) add(query string, args []driver.NamedValue) {
	s := statement{query: query}
	for _, a := range args {
		s.args = append(s.args, a.Value)
	}
	r.mu.Lock()
	r.list = append(r.list, s)
	r.mu.Unlock()
}

// take returns the statements recorded since the last take and forgets them.
func (r *recorder) take() []statement {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.list
	r.list = nil
	return out
}

type recordingDriver struct{ base driver.Driver }

func (d recordingDriver) Open(name string) (driver.Conn, error) {
	c, err := d.base.Open(name)
	if err != nil {
		return nil, err
	}
	return recordingConn{c}, nil
}

// recordingConn forwards to the SQLite connection, whose optional
// interfaces it must all pass on, and records the statements.
type recordingConn struct{ driver.Conn }

func (c recordingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	recorded.add(query, args)
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
}

func (c recordingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	recorded.add(query, args)
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
}

// PrepareContext prepares without recording: a prepared statement is
// recorded each time it runs.
func (c recordingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return recordingStmt{Stmt: st, query: query}, nil
}

// recordingStmt records each run of a prepared statement.
type recordingStmt struct {
	driver.Stmt
	query string
}

func (s recordingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	recorded.add(s.query, args)
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}

func (s recordingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	recorded.add(s.query, args)
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (c recordingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c recordingConn) Ping(ctx context.Context) error { return c.Conn.(driver.Pinger).Ping(ctx) }

func (c recordingConn) ResetSession(ctx context.Context) error {
	return c.Conn.(driver.SessionResetter).ResetSession(ctx)
}

func (c recordingConn) IsValid() bool { return c.Conn.(driver.Validator).IsValid() }

// openRecording opens a store on a temporary file through the recording
// driver.
func openRecording(t *testing.T) *Store {
	t.Helper()
	registerRecording.Do(func() {
		db, err := sql.Open("sqlite", ":memory:")
		if err != nil {
			t.Fatal(err)
		}
		sql.Register(recordingDriverName, recordingDriver{db.Driver()})
		db.Close()
	})
	s, err := open(t.Context(), recordingDriverName, filepath.Join(t.TempDir(), "generia.db"))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// queryPlan returns the details of a statement's query plan.
func queryPlan(t *testing.T, s *Store, st statement) []string {
	t.Helper()
	rows, err := s.reader.QueryContext(t.Context(), `EXPLAIN QUERY PLAN `+st.query, st.args...)
	if err != nil {
		t.Fatalf("EXPLAIN QUERY PLAN: %v", err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}

// seedLikedFeed creates a world with two characters, 30 posts (every
// timestamp shared by three), users, and likes and comments on some posts.
func seedLikedFeed(t *testing.T, s *Store) {
	t.Helper()
	ctx := t.Context()
	w := generia.World{ID: "w1", Visibility: generia.VisibilityPublic, CreatedAt: time.Now()}
	if err := s.CreateWorld(ctx, w, generia.NewGenerationStatus(w, generia.NewPlan(2, 30))); err != nil {
		t.Fatalf("CreateWorld: %v", err)
	}
	for i := range 3 {
		u := generia.User{ID: fmt.Sprintf("u%d", i), Username: fmt.Sprintf("user%d", i)}
		if _, err := s.CreateUser(ctx, u, "hash"); err != nil {
			t.Fatalf("CreateUser: %v", err)
		}
	}
	for i := range 2 {
		c := generia.Character{ID: fmt.Sprintf("c%d", i), WorldID: "w1", Username: fmt.Sprintf("char%d", i)}
		if _, _, err := s.CreateCharacter(ctx, c); err != nil {
			t.Fatalf("CreateCharacter: %v", err)
		}
	}
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 30 {
		p := generia.Post{ID: fmt.Sprintf("p%02d", i), WorldID: "w1", CharacterID: fmt.Sprintf("c%d", i%2),
			CreatedAt: base.Add(time.Duration(i/3) * time.Minute)}
		if _, _, err := s.CreatePost(ctx, p); err != nil {
			t.Fatalf("CreatePost: %v", err)
		}
		for u := range i % 4 {
			if _, err := s.Like(ctx, p.ID, fmt.Sprintf("u%d", u), base); err != nil {
				t.Fatalf("Like: %v", err)
			}
		}
		if i%5 == 0 {
			for u := range 2 {
				c := generia.Comment{ID: fmt.Sprintf("m%s-%d", p.ID, u), PostID: p.ID, UserID: fmt.Sprintf("u%d", u), Text: "Nice."}
				if _, err := s.AddComment(ctx, c); err != nil {
					t.Fatalf("AddComment: %v", err)
				}
			}
		}
	}
}

// A page of posts with the viewer's likes, counts and authors is one
// statement, whatever the page size, and it walks an index in feed order:
// no sort, no scan of the likes, no query per post.
func TestListPostsIsOneIndexedStatement(t *testing.T) {
	s := openRecording(t)
	seedLikedFeed(t, s)
	cases := []struct {
		name   string
		filter generia.PostFilter
		index  string
	}{
		{"world feed", generia.PostFilter{WorldID: "w1", ViewerID: "u1"}, "posts_feed"},
		{"character's posts", generia.PostFilter{CharacterID: "c1", ViewerID: "u1"}, "posts_character_feed"},
		{"character's posts in a world", generia.PostFilter{WorldID: "w1", CharacterID: "c1", ViewerID: "u1"}, "posts_character_feed"},
		{"visitor", generia.PostFilter{WorldID: "w1"}, "posts_feed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cursor := ""
			for page := 1; ; page++ {
				recorded.take()
				posts, next, err := s.ListPosts(t.Context(), tc.filter, generia.Page{Limit: 4, Cursor: cursor})
				if err != nil {
					t.Fatalf("ListPosts: %v", err)
				}
				sent := recorded.take()
				if len(sent) != 1 {
					t.Fatalf("page %d of %d posts took %d statements, want 1", page, len(posts), len(sent))
				}
				plan := queryPlan(t, s, sent[0])
				joined := strings.Join(plan, "; ")
				if !strings.Contains(joined, tc.index) {
					t.Errorf("page %d does not use %s: %v", page, tc.index, plan)
				}
				if strings.Contains(joined, "TEMP B-TREE") {
					t.Errorf("page %d sorts: %v", page, plan)
				}
				if strings.Contains(joined, "SCAN l") || strings.Contains(joined, "SCAN c") {
					t.Errorf("page %d scans a table: %v", page, plan)
				}
				if next == "" {
					break
				}
				cursor = next
			}
		})
	}
	t.Run("post", func(t *testing.T) {
		recorded.take()
		p, err := s.Post(t.Context(), "p03", "u1")
		if err != nil {
			t.Fatalf("Post: %v", err)
		}
		if !p.Liked || p.LikesCount != 3 {
			t.Errorf("liked, likes = %v, %d; want true, 3", p.Liked, p.LikesCount)
		}
		if sent := recorded.take(); len(sent) != 1 {
			t.Errorf("Post took %d statements, want 1", len(sent))
		}
	})
}

// The social lists walk their indexes in order.
func TestSocialListsUseIndexes(t *testing.T) {
	s := openRecording(t)
	seedLikedFeed(t, s)
	cases := []struct {
		name  string
		list  func(page generia.Page) (string, error)
		index string
	}{
		{"likes", func(p generia.Page) (string, error) {
			_, next, err := s.ListLikes(t.Context(), "p03", p)
			return next, err
		}, "likes_newest"},
		{"comments", func(p generia.Page) (string, error) {
			_, next, err := s.ListComments(t.Context(), "p05", p)
			return next, err
		}, "comments_post"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			recorded.take()
			next, err := tc.list(generia.Page{Limit: 1})
			if err != nil || next == "" {
				t.Fatalf("first page: next %q, %v; want a next page", next, err)
			}
			recorded.take()
			if _, err := tc.list(generia.Page{Limit: 1, Cursor: next}); err != nil {
				t.Fatalf("second page: %v", err)
			}
			sent := recorded.take()
			if len(sent) != 1 {
				t.Fatalf("a page took %d statements, want 1", len(sent))
			}
			joined := strings.Join(queryPlan(t, s, sent[0]), "; ")
			if !strings.Contains(joined, tc.index) || strings.Contains(joined, "TEMP B-TREE") {
				t.Errorf("the query does not walk %s: %s", tc.index, joined)
			}
		})
	}
}

// A viewer's likes among a page are one statement of primary-key lookups,
// one per post, whatever the number of the viewer's likes.
func TestLikedPostsLooksUpEachPost(t *testing.T) {
	s := openRecording(t)
	seedLikedFeed(t, s)
	recorded.take()
	liked, err := s.LikedPosts(t.Context(), "u1", []string{"p01", "p02", "p03", "p04"})
	if err != nil {
		t.Fatal(err)
	}
	sent := recorded.take()
	if len(sent) != 1 {
		t.Fatalf("LikedPosts took %d statements, want 1", len(sent))
	}
	plan := queryPlan(t, s, sent[0])
	if len(plan) != 2 || !strings.Contains(plan[0], "SCAN j") || !strings.Contains(plan[1], "SEARCH l USING COVERING INDEX sqlite_autoindex_likes_1 (post_id=? AND who=?)") {
		t.Errorf("the likes are not looked up by post: %q", plan)
	}
	want := map[string]bool{}
	for _, p := range []string{"p01", "p02", "p03", "p04"} {
		if n, _ := strconv.Atoi(p[1:]); n%4 >= 2 { // seedLikedFeed: post i is liked by u0 … u(i%4-1)
			want[p] = true
		}
	}
	if !maps.Equal(liked, want) {
		t.Errorf("u1 likes %v, want %v", liked, want)
	}
}
