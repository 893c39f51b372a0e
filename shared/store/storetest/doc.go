// Package storetest is the contract every store.Store backend passes: conditional
// create with the existing record returned, expiry checked in code, in-progress lock
// take-over, completion, deletion, cache puts, and concurrent creates of one key.
package storetest
