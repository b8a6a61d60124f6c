// Polls the gateway, keeps the page's own status history and wires the operator actions.

import * as api from './api.js';
import { normalizeOrders, normalizeReadiness, normalizeStatusDocument, parseMetrics } from './model.js';
import { confirmAction } from './dialog.js';
import { mergePoints, renderTimeline } from './timeline.js';
import * as view from './view.js';

const POLL_INTERVAL_MS = 1500;
// Fills and counters change less often than health, so they are read on every third poll.
const SLOW_POLL_EVERY = 3;
const COUNTDOWN_INTERVAL_MS = 250;
const HISTORY_LIMIT = 4000;

const state = {
  timer: null,
  polling: false,
  pollCount: 0,
  lastSuccessAt: null,
  connectionLostAt: null,
  status: null,
  orders: null,
  ordersTruncated: false,
  filledResponse: null,
  metricsResponse: null,
  metrics: null,
  timelineWindowMs: 60 * 60 * 1000,
  history: new Map(),
};

function byId(id) {
  return document.getElementById(id);
}

function setMode(mode) {
  const operator = mode === 'operator';
  byId('operator').hidden = !operator;
  byId('public-panel').hidden = operator;
  byId('token-panel').hidden = operator;
  byId('token-button').textContent = operator ? 'Forget token' : 'Enter token';
  document.body.dataset.mode = mode;
}

function markConnected(now) {
  state.lastSuccessAt = now;
  state.connectionLostAt = null;
  byId('connection-banner').hidden = true;
  document.body.classList.remove('stale');
  byId('updated').textContent = `Updated ${view.formatClock(now)}`;
}

function markConnectionLost(now) {
  if (state.connectionLostAt === null) {
    state.connectionLostAt = now;
    for (const [name] of state.history) {
      recordSample(name, 'unknown', now);
    }
  }

  const since = view.formatClock(state.connectionLostAt);
  const last = state.lastSuccessAt === null
    ? 'No data has been received yet.'
    : `The figures below are from ${view.formatClock(state.lastSuccessAt)}.`;
  byId('connection-detail').textContent =
    `No response since ${since}. ${last} Retrying every ${POLL_INTERVAL_MS / 1000} s.`;
  byId('connection-banner').hidden = false;
  document.body.classList.add('stale');
  view.renderOverall('unknown', 'no connection to the gateway');
}

// The page records each status change it receives, so the strip chart has data even when the gateway sends no timeline.
function recordSample(name, status, at) {
  if (!state.history.has(name)) {
    state.history.set(name, []);
  }

  const samples = state.history.get(name);
  const last = samples[samples.length - 1];
  if (!last || last.status !== status) {
    samples.push({ at, status });
    if (samples.length > HISTORY_LIMIT) {
      samples.splice(0, samples.length - HISTORY_LIMIT);
    }
  }
}

// The start of the current run of equal statuses, or null when the run began before the first point (its start is
// then unknown).
function currentRunStart(points, status) {
  let index = points.length - 1;
  if (index < 0 || points[index].status !== status) {
    return null;
  }

  while (index > 0 && points[index - 1].status === status) {
    index -= 1;
  }

  return index === 0 ? null : points[index].at;
}

function describeOverall(status) {
  if (status.overall === 'stopping') {
    return 'shutting down, new orders are refused';
  }

  const failing = status.dependencies
    .filter((dependency) => dependency.status === 'unhealthy' || dependency.status === 'degraded')
    .map((dependency) => `${view.dependencyLabel(dependency.name).toLowerCase()} ${dependency.status}`);
  if (failing.length > 0) {
    return failing.join(', ');
  }

  return status.overall === 'healthy' ? 'all dependencies healthy' : '';
}

function renderOperator(now) {
  const status = state.status;
  view.renderOverall(status.overall, describeOverall(status));

  const since = new Map();
  const rows = [];
  for (const dependency of status.dependencies) {
    recordSample(dependency.name, dependency.status, now);
    const points = mergePoints(status.timeline.get(dependency.name), state.history.get(dependency.name));
    since.set(dependency.name, currentRunStart(points, dependency.status));
    rows.push({ name: dependency.name, status: dependency.status, points });
  }

  const rejections = state.metrics ? state.metrics.rejectionsByBreaker || {} : null;
  view.renderDependencies(status.dependencies, since, rejections, onBreakerAction);
  renderTimeline(
    byId('timeline'),
    rows.map((row) => ({ ...row, name: view.dependencyLabel(row.name) })),
    now,
    state.timelineWindowMs);
  view.renderTransitions(status.transitions);
  renderCounters();
}

