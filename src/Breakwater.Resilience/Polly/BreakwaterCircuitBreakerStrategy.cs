using Breakwater.Resilience.CircuitBreaking;
using Polly;

namespace Breakwater.Resilience.Polly;

/// <summary>
/// Runs the calls of a Polly v8 <see cref="ResiliencePipeline"/> through a Breakwater <see cref="CircuitBreaker"/>,
/// with the breaker's call timeout and probe timeout.
/// </summary>
/// <remarks>
/// A rejected call ends with <see cref="BreakerOpenException"/> and a timed-out call with
/// <see cref="BreakerTimeoutException"/>, both as the outcome's exception, so that an outer retry strategy can decide
/// on them.
/// NOTE: Polly 8.9.1 lets only its own strategies replace <see cref="ResilienceContext.CancellationToken"/>, so the
/// breaker's timeout here abandons the call (the caller gets the timeout and the breaker counts a failure) but does
/// not cancel the callback's token. Add Polly's timeout strategy inside this one when the callback must be cancelled,
/// or call <see cref="CircuitBreaker.ExecuteAsync{TResult, TState}"/>, which does both.
/// </remarks>
internal sealed class BreakwaterCircuitBreakerStrategy(CircuitBreaker breaker, Func<object?, bool>? isFailureResult)
    : ResilienceStrategy
{
    protected override async ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
    {
        var lease = breaker.TryAcquire();
        if (!lease.IsAcquired)
        {
            var rejection = new BreakerOpenException(breaker.Name, lease.State, lease.RetryAfter);
            return Outcome.FromException<TResult>(rejection);
        }

        var callerToken = context.CancellationToken;
        Outcome<TResult> outcome;
        if (breaker.TimeoutFor(lease) is not { } timeout)
        {
            outcome = await InvokeAsync(callback, context, state, callerToken).ConfigureAwait(false);
            Record(lease, outcome, callerToken);
            return outcome;
        }

        using var timeoutSource = breaker.CreateTimeoutSource(timeout);
        using var registration = callerToken.UnsafeRegister(
            static source => ((CancellationTokenSource)source!).Cancel(), timeoutSource);
        outcome = await InvokeAsync(callback, context, state, timeoutSource.Token).ConfigureAwait(false);

        if (outcome.Exception is OperationCanceledException cancelled
            && timeoutSource.IsCancellationRequested
            && !callerToken.IsCancellationRequested)
        {
            lease.RecordFailure();
            return Outcome.FromException<TResult>(new BreakerTimeoutException(breaker.Name, timeout, cancelled));
        }

        Record(lease, outcome, callerToken);
        return outcome;
    }

    private static async ValueTask<Outcome<TResult>> InvokeAsync<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state,
        CancellationToken abandonToken)
    {
        try
        {
            return await AbandonableAwait.AwaitAsync(callback(context, state), abandonToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Polly strategies return exceptions as outcomes instead of throwing them.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return Outcome.FromException<TResult>(exception);
        }
    }

    private void Record<TResult>(in BreakerLease lease, Outcome<TResult> outcome, CancellationToken callerToken)
    {
        if (outcome.Exception is { } exception)
        {
            lease.RecordException(exception, callerToken);
        }
        else if (isFailureResult is not null && isFailureResult(outcome.Result))
        {
            lease.RecordFailure();
        }
        else
        {
            lease.RecordSuccess();
        }
    }
}

/// <summary>Options of the strategy added by <c>AddBreakwaterCircuitBreaker</c>.</summary>
public sealed class BreakwaterCircuitBreakerStrategyOptions : ResilienceStrategyOptions
{
    public BreakwaterCircuitBreakerStrategyOptions()
    {
        Name = "BreakwaterCircuitBreaker";
    }
}
