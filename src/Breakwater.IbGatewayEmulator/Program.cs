using System.Globalization;
using Breakwater.IbGatewayEmulator;
using Microsoft.Extensions.Logging;

// Runs the IB Gateway emulator as a console program with a line-based control surface on standard input.
// Usage: dotnet run --project src/Breakwater.IbGatewayEmulator -- [--port 4002] [--account DU1234567] [--seed 42]
var options = new IbGatewayEmulatorOptions { Port = 4002 };
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--port":
            options.Port = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        case "--account":
            options.Account = args[i + 1];
            break;
        case "--seed":
            options.Seed = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        default:
            Console.Error.WriteLine($"Unknown option '{args[i]}'; valid options are --port, --account and --seed.");
            return 2;
    }
}

using var loggerFactory = LoggerFactory.Create(builder => builder.AddSimpleConsole(o => o.SingleLine = true));
await using var emulator = new IbGatewayEmulator(options, TimeProvider.System, loggerFactory.CreateLogger("Emulator"));
await emulator.StartAsync(CancellationToken.None);
Console.WriteLine($"listening 127.0.0.1:{emulator.Port}");
Console.WriteLine(EmulatorConsole.Help);
var stopped = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stopped.TrySetResult();
};
while (await Console.In.ReadLineAsync() is { } line)
{
    if (line.Trim() == "quit")
    {
        return 0;
    }

    Console.WriteLine(await EmulatorConsole.ExecuteAsync(emulator, line));
}

// Standard input is closed (for example when started in the background): run until Ctrl+C or SIGTERM.
AppDomain.CurrentDomain.ProcessExit += (_, _) => stopped.TrySetResult();
await stopped.Task;
return 0;
