// Turns the gateway's JSON documents into the plain view model that the page renders. The functions accept the
// spellings that ASP.NET Core produces for the health types (camelCase names, enum text, TimeSpan as "hh:mm:ss"),
// and they never throw on a missing field: a field the gateway does not send shows as "not reported".

export const HOUR_MS = 60 * 60 * 1000;

const STATUS_ALIASES = new Map([
  ['healthy', 'healthy'], ['pass', 'healthy'], ['ok', 'healthy'], ['up', 'healthy'],
  ['degraded', 'degraded'], ['warn', 'degraded'],
  ['unhealthy', 'unhealthy'], ['fail', 'unhealthy'], ['down', 'unhealthy'],
  ['stopping', 'stopping'],
]);

/** Maps any status word of the gateway to healthy, degraded, unhealthy, stopping or unknown. */
export function normalizeStatus(value) {
  if (typeof value !== 'string') {
    return 'unknown';
  }

  return STATUS_ALIASES.get(value.toLowerCase()) || 'unknown';
}

/** Maps a breaker state to closed, open, halfOpen, isolated, disabled or unknown. */
export function normalizeBreakerState(value) {
  if (typeof value !== 'string') {
    return 'unknown';
  }

  const compact = value.replace(/[-_\s]/g, '').toLowerCase();
  const known = { closed: 'closed', open: 'open', halfopen: 'halfOpen', isolated: 'isolated', disabled: 'disabled' };
  return known[compact] || 'unknown';
}

/**
 * Parses a duration into milliseconds: a number (seconds, or milliseconds when `unit` is 'ms'), a .NET TimeSpan
 * string such as "00:00:04.5000000" or "1.02:00:00", or an ISO 8601 duration such as "PT4.5S". Returns null when
 * the value is not a duration.
 */
