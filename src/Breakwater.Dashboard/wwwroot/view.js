// Renders the view model into the page. Rows are kept by key and updated in place, so that the buttons in them keep
// keyboard focus across the polls. Everything is written with textContent: no gateway text is parsed as HTML.

const STATUS_WORDS = {
  healthy: 'Healthy',
  degraded: 'Degraded',
  unhealthy: 'Unhealthy',
  stopping: 'Stopping',
  starting: 'Starting',
  unknown: 'Unknown',
};

const BREAKER_WORDS = {
  closed: 'closed',
  open: 'open',
  halfOpen: 'half-open',
  isolated: 'isolated',
  disabled: 'disabled',
  unknown: 'not reported',
};

const DEPENDENCY_LABELS = {
  service: 'Gateway',
  broker: 'Broker',
  database: 'Order journal',
  marketData: 'Market data',
};

export function statusWord(status) {
  return STATUS_WORDS[status] || STATUS_WORDS.unknown;
}

export function dependencyLabel(name) {
  return DEPENDENCY_LABELS[name] || name;
}

// Operators compare these times with logs, so they use the 24-hour clock whatever the browser's locale prefers.
const CLOCK = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});
const PRICE = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 6 });

export function formatClock(ms) {
  if (ms === null || ms === undefined) {
    return '';
  }

  return CLOCK.format(new Date(ms));
}

/** Formats a price with at least two decimals; a non-numeric value is shown as sent. */
export function formatPrice(value) {
  const number = Number(value);
  return value === null || value === undefined || !Number.isFinite(number) ? String(value ?? '') : PRICE.format(number);
}

/** Formats a non-negative duration for people: "850 ms", "4.2 s", "3 min 05 s", "2 h 10 min". */
export function formatDuration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) {
    return '';
  }

  const value = Math.max(0, ms);
  if (value < 1000) {
    return `${Math.round(value)} ms`;
  }

  if (value < 10000) {
    return `${(value / 1000).toFixed(1)} s`;
  }

  const seconds = Math.round(value / 1000);
  if (seconds < 60) {
    return `${seconds} s`;
  }

  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
  }

  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }

  if (text !== undefined && text !== null) {
    node.textContent = text;
  }

  return node;
}

function statusBadge(status, suffix) {
  const badge = element('span', 'badge');
  badge.dataset.status = status;
  const icon = element('span', 'status-icon');
  icon.dataset.status = status;
  icon.setAttribute('aria-hidden', 'true');
  badge.append(icon, element('span', 'badge-text', statusWord(status).toLowerCase()));
  if (suffix) {
    badge.append(element('span', 'badge-suffix', suffix));
  }

  return badge;
}

/** Shows the overall status in colour and words, with the failing dependencies named. */
export function renderOverall(status, detail) {
  const overall = document.getElementById('overall');
  overall.dataset.status = status;
  // The region is live, so its text is written only when it changes: a rewrite would be announced again.
  setTextIfChanged(document.getElementById('overall-text'), statusWord(status));
  setTextIfChanged(document.getElementById('overall-detail'), detail || '');
  document.title = `${statusWord(status)} · Breakwater gateway`;
}

function setTextIfChanged(node, text) {
  if (node.textContent !== text) {
    node.textContent = text;
  }
}

function keyedRow(tbody, key, create) {
  let row = tbody.querySelector(`tr[data-key="${CSS.escape(key)}"]`);
  if (!row) {
    row = create();
    row.dataset.key = key;
  }

  return row;
}

function removeStaleRows(tbody, keys) {
  for (const row of [...tbody.rows]) {
    if (!keys.has(row.dataset.key)) {
      row.remove();
    }
  }
}

function cells(row, labels) {
  while (row.cells.length < labels.length) {
    const cell = element('td');
    cell.dataset.label = labels[row.cells.length];
    row.append(cell);
  }

  return [...row.cells];
}

const DEPENDENCY_COLUMNS = ['Dependency', 'Status', 'Breaker', 'Retry in', 'Probe latency', 'Last error', 'Actions'];

/**
 * Updates the dependency table. `since` maps a dependency name to the time its current status began, when known.
 * `onBreakerAction(name, action)` runs when the operator presses Isolate or Reset.
 */
