using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Breakwater.HealthBench;

/// <summary>Builds the benchmark's web hosts: Kestrel on a free loopback port, no logging.</summary>
internal static class BenchHost
{
    /// <summary>
    /// Health settings with a trading session from 00:00 to 23:59 UTC on every day of the week, so that the market data
    /// probe applies its quote-age rule whenever the benchmark runs.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> AlwaysOpenTradingHours { get; } = new Dictionary<string, string?>
    {
        ["Breakwater:Health:MarketData:TradingHours:Start"] = "00:00",
        ["Breakwater:Health:MarketData:TradingHours:End"] = "23:59",
        ["Breakwater:Health:MarketData:TradingHours:TimeZone"] = "UTC",
        ["Breakwater:Health:MarketData:TradingHours:Days:0"] = "Sunday",
        ["Breakwater:Health:MarketData:TradingHours:Days:1"] = "Monday",
        ["Breakwater:Health:MarketData:TradingHours:Days:2"] = "Tuesday",
        ["Breakwater:Health:MarketData:TradingHours:Days:3"] = "Wednesday",
        ["Breakwater:Health:MarketData:TradingHours:Days:4"] = "Thursday",
        ["Breakwater:Health:MarketData:TradingHours:Days:5"] = "Friday",
        ["Breakwater:Health:MarketData:TradingHours:Days:6"] = "Saturday",
    };

    public static WebApplicationBuilder CreateBuilder()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        return builder;
    }

    /// <summary>Returns the base address of a started host, for example <c>http://127.0.0.1:41234</c>.</summary>
    public static string GetUrl(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses
            .First();
}
