using Breakwater.Ibkr.Supervision;

namespace Breakwater.Ibkr.Tests.Supervision;

public sealed class IbkrBackoffTests
{
    private static readonly TimeSpan Initial = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 4)]
    [InlineData(5, 32)]
    public void Compute_NoJitter_Doubles(int attempt, int expectedSeconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), IbkrBackoff.Compute(attempt, Initial, Max, 0, 0.5));
    }

    [Theory]
    [InlineData(6)]
    [InlineData(30)]
    [InlineData(1000)]
    public void Compute_ManyAttempts_CappedAtMax(int attempt)
    {
        Assert.Equal(Max, IbkrBackoff.Compute(attempt, Initial, Max, 0, 0.5));
    }

    [Fact]
    public void Compute_Jitter_SpreadsWithinRatio()
    {
        var low = IbkrBackoff.Compute(3, Initial, Max, 0.2, 0.0);
        var high = IbkrBackoff.Compute(3, Initial, Max, 0.2, 0.999999);

        Assert.Equal(TimeSpan.FromSeconds(6.4), low);
        Assert.True(high > TimeSpan.FromSeconds(9.59), $"high is {high}");
        Assert.True(high <= TimeSpan.FromSeconds(9.6), $"high is {high}");
    }

    [Fact]
    public void Compute_JitterAtCap_NeverExceedsCap()
    {
        Assert.Equal(Max, IbkrBackoff.Compute(20, Initial, Max, 0.5, 0.999));
    }
}
