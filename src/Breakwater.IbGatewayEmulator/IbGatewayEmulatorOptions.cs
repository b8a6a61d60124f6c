namespace Breakwater.IbGatewayEmulator;

/// <summary>Settings of <see cref="IbGatewayEmulator"/>.</summary>
public sealed class IbGatewayEmulatorOptions
{
    /// <summary>The loopback port to listen on; 0 picks a free port. Default 0.</summary>
    public int Port { get; set; }

    /// <summary>The paper account the emulator reports in managedAccounts and on orders. Default DU1234567.</summary>
    public string Account { get; set; } = "DU1234567";

    /// <summary>The first nextValidId the emulator hands out. Default 1.</summary>
    public int FirstOrderId { get; set; } = 1;

    /// <summary>Seed of the quote random walk, so that a run can be repeated. Default 42.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>The price every symbol starts at. Default 100.</summary>
    public decimal StartPrice { get; set; } = 100m;

    /// <summary>How often the random walk moves and streams ticks; zero turns the walk off. Default 250 ms.</summary>
    public TimeSpan QuoteInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Symbols the emulator answers with error 200 (no security definition). Default NOSUCH.</summary>
    public ISet<string> UnknownSymbols { get; } = new HashSet<string>(StringComparer.Ordinal) { "NOSUCH" };

    /// <summary>Records every frame received after the handshake in <see cref="IbGatewayEmulator.InboundFrames"/>.</summary>
    public bool RecordInboundFrames { get; set; }

    /// <summary>
    /// How long a client id stays in use after its connection dropped without a clean close, so that a quick
    /// reconnect gets error 326 as from a real gateway. Default zero.
    /// </summary>
    public TimeSpan ClientIdHoldAfterDrop { get; set; }
}
