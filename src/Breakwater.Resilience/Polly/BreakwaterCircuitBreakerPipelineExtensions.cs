using Breakwater.Resilience.CircuitBreaking;
using Polly;

namespace Breakwater.Resilience.Polly;

/// <summary>Adds a Breakwater <see cref="CircuitBreaker"/> to a Polly v8 pipeline.</summary>
public static class BreakwaterCircuitBreakerPipelineExtensions
{
    /// <summary>
    /// Adds a strategy that runs each call through <paramref name="breaker"/>. Put it inside a retry strategy so that
    /// every attempt passes the breaker; the breaker's call timeout then applies per attempt.
    /// </summary>
    /// <param name="breaker">The breaker; one breaker may serve several pipelines.</param>
    /// <param name="isFailureResult">Counts a result as a failure when it returns true; optional.</param>
    public static TBuilder AddBreakwaterCircuitBreaker<TBuilder>(
        this TBuilder builder,
        CircuitBreaker breaker,
        Func<object?, bool>? isFailureResult = null)
        where TBuilder : ResiliencePipelineBuilderBase
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(breaker);

        return builder.AddStrategy(
            _ => new BreakwaterCircuitBreakerStrategy(breaker, isFailureResult),
            new BreakwaterCircuitBreakerStrategyOptions());
    }
}
