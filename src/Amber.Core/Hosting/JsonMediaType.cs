namespace Amber.Core.Hosting;

/// <summary>The media type the capture routes accept. A browser can send <c>text/plain</c> (or no type at all) across sites without asking; it cannot send <c>application/json</c> without a CORS preflight.</summary>
public static class JsonMediaType
{
    /// <summary>True for <c>application/json</c>, with or without parameters such as <c>charset</c>.</summary>
    public static bool Is(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return false;
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        var type = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        return string.Equals(type, "application/json", StringComparison.OrdinalIgnoreCase);
    }
}