export function parseDurationMs(value, unit = 's') {
  if (typeof value === 'number' && Number.isFinite(value)) {
    return unit === 'ms' ? value : value * 1000;
  }

  if (typeof value !== 'string') {
    return null;
  }

  const span = /^(-)?(?:(\d+)\.)?(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(value.trim());
  if (span) {
    const [, minus, days, hours, minutes, seconds] = span;
    const ms = ((Number(days || 0) * 24 + Number(hours)) * 60 + Number(minutes)) * 60000 + Number(seconds) * 1000;
    return minus ? -ms : ms;
  }

  const iso = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/
    .exec(value.trim());
  if (iso && value.trim() !== 'P' && value.trim() !== 'PT') {
    const [, days, hours, minutes, seconds] = iso.map((part) => Number(part || 0));
    return (((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000;
  }

  return null;
}

/** Parses an ISO 8601 time into epoch milliseconds, or null. */
export function parseTime(value) {
  if (typeof value !== 'string' && typeof value !== 'number') {
    return null;
  }

  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : null;
}

function first(object, ...keys) {
  if (!object || typeof object !== 'object') {
    return undefined;
  }

  for (const key of keys) {
    if (object[key] !== undefined && object[key] !== null) {
      return object[key];
    }
  }

  return undefined;
}

// Reads a duration from the first of the given keys that is present. A key ending in "Ms" contains milliseconds, one
// ending in "Seconds" contains seconds, and any other a TimeSpan string or seconds.
function durationField(object, ...keys) {
  for (const key of keys) {
    const value = first(object, key);
    if (value !== undefined) {
      return parseDurationMs(value, key.endsWith('Ms') ? 'ms' : 's');
    }
  }

  return null;
}

// Accepts either a list of named entries or an object keyed by name, and returns [name, entry] pairs.
function entries(collection, nameKeys = ['name', 'dependency', 'id']) {
  if (Array.isArray(collection)) {
    return collection
      .filter((item) => item && typeof item === 'object')
      .map((item) => [String(first(item, ...nameKeys) ?? ''), item]);
  }

  if (collection && typeof collection === 'object') {
    return Object.entries(collection).filter(([, item]) => item && typeof item === 'object');
  }

  return [];
}

function normalizeBreaker(raw, generatedAt) {
  if (typeof raw === 'string') {
    return { state: normalizeBreakerState(raw), retryAfterMs: null, reason: null, since: null, rejections: null };
  }

  if (!raw || typeof raw !== 'object') {
    return null;
  }

  let retryAfterMs = durationField(raw, 'retryAfterMs', 'retryAfterSeconds', 'retryAfter', 'timeToRetry');
  const retryAt = parseTime(first(raw, 'retryAt', 'openUntil', 'breakUntil'));
  if (retryAfterMs === null && retryAt !== null && generatedAt !== null) {
    retryAfterMs = Math.max(0, retryAt - generatedAt);
  }

  return {
    state: normalizeBreakerState(first(raw, 'state', 'status')),
    retryAfterMs,
    reason: first(raw, 'lastTransitionReason', 'reason') ?? null,
    since: parseTime(first(raw, 'lastTransitionTime', 'since', 'changedAt')),
    rejections: numberOrNull(first(raw, 'rejections', 'rejectedCalls', 'rejectedCount', 'rejected')),
  };
}

function numberOrNull(value) {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function errorText(value) {
  if (typeof value === 'string') {
    return value;
  }

  if (value && typeof value === 'object') {
    return first(value, 'message', 'detail', 'error', 'type') ?? null;
  }

  return null;
}

function normalizeDependency(name, raw, generatedAt, breakers) {
  const breakerRaw = first(raw, 'breaker', 'circuitBreaker') ?? first(raw, 'breakerState')
    ?? breakers.get(name);
  const probe = first(raw, 'probe', 'lastProbe') || {};
  return {
    name,
    status: normalizeStatus(first(raw, 'status', 'health')),
    critical: typeof raw.critical === 'boolean' ? raw.critical : null,
    breaker: normalizeBreaker(breakerRaw, generatedAt),
    latencyMs: durationField(raw, 'latencyMs', 'probeLatencyMs', 'latency', 'probeLatency')
      ?? durationField(probe, 'latencyMs', 'durationMs', 'latency', 'duration'),
    lastError: errorText(first(raw, 'lastError', 'error', 'lastFailure') ?? first(probe, 'error', 'lastError')),
    lastErrorAt: parseTime(first(raw, 'lastErrorTime', 'lastErrorAt', 'lastFailureTime')
      ?? first(first(raw, 'lastError'), 'time')),
    since: parseTime(first(raw, 'since', 'statusSince', 'lastTransitionTime', 'changedAt')),
    detail: first(raw, 'detail', 'description', 'output') ?? first(probe, 'output') ?? null,
  };
}

// A timeline is a list of status points per dependency. The gateway may send it inside each dependency, keyed by
// dependency, as one flat list with a dependency field, or only as transitions. Each form becomes sorted points.
function normalizeTimeline(status) {
  const points = new Map();
  const add = (dependency, at, value) => {
    const time = parseTime(at);
    const normalized = normalizeStatus(value);
    if (!dependency || time === null || normalized === 'unknown') {
      return;
    }

    if (!points.has(dependency)) {
      points.set(dependency, []);
    }

    points.get(dependency).push({ at: time, status: normalized });
  };

  const readPoint = (dependency, point) => {
    add(
      dependency ?? first(point, 'subject', 'dependency', 'name'),
      first(point, 'at', 'time', 'timestamp', 'from', 'start', 'since'),
      first(point, 'status', 'to', 'state'));
  };

  for (const [name, dependency] of entries(first(status, 'dependencies', 'checks'))) {
    for (const point of asArray(first(dependency, 'timeline', 'history'))) {
      readPoint(name, point);
    }
  }

  const timeline = first(status, 'timeline', 'history');
  if (Array.isArray(timeline)) {
    timeline.forEach((point) => readPoint(null, point));
  } else if (timeline && typeof timeline === 'object') {
    const perDependency = first(timeline, 'dependencies') ?? timeline;
    for (const [name, list] of Object.entries(perDependency)) {
      const items = Array.isArray(list) ? list : first(list, 'points', 'samples', 'segments', 'entries');
      if (Array.isArray(items)) {
        items.forEach((point) => readPoint(name, point));
      }
    }
  }

  if (points.size === 0) {
    // Oldest first, so that the status before each dependency's first transition can be drawn from the window start.
    const transitions = asArray(first(status, 'transitions'))
      .filter((transition) => first(transition, 'subject', 'dependency', 'name') !== 'service')
      .sort((a, b) => (parseTime(first(a, 'at', 'time', 'timestamp')) ?? 0)
        - (parseTime(first(b, 'at', 'time', 'timestamp')) ?? 0));
    for (const transition of transitions) {
      const dependency = first(transition, 'subject', 'dependency', 'name');
      if (dependency && !points.has(dependency)) {
        add(dependency, 0, first(transition, 'from', 'previous'));
      }

      readPoint(null, transition);
    }
  }

  for (const list of points.values()) {
    list.sort((a, b) => a.at - b.at);
  }

  return points;
}

function asArray(value) {
  return Array.isArray(value) ? value : [];
}

function normalizeTransitions(status) {
  return asArray(first(status, 'transitions'))
    .map((item) => ({
      dependency: String(first(item, 'subject', 'dependency', 'name') ?? 'service'),
      from: normalizeStatus(first(item, 'from', 'previous')),
      to: normalizeStatus(first(item, 'to', 'status', 'current')),
      at: parseTime(first(item, 'at', 'time', 'timestamp')),
      reason: first(item, 'reason', 'detail') ?? null,
    }))
    .filter((item) => item.at !== null)
    .sort((a, b) => b.at - a.at);
}

function normalizeCounters(status) {
  const counters = first(status, 'counters', 'orderCounters') || {};
  const orders = first(status, 'orders');
  const byOutcome = first(counters, 'ordersByOutcome', 'orders', 'byOutcome')
    ?? (orders && typeof orders === 'object' && !Array.isArray(orders) ? first(orders, 'byOutcome', 'counts') : null);
  return {
    ordersByOutcome: byOutcome && typeof byOutcome === 'object' ? byOutcome : null,
    breakerRejections: numberOrNull(first(counters, 'breakerRejections', 'rejectedByBreaker')),
  };
}

/**
 * Builds the view model of a `/api/status` document. `receivedAt` is the local clock at receipt; breaker
 * countdowns are anchored to it so that a skewed gateway clock does not shift them.
 */
export function normalizeStatusDocument(status, receivedAt) {
  const generatedAt = parseTime(first(status, 'generatedAt', 'time', 'timestamp', 'checkedAt'));
  const lifecycle = String(first(status, 'lifecycle', 'lifecycleState') ?? '').toLowerCase();
  let overall = normalizeStatus(first(status, 'status', 'overall', 'health'));
  if (lifecycle === 'stopping') {
    overall = 'stopping';
  } else if (lifecycle === 'starting' && overall === 'unknown') {
    overall = 'starting';
  }

  const breakers = new Map(entries(first(status, 'breakers')));
  const dependencies = entries(first(status, 'dependencies', 'checks'))
    .map(([name, raw]) => normalizeDependency(name, raw, generatedAt, breakers));
  for (const dependency of dependencies) {
    if (dependency.breaker && dependency.breaker.retryAfterMs !== null) {
      dependency.breaker.retryDeadline = receivedAt + dependency.breaker.retryAfterMs;
    }
  }

  const counters = normalizeCounters(status);
  if (counters.breakerRejections === null) {
    const perBreaker = dependencies.map((d) => d.breaker?.rejections).filter((n) => typeof n === 'number');
    counters.breakerRejections = perBreaker.length > 0 ? perBreaker.reduce((a, b) => a + b, 0) : null;
  }

  const orders = first(status, 'orders');
  const openOrders = numberOrNull(first(status, 'openOrders', 'openOrderCount'))
    ?? numberOrNull(first(orders, 'open', 'openCount'));
  return {
    overall,
    lifecycle: lifecycle || null,
    generatedAt,
    receivedAt,
    dependencies,
    timeline: normalizeTimeline(status),
    transitions: normalizeTransitions(status),
    openOrders,
    counters,
  };
}

/**
 * Builds the view model of the public readiness document, which may be the IETF health draft
 * (`status: pass|warn|fail` with `checks`) or a plain `{ status }`.
 */
export function normalizeReadiness(body, httpStatus) {
  let overall = normalizeStatus(first(body, 'status'));
  if (overall === 'unknown') {
    overall = httpStatus >= 200 && httpStatus < 300 ? 'healthy' : 'unhealthy';
  }

  const lifecycle = String(first(body, 'lifecycle') ?? '').toLowerCase();
  if (lifecycle === 'stopping' || lifecycle === 'starting') {
    overall = lifecycle;
  }

  const checks = [];
  for (const [name, value] of entries(first(body, 'checks', 'dependencies'))) {
    const list = Array.isArray(value) ? value : [value];
    for (const item of list) {
      checks.push({
        name: String(first(item, 'componentId', 'name') ?? name),
        status: normalizeStatus(first(item, 'status')),
        output: first(item, 'output', 'description') ?? null,
      });
    }
  }

  return { overall, checks, ready: httpStatus >= 200 && httpStatus < 300 };
}

const FINAL_ORDER_STATUSES = new Set(['filled', 'cancelled', 'canceled', 'rejected']);

function normalizeOrder(raw) {
  const status = String(first(raw, 'status') ?? 'unknown');
  return {
    id: String(first(raw, 'id', 'orderId') ?? ''),
    clientOrderId: first(raw, 'clientOrderId') ?? null,
    symbol: String(first(raw, 'symbol') ?? ''),
    side: String(first(raw, 'side') ?? ''),
    quantity: numberOrNull(Number(first(raw, 'quantity'))),
    filledQuantity: numberOrNull(Number(first(raw, 'filledQuantity', 'filled') ?? 0)) ?? 0,
    limitPrice: first(raw, 'limitPrice') ?? null,
    averageFillPrice: first(raw, 'averageFillPrice', 'avgFillPrice') ?? null,
    type: String(first(raw, 'type') ?? ''),
    status,
    isFinal: FINAL_ORDER_STATUSES.has(status.toLowerCase()),
    attention: first(raw, 'attention') ?? null,
    updatedAt: parseTime(first(raw, 'updatedAt', 'createdAt')),
  };
}

/** Builds the orders view model: the open orders, the latest fills and counts by outcome. */
export function normalizeOrders(body, fillLimit = 8) {
  const list = Array.isArray(body) ? body : asArray(first(body, 'orders', 'items', 'data'));
  const orders = list.filter((item) => item && typeof item === 'object').map(normalizeOrder);
  const open = orders.filter((order) => !order.isFinal).sort((a, b) => (b.updatedAt ?? 0) - (a.updatedAt ?? 0));
  const fills = orders
    .filter((order) => order.filledQuantity > 0)
    .sort((a, b) => (b.updatedAt ?? 0) - (a.updatedAt ?? 0))
    .slice(0, fillLimit);
  const byOutcome = {};
  for (const order of orders) {
    const key = order.isFinal ? order.status.toLowerCase() : 'open';
    byOutcome[key] = (byOutcome[key] || 0) + 1;
  }

  return { open, fills, byOutcome, total: orders.length };
}

// One sample line of the Prometheus text format: name, optional {labels}, value, optional timestamp.
const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * Reads the order and breaker counters from the gateway's `/metrics` text (Prometheus exposition format):
 * `breakwater_orders_total` by `outcome` and `breakwater_breaker_rejections_total` by `breaker`. Series that share
 * a label value are summed. Returns null members when a counter is absent, which it is until its first increment.
 */
export function parseMetrics(text) {
  const ordersByOutcome = {};
  const rejectionsByBreaker = {};
  let sawOrders = false;
  let sawRejections = false;
  for (const line of String(text || '').split('\n')) {
    if (line.startsWith('#')) {
      continue;
    }

    const match = SAMPLE_LINE.exec(line.trim());
    if (!match) {
      continue;
    }

    const [, name, labelText, valueText] = match;
    const value = Number(valueText);
    if (!Number.isFinite(value)) {
      continue;
    }

    const labels = {};
    for (const [, key, labelValue] of (labelText || '').matchAll(LABEL_PAIR)) {
      labels[key] = labelValue;
    }

    if (name === 'breakwater_orders_total' && labels.outcome) {
      sawOrders = true;
      ordersByOutcome[labels.outcome] = (ordersByOutcome[labels.outcome] || 0) + value;
    } else if (name === 'breakwater_breaker_rejections_total' && labels.breaker) {
      sawRejections = true;
      rejectionsByBreaker[labels.breaker] = (rejectionsByBreaker[labels.breaker] || 0) + value;
    }
  }

  return {
    ordersByOutcome: sawOrders ? ordersByOutcome : null,
    rejectionsByBreaker: sawRejections ? rejectionsByBreaker : null,
  };
}
