namespace Breakwater.Domain.Orders;

/// <summary>
/// The in-memory state of one open order. <see cref="Gate"/> serializes every journal write of the order, so that
/// changes are computed from the latest state and journaled in order; broker calls never run while it is held.
/// </summary>
internal sealed class OrderEntry
{
    private Order _order;
    private bool _submitting;

    public OrderEntry(Order order)
    {
        _order = order;
    }

    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>The latest journaled state. Read at any time; written only while <see cref="Gate"/> is held.</summary>
    public Order Order
    {
        get => Volatile.Read(ref _order);
        set => Volatile.Write(ref _order, value);
    }

    /// <summary>Execution ids of the journaled fills. Accessed only while <see cref="Gate"/> is held.</summary>
    public HashSet<string> ExecutionIds { get; } = new(StringComparer.Ordinal);

    /// <summary>Sum of quantity times price over the journaled fills, so that the average price stays exact.</summary>
    public decimal FilledNotional { get; set; }

    /// <summary>
    /// True after a journal write failed in a way that may have committed; the next change reloads the state first.
    /// Accessed only while <see cref="Gate"/> is held.
    /// </summary>
    public bool Stale { get; set; }

    /// <summary>
    /// True while the submit that created the order still waits for the broker. Written under <see cref="Sync"/>.
    /// </summary>
    public bool Submitting
    {
        get => Volatile.Read(ref _submitting);
        set => Volatile.Write(ref _submitting, value);
    }

    /// <summary>
    /// True when a cancel arrived while the submit still waited for the broker; it is sent once the submit ends.
    /// Read and written under <see cref="Sync"/>.
    /// </summary>
    public bool CancelPending { get; set; }

    /// <summary>Guards the hand-over of a pending cancel between the submit and the cancel request.</summary>
    public Lock Sync { get; } = new();

    public TaskCompletionSource<Order> Final { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
