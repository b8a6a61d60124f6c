namespace Breakwater.Gateway.Shutdown;

/// <summary>
/// Process exit codes of the gateway. docs/operations.md lists them with what an operator should do for each.
/// </summary>
public static class ShutdownExitCodes
{
    /// <summary>The shutdown sweep confirmed every pending order final (or there was none).</summary>
    public const int Clean = 0;

    /// <summary>
    /// Some cancels were not confirmed before <c>Breakwater:Shutdown:CancelTimeout</c>; those orders may still work at
    /// the broker. They are logged with their ids and journaled with the attention <c>CancelUnconfirmed</c>.
    /// </summary>
    public const int CancelsUnconfirmed = 3;

    /// <summary>
    /// The shutdown sequence itself failed with an unexpected error (logged); the state of open orders is unknown.
    /// </summary>
    public const int SequenceFailed = 4;
}
