using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Breakwater.Domain.Brokers;
using Breakwater.Domain.MarketData;
using Breakwater.Paper.Faults;
using Microsoft.Extensions.Options;

namespace Breakwater.Paper.MarketData;

/// <summary>
/// Quotes that follow a seeded geometric random walk per symbol, moved one step per tick of the paper broker's loop.
/// </summary>
/// <remarks>
/// Each symbol has its own generator seeded from <see cref="PaperBrokerOptions.Seed"/> and the symbol, so the quotes
/// after N ticks depend only on the seed, the start price and N. Bid and ask are multiples of 0.01 and at least 0.01
/// apart by <see cref="PaperBrokerOptions.Spread"/>, and the bid is never below 0.01. Prices restart from the
/// configured start prices each time the process starts. While the market-data fault is <c>down</c> or <c>hang</c>
/// the walk goes on but <see cref="LastQuoteTime"/> stops, as when a real feed disconnects. Thread-safe.
/// </remarks>
public sealed class SimulatedMarketData : IMarketDataFeed
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SymbolWalk> _walks;
    private readonly PaperFaultInjector _faults;
    private readonly TimeProvider _timeProvider;
    private readonly decimal _spread;
    private readonly double _volatility;
    private DateTimeOffset _quoteTime;
    private DateTimeOffset? _lastQuoteTime;
    private long _tickCount;

    public SimulatedMarketData(
        IOptions<PaperBrokerOptions> options,
        PaperFaultInjector faults,
        TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        _faults = faults;
        _timeProvider = timeProvider;
        _spread = settings.Spread;
        _volatility = settings.Volatility;
        _quoteTime = timeProvider.GetUtcNow();
        _walks = new Dictionary<string, SymbolWalk>(StringComparer.OrdinalIgnoreCase);
        foreach (var (symbol, price) in settings.Symbols)
        {
            _walks[symbol] = new SymbolWalk(symbol, (double)price, new Random(SymbolSeed(settings.Seed, symbol)));
        }
    }

    /// <inheritdoc />
    public DateTimeOffset? LastQuoteTime
    {
        get
        {
            lock (_gate)
            {
                return _lastQuoteTime;
            }
        }
    }

    /// <summary>The number of ticks applied since construction.</summary>
    public long TickCount
    {
        get
        {
            lock (_gate)
            {
                return _tickCount;
            }
        }
    }

    /// <summary>The tradable symbols as configured.</summary>
    public IReadOnlyCollection<string> Symbols
    {
        get
        {
            lock (_gate)
            {
                return [.. _walks.Keys];
            }
        }
    }

    /// <inheritdoc />
    /// <exception cref="BrokerRejectionException">The symbol is unknown (InvalidSymbol).</exception>
    public async Task<Quote> GetQuoteAsync(string symbol, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        await _faults.ApplyAsync(PaperFaultTarget.MarketData, nameof(GetQuoteAsync), cancellationToken);
        return GetQuote(symbol);
    }

    /// <summary>Returns the current quote without fault injection; the broker's matching reads it this way.</summary>
    /// <exception cref="BrokerRejectionException">The symbol is unknown (InvalidSymbol).</exception>
    internal Quote GetQuote(string symbol)
    {
        lock (_gate)
        {
            if (!_walks.TryGetValue(symbol, out var walk))
            {
                throw UnknownSymbol(symbol);
            }

            return BuildQuote(walk);
        }
    }

    /// <summary>Returns whether the symbol is configured and, if so, its quote without fault injection.</summary>
    internal bool TryGetQuote(string symbol, [NotNullWhen(true)] out Quote? quote)
    {
        lock (_gate)
        {
            if (_walks.TryGetValue(symbol, out var walk))
            {
                quote = BuildQuote(walk);
                return true;
            }
        }

        quote = null;
        return false;
    }

    /// <summary>Returns whether the symbol is tradable, and its configured spelling.</summary>
    internal bool TryNormalizeSymbol(string symbol, out string canonical)
    {
        lock (_gate)
        {
            if (_walks.TryGetValue(symbol, out var walk))
            {
                canonical = walk.Symbol;
                return true;
            }
        }

        canonical = symbol;
        return false;
    }

    /// <summary>Publishes the prices so that <see cref="LastQuoteTime"/> is set before the first tick.</summary>
    internal void Publish()
    {
        var now = _timeProvider.GetUtcNow();
        var connected = !_faults.IsDisconnected(PaperFaultTarget.MarketData);
        lock (_gate)
        {
            _quoteTime = now;
            if (connected)
            {
                _lastQuoteTime = now;
            }
        }
    }

    /// <summary>Moves every symbol one step along its random walk.</summary>
    internal void Tick()
    {
        var now = _timeProvider.GetUtcNow();
        var connected = !_faults.IsDisconnected(PaperFaultTarget.MarketData);
        lock (_gate)
        {
            foreach (var walk in _walks.Values)
            {
                walk.Step(_volatility);
            }

            _tickCount++;
            _quoteTime = now;
            if (connected)
            {
                _lastQuoteTime = now;
            }
        }
    }

    internal static BrokerRejectionException UnknownSymbol(string symbol) => new(
        BrokerRejectionCode.InvalidSymbol,
        $"The symbol '{symbol}' is not traded by the paper broker; use one of the symbols configured in " +
        $"{PaperBrokerOptions.SectionName}:{nameof(PaperBrokerOptions.Symbols)}.");

    private Quote BuildQuote(SymbolWalk walk)
    {
        const decimal tick = PaperBrokerOptions.PriceTick;
        var mid = (decimal)walk.Mid;
        var bid = Math.Floor((mid - (_spread / 2)) / tick) * tick;
        if (bid < tick)
        {
            bid = tick;
        }

        var ask = bid + _spread;
        var last = Math.Clamp(Math.Round(mid / tick, MidpointRounding.ToEven) * tick, bid, ask);
        return new Quote(walk.Symbol, bid, ask, last, _quoteTime);
    }

    /// <summary>
    /// Derives a per-symbol seed that is stable across processes, unlike <see cref="string.GetHashCode()"/>.
    /// </summary>
    private static int SymbolSeed(int seed, string symbol)
    {
        var bytes = Encoding.UTF8.GetBytes($"{seed}:{symbol.ToUpperInvariant()}");
        var hash = SHA256.HashData(bytes);
        return BinaryPrimitives.ReadInt32LittleEndian(hash);
    }

    private sealed class SymbolWalk(string symbol, double start, Random random)
    {
        private const double MinimumMid = (double)PaperBrokerOptions.PriceTick;
        private const double MaximumMid = 1e12;

        public string Symbol { get; } = symbol;

        public double Mid { get; private set; } = start;

        public void Step(double volatility)
        {
            if (volatility == 0)
            {
                return;
            }

            // Box-Muller turns two uniform draws into a standard normal one; 1 - u keeps the logarithm finite.
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            var normal = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);

            // The exponential keeps the mid positive and the drift term keeps its expected value unchanged. The clamp
            // keeps it convertible to decimal and lets a walk that sank to the minimum recover.
            var next = Mid * Math.Exp((volatility * normal) - (volatility * volatility / 2));
            Mid = Math.Clamp(next, MinimumMid, MaximumMid);
        }
    }
}
