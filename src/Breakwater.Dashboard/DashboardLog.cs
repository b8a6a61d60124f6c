using Microsoft.Extensions.Logging;

namespace Breakwater.Dashboard;

/// <summary>Log messages of the dashboard; event ids 7000 to 7099 belong to this component.</summary>
internal static partial class DashboardLog
{
    [LoggerMessage(
        EventId = 7000,
        EventName = "DashboardMapped",
        Level = LogLevel.Debug,
        Message = "Dashboard mapped at / with {FileCount} embedded files")]
    public static partial void DashboardMapped(ILogger logger, int fileCount);
}
