using Breakwater.Gateway.Api;
using Breakwater.Gateway.Hosting;
using Breakwater.Gateway.Security;

var builder = WebApplication.CreateBuilder(args);
builder.UseBreakwaterDefaultUrls();
builder.Services.AddBreakwaterGateway(builder.Configuration);
builder.Services.AddGatewaySecurity();

var app = builder.Build();
app.UseGatewayProblems();
app.UseGatewaySecurity();
app.MapLiveness();
app.MapOrderApi();
app.MapMarketDataApi();
app.Run();

/// <summary>Entry point, public so that in-process tests can start the gateway with WebApplicationFactory.</summary>
public partial class Program;