// Counters come from /metrics, which counts since the gateway started; a series that is absent there has not been
// incremented yet, so it reads 0. Without metrics the page counts the orders that the order list returned.
function renderCounters() {
  const status = state.status;
  const orders = state.orders;
  const metrics = state.metrics;
  const outcome = (key) => {
    if (metrics) {
      return metrics.ordersByOutcome ? metrics.ordersByOutcome[key] || 0 : 0;
    }

    return orders ? orders.byOutcome[key] || 0 : null;
  };

  let rejections = status ? status.counters.breakerRejections : null;
  if (metrics) {
    rejections = Object.values(metrics.rejectionsByBreaker || {}).reduce((sum, value) => sum + value, 0);
  }

  let open = null;
  if (status && status.openOrders !== null) {
    open = status.openOrders;
  } else if (orders) {
    open = orders.open.length;
  }

  const entries = [['Open', open]];
  if (metrics) {
    entries.push(['Accepted', outcome('accepted')]);
  }

  entries.push(
    ['Filled', outcome('filled'), 'healthy'],
    ['Cancelled', outcome('cancelled')],
    ['Rejected', outcome('rejected'), 'unhealthy']);
  if (metrics) {
    entries.push(['Failed', outcome('failed'), 'unhealthy']);
  }

  entries.push(['Breaker rejections', rejections, 'degraded']);
  view.renderCounters(entries);
  byId('counters-source').textContent = metrics
    ? 'Since the gateway started, from /metrics. An outcome that has not occurred yet reads 0.'
    : 'Counted from the orders the gateway listed; /metrics was not available.';
}

function orderList(body) {
  if (Array.isArray(body)) {
    return body;
  }

  return body && Array.isArray(body.orders) ? body.orders : [];
}

function handleUnauthorized() {
  api.clearToken();
  state.status = null;
  state.orders = null;
  setMode('public');
  view.showNotice(
    'The gateway rejected the token (401 Unauthorized), so it was removed from this tab. Enter a valid token.',
    'error');
  byId('token-input').focus();
}

async function pollPublic(now) {
  const { status, body } = await api.request(api.paths.ready, { auth: false, allowError: true });
  markConnected(now);
  const readiness = normalizeReadiness(body, status);
  view.renderOverall(readiness.overall, readiness.ready ? 'ready' : 'not ready');
  view.renderReadiness(readiness);
}

async function pollOperator(now) {
  const slow = state.pollCount % SLOW_POLL_EVERY === 0;
  state.pollCount += 1;
  const [statusResult, openResult, filledResult, metricsResult] = await Promise.allSettled([
    api.request(api.paths.status, { allowError: true }),
    api.request(api.paths.openOrders),
    slow ? api.request(api.paths.filledOrders) : Promise.resolve(state.filledResponse),
    slow ? api.requestText(api.paths.metrics) : Promise.resolve(state.metricsResponse),
  ]);
  if (slow) {
    state.filledResponse = filledResult.status === 'fulfilled' ? filledResult.value : null;
    state.metricsResponse = metricsResult.status === 'fulfilled' ? metricsResult.value : null;
  }

  state.metrics = state.metricsResponse ? parseMetrics(state.metricsResponse.text) : null;
  if (statusResult.status === 'rejected') {
    throw statusResult.reason;
  }

  markConnected(now);
  state.status = normalizeStatusDocument(statusResult.value.body || {}, now);
  for (const result of [openResult, filledResult]) {
    if (result.status === 'rejected' && result.reason.kind === 'unauthorized') {
      throw result.reason;
    }
  }

  if (openResult.status === 'fulfilled') {
    const filled = state.filledResponse ? orderList(state.filledResponse.body) : [];
    state.orders = normalizeOrders([...orderList(openResult.value.body), ...filled]);
    state.ordersTruncated = Boolean(openResult.value.body && openResult.value.body.nextCursor);
    view.renderOrders(state.orders, onCancelOrder);
    view.renderFills(state.orders.fills);
  }

  // The order list reads the journal, so it fails while the database is down; the last list stays, marked stale.
  view.renderOrdersProblem(openResult.status === 'rejected' ? openResult.reason.message : null, state.ordersTruncated);
  renderOperator(now);
}

async function poll() {
  if (state.polling) {
    return;
  }

  state.polling = true;
  const now = Date.now();
  try {
    if (api.getToken()) {
      setMode('operator');
      await pollOperator(now);
    } else {
      setMode('public');
      await pollPublic(now);
    }
  } catch (error) {
    if (error instanceof api.ApiError && error.kind === 'network') {
      markConnectionLost(now);
    } else if (error instanceof api.ApiError && error.kind === 'unauthorized') {
      markConnected(now);
      handleUnauthorized();
    } else {
      markConnected(now);
      view.showNotice(error.message, 'error');
    }
  } finally {
    state.polling = false;
    schedule(POLL_INTERVAL_MS);
  }
}

function schedule(delay) {
  clearTimeout(state.timer);
  state.timer = setTimeout(poll, delay);
}

function pollSoon() {
  schedule(0);
}

// Actions need the token. Without one the page prompts for it and does not call the gateway.
function requireToken(purpose) {
  if (api.getToken()) {
    return true;
  }

  setMode('public');
  view.showNotice(`Enter the operator token to ${purpose}.`, 'error');
  byId('token-input').focus();
  return false;
}

