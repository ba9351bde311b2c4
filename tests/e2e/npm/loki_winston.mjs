// Sends log lines to sawlog's Loki push endpoint with winston and winston-loki, which pushes
// protobuf compressed with snappy. Used by tests/e2e/test_loki_push.py.
//   node loki_winston.mjs URL RUN_ID
// Prints {"content_type": <what the transport sent>, "sent": N}; exits 1 on a failed push.
import winston from 'winston';
import LokiTransport from 'winston-loki';

const [url, run] = process.argv.slice(2);
let failed = null;
const transport = new LokiTransport({
  host: url,
  json: false,  // protobuf + snappy, Promtail's encoding
  batching: true,
  replaceTimestamp: false,  // keep each line's own time
  interval: 60,  // no push before close(): the five lines go in one
  labels: { app: 'winston', run },
  format: winston.format.printf((info) => `${info.level}: ${info.message}`),
  onConnectionError: (err) => { failed = err; },
});
const logger = winston.createLogger({ transports: [transport] });
const base = Date.UTC(2026, 10, 22, 9, 30, 0);
for (let i = 0; i < 5; i++)
  logger.log({ level: i === 3 ? 'error' : 'info', message: `winston line ${i} of ${run}`, timestamp: new Date(base + i * 1000).toISOString() });
await transport.close();  // pushes the batch and waits for the answer
console.log(JSON.stringify({ content_type: transport.batcher.contentType, sent: 5 }));
process.exit(failed ? 1 : 0);
