using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Breakwater.Gateway.Api;

/// <summary>
/// The opaque paging cursor of <c>GET /api/orders</c>: the id below which the next page starts, base64url-encoded
/// behind a version prefix so that its format can change without clients noticing.
/// </summary>
internal static class OrderCursor
{
    private const string Prefix = "o1:";

    public static string Encode(long beforeId) =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes(Prefix + beforeId.ToString(CultureInfo.InvariantCulture)));

    public static bool TryDecode(string cursor, out long beforeId)
    {
        beforeId = 0;
        if (cursor.Length is 0 or > 64 || !Base64Url.IsValid(cursor))
        {
            return false;
        }

        var text = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(cursor));
        return text.StartsWith(Prefix, StringComparison.Ordinal)
            && long.TryParse(text.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out beforeId)
            && beforeId > 0;
    }
}
