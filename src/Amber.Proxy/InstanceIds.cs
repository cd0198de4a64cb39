namespace Amber.Proxy;

/// <summary>Instance ids handed out at request start (the Amber-Instance header): <c>inst_</c> + 26 base32 characters of randomness.</summary>
public static class InstanceIds
{
    public const string Prefix = "inst_";

    /// <summary>The key under which the answer node of an instance is recorded.</summary>
    public static string Key(string instanceId) => "instance:" + instanceId;

    private const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case

    public static string New(Action<Span<byte>> random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Span<byte> bytes = stackalloc byte[17];
        random(bytes[..16]);
        bytes[16] = 0;
        Span<char> chars = stackalloc char[Prefix.Length + 26];
        Prefix.AsSpan().CopyTo(chars);
        // 26 groups of 5 bits cover the 128 random bits (the last group is padded with zeros).
        for (var i = 0; i < 26; i++)
        {
            var bit = i * 5;
            var word = (bytes[bit / 8] << 8) | bytes[(bit / 8) + 1];
            chars[Prefix.Length + i] = Alphabet[(word >> (11 - (bit % 8))) & 31];
        }

        return new string(chars);
    }
}
