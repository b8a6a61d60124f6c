namespace Breakwater.HealthBench;

/// <summary>
/// Two started readiness hosts over the same kind of dependencies: Breakwater's endpoints
/// (<c>/api/health/ready</c> and <c>/api/health</c>) and ASP.NET Core's stock <c>MapHealthChecks</c> at
/// <c>/health/ready</c>.
/// </summary>
internal interface IReadinessSetup : IAsyncDisposable
{
    /// <summary>A short description of the dependencies for the output, for example the pacing rate.</summary>
    string Description { get; }

    /// <summary>The base address of the Breakwater host.</summary>
    string BreakwaterUrl { get; }

    /// <summary>The base address of the stock host.</summary>
    string StockUrl { get; }

    /// <summary>Reads the dependency calls counted for the Breakwater host so far.</summary>
    CallReading ReadBreakwaterCalls();

    /// <summary>Reads the dependency calls counted for the stock host so far.</summary>
    CallReading ReadStockCalls();
}
