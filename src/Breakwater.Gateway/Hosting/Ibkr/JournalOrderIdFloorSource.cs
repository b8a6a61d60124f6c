using System.Globalization;
using Breakwater.Domain.Journal;
using Breakwater.Ibkr;

namespace Breakwater.Gateway.Hosting.Ibkr;

/// <summary>
/// Reads the highest TWS order id the journal has recorded and returns it + 1, so that a new gateway never reuses an
/// order id, even after TWS forgot its own sequence.
/// </summary>
/// <remarks>
/// The journal keeps orders newest first by journal id, and TWS order ids are handed out in increasing order at
/// submit time, so the highest TWS id sits among the newest orders that reached the broker. The source walks the
/// newest pages until one contains a numeric broker order id and takes the maximum of that page and the next one.
/// NOTE: an order placed long after 500 or more newer orders were journaled would be missed; the allocator still
/// never goes below TWS's own nextValidId.
/// </remarks>
internal sealed class JournalOrderIdFloorSource(IOrderJournal journal) : IIbkrOrderIdFloorSource
{
    private const int PageSize = 500;

    public async Task<long> GetOrderIdFloorAsync(CancellationToken cancellationToken)
    {
        long highest = 0;
        var pagesAfterFirstHit = -1;
        long? cursor = null;
        do
        {
            var page = await journal.ListOrdersAsync(
                new OrderQuery(OrderStatusFilter.All, PageSize, cursor), cancellationToken);
            foreach (var order in page.Orders)
            {
                if (long.TryParse(order.BrokerOrderId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                {
                    highest = Math.Max(highest, id);
                }
            }

            if (highest > 0)
            {
                pagesAfterFirstHit++;
            }

            cursor = page.NextBeforeId;
        }
        while (cursor is not null && pagesAfterFirstHit < 1);

        return highest == 0 ? 0 : highest + 1;
    }
}
