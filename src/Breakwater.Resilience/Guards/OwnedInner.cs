namespace Breakwater.Resilience.Guards;

/// <summary>
/// Disposes the inner service of a guard exactly once, when the guard owns it (the guard's registration created it).
/// Thread safe.
/// </summary>
internal sealed class OwnedInner(object inner, bool owns)
{
    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (!owns || Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        switch (inner)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    public void Dispose()
    {
        if (!owns || Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        switch (inner)
        {
            case IDisposable disposable:
                disposable.Dispose();
                break;
            case IAsyncDisposable asyncDisposable:
                // A container disposed synchronously still has to drain an inner service that only disposes
                // asynchronously (the journal's group-commit writer), so this blocks until it has.
                asyncDisposable.DisposeAsync().AsTask().GetAwaiter().GetResult();
                break;
        }
    }
}
