using Breakwater.Health.Tests.Support;

namespace Breakwater.Health.Tests;

/// <summary>The validator must reject bodies that break the draft, or the readiness tests would prove nothing.</summary>
public sealed class HealthJsonValidatorTests
{
    private const string ContentType = "application/health+json";

    [Fact]
    public void Validate_ConformingBody_ReturnsNoErrors()
    {
        var body = """
            {"status":"warn","checks":{"db:responseTime":[{"componentId":"db","status":"warn",
            "observedValue":5,"observedUnit":"ms","time":"2026-12-07T15:00:00.000Z","output":"Slow."}]}}
            """;

        Assert.Empty(HealthJsonValidator.Validate(ContentType, body));
    }

    [Theory]
    [InlineData("""{"status":"ok"}""")]
    [InlineData("""{"version":"1"}""")]
    [InlineData("""{"status":"pass","checks":{"database":[{"status":"pass"}]}}""")]
    [InlineData("""{"status":"pass","checks":{"db:ping":{"status":"pass"}}}""")]
    [InlineData("""{"status":"pass","checks":{"db:ping":["pass"]}}""")]
    [InlineData("""{"status":"pass","checks":{"db:ping":[{"status":"pass","time":"07/12/2026 15:00"}]}}""")]
    [InlineData("""{"status":"pass","checks":{"db:ping":[{"status":"pass","observedValue":3}]}}""")]
    [InlineData("""{"status":"pass","checks":{"db:ping":[{"status":"pass","output":"Fine."}]}}""")]
    [InlineData("""{"status":"pass","checks":{"db:ping":[{"status":"up"}]}}""")]
    public void Validate_BrokenBody_ReturnsError(string body)
    {
        Assert.NotEmpty(HealthJsonValidator.Validate(ContentType, body));
    }

    [Fact]
    public void Validate_PlainJsonContentType_ReturnsError()
    {
        Assert.NotEmpty(HealthJsonValidator.Validate("application/json", """{"status":"pass"}"""));
    }
}
