namespace Amber.Core.Json;

/// <summary>Pieces of JSON's string escapes that readers of raw JSON bytes share.</summary>
public static class JsonEscapes
{
    /// <summary>The four hex digits of a <c>\uXXXX</c> escape at <paramref name="at"/>, either case; false if they are not there.</summary>
    public static bool TryReadHex4(ReadOnlySpan<byte> s, int at, out int value)
    {
        value = 0;
        if (at < 0 || at + 4 > s.Length)
        {
            return false;
        }

        for (var k = 0; k < 4; k++)
        {
            var c = s[at + k];
            var d = c switch
            {
                >= (byte)'0' and <= (byte)'9' => c - '0',
                >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
                _ => -1,
            };
            if (d < 0)
            {
                value = 0;
                return false;
            }

            value = (value << 4) | d;
        }

        return true;
    }
}
