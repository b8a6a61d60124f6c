using Breakwater.Journal.Spill;

namespace Breakwater.Journal.Tests.Spill;

public sealed class DirectorySyncTests
{
    [Fact]
    public void Flush_ExistingDirectory_Succeeds()
    {
        var error = Record.Exception(() => DirectorySync.Flush(Path.GetTempPath()));

        Assert.Null(error);
    }

    [Fact]
    public void Flush_MissingDirectory_ThrowsIOException()
    {
        var missing = Path.Combine(Path.GetTempPath(), "breakwater-missing-" + Guid.NewGuid().ToString("N"));

        var error = Assert.Throws<IOException>(() => DirectorySync.Flush(missing));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }
}
