using Breakwater.Domain.Lifecycle;
using Breakwater.Domain.Orders;

namespace Breakwater.Gateway.Hosting;

/// <summary>Runs the order manager's reconciler of uncertain submits once the gateway has started.</summary>
internal sealed class OrderReconcilerService(OrderManager orders, GatewayLifecycle lifecycle) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (lifecycle.State == LifecycleState.Starting)
        {
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnChange(LifecycleState state) => started.TrySetResult();
            lifecycle.StateChanged += OnChange;
            try
            {
                if (lifecycle.State == LifecycleState.Starting)
                {
                    await started.Task.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            finally
            {
                lifecycle.StateChanged -= OnChange;
            }
        }

        await orders.RunReconcilerAsync(stoppingToken);
    }
}
