namespace Amber.Core.Crypto;

/// <summary>A person who holds one share of a seal: a name and an X25519 public key (docs/format/encryption.md §8).</summary>
public sealed class Trustee
{
    public const int PublicKeyLength = 32;

    public const int MaxNameLength = 64;

    public Trustee(string name, ReadOnlySpan<byte> publicKey)
    {
        var problem = CheckName(name);
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(name));
        }

        if (publicKey.Length != PublicKeyLength)
        {
            throw new ArgumentException($"an X25519 public key is {PublicKeyLength} bytes (got {publicKey.Length}).", nameof(publicKey));
        }

        Name = name;
        PublicKey = publicKey.ToArray();
    }

    public string Name { get; }

    public ReadOnlyMemory<byte> PublicKey { get; }

    /// <summary>The trustees-file line for this trustee: <c>NAME x25519:BASE64</c>.</summary>
    public override string ToString() => $"{Name} {TrusteesFile.KeyPrefix}{Convert.ToBase64String(PublicKey.Span)}";

    /// <summary>Null if <paramref name="name"/> is a valid trustee name (1–64 of A–Z a–z 0–9 . _ @ + -), else why not.</summary>
    public static string? CheckName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "a trustee's name is empty.";
        }

        if (name.Length > MaxNameLength)
        {
            return $"the trustee name '{name}' is longer than {MaxNameLength} characters.";
        }

        var bad = name.FirstOrDefault(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '@' or '+' or '-'));
        return bad == default ? null : $"the trustee name '{name}' contains '{bad}' (allowed: letters, digits, . _ @ + -).";
    }
}
