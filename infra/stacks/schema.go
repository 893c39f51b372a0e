package stacks

import "github.com/switchboard-dev/switchboard/shared/store"

// The store table's key schema, from the one definition shared/store's CreateTable
// also uses, so moto tests and production create the same table.
const (
	TablePartitionKey = store.PartitionKey
	TableTTLAttribute = store.TTLAttribute
)
