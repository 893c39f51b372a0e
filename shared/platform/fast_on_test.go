//go:build go1.27

package platform

const fastPathBuilt = true
