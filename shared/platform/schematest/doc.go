// Package schematest validates webhook responses against JSON Schemas of each chatbot
// platform's response format, derived from the platforms' own docs and protos and kept
// beside each adapter in shared/platform/<adapter>/testdata/response.schema.json.
// Tests of the adapters and the end-to-end golden tests call Validate on every
// successful (HTTP 200) response they produce.
package schematest
