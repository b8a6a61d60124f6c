using Breakwater.Resilience.CircuitBreaking;
using Breakwater.Resilience.Guards;

namespace Breakwater.Resilience.Tests.CircuitBreaking;

public sealed class BreakerOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var result = new BreakerOptionsValidator().Validate("broker", new BreakerOptions());

        Assert.True(result.Succeeded);
    }

    [Fact]
    public void Validate_FailureRatioAboveOne_NamesOptionRuleAndValue()
    {
        var result = new BreakerOptionsValidator().Validate("broker", new BreakerOptions { FailureRatio = 1.5 });

        Assert.True(result.Failed);
        Assert.Equal(
            ["Breakwater:Breakers:broker:FailureRatio must be between 0 and 1 (exclusive of 0); it was 1.5."],
            result.Failures);
    }

    private const string Path = "Breakwater:Breakers:database:";

    [Theory]
    [InlineData(
        "FailureThreshold",
        Path + "FailureThreshold must be between 0 and 1000 (0 turns the policy off); it was -1.")]
    [InlineData("HalfOpenProbes", Path + "HalfOpenProbes must be between 1 and 100; it was 0.")]
    [InlineData(
        "MaxBreakDuration",
        Path + "MaxBreakDuration must be between BreakDuration (00:00:30) and 1.00:00:00; it was 00:00:10.")]
    [InlineData(
        "ProbeTimeout",
        Path + "ProbeTimeout must be above 00:00:00 and at most 01:00:00; it was 00:00:00.")]
    [InlineData(
        "BreakDurationJitter",
        Path + "BreakDurationJitter must be between 0 and 1 (exclusive of 1); it was 1.")]
    [InlineData(
        "SamplingDuration",
        Path + "SamplingDuration must be between 00:00:00.1000000 and 01:00:00; it was 00:00:00.0500000.")]
    public void Validate_InvalidOption_ReturnsMessage(string option, string expected)
    {
        var options = new BreakerOptions();
        switch (option)
        {
            case "FailureThreshold": options.FailureThreshold = -1; break;
            case "HalfOpenProbes": options.HalfOpenProbes = 0; break;
            case "MaxBreakDuration": options.MaxBreakDuration = TimeSpan.FromSeconds(10); break;
            case "ProbeTimeout": options.ProbeTimeout = TimeSpan.Zero; break;
            case "BreakDurationJitter": options.BreakDurationJitter = 1; break;
            default: options.SamplingDuration = TimeSpan.FromMilliseconds(50); break;
        }

        var result = new BreakerOptionsValidator().Validate("database", options);

        Assert.Equal([expected], result.Failures);
    }

    [Fact]
    public void Validate_NoTripPolicy_ExplainsWhichPoliciesAreOff()
    {
        var result = new BreakerOptionsValidator().Validate("marketData", new BreakerOptions { FailureThreshold = 0 });

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Breakwater:Breakers:marketData must enable at least one trip policy", failure);
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsWithOptionName()
    {
        var thrown = Assert.Throws<ArgumentException>(() =>
            new CircuitBreaker("broker", new BreakerOptions { HalfOpenProbes = 101 }));

        Assert.Contains(
            "Breakwater:Breakers:broker:HalfOpenProbes must be between 1 and 100; it was 101.", thrown.Message);
    }

    [Fact]
    public void GuardValidate_RetryAttemptsTooHigh_NamesOptionRuleAndValue()
    {
        var result = new GuardOptionsValidator().Validate("broker", new GuardOptions { RetryAttempts = 11 });

        Assert.Equal(["Breakwater:Guards:broker:RetryAttempts must be between 0 and 10; it was 11."], result.Failures);
    }
}
