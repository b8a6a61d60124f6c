using System.Collections.Concurrent;
using Breakwater.Health.Breakers;

namespace Breakwater.Health.Tests.Support;

internal sealed class FakeBreakers : IBreakerStateSource
{
    private readonly ConcurrentDictionary<string, BreakerView> _views = new(StringComparer.Ordinal);

    public void Set(string dependency, BreakerState state, TimeSpan? retryAfter = null) =>
        _views[dependency] = new BreakerView(state, retryAfter, "test transition", null);

    public BreakerView? GetBreaker(string dependency) => _views.TryGetValue(dependency, out var view) ? view : null;
}
