// Unit tests of the dashboard's view model (wwwroot/model.js and the pure parts of timeline.js), run with
// `node --test model.test.mjs`. The documents follow the JSON that Breakwater.Health writes for GET /api/status and
// GET /api/health/ready, and that the order API writes for GET /api/orders.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  normalizeOrders,
  normalizeReadiness,
  normalizeStatusDocument,
  parseDurationMs,
  parseMetrics,
} from '../../src/Breakwater.Dashboard/wwwroot/model.js';
import { toSegments } from '../../src/Breakwater.Dashboard/wwwroot/timeline.js';

const T0 = Date.parse('2026-12-04T15:00:00Z');
const iso = (offsetSeconds) => new Date(T0 + offsetSeconds * 1000).toISOString();

function statusDocument() {
  return {
    serviceId: 'breakwater-gateway',
    version: '0',
    releaseId: '0.1.0',
    status: 'unhealthy',
    ready: false,
    lifecycle: 'running',
    time: iso(600),
    startedAt: iso(0),
    uptimeSeconds: 600,
    openOrders: 3,
    dependencies: [
      {
        name: 'broker',
        critical: true,
        status: 'unhealthy',
        since: iso(540),
        probe: { status: 'unhealthy', latencyMs: 0.412, time: iso(599), output: 'The broker heartbeat failed.' },
        breaker: {
          state: 'open',
          retryAfterSeconds: 4.5,
          lastTransitionReason: 'failure ratio exceeded',
          lastTransitionTime: iso(545),
        },
        lastError: { message: 'Connection refused.', time: iso(599) },
        timeline: [
          { time: iso(0), status: 'healthy' },
          { time: iso(540), status: 'unhealthy' },
        ],
      },
      {
        name: 'database',
        critical: true,
        status: 'healthy',
        since: iso(0),
        probe: { status: 'healthy', latencyMs: 1.9, time: iso(599), output: null },
        breaker: { state: 'closed', retryAfterSeconds: null, lastTransitionReason: null, lastTransitionTime: null },
        lastError: null,
        timeline: [{ time: iso(0), status: 'healthy' }],
      },
    ],
    transitions: [
      { subject: 'service', from: 'healthy', to: 'unhealthy', reason: 'broker unhealthy', time: iso(540) },
      { subject: 'broker', from: 'healthy', to: 'unhealthy', reason: 'probe failed', time: iso(540) },
    ],
    timelineWindowSeconds: 3600,
  };
}

test('normalizeStatusDocument reads the overall status and open orders', () => {
  const model = normalizeStatusDocument(statusDocument(), 1000);

  assert.equal(model.overall, 'unhealthy');
  assert.equal(model.lifecycle, 'running');
  assert.equal(model.openOrders, 3);
});

test('normalizeStatusDocument reads a dependency with an open breaker', () => {
  const broker = normalizeStatusDocument(statusDocument(), 1000).dependencies[0];

  assert.equal(broker.name, 'broker');
  assert.equal(broker.status, 'unhealthy');
  assert.equal(broker.critical, true);
  assert.equal(broker.breaker.state, 'open');
  assert.equal(broker.breaker.retryAfterMs, 4500);
  assert.equal(broker.breaker.retryDeadline, 5500);
  assert.equal(broker.latencyMs, 0.412);
  assert.equal(broker.lastError, 'Connection refused.');
  assert.equal(broker.lastErrorAt, T0 + 599000);
  assert.equal(broker.since, T0 + 540000);
});

test('normalizeStatusDocument reads the per-dependency timeline', () => {
  const model = normalizeStatusDocument(statusDocument(), 1000);

  assert.deepEqual(model.timeline.get('broker'), [
    { at: T0, status: 'healthy' },
    { at: T0 + 540000, status: 'unhealthy' },
  ]);
});

test('normalizeStatusDocument sorts transitions newest first and keeps the subject', () => {
  const transitions = normalizeStatusDocument(statusDocument(), 1000).transitions;

  assert.equal(transitions.length, 2);
  assert.equal(transitions[0].to, 'unhealthy');
  assert.ok(transitions.some((transition) => transition.dependency === 'service'));
});

test('normalizeStatusDocument shows stopping whatever the health', () => {
  const document = { ...statusDocument(), status: 'healthy', lifecycle: 'stopping' };

  assert.equal(normalizeStatusDocument(document, 0).overall, 'stopping');
});

