// Package engine runs one webhook call end to end: platform adapter → Turn → deadline
// budget → handler → Reply → adapter. It is the single code path behind `switchboard
// serve`, `switchboard invoke` and every Lambda function, so they answer identically.
package engine
