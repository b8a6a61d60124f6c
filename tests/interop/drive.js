// Drives an IB Gateway (here: Breakwater's emulator) with @stoqey/ib, a TWS API client written outside this
// repository, and prints one JSON object with what it observed. Usage: node drive.js PORT CLIENT_ID
"use strict";
const { IBApi, EventName, SecType, OrderAction, OrderType } = require("@stoqey/ib");

const port = Number(process.argv[2]);
const clientId = Number(process.argv[3]);
const stepTimeoutMs = 10000;
const ib = new IBApi({ host: "127.0.0.1", port, clientId });
const report = { errors: [], steps: [] };

// The stock contract Breakwater trades: STK routed SMART in USD, resolved by symbol (conId 0).
const contract = { conId: 0, symbol: "AAPL", secType: SecType.STK, strike: 0, exchange: "SMART", currency: "USD" };

// A fresh order with the defaults IBKR's Java client puts in its Order class, so that fields a plain order does not
// use go on the wire as that client sends them instead of as empty fields.
function order(action, type, quantity, lmtPrice, orderRef) {
  return {
    action, orderType: type, totalQuantity: quantity, lmtPrice, tif: "DAY", account: "", origin: 0, orderRef,
    transmit: true, parentId: 0, blockOrder: false, sweepToFill: false, displaySize: 0, triggerMethod: 0,
    outsideRth: false, hidden: false, discretionaryAmt: 0, shortSaleSlot: 0, exemptCode: -1, ocaType: 0,
    allOrNone: false, eTradeOnly: false, firmQuoteOnly: false, auctionStrategy: 0,
    overridePercentageConstraints: false, continuousUpdate: false, optOutSmartRouting: false, notHeld: false,
    whatIf: false, solicited: false, randomizeSize: false, randomizePrice: false, adjustableTrailingUnit: 0,
    dontUseAutoPriceForHedge: false, isOmsContainer: false, discretionaryUpToLimitPrice: false,
    duration: 2147483647, postToAts: 2147483647, autoCancelParent: false,
  };
}

function waitFor(event, predicate, label) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ib.off(event, handler);
      reject(new Error(`timed out after ${stepTimeoutMs} ms waiting for ${label}`));
    }, stepTimeoutMs);
    function handler(...args) {
      if (predicate(...args)) {
        clearTimeout(timer);
        ib.off(event, handler);
        resolve(args);
      }
    }
    ib.on(event, handler);
  });
}

ib.on(EventName.error, (err, code, reqId) => {
  report.errors.push({ code, reqId, message: err && err.message ? err.message : String(err) });
});

async function main() {
  const ready = waitFor(EventName.nextValidId, () => true, "nextValidId");
  ib.connect();
  const [firstId] = await ready;
  report.nextValidId = firstId;

  const time = waitFor(EventName.currentTime, () => true, "currentTime");
  ib.reqCurrentTime();
  report.currentTime = (await time)[0];

  const marketId = firstId;
  const statuses = {};
  ib.on(EventName.orderStatus, (id, status) => {
    (statuses[id] = statuses[id] || []).push(status);
  });
  const marketFilled = waitFor(EventName.orderStatus, (id, status) => id === marketId && status === "Filled", "market fill");
  ib.placeOrder(marketId, contract, order(OrderAction.BUY, OrderType.MKT, 10, undefined, "interop-market"));
  await marketFilled;

  const limitId = firstId + 1;
  const limitAccepted = waitFor(EventName.orderStatus, (id, status) => id === limitId && status === "Submitted", "limit ack");
  ib.placeOrder(limitId, contract, order(OrderAction.BUY, OrderType.LMT, 5, 50.25, "interop-limit"));
  await limitAccepted;

  const openOrders = [];
  const onOpen = (id, c, o, state) => openOrders.push({ id, symbol: c.symbol, orderRef: o.orderRef, status: state.status });
  ib.on(EventName.openOrder, onOpen);
  const openEnd = waitFor(EventName.openOrderEnd, () => true, "openOrderEnd");
  ib.reqOpenOrders();
  await openEnd;
  ib.off(EventName.openOrder, onOpen);
  report.openOrders = openOrders;

  const cancelled = waitFor(EventName.orderStatus, (id, status) => id === limitId && status === "Cancelled", "cancel");
  ib.cancelOrder(limitId);
  await cancelled;

  const allEnd = waitFor(EventName.openOrderEnd, () => true, "openOrderEnd after reqAllOpenOrders");
  ib.reqAllOpenOrders();
  await allEnd;

  const ticks = {};
  const onTick = (reqId, tickType, price) => { if (reqId === 7001) ticks[tickType] = price; };
  ib.on(EventName.tickPrice, onTick);
  const snapshotEnd = waitFor(EventName.tickSnapshotEnd, (reqId) => reqId === 7001, "tickSnapshotEnd");
  ib.reqMktData(7001, contract, "", true, false);
  await snapshotEnd;
  ib.off(EventName.tickPrice, onTick);
  report.quote = { bid: ticks[1], ask: ticks[2], last: ticks[4] };

  let executions = 0;
  const onExec = (reqId) => { if (reqId === 7002) executions++; };
  ib.on(EventName.execDetails, onExec);
  const execEnd = waitFor(EventName.execDetailsEnd, (reqId) => reqId === 7002, "execDetailsEnd");
  ib.reqExecutions(7002, { clientId: 0 });
  await execEnd;
  report.executions = executions;

  let positions = 0;
  const onPosition = () => positions++;
  ib.on(EventName.position, onPosition);
  const positionEnd = waitFor(EventName.positionEnd, () => true, "positionEnd");
  ib.reqPositions();
  await positionEnd;
  report.positions = positions;

  const globalTime = waitFor(EventName.currentTime, () => true, "currentTime after global cancel");
  ib.reqGlobalCancel();
  ib.reqCurrentTime();
  await globalTime;

  report.marketId = marketId;
  report.limitId = limitId;
  report.statuses = statuses;
}

main()
  .then(() => { report.ok = true; })
  .catch((e) => { report.ok = false; report.failure = e.message; })
  .finally(() => {
    ib.disconnect();
    process.stdout.write(JSON.stringify(report) + "\n");
    setTimeout(() => process.exit(report.ok ? 0 : 1), 200);
  });
