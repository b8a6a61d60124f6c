using Breakwater.Domain.Lifecycle;

namespace Breakwater.Gateway.Hosting;

/// <summary>
/// Moves the lifecycle to stopping as soon as the host begins to stop (SIGTERM, Ctrl+C), so that orders arriving
/// during shutdown get 503 instead of reaching a broker connection that is about to close.
/// </summary>
internal sealed class LifecycleStoppingService(IHostApplicationLifetime lifetime, GatewayLifecycle lifecycle) : IHostedService
{
    private CancellationTokenRegistration _registration;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registration = lifetime.ApplicationStopping.Register(() => lifecycle.MarkStopping());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _registration.Dispose();
        return Task.CompletedTask;
    }
}
