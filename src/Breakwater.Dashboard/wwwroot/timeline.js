// Draws the last hour of status per dependency as strip charts in inline SVG, one row per dependency. Colours come
// from CSS classes and every segment has a text title, so the chart does not rely on colour alone.

import { HOUR_MS } from './model.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const VIEW_WIDTH = 1000;
const VIEW_HEIGHT = 24;

// Divisions of the time axis: whole minutes for every window the page offers (5, 15 and 60 minutes).
function tickCount(windowMs) {
  return windowMs <= 15 * 60000 ? 5 : 4;
}

/** Merges the gateway's timeline points with the page's own samples into one sorted list per dependency. */
export function mergePoints(serverPoints, clientPoints) {
  const merged = [...(serverPoints || []), ...(clientPoints || [])];
  merged.sort((a, b) => a.at - b.at);
  return merged;
}

/**
 * Turns status points into segments clipped to [now - windowMs, now]. Each point's status lasts until the next
 * point; the time before the first point is "unknown" (no data).
 */
export function toSegments(points, now, windowMs = HOUR_MS) {
  const start = now - windowMs;
  const segments = [];
  let cursor = start;
  let current = 'unknown';
  for (const point of points) {
    if (point.at > now) {
      break;
    }

    if (point.at > cursor) {
      segments.push({ from: cursor, to: point.at, status: current });
      cursor = point.at;
    }

    current = point.status;
  }

  segments.push({ from: cursor, to: now, status: current });
  return mergeAdjacent(segments.filter((segment) => segment.to > segment.from));
}

function mergeAdjacent(segments) {
  const result = [];
  for (const segment of segments) {
    const previous = result[result.length - 1];
    if (previous && previous.status === segment.status && previous.to === segment.from) {
      previous.to = segment.to;
    } else {
      result.push({ ...segment });
    }
  }

  return result;
}

const CLOCK = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

function clock(ms) {
  return CLOCK.format(new Date(ms));
}

function describeRow(name, segments) {
  const bad = segments.filter((segment) => segment.status === 'unhealthy' || segment.status === 'degraded');
  if (bad.length === 0) {
    return `${name}: no degraded or unhealthy periods in the window.`;
  }

  const parts = bad.map((segment) => `${segment.status} ${clock(segment.from)} to ${clock(segment.to)}`);
  return `${name}: ${parts.join('; ')}.`;
}

function strip(name, segments, now, windowMs) {
  const start = now - windowMs;
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${VIEW_WIDTH} ${VIEW_HEIGHT}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('class', 'strip');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', describeRow(name, segments));
  for (const segment of segments) {
    const x = ((segment.from - start) / windowMs) * VIEW_WIDTH;
    const width = Math.max(((segment.to - segment.from) / windowMs) * VIEW_WIDTH, 1.5);
    const rect = document.createElementNS(SVG_NS, 'rect');
    rect.setAttribute('x', x.toFixed(2));
    rect.setAttribute('y', '0');
    rect.setAttribute('width', width.toFixed(2));
    rect.setAttribute('height', String(VIEW_HEIGHT));
    rect.setAttribute('class', `segment segment-${segment.status}`);
    const title = document.createElementNS(SVG_NS, 'title');
    title.textContent = `${name} ${segment.status} from ${clock(segment.from)} to ${clock(segment.to)}`;
    rect.append(title);
    svg.append(rect);
  }

  const ticks = tickCount(windowMs);
  for (let tick = 1; tick < ticks; tick += 1) {
    const line = document.createElementNS(SVG_NS, 'line');
    const x = String((VIEW_WIDTH * tick) / ticks);
    line.setAttribute('x1', x);
    line.setAttribute('x2', x);
    line.setAttribute('y1', '0');
    line.setAttribute('y2', String(VIEW_HEIGHT));
    line.setAttribute('class', 'tick');
    svg.append(line);
  }

  return svg;
}

/**
 * Replaces the content of `container` with one strip per dependency and a time axis covering the `windowMs` before
 * `now`. `rows` is a list of `{ name, status, points }` in display order.
 */
export function renderTimeline(container, rows, now, windowMs = HOUR_MS) {
  const fragment = document.createDocumentFragment();
  for (const row of rows) {
    const segments = toSegments(row.points, now, windowMs);
    const line = document.createElement('div');
    line.className = 'timeline-row';
    line.dataset.dependency = row.name;
    const label = document.createElement('div');
    label.className = 'timeline-label';
    const icon = document.createElement('span');
    icon.className = 'status-icon';
    icon.dataset.status = row.status;
    icon.setAttribute('aria-hidden', 'true');
    const text = document.createElement('span');
    text.textContent = row.name;
    label.append(icon, text);
    line.append(label, strip(row.name, segments, now, windowMs));
    fragment.append(line);
  }

  const axis = document.createElement('div');
  axis.className = 'timeline-axis';
  axis.setAttribute('aria-hidden', 'true');
  const spacer = document.createElement('span');
  const labels = document.createElement('div');
  labels.className = 'timeline-ticks';
  const ticks = tickCount(windowMs);
  for (let tick = 0; tick <= ticks; tick += 1) {
    const mark = document.createElement('span');
    const minutesAgo = Math.round(((ticks - tick) * windowMs) / ticks / 60000);
    mark.textContent = tick === ticks ? 'now' : `\u2212${minutesAgo} min`;
    labels.append(mark);
  }

  axis.append(spacer, labels);
  fragment.append(axis);
  container.replaceChildren(fragment);
}
