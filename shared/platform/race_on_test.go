//go:build race

package platform

// raceEnabled: under the race detector sync.Pool drops items at random, so allocation
// counts that rely on a pool are not checked.
const raceEnabled = true
