package pipeline

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// TestReplayRecordedHistories replays histories recorded on a real Temporal
// server (see recordHistory in internal/e2e). A change to the workflow that
// would break generations or lives already running fails here: guard such a change
// with workflow.GetVersion, then record new histories beside the old ones.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded histories in testdata (%v)", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(WorldGeneration, workflow.RegisterOptions{Name: WorkflowName})
			r.RegisterWorkflowWithOptions(WorldLife, workflow.RegisterOptions{Name: LifeWorkflowName})
			r.RegisterWorkflowWithOptions(ContentRecheck, workflow.RegisterOptions{Name: RecheckName})
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Fatalf("replaying %s: %v", f, err)
			}
		})
	}
}
