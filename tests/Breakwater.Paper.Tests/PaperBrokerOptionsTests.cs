using Breakwater.Domain.Brokers;
using Breakwater.Domain.MarketData;
using Breakwater.Domain.Orders;
using Breakwater.Paper.Broker;
using Breakwater.Paper.MarketData;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Breakwater.Paper.Tests;

public sealed class PaperBrokerOptionsTests
{
    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var options = new PaperBrokerOptions { DatabasePath = "data/paper-broker.db" };

        var result = new PaperBrokerOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData(nameof(PaperBrokerOptions.TickInterval), "00:00:00")]
    [InlineData(nameof(PaperBrokerOptions.Volatility), "0.5")]
    [InlineData(nameof(PaperBrokerOptions.Spread), "0.015")]
    [InlineData(nameof(PaperBrokerOptions.StartingCash), "0")]
    [InlineData(nameof(PaperBrokerOptions.MaxFillQuantityPerTick), "-1")]
    [InlineData(nameof(PaperBrokerOptions.MaxOrderQuantity), "0")]
    [InlineData(nameof(PaperBrokerOptions.MaxMessagesPerSecond), "20000")]
    [InlineData(nameof(PaperBrokerOptions.MaxQueuedMessages), "0")]
    public void Validate_InvalidValue_NamesOptionAndValue(string option, string value)
    {
        var options = Bind(new Dictionary<string, string?> { [$"Breakwater:Paper:{option}"] = value });

        var result = new PaperBrokerOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.Contains($"Breakwater:Paper:{option}", failure, StringComparison.Ordinal);
        Assert.Contains(value, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NonPositiveStartPrice_NamesSymbol()
    {
        var options = Bind(new Dictionary<string, string?> { ["Breakwater:Paper:Symbols:XYZ"] = "-3" });

        var result = new PaperBrokerOptionsValidator().Validate(null, options);

        Assert.Contains("Breakwater:Paper:Symbols:XYZ", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_ExtraSymbol_AddsToDefaults()
    {
        var options = Bind(new Dictionary<string, string?> { ["Breakwater:Paper:Symbols:XYZ"] = "12.5" });

        Assert.Equal(12.5m, options.Symbols["XYZ"]);
        Assert.True(options.Symbols.ContainsKey("EUR/USD"));
        Assert.True(options.Symbols.ContainsKey("BRK.B"));
    }

    [Fact]
    public void AddPaperBroker_NoPathConfigured_UsesDataDirectory()
    {
        var values = new Dictionary<string, string?> { ["Breakwater:DataDirectory"] = "/srv/bw" };
        using var provider = BuildProvider(values);

        var options = provider.GetRequiredService<IOptions<PaperBrokerOptions>>().Value;

        Assert.Equal(Path.Combine("/srv/bw", "paper-broker.db"), options.DatabasePath);
    }

    [Fact]
    public void AddPaperBroker_NothingConfigured_UsesDefaultDataDirectory()
    {
        using var provider = BuildProvider([]);

        var options = provider.GetRequiredService<IOptions<PaperBrokerOptions>>().Value;

        Assert.Equal(Path.Combine("./data", "paper-broker.db"), options.DatabasePath);
    }

    [Fact]
    public async Task AddPaperBroker_Registered_ResolvesSameInstances()
    {
        await using var provider = BuildProvider([]);

        var broker = provider.GetRequiredService<IBroker>();
        var feed = provider.GetRequiredService<IMarketDataFeed>();

        Assert.Same(provider.GetRequiredService<PaperBroker>(), broker);
        Assert.Same(provider.GetRequiredService<SimulatedMarketData>(), feed);
        Assert.Contains(provider.GetServices<IHostedService>(), s => s is PaperBrokerHostedService);
    }

    [Fact]
    public async Task StopAsync_OtherServiceCancelsWhileStopping_CancelledUpdateDelivered()
    {
        var directory = Path.Combine(Path.GetTempPath(), "breakwater-paper-host-" + Guid.NewGuid().ToString("N"));
        var sink = new RecordingSink();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Breakwater:DataDirectory"] = directory,
            ["Breakwater:Paper:TickInterval"] = "00:00:00.010",
        });
        builder.Services.AddSingleton<IBrokerUpdateSink>(sink);
        builder.Services.AddHostedService<CancelOnStopService>();
        builder.Services.AddPaperBroker(builder.Configuration);
        using var host = builder.Build();
        await host.StartAsync();
        var broker = host.Services.GetRequiredService<IBroker>();
        var order = new BrokerOrder(1, "stop-1", "AAPL", OrderSide.Buy, 1, OrderType.Limit, 1m, TimeInForce.Gtc);
        await broker.PlaceOrderAsync(order, CancellationToken.None);

        await host.StopAsync();
        var update = Assert.Single(sink.All);

        Assert.Equal(("stop-1", OrderStatus.Cancelled), (update.ClientOrderId, update.Status));
        await ((IAsyncDisposable)host.Services).DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task StartAsync_InvalidOptions_FailsWithOptionName()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Breakwater:Paper:Volatility"] = "2",
        });
        builder.Services.AddSingleton<IBrokerUpdateSink, RecordingSink>();
        builder.Services.AddPaperBroker(builder.Configuration);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Breakwater:Paper:Volatility", error.Message, StringComparison.Ordinal);
    }

    private static PaperBrokerOptions Bind(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var options = new PaperBrokerOptions { DatabasePath = "data/paper-broker.db" };
        configuration.GetSection(PaperBrokerOptions.SectionName).Bind(options);
        return options;
    }

    private static ServiceProvider BuildProvider(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IBrokerUpdateSink, RecordingSink>();
        services.AddPaperBroker(configuration);
        return services.BuildServiceProvider();
    }

    /// <summary>
    /// Cancels every open order when the host stops and waits for the confirmations, as a gateway shutdown does.
    /// Registered before the paper broker, so a plain IHostedService broker would stop first.
    /// </summary>
    private sealed class CancelOnStopService(IBroker broker) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            var open = await broker.GetOpenOrdersAsync(OpenOrderScope.Gateway, cancellationToken);
            foreach (var order in open)
            {
                var reference = new BrokerOrderReference(0, order.ClientOrderId!, order.BrokerOrderId);
                await broker.CancelOrderAsync(reference, cancellationToken);
            }

            while (open.Count > 0)
            {
                open = await broker.GetOpenOrdersAsync(OpenOrderScope.Gateway, cancellationToken);
                await Task.Delay(10, cancellationToken);
            }
        }
    }
}
