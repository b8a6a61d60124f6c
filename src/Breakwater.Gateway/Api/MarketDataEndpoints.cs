using Breakwater.Domain.Brokers;
using Breakwater.Domain.MarketData;
using Breakwater.Gateway.Security;

namespace Breakwater.Gateway.Api;

/// <summary>Maps <c>GET /api/market-data/{symbol}</c>, which requires the API token.</summary>
public static class MarketDataEndpoints
{
    public static RouteHandlerBuilder MapMarketDataApi(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/api/market-data/{**symbol}", GetQuoteAsync).RequireAuthorization(ApiTokenDefaults.PolicyName);

    private static async Task<IResult> GetQuoteAsync(
        string symbol, HttpContext context, IMarketDataFeed feed, CancellationToken cancellationToken)
    {
        // Currency pairs such as EUR/USD contain a slash: the catch-all route takes EUR/USD as sent, and the server
        // leaves an escaped slash (EUR%2FUSD) undecoded in the path, so it is decoded here.
        symbol = symbol.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        var normalized = System.Text.Ascii.IsValid(symbol) ? symbol.ToUpperInvariant() : string.Empty;
        if (!OrderRequestParser.IsValidSymbol(normalized))
        {
            return Problems.Validation(context, [new FieldError(
                "symbol", normalized.Length > OrderRequestParser.MaxSymbolLength ? "length" : "pattern",
                OrderRequestParser.Truncate(symbol),
                $"symbol must be 1 to {OrderRequestParser.MaxSymbolLength} of the letters A-Z, the digits 0-9, '.' and '/'.")]);
        }

        Quote quote;
        try
        {
            quote = await feed.GetQuoteAsync(normalized, cancellationToken);
        }
        catch (BrokerRejectionException rejection) when (rejection.Code == BrokerRejectionCode.InvalidSymbol)
        {
            return Problems.Result(Problems.Create(
                context, StatusCodes.Status404NotFound, "symbol-not-found", $"No quotes exist for symbol '{normalized}'."));
        }

        return TypedResults.Json(
            new QuoteResponse(quote.Symbol, quote.Bid, quote.Ask, quote.Last, quote.Timestamp),
            GatewayJsonContext.Default.QuoteResponse);
    }
}
