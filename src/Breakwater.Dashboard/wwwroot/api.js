// Calls to the gateway API. Every request goes to the origin that served the page, so the Content-Security-Policy
// (connect-src 'self') applies and no token is sent to another host. Paths are relative to the page, so the
// dashboard also works behind a reverse proxy that serves the gateway under a path prefix.

const TOKEN_KEY = 'breakwater.operatorToken';
const REQUEST_TIMEOUT_MS = 4000;

/** Request paths of the gateway API that the dashboard reads and drives. */
export const paths = {
  ready: 'api/health/ready',
  status: 'api/status',
  metrics: 'metrics',
  // The order list is paged, newest first; 500 is the largest page the order API serves.
  openOrders: 'api/orders?status=open&limit=500',
  filledOrders: 'api/orders?status=filled&limit=10',
  cancelOrder: (id) => `api/orders/${encodeURIComponent(id)}`,
  cancelAll: 'api/orders/cancel-all',
  breakerAction: (name, action) => `api/breakers/${encodeURIComponent(name)}/${action}`,
};

/**
 * A failed API call. `kind` is `network` when the gateway could not be reached or did not respond in time,
 * `unauthorized` for 401, `forbidden` for 403 and `http` for any other status outside 2xx.
 */
export class ApiError extends Error {
  constructor(kind, status, message) {
    super(message);
    this.name = 'ApiError';
    this.kind = kind;
    this.status = status;
  }
}

/** Returns the operator token of this tab, or null. */
export function getToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function clearToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/**
 * Sends one request and returns `{ status, body }`, where body is the parsed JSON or null.
 * With `allowError` the caller gets non-2xx responses other than 401 and 403 instead of an ApiError, which the
 * readiness and status reads use because 503 there still carries the health document.
 */
export async function request(path, { method = 'GET', body, auth = true, allowError = false } = {}) {
  const headers = { Accept: 'application/json' };
  const token = auth ? getToken() : null;
  if (auth && !token) {
    throw new ApiError('unauthorized', 401, 'No operator token is set.');
  }

  if (token) {
    headers.Authorization = `Bearer ${token}`;
  }

  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }

  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    const reason = error && error.name === 'TimeoutError'
      ? `timed out after ${REQUEST_TIMEOUT_MS / 1000} s`
      : 'the gateway could not be reached';
    throw new ApiError('network', 0, `${method} ${path} failed: ${reason}.`);
  }

  const parsed = await readJson(response);
  if (response.status === 401) {
    throw new ApiError('unauthorized', 401, `${method} ${path} was rejected with 401: the token is not valid.`);
  }

  if (response.status === 403) {
    throw new ApiError('forbidden', 403, `${method} ${path} was rejected with 403: the token may not do this.`);
  }

  if (!response.ok && !allowError) {
    throw new ApiError('http', response.status, `${method} ${path} failed with ${response.status}: ${describe(parsed)}`);
  }

  return { status: response.status, body: parsed };
}

/**
 * Reads a plain-text document such as the Prometheus metrics and returns `{ status, text }`; throws an ApiError of
 * kind `network` or `http` like {@link request}.
 */
export async function requestText(path) {
  let response;
  try {
    response = await fetch(path, {
      headers: { Accept: 'text/plain' },
      cache: 'no-store',
      credentials: 'omit',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch {
    throw new ApiError('network', 0, `GET ${path} failed: the gateway could not be reached.`);
  }

  if (!response.ok) {
    throw new ApiError('http', response.status, `GET ${path} failed with ${response.status}.`);
  }

  return { status: response.status, text: await response.text() };
}

async function readJson(response) {
  const type = response.headers.get('Content-Type') || '';
  if (!type.includes('json')) {
    return null;
  }

  try {
    return await response.json();
  } catch {
    return null;
  }
}

// Problem details (RFC 9457) carry `detail` or `title`; other error bodies may carry `error` or `message`.
function describe(body) {
  if (body && typeof body === 'object') {
    return body.detail || body.title || body.error || body.message || 'no details given.';
  }

  return 'no details given.';
}
