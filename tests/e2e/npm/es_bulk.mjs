// Sends documents to sawlog with the official Elasticsearch client's bulk helper, as a Node
// application does. Used by tests/e2e/test_es_clients.py.
//   node es_bulk.mjs URL INDEX COUNT
// Prints {"info": <GET / version>, "bulk": <the helper's stats>} and exits 1 on any failure.
import { Client } from '@elastic/elasticsearch';

const [url, index, count] = process.argv.slice(2);
const client = new Client({ node: url });
const info = await client.info();
const docs = [];
for (let i = 0; i < Number(count); i++)
  docs.push({ '@timestamp': new Date(Date.UTC(2026, 10, 21, 8, 0, i % 60, i)).toISOString(), message: `npm bulk doc ${i}`, n: i, http: { method: i % 2 ? 'GET' : 'POST' } });
const failed = [];
const stats = await client.helpers.bulk({
  datasource: docs,
  flushBytes: 4096,  // several bulk requests
  onDocument: () => ({ create: { _index: index } }),
  onDrop: (d) => failed.push(d),
});
console.log(JSON.stringify({ info: info.version.number, bulk: { total: stats.total, successful: stats.successful, failed: stats.failed }, dropped: failed.length }));
await client.close();
process.exit(stats.failed === 0 && failed.length === 0 ? 0 : 1);
