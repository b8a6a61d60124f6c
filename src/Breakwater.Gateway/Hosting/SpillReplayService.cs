using Breakwater.Domain.Dependencies;
using Breakwater.Journal.Spill;

namespace Breakwater.Gateway.Hosting;

/// <summary>
/// Replays the journal spill into the database once the database is back: it wakes when a change was spilled and
/// then every <see cref="RetryInterval"/> while changes are pending, and tries a replay whenever the database
/// breaker lets calls through (closed, or half-open so that the replay itself is the probe).
/// </summary>
internal sealed partial class SpillReplayService(
    SpillingOrderJournal journal,
    IDependencyAvailability availability,
    TimeProvider timeProvider,
    ILogger<SpillReplayService> logger) : BackgroundService
{
    /// <summary>The pause between replay attempts while changes are pending.</summary>
    internal static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(250);

    private readonly SemaphoreSlim _wake = new(0, 1);

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        journal.Spilled += Wake;
        try
        {
            var failing = false;
            while (!stoppingToken.IsCancellationRequested)
            {
                if (journal.PendingChanges == 0)
                {
                    await _wake.WaitAsync(stoppingToken);
                }

                await Task.Delay(RetryInterval, timeProvider, stoppingToken);
                if (!availability.IsAvailable(DependencyNames.Database, out _))
                {
                    continue;
                }

                try
                {
                    var result = await journal.ReplayAsync(stoppingToken);
                    if (failing || result.Written + result.AlreadyJournaled > 0)
                    {
                        Log.Replayed(logger, result.Written, result.AlreadyJournaled, journal.PendingChanges);
                    }

                    failing = false;
                }
                catch (Exception exception) when (exception is not OperationCanceledException
                    || !stoppingToken.IsCancellationRequested)
                {
                    if (!failing)
                    {
                        Log.ReplayFailed(logger, journal.PendingChanges, exception);
                    }

                    failing = true;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Pending changes stay in the spill file; the next start replays them before loading open orders.
        }
        finally
        {
            journal.Spilled -= Wake;
        }
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // A wake-up is already pending.
        }
        catch (ObjectDisposedException)
        {
            // The host is stopping.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 2300,
            EventName = "SpillReplayed",
            Level = LogLevel.Information,
            Message = "Replayed the journal spill: {Written} changes written, {AlreadyJournaled} already in the " +
                "database, {Pending} still pending")]
        public static partial void Replayed(ILogger logger, int written, int alreadyJournaled, int pending);

        [LoggerMessage(
            EventId = 2301,
            EventName = "SpillReplayFailed",
            Level = LogLevel.Warning,
            Message = "Replaying the journal spill failed with {Pending} changes pending; retrying while the " +
                "database recovers")]
        public static partial void ReplayFailed(ILogger logger, int pending, Exception exception);
    }
}
