// Package connectortest is the contract every connector implementation must meet,
// written once as a test suite: each connector package runs TestCustomerDirectory,
// TestHelpdesk, TestPayments or TestKnowledgeBase against its own tool's stand-in (or
// the embedded demo backend) with Fixtures describing that stand-in's data. It also
// defines AdaCustomer, the one customer every customer directory stand-in seeds, so
// "the same lookup returns the same struct" holds across tools.
package connectortest
