using Breakwater.Health.Breakers;
using Breakwater.Health.Monitoring;
using Breakwater.Health.Options;
using Breakwater.Health.Probes;

namespace Breakwater.Health.Tests;

public sealed class HealthEvaluatorTests
{
    private static readonly ProbeResult Passing = ProbeResult.Healthy(3, "ms");

    [Theory]
    [InlineData(BreakerState.Closed, HealthStatus.Healthy)]
    [InlineData(BreakerState.Disabled, HealthStatus.Healthy)]
    [InlineData(BreakerState.Open, HealthStatus.Unhealthy)]
    [InlineData(BreakerState.HalfOpen, HealthStatus.Degraded)]
    [InlineData(BreakerState.Isolated, HealthStatus.Unhealthy)]
    public void Evaluate_BreakerStateWithDefaults_MapsToStatus(BreakerState state, HealthStatus expected)
    {
        var (status, _) = HealthEvaluator.Evaluate(Passing, new BreakerView(state), new DependencyHealthOptions());

        Assert.Equal(expected, status);
    }

    [Fact]
    public void Evaluate_OpenBreakerConfiguredDegraded_ReturnsDegraded()
    {
        var options = new DependencyHealthOptions { OpenBreakerStatus = HealthStatus.Degraded };

        var (status, output) = HealthEvaluator.Evaluate(Passing, new BreakerView(BreakerState.Open), options);

        Assert.Equal(HealthStatus.Degraded, status);
        Assert.Equal(ProbeOutputs.BreakerOpen, output);
    }

    [Fact]
    public void Evaluate_HalfOpenBreakerConfiguredUnhealthy_ReturnsUnhealthy()
    {
        var options = new DependencyHealthOptions { HalfOpenBreakerStatus = HealthStatus.Unhealthy };

        var (status, output) = HealthEvaluator.Evaluate(Passing, new BreakerView(BreakerState.HalfOpen), options);

        Assert.Equal(HealthStatus.Unhealthy, status);
        Assert.Equal(ProbeOutputs.BreakerHalfOpen, output);
    }

    [Fact]
    public void Evaluate_IsolatedBreakerConfiguredDegraded_StaysUnhealthy()
    {
        var options = new DependencyHealthOptions
        {
            OpenBreakerStatus = HealthStatus.Degraded,
            HalfOpenBreakerStatus = HealthStatus.Degraded,
        };

        var (status, output) = HealthEvaluator.Evaluate(Passing, new BreakerView(BreakerState.Isolated), options);

        Assert.Equal(HealthStatus.Unhealthy, status);
        Assert.Equal(ProbeOutputs.BreakerIsolated, output);
    }

    [Fact]
    public void Evaluate_IsolatedBreakerDuringExpectedOutage_ReturnsDegraded()
    {
        var breaker = new BreakerView(BreakerState.Isolated, ExpectedOutage: true);

        var (status, output) = HealthEvaluator.Evaluate(Passing, breaker, new DependencyHealthOptions());

        Assert.Equal(HealthStatus.Degraded, status);
        Assert.Equal(ProbeOutputs.BreakerIsolated, output);
    }

    [Fact]
    public void Evaluate_UnhealthyProbeDuringExpectedOutage_StaysUnhealthy()
    {
        var breaker = new BreakerView(BreakerState.Isolated, ExpectedOutage: true);

        var (status, _) = HealthEvaluator.Evaluate(
            ProbeResult.Unhealthy(ProbeOutputs.ConnectionFailed), breaker, new DependencyHealthOptions());

        Assert.Equal(HealthStatus.Unhealthy, status);
    }

    [Fact]
    public void Evaluate_FailingProbeBehindHalfOpenBreaker_KeepsWorseStatusAndBothOutputs()
    {
        var probe = ProbeResult.Unhealthy(ProbeOutputs.ConnectionFailed);

        var (status, output) = HealthEvaluator.Evaluate(
            probe, new BreakerView(BreakerState.HalfOpen), new DependencyHealthOptions());

        Assert.Equal(HealthStatus.Unhealthy, status);
        Assert.Equal($"{ProbeOutputs.BreakerHalfOpen} {ProbeOutputs.ConnectionFailed}", output);
    }

    [Fact]
    public void Evaluate_NoBreaker_UsesProbeStatus()
    {
        var (status, output) = HealthEvaluator.Evaluate(Passing, null, new DependencyHealthOptions());

        Assert.Equal(HealthStatus.Healthy, status);
        Assert.Null(output);
    }

    [Theory]
    [InlineData(HealthStatus.Healthy, true, HealthStatus.Healthy, false, HealthStatus.Healthy)]
    [InlineData(HealthStatus.Unhealthy, true, HealthStatus.Healthy, false, HealthStatus.Unhealthy)]
    [InlineData(HealthStatus.Healthy, true, HealthStatus.Unhealthy, false, HealthStatus.Degraded)]
    [InlineData(HealthStatus.Degraded, true, HealthStatus.Healthy, false, HealthStatus.Degraded)]
    [InlineData(HealthStatus.Degraded, true, HealthStatus.Unhealthy, false, HealthStatus.Degraded)]
    [InlineData(HealthStatus.Healthy, true, HealthStatus.Unhealthy, true, HealthStatus.Unhealthy)]
    [InlineData(HealthStatus.Unhealthy, false, HealthStatus.Unhealthy, false, HealthStatus.Degraded)]
    public void Combine_Criticality_DecidesServiceStatus(
        HealthStatus first,
        bool firstCritical,
        HealthStatus second,
        bool secondCritical,
        HealthStatus expected)
    {
        var dependencies = new[] { Entry("database", first, firstCritical), Entry("marketData", second, secondCritical) };

        Assert.Equal(expected, HealthSnapshot.Combine(dependencies));
    }

    private static DependencySnapshot Entry(string name, HealthStatus status, bool critical) => new(
        name, "check", "component", critical, status, status, null, null, null,
        DateTimeOffset.UnixEpoch, TimeSpan.Zero, null, DateTimeOffset.UnixEpoch, null, null);
}
