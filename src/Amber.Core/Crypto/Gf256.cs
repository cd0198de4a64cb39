namespace Amber.Core.Crypto;

/// <summary>
/// Arithmetic in GF(2^8) with the AES polynomial x^8 + x^4 + x^3 + x + 1 (0x11B). Multiplication is written without
/// tables or branches on the operands, so the time it takes does not depend on a secret share byte.
/// </summary>
internal static class Gf256
{
    public static byte Add(byte a, byte b) => (byte)(a ^ b);

    public static byte Multiply(byte a, byte b)
    {
        var result = 0;
        var x = (int)a;
        for (var bit = 0; bit < 8; bit++)
        {
            result ^= -((b >> bit) & 1) & x;
            var high = (x >> 7) & 1;
            x = ((x << 1) ^ (-high & 0x11B)) & 0xFF;
        }

        return (byte)result;
    }

    /// <summary>a^254 = a^-1 for a ≠ 0 (the multiplicative group has order 255).</summary>
    public static byte Inverse(byte a)
    {
        if (a == 0)
        {
            throw new DivideByZeroException("0 has no inverse in GF(256).");
        }

        var result = (byte)1;
        var power = a;
        for (var e = 254; e > 0; e >>= 1)
        {
            if ((e & 1) != 0)
            {
                result = Multiply(result, power);
            }

            power = Multiply(power, power);
        }

        return result;
    }

    public static byte Divide(byte a, byte b) => Multiply(a, Inverse(b));
}
