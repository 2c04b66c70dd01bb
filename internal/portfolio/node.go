package portfolio

import (
	"context"
	"time"
)

// NodeRole says whether a server takes writes (Dataset.role).
type NodeRole string

// The roles of a server.
const (
	// NodePrimary takes writes: a lone server, or the primary that ships
	// its database to a replica store (serve --replicate-to).
	NodePrimary NodeRole = "PRIMARY"
	// NodeReplica serves reads from a copy that follows a store (portfolio
	// replica); it forwards mutations to the primary, or refuses them.
	NodeReplica NodeRole = "REPLICA"
)

// Node says which server answers a request and how current its records
// are (Query.dataset).
type Node struct {
	// Name is the server's name (serve --node, else the host name).
	Name string
	Role NodeRole
	// Position is the replica store's position of the records the node
	// holds, as Litestream writes transaction ids (16 hexadecimal digits);
	// "" when replication is off.
	Position string
	// AppliedAt is when a replica applied Position, or when a primary
	// shipped it to the store; zero when replication is off.
	AppliedAt time.Time
	// Generation is the replication generation the node's records carry
	// (1 for the first primary, one more at each promotion); 0 when
	// replication is off or none is known.
	Generation int64
}

type nodeKey struct{}

// WithNode returns a context whose NodeFrom calls node.
func WithNode(ctx context.Context, node func() Node) context.Context {
	return context.WithValue(ctx, nodeKey{}, node)
}

// NodeFrom returns the node answering the request of ctx; without one (a
// server built without it, a test), a primary with no name.
func NodeFrom(ctx context.Context) Node {
	if f, ok := ctx.Value(nodeKey{}).(func() Node); ok && f != nil {
		return f()
	}
	return Node{Role: NodePrimary}
}
