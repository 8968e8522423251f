package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

func testSpend(t *testing.T, s generia.Store) {
	ctx := t.Context()
	newUser(t, s, "ann")
	newWorld(t, s, "w-ann1", func(w *generia.World, _ *generia.GenerationStatus) { w.OwnerID, w.Name = "u-ann", "Harbour" })
	newWorld(t, s, "w-ann2", func(w *generia.World, _ *generia.GenerationStatus) { w.OwnerID, w.Name = "u-ann", "Moor" })
	newWorld(t, s, "w-bob", func(w *generia.World, _ *generia.GenerationStatus) { w.OwnerID, w.Name = "u-bob", "Desert" }) // bob has no account
	newWorld(t, s, "w-cli", func(w *generia.World, _ *generia.GenerationStatus) { w.OwnerID, w.Name = "", "Orphan" })
	day := time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)
	calls := []struct {
		world string
		when  time.Time
		cost  float64
	}{
		{"w-ann1", day.Add(-time.Microsecond), 8}, // 13 March, before the period
		{"w-ann1", day, 0.5},                      // 14 March, its first moment
		{"w-ann2", day.Add(23*time.Hour + 59*time.Minute), 0.25},
		{"w-bob", day.Add(24*time.Hour - time.Microsecond), 1}, // 14 March, its last moment
		{"w-bob", day.Add(24 * time.Hour), 2},                  // 15 March
		{"w-cli", day.Add(36 * time.Hour), 4},
		{"w-ann1", day.Add(50 * time.Hour), 0}, // 16 March, free
	}
	for i, c := range calls {
		kind := generia.CallLLM
		if i%2 == 1 {
			kind = generia.CallImage
		}
		record(t, s, generia.ProviderCall{WorldID: c.world, Kind: kind, CostUSD: c.cost, Outcome: generia.OutcomeOK, CreatedAt: c.when})
	}
	byDay, err := s.SpendByDay(ctx, day)
	ok(t, err, "SpendByDay")
	same(t, "spend by day", byDay, []generia.DaySpend{
		{Day: "2025-03-14", CostUSD: 1.75, Calls: 3},
		{Day: "2025-03-15", CostUSD: 6, Calls: 2},
		{Day: "2025-03-16", CostUSD: 0, Calls: 1},
	})
	all, err := s.SpendByDay(ctx, time.Time{}.Add(time.Hour))
	ok(t, err, "SpendByDay since long ago")
	if len(all) != 4 || all[0].Day != "2025-03-13" || all[0].CostUSD != 8 {
		t.Errorf("spend since long ago = %+v; want 4 days from 13 March with 8", all)
	}

	accounts, err := s.TopAccounts(ctx, day, 10)
	ok(t, err, "TopAccounts")
	same(t, "top accounts", accounts, []generia.Spender{
		{ID: "u-bob", Name: "", CostUSD: 3, Calls: 2},
		{ID: "u-ann", Name: "ann", CostUSD: 0.75, Calls: 3},
	})
	worlds, err := s.TopWorlds(ctx, day, 2)
	ok(t, err, "TopWorlds")
	same(t, "top two worlds", worlds, []generia.Spender{
		{ID: "w-cli", Name: "Orphan", CostUSD: 4, Calls: 1},
		{ID: "w-bob", Name: "Desert", CostUSD: 3, Calls: 2},
	})
	worlds, err = s.TopWorlds(ctx, day, 10)
	ok(t, err, "TopWorlds")
	same(t, "every world that spent", ids(worlds, func(sp generia.Spender) string { return sp.ID }), []string{"w-cli", "w-bob", "w-ann1", "w-ann2"})
	none, err := s.TopWorlds(ctx, day.Add(72*time.Hour), 10)
	ok(t, err, "TopWorlds of a period without calls")
	if len(none) != 0 {
		t.Errorf("top worlds of a period without calls = %+v", none)
	}
	for _, n := range []int{0, -1} {
		_, err = s.TopAccounts(ctx, day, n)
		wantKind(t, err, generia.KindInvalid, fmt.Sprintf("TopAccounts(%d)", n))
		_, err = s.TopWorlds(ctx, day, n)
		wantKind(t, err, generia.KindInvalid, fmt.Sprintf("TopWorlds(%d)", n))
	}
}
