import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * What the server counts for `GET /metrics`, in the Prometheus text format: connections and rooms
 * now, updates and their bytes so far, how long commits take, and the messages and connections
 * refused, by reason.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly connections = new Gauge({
    name: 'kura_connections',
    help: 'Open WebSocket connections.',
    registers: [this.registry],
  });
  readonly rooms = new Gauge({
    name: 'kura_rooms_loaded',
    help: 'Rooms held in memory.',
    registers: [this.registry],
  });
  readonly updates = new Counter({
    name: 'kura_updates_total',
    help: 'Document updates stored and relayed.',
    registers: [this.registry],
  });
  readonly updateBytes = new Counter({
    name: 'kura_update_bytes_total',
    help: 'Bytes of the document updates stored and relayed.',
    registers: [this.registry],
  });
  readonly commitSeconds = new Histogram({
    name: 'kura_commit_seconds',
    help: 'Time from receiving an update to its durable commit.',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  readonly refused = new Counter({
    name: 'kura_refused_total',
    help: 'Messages and connections refused, by reason.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  /** @returns The metrics in the Prometheus text format. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }
}