export function renderDependencies(dependencies, since, rejections, onBreakerAction) {
  const tbody = document.querySelector('#dependencies tbody');
  const keys = new Set();
  for (const dependency of dependencies) {
    keys.add(dependency.name);
    const row = keyedRow(tbody, dependency.name, () => createDependencyRow(dependency.name, onBreakerAction));
    row.dataset.dependency = dependency.name;
    row.dataset.status = dependency.status;
    const [name, status, breaker, retry, latency, error, actions] = cells(row, DEPENDENCY_COLUMNS);

    const nameText = element('span', 'dependency-name', dependencyLabel(dependency.name));
    name.replaceChildren(nameText);
    if (dependency.critical) {
      name.append(element('span', 'tag', 'critical'));
    }

    const started = dependency.since ?? since.get(dependency.name) ?? null;
    status.replaceChildren(statusBadge(dependency.status, started ? `since ${formatClock(started)}` : ''));

    const state = dependency.breaker ? dependency.breaker.state : 'unknown';
    const breakerBadge = element('span', 'breaker', BREAKER_WORDS[state] || state);
    breakerBadge.dataset.state = state;
    breaker.replaceChildren(breakerBadge);
    if (dependency.breaker && dependency.breaker.reason) {
      breaker.append(element('span', 'subtle', dependency.breaker.reason));
    }

    const rejected = rejections ? rejections[dependency.name] : undefined;
    if (rejected) {
      breaker.append(element('span', 'subtle', `${rejected} calls rejected`));
    }

    retry.classList.add('countdown');
    if (dependency.breaker && dependency.breaker.retryDeadline !== undefined
      && (state === 'open' || state === 'isolated')) {
      retry.dataset.deadline = String(dependency.breaker.retryDeadline);
    } else {
      delete retry.dataset.deadline;
      retry.textContent = state === 'isolated' ? 'held open' : '—';
    }

    latency.textContent = dependency.latencyMs === null ? '—' : formatDuration(dependency.latencyMs);
    latency.classList.add('num');

    error.classList.add('error-cell');
    // The gateway keeps the last error after a recovery; it is dimmed so that it does not read as current.
    error.classList.toggle('resolved', dependency.status === 'healthy');
    if (dependency.lastError) {
      const message = element('span', 'error-text', dependency.lastError);
      message.title = dependency.lastError;
      error.replaceChildren(message);
      if (dependency.lastErrorAt) {
        error.append(element('span', 'subtle', formatClock(dependency.lastErrorAt)));
      }
    } else {
      error.replaceChildren(element('span', 'subtle', 'none'));
    }

    const [isolate, reset] = actions.querySelectorAll('button');
    isolate.disabled = state === 'isolated' || state === 'unknown' || state === 'disabled';
    reset.disabled = state === 'closed' || state === 'unknown' || state === 'disabled';
  }

  removeStaleRows(tbody, keys);
  updateCountdowns(Date.now());
}

function createDependencyRow(name, onBreakerAction) {
  const row = element('tr');
  const cellList = cells(row, DEPENDENCY_COLUMNS);
  const actions = cellList[cellList.length - 1];
  actions.classList.add('actions');
  for (const [action, label] of [['isolate', 'Isolate'], ['reset', 'Reset']]) {
    const button = element('button', 'button-quiet button-small', label);
    button.type = 'button';
    button.dataset.action = action;
    button.setAttribute('aria-label', `${label} the ${dependencyLabel(name)} breaker`);
    button.addEventListener('click', () => onBreakerAction(name, action));
    actions.append(button);
  }

  document.querySelector('#dependencies tbody').append(row);
  return row;
}

/** Rewrites every breaker countdown from its deadline; called by a 250 ms ticker between polls. */
export function updateCountdowns(now) {
  for (const cell of document.querySelectorAll('#dependencies td.countdown[data-deadline]')) {
    const remaining = Number(cell.dataset.deadline) - now;
    cell.textContent = remaining > 0 ? formatDuration(Math.ceil(remaining / 1000) * 1000) : 'trial call due';
  }
}

const ORDER_COLUMNS = ['Order', 'Symbol', 'Side', 'Qty', 'Filled', 'Limit', 'Status', 'Actions'];

/** Updates the open orders table; `onCancel(order)` runs when the operator presses Cancel on a row. */
export function renderOrders(orders, onCancel) {
  const tbody = document.querySelector('#orders tbody');
  const keys = new Set();
  for (const order of orders.open) {
    keys.add(order.id);
    const row = keyedRow(tbody, order.id, () => createOrderRow(order, onCancel));
    row.dataset.orderId = order.id;
    const [id, symbol, side, quantity, filled, limit, status] = cells(row, ORDER_COLUMNS);
    id.textContent = order.clientOrderId ? `${order.id} · ${order.clientOrderId}` : order.id;
    symbol.textContent = order.symbol;
    side.textContent = order.side.toLowerCase();
    side.dataset.side = order.side.toLowerCase();
    quantity.textContent = order.quantity ?? '';
    filled.textContent = String(order.filledQuantity);
    limit.textContent = order.limitPrice === null ? 'market' : formatPrice(order.limitPrice);
    for (const cell of [quantity, filled, limit]) {
      cell.classList.add('num');
    }

    status.textContent = order.attention && String(order.attention).toLowerCase() !== 'none'
      ? `${order.status}, needs attention: ${order.attention}`
      : order.status;
  }

  removeStaleRows(tbody, keys);
  document.getElementById('orders').hidden = orders.open.length === 0;
  document.getElementById('orders-empty').hidden = orders.open.length > 0;
  document.getElementById('cancel-all').disabled = orders.open.length === 0;
  document.getElementById('open-count').textContent = String(orders.open.length);
}

