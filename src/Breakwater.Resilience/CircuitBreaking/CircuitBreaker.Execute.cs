namespace Breakwater.Resilience.CircuitBreaking;

public sealed partial class CircuitBreaker
{
    /// <summary>
    /// Runs <paramref name="action"/> through the breaker with the call timeout (the probe timeout for a probe) and
    /// records its outcome.
    /// </summary>
    /// <exception cref="BreakerOpenException">The breaker rejected the call; the action did not run.</exception>
    /// <exception cref="BreakerTimeoutException">The call ran past its timeout and was cancelled.</exception>
    public ValueTask<TResult> ExecuteAsync<TResult>(
        Func<CancellationToken, ValueTask<TResult>> action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        return ExecuteAsync(static (callback, token) => callback(token), action, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="action"/> with <paramref name="state"/> through the breaker with the call timeout (the
    /// probe timeout for a probe) and records its outcome. Passing state avoids allocating a closure.
    /// </summary>
    /// <param name="isFailureResult">Counts a returned result as a failure when it returns true; optional.</param>
    /// <exception cref="BreakerOpenException">The breaker rejected the call; the action did not run.</exception>
    /// <exception cref="BreakerTimeoutException">The call ran past its timeout and was cancelled.</exception>
    public ValueTask<TResult> ExecuteAsync<TResult, TState>(
        Func<TState, CancellationToken, ValueTask<TResult>> action,
        TState state,
        CancellationToken cancellationToken,
        Func<TResult, bool>? isFailureResult = null)
    {
        ArgumentNullException.ThrowIfNull(action);

        var lease = TryAcquire();
        if (!lease.IsAcquired)
        {
            return ValueTask.FromException<TResult>(new BreakerOpenException(Name, lease.State, lease.RetryAfter));
        }

        if (TimeoutFor(lease) is { } timeout)
        {
            return RunWithTimeoutAsync(lease, timeout, action, state, isFailureResult, cancellationToken);
        }

        ValueTask<TResult> pending;
        try
        {
            pending = action(state, cancellationToken);
        }
        catch (Exception exception)
        {
            lease.RecordException(exception, cancellationToken);
            return ValueTask.FromException<TResult>(exception);
        }

        // A call that completed synchronously is recorded here, without the cost of an async state machine.
        if (pending.IsCompletedSuccessfully)
        {
            var result = pending.Result;
            RecordResult(lease, result, isFailureResult);
            return new ValueTask<TResult>(result);
        }

        return AwaitAndRecordAsync(lease, pending, isFailureResult, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="action"/> like <see cref="ExecuteAsync{TResult, TState}"/> but returns every outcome as
    /// a value: a rejection allocates nothing and carries the time until a retry is allowed, and an exception from
    /// the action is captured instead of thrown.
    /// </summary>
    /// <param name="isFailureResult">Counts a returned result as a failure when it returns true; optional.</param>
    public ValueTask<BreakerOutcome<TResult>> ExecuteOutcomeAsync<TResult, TState>(
        Func<TState, CancellationToken, ValueTask<TResult>> action,
        TState state,
        CancellationToken cancellationToken,
        Func<TResult, bool>? isFailureResult = null)
    {
        ArgumentNullException.ThrowIfNull(action);

        var lease = TryAcquire();
        if (!lease.IsAcquired)
        {
            return new ValueTask<BreakerOutcome<TResult>>(
                BreakerOutcome<TResult>.Rejected(lease.State, lease.RetryAfter));
        }

        if (TimeoutFor(lease) is { } timeout)
        {
            return CaptureAsync(
                RunWithTimeoutAsync(lease, timeout, action, state, isFailureResult, cancellationToken));
        }

        ValueTask<TResult> pending;
        try
        {
            pending = action(state, cancellationToken);
        }
#pragma warning disable CA1031 // The outcome carries every exception to the caller instead of throwing it.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            lease.RecordException(exception, cancellationToken);
            return new ValueTask<BreakerOutcome<TResult>>(BreakerOutcome<TResult>.FromException(exception));
        }

        if (pending.IsCompletedSuccessfully)
        {
            var result = pending.Result;
            RecordResult(lease, result, isFailureResult);
            return new ValueTask<BreakerOutcome<TResult>>(BreakerOutcome<TResult>.FromResult(result));
        }

        return CaptureAsync(AwaitAndRecordAsync(lease, pending, isFailureResult, cancellationToken));
    }

    /// <summary>Returns the timeout for a call run under <paramref name="lease"/>, or null for none.</summary>
    internal TimeSpan? TimeoutFor(in BreakerLease lease)
    {
        if (!lease.IsProbe)
        {
            return _callTimeout;
        }

        return _callTimeout is { } callTimeout && callTimeout < _probeTimeout ? callTimeout : _probeTimeout;
    }

    internal CancellationTokenSource CreateTimeoutSource(TimeSpan timeout) => new(timeout, _time);

    private static async ValueTask<TResult> AwaitAndRecordAsync<TResult>(
        BreakerLease lease,
        ValueTask<TResult> pending,
        Func<TResult, bool>? isFailureResult,
        CancellationToken cancellationToken)
    {
        TResult result;
        try
        {
            result = await pending.ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            lease.RecordException(exception, cancellationToken);
            throw;
        }

        RecordResult(lease, result, isFailureResult);
        return result;
    }

    private static async ValueTask<BreakerOutcome<TResult>> CaptureAsync<TResult>(ValueTask<TResult> pending)
    {
        try
        {
            return BreakerOutcome<TResult>.FromResult(await pending.ConfigureAwait(false));
        }
#pragma warning disable CA1031 // The outcome carries every exception to the caller instead of throwing it.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return BreakerOutcome<TResult>.FromException(exception);
        }
    }

    private async ValueTask<TResult> RunWithTimeoutAsync<TResult, TState>(
        BreakerLease lease,
        TimeSpan timeout,
        Func<TState, CancellationToken, ValueTask<TResult>> action,
        TState state,
        Func<TResult, bool>? isFailureResult,
        CancellationToken cancellationToken)
    {
        using var timeoutSource = CreateTimeoutSource(timeout);
        using var registration = cancellationToken.UnsafeRegister(
            static source => ((CancellationTokenSource)source!).Cancel(), timeoutSource);

        TResult result;
        try
        {
            // The wait ends at the timeout even when the action ignores its token, so a hung dependency cannot
            // hold the caller.
            result = await AbandonableAwait.AwaitAsync(action(state, timeoutSource.Token), timeoutSource.Token)
                .ConfigureAwait(false);
        }
        catch (OperationCanceledException exception)
            when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            lease.RecordFailure();
            throw new BreakerTimeoutException(Name, timeout, exception);
        }
        catch (OperationCanceledException exception) when (cancellationToken.IsCancellationRequested)
        {
            lease.Release();
            throw new OperationCanceledException(exception.Message, exception, cancellationToken);
        }
        catch (Exception exception)
        {
            lease.RecordException(exception, cancellationToken);
            throw;
        }

        RecordResult(lease, result, isFailureResult);
        return result;
    }

    private static void RecordResult<TResult>(in BreakerLease lease, TResult result, Func<TResult, bool>? isFailure)
    {
        if (isFailure is not null && isFailure(result))
        {
            lease.RecordFailure();
        }
        else
        {
            lease.RecordSuccess();
        }
    }
}
