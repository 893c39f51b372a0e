// Package salesforce implements connector.CustomerDirectory over the Salesforce REST
// API: a SOQL query on Contact by email (with the Account's name and, optionally, plan
// and status fields through the Contact→Account relationship), following
// nextRecordsUrl until done, authenticated with the OAuth 2.0 client-credentials flow.
// Query records are mapped onto connector.Customer in one place (normalize.go); values
// put into SOQL are escaped in one place (soql.go).
package salesforce
