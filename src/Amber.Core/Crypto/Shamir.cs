using System.Security.Cryptography;

namespace Amber.Core.Crypto;

/// <summary>
/// Shamir's secret sharing over GF(256), byte by byte: each secret byte is the constant term of its own random
/// polynomial of degree threshold − 1, and share x holds the polynomials' values at x. Any threshold shares give the
/// secret back; fewer give no information about it. Combining cannot tell a wrong or missing share from a right one
/// (it always yields some bytes): a seal checks the result against its commitment (<see cref="KeySeal"/>).
/// </summary>
public static class Shamir
{
    public const int MaxShares = 255;

    /// <summary>Splits <paramref name="secret"/> into <paramref name="shares"/> shares with indexes 1…N, any <paramref name="threshold"/> of which recombine it.</summary>
    public static IReadOnlyList<ShamirShare> Split(ReadOnlySpan<byte> secret, int threshold, int shares, RandomNumberGenerator random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (secret.IsEmpty)
        {
            throw new ArgumentException("the secret is empty.", nameof(secret));
        }

        if (shares is < 1 or > MaxShares)
        {
            throw new ArgumentOutOfRangeException(nameof(shares), shares, $"the number of shares is 1 to {MaxShares}.");
        }

        if (threshold < 1 || threshold > shares)
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, $"the threshold is 1 to the number of shares ({shares}).");
        }

        var values = new byte[shares][];
        for (var s = 0; s < shares; s++)
        {
            values[s] = new byte[secret.Length];
        }

        var coefficients = new byte[threshold];
        try
        {
            for (var i = 0; i < secret.Length; i++)
            {
                coefficients[0] = secret[i];
                random.GetBytes(coefficients, 1, threshold - 1);
                for (var s = 0; s < shares; s++)
                {
                    values[s][i] = Evaluate(coefficients, (byte)(s + 1));
                }
            }

            return [.. values.Select((v, s) => new ShamirShare((byte)(s + 1), v))];
        }
        finally
        {
            CryptographicOperations.ZeroMemory(coefficients);
            foreach (var v in values)
            {
                CryptographicOperations.ZeroMemory(v);
            }
        }
    }

    /// <summary>
    /// The secret whose shares these are, by Lagrange interpolation at x = 0. Every given share is used, so give
    /// exactly threshold shares or more; fewer (or a wrong one) yield wrong bytes, not an error.
    /// </summary>
    public static byte[] Combine(IReadOnlyList<ShamirShare> shares)
    {
        ArgumentNullException.ThrowIfNull(shares);
        if (shares.Count == 0)
        {
            throw new ArgumentException("no shares to combine.", nameof(shares));
        }

        var length = shares[0].Value.Length;
        var seen = new HashSet<byte>();
        foreach (var share in shares)
        {
            if (share.Value.Length != length)
            {
                throw new ArgumentException($"share {share.Index} holds {share.Value.Length} bytes, share {shares[0].Index} holds {length}: they are not shares of one secret.", nameof(shares));
            }

            if (!seen.Add(share.Index))
            {
                throw new ArgumentException($"share {share.Index} is given twice.", nameof(shares));
            }
        }

        // The Lagrange basis at 0: L_j = Π_{m≠j} x_m / (x_j − x_m); subtraction is XOR in GF(2^8).
        var basis = new byte[shares.Count];
        for (var j = 0; j < shares.Count; j++)
        {
            var numerator = (byte)1;
            var denominator = (byte)1;
            for (var m = 0; m < shares.Count; m++)
            {
                if (m != j)
                {
                    numerator = Gf256.Multiply(numerator, shares[m].Index);
                    denominator = Gf256.Multiply(denominator, Gf256.Add(shares[j].Index, shares[m].Index));
                }
            }

            basis[j] = Gf256.Divide(numerator, denominator);
        }

        var secret = new byte[length];
        for (var j = 0; j < shares.Count; j++)
        {
            var y = shares[j].Value.Span;
            for (var i = 0; i < length; i++)
            {
                secret[i] ^= Gf256.Multiply(y[i], basis[j]);
            }
        }

        return secret;
    }

    private static byte Evaluate(byte[] coefficients, byte x)
    {
        // Horner's rule from the highest coefficient down.
        var y = (byte)0;
        for (var c = coefficients.Length - 1; c >= 0; c--)
        {
            y = Gf256.Add(Gf256.Multiply(y, x), coefficients[c]);
        }

        return y;
    }
}
