package stacks

import "github.com/switchboard-dev/switchboard/shared/contract/table"

// The store table's key schema, from the one definition (shared/contract/table) that
// shared/store's CreateTable also uses, so moto tests and production create the same
// table.
const (
	TablePartitionKey = table.PartitionKey
	TableTTLAttribute = table.TTLAttribute
)
