using Breakwater.Resilience.CircuitBreaking;
using Microsoft.Extensions.Logging;
using static Breakwater.Resilience.Tests.CircuitBreaking.TestBreakers;

namespace Breakwater.Resilience.Tests.CircuitBreaking;

public sealed class TransitionLogTests
{
    [Fact]
    public async Task Log_FullCycleAndIsolation_OneEntryPerTransitionAtItsLevel()
    {
        var time = NewClock();
        var logger = new ListLogger();
        var breaker = new CircuitBreaker(
            "database", new BreakerOptions { BreakDurationJitter = 0 }, time, logger);

        await TripAsync(breaker);
        time.Advance(TimeSpan.FromSeconds(30));
        await SucceedAsync(breaker);
        breaker.Isolate("Failover to the standby database.");
        breaker.Reset();

        Assert.Equal(
            [
                (LogLevel.Warning, "BreakerOpened"),
                (LogLevel.Information, "BreakerHalfOpened"),
                (LogLevel.Information, "BreakerClosed"),
                (LogLevel.Warning, "BreakerIsolated"),
                (LogLevel.Information, "BreakerClosed"),
            ],
            logger.Entries.Select(e => (e.Level, e.EventId.Name)));
        Assert.Equal(
            "Circuit breaker database opened from Closed for 00:00:30 (ConsecutiveFailures): 3 consecutive failures.",
            logger.Entries[0].Message);
        Assert.Equal(
            "Circuit breaker database isolated by an operator from Closed: Failover to the standby database.",
            logger.Entries[3].Message);
        Assert.Equal(1100, logger.Entries[0].EventId.Id);
    }

    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, EventId EventId, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(
            LogLevel logLevel,
            EventId eventId,
            TState state,
            Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            lock (Entries)
            {
                Entries.Add((logLevel, eventId, formatter(state, exception)));
            }
        }
    }
}