test('normalizeStatusDocument tolerates an empty document', () => {
  const model = normalizeStatusDocument({}, 0);

  assert.equal(model.overall, 'unknown');
  assert.deepEqual(model.dependencies, []);
  assert.equal(model.openOrders, null);
});

test('normalizeReadiness maps the health draft statuses', () => {
  const body = {
    status: 'warn',
    lifecycle: 'running',
    checks: { 'marketData:freshness': [{ componentId: 'marketData', status: 'fail', output: 'Quotes are stale.' }] },
  };

  const readiness = normalizeReadiness(body, 200);

  assert.equal(readiness.overall, 'degraded');
  assert.equal(readiness.ready, true);
  assert.deepEqual(readiness.checks, [{ name: 'marketData', status: 'unhealthy', output: 'Quotes are stale.' }]);
});

test('normalizeReadiness without a body falls back to the HTTP status', () => {
  assert.equal(normalizeReadiness(null, 503).overall, 'unhealthy');
  assert.equal(normalizeReadiness(null, 200).overall, 'healthy');
});

test('normalizeOrders splits open orders from fills', () => {
  const orders = normalizeOrders({
    orders: [
      { id: 1, symbol: 'AAPL', side: 'buy', quantity: 10, status: 'submitted', filledQuantity: 0, updatedAt: iso(1) },
      { id: 2, symbol: 'MSFT', side: 'sell', quantity: 5, status: 'filled', filledQuantity: 5, updatedAt: iso(3) },
      { id: 3, symbol: 'SPY', side: 'buy', quantity: 8, status: 'partiallyFilled', filledQuantity: 2, updatedAt: iso(2) },
      { id: 4, symbol: 'IBM', side: 'buy', quantity: 1, status: 'cancelled', filledQuantity: 0, updatedAt: iso(4) },
    ],
    nextCursor: null,
  });

  assert.deepEqual(orders.open.map((order) => order.id), ['3', '1']);
  assert.deepEqual(orders.fills.map((order) => order.id), ['2', '3']);
  assert.deepEqual(orders.byOutcome, { open: 2, filled: 1, cancelled: 1 });
});

test('parseDurationMs reads TimeSpan, ISO 8601 and numbers', () => {
  assert.equal(parseDurationMs('00:00:04.5000000'), 4500);
  assert.equal(parseDurationMs('1.00:00:01'), 86401000);
  assert.equal(parseDurationMs('PT1M30S'), 90000);
  assert.equal(parseDurationMs(2), 2000);
  assert.equal(parseDurationMs(250, 'ms'), 250);
  assert.equal(parseDurationMs('soon'), null);
});

test('parseMetrics sums the order and breaker counters by label', () => {
  const text = [
    '# TYPE breakwater_orders_total counter',
    'breakwater_orders_total{otel_scope_name="Breakwater",outcome="filled"} 3 1733324400000',
    'breakwater_orders_total{outcome="cancelled"} 2',
    'breakwater_breaker_rejections_total{breaker="broker"} 7',
    'breakwater_breaker_rejections_total{breaker="broker",otel_scope_version="1"} 1',
    'breakwater_breaker_state{breaker="broker"} 2',
  ].join('\n');

  const metrics = parseMetrics(text);

  assert.deepEqual(metrics.ordersByOutcome, { filled: 3, cancelled: 2 });
  assert.deepEqual(metrics.rejectionsByBreaker, { broker: 8 });
});

test('parseMetrics without the counters returns null members', () => {
  assert.deepEqual(parseMetrics('# nothing yet\n'), { ordersByOutcome: null, rejectionsByBreaker: null });
});

test('toSegments clips to the window', () => {
  const now = T0 + 60 * 60 * 1000;
  const points = [
    { at: T0 + 30 * 60 * 1000, status: 'healthy' },
    { at: T0 + 40 * 60 * 1000, status: 'unhealthy' },
    { at: T0 + 45 * 60 * 1000, status: 'healthy' },
  ];

  const segments = toSegments(points, now);

  assert.deepEqual(segments.map((segment) => segment.status), ['unknown', 'healthy', 'unhealthy', 'healthy']);
  assert.equal(segments[0].from, T0);
  assert.equal(segments[2].to - segments[2].from, 5 * 60 * 1000);
  assert.equal(segments[3].to, now);
});

test('toSegments keeps the status of a point before the window', () => {
  const now = T0 + 2 * 60 * 60 * 1000;

  const segments = toSegments([{ at: T0, status: 'degraded' }], now);

  assert.deepEqual(segments, [{ from: now - 60 * 60 * 1000, to: now, status: 'degraded' }]);
});
