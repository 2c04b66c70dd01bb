// Package portfolio holds the domain of the incubator portfolio: incubators,
// organisations, startups and their phases, members and their missions,
// investment committees; and the rules every answer follows (phase at a date,
// active, team at a date, time in phase, next committee due, review status,
// flows: DESIGN.md, "Semantics"), one function each (rules.go).
//
// It imports only the standard library. Storage, import, and the GraphQL
// API live in other packages that depend on this one, never the reverse.
package portfolio
