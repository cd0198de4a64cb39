namespace Amber.Transparency.Notes;

/// <summary>Signature type bytes from c2sp.org/signed-note that Amber understands.</summary>
public static class NoteSignatureType
{
    /// <summary>Ed25519 over the note text (RFC 8032, pure).</summary>
    public const byte Ed25519 = 0x01;

    /// <summary>Timestamped Ed25519 witness cosignature (c2sp.org/tlog-cosignature, cosignature/v1).</summary>
    public const byte CosignatureV1 = 0x04;
}
