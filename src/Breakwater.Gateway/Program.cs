using Breakwater.Gateway.Api;
using Breakwater.Gateway.Breakers;
using Breakwater.Gateway.Hosting;
using Breakwater.Gateway.Security;
using Breakwater.Gateway.Shutdown;
using Breakwater.Journal;
using Breakwater.Resilience.DependencyInjection;

StartupFailureHandler.Install();

// Settings files ship beside the binary, while relative paths (the data directory) follow the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});
builder.UseBreakwaterDefaultUrls();
builder.UseOwnerOnlyDataDirectory();
builder.Services.AddBreakwaterGateway(builder.Configuration);
builder.Services.AddGatewayBreakers(builder.Configuration);
builder.Services.AddGatewaySecurity();
builder.Services.AddGatewayHealth(builder.Configuration);
builder.Services.AddBreakwaterJournal(builder.Configuration);
builder.Services.AddGatewayBroker(builder.Configuration);
builder.Services.AddGatewayShutdown(builder.Configuration);

// The guards wrap the journal, broker and market data adapters registered above, so they come last.
builder.Services.AddBreakwaterGuards();
builder.Services.AddGatewayJournalOutageHandling();

var app = builder.Build();
app.UseGatewayResponseHeaders();
app.UseGatewayProblems();
app.UseGatewaySecurity();
app.MapBreakwaterHealth();
app.MapBreakwaterDashboard();
app.MapOrderApi();
app.MapMarketDataApi();
app.MapBreakerApi();
app.MapGatewayBrokerEndpoints();
app.Run();

/// <summary>Entry point, public so that in-process tests can start the gateway with WebApplicationFactory.</summary>
public partial class Program;
