// Exports log records to sawlog with the OpenTelemetry JS SDK and one of its OTLP/HTTP log
// exporters, as an instrumented application does. Used by tests/e2e/test_otlp.py.
//   node otlp_logs.mjs URL json|proto RUN_ID
// Prints one JSON line per record it emitted ({"body","time_ms","trace_id","span_id",...}) and
// exits 1 if the export failed.
import { context, trace, TraceFlags, SeverityNumber } from '@opentelemetry/api';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPLogExporter as JsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';

const [url, encoding, run] = process.argv.slice(2);
const Exporter = encoding === 'proto' ? ProtoExporter : JsonExporter;
const exporter = new Exporter({ url: `${url}/v1/logs` });
let failures = 0;
const export_ = exporter.export.bind(exporter);
exporter.export = (records, done) => export_(records, (result) => {
  if (result.code !== 0) {
    failures++;
    console.error(`export failed: ${result.error}`);
  }
  done(result);
});

const provider = new LoggerProvider({
  resource: resourceFromAttributes({ 'service.name': `shop-${encoding}`, 'service.version': '2.1.0', 'deployment.environment': 'e2e' }),
  processors: [new SimpleLogRecordProcessor({ exporter })],
});
const logger = provider.getLogger('checkout', '1.4.2');

const base = Date.UTC(2026, 10, 20, 12, 0, 0);
const records = [
  { severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: `order placed ${run}`, attributes: { 'order.id': 1001, 'user': { 'id': 'u-7', 'tier': 'gold' } } },
  { severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: `payment failed ${run}`, attributes: { 'http.status_code': 502, retry: true, tags: ['card', 'eu'] } },
  { severityNumber: SeverityNumber.WARN, severityText: 'WARN', body: { event: 'slow query', run, ms: 812.5 }, attributes: { 'db.system': 'postgresql' } },
];
const out = [];
records.forEach((r, i) => {
  const traceId = `5b8efff798038103d269b633813fc6${i}${encoding === 'proto' ? 'a' : 'b'}`;
  const spanId = `eee19b7ec3c1b17${i}`;
  const ctx = trace.setSpanContext(context.active(), { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: false });
  const time = base + i * 1000 + (encoding === 'proto' ? 0 : 500);
  logger.emit({ ...r, timestamp: time, context: ctx });
  out.push({ body: r.body, time_ms: time, trace_id: traceId, span_id: spanId, severity: r.severityText, severity_number: r.severityNumber });
});
await provider.forceFlush();
await provider.shutdown();
for (const o of out) console.log(JSON.stringify(o));
process.exit(failures === 0 ? 0 : 1);
