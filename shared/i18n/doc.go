// Package i18n holds the message catalogs every reply is written from, one JSON file
// per language under locales/ (the file name is the BCP 47 tag) merged with each
// intent's own catalogue (shared/intents/<name>/locales, registered with
// shared/intents/spec), and formats dates and
// amounts for the caller's locale. A locale without a catalog is answered in English,
// and the caller is told so (Printer.Fallback) to log and count it.
package i18n
