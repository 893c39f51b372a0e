package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat: 100 on every
// Linux architecture Go supports.
const clockTicks = 100

// cpuTime is the CPU time (user + system) a process has used so far.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces: count fields
	// after its closing parenthesis. utime and stime are fields 14 and 15.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("unexpected /proc/%d/stat", pid)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("unexpected /proc/%d/stat", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("unexpected /proc/%d/stat", pid)
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// serverCost runs load against a server process and returns the load's result and the
// server's CPU time per successful request: the work each request costs the server,
// whoever else (the load generator) shares the machine. Its inverse is the requests a
// core can serve.
func serverCost(pid int, load func() loadResult) (loadResult, time.Duration, error) {
	before, err := cpuTime(pid)
	if err != nil {
		return loadResult{}, 0, err
	}
	res := load()
	after, err := cpuTime(pid)
	if err != nil {
		return res, 0, err
	}
	if res.OK == 0 {
		return res, 0, fmt.Errorf("no successful request")
	}
	return res, (after - before) / time.Duration(res.OK), nil
}

// us prints a per-request CPU cost with a decimal: they are tens of microseconds.
func us(d time.Duration) string { return fmt.Sprintf("%.1f µs", float64(d)/float64(time.Microsecond)) }
