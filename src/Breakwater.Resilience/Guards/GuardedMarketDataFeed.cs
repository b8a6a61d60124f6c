using Breakwater.Domain.Dependencies;
using Breakwater.Domain.MarketData;
using Breakwater.Resilience.CircuitBreaking;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Breakwater.Resilience.Guards;

/// <summary>
/// An <see cref="IMarketDataFeed"/> whose quote requests pass the market-data circuit breaker with its per-call
/// timeout and are retried with exponential backoff and jitter (a quote request has no side effect).
/// </summary>
/// <remarks>
/// While the breaker rejects calls, <see cref="GetQuoteAsync"/> throws <see cref="DependencyUnavailableException"/>
/// with <see cref="DependencyUnavailableException.RetryAfter"/> and does not call the inner feed. An unknown symbol's
/// <see cref="Domain.Brokers.BrokerRejectionException"/> passes through and never counts. Thread safe when the inner
/// feed is.
/// </remarks>
public sealed class GuardedMarketDataFeed : IMarketDataFeed, IAsyncDisposable, IDisposable
{
    private readonly IMarketDataFeed _inner;
    private readonly OwnedInner _owned;
    private readonly DependencyGuard _guard;

    public GuardedMarketDataFeed(
        IMarketDataFeed inner,
        CircuitBreaker breaker,
        GuardOptions options,
        TimeProvider timeProvider,
        ILogger<GuardedMarketDataFeed>? logger = null,
        bool ownsInner = false)
    {
        ArgumentNullException.ThrowIfNull(inner);

        _inner = inner;
        _owned = new OwnedInner(inner, ownsInner);
        _guard = new DependencyGuard(
            DependencyNames.MarketData,
            breaker,
            options,
            timeProvider,
            logger ?? NullLogger<GuardedMarketDataFeed>.Instance);
    }

    /// <summary>Reads the inner feed's value; no call to the dependency is made.</summary>
    public DateTimeOffset? LastQuoteTime => _inner.LastQuoteTime;

    public Task<Quote> GetQuoteAsync(string symbol, CancellationToken cancellationToken) =>
        _guard.RunRetriedAsync(
            "GetQuote",
            static (args, token) => new ValueTask<Quote>(args.Inner.GetQuoteAsync(args.Symbol, token)),
            (Inner: _inner, Symbol: symbol),
            cancellationToken);

    /// <summary>Disposes the inner service when this guard owns it (see the constructor's <c>ownsInner</c>).</summary>
    public ValueTask DisposeAsync() => _owned.DisposeAsync();

    /// <summary>Disposes the inner service when this guard owns it, blocking until an asynchronous disposal ends.</summary>
    public void Dispose() => _owned.Dispose();
}
