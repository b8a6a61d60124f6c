using System.Globalization;
using Breakwater.Domain.Brokers;
using Breakwater.Domain.Dependencies;
using Breakwater.Resilience.CircuitBreaking;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Breakwater.Resilience.Guards;

/// <summary>
/// Runs the calls of one dependency through its breaker with the per-call timeout, retries the repeatable ones, and
/// turns breaker rejections, timeouts and transport failures into <see cref="DependencyUnavailableException"/>.
/// </summary>
/// <remarks>
/// Each attempt of a retried call passes the breaker on its own, so an attempt after the breaker opened is rejected
/// instead of reaching the dependency, and a rejection is never retried. <see cref="BrokerRejectionException"/> and
/// the caller's own cancellation pass through unchanged and are never retried.
/// </remarks>
internal sealed class DependencyGuard
{
    private static readonly ResiliencePropertyKey<string> OperationKey = new("Breakwater.Operation");

    private readonly string _dependency;
    private readonly CircuitBreaker _breaker;
    private readonly ResiliencePipeline _retry;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;

    public DependencyGuard(
        string dependency, CircuitBreaker breaker, GuardOptions options, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dependency);
        ArgumentNullException.ThrowIfNull(breaker);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);

        _dependency = dependency;
        _breaker = breaker;
        _logger = logger;
        _timeProvider = timeProvider;

        var builder = new ResiliencePipelineBuilder { TimeProvider = timeProvider, Name = dependency };
        if (options.RetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.RetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } exception && IsTransient(exception, args.Context.CancellationToken)),
                OnRetry = args =>
                {
                    Log.RetryingCall(
                        _logger,
                        args.Outcome.Exception,
                        _dependency,
                        args.Context.Properties.GetValue(OperationKey, "call"),
                        args.AttemptNumber + 1,
                        args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            });
        }

        _retry = builder.Build();
    }

    public CircuitBreaker Breaker => _breaker;

    /// <summary>Runs a call that is safe to repeat, retrying transient failures with exponential backoff.</summary>
    public Task<TResult> RunRetriedAsync<TResult, TState>(
        string operation,
        Func<TState, CancellationToken, ValueTask<TResult>> call,
        TState state,
        CancellationToken cancellationToken) =>
        RunRetriedCoreAsync(operation, call, state, cancellationToken, throughBreaker: true);

    private async Task<TResult> RunRetriedCoreAsync<TResult, TState>(
        string operation,
        Func<TState, CancellationToken, ValueTask<TResult>> call,
        TState state,
        CancellationToken cancellationToken,
        bool throughBreaker)
    {
        var context = ResilienceContextPool.Shared.Get(operation, cancellationToken);
        context.Properties.Set(OperationKey, operation);
        try
        {
            return await _retry.ExecuteAsync(
                static (ctx, args) => args.ThroughBreaker
                    ? args.Breaker.ExecuteAsync(args.Call, args.State, ctx.CancellationToken)
                    : args.Call(args.State, ctx.CancellationToken),
                context,
                (Breaker: _breaker, Call: call, State: state, ThroughBreaker: throughBreaker)).ConfigureAwait(false);
        }
        catch (Exception exception)
            when (Translate(operation, exception, cancellationToken, requestStarted: false) is { } translated)
        {
            throw translated;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// Runs a call that is safe to repeat and that lowers risk (a cancel), retrying transient failures like
    /// <see cref="RunRetriedAsync"/>, but never refused by the breaker: while it is closed or half-open the call passes
    /// it as usual (and may serve as the half-open probe); while it is open or isolated the call goes to the
    /// dependency directly, bounded by the call timeout, and its outcome is not recorded, so that it neither closes
    /// the breaker nor extends the break.
    /// </summary>
    public Task<TResult> RunRetriedPastBreakerAsync<TResult, TState>(
        string operation,
        Func<TState, CancellationToken, ValueTask<TResult>> call,
        TState state,
        CancellationToken cancellationToken) =>
        RunRetriedCoreAsync(
            operation,
            static (args, token) => args.Guard.PassBreakerOrBypassAsync(args.Call, args.State, token),
            (Guard: this, Call: call, State: state),
            cancellationToken,
            throughBreaker: false);

    /// <summary>
    /// Runs a call that must not be repeated, once. Any failure after <paramref name="call"/> started, apart from a
    /// business rejection or a <see cref="DependencyUnavailableException"/> raised by the dependency itself, is
    /// reported with <see cref="DependencyUnavailableException.RequestMayHaveReachedDependency"/> set.
    /// </summary>
    public async Task<TResult> RunOnceAsync<TResult, TState>(
        string operation,
        Func<TState, CancellationToken, ValueTask<TResult>> call,
        TState state,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        var attempt = new OnceAttempt<TResult, TState>(call, state);
        try
        {
            return await _breaker.ExecuteAsync(
                static (run, token) => run.InvokeAsync(token), attempt, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
            when (Translate(operation, exception, cancellationToken, attempt.Started) is { } translated)
        {
            if (translated.RequestMayHaveReachedDependency)
            {
                Log.OutcomeUncertain(_logger, exception, _dependency, operation);
            }

            throw translated;
        }
    }

    private async ValueTask<TResult> PassBreakerOrBypassAsync<TResult, TState>(
        Func<TState, CancellationToken, ValueTask<TResult>> call,
        TState state,
        CancellationToken cancellationToken)
    {
        if (_breaker.State is not (BreakerState.Open or BreakerState.Isolated))
        {
            try
            {
                return await _breaker.ExecuteAsync(call, state, cancellationToken).ConfigureAwait(false);
            }
            catch (BreakerOpenException)
            {
                // The breaker opened, or its probe slots filled, between the read above and the call: bypass it.
            }
        }

        var timeout = _breaker.CallTimeout;
        if (timeout is null)
        {
            return await call(state, cancellationToken).ConfigureAwait(false);
        }

        // The call gets a token that fires at the timeout, and is abandoned then if it does not observe it.
        using var timer = new CancellationTokenSource(timeout.Value, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            return await call(state, linked.Token).AsTask()
                .WaitAsync(timeout.Value, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is TimeoutException
            || (exception is OperationCanceledException && timer.IsCancellationRequested
                && !cancellationToken.IsCancellationRequested))
        {
            throw new BreakerTimeoutException(_breaker.Name, timeout.Value, exception);
        }
    }

    private bool IsTransient(Exception exception, CancellationToken cancellationToken)
    {
        if (exception is BreakerOpenException or BrokerRejectionException)
        {
            return false;
        }

        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        return exception is BreakerTimeoutException || _breaker.ShouldCount(exception);
    }

    private DependencyUnavailableException? Translate(
        string operation, Exception exception, CancellationToken cancellationToken, bool requestStarted)
    {
        switch (exception)
        {
            case BreakerOpenException open:
                return new DependencyUnavailableException(
                    _dependency,
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"The {_dependency} circuit breaker is {open.State}, so {operation} was not attempted."),
                    open.RetryAfter,
                    requestMayHaveReachedDependency: false,
                    open);

            case BrokerRejectionException:
                return null;

            case DependencyUnavailableException:
                // The dependency's adapter raised it and set RequestMayHaveReachedDependency itself.
                return null;

            case BreakerTimeoutException timeout:
                return new DependencyUnavailableException(
                    _dependency,
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"{operation} on {_dependency} timed out after {timeout.Timeout.TotalSeconds:0.###} s."),
                    retryAfter: null,
                    requestStarted,
                    timeout);

            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                return requestStarted
                    ? new DependencyUnavailableException(
                        _dependency,
                        $"{operation} on {_dependency} was cancelled by its caller after the request was sent.",
                        retryAfter: null,
                        requestMayHaveReachedDependency: true,
                        exception)
                    : null;

            default:
                return requestStarted || _breaker.ShouldCount(exception)
                    ? new DependencyUnavailableException(
                        _dependency,
                        $"{operation} on {_dependency} failed with {exception.GetType().Name}: {exception.Message}",
                        retryAfter: null,
                        requestStarted,
                        exception)
                    : null;
        }
    }

    private sealed class OnceAttempt<TResult, TState>(
        Func<TState, CancellationToken, ValueTask<TResult>> call, TState state)
    {
        private int _started;

        public bool Started => Volatile.Read(ref _started) != 0;

        public ValueTask<TResult> InvokeAsync(CancellationToken cancellationToken)
        {
            Volatile.Write(ref _started, 1);
            return call(state, cancellationToken);
        }
    }
}
