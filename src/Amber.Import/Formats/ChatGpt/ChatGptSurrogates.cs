namespace Amber.Import.Formats.ChatGpt;

/// <summary>
/// Exports sometimes hold an escaped lone UTF-16 surrogate ("\ud83d" — an emoji cut in half, often in a
/// title). That is valid JSON but no string can carry it, so the normalized form replaces each with
/// "\ufffd" (same length); the raw bytes kept beside it are the original ones.
/// </summary>
internal static class ChatGptSurrogates
{
    /// <summary>A copy of <paramref name="json"/> (valid JSON) with every lone surrogate escape replaced, and how many there were.</summary>
    public static (byte[] Json, int Replaced) Repair(ReadOnlySpan<byte> json)
    {
        var copy = json.ToArray();
        var replaced = 0;
        for (var i = 0; i < copy.Length - 1; i++)
        {
            // In valid JSON a backslash only occurs inside strings, starting an escape.
            if (copy[i] != (byte)'\\')
            {
                continue;
            }

            if (copy[i + 1] != (byte)'u' || Hex(copy, i + 2) is not { } unit)
            {
                i++; // a two-character escape such as \\ or \"
                continue;
            }

            if (unit is >= 0xD800 and <= 0xDBFF && i + 11 < copy.Length && copy[i + 6] == (byte)'\\' && copy[i + 7] == (byte)'u' && Hex(copy, i + 8) is >= 0xDC00 and <= 0xDFFF)
            {
                i += 11; // a proper pair
                continue;
            }

            if (unit is >= 0xD800 and <= 0xDFFF)
            {
                "fffd"u8.CopyTo(copy.AsSpan(i + 2));
                replaced++;
            }

            i += 5;
        }

        return (copy, replaced);
    }

    private static int? Hex(byte[] s, int at) => Amber.Core.Json.JsonEscapes.TryReadHex4(s, at, out var v) ? v : null;
}
