using System.Buffers.Binary;

namespace Amber.Transparency.Notes;

/// <summary>
/// One signature line of a signed note: <c>— &lt;key name&gt; base64(key ID || signature)</c>.
/// </summary>
public sealed class NoteSignature
{
    private readonly byte[] signature;

    public NoteSignature(string keyName, uint keyId, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(keyName);
        var invalid = NoteText.CheckKeyName(keyName);
        if (invalid is not null)
        {
            throw new ArgumentException(invalid, nameof(keyName));
        }

        if (signature.IsEmpty)
        {
            throw new ArgumentException("A signature must not be empty.", nameof(signature));
        }

        KeyName = keyName;
        KeyId = keyId;
        this.signature = signature.ToArray();
    }

    public string KeyName { get; }

    /// <summary>The key ID, the first four bytes of the base64 payload read big-endian.</summary>
    public uint KeyId { get; }

    /// <summary>The signature bytes after the key ID.</summary>
    public ReadOnlyMemory<byte> Signature => signature;

    /// <summary>The base64 payload of the line: key ID (big-endian) followed by the signature.</summary>
    public string Base64
    {
        get
        {
            var payload = new byte[4 + signature.Length];
            BinaryPrimitives.WriteUInt32BigEndian(payload, KeyId);
            signature.CopyTo(payload, 4);
            return Convert.ToBase64String(payload);
        }
    }

    /// <summary>Reads a signature from its key name and base64 payload (key ID || signature).</summary>
    public static NoteSignature FromBase64(string keyName, string base64)
    {
        ArgumentNullException.ThrowIfNull(base64);
        if (!StrictBase64.TryDecode(base64, out var payload) || payload.Length < 5)
        {
            throw new FormatException($"The signature by \"{keyName}\" is not canonical base64 of a 4-byte key ID and a signature.");
        }

        return new NoteSignature(keyName, BinaryPrimitives.ReadUInt32BigEndian(payload), payload.AsSpan(4));
    }

    /// <summary>The signature line, ending in a newline.</summary>
    public string FormatLine() => "\u2014 " + KeyName + " " + Base64 + "\n";

    public override string ToString() => FormatLine().TrimEnd('\n');
}
