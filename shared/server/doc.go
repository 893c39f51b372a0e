// Package server is the HTTP face of the engine: the webhook routes of `switchboard
// serve` (and the same path→platform mapping the Lambda functions use behind API
// Gateway), body limits, compressed Rasa bodies, health endpoints and graceful
// shutdown.
package server
