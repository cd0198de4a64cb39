namespace Amber.Import.Formats.ChatApps;

/// <summary>A base64 "data:" URL's bytes and media type (how Open WebUI embeds images in a message's files).</summary>
internal sealed record DataUrl(byte[] Bytes, string? MediaType)
{
    /// <summary>The decoded URL, or null when <paramref name="url"/> is not a base64 data URL.</summary>
    public static DataUrl? Decode(string? url)
    {
        if (url is null || !url.StartsWith("data:", StringComparison.Ordinal))
        {
            return null;
        }

        var comma = url.IndexOf(',', StringComparison.Ordinal);
        if (comma < 0 || !url.AsSpan(0, comma).EndsWith(";base64", StringComparison.Ordinal))
        {
            return null;
        }

        var header = url[5..(comma - ";base64".Length)];
        try
        {
            return new DataUrl(Convert.FromBase64String(url[(comma + 1)..]), header.Length > 0 ? header : null);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
