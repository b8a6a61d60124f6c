using System.Globalization;
using System.Runtime.InteropServices;
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
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stopped.TrySetResult();
});

// Ctrl+C and SIGTERM end the program even while it waits for a command line, because a console read cannot be
// cancelled; when standard input is closed (started in the background), it runs until one of them arrives.
while (true)
{
    var read = Console.In.ReadLineAsync();
    if (await Task.WhenAny(read, stopped.Task) == stopped.Task)
    {
        return 0;
    }

    var line = await read;
    if (line is null)
    {
        break;
    }

    if (line.Trim() == "quit")
    {
        return 0;
    }

    Console.WriteLine(await EmulatorConsole.ExecuteAsync(emulator, line));
}

await stopped.Task;
return 0;
