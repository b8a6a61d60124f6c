using Breakwater.Paper.Broker;
using Microsoft.Extensions.Hosting;

namespace Breakwater.Paper;

/// <summary>Loads the paper broker's book and runs its loop for the lifetime of the host.</summary>
/// <remarks>
/// The loop starts in <see cref="StartingAsync"/>, before any hosted service's StartAsync, and stops in
/// <see cref="StoppedAsync"/>, after every hosted service's StopAsync. So a service that cancels orders while the host
/// stops still gets the Cancelled updates, whatever the registration order.
/// </remarks>
internal sealed class PaperBrokerHostedService(PaperBroker broker) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        broker.Start();
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => broker.StopAsync(cancellationToken);
}
