package telemetry

import "time"

var testTime = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
