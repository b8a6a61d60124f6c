using Breakwater.Domain.Brokers;
using Breakwater.Resilience.CircuitBreaking;
using Microsoft.Extensions.Time.Testing;

namespace Breakwater.Resilience.Tests.CircuitBreaking;

/// <summary>Builds breakers on a fake clock, with jitter off unless a test sets it.</summary>
internal static class TestBreakers
{
    public static FakeTimeProvider NewClock() => new(new DateTimeOffset(2026, 3, 2, 14, 30, 0, TimeSpan.Zero));

    public static CircuitBreaker Create(
        FakeTimeProvider time, Action<BreakerOptions>? configure = null, string name = "broker", Random? random = null)
    {
        var options = new BreakerOptions { BreakDurationJitter = 0 };
        configure?.Invoke(options);
        return new CircuitBreaker(name, options, time, random: random);
    }

    public static ValueTask<BreakerOutcome<int>> FailAsync(CircuitBreaker breaker, Exception? exception = null) =>
        breaker.ExecuteOutcomeAsync(
            static (failure, _) => ValueTask.FromException<int>(failure),
            exception ?? new IOException("The connection was reset."),
            CancellationToken.None);

    public static ValueTask<BreakerOutcome<int>> SucceedAsync(CircuitBreaker breaker) =>
        breaker.ExecuteOutcomeAsync(static (_, _) => ValueTask.FromResult(42), 0, CancellationToken.None);

    public static ValueTask<BreakerOutcome<int>> RejectAsync(CircuitBreaker breaker) =>
        FailAsync(breaker, new BrokerRejectionException(BrokerRejectionCode.InsufficientFunds, "Not enough cash."));

    public static async Task TripAsync(CircuitBreaker breaker, int failures = 3)
    {
        for (int i = 0; i < failures; i++)
        {
            await FailAsync(breaker);
        }
    }

    /// <summary>Returns a task that completes only when <paramref name="token"/> is cancelled.</summary>
    public static Task<int> WaitForCancellation(CancellationToken token)
    {
        var completion = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => completion.TrySetCanceled(token));
        return completion.Task;
    }
}
