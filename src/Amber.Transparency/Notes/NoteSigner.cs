using System.Globalization;
using System.Text;
using NSec.Cryptography;

namespace Amber.Transparency.Notes;

/// <summary>
/// Signs notes with an Ed25519 key (signature type 0x01). Signatures are deterministic (RFC 8032), so the same
/// key and text always give the same note bytes.
/// </summary>
/// <remarks>
/// Keys come from a 32-byte seed: imported, parsed from Go's <c>PRIVATE+KEY+…</c> text, or generated from a
/// caller-supplied random source (never ambient randomness). The seed stays in NSec's protected memory and
/// is exportable only through <see cref="ExportPrivateKey"/>.
/// </remarks>
public sealed class NoteSigner : IDisposable
{
    /// <summary>Length of an Ed25519 seed (the RFC 8032 private key).</summary>
    public const int SeedLength = 32;

    private const string PrivateKeyPrefix = "PRIVATE+KEY+";

    private readonly Key key;
    private readonly byte[] publicKey;

    private NoteSigner(string name, Key key)
    {
        Name = name;
        this.key = key;
        publicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        VerifierKey = NoteVerifierKey.Create(name, NoteSignatureType.Ed25519, publicKey);
    }

    public string Name { get; }

    public uint KeyId => VerifierKey.KeyId;

    /// <summary>The raw 32-byte Ed25519 public key.</summary>
    public ReadOnlyMemory<byte> PublicKey => publicKey;

    /// <summary>The matching verifier; its <c>ToString()</c> is the vkey line to publish.</summary>
    public NoteVerifierKey VerifierKey { get; }

    /// <summary>A signer for the Ed25519 key with this 32-byte seed.</summary>
    public static NoteSigner FromSeed(string name, ReadOnlySpan<byte> seed)
    {
        ArgumentNullException.ThrowIfNull(name);
        var invalid = NoteText.CheckKeyName(name);
        if (invalid is not null)
        {
            throw new ArgumentException(invalid, nameof(name));
        }

        if (seed.Length != SeedLength)
        {
            throw new ArgumentException($"An Ed25519 seed is {SeedLength} bytes (got {seed.Length}).", nameof(seed));
        }

        var parameters = new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        var key = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey, in parameters);
        return new NoteSigner(name, key);
    }

    /// <summary>A new key whose seed comes from <paramref name="fillRandom"/> (e.g. <c>RandomNumberGenerator.Fill</c>).</summary>
    public static NoteSigner Generate(string name, Action<Span<byte>> fillRandom)
    {
        ArgumentNullException.ThrowIfNull(fillRandom);
        Span<byte> seed = stackalloc byte[SeedLength];
        try
        {
            fillRandom(seed);
            return FromSeed(name, seed);
        }
        finally
        {
            seed.Clear();
        }
    }

    /// <summary>
    /// Reads Go's private key text <c>PRIVATE+KEY+&lt;name&gt;+&lt;hex ID&gt;+base64(0x01 || seed)</c>; throws
    /// <see cref="FormatException"/> if it is malformed or its key ID does not match the key.
    /// </summary>
    public static NoteSigner ParsePrivateKey(string skey)
    {
        ArgumentNullException.ThrowIfNull(skey);

        // The base64 part may itself contain '+': split on the first four only.
        var parts = skey.Split('+', 5);
        if (parts.Length != 5 || !skey.StartsWith(PrivateKeyPrefix, StringComparison.Ordinal))
        {
            throw new FormatException("Not a signer key (expected PRIVATE+KEY+name+hexid+base64).");
        }

        var name = parts[2];
        if (NoteText.CheckKeyName(name) is { } invalidName)
        {
            throw new FormatException("Signer key: " + invalidName);
        }

        if (parts[3].Length != 8 || !uint.TryParse(parts[3], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var keyId))
        {
            throw new FormatException($"Signer key \"{name}\": the key ID \"{parts[3]}\" is not 8 hex digits.");
        }

        if (!StrictBase64.TryDecode(parts[4], out var blob) || blob.Length != 1 + SeedLength || blob[0] != NoteSignatureType.Ed25519)
        {
            throw new FormatException($"Signer key \"{name}\": expected base64 of 0x01 and a {SeedLength}-byte Ed25519 seed.");
        }

        try
        {
            var signer = FromSeed(name, blob.AsSpan(1));
            if (signer.KeyId != keyId)
            {
                signer.Dispose();
                throw new FormatException($"Signer key \"{name}\": key ID {parts[3]} does not match the key (computed {signer.KeyId:x8}).");
            }

            return signer;
        }
        finally
        {
            Array.Clear(blob);
        }
    }

    /// <summary>Go's private key text for this key. Treat it as a secret.</summary>
    public string ExportPrivateKey()
    {
        var blob = new byte[1 + SeedLength];
        blob[0] = NoteSignatureType.Ed25519;
        if (!key.TryExport(KeyBlobFormat.RawPrivateKey, blob.AsSpan(1), out var written) || written != SeedLength)
        {
            throw new InvalidOperationException("The Ed25519 seed could not be exported.");
        }

        try
        {
            return $"{PrivateKeyPrefix}{Name}+{KeyId:x8}+{Convert.ToBase64String(blob)}";
        }
        finally
        {
            Array.Clear(blob);
        }
    }

    /// <summary>A signature line over <paramref name="text"/> (valid note text, ending in a newline).</summary>
    public NoteSignature Sign(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var invalid = NoteText.CheckText(text);
        if (invalid is not null)
        {
            throw new ArgumentException(invalid, nameof(text));
        }

        var signature = SignatureAlgorithm.Ed25519.Sign(key, Encoding.UTF8.GetBytes(text));
        return new NoteSignature(Name, KeyId, signature);
    }

    /// <summary>A note carrying <paramref name="text"/> and this key's signature.</summary>
    public SignedNote SignNote(string text) => new(text, [Sign(text)]);

    /// <summary><paramref name="note"/> with this key's signature appended.</summary>
    public SignedNote AddSignature(SignedNote note)
    {
        ArgumentNullException.ThrowIfNull(note);
        return note.WithSignature(Sign(note.Text));
    }

    public void Dispose() => key.Dispose();
}
