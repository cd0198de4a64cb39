namespace Amber.Transparency;

/// <summary>
/// Standard base64 (RFC 4648 §4) in its one canonical spelling. <see cref="Convert.FromBase64String(string)"/>
/// skips white space and tolerates stray padding bits, which would let two texts carry the same signature or
/// hash; every format here needs exactly one spelling per value.
/// </summary>
internal static class StrictBase64
{
    public static bool TryDecode(ReadOnlySpan<char> text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length % 4 != 0)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '+' || c == '/' || c == '='))
            {
                return false;
            }
        }

        var buffer = new byte[text.Length / 4 * 3];
        if (!Convert.TryFromBase64Chars(text, buffer, out var written))
        {
            return false;
        }

        var decoded = buffer.AsSpan(0, written).ToArray();
        if (!text.SequenceEqual(Convert.ToBase64String(decoded)))
        {
            return false;
        }

        bytes = decoded;
        return true;
    }
}
