using System.Security.Cryptography;
using NSec.Cryptography;

namespace Amber.Core.Crypto;

/// <summary>
/// A trustee's X25519 key pair: the private half opens the trustee's share of a seal and never enters an archive.
/// Its text form (docs/format/encryption.md §8) is one line, <c>NAME x25519-private:BASE64</c>.
/// </summary>
public sealed class TrusteeKeyPair : IDisposable
{
    public const string PrivateKeyPrefix = "x25519-private:";

    private readonly Key key;

    private TrusteeKeyPair(string name, Key key)
    {
        this.key = key;
        Trustee = new Trustee(name, key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    public Trustee Trustee { get; }

    internal Key Key => key;

    /// <summary>A new key pair whose 32 private bytes come from <paramref name="random"/>.</summary>
    public static TrusteeKeyPair Create(string name, RandomNumberGenerator random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Span<byte> seed = stackalloc byte[32];
        random.GetBytes(seed);
        try
        {
            return FromPrivateKey(name, seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    public static TrusteeKeyPair FromPrivateKey(string name, ReadOnlySpan<byte> privateKey)
    {
        var problem = Trustee.CheckName(name);
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(name));
        }

        if (privateKey.Length != 32)
        {
            throw new ArgumentException($"an X25519 private key is 32 bytes (got {privateKey.Length}).", nameof(privateKey));
        }

        var parameters = new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        return new TrusteeKeyPair(name, Key.Import(KeyAgreementAlgorithm.X25519, privateKey, KeyBlobFormat.RawPrivateKey, in parameters));
    }

    /// <summary>Reads the one-line private key text; <paramref name="source"/> names the file in errors.</summary>
    public static TrusteeKeyPair Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        if (lines.Count != 1)
        {
            throw new KeyRecordException($"{source}: a trustee key file holds one line 'NAME {PrivateKeyPrefix}BASE64' (found {lines.Count}).");
        }

        var fields = lines[0].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 2 || !fields[1].StartsWith(PrivateKeyPrefix, StringComparison.Ordinal))
        {
            throw new KeyRecordException($"{source}: expected 'NAME {PrivateKeyPrefix}BASE64'.");
        }

        var problem = Trustee.CheckName(fields[0]);
        if (problem is not null)
        {
            throw new KeyRecordException($"{source}: {problem}");
        }

        var bytes = new byte[35];
        if (!Convert.TryFromBase64String(fields[1][PrivateKeyPrefix.Length..], bytes, out var written) || written != 32)
        {
            throw new KeyRecordException($"{source}: the private key of '{fields[0]}' is not 32 bytes of standard base64.");
        }

        try
        {
            return FromPrivateKey(fields[0], bytes.AsSpan(0, 32));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>The private key text (for the trustee's own file, never the archive).</summary>
    public string FormatPrivateKey()
    {
        var raw = key.Export(KeyBlobFormat.RawPrivateKey);
        try
        {
            return $"{Trustee.Name} {PrivateKeyPrefix}{Convert.ToBase64String(raw)}\n";
        }
        finally
        {
            CryptographicOperations.ZeroMemory(raw);
        }
    }

    public void Dispose() => key.Dispose();
}
