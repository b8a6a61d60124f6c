var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/api/health", () => Results.Ok());
app.Run();

/// <summary>Entry point, public so that in-process tests can start the gateway with WebApplicationFactory.</summary>
public partial class Program;
