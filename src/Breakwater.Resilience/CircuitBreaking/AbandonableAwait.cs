namespace Breakwater.Resilience.CircuitBreaking;

/// <summary>Awaits a call but gives up when a token is cancelled, even if the call ignores that token.</summary>
internal static class AbandonableAwait
{
    /// <summary>
    /// Returns the result of <paramref name="pending"/>, or throws <see cref="OperationCanceledException"/> as soon as
    /// <paramref name="cancellationToken"/> is cancelled. An abandoned call keeps running; its exception is observed
    /// so that it does not surface as an unobserved task exception.
    /// </summary>
    public static async ValueTask<T> AwaitAsync<T>(ValueTask<T> pending, CancellationToken cancellationToken)
    {
        if (pending.IsCompleted)
        {
            return pending.Result;
        }

        var task = pending.AsTask();
        try
        {
            return await task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!task.IsCompleted)
        {
            _ = task.ContinueWith(
                static completed => _ = completed.Exception,
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            throw;
        }
    }
}
