using System.Security.Cryptography;

namespace Amber.Core.Crypto;

/// <summary>A conversation's own content key: 32 random bytes, drawn from the caller's generator and only ever stored wrapped.</summary>
public static class DataKey
{
    public const int Length = 32;

    public static byte[] Create(RandomNumberGenerator random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var key = new byte[Length];
        random.GetBytes(key);
        return key;
    }
}
