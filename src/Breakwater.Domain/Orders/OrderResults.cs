using Breakwater.Domain.Brokers;

namespace Breakwater.Domain.Orders;

public enum SubmitOutcome
{
    /// <summary>A new order was journaled; the broker acknowledged or rejected it (see its status).</summary>
    Created,

    /// <summary>An order with the same client order id and the same fields already existed; nothing was written.</summary>
    Existing,

    /// <summary>
    /// The order was journaled but the submit failed in a way that may have reached the broker; the reconciler finds
    /// out, and the order carries <see cref="OrderAttention.SubmitUncertain"/> until then.
    /// </summary>
    Uncertain,
}

public sealed record SubmitResult(Order Order, SubmitOutcome Outcome);

/// <param name="Order">The order after the cancel request: usually <see cref="OrderStatus.PendingCancel"/>.</param>
/// <param name="Journaled">False when the best-effort journal write of the pending cancel failed or is still running.</param>
public sealed record CancelResult(Order Order, bool Journaled);

/// <param name="Error">Why the cancel request failed, in a sentence fit for an API response.</param>
public sealed record CancelFailure(long OrderId, string ClientOrderId, string Error);

/// <param name="CancelRequested">Cancels the broker accepted.</param>
/// <param name="AlreadyFinal">Orders that turned out to be final already; no cancel was needed.</param>
/// <param name="Failures">Cancels that failed, such as those refused while the broker was unavailable.</param>
public sealed record CancelAllResult(int CancelRequested, int AlreadyFinal, IReadOnlyList<CancelFailure> Failures);

/// <summary>The outcome of comparing the journaled open orders with the broker.</summary>
/// <param name="Checked">Journaled open orders looked up at the broker.</param>
/// <param name="Updated">Orders whose journaled state changed to match the broker.</param>
/// <param name="Rejected">Orders the broker has no record of, journaled as rejected after the grace period.</param>
/// <param name="Unresolved">Orders that stay open without a broker record, or whose lookup failed.</param>
/// <param name="Orphans">Orders working at the broker that no journaled open order matches.</param>
public sealed record ReconcileReport(
    int Checked,
    int Updated,
    int Rejected,
    IReadOnlyList<long> Unresolved,
    IReadOnlyList<BrokerOrderState> Orphans);
