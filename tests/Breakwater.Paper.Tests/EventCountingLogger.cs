using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Breakwater.Paper.Tests;

/// <summary>A logger that counts the entries written under each event id.</summary>
internal sealed class EventCountingLogger<T> : ILogger<T>
{
    private readonly ConcurrentDictionary<int, int> _counts = new();

    public int Count(int eventId) => _counts.GetValueOrDefault(eventId);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(
        LogLevel logLevel,
        EventId eventId,
        TState state,
        Exception? exception,
        Func<TState, Exception?, string> formatter) =>
        _counts.AddOrUpdate(eventId.Id, 1, (_, count) => count + 1);
}
