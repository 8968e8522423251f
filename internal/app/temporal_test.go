package app

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"

	sdklog "go.temporal.io/sdk/log"
)

// The Temporal SDK's lines about a world, like an activity's failed attempt,
// carry the same workflow_id and world_id as Generia's own.
func TestSDKLogsCarryWorldIDs(t *testing.T) {
	var buf bytes.Buffer
	h := worldAttrs{levelFilter{slog.NewJSONHandler(&buf, nil), slog.LevelWarn}}
	logger := sdklog.NewStructuredLogger(slog.New(h))

	logger.Info("dropped below warn")
	sdklog.With(logger, "WorkflowID", "world-generation-w1", "ActivityType", "Post").Error("Activity error.", "Attempt", 2)
	logger.Warn("no workflow", "WorkflowID", "someone-else")

	dec := json.NewDecoder(&buf)
	var lines []map[string]any
	for dec.More() {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, m)
	}
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2 (info is below the level): %v", len(lines), lines)
	}
	if l := lines[0]; l["workflow_id"] != "world-generation-w1" || l["world_id"] != "w1" || l["ActivityType"] != "Post" || l["WorkflowID"] != nil {
		t.Errorf("activity error line: %v", l)
	}
	if l := lines[1]; l["workflow_id"] != "someone-else" || l["world_id"] != nil {
		t.Errorf("a workflow that is not a world's: %v", l)
	}
}