async function runAction(purpose, confirmation, send, success) {
  if (!requireToken(purpose)) {
    return;
  }

  if (!(await confirmAction(confirmation))) {
    return;
  }

  try {
    const result = await send();
    view.showNotice(success(result), 'success');
  } catch (error) {
    if (error instanceof api.ApiError && error.kind === 'unauthorized') {
      handleUnauthorized();
      return;
    }

    view.showNotice(`Could not ${purpose}: ${error.message}`, 'error');
  } finally {
    // The next poll reads everything, so the counters show the action's effect at once.
    state.pollCount = 0;
    pollSoon();
  }
}

function onCancelOrder(order) {
  runAction(
    `cancel order ${order.id}`,
    {
      title: `Cancel order ${order.id}?`,
      message: `${order.side} ${order.quantity} ${order.symbol}, ${order.filledQuantity} filled. `
        + 'The gateway sends a cancel to the broker; a fill that is already under way may still arrive.',
      acceptLabel: 'Cancel order',
    },
    () => api.request(api.paths.cancelOrder(order.id), { method: 'DELETE' }),
    () => `Cancel sent for order ${order.id}.`);
}

function onCancelAll() {
  const count = state.orders ? state.orders.open.length : 0;
  runAction(
    'cancel all open orders',
    {
      title: 'Cancel all open orders?',
      message: `The gateway sends a cancel for each of the ${count} open orders. This cannot be undone.`,
      acceptLabel: 'Cancel all orders',
    },
    () => api.request(api.paths.cancelAll, { method: 'POST' }),
    (result) => describeCancelAll(result.body));
}

function describeCancelAll(body) {
  if (!body || typeof body.cancelRequested !== 'number') {
    return 'Cancel sent for every open order.';
  }

  const parts = [`Cancel sent for ${body.cancelRequested} orders`];
  if (body.alreadyFinal) {
    parts.push(`${body.alreadyFinal} were already final`);
  }

  const failures = Array.isArray(body.failures) ? body.failures : [];
  if (failures.length > 0) {
    const listed = failures.slice(0, 3).map((failure) => `order ${failure.orderId}: ${failure.error}`).join('; ');
    parts.push(`${failures.length} failed (${listed}${failures.length > 3 ? '; …' : ''})`);
  }

  return `${parts.join(', ')}.`;
}

function onBreakerAction(name, action) {
  const label = view.dependencyLabel(name);
  const confirmation = action === 'isolate'
    ? {
      title: `Isolate the ${label} breaker?`,
      message: `The breaker opens and stays open until it is reset: every call to ${label.toLowerCase()} is `
        + 'rejected at once, so orders that need it fail.',
      acceptLabel: 'Isolate',
    }
    : {
      title: `Reset the ${label} breaker?`,
      message: `The breaker closes and calls to ${label.toLowerCase()} pass again. If the dependency is still `
        + 'failing, the breaker opens again after the next failures.',
      acceptLabel: 'Reset',
    };
  runAction(
    `${action} the ${label.toLowerCase()} breaker`,
    confirmation,
    () => api.request(api.paths.breakerAction(name, action), { method: 'POST' }),
    () => `${label} breaker ${action === 'isolate' ? 'isolated' : 'reset'}.`);
}

function selectTimelineWindow(minutes) {
  state.timelineWindowMs = minutes * 60 * 1000;
  for (const button of document.querySelectorAll('[data-window-minutes]')) {
    button.setAttribute('aria-pressed', String(Number(button.dataset.windowMinutes) === minutes));
  }

  byId('timeline-title').textContent = minutes === 60 ? 'Last hour' : `Last ${minutes} minutes`;
  if (state.status) {
    renderOperator(Date.now());
  }
}

function wire() {
  byId('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = byId('token-input');
    const token = input.value.trim();
    if (!token) {
      return;
    }

    api.setToken(token);
    input.value = '';
    view.hideNotice();
    setMode('operator');
    byId('main').focus();
    pollSoon();
  });

  byId('token-button').addEventListener('click', () => {
    if (api.getToken()) {
      api.clearToken();
      state.status = null;
      state.orders = null;
      setMode('public');
      view.showNotice('The token was removed from this tab.', 'info');
      pollSoon();
    } else {
      setMode('public');
      byId('token-input').focus();
    }
  });

  byId('notice-close').addEventListener('click', view.hideNotice);
  for (const button of document.querySelectorAll('[data-window-minutes]')) {
    button.addEventListener('click', () => selectTimelineWindow(Number(button.dataset.windowMinutes)));
  }

  byId('cancel-all').addEventListener('click', onCancelAll);
  setInterval(() => view.updateCountdowns(Date.now()), COUNTDOWN_INTERVAL_MS);
}

wire();
setMode(api.getToken() ? 'operator' : 'public');
poll();
