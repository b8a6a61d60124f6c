using Breakwater.Paper.Broker;
using Microsoft.Extensions.Hosting;

namespace Breakwater.Paper;

/// <summary>Loads the paper broker's book at start and runs its loop until the host stops.</summary>
internal sealed class PaperBrokerHostedService(PaperBroker broker) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        broker.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => broker.StopAsync();
}
