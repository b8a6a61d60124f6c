using System.Globalization;

namespace Breakwater.IbGatewayEmulator;

/// <summary>Runs one control command typed on the emulator program's standard input.</summary>
public static class EmulatorConsole
{
    public const string Help =
        "commands: drop | silent on|off | notice CODE | refuse on|off | restart SECONDS | delay MILLISECONDS | "
        + "reject REASON | accept | fill ORDERID [PRICE] | price SYMBOL PRICE | status ORDERID | quit";

    /// <summary>Executes <paramref name="line"/> against <paramref name="emulator"/> and returns the reply text.</summary>
    public static async Task<string> ExecuteAsync(IbGatewayEmulator emulator, string line)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        var words = (line ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            return Help;
        }

        try
        {
            switch (words[0])
            {
                case "drop":
                    emulator.DropConnections();
                    return "dropped";
                case "silent":
                    emulator.SetSilent(words[1] == "on");
                    return "silent " + words[1];
                case "notice":
                    emulator.SendSystemMessage(int.Parse(words[1], CultureInfo.InvariantCulture));
                    return "sent " + words[1];
                case "refuse":
                    emulator.RefuseConnections(words[1] == "on");
                    return "refuse " + words[1];
                case "restart":
                    await emulator.RestartAsync(
                        TimeSpan.FromSeconds(double.Parse(words[1], CultureInfo.InvariantCulture)), CancellationToken.None);
                    return "restarted";
                case "delay":
                    emulator.SetAnswerDelay(TimeSpan.FromMilliseconds(double.Parse(words[1], CultureInfo.InvariantCulture)));
                    return "delay " + words[1];
                case "reject":
                    emulator.RejectOrders(string.Join(' ', words.Skip(1)));
                    return "rejecting orders";
                case "accept":
                    emulator.RejectOrders(null);
                    return "accepting orders";
                case "fill":
                    emulator.FillOrder(
                        int.Parse(words[1], CultureInfo.InvariantCulture),
                        words.Length > 2 ? decimal.Parse(words[2], CultureInfo.InvariantCulture) : null);
                    return "filled " + words[1];
                case "price":
                    emulator.SetPrice(words[1], decimal.Parse(words[2], CultureInfo.InvariantCulture));
                    return $"price {words[1]} {words[2]}";
                case "status":
                    return emulator.GetOrderStatus(int.Parse(words[1], CultureInfo.InvariantCulture)) ?? "unknown order";
                default:
                    return Help;
            }
        }
        catch (Exception ex) when (ex is FormatException or IndexOutOfRangeException or InvalidOperationException
            or OverflowException)
        {
            return "error: " + ex.Message;
        }
    }
}
