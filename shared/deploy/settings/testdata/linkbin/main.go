// Command linkbin is an empty program that link_test.go builds with omit tags, as a
// bootstrap whose build settings settings.CheckBootstraps reads.
package main

func main() {}
