package zdtest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

type seedFile struct {
	Tickets []struct {
		Key            string    `json:"key"`
		RequesterEmail string    `json:"requester_email"`
		RequesterName  string    `json:"requester_name"`
		Subject        string    `json:"subject"`
		Description    string    `json:"description"`
		Status         string    `json:"status"`
		Priority       string    `json:"priority"`
		CreatedAt      time.Time `json:"created_at"`
	} `json:"tickets"`
	Articles []struct {
		ID    int64  `json:"id"`
		Slug  string `json:"slug"`
		Title string `json:"title"`
		Body  string `json:"body"`
	} `json:"articles"`
}

// seedPath is the demo backend's seed, read from the source tree so the stand-in and
// the demo can never drift apart.
func seedPath() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "demo", "seed.json")
}

func loadSeed() (seedFile, error) {
	var s seedFile
	raw, err := os.ReadFile(seedPath())
	if err != nil {
		return s, fmt.Errorf("zdtest: read demo seed: %w", err)
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return s, fmt.Errorf("zdtest: demo seed: %w", err)
	}
	return s, nil
}
