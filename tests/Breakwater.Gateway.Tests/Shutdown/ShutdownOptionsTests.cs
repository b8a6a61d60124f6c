using Breakwater.Gateway.Shutdown;

namespace Breakwater.Gateway.Tests.Shutdown;

public sealed class ShutdownOptionsTests
{
    private const StringComparison Ordinal = StringComparison.Ordinal;

    [Fact]
    public void EffectiveHostTimeout_NotSet_AddsTenSecondsToSequence()
    {
        var options = new ShutdownOptions { DrainDelay = TimeSpan.FromSeconds(5), CancelTimeout = TimeSpan.FromSeconds(20) };

        Assert.Equal(TimeSpan.FromSeconds(35), options.EffectiveHostTimeout);
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void Validate_HostTimeoutTooShort_NamesOptionAndValues()
    {
        var options = new ShutdownOptions
        {
            DrainDelay = TimeSpan.FromSeconds(5),
            CancelTimeout = TimeSpan.FromSeconds(20),
            HostTimeout = TimeSpan.FromSeconds(26),
        };

        var error = Assert.Single(options.Validate());

        Assert.Equal(
            "Breakwater:Shutdown:HostTimeout must be at least DrainDelay + CancelTimeout + 2 s (00:00:27), so that the " +
            "cancels finish before the host gives up stopping, but it is 00:00:26.",
            error);
    }

    [Fact]
    public void Validate_OutOfRange_ListsEveryOffender()
    {
        var options = new ShutdownOptions
        {
            CancelTimeout = TimeSpan.Zero,
            MaxConcurrentCancels = 0,
            DrainDelay = TimeSpan.FromMinutes(11),
        };

        var errors = options.Validate();

        Assert.Contains(errors, error => error.StartsWith("Breakwater:Shutdown:CancelTimeout must be", Ordinal));
        Assert.Contains(errors, error => error.StartsWith("Breakwater:Shutdown:MaxConcurrentCancels must be", Ordinal));
        Assert.Contains(errors, error => error.StartsWith("Breakwater:Shutdown:DrainDelay must be", Ordinal));
    }

    [Fact]
    public void Validate_StartupTimeoutZero_NamesOption()
    {
        var options = new StartupRecoveryOptions { Timeout = TimeSpan.Zero };

        var error = Assert.Single(options.Validate());

        Assert.Equal(
            "Breakwater:Startup:Timeout must be between 00:00:00.1000000 and 01:00:00, but it is 00:00:00.", error);
    }
}
