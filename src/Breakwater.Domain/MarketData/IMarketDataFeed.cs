namespace Breakwater.Domain.MarketData;

/// <summary>
/// Source of quotes: the simulated feed of the paper broker or the broker's market data.
/// </summary>
/// <remarks>
/// An unknown symbol throws <see cref="Brokers.BrokerRejectionException"/> with
/// <see cref="Brokers.BrokerRejectionCode.InvalidSymbol"/>; a feed that cannot be reached throws
/// <see cref="Dependencies.DependencyUnavailableException"/> or a transport exception.
/// </remarks>
public interface IMarketDataFeed
{
    Task<Quote> GetQuoteAsync(string symbol, CancellationToken cancellationToken);

    /// <summary>The time of the newest quote the feed has delivered, or null before the first; used for freshness.</summary>
    DateTimeOffset? LastQuoteTime { get; }
}

/// <param name="Timestamp">When the quote was observed at its source.</param>
public sealed record Quote(string Symbol, decimal Bid, decimal Ask, decimal Last, DateTimeOffset Timestamp);