/** Shows why the order list could not be read, or hides the message when `problem` is null. */
export function renderOrdersProblem(problem, truncated) {
  const note = document.getElementById('orders-problem');
  if (problem) {
    note.textContent = `The order list could not be read, so it may be out of date: ${problem}`;
  } else if (truncated) {
    note.textContent = 'Only the newest 500 open orders are listed.';
  }

  note.hidden = !problem && !truncated;
  document.getElementById('orders').classList.toggle('stale-table', Boolean(problem));
}

function createOrderRow(order, onCancel) {
  const row = element('tr');
  const cellList = cells(row, ORDER_COLUMNS);
  const actions = cellList[cellList.length - 1];
  actions.classList.add('actions');
  const button = element('button', 'button-quiet button-small', 'Cancel');
  button.type = 'button';
  button.dataset.action = 'cancel';
  button.setAttribute('aria-label', `Cancel order ${order.id}`);
  button.addEventListener('click', () => onCancel(order));
  actions.append(button);
  document.querySelector('#orders tbody').append(row);
  return row;
}

export function renderFills(fills) {
  const tbody = document.querySelector('#fills tbody');
  const rows = fills.map((order) => {
    const row = element('tr');
    const values = [
      formatClock(order.updatedAt),
      order.id,
      order.symbol,
      order.side.toLowerCase(),
      `${order.filledQuantity} / ${order.quantity ?? '?'}`,
      order.averageFillPrice === null ? '—' : formatPrice(order.averageFillPrice),
    ];
    const labels = ['Time', 'Order', 'Symbol', 'Side', 'Filled', 'Avg price'];
    values.forEach((value, index) => {
      const cell = element('td', index >= 4 ? 'num' : '', value);
      cell.dataset.label = labels[index];
      if (labels[index] === 'Side') {
        cell.dataset.side = value;
      }

      row.append(cell);
    });
    return row;
  });
  tbody.replaceChildren(...rows);
  document.getElementById('fills').hidden = fills.length === 0;
  document.getElementById('fills-empty').hidden = fills.length > 0;
}

/** Shows the counters as a description list; entries whose value is null read "not reported". */
export function renderCounters(entries) {
  const list = document.getElementById('counters');
  const nodes = [];
  for (const [label, value, status] of entries) {
    const wrapper = element('div', 'counter');
    if (status) {
      wrapper.dataset.status = status;
    }

    wrapper.append(element('dt', '', label), element('dd', '', value === null ? 'not reported' : String(value)));
    nodes.push(wrapper);
  }

  list.replaceChildren(...nodes);
}

export function renderTransitions(transitions) {
  const list = document.getElementById('transitions');
  const items = transitions.slice(0, 8).map((transition) => {
    const item = element('li');
    item.append(
      element('time', 'subtle', formatClock(transition.at)),
      element('span', 'transition-name', dependencyLabel(transition.dependency)),
      statusBadge(transition.to));
    if (transition.reason) {
      item.append(element('span', 'subtle transition-reason', transition.reason));
    }

    return item;
  });
  list.replaceChildren(...items);
  document.getElementById('transitions-empty').hidden = items.length > 0;
}

/** Shows the public readiness checks when no token is set. */
export function renderReadiness(readiness) {
  const summary = document.getElementById('public-summary');
  summary.textContent = readiness.ready
    ? 'The gateway reports ready to take orders.'
    : 'The gateway reports not ready: it does not take orders now.';
  const items = readiness.checks.map((check) => {
    const item = element('li');
    item.append(element('span', 'check-name', check.name), statusBadge(check.status));
    if (check.output) {
      item.append(element('span', 'subtle', check.output));
    }

    return item;
  });
  document.getElementById('public-checks').replaceChildren(...items);
}

/** Shows a message under the header; `kind` is info, success or error. */
export function showNotice(text, kind = 'info') {
  const notice = document.getElementById('notice');
  notice.dataset.kind = kind;
  document.getElementById('notice-text').textContent = text;
  notice.hidden = false;
}

export function hideNotice() {
  document.getElementById('notice').hidden = true;
}
