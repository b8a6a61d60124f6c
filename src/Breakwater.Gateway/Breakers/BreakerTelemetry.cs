using Breakwater.Domain.Orders;
using Breakwater.Health.Metrics;
using Breakwater.Health.Monitoring;
using Breakwater.Resilience.CircuitBreaking;
using HealthBreakerState = Breakwater.Health.Breakers.BreakerState;
using ResilienceBreakerState = Breakwater.Resilience.CircuitBreaking.BreakerState;

namespace Breakwater.Gateway.Breakers;

/// <summary>
/// Connects the circuit breakers and the order manager to health and metrics while the host runs: every breaker
/// transition is counted and starts a probe of its dependency at once, so that readiness follows the breaker without
/// waiting for the next probe interval; every rejection is counted; every order that becomes final counts as filled,
/// cancelled or rejected.
/// </summary>
/// <remarks>
/// The breakers log their own transitions, so this service logs nothing. Accepted and failed submits are counted by
/// <see cref="OrderOutcomeRecorder"/> where the API answers them.
/// </remarks>
internal sealed class BreakerTelemetry(
    BreakerRegistry breakers,
    BreakwaterMetrics metrics,
    DependencyMonitor monitor,
    OrderManager orders) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var breaker in breakers.Breakers)
        {
            breaker.Transitioned += OnTransitioned;
            breaker.Rejected += OnRejected;
        }

        orders.OrderFinalized += OnOrderFinalized;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        orders.OrderFinalized -= OnOrderFinalized;
        foreach (var breaker in breakers.Breakers)
        {
            breaker.Transitioned -= OnTransitioned;
            breaker.Rejected -= OnRejected;
        }

        return Task.CompletedTask;
    }

    internal static HealthBreakerState ToHealthState(ResilienceBreakerState state) => state switch
    {
        ResilienceBreakerState.Closed => HealthBreakerState.Closed,
        ResilienceBreakerState.Open => HealthBreakerState.Open,
        ResilienceBreakerState.HalfOpen => HealthBreakerState.HalfOpen,
        ResilienceBreakerState.Isolated => HealthBreakerState.Isolated,
        _ => HealthBreakerState.Disabled,
    };

    private void OnTransitioned(object? sender, BreakerTransition transition)
    {
        metrics.RecordBreakerTransition(
            transition.BreakerName, ToHealthState(transition.From), ToHealthState(transition.To));
        monitor.RequestProbe(transition.BreakerName);
    }

    private void OnRejected(CircuitBreaker breaker, ResilienceBreakerState state) =>
        metrics.RecordBreakerRejection(breaker.Name);

    // Runs under the order's journal lock, so it only adds to a counter.
    private void OnOrderFinalized(Order order)
    {
        var outcome = order.Status switch
        {
            OrderStatus.Filled => OrderOutcomeRecorder.Filled,
            OrderStatus.Cancelled => OrderOutcomeRecorder.Cancelled,
            OrderStatus.Rejected => OrderOutcomeRecorder.Rejected,
            _ => null,
        };
        if (outcome is not null)
        {
            metrics.RecordOrderOutcome(outcome);
        }
    }
}

/// <summary>
/// Counts the submits the order API answers: <c>accepted</c> when the order was journaled and handed to the broker
/// (201, or 202 while its outcome is reconciled), <c>failed</c> when a dependency was unavailable (503). A broker
/// rejection counts as <c>rejected</c> once the order is final, through <see cref="BreakerTelemetry"/>.
/// </summary>
public sealed class OrderOutcomeRecorder(BreakwaterMetrics metrics)
{
    public const string Accepted = "accepted";

    public const string Rejected = "rejected";

    public const string Filled = "filled";

    public const string Cancelled = "cancelled";

    public const string Failed = "failed";

    /// <summary>Counts a submit that created an order, unless the broker rejected it at once.</summary>
    public void RecordSubmitted(SubmitResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Outcome != SubmitOutcome.Existing && result.Order.Status != OrderStatus.Rejected)
        {
            metrics.RecordOrderOutcome(Accepted);
        }
    }

    /// <summary>Counts a submit that failed because a dependency was unavailable.</summary>
    public void RecordFailed() => metrics.RecordOrderOutcome(Failed);
}
