using Breakwater.Ibkr.Client;

namespace Breakwater.Ibkr.Tests.Client;

public sealed class IbOrderIdAllocatorTests
{
    [Fact]
    public void Next_FloorAboveServer_UsesFloor()
    {
        var ids = new IbOrderIdAllocator();
        ids.OnNextValidId(530);
        ids.RaiseFloor(900);

        Assert.Equal(900, ids.Next());
        Assert.Equal(901, ids.Next());
    }

    [Fact]
    public void Next_ServerAboveFloor_UsesServer()
    {
        var ids = new IbOrderIdAllocator();
        ids.RaiseFloor(10);
        ids.OnNextValidId(530);

        Assert.Equal(530, ids.Next());
    }

    [Fact]
    public void Next_ServerGoesBack_NeverReusesIds()
    {
        var ids = new IbOrderIdAllocator();
        ids.OnNextValidId(530);
        ids.Next();
        ids.Next();
        ids.OnNextValidId(100);
        ids.RaiseFloor(5);

        Assert.Equal(532, ids.Next());
    }

    [Fact]
    public void Next_BeyondInt32_ThrowsWithValue()
    {
        var ids = new IbOrderIdAllocator();
        ids.RaiseFloor((long)int.MaxValue + 1);

        var error = Assert.Throws<InvalidOperationException>(() => ids.Next());

        Assert.Contains("2147483648", error.Message, StringComparison.Ordinal);
    }
}
