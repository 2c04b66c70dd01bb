// Package model holds the GraphQL-only types that gqlgen generates from
// schema.graphqls (connections, edges, aggregates), and the few written here.
package model

// Node is what the GraphQL Node interface binds to: any domain record that
// has a global id. The generated code picks the concrete type by type switch.
type Node any
