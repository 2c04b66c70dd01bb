// Runs graphql-http's audit of the GraphQL-over-HTTP specification
// (auditServer) against the /graphql URL given as the first argument,
// prints every result, and exits 1 when an audit fails (a MUST: "error")
// or warns (a SHOULD: "warn"). A MAY the server does not do is a
// "notice": printed, not gating.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs http://host:port/graphql');
  process.exit(2);
}

const results = await auditServer({ url });
const count = { ok: 0, notice: 0, warn: 0, error: 0 };
for (const r of results) {
  count[r.status]++;
  console.log(`${r.status.padEnd(6)} ${r.id} ${r.name}`);
  if (r.status !== 'ok') {
    console.log(`       ${r.reason}`);
    const body = await r.response.text().catch(() => '');
    console.log(`       got ${r.response.status} ${r.response.headers.get('content-type') ?? ''}: ${body.trim().slice(0, 300)}`);
  }
}
console.log(`${results.length} audits: ${count.ok} ok, ${count.error} failures (MUST), ${count.warn} warnings (SHOULD), ${count.notice} notices (MAY)`);
process.exit(count.error + count.warn > 0 ? 1 : 0);
